import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, GROUP_ORDER } from '../resources.js';
import { openapiResponse, OPENAPI_V2_PROTOBUF_CONTENT_TYPE } from './http.js';
import { KUBERNETES_VERSION, OPENAPI_V2_PROTOBUF_MIME, openapiV2, openapiV2ETag, openapiV2JSON } from './v2.js';
import { groupVersionKey, openapiV3GroupVersion, openapiV3GroupVersionJSON, openapiV3Hash, openapiV3Index } from './v3.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function collectRefs(x: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(x)) for (const v of x) collectRefs(v, out);
  else if (x && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) {
      if (k === '$ref' && typeof v === 'string') out.add(v);
      else collectRefs(v, out);
    }
  }
  return out;
}

const base = (group: string, version: string): string => (group ? `/apis/${group}/${version}` : `/api/${version}`);

test('v2: swagger 2.0 with every resource, its verbs, actions and GVKs', () => {
  const doc = openapiV2() as Json;
  assert.equal(doc.swagger, '2.0');
  assert.equal(doc.info.version, KUBERNETES_VERSION);
  for (const ri of RESOURCES) {
    const coll = ri.namespaced ? `${base(ri.group, ri.version)}/namespaces/{namespace}/${ri.plural}` : `${base(ri.group, ri.version)}/${ri.plural}`;
    const gvk = { group: ri.group, kind: ri.kind, version: ri.version };
    const check = (path: string, method: string, action: string): void => {
      const op = doc.paths[path]?.[method];
      assert.ok(op, `${method} ${path}`);
      assert.equal(op['x-kubernetes-action'], action, `${method} ${path}`);
      assert.deepEqual(op['x-kubernetes-group-version-kind'], gvk, `${method} ${path}`);
    };
    if (ri.verbs.includes('list')) check(coll, 'get', 'list');
    if (ri.verbs.includes('create')) check(coll, 'post', 'post');
    if (ri.verbs.includes('deletecollection')) check(coll, 'delete', 'deletecollection');
    if (ri.verbs.includes('get')) check(`${coll}/{name}`, 'get', 'get');
    if (ri.verbs.includes('update')) check(`${coll}/{name}`, 'put', 'put');
    if (ri.verbs.includes('patch')) check(`${coll}/{name}`, 'patch', 'patch');
    if (ri.verbs.includes('delete')) check(`${coll}/{name}`, 'delete', 'delete');
    if (!ri.verbs.includes('update')) assert.equal(doc.paths[`${coll}/{name}`]?.put, undefined);
    for (const sub of ri.subresources ?? []) {
      const p = `${coll}/{name}/${sub.name}`;
      assert.ok(doc.paths[p], p);
      assert.equal(doc.paths[p][Object.keys(doc.paths[p]).find((k) => k !== 'parameters')!]['x-kubernetes-group-version-kind'].kind, sub.kind, p);
    }
  }
  const patch = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  const names = patch.parameters.map((p: Json) => p.name);
  for (const n of ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(names.includes(n), n);
  assert.equal(patch.parameters.find((p: Json) => p.name === 'fieldValidation').in, 'query');
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods'].post.parameters.some((p: Json) => p.name === 'dryRun'));
  assert.equal(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'].put.parameters[0].schema.$ref,
    '#/definitions/io.k8s.api.autoscaling.v1.Scale');
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/exec'].post['x-kubernetes-action'], 'connect');
  // Every reference resolves (kubectl rejects the whole document otherwise), and nothing unused ships.
  const refs = collectRefs(doc, new Set());
  for (const r of refs) assert.ok(doc.definitions[r.slice('#/definitions/'.length)], r);
  assert.ok(doc.definitions['io.k8s.api.flowcontrol.v1.FlowSchema'], 'served kinds ship their definitions');
  assert.ok(openapiV2JSON().length > 100_000);
  assert.match(openapiV2ETag(), /^"[0-9A-F]{128}"$/);
});

test('v3 index: one stable, hash-pinned URL per served group-version', () => {
  const idx = openapiV3Index();
  const expected = ['api/v1', ...GROUP_ORDER.flatMap((g) => g.versions.map((v) => `apis/${g.group}/${v}`))].sort();
  assert.deepEqual(Object.keys(idx.paths), expected);
  for (const [key, { serverRelativeURL }] of Object.entries(idx.paths)) {
    assert.match(serverRelativeURL, new RegExp(`^/openapi/v3/${key.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
  }
  assert.deepEqual(openapiV3Index(), idx);
  assert.notEqual(openapiV3Hash('api/v1'), openapiV3Hash('apis/apps/v1'));
  assert.equal(openapiV3Hash('/openapi/v3/apis/apps/v1'), openapiV3Hash('apis/apps/v1'));
  assert.equal(openapiV3Hash('apis/junk/v1'), undefined);
  assert.equal(groupVersionKey('', 'v1'), 'api/v1');
});

test('v3 core document: explain, apply and validation find what they look for', () => {
  const doc = openapiV3GroupVersion('api/v1') as Json;
  assert.equal(doc.openapi, '3.0.0');
  const schemas = doc.components.schemas;
  // explain: the kind's schema carries its GVK; fields with a description wrap $ref in allOf.
  assert.deepEqual(schemas['io.k8s.api.core.v1.Pod']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  const spec = schemas['io.k8s.api.core.v1.Pod'].properties.spec;
  assert.deepEqual(spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
  assert.match(spec.description, /desired behavior of the pod/);
  const limits = schemas['io.k8s.api.core.v1.ResourceRequirements'].properties.limits;
  assert.deepEqual(limits.additionalProperties, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
  assert.equal(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, undefined);
  assert.ok(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf);
  assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['x-kubernetes-int-or-string'], true);
  // apply: merge metadata on the list property itself.
  const containers = schemas['io.k8s.api.core.v1.PodSpec'].properties.containers;
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
  // validation: every PATCH of Pod offers fieldValidation inline, and accepts strategic merge.
  let patches = 0;
  for (const item of Object.values(doc.paths as Record<string, Json>)) {
    const op = item.patch;
    if (!op || op['x-kubernetes-group-version-kind']?.kind !== 'Pod') continue;
    patches++;
    assert.ok(op.parameters.some((p: Json) => p.name === 'fieldValidation' && p.in === 'query' && p.schema.type === 'string'));
    assert.ok(op.requestBody.content['application/strategic-merge-patch+json']);
  }
  assert.ok(patches >= 3, 'pods, pods/status, pods/ephemeralcontainers');
  // The template explain uses finds the kind through these operations.
  assert.deepEqual(doc.paths['/api/v1/pods'].get['x-kubernetes-group-version-kind'], { group: '', kind: 'Pod', version: 'v1' });
  const refs = collectRefs(doc, new Set());
  for (const r of refs) assert.ok(schemas[r.slice('#/components/schemas/'.length)], r);
  // Only core/v1 paths.
  assert.ok(Object.keys(doc.paths).every((p) => p.startsWith('/api/v1/')));
  assert.equal(schemas['io.k8s.api.apps.v1.Deployment'], undefined);
});

test('v3 group documents and caching', () => {
  const apps = openapiV3GroupVersion('apis/apps/v1') as Json;
  assert.ok(apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']);
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  const batch = openapiV3GroupVersion('/openapi/v3/apis/batch/v1/') as Json;
  assert.ok(batch.components.schemas['io.k8s.api.batch.v1.CronJobSpec'].properties.schedule);
  assert.equal(openapiV3GroupVersion('apis/junk/v1'), undefined);
  assert.equal(openapiV3GroupVersionJSON('apis/apps/v1'), openapiV3GroupVersionJSON('apis/apps/v1'), 'bytes are built once');
  // Callers get their own copy.
  (openapiV3GroupVersion('apis/apps/v1') as Json).paths = {};
  assert.ok(Object.keys((openapiV3GroupVersion('apis/apps/v1') as Json).paths).length > 0);
});

test('HTTP: negotiation, pinned hashes, conditional requests', () => {
  const pb = openapiResponse('/openapi/v2', '', OPENAPI_V2_PROTOBUF_MIME)!;
  assert.equal(pb.status, 200);
  assert.equal(pb.headers['content-type'], OPENAPI_V2_PROTOBUF_CONTENT_TYPE);
  assert.doesNotMatch(pb.headers['content-type'], /@/, 'Go cannot parse @ in a media type');
  const js = openapiResponse('/openapi/v2', '', 'application/json, */*')!;
  assert.equal(js.headers['content-type'], 'application/json');
  assert.equal(JSON.parse(js.body.toString()).swagger, '2.0');
  assert.equal(openapiResponse('/openapi/v2', '', 'application/json', js.headers.etag)!.status, 304);

  const idx = openapiResponse('/openapi/v3', '')!;
  const url: string = JSON.parse(idx.body.toString()).paths['apis/apps/v1'].serverRelativeURL;
  const [p, search] = url.split('?');
  const doc = openapiResponse(p, `?${search}&timeout=32s`, 'application/json')!;
  assert.equal(doc.status, 200);
  assert.equal(doc.headers['cache-control'], 'public, immutable');
  assert.equal(JSON.parse(doc.body.toString()).openapi, '3.0.0');
  const stale = openapiResponse(p, '?hash=ABC', 'application/json')!;
  assert.equal(stale.status, 301);
  assert.equal(stale.headers.location, url);
  assert.equal(openapiResponse('/openapi/v3/apis/apps/v1', '', '', doc.headers.etag)!.status, 304);
  assert.equal(openapiResponse('/openapi/v3/apis/junk/v1', '', ''), undefined);
  assert.equal(openapiResponse('/api/v1', '', ''), undefined);
});
