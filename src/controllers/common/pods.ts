// Pod and condition helpers shared by the workload controllers (upstream's podutil and the
// pod-ranking sorts in pkg/controller). Pods are plain JSON objects from informer caches:
// never modify them here.

import type { Obj } from '../../api/types.js';

/** Annotation whose integer value makes a pod cheaper (lower) or dearer to delete on scale-down. */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

/** Not finished (Succeeded/Failed) and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: Obj): boolean {
  const phase = pod?.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod?.metadata?.deletionTimestamp;
}

export function filterActivePods(pods: Obj[]): Obj[] {
  return pods.filter(isPodActive);
}

/** Succeeded or Failed. */
export function isPodTerminal(pod: Obj): boolean {
  const phase = pod?.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** A condition of a status.conditions list by type. */
export function getCondition<T extends Obj = Obj>(conditions: T[] | undefined, type: string): T | undefined {
  return (conditions ?? []).find((c) => c?.type === type);
}

export function getPodReadyCondition(pod: Obj): Obj | undefined {
  return getCondition(pod?.status?.conditions, 'Ready');
}

/** The Ready condition is True (podutil.IsPodReady). */
export function isPodReady(pod: Obj): boolean {
  return getPodReadyCondition(pod)?.status === 'True';
}

/** Milliseconds since the epoch of an RFC 3339 time, or undefined for a missing/zero time. */
export function parseTime(t: unknown): number | undefined {
  if (typeof t !== 'string' || t === '') return undefined;
  const ms = Date.parse(t);
  return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/**
 * Ready for at least minReadySeconds (podutil.IsPodAvailable): with minReadySeconds 0 any
 * ready pod is available; otherwise the Ready condition's lastTransitionTime + minReadySeconds
 * must lie strictly before now.
 */
export function isPodAvailable(pod: Obj, minReadySeconds = 0, now: number = Date.now()): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = parseTime(getPodReadyCondition(pod)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/**
 * When a ready pod becomes available, in ms since the epoch (for requeueing at that moment),
 * or undefined when it is not ready or has no transition time.
 */
export function podAvailableAt(pod: Obj, minReadySeconds = 0): number | undefined {
  if (!isPodReady(pod)) return undefined;
  const since = parseTime(getPodReadyCondition(pod)?.lastTransitionTime);
  return since === undefined ? undefined : since + minReadySeconds * 1000;
}

/**
 * Sets a condition in a conditions list, returning a new list (the input is not modified).
 * An existing condition of the type with the same status and reason is kept as is (upstream
 * SetCondition for ReplicaSets and Deployments); with keepTransitionTime an existing
 * condition of the same status lends its lastTransitionTime (the Deployment variant).
 */
export function setCondition<T extends Obj>(conditions: T[] | undefined, cond: T, keepTransitionTime = false): T[] {
  const list = conditions ?? [];
  const cur = getCondition(list, cond.type);
  if (cur && cur.status === cond.status && cur.reason === cond.reason) return [...list];
  const next: Obj = { ...cond };
  if (keepTransitionTime && cur && cur.status === cond.status) next.lastTransitionTime = cur.lastTransitionTime;
  return [...list.filter((c) => c?.type !== cond.type), next as T];
}

export function removeCondition<T extends Obj>(conditions: T[] | undefined, type: string): T[] {
  return (conditions ?? []).filter((c) => c?.type !== type);
}

// ---- ranking pods for deletion (pkg/controller ActivePods / ActivePodsWithRanks) ----

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const phaseOrdinal = (pod: Obj): number => PHASE_ORDINAL[pod?.status?.phase ?? ''] ?? 0;

function podReadyTime(pod: Obj): number | undefined {
  return isPodReady(pod) ? parseTime(getPodReadyCondition(pod)?.lastTransitionTime) : undefined;
}

/** afterOrZero: a zero time sorts first; otherwise the later time is "less". */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

function maxContainerRestarts(pod: Obj): [number, number] {
  let regular = 0;
  for (const c of pod?.status?.containerStatuses ?? []) regular = Math.max(regular, c?.restartCount ?? 0);
  const sidecars = new Set<string>();
  for (const c of pod?.spec?.initContainers ?? []) if (c?.restartPolicy === 'Always') sidecars.add(c.name);
  let sidecar = 0;
  for (const c of pod?.status?.initContainerStatuses ?? []) if (sidecars.has(c?.name)) sidecar = Math.max(sidecar, c?.restartCount ?? 0);
  return [regular, sidecar];
}

/** true: a restarted more; false: b restarted more; undefined: equal. */
function compareMaxContainerRestarts(a: Obj, b: Obj): boolean | undefined {
  const [ra, sa] = maxContainerRestarts(a);
  const [rb, sb] = maxContainerRestarts(b);
  if (ra !== rb) return ra > rb;
  if (sa !== sb) return sa > sb;
  return undefined;
}

/** The pod-deletion-cost annotation as an int32; anything unparsable counts as 0. */
export function podDeletionCost(pod: Obj): number {
  const v = pod?.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (typeof v !== 'string' || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/** log2 buckets of age in nanoseconds (logarithmicRankDiff); negative ages are bucket -1. */
function logRankDiff(t1: number, t2: number, now: number): number {
  const bucket = (t: number): number => {
    const d = (now - t) * 1e6;
    return d > 0 ? Math.trunc(Math.log2(d)) : -1;
  };
  return bucket(t1) - bucket(t2);
}

const uidLess = (a: Obj, b: Obj): boolean => String(a?.metadata?.uid ?? '') < String(b?.metadata?.uid ?? '');

function lessFirstThree(a: Obj, b: Obj): boolean | undefined {
  const na = a?.spec?.nodeName ?? '';
  const nb = b?.spec?.nodeName ?? '';
  // 1. unassigned < assigned
  if (na !== nb && (na === '' || nb === '')) return na === '';
  // 2. Pending < Unknown < Running
  if (phaseOrdinal(a) !== phaseOrdinal(b)) return phaseOrdinal(a) < phaseOrdinal(b);
  // 3. not ready < ready
  if (isPodReady(a) !== isPodReady(b)) return !isPodReady(a);
  return undefined;
}

/**
 * Whether `a` should be deleted before `b` (ActivePodsWithRanks.Less with PodDeletionCost and
 * LogarithmicScaleDown on, as in 1.32). `rankA/rankB` count the owner family's active pods on
 * the same node: pods doubled up on a node go first.
 */
export function podDeletionLess(a: Obj, b: Obj, rankA = 0, rankB = 0, now: number = Date.now()): boolean {
  const first = lessFirstThree(a, b);
  if (first !== undefined) return first;
  // 4. lower deletion cost < higher
  const ca = podDeletionCost(a);
  const cb = podDeletionCost(b);
  if (ca !== cb) return ca < cb;
  // 5. doubled up < not doubled up
  if (rankA !== rankB) return rankA > rankB;
  // 6. ready for a shorter time < longer (in log2 buckets)
  if (isPodReady(a) && isPodReady(b)) {
    const ta = podReadyTime(a);
    const tb = podReadyTime(b);
    if (ta !== tb) {
      if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
      const d = logRankDiff(ta, tb, now);
      return d === 0 ? uidLess(a, b) : d < 0;
    }
  }
  // 7. more restarts < fewer
  const r = compareMaxContainerRestarts(a, b);
  if (r !== undefined) return r;
  // 8. no creation time < newer < older (in log2 buckets)
  const ta = parseTime(a?.metadata?.creationTimestamp);
  const tb = parseTime(b?.metadata?.creationTimestamp);
  if (ta !== tb) {
    if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
    const d = logRankDiff(ta, tb, now);
    return d === 0 ? uidLess(a, b) : d < 0;
  }
  return false;
}

/** ActivePods.Less (no ranks, exact times): used where upstream sorts controller.ActivePods. */
export function activePodsLess(a: Obj, b: Obj): boolean {
  const first = lessFirstThree(a, b);
  if (first !== undefined) return first;
  if (isPodReady(a) && isPodReady(b)) {
    const ta = podReadyTime(a);
    const tb = podReadyTime(b);
    if (ta !== tb) return afterOrZero(ta, tb);
  }
  const r = compareMaxContainerRestarts(a, b);
  if (r !== undefined) return r;
  const ta = parseTime(a?.metadata?.creationTimestamp);
  const tb = parseTime(b?.metadata?.creationTimestamp);
  if (ta !== tb) return afterOrZero(ta, tb);
  return false;
}

/** A sort comparator from a "less" function. */
export function byLess<T>(less: (a: T, b: T) => boolean): (a: T, b: T) => number {
  return (a, b) => (less(a, b) ? -1 : less(b, a) ? 1 : 0);
}

/**
 * Pods ranked for deletion, first to delete first (getPodsToDelete's ordering). `related` are
 * the active pods of the whole owner family (e.g. every ReplicaSet of one Deployment).
 */
export function rankPodsForDeletion(pods: Obj[], related: Obj[] = [], now: number = Date.now()): Obj[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const n = p?.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod?.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort(byLess((x, y) => podDeletionLess(x.pod, y.pod, x.rank, y.rank, now)));
  return ranked.map((r) => r.pod);
}
