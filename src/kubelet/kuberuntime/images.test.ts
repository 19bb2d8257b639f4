import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CriError } from '../cri/client.js';
import type { PullImageRequest } from '../cri/types.js';
import { DockerKeyring } from '../credentialprovider/keyring.js';
import { aggregateMessage, ImagePuller } from './images.js';
import type { CriRuntime } from './cri.js';

/** A runtime whose registry accepts only `good:pw` (or anyone when open). */
function registry(open = false) {
  const pulls: (string | null)[] = [];
  const have = new Set<string>();
  const cri = {
    imageStatus: async (req: { image: { image: string } }) => ({ image: have.has(req.image.image) ? { id: 'sha256:1', size: '10' } : null, info: {} }),
    pullImage: async (req: PullImageRequest) => {
      pulls.push(req.auth ? `${req.auth.username}:${req.auth.password}` : null);
      if (!open && !(req.auth?.username === 'good' && req.auth.password === 'pw')) {
        throw new CriError('PullImage', 2, 'UNKNOWN', `pull as ${req.auth?.username ?? 'anonymous'}: 401 Unauthorized`);
      }
      have.add(req.image.image);
      return { imageRef: 'sha256:1' };
    },
  } as unknown as CriRuntime;
  return { cri, pulls };
}

const keyring = (entries: [string, string, string][]) => async () => {
  const r = new DockerKeyring();
  for (const [loc, u, p] of entries) r.add(new Map([[loc, { username: u, password: p }]]));
  return r;
};
const noEvent = () => {};

test('each matching credential in turn until a pull succeeds', async () => {
  const { cri, pulls } = registry();
  const p = new ImagePuller(cri);
  const r = await p.ensure('uid', 'reg:5/app:v1', 'IfNotPresent', undefined, noEvent, undefined,
    keyring([['reg:5', 'bad', 'x'], ['reg:5/app', 'good', 'pw'], ['other:5', 'never', 'x']]));
  assert.deepEqual(r, { ok: true, imageRef: 'sha256:1' });
  assert.deepEqual(pulls, ['good:pw'], 'the most specific key first');
});

test('every credential failing: ErrImagePull with all errors, no anonymous fallback', async () => {
  const { cri, pulls } = registry();
  const p = new ImagePuller(cri);
  const events: string[] = [];
  const r = await p.ensure('uid', 'reg:5/app:v1', 'Always', undefined, (t, reason, m) => events.push(`${reason}: ${m}`), undefined,
    keyring([['reg:5', 'a', '1'], ['reg:5', 'b', '2']]));
  assert.equal(r.ok, false);
  assert.deepEqual(pulls, ['a:1', 'b:2']);
  const msg = '[rpc error: code = Unknown desc = pull as a: 401 Unauthorized, rpc error: code = Unknown desc = pull as b: 401 Unauthorized]';
  assert.deepEqual(r, { ok: false, reason: 'ErrImagePull', message: msg });
  assert.ok(events.includes(`Failed: Failed to pull image "reg:5/app:v1": ${msg}`));
});

test('no matching credential (or no keyring): one anonymous pull', async () => {
  const { cri, pulls } = registry(true);
  const p = new ImagePuller(cri);
  assert.equal((await p.ensure('u1', 'reg:5/a', 'Always', undefined, noEvent, undefined, keyring([['elsewhere', 'x', 'y']]))).ok, true);
  assert.equal((await p.ensure('u2', 'reg:5/b', 'Always', undefined, noEvent)).ok, true);
  assert.deepEqual(pulls, [null, null]);
});

test('a pull secret that does not parse fails the pull with its error', async () => {
  const { cri, pulls } = registry(true);
  const p = new ImagePuller(cri);
  const r = await p.ensure('uid', 'reg:5/a', 'Always', undefined, noEvent, undefined, async () => { throw new SyntaxError('bad secret json'); });
  assert.deepEqual(r, { ok: false, reason: 'ErrImagePull', message: 'bad secret json' });
  assert.deepEqual(pulls, []);
});

test('aggregate messages: one as itself, duplicates once, several in brackets', () => {
  assert.equal(aggregateMessage(['x']), 'x');
  assert.equal(aggregateMessage(['x', 'x']), 'x');
  assert.equal(aggregateMessage(['x', 'y']), '[x, y]');
});
