import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOciImage, MEDIA } from './oci/image.js';
import { startTestRegistry } from './testregistry.js';

test('the test registry serves an OCI archive behind Basic auth', async (t) => {
  const img = buildOciImage({ name: 'example/app:1.0', layers: [[{ type: 'file', path: 'hello', data: Buffer.from('hi') }]], config: { Cmd: ['/hello'] } });
  const reg = await startTestRegistry({ images: [{ repository: 'library/app', tag: '1.0', archive: img.archive }], auth: { username: 'u', password: 'p' } });
  t.after(() => reg.close());
  const base = `http://${reg.hostPort}`;
  const basic = { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` };

  let r = await fetch(`${base}/v2/`);
  assert.equal(r.status, 401);
  assert.equal(r.headers.get('www-authenticate'), 'Basic realm="skiff-test-registry"');
  assert.equal(((await r.json()) as { errors: { code: string }[] }).errors[0].code, 'UNAUTHORIZED');
  r = await fetch(`${base}/v2/`, { headers: { Authorization: `Basic ${Buffer.from('u:wrong').toString('base64')}` } });
  assert.equal(r.status, 401);
  r = await fetch(`${base}/v2/`, { headers: basic });
  assert.equal(r.status, 200);

  r = await fetch(`${base}/v2/library/app/manifests/1.0`, { method: 'HEAD', headers: basic });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), MEDIA.manifest);
  assert.equal(r.headers.get('docker-content-digest'), img.manifestDigest);
  const byDigest = await fetch(`${base}/v2/library/app/manifests/${img.manifestDigest}`, { headers: basic });
  const manifest = (await byDigest.json()) as { config: { digest: string }; layers: { digest: string; size: number }[] };
  assert.equal(manifest.config.digest, img.configDigest);

  r = await fetch(`${base}/v2/library/app/blobs/${manifest.layers[0].digest}`, { headers: basic });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('docker-content-digest'), manifest.layers[0].digest);
  assert.equal(Buffer.from(await r.arrayBuffer()).length, manifest.layers[0].size);

  assert.equal((await fetch(`${base}/v2/library/app/manifests/2.0`, { headers: basic })).status, 404);
  assert.equal((await fetch(`${base}/v2/library/nope/manifests/1.0`, { headers: basic })).status, 404);
  assert.equal((await fetch(`${base}/v2/library/app/blobs/sha256:${'0'.repeat(64)}`, { headers: basic })).status, 404);
  assert.ok(reg.requests.includes('GET /v2/ 401'));
});
