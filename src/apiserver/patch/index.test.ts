import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { FIXTURE_DEFINITIONS } from './fixtures.js';
import {
  applyPatch, decodeApplyBody, decodeFieldsV1, encodeFieldsV1, patchTypeForContentType, schemaNodeFromOpenAPI,
  serverSideApply, updateManagedFields, validatePatchOptions, type ManagedFieldsEntry,
} from './index.js';

const deploySchema = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.apps.v1.Deployment');
const cmSchema = schemaNodeFromOpenAPI(FIXTURE_DEFINITIONS, 'io.k8s.api.core.v1.ConfigMap');

const isApiError = (code: number, reason: string, message?: string) => (e: unknown): boolean => {
  assert.ok(e instanceof ApiError, String(e));
  assert.equal(e.code, code);
  assert.equal(e.reason, reason);
  if (message !== undefined) assert.equal(e.message, message);
  return true;
};

test('content types map to patch types; the rest is 415 with the accepted list', () => {
  assert.equal(patchTypeForContentType('application/json-patch+json'), 'json');
  assert.equal(patchTypeForContentType('application/merge-patch+json'), 'merge');
  assert.equal(patchTypeForContentType('application/strategic-merge-patch+json; charset=utf-8'), 'strategic');
  assert.equal(patchTypeForContentType('application/apply-patch+yaml'), 'apply');
  assert.throws(() => patchTypeForContentType('application/json'), isApiError(415, 'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml'));
  assert.throws(() => patchTypeForContentType('application/strategic-merge-patch+json', false), isApiError(415, 'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml'));
  assert.throws(() => applyPatch('strategic', { a: 1 }, '{}', { allowStrategic: false }), isApiError(415, 'UnsupportedMediaType'));
});

test('malformed bodies are 400 with upstream texts', () => {
  const live = { metadata: { name: 'x' } };
  const cases: [Parameters<typeof applyPatch>[0], string, string][] = [
    ['strategic', '{', 'unexpected end of JSON input'],
    ['strategic', '[1]', 'json: cannot unmarshal array into Go value of type map[string]interface {}'],
    ['merge', '{"a":', 'Invalid JSON Patch'],
    ['json', '{"op":"add"}', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
  ];
  for (const [type, body, message] of cases) assert.throws(() => applyPatch(type, live, body), isApiError(400, 'BadRequest', message), `${type} ${body}`);
  assert.deepEqual(applyPatch('strategic', live, 'null'), live, 'a null strategic patch changes nothing');
});

test('apply bodies: JSON or YAML, objects only', () => {
  assert.deepEqual(decodeApplyBody('{"apiVersion":"v1","kind":"ConfigMap"}'), { apiVersion: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(decodeApplyBody(Buffer.from('apiVersion: v1\nkind: ConfigMap\ndata:\n  a: "1"\n')), { apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' } });
  assert.deepEqual(decodeApplyBody(''), {});
  assert.throws(() => decodeApplyBody('- 1\n- 2\n'), isApiError(400, 'BadRequest',
    'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}'));
  assert.throws(() => decodeApplyBody('a: 1\na: 2\n'), (e: unknown) => e instanceof ApiError && e.code === 400
    && e.message.startsWith('error decoding YAML: error converting YAML to JSON: yaml: line 2: '));
});

test('PatchOptions validation (422 on PatchOptions.meta.k8s.io)', () => {
  validatePatchOptions('apply', { fieldManager: 'kubectl' });
  validatePatchOptions('merge', {});
  validatePatchOptions('strategic', { fieldManager: 'kubectl-edit' });
  assert.throws(() => validatePatchOptions('apply', {}), isApiError(422, 'Invalid',
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'));
  assert.throws(() => validatePatchOptions('merge', { force: true }), isApiError(422, 'Invalid',
    'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'));
  assert.throws(() => validatePatchOptions('apply', { fieldManager: 'm'.repeat(129) }), isApiError(422, 'Invalid',
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: must have at most 128 bytes'));
  assert.throws(() => validatePatchOptions('apply', { fieldManager: 'a\u0001' }), (e: unknown) => e instanceof ApiError && e.code === 422
    && e.message.endsWith('invalid character U+0001 (at position 1)'));
});

test('FieldsV1 encode/decode helpers', () => {
  const v1 = { 'f:data': { '.': {}, 'f:a': {} } };
  assert.deepEqual(encodeFieldsV1(decodeFieldsV1(v1)), v1);
});

/** One write as the registry will do it: patch, then record the write in managedFields. */
function write(live: Obj, type: 'json' | 'merge' | 'strategic', body: string, manager: string, now: string, rv: string): Obj {
  const out = applyPatch(type, live, body, { schema: deploySchema });
  out.metadata.managedFields = updateManagedFields(live, out, manager, 'Update', 'apps/v1', now, { schema: deploySchema });
  out.metadata.resourceVersion = rv;
  return out;
}

test('scenario: every patch type kubectl sends, on a deployment', () => {
  const created: Obj = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'u', resourceVersion: '1', labels: { app: 'web' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } },
  };
  created.metadata.managedFields = updateManagedFields(undefined, created, 'kubectl-create', 'Update', 'apps/v1', '2024-01-01T00:00:00Z', { schema: deploySchema });
  let live = write(created, 'strategic', '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}', 'kubectl-patch', '2024-01-01T00:01:00Z', '2');
  live = write(live, 'merge', '{"metadata":{"labels":{"team":"a"}}}', 'kubectl-patch', '2024-01-01T00:02:00Z', '3');
  live = write(live, 'json', '[{"op":"replace","path":"/spec/revisionHistoryLimit","value":3}]', 'kubectl-patch', '2024-01-01T00:03:00Z', '4');
  assert.equal(live.spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.equal(live.metadata.labels.team, 'a');
  assert.equal(live.spec.revisionHistoryLimit, 3);
  assert.throws(() => applyPatch('json', live, '[{"op":"test","path":"/spec/replicas","value":9}]'),
    isApiError(422, 'Invalid', 'the server rejected our request due to an error in our request'));
  const patcher = live.metadata.managedFields.find((e: ManagedFieldsEntry) => e.manager === 'kubectl-patch')!;
  assert.equal(patcher.time, '2024-01-01T00:03:00Z');
  assert.equal(JSON.stringify(patcher.fieldsV1),
    '{"f:metadata":{"f:labels":{"f:team":{}}},"f:spec":{"f:revisionHistoryLimit":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{"f:image":{}}}}}}}');
});

test('scenario: client-side apply, kubectl label, client-side apply again, then kubectl apply --server-side', () => {
  const LA = 'kubectl.kubernetes.io/last-applied-configuration';
  const manifest = (data: Obj): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'ns', labels: { app: 'demo' } }, data });
  const la = (data: Obj): string => `${JSON.stringify({ apiVersion: 'v1', data, kind: 'ConfigMap', metadata: { annotations: {}, labels: { app: 'demo' }, name: 'settings', namespace: 'ns' } })}\n`;
  const track = (old: Obj | undefined, o: Obj, m: string, now: string): Obj => {
    o.metadata.managedFields = updateManagedFields(old, o, m, 'Update', 'v1', now, { schema: cmSchema });
    return o;
  };
  // kubectl apply (create)
  let live = manifest({ color: 'blue', size: 'large' });
  live.metadata.annotations = { [LA]: la({ color: 'blue', size: 'large' }) };
  live = track(undefined, live, 'kubectl-client-side-apply', '2024-01-01T00:00:00Z');
  live.metadata.uid = 'u';
  // kubectl label owner=ops (merge patch)
  live = track(live, applyPatch('merge', live, '{"metadata":{"labels":{"owner":"ops"}}}'), 'kubectl-label', '2024-01-01T00:01:00Z');
  // kubectl apply with color green and size removed (three-way strategic merge patch)
  const csa = JSON.stringify({ data: { color: 'green', size: null }, metadata: { annotations: { [LA]: la({ color: 'green' }) } } });
  live = track(live, applyPatch('strategic', live, csa, { schema: cmSchema }), 'kubectl-client-side-apply', '2024-01-01T00:02:00Z');
  assert.deepEqual([live.data.color, live.data.size, live.metadata.labels.owner], ['green', undefined, 'ops']);
  // kubectl apply --server-side --force-conflicts (the same manifest, sent as JSON)
  const body = JSON.stringify(manifest({ color: 'green' }));
  const ssa = serverSideApply(live, body, { manager: 'kubectl', force: true, schema: cmSchema, apiVersion: 'v1', kind: 'ConfigMap', now: '2024-01-01T00:03:00Z', name: 'settings', namespace: 'ns' });
  assert.deepEqual(ssa.metadata.managedFields.map((e: ManagedFieldsEntry) => `${e.manager}/${e.operation}`),
    ['kubectl/Apply', 'kubectl-label/Update', 'kubectl-client-side-apply/Update'], 'Apply first, then by time');
  assert.deepEqual(ssa.data, { color: 'green' });
  assert.deepEqual(ssa.metadata.labels, { app: 'demo', owner: 'ops' });
  // then a changed manifest applies without --force-conflicts: kubectl last applied these fields
  const next = serverSideApply(ssa, JSON.stringify(manifest({ color: 'red' })), { manager: 'kubectl', schema: cmSchema, apiVersion: 'v1', kind: 'ConfigMap', now: '2024-01-01T00:04:00Z' });
  assert.equal(next.data.color, 'red');
  // the same through applyPatch
  const viaApplyPatch = applyPatch('apply', ssa, JSON.stringify(manifest({ color: 'red' })), { apply: { manager: 'kubectl', schema: cmSchema, apiVersion: 'v1', kind: 'ConfigMap', now: '2024-01-01T00:04:00Z' } });
  assert.deepEqual(viaApplyPatch, next);
});
