// Choosing victims (DefaultPreemption.SelectVictimsOnNode) and the node to preempt on
// (pickOneNodeForPreemption), on copies of the snapshot's NodeInfos.

import type { Obj } from '../../../api/types.js';
import { fromLabelSelectorObject } from '../../../api/selectors/index.js';
import { isSuccess, Status, type CycleState, type FrameworkRunner } from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../nodeinfo.js';

export const ERR_NO_VICTIMS = 'No preemption victims found for incoming pod';

export interface Candidate {
  nodeName: string;
  /** Most important first. */
  victims: PodInfo[];
  numPDBViolations: number;
}

/** util.GetPodStartTime: status.startTime, else now (not started yet). */
export function podStartTime(p: PodInfo): number {
  const t = p.pod?.status?.startTime;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? Date.now() : ms;
}

/** util.MoreImportantPod: higher priority, then the one running longer. */
export function moreImportant(a: PodInfo, b: PodInfo): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  return podStartTime(a) < podStartTime(b);
}

const byImportance = (a: PodInfo, b: PodInfo): number => (moreImportant(a, b) ? -1 : moreImportant(b, a) ? 1 : 0);

/** Splits pods (kept in order) into those whose eviction would violate a PDB and the rest. */
export function filterPodsWithPDBViolation(pods: PodInfo[], pdbs: Obj[]): [PodInfo[], PodInfo[]] {
  const allowed = pdbs.map((p) => Number(p?.status?.disruptionsAllowed ?? 0));
  const selectors = pdbs.map((p) => {
    try {
      return fromLabelSelectorObject(p?.spec?.selector);
    } catch {
      return undefined;
    }
  });
  const violating: PodInfo[] = [];
  const ok: PodInfo[] = [];
  for (const pi of pods) {
    let violated = false;
    if (Object.keys(pi.labels).length > 0) {
      for (let i = 0; i < pdbs.length; i++) {
        const sel = selectors[i];
        if (pdbs[i]?.metadata?.namespace !== pi.namespace || !sel) continue;
        if (sel.isEmpty() || !sel.matches(pi.labels)) continue;
        if (pdbs[i]?.status?.disruptedPods?.[pi.name] !== undefined) continue;
        allowed[i]--;
        if (allowed[i] < 0) violated = true;
      }
    }
    (violated ? violating : ok).push(pi);
  }
  return [violating, ok];
}

/**
 * The fewest lower-priority pods to remove from `node` (a copy) so that `pod` fits: remove
 * them all, check the pod fits, then add back as many as possible, most important first —
 * PDB-protected ones before the others.
 */
export function selectVictimsOnNode(fw: FrameworkRunner, state: CycleState, pod: PodInfo, node: NodeInfo, pdbs: Obj[]): { victims: PodInfo[]; numPDBViolations: number; status: Status | null } {
  const potential = node.pods.filter((p) => p.priority < pod.priority);
  if (potential.length === 0) return { victims: [], numPDBViolations: 0, status: Status.unresolvable(ERR_NO_VICTIMS) };
  for (const p of potential) {
    node.removePod(p);
    const s = fw.runPreFilterExtensionRemovePod(state, pod, p, node);
    if (!isSuccess(s)) return { victims: [], numPDBViolations: 0, status: s };
  }
  const fits = fw.runFilterPluginsWithNominatedPods(state, pod, node);
  if (!isSuccess(fits)) return { victims: [], numPDBViolations: 0, status: fits };
  potential.sort(byImportance);
  const [violating, nonViolating] = filterPodsWithPDBViolation(potential, pdbs);
  const victims: PodInfo[] = [];
  const reprieve = (p: PodInfo): boolean => {
    node.addPod(p);
    fw.runPreFilterExtensionAddPod(state, pod, p, node);
    if (isSuccess(fw.runFilterPluginsWithNominatedPods(state, pod, node))) return true;
    node.removePod(p);
    fw.runPreFilterExtensionRemovePod(state, pod, p, node);
    victims.push(p);
    return false;
  };
  let numPDBViolations = 0;
  for (const p of violating) if (!reprieve(p)) numPDBViolations++;
  for (const p of nonViolating) reprieve(p);
  if (violating.length > 0 && nonViolating.length > 0) victims.sort(byImportance);
  return { victims, numPDBViolations, status: null };
}

/** GetEarliestPodStartTime among the highest-priority victims. */
function earliestStartOfTopPriority(victims: PodInfo[]): number {
  let maxPrio = victims[0].priority;
  let earliest = podStartTime(victims[0]);
  for (const v of victims) {
    if (v.priority === maxPrio) earliest = Math.min(earliest, podStartTime(v));
    else if (v.priority > maxPrio) {
      maxPrio = v.priority;
      earliest = podStartTime(v);
    }
  }
  return earliest;
}

/**
 * pickOneNodeForPreemption: fewest PDB violations, then the lowest highest-victim priority,
 * the smallest priority sum, the fewest victims, the latest start among the top victims;
 * then the first.
 */
export function pickOneNodeForPreemption(candidates: Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const scoreFuncs: ((c: Candidate) => number)[] = [
    (c) => -c.numPDBViolations,
    (c) => -c.victims[0].priority,
    (c) => -c.victims.reduce((s, v) => s + v.priority + 2147483648, 0),
    (c) => -c.victims.length,
    (c) => earliestStartOfTopPriority(c.victims),
  ];
  let all = candidates;
  for (const f of scoreFuncs) {
    let best = -Infinity;
    let selected: Candidate[] = [];
    for (const c of all) {
      const s = f(c);
      if (s > best) {
        best = s;
        selected = [c];
      } else if (s === best) selected.push(c);
    }
    if (selected.length === 1) return selected[0];
    all = selected;
  }
  return all[0];
}

/** The pod is being deleted because the scheduler preempted it. */
export function terminatingByPreemption(p: Obj): boolean {
  if (!p?.metadata?.deletionTimestamp) return false;
  const c = (p.status?.conditions ?? []).find((x: Obj) => x?.type === 'DisruptionTarget');
  return !!c && c.status === 'True' && c.reason === 'PreemptionByScheduler';
}

