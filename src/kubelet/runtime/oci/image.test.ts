import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { buildOciImage, MEDIA, ociArch, refTag, ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME } from './image.js';
import { readTar } from './tar.js';

const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function build() {
  return buildOciImage({
    name: 'docker.io/library/demo:1.0',
    layers: [
      [{ type: 'dir', path: 'bin' }, { type: 'file', path: 'bin/hello', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 }],
      [{ type: 'file', path: 'etc/motd', data: Buffer.from('welcome\n') }],
    ],
    config: { Entrypoint: ['/bin/hello'], Env: ['PATH=/bin'] },
    architecture: 'amd64',
  });
}

test('the archive is a valid OCI image layout whose blobs match their digests and sizes', () => {
  const img = build();
  const files = new Map(readTar(img.archive).filter((r) => r.type === '0').map((r) => [r.path, r.data]));
  assert.deepEqual(JSON.parse(files.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
  for (const [path, data] of files) {
    if (path.startsWith('blobs/sha256/')) assert.equal(path.slice(13), hex(data), `${path} is named by its content`);
  }
  const blob = (d: { digest: string; size: number; mediaType: string }) => {
    const b = files.get(`blobs/sha256/${d.digest.replace('sha256:', '')}`);
    assert.ok(b, `blob ${d.digest} present`);
    assert.equal(b.length, d.size, `size of ${d.digest}`);
    return b;
  };

  const index = JSON.parse(files.get('index.json')!.toString());
  assert.equal(index.schemaVersion, 2);
  assert.equal(index.mediaType, MEDIA.index);
  assert.equal(index.manifests.length, 1);
  const desc = index.manifests[0];
  assert.equal(desc.mediaType, MEDIA.manifest);
  assert.equal(desc.digest, img.manifestDigest);
  assert.deepEqual(desc.platform, { architecture: 'amd64', os: 'linux' });
  assert.equal(desc.annotations[ANNOTATION_CONTAINERD_NAME], 'docker.io/library/demo:1.0');
  assert.equal(desc.annotations[ANNOTATION_REF_NAME], '1.0');

  const manifest = JSON.parse(blob(desc).toString());
  assert.equal(manifest.schemaVersion, 2);
  assert.equal(manifest.config.mediaType, MEDIA.config);
  assert.equal(manifest.config.digest, img.configDigest);
  const config = JSON.parse(blob(manifest.config).toString());
  assert.equal(config.os, 'linux');
  assert.equal(config.architecture, 'amd64');
  assert.deepEqual(config.config.Entrypoint, ['/bin/hello']);
  assert.equal(config.rootfs.type, 'layers');
  assert.equal(config.history.length, 2);

  assert.equal(manifest.layers.length, 2);
  manifest.layers.forEach((l: { mediaType: string; digest: string; size: number }, i: number) => {
    assert.equal(l.mediaType, MEDIA.layerGzip);
    const tar = gunzipSync(blob(l));
    assert.equal(config.rootfs.diff_ids[i], `sha256:${hex(tar)}`, 'diff_id is the digest of the uncompressed layer');
    assert.equal(img.diffIds[i], config.rootfs.diff_ids[i]);
  });
  const top = readTar(gunzipSync(blob(manifest.layers[0])));
  assert.deepEqual(top.map((r) => [r.path, r.mode.toString(8)]), [['bin/', '755'], ['bin/hello', '755']]);
});

test('builds are reproducible: same inputs, same image ID and archive', () => {
  const a = build(), b = build();
  assert.equal(a.configDigest, b.configDigest);
  assert.equal(a.manifestDigest, b.manifestDigest);
  assert.deepEqual(a.archive, b.archive);
});

test('architecture and tag helpers', () => {
  assert.equal(ociArch('x64'), 'amd64');
  assert.equal(ociArch('arm64'), 'arm64');
  assert.equal(refTag('registry.k8s.io/pause:3.10'), '3.10');
  assert.equal(refTag('localhost:5000/app'), 'latest');
  assert.equal(refTag('busybox'), 'latest');
});
