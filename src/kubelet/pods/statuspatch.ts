// A JSON merge patch (RFC 7386) from one status to the next: changed keys carry their new
// value, removed keys null, lists are replaced whole (the kubelet owns the status lists it
// writes, so merging them by key would only keep stale entries). Nothing changed: undefined,
// and no write happens.

/**
 * JSON with object keys sorted and null-valued keys left out: equality regardless of key
 * order, and a field the server stores as null or omits compares equal (lastProbeTime).
 */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.keys(val).sort().filter((k) => val[k] !== null).map((k) => [k, val[k]])) : val)) ?? 'undefined';
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

export function mergePatchDiff(oldV: unknown, newV: unknown): unknown {
  if (isObject(oldV) && isObject(newV)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(newV)) {
      if (v === undefined) continue;
      const d = mergePatchDiff(oldV[k], v);
      if (d !== undefined) out[k] = d;
    }
    for (const k of Object.keys(oldV)) if (!(k in newV) || newV[k] === undefined) out[k] = null;
    return Object.keys(out).length ? out : undefined;
  }
  if (canonicalJson(oldV) === canonicalJson(newV)) return undefined;
  return newV === undefined ? null : newV;
}
