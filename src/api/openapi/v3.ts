// /openapi/v3: a discovery index of per-group-version OpenAPI 3.0 documents, each with the
// paths of that group-version and the schemas they reach under components.schemas. kubectl
// explain (1.27+) renders from these, apply (1.29+) computes strategic merge patches from their
// x-kubernetes-patch-* extensions, and kubectl (1.27+) checks that the kind's PATCH operations
// take a fieldValidation query parameter before sending fieldValidation=Strict.
//
// Documents are built lazily, one group-version at a time, and cached as bytes. The index
// only needs each document's hash, which is derived from its inputs (definitions digest,
// resource table, code version) so that listing the index never builds a document.

import { createHash } from 'node:crypto';
import { resourcesOf } from '../resources.js';
import { closure, definitions, definitionsHash, refTarget, servedGroupVersions, type Schema } from './defs.js';
import { groupVersionPaths, pathDefinitions, type Operation, type Param, type PathItem } from './paths.js';
import { FORMAT_VERSION, KUBERNETES_VERSION } from './v2.js';

const COMPONENT = '#/components/schemas/';

type Json = Record<string, unknown>;

/** "api/v1" for core, "apis/<group>/<version>" otherwise (the index keys). */
export function groupVersionKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function parseKey(path: string): { group: string; version: string } | undefined {
  const p = path.replace(/^\/+/, '').replace(/^openapi\/v3\//, '').replace(/\/+$/, '');
  for (const gv of servedGroupVersions()) if (groupVersionKey(gv.group, gv.version) === p) return gv;
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Schemas, v2 → v3: refs move to components, a $ref with siblings (a field's description)
// becomes allOf [$ref] as kube-openapi does, and the two multi-type scalars become oneOf
// (which is also what makes explain print "Quantity" and "IntOrString").

const SPECIAL: Record<string, (s: Schema) => Schema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': (s) => ({ description: s.description, oneOf: [{ type: 'string' }, { type: 'number' }] }),
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': (s) => ({
    description: s.description, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true,
  }),
};

function toV3(s: Schema): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') continue;
    if (k === 'properties') {
      const props: Record<string, Schema> = {};
      for (const [name, p] of Object.entries(v as Record<string, Schema>)) props[name] = toV3(p);
      out.properties = props;
    } else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') {
      out[k] = toV3(v as Schema);
    } else out[k] = v;
  }
  if (typeof s.$ref === 'string') {
    const ref = { $ref: COMPONENT + refTarget(s.$ref) };
    if (Object.keys(out).length === 0) return ref;
    return { allOf: [ref], ...out };
  }
  return out;
}

let v3defs: Map<string, Schema> | undefined;
function schemaV3(name: string): Schema {
  v3defs ??= new Map();
  let s = v3defs.get(name);
  if (!s) {
    const d = definitions()[name];
    s = SPECIAL[name] ? SPECIAL[name](d) : toV3(d);
    v3defs.set(name, s);
  }
  return s;
}

// ---------------------------------------------------------------------------------------
// Paths.

function paramV3(p: Param): Json {
  const out: Json = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function opV3(o: Operation): Json {
  const out: Json = { tags: [o.tag], description: o.description, operationId: o.operationId };
  if (o.query.length) out.parameters = o.query.map(paramV3);
  if (o.body) {
    const schema = { $ref: COMPONENT + o.body };
    const content: Json = {};
    for (const t of o.consumes) content[t] = { schema };
    out.requestBody = { content, required: true };
  }
  const responses: Json = {};
  for (const r of o.responses) {
    if (r.code === '401') { responses[r.code] = { description: r.description }; continue; }
    const schema = r.ref ? { $ref: COMPONENT + r.ref } : { type: 'string' };
    const content: Json = {};
    for (const t of o.produces) content[t] = { schema };
    responses[r.code] = { description: r.description, content };
  }
  out.responses = responses;
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

function pathsV3(items: PathItem[]): Json {
  const out: Json = {};
  for (const it of items) {
    const pi: Json = {};
    for (const o of it.ops) pi[o.method] = opV3(o);
    if (it.params.length) pi.parameters = it.params.map(paramV3);
    out[it.path] = pi;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Documents, index, caching.

// Documents are cached as bytes only; openapiV3GroupVersion() hands out a parsed copy.
const built = new Map<string, Buffer>();

function build(group: string, version: string): Buffer {
  const key = groupVersionKey(group, version);
  let b = built.get(key);
  if (b) return b;
  const items = groupVersionPaths(group, version);
  const schemas: Record<string, Schema> = {};
  for (const name of closure(pathDefinitions(items))) schemas[name] = schemaV3(name);
  const doc: Json = {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION },
    paths: pathsV3(items),
    components: {
      schemas,
      securitySchemes: {
        BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' },
      },
    },
    security: [{ BearerToken: [] }],
  };
  b = Buffer.from(JSON.stringify(doc));
  built.set(key, b);
  return b;
}

/**
 * The hash in the index's serverRelativeURL (uppercase hex SHA-512, like kube-apiserver's):
 * computed from what the document is made of, so the index is cheap and the hash only moves
 * when the document would.
 */
export function openapiV3Hash(path: string): string | undefined {
  const gv = parseKey(path);
  if (!gv) return undefined;
  return createHash('sha512')
    .update(`${FORMAT_VERSION}\n${KUBERNETES_VERSION}\n${definitionsHash()}\n${groupVersionKey(gv.group, gv.version)}\n`)
    .update(JSON.stringify(resourcesOf(gv.group, gv.version)))
    .digest('hex')
    .toUpperCase();
}

/** The /openapi/v3 discovery document. */
export function openapiV3Index(): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const keys = servedGroupVersions().map((gv) => groupVersionKey(gv.group, gv.version)).sort();
  for (const key of keys) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${openapiV3Hash(key)}` };
  return { paths };
}

/**
 * The OpenAPI 3.0 document of one group-version: path "api/v1" or "apis/apps/v1" (a leading
 * "/openapi/v3/" and slashes are tolerated). Undefined for group-versions not served.
 */
export function openapiV3GroupVersion(path: string): Json | undefined {
  const gv = parseKey(path);
  return gv ? (JSON.parse(build(gv.group, gv.version).toString('utf8')) as Json) : undefined;
}

/** The same document as JSON bytes (cached). */
export function openapiV3GroupVersionJSON(path: string): Buffer | undefined {
  const gv = parseKey(path);
  return gv ? build(gv.group, gv.version) : undefined;
}
