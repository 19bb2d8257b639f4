import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BUSYBOX_CANDIDATES, buildPauseImage, busyboxEntries, findStatic, formatImageTable, PAUSE_SHELL_LOOP, PRINTENV_SHIM } from './images.js';
import { readTar } from './oci/tar.js';

function withFakeBinary(fn: (file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-images-'));
  try {
    const f = join(dir, 'bin');
    writeFileSync(f, 'ELF-ish');
    fn(f);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The image config and the single layer's records of a built archive. */
function unpack(archive: Buffer) {
  const files = new Map(readTar(archive).map((r) => [r.path, r.data]));
  const index = JSON.parse(files.get('index.json')!.toString());
  const blob = (d: string) => files.get(`blobs/sha256/${d.slice(7)}`)!;
  const manifest = JSON.parse(blob(index.manifests[0].digest).toString());
  return { config: JSON.parse(blob(manifest.config.digest).toString()), layer: readTar(gunzipSync(blob(manifest.layers[0].digest))), name: index.manifests[0].annotations['io.containerd.image.name'] };
}

test('busybox layout: the binary, one symlink per applet in /bin and at its own path, passwd and group', () => {
  withFakeBinary((bin) => {
    const entries = busyboxEntries(bin, ['bin/ls', 'usr/bin/env', 'sbin/ifconfig', 'usr/share/odd/x']);
    const byPath = new Map(entries.map((e) => [e.path, e]));
    assert.equal(byPath.get('bin/busybox')?.type, 'file');
    for (const l of ['bin/ls', 'bin/env', 'usr/bin/env', 'bin/ifconfig', 'sbin/ifconfig', 'bin/x']) {
      assert.deepEqual(byPath.get(l), { type: 'symlink', path: l, target: '/bin/busybox' }, l);
    }
    assert.equal(byPath.has('usr/share/odd/x'), false, 'no symlink into a directory the image lacks');
    const passwd = (byPath.get('etc/passwd') as { data: Buffer }).data.toString();
    assert.match(passwd, /^root:x:0:0:root:\/root:\/bin\/sh$/m);
    assert.match(passwd, /^nobody:x:65534:65534:/m);
    assert.match((byPath.get('etc/group') as { data: Buffer }).data.toString(), /^root:x:0:$/m);
    assert.equal((byPath.get('tmp') as { mode: number }).mode, 0o1777);
    assert.equal((byPath.get('bin/printenv') as { data: Buffer; mode: number }).mode, 0o755, 'printenv shim when the applet is missing');
    const withApplet = busyboxEntries(bin, ['usr/bin/printenv']);
    assert.equal(withApplet.find((e) => e.path === 'bin/printenv')?.type, 'symlink', 'the real applet wins');
  });
});

test('printenv shim behaves like printenv (with busybox\'s sh, env and awk when installed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'printenv-'));
  try {
    const f = join(dir, 'printenv');
    writeFileSync(f, PRINTENV_SHIM, { mode: 0o755 });
    const busybox = findStatic(BUSYBOX_CANDIDATES);
    if (busybox) for (const a of ['sh', 'env', 'awk']) symlinkSync(busybox, join(dir, a));
    const env = { PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`, A: 'one two', B: '' };
    assert.equal(execFileSync(f, ['A', 'B'], { env, encoding: 'utf8' }), 'one two\n\n');
    assert.match(execFileSync(f, [], { env, encoding: 'utf8' }), /^A=one two$/m);
    assert.throws(() => execFileSync(f, ['A', 'NOPE'], { env, stdio: 'pipe' }), (e: { status: number; stdout: Buffer }) => e.status === 1 && e.stdout.toString() === 'one two\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pause image: catatonit -P when available, else a busybox sh loop; unprivileged user', () => {
  withFakeBinary((bin) => {
    const cat = unpack(buildPauseImage({ kind: 'catatonit', binary: bin }).archive);
    assert.equal(cat.name, 'registry.k8s.io/pause:3.10');
    assert.deepEqual(cat.config.config.Entrypoint, ['/pause', '-P']);
    assert.equal(cat.config.config.User, '65535:65535');
    assert.ok(cat.layer.some((r) => r.path === 'pause' && r.mode === 0o755));

    const sh = unpack(buildPauseImage({ kind: 'busybox-sh', binary: bin }).archive);
    assert.deepEqual(sh.config.config.Entrypoint, ['/bin/sh', '-c', PAUSE_SHELL_LOOP]);
    assert.deepEqual(sh.layer.filter((r) => r.type === '2').map((r) => [r.path, r.link]), [['bin/sh', 'busybox'], ['bin/sleep', 'busybox']]);
  });
});

test('image table like crictl images', () => {
  const out = formatImageTable([
    { id: 'sha256:e93ab247a1971d8538d2b818cca8719884ab9e70c95c1090f28b1ba9b8f47d8c', repoTags: ['docker.io/library/busybox:latest'], repoDigests: [], size: 1_060_000, pinned: false },
    { id: 'sha256:0123456789abcdef', repoTags: ['localhost:5000/app:v1', 'localhost:5000/app'], repoDigests: [], size: 512, pinned: false },
    { id: 'sha256:ffffffffffffffff', repoTags: [], repoDigests: [], size: 123_456_789, pinned: false },
  ]);
  assert.equal(out, [
    'IMAGE                       TAG      IMAGE ID        SIZE',
    'docker.io/library/busybox   latest   e93ab247a1971   1.06MB',
    'localhost:5000/app          v1       0123456789abc   512B',
    'localhost:5000/app          <none>   0123456789abc   512B',
    '<none>                      <none>   fffffffffffff   123MB',
    '',
  ].join('\n'));
});
