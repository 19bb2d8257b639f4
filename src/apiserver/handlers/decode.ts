// Decoding a write's body: media type, apiVersion/kind agreement, and fieldValidation
// (Strict refuses unknown fields, Warn reports and drops them, Ignore drops them).
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from '../../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { findUnknownFields, pruneUnknownFields } from '../../api/openapi/schema.js';
import { findTypeError } from '../../api/openapi/typecheck.js';
import { decodeObject, mediaType, readBody } from '../http.js';
import type { RequestContext } from '../registry/strategy.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationParam(q: URLSearchParams): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Invalid value: ${JSON.stringify(v)}: must be one of Ignore, Warn, or Strict`);
}

const ACCEPTED = new Set(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', '*/*']);

/** Read, decode and check a create/update body; unknown fields handled per fieldValidation. */
export async function decodeForWrite(req: IncomingMessage, ri: ResourceInfo, q: URLSearchParams, ctx: RequestContext): Promise<Obj> {
  const ct = mediaType(req);
  if (!ACCEPTED.has(ct)) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
  }
  const obj = decodeObject(await readBody(req), ct);
  checkTypeMeta(obj, ri);
  applyFieldValidation(obj, ri, q, ctx);
  return obj;
}

export function checkTypeMeta(obj: Obj, ri: ResourceInfo): void {
  const want = apiVersionOf(ri.group, ri.version);
  const kind = obj.kind, av = obj.apiVersion;
  if (kind !== undefined && typeof kind !== 'string') throw badRequest(`Object 'Kind' is not a string`);
  if (av !== undefined && typeof av !== 'string') throw badRequest(`Object 'apiVersion' is not a string`);
  if (kind && kind !== ri.kind) {
    throw badRequest(`${kind} in version "${av ?? ri.version}" cannot be handled as a ${ri.kind}: no kind "${kind}" is registered for version "${av ?? ri.version}" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
  }
  if (av && av !== want) {
    throw badRequest(`the API version in the data (${av}) does not match the expected API version (${want})`);
  }
  if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) {
    throw badRequest(`${ri.kind} in version "${ri.version}" cannot be handled as a ${ri.kind}: json: cannot unmarshal ${Array.isArray(obj.metadata) ? 'array' : typeof obj.metadata} into Go struct field ${ri.kind}.metadata of type v1.ObjectMeta`);
  }
}

export function applyFieldValidation(obj: Obj, ri: ResourceInfo, q: URLSearchParams, ctx: RequestContext): void {
  const mode = fieldValidationParam(q);
  // wrong JSON types fail Go's decoding whatever the validation mode
  const typeErr = findTypeError(ri.group, ri.version, ri.kind, obj);
  if (typeErr) throw badRequest(`${ri.kind} in version "${ri.version}" cannot be handled as a ${ri.kind}: ${typeErr}`);
  const unknown = findUnknownFields(ri.group, ri.version, ri.kind, obj);
  if (unknown.length === 0) return;
  if (mode === 'Strict') {
    throw badRequest(`${ri.kind} in version "${ri.version}" cannot be handled as a ${ri.kind}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  }
  if (mode === 'Warn') for (const f of unknown) ctx.warnings.push(`unknown field "${f}"`);
  pruneUnknownFields(ri.group, ri.version, ri.kind, obj);
}
