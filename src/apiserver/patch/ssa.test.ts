import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { FIXTURE_DEFINITIONS } from './fixtures.js';
import { defaultManagerFromUserAgent, type ManagedFieldsEntry } from './managedfields.js';
import { schemaNodeFromOpenAPI, setSchemaResolver } from './meta.js';
import { apply, computeFieldSet, createManagedFields, LAST_APPLIED_ANNOTATION, updateManagedFields } from './ssa.js';
import { strategicMergePatch } from './strategic.js';

const deploySchema = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.apps.v1.Deployment');
const cmSchema = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.core.v1.ConfigMap');
const podSchema = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.core.v1.Pod');

const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T10:01:00Z';
const T2 = '2024-05-01T10:02:00Z';
const T3 = '2024-05-01T10:03:00Z';

/** What the registry does after a write: give the object identity. */
function stored(o: Obj, rv = '1'): Obj {
  const c = structuredClone(o);
  c.metadata = { ...c.metadata, uid: 'uid-1', resourceVersion: rv, creationTimestamp: T0 };
  return c;
}

function entry(mf: ManagedFieldsEntry[] | undefined, manager: string, operation: 'Apply' | 'Update' = 'Apply'): ManagedFieldsEntry | undefined {
  return mf?.find((e) => e.manager === manager && e.operation === operation);
}

const cmApply = (live: Obj | undefined, cfg: Obj, manager: string, force = false, now = T1) =>
  apply(live, cfg, manager, { force, schema: cmSchema, apiVersion: 'v1', kind: 'ConfigMap', now });

const cm = (data: Obj, labels?: Obj): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns', ...(labels ? { labels } : {}) }, data });

function deployConfig(replicas?: number): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'main', image: 'nginx', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] }] },
      },
    },
  };
}

const deployApply = (live: Obj | undefined, cfg: Obj, manager: string, force = false, now = T1) =>
  apply(live, cfg, manager, { force, schema: deploySchema, apiVersion: 'apps/v1', kind: 'Deployment', now });

test('create through server-side apply records the applied fields (FieldsV1 as kubectl shows them)', () => {
  const r = deployApply(undefined, deployConfig(2), 'kubectl');
  assert.equal(r.changed, true);
  assert.deepEqual(r.result.spec, deployConfig(2).spec);
  assert.equal(r.managedFields.length, 1);
  const e = r.managedFields[0];
  assert.deepEqual(Object.keys(e), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
  assert.deepEqual({ ...e, fieldsV1: undefined }, { manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: undefined });
  assert.equal(JSON.stringify(e.fieldsV1), JSON.stringify({
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:selector': {},
      'f:template': {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:containers': {
            'k:{"name":"main"}': {
              '.': {},
              'f:env': { 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
              'f:image': {},
              'f:name': {},
              'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
            },
          },
        },
      },
    },
  }));
  assert.deepEqual(r.result.metadata.managedFields, r.managedFields);
});

test('re-applying the same configuration changes nothing, not even the time', () => {
  const live = stored(deployApply(undefined, deployConfig(2), 'kubectl', false, T1).result);
  const r = deployApply(live, deployConfig(2), 'kubectl', false, T2);
  assert.equal(r.changed, false);
  assert.deepEqual(r.result, live);
});

test('fields the applier stops applying are removed unless another manager owns them', () => {
  let live = stored(cmApply(undefined, cm({ color: 'blue', size: 'large', shape: 'round' }), 'app').result);
  // another (Update) manager takes over "shape"
  const edited = structuredClone(live);
  edited.data.shape = 'square';
  edited.metadata.managedFields = updateManagedFields(live, edited, 'editor', 'Update', 'v1', T2, { schema: cmSchema });
  live = stored(edited, '2');
  const r = cmApply(live, cm({ color: 'green' }), 'app', false, T3);
  assert.deepEqual(r.result.data, { color: 'green', shape: 'square' });
  assert.equal(JSON.stringify(entry(r.managedFields, 'app')!.fieldsV1), JSON.stringify({ 'f:data': { 'f:color': {} } }));
  assert.equal(JSON.stringify(entry(r.managedFields, 'editor', 'Update')!.fieldsV1), JSON.stringify({ 'f:data': { 'f:shape': {} } }));
});

test('shared ownership: a value applied by two managers stays until both drop it', () => {
  let live = stored(cmApply(undefined, cm({ x: '1' }), 'a').result);
  live = stored(cmApply(live, cm({ x: '1' }), 'b').result);
  // b's apply changed nothing, so (as upstream) its entry has no time and sorts first
  assert.deepEqual(live.metadata.managedFields.map((e: ManagedFieldsEntry) => `${e.manager}@${e.time ?? '-'}`), ['b@-', `a@${T1}`]);
  const noData = (): Obj => { const c = cm({}); delete c.data; return c; };
  live = stored(cmApply(live, noData(), 'a').result);
  assert.deepEqual(live.data, { x: '1' });
  const r = cmApply(live, noData(), 'b');
  assert.equal('data' in r.result, false);
  assert.equal(r.managedFields.length, 0);
  assert.equal('managedFields' in r.result.metadata, false);
});

test('conflicts: 409 with upstream message; --force-conflicts moves ownership', () => {
  const live = stored(cmApply(undefined, cm({ color: 'blue' }), 'a').result);
  assert.throws(() => cmApply(live, cm({ color: 'red' }), 'b'), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "a": .data.color');
    assert.deepEqual(e.details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.data.color' }] });
    return true;
  });
  const r = cmApply(live, cm({ color: 'red' }), 'b', true);
  assert.equal(r.result.data.color, 'red');
  assert.equal(entry(r.managedFields, 'a'), undefined, 'a lost its only field');
  assert.equal(JSON.stringify(entry(r.managedFields, 'b')!.fieldsV1), JSON.stringify({ 'f:data': { 'f:color': {} } }));
});

test('several conflicts are grouped by manager, Update managers with their version', () => {
  let live = stored(cmApply(undefined, cm({ a: '1', b: '1' }, { x: '1' }), 'z-applier').result);
  const edited = structuredClone(live);
  edited.metadata.labels.x = '2';
  edited.metadata.managedFields = updateManagedFields(live, edited, 'kubectl-label', 'Update', 'v1', T2, { schema: cmSchema });
  live = stored(edited, '2');
  assert.throws(() => cmApply(live, cm({ a: '2', b: '2' }, { x: '3' }), 'other'), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.message, 'Apply failed with 3 conflicts: conflicts with "kubectl-label" using v1:\n- .metadata.labels.x\nconflicts with "z-applier":\n- .data.a\n- .data.b');
    assert.equal(e.details?.causes?.length, 3);
    return true;
  });
});

test('a controller writing replicas conflicts with the applier; force takes them back', () => {
  let live = stored(deployApply(undefined, deployConfig(2), 'kubectl').result);
  const scaled = structuredClone(live);
  scaled.spec.replicas = 5;
  scaled.metadata.managedFields = updateManagedFields(live, scaled, 'hpa', 'Update', 'apps/v1', T2, { schema: deploySchema });
  live = stored(scaled, '2');
  assert.throws(() => deployApply(live, deployConfig(3), 'kubectl', false, T3),
    { message: 'Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas' });
  // not setting replicas any more: the value the controller owns stays
  const keep = deployApply(live, deployConfig(), 'kubectl', false, T3);
  assert.equal(keep.result.spec.replicas, 5);
  const forced = deployApply(live, deployConfig(3), 'kubectl', true, T3);
  assert.equal(forced.result.spec.replicas, 3);
  assert.equal(entry(forced.managedFields, 'hpa', 'Update'), undefined);
});

test('imperative env entries survive an apply that never owned them; list order keeps live-only items in place', () => {
  let live = stored(deployApply(undefined, deployConfig(2), 'kubectl').result);
  const envPatch = JSON.parse('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"main"}],"containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"B"}],"env":[{"name":"B","value":"2"}],"name":"main"}]}}}}');
  const withEnv = strategicMergePatch(live, envPatch, deploySchema);
  withEnv.metadata.managedFields = updateManagedFields(live, withEnv, 'kubectl-set', 'Update', 'apps/v1', T2, { schema: deploySchema });
  assert.equal(JSON.stringify(entry(withEnv.metadata.managedFields, 'kubectl-set', 'Update')!.fieldsV1), JSON.stringify({
    'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"main"}': { 'f:env': { 'k:{"name":"B"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } } } } },
  }));
  live = stored(withEnv, '2');
  const cfg = deployConfig(2);
  cfg.spec.template.spec.containers[0].env = [{ name: 'A', value: 'changed' }, { name: 'C', value: '3' }];
  const r = deployApply(live, cfg, 'kubectl', false, T3);
  assert.deepEqual(r.result.spec.template.spec.containers[0].env, [{ name: 'A', value: 'changed' }, { name: 'B', value: '2' }, { name: 'C', value: '3' }]);
});

test('upgrade from client-side apply: kubectl takes over fields it last applied, others conflict', () => {
  // kubectl apply (client-side) created it; kubectl label added a label.
  const lastApplied = '{"apiVersion":"v1","data":{"color":"blue","size":"large"},"kind":"ConfigMap","metadata":{"annotations":{},"labels":{"app":"demo"},"name":"settings","namespace":"ns"}}\n';
  const created = cm({ color: 'blue', size: 'large' }, { app: 'demo' });
  created.metadata.annotations = { [LAST_APPLIED_ANNOTATION]: lastApplied };
  created.metadata.managedFields = updateManagedFields(undefined, created, 'kubectl-client-side-apply', 'Update', 'v1', T0, { schema: cmSchema });
  assert.equal(JSON.stringify(entry(created.metadata.managedFields, 'kubectl-client-side-apply', 'Update')!.fieldsV1), JSON.stringify({
    'f:data': { '.': {}, 'f:color': {}, 'f:size': {} },
    'f:metadata': { 'f:annotations': { '.': {}, [`f:${LAST_APPLIED_ANNOTATION}`]: {} }, 'f:labels': { '.': {}, 'f:app': {} } },
  }));
  let live = stored(created);
  const labeled = structuredClone(live);
  labeled.metadata.labels.owner = 'ops';
  labeled.metadata.managedFields = updateManagedFields(live, labeled, 'kubectl-label', 'Update', 'v1', T1, { schema: cmSchema });
  live = stored(labeled, '2');

  // Same values: no conflict for anyone.
  const same = cmApply(live, cm({ color: 'blue', size: 'large' }, { app: 'demo' }), 'someone-else', false, T2);
  assert.deepEqual(same.result.data, live.data);

  // A changed value that kubectl last applied: kubectl may take it, another manager may not.
  const changed = cm({ color: 'green' }, { app: 'demo' });
  assert.throws(() => cmApply(live, changed, 'someone-else', false, T2), { message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.color' });
  const r = cmApply(live, changed, 'kubectl', false, T2);
  assert.deepEqual(r.result.data, { color: 'green', size: 'large' }, 'size is still owned by client-side apply');
  assert.deepEqual(r.result.metadata.labels, { app: 'demo', owner: 'ops' });
  assert.equal(r.result.metadata.annotations[LAST_APPLIED_ANNOTATION],
    '{"apiVersion":"v1","data":{"color":"green"},"kind":"ConfigMap","metadata":{"labels":{"app":"demo"},"name":"settings","namespace":"ns"}}\n',
    'kubectl server-side apply keeps the last-applied annotation in sync');
  assert.deepEqual(r.managedFields.map((e) => e.manager), ['kubectl', 'kubectl-client-side-apply', 'kubectl-label'], 'Apply entries sort first');

  // A field kubectl did not last apply (the label kubectl label set) still conflicts.
  assert.throws(() => cmApply(live, cm({ color: 'blue' }, { owner: 'dev' }), 'kubectl', false, T2),
    { message: 'Apply failed with 1 conflict: conflict with "kubectl-label" using v1: .metadata.labels.owner' });
});

test('objects without managedFields: existing fields belong to before-first-apply', () => {
  const live = stored(cm({ color: 'blue', size: 'large' }));
  assert.throws(() => cmApply(live, cm({ color: 'red' }), 'a'), { message: 'Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.color' });
  const r = cmApply(live, cm({ color: 'blue' }), 'a');
  assert.deepEqual(r.managedFields.map((e) => `${e.manager}/${e.operation}`), ['a/Apply', 'before-first-apply/Update']);
  assert.deepEqual(r.result.data, { color: 'blue', size: 'large' });
});

test('apply errors', () => {
  const base = cm({ a: '1' });
  assert.throws(() => cmApply(undefined, { ...base, kind: 'Secret' }, 'm'), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'invalid object type: /v1, Kind=Secret');
  assert.throws(() => cmApply(undefined, { ...base, apiVersion: 'apps/v1' }, 'm'), { message: 'invalid object type: apps/v1, Kind=ConfigMap' });
  assert.throws(() => cmApply(undefined, { data: {} }, 'm'), { message: 'invalid object type: /, Kind=' });
  assert.throws(() => cmApply(undefined, { ...base, metadata: { name: 'settings', managedFields: [] } }, 'm'), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'metadata.managedFields must be nil');

  const dup = deployConfig(1);
  dup.spec.template.spec.containers.push({ name: 'main', image: 'x' });
  assert.throws(() => deployApply(undefined, dup, 'm'), (e: unknown) => e instanceof ApiError && e.code === 400
    && e.message === 'failed to create typed patch object (ns/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="main"]');
  const noKey = deployConfig(1);
  noKey.spec.template.spec.containers[0].env = [{ value: 'x' }];
  assert.throws(() => deployApply(undefined, noKey, 'm'), {
    message: 'failed to create typed patch object (ns/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="main"].env: element 0: associative list with keys has an element that omits key field "name" (and doesn\'t have default value)',
  });
  const badLive = stored(cm({ a: '1' }));
  badLive.metadata.managedFields = [{ manager: 'x', operation: 'Bogus', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }];
  assert.throws(() => cmApply(badLive, base, 'm'), { message: 'failed to decode managed fields: operation must be `Apply` or `Update`' });
});

test('updateManagedFields: a create records every field set; later writers take what they change', () => {
  const obj = deployConfig(1);
  const mf = updateManagedFields(undefined, obj, 'kubectl-create', 'Update', 'apps/v1', T0, { schema: deploySchema })!;
  assert.equal(mf.length, 1);
  assert.deepEqual({ ...mf[0], fieldsV1: undefined }, { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1', fieldsV1: undefined });
  const v1 = mf[0].fieldsV1 as Obj;
  assert.deepEqual(Object.keys(v1['f:spec']), ['f:replicas', 'f:selector', 'f:template'], 'struct fields are not members themselves');
  assert.deepEqual(v1['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  assert.deepEqual(Object.keys(v1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"main"}']),
    ['.', 'f:env', 'f:image', 'f:name', 'f:ports']);

  // structs inside a new list item are new themselves (they get their "."), unlike spec/template
  const withResources = deployConfig(1);
  withResources.spec.template.spec.containers[0].resources = { limits: { cpu: '1' } };
  const mfr = updateManagedFields(undefined, withResources, 'kubectl-create', 'Update', 'apps/v1', T0, { schema: deploySchema })!;
  assert.deepEqual((mfr[0].fieldsV1 as Obj)['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"main"}']['f:resources'],
    { '.': {}, 'f:limits': { '.': {}, 'f:cpu': {} } });

  const live = stored({ ...obj, metadata: { ...obj.metadata, managedFields: mf } });
  const scaled = structuredClone(live);
  scaled.spec.replicas = 3;
  const mf2 = updateManagedFields(live, scaled, 'kubectl-scale', 'Update', 'apps/v1', T1, { schema: deploySchema })!;
  assert.deepEqual(mf2.map((e) => e.manager), ['kubectl-create', 'kubectl-scale']);
  assert.equal(JSON.stringify(mf2[1].fieldsV1), '{"f:spec":{"f:replicas":{}}}');
  assert.equal((mf2[0].fieldsV1 as Obj)['f:spec']['f:replicas'], undefined, 'the creator lost replicas');

  // the same manager again: entries merge, the time moves
  const live2 = stored({ ...scaled, metadata: { ...scaled.metadata, managedFields: mf2 } }, '2');
  const again = structuredClone(live2);
  again.metadata.labels.tier = 'x';
  const mf3 = updateManagedFields(live2, again, 'kubectl-scale', 'Update', 'apps/v1', T2, { schema: deploySchema })!;
  const scale = entry(mf3, 'kubectl-scale', 'Update')!;
  assert.equal(scale.time, T2);
  assert.equal(JSON.stringify(scale.fieldsV1), '{"f:metadata":{"f:labels":{"f:tier":{}}},"f:spec":{"f:replicas":{}}}');
  // a write that changes nothing leaves managedFields alone
  assert.deepEqual(updateManagedFields(live2, structuredClone(live2), 'noop', 'Update', 'apps/v1', T3, { schema: deploySchema }), mf2);
  // removing a field takes it away from its owner
  const unlabeled = structuredClone(live2);
  delete unlabeled.metadata.labels;
  const mf4 = updateManagedFields(live2, unlabeled, 'cleaner', 'Update', 'apps/v1', T3, { schema: deploySchema })!;
  assert.equal(entry(mf4, 'cleaner', 'Update'), undefined, 'removals alone give nothing to own');
  assert.equal((entry(mf4, 'kubectl-create', 'Update')!.fieldsV1 as Obj)['f:metadata'], undefined);
});

test('updateManagedFields: status subresource and reset fields', () => {
  const pod: Obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const mf = updateManagedFields(undefined, pod, 'kubectl-run', 'Update', 'v1', T0, { schema: podSchema, resetFields: [['status']] })!;
  const live = stored({ ...pod, metadata: { ...pod.metadata, managedFields: mf } });

  const withStatus = structuredClone(live);
  withStatus.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  withStatus.spec.containers[0].image = 'ignored-by-status';
  const mfStatus = updateManagedFields(live, withStatus, 'kubelet', 'Update', 'v1', T1, { schema: podSchema, subresource: 'status' })!;
  const kubelet = entry(mfStatus, 'kubelet', 'Update')!;
  assert.equal(kubelet.subresource, 'status');
  assert.deepEqual(Object.keys(kubelet), ['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1', 'subresource']);
  assert.equal(JSON.stringify(kubelet.fieldsV1), JSON.stringify({
    'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Ready"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:phase': {} },
  }));

  // status changes through the main resource are not tracked there
  const main = updateManagedFields(live, withStatus, 'someone', 'Update', 'v1', T1, { schema: podSchema, resetFields: [['status']] })!;
  assert.equal(JSON.stringify(entry(main, 'someone', 'Update')!.fieldsV1), JSON.stringify({ 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { 'f:image': {} } } } }));
  // the subresource string form is accepted too
  assert.equal(entry(updateManagedFields(live, withStatus, 'kubelet', 'Update', 'v1', T1, 'status'), 'kubelet', 'Update')?.subresource, 'status');
});

test('apply with reset fields and through the status subresource', () => {
  const pod: Obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  const podApply = (live: Obj | undefined, cfg: Obj, m: string, extra: Obj = {}) =>
    apply(live, cfg, m, { force: false, schema: podSchema, apiVersion: 'v1', kind: 'Pod', now: T1, ...extra });
  // main resource: status in the configuration is neither owned nor a conflict
  let live = stored(podApply(undefined, { ...pod, status: { phase: 'Pending' } }, 'kubectl', { resetFields: [['status']] }).result);
  assert.equal(JSON.stringify(live.metadata.managedFields[0].fieldsV1), JSON.stringify({ 'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } }));
  // the kubelet writes status through /status
  const running = structuredClone(live);
  running.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  running.metadata.managedFields = updateManagedFields(live, running, 'kubelet', 'Update', 'v1', T2, { schema: podSchema, subresource: 'status' });
  live = stored(running, '2');
  // an apply through /status that changes the kubelet's condition conflicts with it
  const cfg = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, status: { conditions: [{ type: 'Ready', status: 'False' }] } };
  assert.throws(() => podApply(live, cfg, 'tester', { subresource: 'status' }),
    { message: 'Apply failed with 1 conflict: conflict with "kubelet" with subresource "status" using v1: .status.conditions[type="Ready"].status' });
  const r = podApply(live, cfg, 'tester', { subresource: 'status', force: true });
  const e = entry(r.managedFields, 'tester')!;
  assert.equal(e.subresource, 'status');
  assert.equal(r.result.status.conditions[0].status, 'False');
  assert.equal(r.result.status.phase, 'Running');
});

test('updateManagedFields: untracked objects, [{}] resets, client-written managedFields', () => {
  const live = stored(cm({ a: '1' }));
  const next = structuredClone(live);
  next.data.a = '2';
  assert.equal(updateManagedFields(live, next, 'm', 'Update', 'v1', T1, { schema: cmSchema }), undefined, 'an existing object without managedFields stays untracked');

  const tracked = stored({ ...cm({ a: '1' }), metadata: { ...cm({}).metadata, managedFields: updateManagedFields(undefined, cm({ a: '1' }), 'c', 'Update', 'v1', T0, { schema: cmSchema }) } });
  const reset = structuredClone(tracked);
  reset.metadata.managedFields = [{}];
  assert.equal(updateManagedFields(tracked, reset, 'm', 'Update', 'v1', T1, { schema: cmSchema }), undefined, '[{}] clears managedFields');

  // kubectl's client-side-apply → server-side-apply migration rewrites managedFields itself
  const migrated = structuredClone(tracked);
  migrated.metadata.managedFields = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }];
  assert.deepEqual(updateManagedFields(tracked, migrated, 'kubectl', 'Update', 'v1', T2, { schema: cmSchema }), migrated.metadata.managedFields);
  // invalid client-written entries fall back to the live ones
  const bogus = structuredClone(tracked);
  bogus.metadata.managedFields = [{ manager: 'x', operation: 'Apply', apiVersion: 'v1' }];
  assert.deepEqual(updateManagedFields(tracked, bogus, 'x', 'Update', 'v1', T2, { schema: cmSchema }), tracked.metadata.managedFields);
  // no manager name is recorded as "unknown"
  const mf = updateManagedFields(undefined, cm({ a: '1' }), '', 'Update', 'v1', T0, { schema: cmSchema })!;
  assert.equal(mf[0].manager, 'unknown');
});

test('more than ten Update managers: the oldest merge into ancient-changes', () => {
  let live = stored({ ...cm({}), metadata: { ...cm({}).metadata, managedFields: updateManagedFields(undefined, cm({ k0: 'v' }), 'm0', 'Update', 'v1', '2024-01-01T00:00:00Z', { schema: cmSchema }) }, data: { k0: 'v' } });
  for (let i = 1; i <= 11; i++) {
    const next = structuredClone(live);
    next.data[`k${i}`] = 'v';
    next.metadata.managedFields = updateManagedFields(live, next, `m${i}`, 'Update', 'v1', `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`, { schema: cmSchema });
    live = stored(next, String(i + 1));
  }
  const managers = live.metadata.managedFields.map((e: ManagedFieldsEntry) => e.manager);
  assert.equal(managers.length, 10);
  assert.ok(managers.includes('ancient-changes'));
  assert.ok(!managers.includes('m0') && !managers.includes('m1') && !managers.includes('m2'));
  const ancient = entry(live.metadata.managedFields, 'ancient-changes', 'Update')!;
  assert.equal(JSON.stringify(ancient.fieldsV1), '{"f:data":{".":{},"f:k0":{},"f:k1":{},"f:k2":{}}}');
});

test('a schema resolver supplies schemas when the caller passes none', () => {
  setSchemaResolver((apiVersion, kind) => (apiVersion === 'apps/v1' && kind === 'Deployment' ? deploySchema : undefined));
  try {
    const mf = updateManagedFields(undefined, deployConfig(1), 'm', 'Update', 'apps/v1', T0)!;
    assert.ok('k:{"name":"main"}' in (mf[0].fieldsV1 as Obj)['f:spec']['f:template']['f:spec']['f:containers']);
  } finally {
    setSchemaResolver(undefined);
  }
  const untyped = updateManagedFields(undefined, deployConfig(1), 'm', 'Update', 'apps/v1', T0)!;
  assert.deepEqual((untyped[0].fieldsV1 as Obj)['f:spec']['f:template']['f:spec']['f:containers'], {}, 'without a schema lists are atomic');
});

test('computeFieldSet', () => {
  const set = computeFieldSet({ ...cm({ a: '1' }), metadata: { name: 'x', managedFields: [{}] } }, cmSchema);
  assert.deepEqual(set.paths().map((p) => p.join('.')), ['f:apiVersion', 'f:kind', 'f:data.f:a', 'f:metadata.f:name']);
});

test('defaultManagerFromUserAgent', () => {
  const cases: [string | undefined, string][] = [
    ['kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9', 'kubectl'],
    ['kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/x/system:serviceaccount:kube-system:deployment-controller', 'kube-controller-manager'],
    ['Go-http-client/1.1', 'Go-http-client'],
    ['curl/8.5.0', 'curl'],
    ['plain', 'plain'],
    ['tab\there/1', 'tabhere'],
    ['', ''],
    [undefined, ''],
    ['x'.repeat(200), 'x'.repeat(128)],
  ];
  for (const [ua, want] of cases) assert.equal(defaultManagerFromUserAgent(ua), want, String(ua));
});

test('a create without managedFields gets the same entry from the short path as from the general one', () => {
  const objects: Obj[] = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd', labels: { a: 'b' }, annotations: {} }, data: { k: 'v', e: '' } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', finalizers: ['f'] },
      spec: {
        replicas: 2, selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }], resources: {} }] } },
      },
      status: { replicas: 1 },
    },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'b', command: ['x'], volumeMounts: null }], nodeSelector: null, tolerations: [] } },
  ];
  const schemas: Record<string, typeof cmSchema> = { ConfigMap: cmSchema, Deployment: deploySchema, Pod: podSchema };
  for (const obj of objects) {
    for (const [manager, resetFields] of [['kubectl-create', []], ['', [['status']]]] as [string, string[][]][]) {
      const o = { resetFields, schema: schemas[obj.kind] };
      const short = updateManagedFields(undefined, obj, manager, 'Update', obj.apiVersion, '2026-11-30T00:00:00Z', o);
      // a live object without a uid is still a create, but takes the general path
      const general = updateManagedFields({ metadata: {} }, obj, manager, 'Update', obj.apiVersion, '2026-11-30T00:00:00Z', o);
      assert.deepEqual(short, general, `${obj.kind} by ${manager || '(none)'}`);
      assert.deepEqual(createManagedFields(obj, manager, obj.apiVersion, '2026-11-30T00:00:00Z', o.schema, resetFields), general);
    }
  }
});
