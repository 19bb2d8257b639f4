// InterPodAffinity's Score half: every domain (topologyKey=value) collects
//   + weight of the incoming pod's preferred affinity terms matched by pods there,
//   - weight of its preferred anti-affinity terms matched there,
//   + 1 (hardPodAffinityWeight) for existing pods' required affinity terms matching the pod,
//   ± weight of existing pods' preferred (anti-)affinity terms matching the pod;
// a node scores the sum over its labels, normalised min..max to 0..100.

import { MAX_NODE_SCORE, type Handle, type StateData } from '../../framework.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../nodeinfo.js';
import { termMatchesPod, type AffinityTerm, type WeightedAffinityTerm } from '../../util/podaffinity.js';
import { forEachCandidate } from './common.js';

export const HARD_POD_AFFINITY_WEIGHT = 1;

export class ScoreState implements StateData {
  /** topologyKey → value → score */
  readonly topologyScore = new Map<string, Map<string, number>>();

  add(key: string, value: string, delta: number): void {
    let m = this.topologyScore.get(key);
    if (!m) this.topologyScore.set(key, (m = new Map()));
    m.set(value, (m.get(value) ?? 0) + delta);
  }

  clone(): StateData {
    return this;
  }
}

function processTerm(s: ScoreState, t: AffinityTerm, weight: number, p: PodInfo, nsLabels: Record<string, string> | undefined, node: NodeInfo): void {
  if (!termMatchesPod(t, p.namespace, p.labels, nsLabels)) return;
  const v = node.labels[t.topologyKey];
  if (v !== undefined) s.add(t.topologyKey, v, weight);
}

export function computeScoreState(
  h: Pick<Handle, 'assignedPodsWithLabel'>, pod: PodInfo, snapshot: Snapshot,
  preferred: WeightedAffinityTerm[], preferredAnti: WeightedAffinityTerm[], nsLabels: Record<string, string> | undefined,
): ScoreState {
  const s = new ScoreState();
  // The incoming pod's preferences over pods already placed.
  for (const [terms, sign] of [[preferred, 1], [preferredAnti, -1]] as const) {
    for (const t of terms) {
      forEachCandidate(h, snapshot, t, (other, node) => processTerm(s, t, sign * t.weight, other, undefined, node));
    }
  }
  // Placed pods' affinity towards the incoming pod.
  for (const node of snapshot.havePodsWithAffinityList) {
    for (const other of node.podsWithAffinity) {
      for (const t of other.requiredAffinityTerms) processTerm(s, t, HARD_POD_AFFINITY_WEIGHT, pod, nsLabels, node);
      for (const t of other.preferredAffinityTerms) processTerm(s, t, t.weight, pod, nsLabels, node);
      for (const t of other.preferredAntiAffinityTerms) processTerm(s, t, -t.weight, pod, nsLabels, node);
    }
  }
  return s;
}

export function scoreNode(s: ScoreState, node: NodeInfo): number {
  let score = 0;
  for (const [key, values] of s.topologyScore) {
    const v = node.labels[key];
    if (v !== undefined) score += values.get(v) ?? 0;
  }
  return score;
}

export function normalize(scores: Float64Array, count: number): void {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    if (scores[i] > max) max = scores[i];
    if (scores[i] < min) min = scores[i];
  }
  const diff = max - min;
  for (let i = 0; i < count; i++) scores[i] = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((scores[i] - min) / diff)) : 0;
}
