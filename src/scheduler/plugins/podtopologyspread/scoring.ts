// PodTopologySpread's Score half (ScheduleAnyway constraints, or the system defaults when the
// pod has no constraints): a node scores sum(matching pods in its domain × ln(domains + 2) +
// maxSkew - 1) over constraints; normalisation then favours the least crowded domains.

import { MAX_NODE_SCORE, type Handle, type StateData } from '../../framework.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../nodeinfo.js';
import { countPodsMatchSelector, forEachMatchingPod, HOSTNAME_LABEL, nodeHasAllKeys, nodeIncluded, type Constraint } from './common.js';

export class ScoreState implements StateData {
  constructor(
    readonly constraints: Constraint[],
    /** Nodes lacking a topology key when every key is required: scored 0. */
    readonly ignored: Set<string>,
    /** Per constraint (not hostname): domain value → matching pods. */
    readonly counts: Map<string, number>[],
    readonly weights: number[],
  ) {}
  clone(): StateData {
    return this;
  }
}

export function computeScoreState(
  h: Pick<Handle, 'assignedPodsWithLabel'>, pod: PodInfo, snapshot: Snapshot, filtered: readonly NodeInfo[], count: number,
  constraints: Constraint[], requireAll: boolean,
): ScoreState {
  const ignored = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  for (let n = 0; n < count; n++) {
    const node = filtered[n];
    if (requireAll && !nodeHasAllKeys(node.labels, constraints)) {
      ignored.add(node.name);
      continue;
    }
    for (let i = 0; i < constraints.length; i++) {
      const key = constraints[i].topologyKey;
      if (key === HOSTNAME_LABEL) continue;
      const v = node.labels[key];
      if (v !== undefined && !counts[i].has(v)) counts[i].set(v, 0);
    }
  }
  const weights = constraints.map((c, i) => Math.log((c.topologyKey === HOSTNAME_LABEL ? count - ignored.size : counts[i].size) + 2));
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i];
    const m = counts[i];
    if (c.topologyKey === HOSTNAME_LABEL || m.size === 0) continue;
    forEachMatchingPod(h, snapshot, c.selector, pod.namespace, (node) => {
      if (requireAll && !nodeHasAllKeys(node.labels, constraints)) return;
      if (!nodeIncluded(c, pod, node)) return;
      const v = node.labels[c.topologyKey];
      const cur = v === undefined ? undefined : m.get(v);
      if (cur !== undefined) m.set(v, cur + 1);
    });
  }
  return new ScoreState(constraints, ignored, counts, weights);
}

export function scoreNode(s: ScoreState, pod: PodInfo, node: NodeInfo): number {
  if (s.ignored.has(node.name)) return 0;
  let score = 0;
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const v = node.labels[c.topologyKey];
    if (v === undefined) continue;
    const cnt = c.topologyKey === HOSTNAME_LABEL ? countPodsMatchSelector(node.pods, c.selector, pod.namespace) : s.counts[i].get(v) ?? 0;
    score += cnt * s.weights[i] + (c.maxSkew - 1);
  }
  return Math.round(score);
}

/** Fewer matching pods → higher score; ignored nodes get 0. */
export function normalize(s: ScoreState, scores: Float64Array, count: number, nodes: readonly NodeInfo[]): void {
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < count; i++) {
    if (s.ignored.has(nodes[i].name)) continue;
    if (scores[i] < min) min = scores[i];
    if (scores[i] > max) max = scores[i];
  }
  for (let i = 0; i < count; i++) {
    if (s.ignored.has(nodes[i].name)) {
      scores[i] = 0;
      continue;
    }
    scores[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
  }
}
