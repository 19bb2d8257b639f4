// Metadata rules every kind shares: what the server owns (uid, creationTimestamp, ...),
// generated names, and which parts of an object count as "spec" for generation.
import { randomUUID } from 'node:crypto';
import type { Obj } from '../../api/types.js';
import { nowRFC3339 } from '../../api/types.js';

// names.SimpleNameGenerator's alphabet: no vowels (no words), no confusable 0/1/3.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_NAME = 63;
const RANDOM_LEN = 5;

export function generateName(base: string): string {
  const b = base.length > MAX_NAME - RANDOM_LEN ? base.slice(0, MAX_NAME - RANDOM_LEN) : base;
  let s = '';
  for (let i = 0; i < RANDOM_LEN; i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return b + s;
}

/** Server-owned metadata on create (FillObjectMetaSystemFields). */
export function fillCreateMeta(obj: Obj, now: Date): void {
  const m = obj.metadata;
  m.uid = randomUUID();
  m.creationTimestamp = nowRFC3339(now);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
}

/** Fields a client cannot change on update: they are copied from the stored object. */
export function keepSystemMeta(obj: Obj, old: Obj): void {
  const m = obj.metadata, o = old.metadata;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp; else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds; else delete m.deletionGracePeriodSeconds;
  if (o.generation !== undefined) m.generation = o.generation; else delete m.generation;
  if (o.generateName !== undefined && m.generateName === undefined) m.generateName = o.generateName;
  delete m.selfLink;
}

const NOT_SPEC = new Set(['metadata', 'status', 'apiVersion', 'kind']);

/** Whether two objects differ in anything but metadata and status (what generation counts). */
export function specChanged(a: Obj, b: Obj): boolean {
  return !equalObjects(a, b, NOT_SPEC);
}

/** JSON with sorted keys, for semantic equality checks. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Obj;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
}

/**
 * Equality of JSON values as their JSON texts would compare with sorted keys (what
 * stableStringify(a) === stableStringify(b) says), without building the texts: members
 * whose value is undefined do not exist, and undefined or a non-finite number elsewhere is null.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  const x = jsonScalar(a), y = jsonScalar(b);
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  const xa = Array.isArray(x);
  if (xa !== Array.isArray(y)) return false;
  if (xa) {
    const ya = y as unknown[];
    if (x.length !== ya.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], ya[i])) return false;
    return true;
  }
  return equalObjects(x as Obj, y as Obj);
}

function jsonScalar(v: unknown): unknown {
  return v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
}

function equalObjects(a: Obj, b: Obj, skip?: Set<string>): boolean {
  let n = 0;
  for (const k of Object.keys(a)) {
    if (a[k] === undefined || skip?.has(k)) continue;
    n++;
    if (b[k] === undefined || !Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k])) return false;
  }
  for (const k of Object.keys(b)) if (b[k] !== undefined && !skip?.has(k)) n--;
  return n === 0;
}

export { nowRFC3339 };
