// Pod template hashing (controller.ComputeHash): fnv-32a over a deterministic serialisation of
// the template, then the collisionCount as 8 little-endian bytes, rendered as the decimal sum
// passed through rand.SafeEncodeString (no vowels, no look-alike digits). Used for the
// pod-template-hash label / ReplicaSet names and ControllerRevision names.
//
// Upstream hashes Go's in-memory struct dump, which cannot be reproduced outside Go; what
// matters is that equal templates hash equally and that the rendering looks like upstream's.
// The serialisation here is canonical JSON: object keys sorted, null/undefined dropped, and
// empty lists dropped, and empty maps dropped where the field is a Go map (Go's semantic
// equality treats nil and empty slices and maps alike; an empty struct such as `emptyDir: {}`
// is meaningful and kept).

import type { Obj } from '../../api/types.js';

export const DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY = 'pod-template-hash';

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[ch.codePointAt(0)! % ALPHANUMS.length];
  return out;
}

/** fnv-1a, 32 bit, continuing from `h`. */
export function fnv32a(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Fields of pod templates that are Go maps (an empty one equals an absent one). */
const MAP_FIELDS = new Set(['labels', 'annotations', 'nodeSelector', 'limits', 'requests', 'overhead', 'matchLabels']);

const isEmptyObj = (x: unknown): boolean => x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x as Obj).length === 0;

/** A JSON value with keys sorted and null/undefined/empty-list/empty-map members removed. */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    const out: Obj = {};
    for (const k of Object.keys(v as Obj).sort()) {
      const x = (v as Obj)[k];
      if (x === null || x === undefined || (Array.isArray(x) && x.length === 0)) continue;
      if (MAP_FIELDS.has(k) && isEmptyObj(x)) continue;
      out[k] = canonical(x);
    }
    return out;
  }
  return v;
}

export function canonicalJSON(v: unknown): string {
  return JSON.stringify(canonical(v)) ?? '';
}

/** ComputeHash(template, collisionCount). */
export function computeHash(template: Obj | undefined, collisionCount?: number | null): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(b, h);
  }
  return safeEncodeString(String(h));
}

/** Semantic equality of two JSON values (nil and empty lists alike; key order irrelevant). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJSON(a) === canonicalJSON(b);
}

/** A template without the pod-template-hash label (labels dropped when that leaves none). */
function withoutHash(t: Obj | undefined): Obj {
  const c: Obj = { ...(t ?? {}) };
  c.metadata = { ...(c.metadata ?? {}) };
  const labels = { ...(c.metadata.labels ?? {}) };
  delete labels[DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY];
  if (Object.keys(labels).length) c.metadata.labels = labels;
  else delete c.metadata.labels;
  if (Object.keys(c.metadata).length === 0) delete c.metadata;
  return c;
}

/** deploymentutil.EqualIgnoreHash: templates equal once the pod-template-hash label is ignored. */
export function equalIgnoreHash(a: Obj | undefined, b: Obj | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}
