// Taints and tolerations as the node controllers need them: matching (v1helper
// ToleratesTaint / GetMatchingTolerations), and adding/removing taints on a Node the way
// pkg/controller does it — the whole spec.taints list in a patch that carries the
// resourceVersion it was computed from, retried on conflicts from a fresh read.

import { nowRFC3339, type Obj } from '../../api/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

export interface Taint { key: string; value?: string; effect: string; timeAdded?: string }

export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };
export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };

/** Same key and effect (Taint.MatchTaint). */
export function matchTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

export function taintExists(taints: Taint[] | undefined, t: Taint): boolean {
  return (taints ?? []).some((x) => matchTaint(x, t));
}

/** Toleration.ToleratesTaint. */
export function toleratesTaint(tol: Obj, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  switch (tol.operator ?? 'Equal') {
    case 'Exists': return true;
    case 'Equal': return (tol.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

/** Whether every taint is tolerated, and the toleration used for each (GetMatchingTolerations). */
export function matchingTolerations(taints: Taint[], tolerations: Obj[] | undefined): [boolean, Obj[]] {
  if (!taints.length) return [true, []];
  if (!tolerations?.length) return [false, []];
  const used: Obj[] = [];
  for (const t of taints) {
    const tol = tolerations.find((x) => toleratesTaint(x, t));
    if (!tol) return [false, []];
    used.push(tol);
  }
  return [true, used];
}

/** ms until eviction: 0 now, -1 never (getMinTolerationTime). */
export function minTolerationMs(used: Obj[]): number {
  if (!used.length) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const s = Number(t.tolerationSeconds);
    if (s <= 0) return 0;
    min = Math.min(min, s);
  }
  return min === Infinity ? -1 : min * 1000;
}

/** Adds `add` (replacing same key+effect) and drops `remove`; undefined when nothing changes. */
export function changedTaints(current: Taint[] | undefined, add: Taint[], remove: Taint[]): Taint[] | undefined {
  let out = [...(current ?? [])];
  let changed = false;
  for (const t of add) {
    const i = out.findIndex((x) => matchTaint(x, t));
    if (i < 0) {
      out.push(t);
      changed = true;
    } else if (JSON.stringify(out[i]) !== JSON.stringify(t)) {
      out[i] = t;
      changed = true;
    }
  }
  for (const t of remove) {
    const before = out.length;
    out = out.filter((x) => !matchTaint(x, t));
    if (out.length !== before) changed = true;
  }
  return changed ? out : undefined;
}

const CONFLICT_RETRIES = 5;

/**
 * Puts `add` on the node and takes `remove` off (controller.AddOrUpdateTaintOnNode +
 * RemoveTaintOffNode). The first attempt works from `cached`; conflicts re-read the node.
 * Taints added get timeAdded = now (SwapNodeControllerTaint). A missing node is not an error.
 */
export async function swapNodeTaints(client: KubeClient, nodes: ResourceRef, cached: Obj, add: Taint[], remove: Taint[], now: Date, signal?: AbortSignal): Promise<void> {
  const stamped = add.map((t) => ({ ...t, timeAdded: nowRFC3339(now) }));
  // Nothing to remove and all to add already there with the same value: no call (upstream
  // skips removals the cached node does not have).
  if (!remove.some((t) => taintExists(cached.spec?.taints, t)) && add.every((t) => (cached.spec?.taints ?? []).some((x: Taint) => matchTaint(x, t) && (x.value ?? '') === (t.value ?? '')))) return;
  let node = cached;
  for (let attempt = 0; ; attempt++) {
    const taints = changedTaints(node.spec?.taints, stamped.filter((t) => !(node.spec?.taints ?? []).some((x: Taint) => matchTaint(x, t) && (x.value ?? '') === (t.value ?? ''))), remove);
    if (!taints) return;
    try {
      await client.patch(nodes, '', node.metadata.name, 'strategic', { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints } }, { signal });
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || attempt >= CONFLICT_RETRIES) throw err;
    }
    try {
      node = await client.get(nodes, '', cached.metadata.name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
