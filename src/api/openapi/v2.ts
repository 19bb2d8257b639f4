// /openapi/v2: the swagger 2.0 document of the whole API. kubectl asks for it only as gnostic
// protobuf (application/com.github.proto-openapi.spec.v2@v1.0+protobuf) and cannot read JSON
// there. Observed: kubectl 1.27 and 1.28 fetch it on every `explain` (a failure aborts the
// command) and compute client-side apply patches from it; 1.29+ only fall back to it when
// /openapi/v3 is missing or for `explain --output=plaintext-openapiv2`. Serialized forms are
// built on first request, then cached.

import { createHash } from 'node:crypto';
import { resourcesOf } from '../resources.js';
import { closure, definitions, definitionsHash, servedGroupVersions, type Schema } from './defs.js';
import { groupVersionPaths, pathDefinitions, type Operation, type Param, type PathItem } from './paths.js';
import { encodeOpenAPIV2Protobuf } from './protobuf.js';

export const KUBERNETES_VERSION = 'v1.32.0';
export const OPENAPI_V2_PROTOBUF_MIME = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

type Json = Record<string, unknown>;

function paramV2(p: Param): Json {
  const out: Json = { description: p.description, in: p.in, name: p.name };
  if (p.required) out.required = true;
  out.type = p.type;
  out.uniqueItems = true;
  return out;
}

function opV2(o: Operation): Json {
  const parameters: Json[] = [];
  if (o.body) parameters.push({ in: 'body', name: 'body', required: true, schema: { $ref: `#/definitions/${o.body}` } });
  for (const p of o.query) parameters.push(paramV2(p));
  const responses: Json = {};
  for (const r of o.responses) {
    const resp: Json = { description: r.description };
    if (r.code !== '401') resp.schema = r.ref ? { $ref: `#/definitions/${r.ref}` } : { type: 'string' };
    responses[r.code] = resp;
  }
  const out: Json = {
    consumes: o.consumes,
    description: o.description,
    operationId: o.operationId,
  };
  if (parameters.length) out.parameters = parameters;
  out.produces = o.produces;
  out.responses = responses;
  out.schemes = ['https'];
  out.tags = [o.tag];
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

export function pathItemsV2(items: PathItem[], into: Json): void {
  for (const it of items) {
    const pi: Json = {};
    for (const o of it.ops) pi[o.method] = opV2(o);
    if (it.params.length) pi.parameters = it.params.map(paramV2);
    into[it.path] = pi;
  }
}

// Only the serialized forms are cached (the object graph would triple the heap cost); the
// document object is rebuilt on demand, which takes a few tens of milliseconds.
let json: Buffer | undefined;
let pb: Buffer | undefined;
let etag: string | undefined;

/**
 * The swagger 2.0 document: info, every served path, and the definitions they reach. A fresh
 * object each call; its definitions are the shared, read-only schemas (do not mutate).
 */
export function openapiV2(): Json {
  const paths: Json = {};
  const roots: string[] = ['io.k8s.apimachinery.pkg.version.Info'];
  for (const { group, version } of servedGroupVersions()) {
    const items = groupVersionPaths(group, version);
    pathItemsV2(items, paths);
    roots.push(...pathDefinitions(items));
  }
  const d = definitions();
  const defs: Record<string, Schema> = {};
  for (const name of closure(roots)) defs[name] = d[name];
  const sortedPaths: Json = {};
  for (const k of Object.keys(paths).sort()) sortedPaths[k] = paths[k];
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION },
    paths: sortedPaths,
    definitions: defs,
    securityDefinitions: {
      BearerToken: { description: 'Bearer Token authentication', in: 'header', name: 'authorization', type: 'apiKey' },
    },
    security: [{ BearerToken: [] }],
  };
}

/** The v2 document as JSON bytes (built once). */
export function openapiV2JSON(): Buffer {
  json ??= Buffer.from(JSON.stringify(openapiV2()));
  return json;
}

/** The v2 document as gnostic openapi_v2.Document protobuf (built once). */
export function openapiV2Protobuf(): Buffer {
  pb ??= encodeOpenAPIV2Protobuf(openapiV2());
  return pb;
}

/** An ETag for the v2 document: a digest of what it is made of, so no build is needed. */
export function openapiV2ETag(): string {
  etag ??= `"${createHash('sha512').update(`v2\n${KUBERNETES_VERSION}\n${definitionsHash()}\n`)
    .update(JSON.stringify(servedGroupVersions().map(({ group, version }) => resourcesOf(group, version))))
    .update(FORMAT_VERSION).digest('hex').toUpperCase()}"`;
  return etag;
}

/** Bump when the documents' shape changes, so that cached copies are refetched. */
export const FORMAT_VERSION = '1';
