import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageUser, verifyRunAsNonRoot } from './nonroot.js';

const pod = (psc?: object) => ({ metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { securityContext: psc } });

test('image user: uid first, then username, else root', () => {
  assert.deepEqual(imageUser({ uid: { value: '1000' } as never, username: '' }), { uid: 1000 });
  assert.deepEqual(imageUser({ uid: null, username: 'nginx' }), { username: 'nginx' });
  assert.deepEqual(imageUser({ uid: null, username: '' }), { uid: 0 });
  assert.deepEqual(imageUser(undefined), { uid: 0 });
});

test('runAsNonRoot unset or false: anything goes', () => {
  assert.equal(verifyRunAsNonRoot(pod(), { name: 'c' }, { uid: 0 }), undefined);
  assert.equal(verifyRunAsNonRoot(pod({ runAsNonRoot: false }), { name: 'c' }, { uid: 0 }), undefined);
  assert.equal(verifyRunAsNonRoot(pod({ runAsNonRoot: true }), { name: 'c', securityContext: { runAsNonRoot: false } }, { uid: 0 }), undefined, 'the container overrides the pod');
});

test('runAsNonRoot with a root image: the kubelet messages', () => {
  assert.equal(verifyRunAsNonRoot(pod(), { name: 'c', securityContext: { runAsNonRoot: true } }, { uid: 0 }),
    'container has runAsNonRoot and image will run as root (pod: "p_ns(u1)", container: c)');
  assert.equal(verifyRunAsNonRoot(pod({ runAsNonRoot: true }), { name: 'c' }, { username: 'app' }),
    'container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root (pod: "p_ns(u1)", container: c)');
  assert.equal(verifyRunAsNonRoot(pod({ runAsNonRoot: true }), { name: 'c' }, { uid: 1000 }), undefined);
});

test('runAsUser decides over the image user', () => {
  assert.equal(verifyRunAsNonRoot(pod({ runAsNonRoot: true, runAsUser: 1000 }), { name: 'c' }, { uid: 0 }), undefined);
  assert.equal(verifyRunAsNonRoot(pod({ runAsNonRoot: true, runAsUser: 1000 }), { name: 'c', securityContext: { runAsUser: 0 } }, { uid: 1000 }),
    'container\'s runAsUser breaks non-root policy (pod: "p_ns(u1)", container: c)');
});
