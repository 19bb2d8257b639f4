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

/** Everything but metadata and status: what generation counts changes of. */
export function specOf(obj: Obj): string {
  const rest: Obj = {};
  for (const k of Object.keys(obj).sort()) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') rest[k] = obj[k];
  return stableStringify(rest);
}

/** JSON with sorted keys, for semantic equality checks. */
export function stableStringify(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  const o = v as Obj;
  return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return stableStringify(a) === stableStringify(b);
}

export { nowRFC3339 };
