// The PATCH machinery of the API server: pick the patch type from the Content-Type, decode the
// body the way kube-apiserver does (its error texts included), and apply it to the live object.
//
//   application/json-patch+json            RFC 6902           applyPatch('json', ...)
//   application/merge-patch+json           RFC 7386           applyPatch('merge', ...)
//   application/strategic-merge-patch+json built-in kinds only applyPatch('strategic', ...)
//   application/apply-patch+yaml           server-side apply  serverSideApply(...)
//
// Non-apply patches return the patched object; the registry then records the write in
// managedFields with updateManagedFields (as kube-apiserver does for every Update). Server-side
// apply computes managedFields itself.

import { parseAllDocuments } from 'yaml';
import { checkYamlDepth } from '../yamlguard.js';
import { ApiError, badRequest, fe, invalid, type FieldError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { GoJSONError, goJSONKind, isPlainObject, parseGoJSON, parseGoJSONObject } from './gojson.js';
import { jsonPatchObject } from './jsonpatch.js';
import { mergePatchObject, notAnObject } from './mergepatch.js';
import { FieldSet } from './fieldpath.js';
import type { SchemaNode } from './meta.js';
import { FIELD_MANAGER_MAX_LENGTH } from './managedfields.js';
import { apply, type ApplyOptions } from './ssa.js';
import { strategicMergePatch } from './strategic.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export const PATCH_CONTENT_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** The patch types kube-apiserver accepts, in the order its 415 message lists them. */
export function acceptedPatchContentTypes(allowStrategic: boolean): string[] {
  return allowStrategic
    ? ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']
    : ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
}

/** 415 for a patch Content-Type the resource does not take (strategic merge on custom resources). */
export function unsupportedPatchType(allowStrategic: boolean): ApiError {
  return new ApiError(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${acceptedPatchContentTypes(allowStrategic).join(', ')}`);
}

/**
 * The patch type of a Content-Type header ("; charset=..." ignored), or a 415 ApiError when
 * the resource does not accept it. allowStrategic is false for custom resources.
 */
export function patchTypeForContentType(contentType: string | undefined, allowStrategic = true): PatchType {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const t = PATCH_CONTENT_TYPES[ct];
  if (!t || (t === 'strategic' && !allowStrategic)) throw unsupportedPatchType(allowStrategic);
  return t;
}

export interface PatchContext {
  /** Root schema of the kind (strategic merge needs it for list merge keys). */
  schema?: SchemaNode;
  /** False for custom resources: strategic merge patches are answered with 415. Default true. */
  allowStrategic?: boolean;
  /** Server-side apply only (see ServerSideApplyOptions). */
  apply?: ServerSideApplyOptions;
}

const text = (body: string | Buffer): string => (typeof body === 'string' ? body : body.toString('utf8'));

/**
 * Applies a patch body of the given type to live and returns the new object. Bad bodies and
 * patches that do not apply throw ApiErrors as kube-apiserver answers them. For 'apply',
 * ctx.apply is required and the result carries managedFields; for the others the caller
 * tracks the write with updateManagedFields.
 */
export function applyPatch(type: PatchType, live: Obj | undefined, body: string | Buffer, ctx: PatchContext = {}): Obj {
  if (type === 'apply') {
    if (!ctx.apply) throw new Error('applyPatch: server-side apply needs ctx.apply');
    return serverSideApply(live, body, ctx.apply);
  }
  if (!live) throw new Error('applyPatch: a patch needs the live object');
  switch (type) {
    case 'json': {
      const out = jsonPatchObject(live, text(body));
      if (!isPlainObject(out)) throw notAnObject(out);
      return out;
    }
    case 'merge':
      return mergePatchObject(live, text(body));
    case 'strategic': {
      if (ctx.allowStrategic === false) throw unsupportedPatchType(false);
      let patch: Record<string, unknown> | null;
      try {
        patch = parseGoJSONObject(text(body));
      } catch (e) {
        if (e instanceof GoJSONError) throw badRequest(e.message);
        throw e;
      }
      return strategicMergePatch(live, patch ?? {}, ctx.schema);
    }
    default:
      throw new Error(`unknown patch type ${String(type)}`);
  }
}

// ---- server-side apply ----

export interface ServerSideApplyOptions extends Omit<ApplyOptions, 'force'> {
  /** The fieldManager query parameter (required for apply; see validatePatchOptions). */
  manager: string;
  force?: boolean;
  /** Name and namespace from the URL (the registry checks the object against them). */
  name?: string;
  namespace?: string;
}

function yamlLine(e: unknown): string {
  const err = e as { linePos?: { line: number }[]; message?: string };
  const line = err.linePos?.[0]?.line;
  const msg = (err.message ?? String(e)).split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return line ? `line ${line}: ${msg}` : msg;
}

/**
 * Decodes an apply-patch+yaml body (YAML or JSON) into an object, with kube-apiserver's 400
 * texts ("error decoding YAML: ...").
 */
export function decodeApplyBody(body: string | Buffer): Obj {
  const s = text(body);
  let v: unknown;
  try {
    v = parseGoJSON(s); // JSON, what kubectl and client-go send, decodes exactly as Go does
  } catch {
    checkYamlDepth(s);
    const docs = parseAllDocuments(s, { version: '1.1', uniqueKeys: true });
    const first = Array.isArray(docs) ? docs[0] : docs;
    if (first && 'errors' in first && first.errors.length) {
      throw badRequest(`error decoding YAML: error converting YAML to JSON: yaml: ${yamlLine(first.errors[0])}`);
    }
    v = first ? first.toJS({ maxAliasCount: 100 }) : null;
  }
  if (v === null || v === undefined) return {};
  if (!isPlainObject(v)) {
    throw badRequest(`error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${goJSONKind(v)} into Go value of type map[string]interface {}`);
  }
  return v as Obj;
}

/** Decodes an apply body and applies it (see ssa.ts apply); returns the new object. */
export function serverSideApply(live: Obj | undefined, body: string | Buffer, opts: ServerSideApplyOptions): Obj {
  const applied = decodeApplyBody(body);
  const { manager, force, name: _n, namespace: _ns, ...rest } = opts;
  return apply(live, applied, manager, { ...rest, force: !!force }).result;
}

// ---- PatchOptions ----

/**
 * ValidatePatchOptions: apply needs a fieldManager, force is only for apply, and a field
 * manager is at most 128 bytes of printable characters. Throws 422 on PatchOptions.meta.k8s.io.
 */
export function validatePatchOptions(type: PatchType, opts: { fieldManager?: string; force?: unknown }): void {
  const errs: FieldError[] = [];
  if (type !== 'apply') {
    if (opts.force !== undefined && opts.force !== null) errs.push(fe.forbidden('force', 'may not be specified for non-apply patch'));
  } else if (!opts.fieldManager) {
    errs.push(fe.required('fieldManager', 'is required for apply patch'));
  }
  errs.push(...validateFieldManager(opts.fieldManager));
  if (errs.length) throw invalid('meta.k8s.io', 'PatchOptions', '', errs);
}

/** ValidateFieldManager, for create/update/patch options alike. */
export function validateFieldManager(m: string | undefined): FieldError[] {
  if (!m) return [];
  const errs: FieldError[] = [];
  if (Buffer.byteLength(m, 'utf8') > FIELD_MANAGER_MAX_LENGTH) errs.push(fe.tooLong('fieldManager', m, FIELD_MANAGER_MAX_LENGTH));
  let pos = 0;
  for (const ch of m) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      const cp = ch.codePointAt(0)!;
      const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      errs.push(fe.invalid('fieldManager', m, `invalid character ${u} (at position ${pos})`));
    }
    pos += Buffer.byteLength(ch, 'utf8');
  }
  return errs;
}

export { apply, computeFieldSet, updateManagedFields, createManagedFields, LAST_APPLIED_ANNOTATION } from './ssa.js';
export type { ApplyOptions, ApplyResult, FieldManagerOptions, UpdateExtra } from './ssa.js';
export {
  conflictError, decodeManagedFields, defaultManagerFromUserAgent, encodeManagedFields, managerIdentifier,
} from './managedfields.js';
export type { ManagedFieldsEntry } from './managedfields.js';
export { pathString } from './fieldpath.js';
export { FieldSet };
export { listShape, resolveSchema, schemaNodeFromOpenAPI, setSchemaResolver, strategiesOf } from './meta.js';
export type { SchemaNode, SchemaResolver } from './meta.js';
export { applyJsonPatch, decodeJsonPatch } from './jsonpatch.js';
export { mergePatch } from './mergepatch.js';
export { strategicMergePatch } from './strategic.js';

/** FieldsV1 encoding of a field set (the object in managedFields[].fieldsV1). */
export function encodeFieldsV1(set: FieldSet): Record<string, unknown> {
  return set.toFieldsV1();
}

/** Decodes a FieldsV1 object into a field set. */
export function decodeFieldsV1(v: unknown): FieldSet {
  return FieldSet.fromFieldsV1(v);
}
