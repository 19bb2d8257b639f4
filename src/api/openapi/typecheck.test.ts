import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findTypeError } from './typecheck.js';

test('values of the wrong JSON type are found with Go decoding texts', () => {
  assert.equal(findTypeError('apps', 'v1', 'Deployment', { spec: { replicas: 'three' } }),
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(findTypeError('', 'v1', 'Pod', { spec: { containers: [{ name: 'c', stdin: 'yes' }] } }),
    'json: cannot unmarshal string into Go struct field Container.spec.containers.stdin of type bool');
  assert.equal(findTypeError('', 'v1', 'Pod', { spec: { containers: 'x' } }),
    'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container');
  assert.equal(findTypeError('', 'v1', 'Pod', { spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: 1, memory: '1Gi' } }, ports: [{ containerPort: 80, protocol: null }] }], terminationGracePeriodSeconds: 30 }, metadata: { labels: { a: 'b' } } }), undefined);
  assert.equal(findTypeError('', 'v1', 'ConfigMap', { data: { a: 1 } }),
    'json: cannot unmarshal number into Go struct field ConfigMap.data.a of type string');
  assert.equal(findTypeError('', 'v1', 'Service', { spec: { ports: [{ port: 80, targetPort: 'http' }] } }), undefined);
});
