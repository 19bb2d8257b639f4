import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { FIXTURE_DEFINITIONS } from './fixtures.js';
import { schemaNodeFromOpenAPI } from './meta.js';
import { strategicMergePatch } from './strategic.js';

const deploySchema = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.apps.v1.Deployment');
const cmSchema = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.core.v1.ConfigMap');

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function deployment(): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'main', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443, protocol: 'TCP' }] },
            { name: 'side', image: 'busybox' },
          ],
          volumes: [{ name: 'v', emptyDir: {} }],
          tolerations: [{ key: 'k1', operator: 'Exists' }],
        },
      },
    },
  };
}

const podSpec = (o: Obj): Obj => o.spec.template.spec;
const names = (list: Obj[]): string[] => list.map((c) => c.name);

interface Case { name: string; patch: Obj; check: (got: Obj) => void }

const cases: Case[] = [
  {
    name: 'kubectl patch: container image by name (merge key)',
    patch: { spec: { template: { spec: { containers: [{ name: 'main', image: 'nginx:1.27' }] } } } },
    check: (g) => {
      assert.deepEqual(names(podSpec(g).containers), ['main', 'side']);
      assert.equal(podSpec(g).containers[0].image, 'nginx:1.27');
      assert.deepEqual(podSpec(g).containers[0].env, [{ name: 'A', value: '1' }]);
    },
  },
  {
    name: 'a container new to the server goes first (upstream order rule)',
    patch: { spec: { template: { spec: { containers: [{ name: 'extra', image: 'x' }] } } } },
    check: (g) => assert.deepEqual(names(podSpec(g).containers), ['extra', 'main', 'side']),
  },
  {
    name: 'kubectl set env: $setElementOrder on containers and env',
    patch: JSON.parse('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"main"},{"name":"side"}],"containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"2"}],"name":"main"}]}}}}'),
    check: (g) => {
      assert.deepEqual(names(podSpec(g).containers), ['main', 'side']);
      assert.deepEqual(podSpec(g).containers[0].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    },
  },
  {
    name: 'kubectl apply three-way patch: image change keeps the imperative env and the second container',
    patch: {
      metadata: { annotations: { [LAST_APPLIED]: '{"apiVersion":"apps/v1","kind":"Deployment"}\n' } },
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'main' }, { name: 'side' }], containers: [{ image: 'nginx:1.26', name: 'main' }] } } },
    },
    check: (g) => {
      assert.equal(g.metadata.annotations[LAST_APPLIED], '{"apiVersion":"apps/v1","kind":"Deployment"}\n');
      assert.deepEqual(names(podSpec(g).containers), ['main', 'side']);
      assert.equal(podSpec(g).containers[0].image, 'nginx:1.26');
      assert.deepEqual(names(podSpec(g).containers[0].env), ['A']);
    },
  },
  {
    name: 'kubectl apply removing a container: $patch delete item',
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'main' }], containers: [{ $patch: 'delete', name: 'side' }] } } } },
    check: (g) => assert.deepEqual(names(podSpec(g).containers), ['main']),
  },
  {
    name: '$setElementOrder alone reorders',
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'side' }, { name: 'main' }] } } } },
    check: (g) => assert.deepEqual(names(podSpec(g).containers), ['side', 'main']),
  },
  {
    name: '$patch replace item replaces the whole list',
    patch: { spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'x' }] } } } },
    check: (g) => assert.deepEqual(podSpec(g).containers, [{ name: 'only', image: 'x' }]),
  },
  {
    name: '$patch replace on a map',
    patch: { spec: { template: { spec: { $patch: 'replace', containers: [{ name: 'x', image: 'y' }] } } } },
    check: (g) => assert.deepEqual(podSpec(g), { containers: [{ name: 'x', image: 'y' }] }),
  },
  {
    name: '$patch delete on a map leaves it empty',
    patch: { spec: { strategy: { $patch: 'delete' } } },
    check: (g) => assert.deepEqual(g.spec.strategy, {}),
  },
  {
    name: 'ports merge by containerPort; server order kept',
    patch: { spec: { template: { spec: { containers: [{ name: 'main', ports: [{ containerPort: 80, name: 'http' }] }] } } } },
    check: (g) => assert.deepEqual(podSpec(g).containers[0].ports, [{ containerPort: 80, protocol: 'TCP', name: 'http' }, { containerPort: 443, protocol: 'TCP' }]),
  },
  {
    name: 'lists without merge strategy are replaced (tolerations are atomic)',
    patch: { spec: { template: { spec: { tolerations: [{ key: 'k2', operator: 'Exists' }] } } } },
    check: (g) => assert.deepEqual(podSpec(g).tolerations, [{ key: 'k2', operator: 'Exists' }]),
  },
  {
    name: 'null deletes a key; nulls inside new values are dropped',
    patch: { metadata: { labels: { app: null, team: 'a' }, annotations: { x: '1', y: null } }, spec: { replicas: null } },
    check: (g) => {
      assert.deepEqual(g.metadata.labels, { team: 'a' });
      assert.deepEqual(g.metadata.annotations, { x: '1' });
      assert.equal('replicas' in g.spec, false);
    },
  },
  {
    name: 'primitive merge list (finalizers) is a union with new items first',
    patch: { metadata: { finalizers: ['c', 'a'] } },
    check: (g) => assert.deepEqual(g.metadata.finalizers, ['c', 'a', 'b']),
  },
  {
    name: '$deleteFromPrimitiveList',
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
    check: (g) => assert.deepEqual(g.metadata.finalizers, ['b']),
  },
  {
    name: 'kubectl apply on a primitive list: order, additions and deletions together',
    patch: { metadata: { '$setElementOrder/finalizers': ['a', 'c'], finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['b'] } },
    check: (g) => assert.deepEqual(g.metadata.finalizers, ['a', 'c']),
  },
  {
    name: '$retainKeys clears the other keys of the strategy',
    patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
    check: (g) => assert.deepEqual(g.spec.strategy, { type: 'Recreate' }),
  },
  {
    name: '$retainKeys inside a merged list item (volume source switch)',
    patch: { spec: { template: { spec: { volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'c' }, name: 'v' }] } } } },
    check: (g) => assert.deepEqual(podSpec(g).volumes, [{ name: 'v', configMap: { name: 'c' } }]),
  },
  {
    name: 'atomic maps (selector) merge like plain maps in strategic merge',
    patch: { spec: { selector: { matchLabels: { tier: 'x' } } } },
    check: (g) => assert.deepEqual(g.spec.selector, { matchLabels: { app: 'web', tier: 'x' } }),
  },
];

test('strategic merge patch (table)', () => {
  for (const c of cases) {
    const live = deployment();
    const got = strategicMergePatch(live, structuredClone(c.patch), deploySchema);
    try {
      c.check(got);
    } catch (e) {
      (e as Error).message = `${c.name}: ${(e as Error).message}`;
      throw e;
    }
    assert.deepEqual(live, deployment(), `${c.name}: live object untouched`);
  }
});

test('client-side apply of a ConfigMap: changed value, removed key, new annotation', () => {
  const live = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', labels: { app: 'demo', owner: 'ops' } }, data: { color: 'blue', size: 'large' } };
  const patch = JSON.parse('{"data":{"color":"green","size":null},"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\\n"}}}');
  assert.deepEqual(strategicMergePatch(live, patch, cmSchema), {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'settings', labels: { app: 'demo', owner: 'ops' }, annotations: { [LAST_APPLIED]: '{}\n' } },
    data: { color: 'green' },
  });
});

test('without a schema every list is replaced and maps merge', () => {
  const live = { spec: { items: [{ name: 'a' }], other: 1, m: { x: 1 } } };
  assert.deepEqual(strategicMergePatch(live, { spec: { items: [{ name: 'b' }], m: { y: 2 } } }), { spec: { items: [{ name: 'b' }], other: 1, m: { x: 1, y: 2 } } });
});

test('strategic merge errors carry upstream texts and codes', () => {
  const cases: [string, Obj, number, string][] = [
    ['missing merge key', { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 400, 'map: map[image:x] does not contain declared merge key: name'],
    ['$retainKeys not a list', { spec: { strategy: { $retainKeys: 'type' } } }, 400, 'invalid patch format of retainKeys'],
    ['patch key outside $retainKeys', { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 1 } } } }, 400, 'invalid patch format of retainKeys'],
    ['bad $setElementOrder key', { metadata: { $setElementOrderfinalizers: ['a'] } }, 400, 'invalid patch format of setElementOrder list'],
    ['bad $deleteFromPrimitiveList key', { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } }, 400, 'invalid patch format of primitive list'],
    ['$patch merge in a list', { spec: { template: { spec: { containers: [{ $patch: 'merge', name: 'main' }] } } } }, 400, 'merging lists cannot yet be specified in the patch'],
    ['unknown $patch on a map', { spec: { template: { $patch: 'bogus' } } }, 400, 'unknown patch type: bogus in map: map[$patch:bogus]'],
    ['mixed element types', { metadata: { finalizers: [1] } }, 400, 'list element types are not identical: [[a b] [1]]'],
    ['$setElementOrder not matching the patch list', { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'side' }], containers: [{ name: 'main', image: 'x' }] } } } }, 400,
      'The order in patch list:\n[map[image:x name:main]]\n doesn\'t match $setElementOrder list:\n[map[name:side]]\n'],
  ];
  for (const [name, patch, code, message] of cases) {
    assert.throws(() => strategicMergePatch(deployment(), patch, deploySchema), (e: unknown) => {
      assert.ok(e instanceof ApiError, name);
      assert.equal(e.code, code, name);
      assert.equal(e.message, message, name);
      return true;
    }, name);
  }
  const emptyFinalizers = { ...deployment(), metadata: { name: 'web', finalizers: [] } };
  assert.throws(() => strategicMergePatch(emptyFinalizers, { metadata: { finalizers: [['a']] } }, deploySchema),
    (e: unknown) => e instanceof ApiError && e.code === 422 && e.reason === 'Invalid');
});
