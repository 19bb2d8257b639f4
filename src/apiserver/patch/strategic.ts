// Strategic merge patch, applied the way k8s.io/apimachinery/pkg/util/strategicpatch applies it
// inside kube-apiserver (MergeParallelList and IgnoreUnmatchedNulls on):
//  - maps merge key by key, null deletes a key, `$patch: replace|delete` act on the whole map;
//  - lists whose field has patchStrategy merge merge by patchMergeKey (containers by name,
//    ports by containerPort, ...), scalar merge lists are unions (finalizers); other lists
//    are replaced;
//  - `$patch: delete|replace` items, `$deleteFromPrimitiveList/<f>`, `$setElementOrder/<f>`
//    and `$retainKeys` directives; and the list order rules (patch items keep the patch order,
//    server-only items keep theirs, items new to the server go first).
// Errors carry upstream's texts and status codes (interpretStrategicMergePatchError).

import { ApiError, badRequest } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { goFmtV } from './gojson.js';
import { strategiesOf, type SchemaNode } from './meta.js';
import { has, isObj, setProp } from './util.js';

const DIRECTIVE = '$patch';
const REPLACE = 'replace';
const DELETE = 'delete';
const MERGE = 'merge';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';
const RETAIN_KEYS = '$retainKeys';

type JMap = Record<string, unknown>;
type Kind = 'map' | 'slice' | 'string' | 'int64' | 'float64' | 'bool' | 'nil';

// ---- errors, as kube-apiserver reports them ----

const err400 = (m: string): ApiError => badRequest(m);
function err422(detail: string): ApiError {
  const e = new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  (e as Error).cause = detail;
  return e;
}
/**
 * A malformed patch. kube-apiserver answers some of these with a bare 500; skiff never
 * answers 5xx for client input, so they are 400 BadRequest with upstream's text.
 */
const err500 = (m: string): ApiError => new ApiError(400, 'BadRequest', m);

const errBadPrimitiveList = (): ApiError => err400('invalid patch format of primitive list');
const errBadRetainKeys = (): ApiError => err400('invalid patch format of retainKeys');
const errBadSetElementOrder = (): ApiError => err400('invalid patch format of setElementOrder list');
const errNoListOfLists = (): ApiError => err422('lists of lists are not supported');
const errNoMergeKey = (m: unknown, k: string): ApiError => err500(`map: ${goFmtV(m)} does not contain declared merge key: ${k}`);
const errBadPatchType = (t: unknown, m: unknown): ApiError => err500(`unknown patch type: ${typeof t === 'string' ? t : goFmtV(t)} in map: ${goFmtV(m)}`);

const GO_TYPE: Record<Kind, string> = {
  map: 'map[string]interface {}', slice: '[]interface {}', string: 'string', int64: 'int64', float64: 'float64', bool: 'bool', nil: '%!s(<nil>)',
};
const errBadArgType = (expected: 'map' | 'slice', actual: unknown): ApiError =>
  err500(`expected a ${GO_TYPE[expected]}, but received a ${GO_TYPE[kindOf(actual)]}`);

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return Number.isInteger(v) ? 'int64' : 'float64';
}

// ---- schema lookups ----

/** The schema of field k of a struct, or of any value of a map. */
function childOf(node: SchemaNode | undefined, k: string): SchemaNode | undefined {
  if (!node) return undefined;
  return node.isStruct ? node.field(k) : node.mapValues();
}

// ---- entry point ----

/**
 * Applies a strategic merge patch to a copy of original and returns the result. `schema` is
 * the root node of the object's kind; without it every list is replaced (as for untyped data).
 */
export function strategicMergePatch(original: Obj, patch: Obj, schema?: SchemaNode): Obj {
  return mergeMap(structuredClone(original), structuredClone(patch), schema);
}

function mergeMap(original: JMap | null | undefined, patch: JMap, schema: SchemaNode | undefined): JMap {
  if (has(patch, DIRECTIVE)) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  const orig: JMap = original ?? {};

  applyRetainKeysDirective(orig, patch);
  mergePatchIntoOriginal(orig, patch, schema);

  for (const key of Object.keys(patch)) {
    const patchV = patch[key];
    let k = key;
    let isDeleteList = false;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      k = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    // null deletes the key; unmatched nulls are dropped (IgnoreUnmatchedNulls).
    if (patchV === null) { delete orig[k]; continue; }

    if (!has(orig, k) || kindOf(orig[k]) !== kindOf(patchV)) {
      if (!isDeleteList) takePatchValue(orig, k, patchV);
      continue;
    }
    const sub = childOf(schema, k);
    const { strategy } = strategiesOf(sub);
    switch (kindOf(orig[k])) {
      case 'map':
        setProp(orig, k, mergeMapHandler(orig[k] as JMap, patchV as JMap, sub, strategy));
        break;
      case 'slice':
        setProp(orig, k, mergeSliceHandler(orig[k] as unknown[], patchV as unknown[], sub, strategy, sub?.mergeKey ?? '', isDeleteList));
        break;
      default:
        takePatchValue(orig, k, patchV);
    }
  }
  return orig;
}

/** Sets orig[k] to a patch value that is not merged: nulls and $patch maps inside are dropped. */
function takePatchValue(orig: JMap, k: string, patchV: unknown): void {
  discardNullValuesFromPatch(patchV);
  const [v, keep] = removeDirectives(patchV);
  if (keep) setProp(orig, k, v);
  else delete orig[k];
}

function handleDirectiveInMergeMap(directive: unknown, patch: JMap): JMap {
  if (directive === REPLACE) {
    delete patch[DIRECTIVE];
    discardNullValuesFromPatch(patch);
    return patch;
  }
  if (directive === DELETE) return {};
  throw errBadPatchType(directive, patch);
}

function mergeMapHandler(original: JMap, patch: JMap, schema: SchemaNode | undefined, strategy: string): JMap {
  if (strategy === REPLACE) {
    discardNullValuesFromPatch(patch);
    return patch;
  }
  return mergeMap(original, patch, schema);
}

function mergeSliceHandler(original: unknown[], patch: unknown[], field: SchemaNode | undefined, strategy: string, mergeKey: string, isDeleteList: boolean): unknown[] {
  // Delete lists are handled the same way whatever the field's strategy.
  if (strategy === MERGE || isDeleteList) return mergeSlice(original, patch, field?.items(), mergeKey, isDeleteList);
  discardNullValuesFromPatch(patch);
  return patch;
}

function mergeSlice(original: unknown[], patch: unknown[], elem: SchemaNode | undefined, mergeKey: string, isDeleteList: boolean): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementType(original, patch);
  let merged: unknown[];
  let serverOrder = original;
  let patchList = patch;
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (!mergeKey) throw err500('cannot merge lists without merge key for type map');
    [serverOrder, patchList] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = mergeSliceWithoutSpecialElements(serverOrder, patchList, mergeKey, elem);
  }
  const [patchItems, serverOnly] = mergeKey
    ? partitionMapsByPresentInList(merged, patchList, mergeKey)
    : partitionPrimitivesByPresentInList(merged, patchList);
  return normalizeElementOrder(patchItems, serverOnly, patchList, serverOrder, mergeKey, kind);
}

function mergeSliceWithSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const rest: unknown[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    const m = v as JMap;
    if (!has(m, DIRECTIVE)) { rest.push(v); continue; }
    const d = m[DIRECTIVE];
    if (d === DELETE) {
      if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
      orig = deleteMatchingEntries(orig, mergeKey, m[mergeKey]);
    } else if (d === REPLACE) {
      replace = true; // keep going to drop the other $patch items
    } else if (d === MERGE) {
      throw err500('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(d, m);
    }
  }
  return replace ? [rest, []] : [orig, rest];
}

function deleteMatchingEntries(original: unknown[], mergeKey: string, value: unknown): unknown[] {
  let out = original;
  for (;;) {
    const idx = findMapInSliceBasedOnKeyValue(out, mergeKey, value);
    if (idx < 0) return out;
    out = [...out.slice(0, idx), ...out.slice(idx + 1)];
  }
}

function mergeSliceWithoutSpecialElements(original: unknown[], patch: unknown[], mergeKey: string, elem: SchemaNode | undefined): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const m = v as JMap;
    if (!has(m, mergeKey)) throw errNoMergeKey(m, mergeKey);
    const idx = findMapInSliceBasedOnKeyValue(out, mergeKey, m[mergeKey]);
    if (idx >= 0) {
      out[idx] = mergeMap(out[idx] as JMap, m, elem);
    } else {
      discardNullValuesFromPatch(m);
      removeDirectives(m); // in place: m itself carries no $patch (those were taken out above)
      out.push(m);
    }
  }
  return out;
}

function findMapInSliceBasedOnKeyValue(list: unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (!isObj(v)) throw err500(`value for key ${i} is not a map.`);
    if (has(v, key) && v[key] === value) return i;
  }
  return -1;
}

function deleteFromSlice(current: unknown[], toDelete: unknown[]): unknown[] {
  const del = new Set(toDelete);
  return current.filter((v) => !del.has(v));
}

/** strategicpatch's deduplicateScalars, swap-with-last and all (order is fixed up later). */
function deduplicateScalars(s: unknown[]): unknown[] {
  const a = [...s];
  let length = a.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (a[i] === a[j]) {
        a[j] = a[length];
        a.length = length;
        length--;
        j--;
      }
    }
  }
  return a;
}

function sliceElementType(...slices: unknown[][]): Kind {
  let prev: Kind | undefined;
  for (const s of slices) {
    for (const v of s) {
      const t = kindOf(v);
      if (prev === undefined) {
        prev = t;
        if (prev === 'slice') throw errNoListOfLists();
      } else if (prev !== t) {
        throw err500(`list element types are not identical: ${goFmtV(slices)}`);
      }
    }
  }
  if (prev === undefined) throw err500('no elements in any of the given slices');
  return prev;
}

// ---- ordering ----

function partitionPrimitivesByPresentInList(original: unknown[], by: unknown[]): [unknown[], unknown[]] {
  const inPatch = new Set(by);
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) (inPatch.has(v) ? patch : serverOnly).push(v);
  return [patch, serverOnly];
}

function partitionMapsByPresentInList(original: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const patch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of original) {
    if (!isObj(v)) throw errBadArgType('map', v);
    if (!has(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findMapInSliceBasedOnKeyValue(by, mergeKey, v[mergeKey]) < 0 ? serverOnly : patch).push(v);
  }
  return [patch, serverOnly];
}

function index(list: unknown[], val: unknown, mergeKey: string, kind: Kind): number {
  const get = kind === 'map' ? (x: unknown) => (isObj(x) ? x[mergeKey] : undefined) : (x: unknown) => x;
  const want = get(val);
  for (let i = 0; i < list.length; i++) if (get(list[i]) === want) return i;
  return -1;
}

function extractToDeleteItems(list: unknown[]): [unknown[], unknown[]] {
  const keep: unknown[] = [];
  const del: unknown[] = [];
  for (const v of list) {
    if (!isObj(v)) throw errBadArgType('map', v);
    (v[DIRECTIVE] === DELETE ? del : keep).push(v);
  }
  return [keep, del];
}

/** Sorts toSort by the positions of its items in order (sort.SliceStable with upstream's less). */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  let items = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isObj(item)) throw errBadArgType('map', item);
        if (!has(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      }
    }
    [items, toDelete] = extractToDeleteItems(toSort);
  }
  const less = (a: unknown, b: unknown): boolean => {
    const ia = index(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = index(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  const a = [...items];
  for (let i = 1; i < a.length; i++) {
    for (let j = i; j > 0 && less(a[j], a[j - 1]); j--) [a[j], a[j - 1]] = [a[j - 1], a[j]];
  }
  return [...a, ...toDelete];
}

/**
 * Interleaves server-only items (left) into patch items (right): a server item goes first only
 * when both are known to the server and it came first there, so items new to the server lead.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: Kind): unknown[] {
  const out: unknown[] = [];
  let i = 0, j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) { out.push(right[j++]); continue; }
    if (j >= right.length) { out.push(left[i++]); continue; }
    const li = index(serverOrder, left[i], mergeKey, kind);
    const ri = index(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out;
}

function normalizeElementOrder(patch: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[], mergeKey: string, kind: Kind): unknown[] {
  const p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

// ---- directives ----

function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw errBadPrimitiveList();
    throw errBadSetElementOrder();
  }
  return s.slice(slash + 1);
}

function applyRetainKeysDirective(original: JMap, patch: JMap): void {
  if (!has(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw errBadRetainKeys();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errBadRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

function mergeKeyValueEqual(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObj(left)) throw errBadArgType('map', left);
  if (!isObj(right)) throw errBadArgType('map', right);
  if (!has(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!has(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** The patch list must be an ordered subset of the $setElementOrder list (deletions aside). */
function validatePatchWithSetOrderList(patchList: unknown[], setOrder: unknown[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let p = 0, s = 0;
  while (p < nonDelete.length && s < setOrder.length) {
    if (isObj(nonDelete[p]) && has(nonDelete[p] as JMap, DIRECTIVE)) { p++; continue; }
    if (mergeKeyValueEqual(nonDelete[p], setOrder[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= setOrder.length) {
    throw err500(`The order in patch list:\n${goFmtV(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFmtV(setOrder)}\n`);
  }
}

/** Merges the lists named by $setElementOrder directives and orders them as the directive says. */
function mergePatchIntoOriginal(original: JMap, patch: JMap, schema: SchemaNode | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw errBadArgType('slice', setOrder);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = has(original, originalKey);
    const foundPatch = has(patch, originalKey);
    let originalValue: unknown[] = [];
    let patchValue: unknown[] = [];
    if (foundOriginal) {
      if (!Array.isArray(original[originalKey])) throw errBadArgType('slice', original[originalKey]);
      originalValue = original[originalKey] as unknown[];
    }
    if (foundPatch) {
      if (!Array.isArray(patch[originalKey])) throw errBadArgType('slice', patch[originalKey]);
      patchValue = patch[originalKey] as unknown[];
    }
    const sub = childOf(schema, originalKey);
    const { strategy } = strategiesOf(sub);
    const mergeKey = sub?.mergeKey ?? '';
    validatePatchWithSetOrderList(patchValue, setOrder, mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = originalValue;
    else if (!foundOriginal && foundPatch) {
      discardNullValuesFromPatch(patchValue);
      merged = removeDirectives(patchValue)[0] as unknown[];
    }
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalValue, patchValue, sub, strategy, mergeKey, false);
    else continue;

    const [patchItems, serverOnly] = mergeKey
      ? partitionMapsByPresentInList(merged, setOrder, mergeKey)
      : partitionPrimitivesByPresentInList(merged, setOrder);
    const kind = sliceElementType(originalValue, patchValue);
    setProp(original, originalKey, normalizeElementOrder(patchItems, serverOnly, setOrder, originalValue, mergeKey, kind));
    delete patch[originalKey];
  }
}

/** Drops null members everywhere in a value that is being taken from the patch. */
function discardNullValuesFromPatch(v: unknown): void {
  if (Array.isArray(v)) { for (const x of v) discardNullValuesFromPatch(x); return; }
  if (!isObj(v)) return;
  for (const k of Object.keys(v)) {
    if (v[k] === null) delete v[k];
    else discardNullValuesFromPatch(v[k]);
  }
}

/** Removes maps carrying a $patch directive (they make no sense in a value taken as is). */
function removeDirectives(v: unknown): [unknown, boolean] {
  if (v === null || v === undefined) return [v, true];
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const [nv, keep] = removeDirectives(x);
      if (keep) out.push(nv);
    }
    return [out, true];
  }
  if (!isObj(v)) return [v, true];
  if (has(v, DIRECTIVE)) return [undefined, false];
  for (const k of Object.keys(v)) {
    const [nv, keep] = removeDirectives(v[k]);
    if (keep) setProp(v, k, nv);
    else delete v[k];
  }
  return [v, true];
}
