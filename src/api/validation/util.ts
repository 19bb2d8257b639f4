// Small shared pieces for validation: field paths as upstream prints them, tolerant
// accessors for loosely typed JSON, and apimachinery's semantic equality.

import type { Obj } from '../types.js';

/** field.Path.Child: "spec" + "containers" -> "spec.containers". */
export function child(path: string, ...names: string[]): string {
  let p = path;
  for (const n of names) p = p ? `${p}.${n}` : n;
  return p;
}

/** field.Path.Index: "spec.containers[0]". */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** field.Path.Key: "data[key]". */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value when it is a string, else "" (a Go zero value). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The value when it is an array, else []. */
export function arr(v: unknown): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return Array.isArray(v) ? v : [];
}

/** The value when it is a plain object, else {}. */
export function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

/** A string map (labels, data): non-string values are dropped. */
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export function isNum(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A number field, or 0 (Go zero value) when absent. */
export function num(v: unknown): number {
  return isNum(v) ? v : 0;
}

export function has(o: Obj | undefined, k: string): boolean {
  return o !== undefined && o[k] !== undefined && o[k] !== null;
}

function isEmptyish(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === false
    || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).every((k) => isEmptyish(v[k])));
}

/**
 * apiequality.Semantic.DeepEqual over JSON: absent, null, "", false, [] and {} are all the
 * zero value (as nil and empty slices and maps are equal upstream); numbers compare exactly.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmptyish(a) && isEmptyish(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Go's %#v of a []string, as upstream prints it inside messages. */
export function goStringSlice(list: string[]): string {
  return `[]string{${list.map((s) => JSON.stringify(s)).join(', ')}}`;
}
