import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFieldPath } from './fieldpath.js';

test('containers are referred to by their list in the pod spec', () => {
  const pod = { spec: { initContainers: [{ name: 'init' }], containers: [{ name: 'app' }], ephemeralContainers: [{ name: 'debugger' }] } };
  assert.equal(containerFieldPath(pod, 'app'), 'spec.containers{app}');
  assert.equal(containerFieldPath(pod, 'init'), 'spec.initContainers{init}');
  assert.equal(containerFieldPath(pod, 'debugger'), 'spec.ephemeralContainers{debugger}');
  assert.equal(containerFieldPath(pod, 'gone'), undefined);
  assert.equal(containerFieldPath({}, 'app'), undefined);
});
