// InterPodAffinity's Filter half:
//  - required affinity: the node's domain (per term's topologyKey) must hold a pod matching all
//    of the pod's affinity terms — or, for the first pod of a group, no such pod exists anywhere
//    and the pod matches its own terms;
//  - required anti-affinity: no pod matching a term in the node's domain;
//  - existing pods' required anti-affinity must not match the incoming pod in the node's domain.

import { Status, type Handle, type StateData } from '../../framework.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../nodeinfo.js';
import { termMatchesPod, type AffinityTerm } from '../../util/podaffinity.js';
import { forEachCandidate, PairCounts, pairKey } from './common.js';

export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";

const REJECT_AFFINITY = Status.unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
const REJECT_ANTI = Status.unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
const REJECT_EXISTING = Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);

function matchesAll(terms: readonly AffinityTerm[], p: PodInfo): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatchesPod(t, p.namespace, p.labels, undefined)) return false;
  return true;
}

export class AffinityState implements StateData {
  constructor(
    readonly affinityTerms: AffinityTerm[],
    readonly antiAffinityTerms: AffinityTerm[],
    readonly nsLabels: Record<string, string> | undefined,
    /** Existing pods whose anti-affinity terms match the incoming pod, per domain. */
    readonly existingAnti: PairCounts,
    /** Pods matching all the incoming pod's affinity terms, per domain. */
    readonly affinity: PairCounts,
    /** Pods matching one of the incoming pod's anti-affinity terms, per domain. */
    readonly anti: PairCounts,
    readonly pod: PodInfo,
  ) {}

  clone(): StateData {
    return new AffinityState(this.affinityTerms, this.antiAffinityTerms, this.nsLabels, this.existingAnti.clone(), this.affinity.clone(), this.anti.clone(), this.pod);
  }

  /** PreFilterExtensions: `other` appears on / leaves `node`. */
  updateWithPod(other: PodInfo, node: NodeInfo, delta: number): void {
    const labels = node.labels;
    for (const t of other.requiredAntiAffinityTerms) {
      if (!termMatchesPod(t, this.pod.namespace, this.pod.labels, this.nsLabels)) continue;
      const v = labels[t.topologyKey];
      if (v !== undefined) this.existingAnti.add(t.topologyKey, v, delta);
    }
    if (matchesAll(this.affinityTerms, other)) {
      for (const t of this.affinityTerms) {
        const v = labels[t.topologyKey];
        if (v !== undefined) this.affinity.add(t.topologyKey, v, delta);
      }
    }
    for (const t of this.antiAffinityTerms) {
      if (!termMatchesPod(t, other.namespace, other.labels, undefined)) continue;
      const v = labels[t.topologyKey];
      if (v !== undefined) this.anti.add(t.topologyKey, v, delta);
    }
  }
}

export function computeAffinityState(
  h: Pick<Handle, 'assignedPodsWithLabel'>, pod: PodInfo, snapshot: Snapshot,
  affinityTerms: AffinityTerm[], antiAffinityTerms: AffinityTerm[], nsLabels: Record<string, string> | undefined,
): AffinityState {
  const existingAnti = new PairCounts();
  for (const node of snapshot.havePodsWithRequiredAntiAffinityList) {
    for (const other of node.podsWithRequiredAntiAffinity) {
      for (const t of other.requiredAntiAffinityTerms) {
        if (!termMatchesPod(t, pod.namespace, pod.labels, nsLabels)) continue;
        const v = node.labels[t.topologyKey];
        if (v !== undefined) existingAnti.add(t.topologyKey, v, 1);
      }
    }
  }
  const affinity = new PairCounts();
  if (affinityTerms.length > 0) {
    forEachCandidate(h, snapshot, affinityTerms[0], (other, node) => {
      if (!matchesAll(affinityTerms, other)) return;
      for (const t of affinityTerms) {
        const v = node.labels[t.topologyKey];
        if (v !== undefined) affinity.add(t.topologyKey, v, 1);
      }
    });
  }
  const anti = new PairCounts();
  for (const t of antiAffinityTerms) {
    forEachCandidate(h, snapshot, t, (other, node) => {
      if (!termMatchesPod(t, other.namespace, other.labels, undefined)) return;
      const v = node.labels[t.topologyKey];
      if (v !== undefined) anti.add(t.topologyKey, v, 1);
    });
  }
  return new AffinityState(affinityTerms, antiAffinityTerms, nsLabels, existingAnti, affinity, anti, pod);
}

function satisfiesPodAffinity(s: AffinityState, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of s.affinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false; // every topology label must exist on the node
    if (s.affinity.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: allowed when nothing matches anywhere.
  return s.affinity.size === 0 && matchesAll(s.affinityTerms, s.pod);
}

function satisfiesPodAntiAffinity(s: AffinityState, node: NodeInfo): boolean {
  if (s.anti.size === 0) return true;
  for (const t of s.antiAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && s.anti.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

function satisfiesExistingPodsAntiAffinity(s: AffinityState, node: NodeInfo): boolean {
  if (s.existingAnti.size === 0) return true;
  for (const k in node.labels) if ((s.existingAnti.m.get(pairKey(k, node.labels[k])) ?? 0) > 0) return false;
  return true;
}

export function filterNode(s: AffinityState, node: NodeInfo): Status | null {
  if (s.affinityTerms.length > 0 && !satisfiesPodAffinity(s, node)) return REJECT_AFFINITY;
  if (!satisfiesPodAntiAffinity(s, node)) return REJECT_ANTI;
  if (!satisfiesExistingPodsAntiAffinity(s, node)) return REJECT_EXISTING;
  return null;
}
