import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { FakeClock } from '../../client/clock.js';
import { FakeClient } from '../../client/fake.js';
import { TokenManager, type TokenSpec } from './tokens.js';

const SA = findResource('', 'v1', 'serviceaccounts')!;

function setup(): { client: FakeClient; clock: FakeClock; requests: Obj[]; fail: { on: boolean } } {
  const client = new FakeClient().seed(SA, { metadata: { namespace: 'ns', name: 'default' } });
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const requests: Obj[] = [];
  const fail = { on: false };
  client.prependReactor('create', 'serviceaccounts', (a) => {
    if (a.subresource !== 'token') return undefined;
    if (fail.on) throw new Error('apiserver down');
    requests.push({ name: a.name, ns: a.namespace, body: a.object });
    const exp = a.object!.spec.expirationSeconds;
    return { ...a.object, status: { token: `tok-${requests.length}`, expirationTimestamp: new Date(clock.now() + exp * 1000).toISOString().replace(/\.\d+Z$/, 'Z') } };
  });
  return { client, clock, requests, fail };
}

const spec: TokenSpec = { namespace: 'ns', serviceAccount: 'default', expirationSeconds: 3600, pod: { name: 'p', uid: 'uid-p' } };

describe('TokenManager', () => {
  it('requests a bound token with audience and expiration', async () => {
    const { client, clock, requests } = setup();
    const tm = new TokenManager(client, clock);
    assert.equal(await tm.get({ ...spec, audience: 'vault' }), 'tok-1');
    assert.deepEqual(requests[0], {
      name: 'default', ns: 'ns',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['vault'], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'uid-p' } } },
    });
  });

  it('caches until 80% of the lifetime, then fetches a new one', async () => {
    const { client, clock, requests } = setup();
    const tm = new TokenManager(client, clock);
    await tm.get(spec);
    assert.equal(tm.nextRefresh('uid-p'), Date.UTC(2025, 0, 1) + 2880_000);
    clock.advance(2879_000);
    assert.equal(await tm.get(spec), 'tok-1');
    clock.advance(1_000);
    assert.equal(await tm.get(spec), 'tok-2');
    assert.equal(requests.length, 2);
  });

  it('different audiences, expirations or pods are different tokens', async () => {
    const { client, clock } = setup();
    const tm = new TokenManager(client, clock);
    assert.equal(await tm.get(spec), 'tok-1');
    assert.equal(await tm.get({ ...spec, audience: 'x' }), 'tok-2');
    assert.equal(await tm.get({ ...spec, expirationSeconds: 7200 }), 'tok-3');
    assert.equal(await tm.get({ ...spec, pod: { name: 'q', uid: 'uid-q' } }), 'tok-4');
    assert.equal(await tm.get(spec), 'tok-1');
  });

  it('a failed refresh keeps a token that has not expired; an expired one is an error', async () => {
    const { client, clock, fail } = setup();
    const tm = new TokenManager(client, clock);
    await tm.get(spec);
    fail.on = true;
    clock.advance(3000_000);
    assert.equal(await tm.get(spec), 'tok-1');
    clock.advance(600_000);
    await assert.rejects(tm.get(spec), /expired and refresh failed: apiserver down$/);
  });

  it('a first failure is the kubelet\'s "failed to fetch token"', async () => {
    const { client, clock, fail } = setup();
    fail.on = true;
    await assert.rejects(new TokenManager(client, clock).get(spec), { message: 'failed to fetch token: apiserver down' });
    const missing = new FakeClient();
    await assert.rejects(new TokenManager(missing, clock).get(spec), /^Error: failed to fetch token: /);
  });

  it('forgets a pod\'s tokens', async () => {
    const { client, clock, requests } = setup();
    const tm = new TokenManager(client, clock);
    await tm.get(spec);
    tm.forgetPod('uid-p');
    assert.equal(tm.nextRefresh('uid-p'), undefined);
    await tm.get(spec);
    assert.equal(requests.length, 2);
  });
});
