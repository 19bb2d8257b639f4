import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyImagePullSecrets, mutatePod, wantsAccountPullSecrets } from './pods.js';

const sa = { metadata: { name: 'default', namespace: 'ns' }, imagePullSecrets: [{ name: 'regcred' }, { name: 'other' }] };

test('ServiceAccount admission: a pod without pull secrets gets its account\'s', () => {
  const pod = { metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  mutatePod(pod);
  assert.equal(wantsAccountPullSecrets(pod), true);
  copyImagePullSecrets(pod, sa);
  assert.deepEqual((pod.spec as Record<string, unknown>).imagePullSecrets, [{ name: 'regcred' }, { name: 'other' }]);
});

test('a pod that names pull secrets keeps its own; an empty list takes the account\'s', () => {
  const own = { metadata: { name: 'p' }, spec: { imagePullSecrets: [{ name: 'mine' }], containers: [] } };
  assert.equal(wantsAccountPullSecrets(own), false);
  copyImagePullSecrets(own, sa);
  assert.deepEqual(own.spec.imagePullSecrets, [{ name: 'mine' }]);
  const empty = { metadata: { name: 'p' }, spec: { imagePullSecrets: [] as unknown[], containers: [] } };
  assert.equal(wantsAccountPullSecrets(empty), true);
  copyImagePullSecrets(empty, sa);
  assert.deepEqual(empty.spec.imagePullSecrets, [{ name: 'regcred' }, { name: 'other' }]);
});

test('no account, an account without pull secrets, and mirror pods add nothing', () => {
  for (const account of [undefined, { metadata: { name: 'default' } }]) {
    const pod: { metadata: object; spec: Record<string, unknown> } = { metadata: { name: 'p' }, spec: { containers: [] } };
    copyImagePullSecrets(pod, account);
    assert.equal(pod.spec.imagePullSecrets, undefined);
  }
  const mirror: { metadata: object; spec: Record<string, unknown> } = { metadata: { name: 'm', annotations: { 'kubernetes.io/config.mirror': 'abc' } }, spec: { containers: [] } };
  assert.equal(wantsAccountPullSecrets(mirror), false);
  copyImagePullSecrets(mirror, sa);
  assert.equal(mirror.spec.imagePullSecrets, undefined);
});
