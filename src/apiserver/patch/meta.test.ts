import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_DEFINITIONS } from './fixtures.js';
import { listShape, schemaNodeFromOpenAPI, strategiesOf } from './meta.js';

test('schemaNodeFromOpenAPI walks $refs to patch metadata', () => {
  const dep = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.apps.v1.Deployment');
  assert.equal(dep.isStruct, true);
  const podSpec = dep.field('spec')?.field('template')?.field('spec');
  assert.ok(podSpec?.isStruct);
  const containers = podSpec.field('containers')!;
  assert.equal(containers.mergeKey, 'name');
  assert.equal(containers.strategy, 'merge');
  assert.equal(containers.listType, 'map');
  assert.deepEqual(containers.listMapKeys, ['name']);
  const container = containers.items()!;
  assert.equal(container.isStruct, true);
  const ports = container.field('ports')!;
  assert.deepEqual(listShape(ports), { type: 'map', keys: ['containerPort', 'protocol'] });
  assert.equal(ports.items()?.field('protocol')?.defaultValue, 'TCP');
  assert.deepEqual(listShape(container.field('args')), { type: 'atomic' });
  assert.deepEqual(strategiesOf(podSpec.field('volumes')), { strategy: 'merge', retainKeys: true });
  assert.equal(dep.field('nope'), undefined);
  assert.equal(podSpec.field('containers')?.items(), container, 'nodes of one definition are shared');
});

test('extensions beside a $ref or inside allOf belong to that property', () => {
  const dep = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.apps.v1.Deployment');
  const strategy = dep.field('spec')!.field('strategy')!;
  assert.deepEqual(strategiesOf(strategy), { strategy: '', retainKeys: true });
  assert.equal(strategy.isStruct, true);
  assert.ok(strategy.field('rollingUpdate')?.field('maxSurge'));
  // map-type on the definition (LabelSelector is atomic)
  assert.equal(dep.field('spec')!.field('selector')!.mapType, 'atomic');
});

test('maps, sets and scalars', () => {
  const cm = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.core.v1.ConfigMap');
  const meta = cm.field('metadata')!;
  const labels = meta.field('labels')!;
  assert.equal(labels.isStruct, false);
  assert.ok(labels.mapValues());
  assert.equal(labels.mapValues()!.isStruct, false);
  assert.deepEqual(listShape(meta.field('finalizers')), { type: 'set' });
  assert.deepEqual(listShape(meta.field('ownerReferences')), { type: 'map', keys: ['uid'] });
  assert.deepEqual(listShape(meta.field('managedFields')), { type: 'atomic' });
  const name = meta.field('name')!;
  assert.equal(name.isStruct, false);
  assert.equal(name.items(), undefined);
  assert.equal(name.mapValues(), undefined);
});

test('listShape without x-kubernetes-list-type follows the patch strategy', () => {
  const defs = {
    T: {
      type: 'object',
      properties: {
        byKey: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' } } }, 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'k' },
        scalars: { type: 'array', items: { type: 'string' }, 'x-kubernetes-patch-strategy': 'merge' },
        plain: { type: 'array', items: { type: 'string' } },
        inlineMap: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
      },
    },
  };
  const t = schemaNodeFromOpenAPI(defs, 'T');
  assert.deepEqual(listShape(t.field('byKey')), { type: 'map', keys: ['k'] });
  assert.deepEqual(listShape(t.field('scalars')), { type: 'set' });
  assert.deepEqual(listShape(t.field('plain')), { type: 'atomic' });
  assert.ok(t.field('inlineMap')!.mapValues()!.field('v'));
  assert.deepEqual(listShape(undefined), { type: 'atomic' });
});

test('recursive and v3-style references resolve lazily', () => {
  const tree = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.example.Tree');
  const grandchild = tree.field('children')!.items()!.field('children')!.items()!;
  assert.equal(grandchild, tree.field('children')!.items());
  const v3 = schemaNodeFromOpenAPI({ A: { type: 'object', properties: { b: { allOf: [{ $ref: '#/components/schemas/B' }] } } }, B: { type: 'object', properties: { c: { type: 'string' } } } }, 'A');
  assert.ok(v3.field('b')!.field('c'));
  assert.throws(() => schemaNodeFromOpenAPI({}, 'Missing'), /no OpenAPI definition named Missing/);
});
