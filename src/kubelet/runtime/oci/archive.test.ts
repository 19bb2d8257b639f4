import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describeArchive, inspectArchive, normalizeRef, normalizeRepository, NotAnImageArchive, readArchiveMeta } from './archive.js';
import { buildDockerArchive } from './docker.js';
import { buildOciImage } from './image.js';
import { readTar, writeTar, type TarEntry } from './tar.js';

const layer: TarEntry[] = [{ type: 'dir', path: 'bin' }, { type: 'file', path: 'bin/hello', data: Buffer.alloc(5000, 7), mode: 0o755 }];
const cfg = { Cmd: ['/bin/hello'] };

function withFile(data: Buffer, fn: (file: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-archive-'));
  const f = join(dir, 'x.tar');
  writeFileSync(f, data);
  return fn(f).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** A stream of the buffer in odd-sized chunks, so headers and files straddle chunk edges. */
const chunked = (b: Buffer, size = 77) => Readable.from((function* () { for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size); })());

/** The OCI archive with index.json's manifests' annotations replaced. */
function withAnnotations(archive: Buffer, annotations: Record<string, string>): Buffer {
  return writeTar(readTar(archive).map((r): TarEntry => {
    if (r.type === '5') return { type: 'dir', path: r.path };
    if (r.path !== 'index.json') return { type: 'file', path: r.path, data: r.data };
    const idx = JSON.parse(r.data.toString());
    for (const m of idx.manifests) m.annotations = annotations;
    return { type: 'file', path: r.path, data: Buffer.from(JSON.stringify(idx)) };
  }));
}

test('normalizeRef: docker short names gain docker.io/library and :latest; full names stay', () => {
  assert.equal(normalizeRef('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeRef('busybox:1.36'), 'docker.io/library/busybox:1.36');
  assert.equal(normalizeRef('me/app:2'), 'docker.io/me/app:2');
  assert.equal(normalizeRef('example.com/app'), 'example.com/app:latest');
  assert.equal(normalizeRef('localhost/app:1'), 'localhost/app:1');
  assert.equal(normalizeRef('registry:5000/app'), 'registry:5000/app:latest');
  assert.equal(normalizeRef('example.com/app@sha256:abc'), 'example.com/app@sha256:abc');
  assert.equal(normalizeRepository('app'), 'docker.io/library/app');
  assert.equal(normalizeRepository('registry:5000/team/app'), 'registry:5000/team/app');
  assert.equal(normalizeRepository('app:1.0'), undefined);
  assert.equal(normalizeRepository('app@sha256:abc'), undefined);
});

test('OCI layout from the builder: its containerd name, read across chunk boundaries', async () => {
  const img = buildOciImage({ name: 'example.com/team/app:1.0', layers: [layer], config: cfg });
  const meta = await readArchiveMeta(chunked(img.archive));
  assert.deepEqual([...meta.keys()].sort(), ['index.json', 'oci-layout']);
  assert.deepEqual(describeArchive(meta), { format: 'oci', gzip: false, names: ['example.com/team/app:1.0'], bareRefs: [], images: 1 });
});

test('OCI layout naming only org.opencontainers.image.ref.name: full refs are names, bare tags need a repository', async () => {
  const img = buildOciImage({ name: 'example.com/team/app:1.0', layers: [layer], config: cfg }).archive;
  const full = describeArchive(await readArchiveMeta(chunked(withAnnotations(img, { 'org.opencontainers.image.ref.name': 'example.com/x/y:3' }))));
  assert.deepEqual([full.names, full.bareRefs], [['example.com/x/y:3'], []]);
  const bare = describeArchive(await readArchiveMeta(chunked(withAnnotations(img, { 'org.opencontainers.image.ref.name': '3.0' }))));
  assert.deepEqual([bare.names, bare.bareRefs, bare.images], [[], ['3.0'], 1]);
});

test('docker save archive: RepoTags normalised; gzip detected from the file', async () => {
  const d = buildDockerArchive({ name: 'app:1.0', repoTags: ['app:1.0', 'me/app'], layers: [layer], config: cfg });
  const files = new Map(readTar(d.archive).map((r) => [r.path, r.data]));
  const manifest = JSON.parse(files.get('manifest.json')!.toString());
  assert.equal(manifest[0].Config, `${d.configDigest.slice(7)}.json`);
  assert.ok(files.has(manifest[0].Layers[0]), 'the layer is where manifest.json says');
  const config = JSON.parse(files.get(manifest[0].Config)!.toString());
  assert.deepEqual(config.config, cfg);
  await withFile(d.archive, async (f) => {
    assert.deepEqual(await inspectArchive(f), { format: 'docker', gzip: false, names: ['docker.io/library/app:1.0', 'docker.io/me/app:latest'], bareRefs: [], images: 1 });
  });
  await withFile(gzipSync(d.archive), async (f) => {
    const info = await inspectArchive(f);
    assert.equal(info.gzip, true);
    assert.deepEqual(info.names, ['docker.io/library/app:1.0', 'docker.io/me/app:latest']);
  });
});

test('an archive with both index.json and manifest.json (docker save ≥ 25) takes the docker names', () => {
  const meta = new Map([
    ['index.json', Buffer.from(JSON.stringify({ manifests: [{ annotations: { 'org.opencontainers.image.ref.name': '1.0' } }] }))],
    ['manifest.json', Buffer.from(JSON.stringify([{ RepoTags: ['web:1.0'] }]))],
  ]);
  assert.deepEqual(describeArchive(meta), { format: 'oci+docker', gzip: false, names: ['docker.io/library/web:1.0'], bareRefs: [], images: 1 });
});

test('long member names (PAX) are followed', async () => {
  const long = `${'d'.repeat(120)}/x`;
  const tar = writeTar([{ type: 'file', path: long, data: Buffer.from('x') }, { type: 'file', path: 'manifest.json', data: Buffer.from('[{"RepoTags":["a:1"]}]') }]);
  assert.deepEqual(describeArchive(await readArchiveMeta(chunked(tar, 300))).names, ['docker.io/library/a:1']);
});

test('not image archives: a tar without metadata, a non-tar, bad JSON, truncated, corrupt gzip', async () => {
  const reject = async (data: Buffer, re: RegExp) => withFile(data, async (f) => {
    await assert.rejects(inspectArchive(f), (e: Error) => e instanceof NotAnImageArchive && re.test(e.message));
  });
  await reject(writeTar([{ type: 'file', path: 'hello.txt', data: Buffer.from('hi') }]), /neither index\.json .* nor manifest\.json/);
  await reject(Buffer.from('plain text, certainly no tar header here '.repeat(20)), /not a tar archive/);
  await reject(writeTar([{ type: 'file', path: 'manifest.json', data: Buffer.from('{nope') }]), /manifest\.json is not valid JSON/);
  await reject(writeTar([{ type: 'file', path: 'manifest.json', data: Buffer.from('{"a":1}') }]), /not a list of images/);
  const whole = writeTar([{ type: 'file', path: 'index.json', data: Buffer.alloc(3000, 0x20) }]);
  await reject(whole.subarray(0, 1024), /truncated/);
  const gz = gzipSync(whole);
  await reject(Buffer.concat([gz.subarray(0, 10), Buffer.alloc(40, 0xff)]), /gzip data is corrupt/);
});
