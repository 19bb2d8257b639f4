import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_DEFINITIONS } from './fixtures.js';
import { schemaNodeFromOpenAPI } from './meta.js';
import { addedFields, compareTyped } from './typed.js';
import { FieldSet } from './fieldpath.js';
import { STRIP_SET } from './managedfields.js';

const deploy = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.apps.v1.Deployment');
const cm = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.core.v1.ConfigMap');
const pod = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.core.v1.Pod');

test('addedFields is exactly what a comparison against nothing calls added', () => {
  const cases: [unknown, typeof cm | undefined][] = [
    [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { a: 'b' }, annotations: {} }, data: { k: 'v', e: '' }, binaryData: null }, cm],
    [{
      metadata: { name: 'x', finalizers: ['f', 'g', 'f'], ownerReferences: [{ uid: 'u', name: 'n', kind: 'K', apiVersion: 'v1' }] },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'x' }, matchExpressions: [] }, strategy: {},
        template: {
          metadata: { labels: { app: 'x' } },
          spec: {
            containers: [
              { name: 'c', image: 'i', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }], env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }], resources: {} },
              { name: 'd', image: 'j', securityContext: null, args: [] },
            ],
            volumes: [{ name: 'v', emptyDir: {} }],
          },
        },
      },
      status: { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] },
    }, deploy],
    [{ metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'b', command: ['x'], volumeMounts: null }], nodeSelector: null, tolerations: [], affinity: 'not-an-object' } }, pod],
    [{ spec: 'a string where a struct belongs', metadata: [] }, pod],
    [{ anything: { nested: { deep: [1, 2] }, empty: {} }, list: [{ a: 1 }], n: null }, undefined],
    [{}, cm],
  ];
  const resets = [new FieldSet(), FieldSet.of(['f:status']), FieldSet.of(['f:spec']), FieldSet.of(['f:metadata', 'f:labels'], ['f:spec', 'f:template', 'f:spec'])];
  for (const [obj, node] of cases) {
    for (const builtin of [true, false]) {
      const all = compareTyped({}, obj, node, { builtin }).added;
      const got = addedFields(obj, node, { builtin });
      assert.deepEqual(got.toFieldsV1(), all.toFieldsV1(), `${JSON.stringify(obj).slice(0, 60)} builtin=${builtin}`);
      assert.deepEqual(got, all);
      // with exclusions: whole subtrees (the reset fields) and single paths (the stripped ones)
      for (const reset of resets) {
        const want = all.recursiveDifference(reset).difference(STRIP_SET);
        const gotX = addedFields(obj, node, { builtin }, { subtrees: reset, paths: STRIP_SET });
        assert.deepEqual(gotX.toFieldsV1(), want.toFieldsV1(), `${JSON.stringify(obj).slice(0, 60)} builtin=${builtin} reset=${JSON.stringify(reset.toFieldsV1())}`);
      }
    }
  }
});
