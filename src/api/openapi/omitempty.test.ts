import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropEmptyOptional } from './omitempty.js';

test('empty optional lists and maps are dropped; structs and required fields stay', () => {
  const pod = {
    metadata: { name: 'p', finalizers: [], labels: {}, ownerReferences: [], annotations: { a: 'b' } },
    spec: { containers: [{ name: 'c', image: 'busybox', env: [], resources: {} }], nodeSelector: {}, volumes: [] },
  };
  dropEmptyOptional('', 'v1', 'Pod', pod);
  assert.deepEqual(pod, {
    metadata: { name: 'p', annotations: { a: 'b' } },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: {} }] },
  });
  const empty = { metadata: { name: 'q' }, spec: { containers: [] } };
  dropEmptyOptional('', 'v1', 'Pod', empty);
  assert.deepEqual(empty.spec.containers, [], 'required lists are kept');
});
