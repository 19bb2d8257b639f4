// Test support: FakeClient applies strategic-merge patches as JSON merge patches (lists are
// replaced), which loses the `$patch: delete` / merge-by-uid semantics that adoption and
// release rely on. withStrategicMetadataPatches() makes the fake apply them the way the API
// server does for metadata: ownerReferences merge by uid (with `$patch: delete`), finalizers
// are a set (with `$deleteFromPrimitiveList/finalizers`), and a metadata.uid that does not
// match the stored object is refused (422) like the real uid immutability check.
// Only unit tests import this file.

import { ApiError, notFound } from '../../api/errors.js';
import { RESOURCES } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import { mergePatch } from '../../client/fake.js';

function mergeOwnerRefs(cur: Obj[] = [], patch: Obj[]): Obj[] {
  let out = cur.map((r) => ({ ...r }));
  for (const p of patch) {
    if (p.$patch === 'delete') {
      out = out.filter((r) => r.uid !== p.uid);
      continue;
    }
    const i = out.findIndex((r) => r.uid === p.uid);
    if (i >= 0) out[i] = { ...out[i], ...p };
    else out.unshift({ ...p }); // items new to the server go first
  }
  return out;
}

function applyMetadata(cur: Obj, patch: Obj): Obj {
  const meta: Obj = clone(cur);
  for (const [k, v] of Object.entries(patch)) {
    if (k === 'ownerReferences') {
      const merged = mergeOwnerRefs(meta.ownerReferences, v as Obj[]);
      if (merged.length) meta.ownerReferences = merged;
      else delete meta.ownerReferences;
    } else if (k === 'finalizers') {
      meta.finalizers = [...new Set([...(meta.finalizers ?? []), ...(v as string[])])];
    } else if (k === '$deleteFromPrimitiveList/finalizers') {
      meta.finalizers = (meta.finalizers ?? []).filter((f: string) => !(v as string[]).includes(f));
      if (meta.finalizers.length === 0) delete meta.finalizers;
    } else if (k === 'uid') {
      if (v !== cur.uid) {
        throw new ApiError(422, 'Invalid', `metadata.uid: Invalid value: "${String(v)}": field is immutable`);
      }
    } else {
      meta[k] = mergePatch(meta[k], v);
      if (meta[k] === undefined) delete meta[k];
    }
  }
  return meta;
}

/** Installs the reactor; returns the fake for chaining. */
export function withStrategicMetadataPatches(fake: FakeClient): FakeClient {
  fake.prependReactor('patch', '*', (a) => {
    if (a.patchType !== 'strategic' || a.subresource || !a.object?.metadata) return undefined;
    const ri = RESOURCES.find((r) => r.group === a.group && r.plural === a.resource);
    if (!ri) return undefined;
    const cur = fake.object(ri, a.namespace, a.name!);
    if (!cur) throw notFound(ri.group, ri.plural, a.name!);
    const { metadata, ...rest } = a.object;
    const next = mergePatch(cur, rest) as Obj;
    next.metadata = applyMetadata(cur.metadata, metadata);
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    // The fake's update is synchronous inside; drop the action it records (this is a patch).
    void fake.update(ri, a.namespace, next).catch(() => undefined);
    fake.actions.pop();
    return fake.object(ri, a.namespace, a.name!);
  });
  return fake;
}
