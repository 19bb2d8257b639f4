// Real kubectl bodies: kubectl 1.32's protobuf must decode to exactly the JSON kubectl 1.31
// sent for the same command, and re-encode to the very same bytes (gogo's Marshal order).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeK8sProtobuf, encodeK8sProtobuf, isK8sProtobuf } from './index.js';
import { KUBECTL_BODIES } from './testdata/kubectl-bodies.js';

describe('kubectl request bodies', () => {
  for (const body of KUBECTL_BODIES) {
    it(`${body.command}`, () => {
      const bytes = Buffer.from(body.hex, 'hex');
      assert.ok(isK8sProtobuf(bytes));
      const obj = decodeK8sProtobuf(bytes);
      assert.deepEqual(obj, body.json);
      assert.deepEqual(Object.keys(obj).slice(0, 2), ['kind', 'apiVersion']);
      assert.equal(encodeK8sProtobuf(obj).toString('hex'), body.hex);
    });
  }

  it('covers the commands the brief names', () => {
    const kinds = new Set(KUBECTL_BODIES.map((b) => b.json.kind));
    for (const k of ['Namespace', 'Deployment', 'Secret', 'ConfigMap', 'Service', 'SelfSubjectAccessReview', 'SelfSubjectReview', 'CronJob', 'Job', 'Role', 'RoleBinding', 'ResourceQuota', 'PriorityClass', 'PodDisruptionBudget', 'Ingress', 'TokenRequest']) {
      assert.ok(kinds.has(k), k);
    }
  });
});
