import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeAuthField, keyringFromSecrets, parseDockerConfig } from './secrets.js';
import { podPullKeyring } from './pod.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const jsonSecret = (name: string, auths: object): Record<string, unknown> => ({
  metadata: { name, namespace: 'ns' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
});

test('"auth" is base64 user:pass (padded or not) and wins over username/password', () => {
  assert.deepEqual(decodeAuthField(b64('alice:s3:cret')), { username: 'alice', password: 's3:cret' });
  assert.deepEqual(decodeAuthField(b64('bob:pw').replace(/=+$/, '')), { username: 'bob', password: 'pw' });
  assert.throws(() => decodeAuthField(b64('nocolon')), /must be formatted as base64\(username:password\)/);
  assert.throws(() => decodeAuthField('!!!'), /illegal base64 data/);
  const cfg = parseDockerConfig({ 'reg:1': { username: 'x', password: 'y', auth: b64('u:p'), email: 'e@x' }, 'reg:2': { username: 'x', password: 'y' } });
  assert.deepEqual(cfg.get('reg:1'), { username: 'u', password: 'p', email: 'e@x' });
  assert.deepEqual(cfg.get('reg:2'), { username: 'x', password: 'y', email: undefined });
});

test('dockerconfigjson and dockercfg secrets make one keyring; other types add nothing', () => {
  const ring = keyringFromSecrets([
    jsonSecret('a', { '127.0.0.1:5100': { username: 'alice', password: 'pw1' } }),
    { metadata: { name: 'b' }, type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ 'https://127.0.0.1:5100/v1/': { auth: b64('bob:pw2') } })) } },
    { metadata: { name: 'c' }, type: 'Opaque', data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { '127.0.0.1:5100': { username: 'eve', password: 'x' } } })) } },
    { metadata: { name: 'd' }, type: 'kubernetes.io/dockercfg', data: { '.dockerconfigjson': b64('{}') } },
  ]);
  assert.deepEqual(ring.lookup('127.0.0.1:5100/library/busybox:1.0').map((a) => [a.username, a.password]), [['alice', 'pw1'], ['bob', 'pw2']]);
});

test('a secret that does not parse fails the keyring', () => {
  const bad = { metadata: { name: 'x' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{not json') } };
  assert.throws(() => keyringFromSecrets([bad]), SyntaxError);
});

test('a pod\'s keyring: missing secrets are named in one warning and skipped', async () => {
  const store = new Map([['ns/regcred', jsonSecret('regcred', { 'reg.example.com': { username: 'u', password: 'p' } })]]);
  const events: string[] = [];
  const reads: string[] = [];
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { imagePullSecrets: [{ name: 'gone' }, { name: 'regcred' }, { name: '' }, { name: 'broken' }] } };
  const ring = await podPullKeyring(pod, async (ns, name) => {
    reads.push(`${ns}/${name}`);
    if (name === 'broken') throw new Error('connection refused');
    return store.get(`${ns}/${name}`);
  }, (t, r, m) => events.push(`${t} ${r} ${m}`));
  assert.deepEqual(reads, ['ns/gone', 'ns/regcred', 'ns/broken']);
  assert.deepEqual(events, ['Warning FailedToRetrieveImagePullSecret Unable to retrieve some image pull secrets (gone, broken); attempting to pull the image may not succeed.']);
  assert.deepEqual(ring.lookup('reg.example.com/app').map((a) => a.username), ['u']);
});
