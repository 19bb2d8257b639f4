// RFC 6902 JSON Patch with the behaviour kube-apiserver gets from evanphx/json-patch v4:
// negative array indices count from the end, "replace" of a missing object key adds it, a
// missing "value" means null. Every failure is reported the way the API server reports it:
// 422 Invalid "the server rejected our request due to an error in our request" (the library's
// own text never reaches clients; it is kept on the error as `cause` for logs).

import { ApiError, badRequest } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { GoJSONError, goJSONKind, isPlainObject, parseGoJSON } from './gojson.js';
import { deepEqual } from './util.js';

/** kube-apiserver's limit on operations in one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

export type JsonPatchOp = Record<string, unknown>;

/** The error kube-apiserver answers when a JSON patch does not apply. */
export function patchNotApplicable(detail: string): ApiError {
  const e = new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  (e as Error).cause = detail;
  return e;
}

/**
 * Decodes a JSON patch body as jsonpatch.DecodePatch does: malformed JSON or a body that is
 * not a list of objects is a 400 BadRequest with encoding/json's message; too many
 * operations is 413.
 */
export function decodeJsonPatch(body: string): JsonPatchOp[] {
  let v: unknown;
  try {
    v = parseGoJSON(body);
  } catch (e) {
    if (e instanceof GoJSONError) throw badRequest(e.message);
    throw e;
  }
  if (v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`json: cannot unmarshal ${goJSONKind(v)} into Go value of type jsonpatch.Patch`);
  for (const op of v) {
    if (op !== null && !isPlainObject(op)) throw badRequest(`json: cannot unmarshal ${goJSONKind(op)} into Go value of type jsonpatch.Operation`);
  }
  if (v.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${v.length}`);
  }
  return v.map((op) => (op ?? {}) as JsonPatchOp);
}

/** RFC 6901 unescaping: ~1 → "/", ~0 → "~", left to right in one pass. */
export function unescapePointerToken(t: string): string {
  return t.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

export function escapePointerToken(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Go's strconv.Atoi: optional sign, decimal digits, nothing else. */
function atoi(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

type Container = Record<string, unknown> | unknown[];

class OpError extends Error {}

/**
 * The container holding the last token of `path` and that token (evanphx's findObject: split
 * on "/", the first piece is ignored, intermediate pieces must exist and be objects or arrays).
 */
function findObject(doc: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let cur: Container = doc;
  for (const raw of split.slice(1, -1)) {
    const part = unescapePointerToken(raw);
    let next: unknown;
    if (Array.isArray(cur)) {
      const idx = atoi(part);
      if (idx === undefined || idx < 0 || idx >= cur.length) return undefined;
      next = cur[idx];
    } else {
      next = Object.prototype.hasOwnProperty.call(cur, part) ? cur[part] : undefined;
    }
    if (next === null || typeof next !== 'object') return undefined;
    cur = next as Container;
  }
  return { con: cur, key: unescapePointerToken(split[split.length - 1]) };
}

function get(con: Container, key: string): unknown {
  if (!Array.isArray(con)) return Object.prototype.hasOwnProperty.call(con, key) ? con[key] : undefined;
  const idx = atoi(key);
  if (idx === undefined) throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  if (idx < 0 || idx >= con.length) throw new OpError(`Unable to access invalid index: ${idx}`);
  return con[idx];
}

function add(con: Container, key: string, val: unknown): void {
  if (!Array.isArray(con)) { setKey(con, key, val); return; }
  if (key === '-') { con.push(val); return; }
  let idx = atoi(key);
  if (idx === undefined) throw new OpError(`value was not a proper array index: '${key}'`);
  const size = con.length + 1;
  if (idx >= size || idx < -size) throw new OpError(`Unable to access invalid index: ${idx}`);
  if (idx < 0) idx += size;
  con.splice(idx, 0, val);
}

function remove(con: Container, key: string): void {
  if (!Array.isArray(con)) {
    if (!Object.prototype.hasOwnProperty.call(con, key)) throw new OpError(`Unable to remove nonexistent key: ${key}: missing value`);
    delete con[key];
    return;
  }
  let idx = atoi(key);
  if (idx === undefined) throw new OpError(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  if (idx >= con.length || idx < -con.length) throw new OpError(`Unable to access invalid index: ${idx}`);
  if (idx < 0) idx += con.length;
  con.splice(idx, 1);
}

function setKey(o: Record<string, unknown>, key: string, val: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: val, enumerable: true, writable: true, configurable: true });
  else o[key] = val;
}

function str(op: JsonPatchOp, field: 'path' | 'from', opName: string): string {
  const v = op[field];
  if (typeof v !== 'string') throw new OpError(`${opName} operation failed to decode ${field}`);
  return v;
}

/** The operation's value (a missing "value" is JSON null, as evanphx treats it). */
function valueOf(op: JsonPatchOp): unknown {
  return structuredClone(op.value ?? null);
}

function applyOp(doc: Container, op: JsonPatchOp): void {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  switch (kind) {
    case 'add': {
      const path = str(op, 'path', 'add');
      const f = findObject(doc, path);
      if (!f) throw new OpError(`add operation does not apply: doc is missing path: "${path}": missing value`);
      add(f.con, f.key, valueOf(op));
      return;
    }
    case 'remove': {
      const path = str(op, 'path', 'remove');
      const f = findObject(doc, path);
      if (!f) throw new OpError(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      remove(f.con, f.key);
      return;
    }
    case 'replace': {
      const path = str(op, 'path', 'replace');
      const f = findObject(doc, path);
      if (!f) throw new OpError(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      get(f.con, f.key); // arrays: the index must exist; objects: a missing key is simply set
      if (Array.isArray(f.con)) f.con[Number(atoi(f.key))] = valueOf(op);
      else setKey(f.con, f.key, valueOf(op));
      return;
    }
    case 'move': {
      const from = str(op, 'from', 'move');
      const f = findObject(doc, from);
      if (!f) throw new OpError(`move operation does not apply: doc is missing from path: ${from}: missing value`);
      const val = get(f.con, f.key);
      remove(f.con, f.key);
      const path = str(op, 'path', 'move');
      const t = findObject(doc, path);
      if (!t) throw new OpError(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
      add(t.con, t.key, val);
      return;
    }
    case 'copy': {
      const from = str(op, 'from', 'copy');
      const f = findObject(doc, from);
      if (!f) throw new OpError(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
      const val = get(f.con, f.key);
      const path = str(op, 'path', 'copy');
      const t = findObject(doc, path);
      if (!t) throw new OpError(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
      add(t.con, t.key, structuredClone(val ?? null));
      return;
    }
    case 'test': {
      const path = str(op, 'path', 'test');
      const f = findObject(doc, path);
      if (!f) throw new OpError(`test operation does not apply: is missing path: ${path}: missing value`);
      const val = get(f.con, f.key);
      const want = op.value ?? null;
      // A missing member and a JSON null are the same thing to the library.
      if ((val ?? null) === null ? want !== null : !deepEqual(val, want)) {
        throw new OpError(`testing value ${path} failed: test failed`);
      }
      return;
    }
    default:
      throw new OpError(`Unexpected kind: ${kind}`);
  }
}

/**
 * Applies the operations to a copy of doc and returns it. Any failing operation aborts the
 * whole patch with kube-apiserver's 422.
 */
export function applyJsonPatch(doc: unknown, ops: JsonPatchOp[]): unknown {
  const out = structuredClone(doc) as Container;
  if (out === null || typeof out !== 'object') throw patchNotApplicable('document is not an object');
  for (const op of ops) {
    try {
      applyOp(out, op);
    } catch (e) {
      if (e instanceof OpError) throw patchNotApplicable(e.message);
      throw e;
    }
  }
  return out;
}

/** Convenience for objects: decode the body and apply it. */
export function jsonPatchObject(live: Obj, body: string): unknown {
  return applyJsonPatch(live, decodeJsonPatch(body));
}
