// Response shaping: the requested group-version on every object, list wrapping, and
// server-side Table output (Accept: application/json;as=Table;g=meta.k8s.io;v=v1).
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import { apiVersionOf } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { toTable } from '../../api/printers/index.js';
import { convertFromStorage } from '../../api/conversion.js';

export type OutputKind = 'object' | 'table' | 'metadata' | 'yaml' | 'protobuf';

/** What representation the client asked for in Accept. */
export function negotiate(req: IncomingMessage): OutputKind {
  const accept = String(req.headers.accept ?? '');
  if (!accept) return 'object';
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) { const i = kv.indexOf('='); if (i > 0) p[kv.slice(0, i)] = kv.slice(i + 1); }
    if (type === 'application/yaml' && !p.as) return 'yaml';
    // protobuf only for clients that cannot take JSON: kubectl lists both and reads JSON
    if (type === 'application/vnd.kubernetes.protobuf' && !p.as && !/application\/json|\*\/\*/.test(accept)) return 'protobuf';
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    if (p.as === 'Table' && p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) return 'table';
    if ((p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList') && p.g === 'meta.k8s.io') return 'metadata';
    if (!p.as) return 'object';
  }
  if (/application\/json|\*\/\*/.test(accept)) return 'object';
  throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/** The stored object as the requested group-version (apiVersion/kind set, converted if needed). */
export function toExternal(ri: ResourceInfo, obj: Obj): Obj {
  const out = convertFromStorage(ri, obj);
  const { apiVersion: _a, kind: _k, ...rest } = out;
  return { kind: ri.kind, apiVersion: apiVersionOf(ri.group, ri.version), ...rest };
}

export function listObject(ri: ResourceInfo, items: Obj[], meta: { resourceVersion: string; continue?: string; remainingItemCount?: number }): Obj {
  const metadata: Obj = { resourceVersion: meta.resourceVersion };
  if (meta.continue) metadata.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) metadata.remainingItemCount = meta.remainingItemCount;
  return { kind: `${ri.kind}List`, apiVersion: apiVersionOf(ri.group, ri.version), metadata, items: items.map((i) => toExternal(ri, i)) };
}

export function includeObjectParam(q: URLSearchParams): 'None' | 'Object' | 'Metadata' {
  const v = q.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  if (v) throw new ApiError(400, 'BadRequest', `includeObject: Unsupported value: "${v}": supported values: "None", "Metadata", "Object"`);
  return 'Metadata';
}

export function tableObject(ri: ResourceInfo, items: Obj[], q: URLSearchParams, meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number }, headers = true): Obj {
  const t = toTable(ri, items.map((i) => toExternal(ri, i)), { includeObject: includeObjectParam(q), now: new Date() });
  const metadata: Obj = {};
  if (meta.resourceVersion) metadata.resourceVersion = meta.resourceVersion;
  if (meta.continue) metadata.continue = meta.continue;
  if (meta.remainingItemCount !== undefined) metadata.remainingItemCount = meta.remainingItemCount;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: headers ? t.columnDefinitions : [], rows: t.rows };
}

export function partialMetadata(obj: Obj): Obj {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}
