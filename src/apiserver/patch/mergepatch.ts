// RFC 7386 JSON Merge Patch, as evanphx/json-patch's MergePatch applies it for kube-apiserver:
// null deletes a member, objects merge recursively, anything else replaces; nulls inside newly
// added objects are dropped.

import { ApiError, badRequest, fe, fieldErrorBody, fieldErrorString } from '../../api/errors.js';
import { GoJSONError, parseGoJSON } from './gojson.js';
import { has, isObj, setProp } from './util.js';

/** Removes null members from objects (recursively, also inside arrays). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === null ? x : pruneNulls(x)));
  if (!isObj(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) setProp(out, k, pruneNulls(x));
  return out;
}

function mergeDocs(doc: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [k, pv] of Object.entries(patch)) {
    if (pv === null) { delete doc[k]; continue; }
    const cur = has(doc, k) ? doc[k] : undefined;
    if (cur === undefined || cur === null || !isObj(cur)) setProp(doc, k, pruneNulls(pv));
    else if (!isObj(pv)) setProp(doc, k, pv);
    else setProp(doc, k, mergeDocs(cur, pv));
  }
  return doc;
}

/** Applies a decoded merge patch to a copy of doc. */
export function mergePatch(doc: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) return pruneNulls(patch);
  if (!isObj(patch)) return patch;
  const base = isObj(doc) ? structuredClone(doc) : {};
  return mergeDocs(base, patch);
}

/**
 * Decodes and applies a merge patch body as kube-apiserver does: malformed JSON, null and
 * scalars are 400 "Invalid JSON Patch"; an array replaces the whole document, which then
 * fails to decode as an object (422).
 */
export function mergePatchObject(live: unknown, body: string): Record<string, unknown> {
  let patch: unknown;
  try {
    patch = parseGoJSON(body);
  } catch (e) {
    if (e instanceof GoJSONError) throw badRequest('Invalid JSON Patch');
    throw e;
  }
  if (patch === null || (!isObj(patch) && !Array.isArray(patch))) throw badRequest('Invalid JSON Patch');
  const out = mergePatch(live, patch);
  if (!isObj(out)) throw notAnObject(out);
  return out;
}

/**
 * What kube-apiserver answers when a patch produced something that does not decode into the
 * kind (e.g. a JSON array): 422 with a "patch" field error.
 */
export function notAnObject(result: unknown): ApiError {
  const detail = 'couldn\'t get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';
  const err = fe.invalid('patch', JSON.stringify(result), detail);
  return new ApiError(422, 'Invalid', ` "" is invalid: ${fieldErrorString(err)}`, {
    causes: [{ reason: err.type, message: fieldErrorBody(err), field: 'patch' }],
  });
}
