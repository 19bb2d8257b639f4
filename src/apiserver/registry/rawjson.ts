// A stored object's JSON as it is served, built from the stored text without parsing it.
// The stored text is the object minus metadata.resourceVersion (serialize in generic.ts), so
// when it opens with the served kind and apiVersion followed by metadata, and the served
// version needs no conversion, inserting the revision as the first member of metadata gives
// exactly the object a decode + toExternal + stringify would, up to member order. Watches
// use it: one string splice per event instead of a parse and a stringify.
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { needsConversion } from '../../api/conversion.js';

const heads = new WeakMap<ResourceInfo, [string, string] | null>();

function headsFor(ri: ResourceInfo): [string, string] | null {
  let h = heads.get(ri);
  if (h === undefined) {
    const kind = JSON.stringify(ri.kind), av = JSON.stringify(apiVersionOf(ri.group, ri.version));
    h = needsConversion(ri) ? null : [`{"apiVersion":${av},"kind":${kind},"metadata":{`, `{"kind":${kind},"apiVersion":${av},"metadata":{`];
    heads.set(ri, h);
  }
  return h;
}

/** The served JSON text of a stored object at revision `rv`, or undefined when it must be decoded. */
export function servedJSON(ri: ResourceInfo, stored: string, rv: number): string | undefined {
  const h = headsFor(ri);
  if (!h) return undefined;
  const head = stored.startsWith(h[0]) ? h[0] : stored.startsWith(h[1]) ? h[1] : undefined;
  // metadata must have a member after which the revision can go (it always has a name)
  if (head === undefined || stored.charCodeAt(head.length) !== 34 /* " */) return undefined;
  return `${head}"resourceVersion":"${rv}",${stored.slice(head.length)}`;
}
