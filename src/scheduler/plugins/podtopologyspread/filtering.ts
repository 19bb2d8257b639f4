// PodTopologySpread's Filter half (DoNotSchedule constraints): PreFilter counts matching pods
// per topology domain over the eligible nodes; Filter admits a node when
//   matching pods in its domain + (1 if the pod matches itself) - global minimum <= maxSkew,
// where the minimum is 0 while fewer than minDomains domains exist.

import { Status, type CycleState, type Handle, type StateData } from '../../framework.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../nodeinfo.js';
import { forEachMatchingPod, nodeHasAllKeys, nodeIncluded, type Constraint } from './common.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

const REJECT_SKEW = Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
const REJECT_LABEL = Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);

export class FilterState implements StateData {
  /** Per constraint: topology value → matching pods. Every eligible domain has an entry. */
  counts: Map<string, number>[];
  minMatch: number[];

  constructor(readonly constraints: Constraint[], counts?: Map<string, number>[]) {
    this.counts = counts ?? constraints.map(() => new Map());
    this.minMatch = constraints.map(() => 0);
    for (let i = 0; i < constraints.length; i++) this.recompute(i);
  }

  recompute(i: number): void {
    const m = this.counts[i];
    if (m.size < this.constraints[i].minDomains) {
      this.minMatch[i] = 0;
      return;
    }
    let min = Infinity;
    for (const v of m.values()) if (v < min) min = v;
    this.minMatch[i] = min;
  }

  clone(): StateData {
    return new FilterState(this.constraints, this.counts.map((m) => new Map(m)));
  }

  /** PreFilterExtensions: `other` appears on/leaves `node` (delta ±1). */
  updateWithPod(pod: PodInfo, other: PodInfo, node: NodeInfo, delta: number): void {
    if (other.namespace !== pod.namespace || !nodeHasAllKeys(node.labels, this.constraints)) return;
    for (let i = 0; i < this.constraints.length; i++) {
      const c = this.constraints[i];
      if (!nodeIncluded(c, pod, node) || !c.selector.matches(other.labels)) continue;
      const v = node.labels[c.topologyKey];
      this.counts[i].set(v, (this.counts[i].get(v) ?? 0) + delta);
      this.recompute(i);
    }
  }
}

export function computeFilterState(h: Pick<Handle, 'assignedPodsWithLabel'>, pod: PodInfo, snapshot: Snapshot, constraints: Constraint[]): FilterState {
  const counts = constraints.map(() => new Map<string, number>());
  for (const node of snapshot.nodeInfoList) {
    if (!nodeHasAllKeys(node.labels, constraints)) continue;
    for (let i = 0; i < constraints.length; i++) {
      if (!nodeIncluded(constraints[i], pod, node)) continue;
      const v = node.labels[constraints[i].topologyKey];
      if (!counts[i].has(v)) counts[i].set(v, 0);
    }
  }
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i];
    const m = counts[i];
    forEachMatchingPod(h, snapshot, c.selector, pod.namespace, (node) => {
      if (!nodeHasAllKeys(node.labels, constraints) || !nodeIncluded(c, pod, node)) return;
      const v = node.labels[c.topologyKey];
      m.set(v, (m.get(v) ?? 0) + 1);
    });
  }
  return new FilterState(constraints, counts);
}

export function filterNode(s: FilterState, pod: PodInfo, node: NodeInfo): Status | null {
  for (let i = 0; i < s.constraints.length; i++) {
    const c = s.constraints[i];
    const v = node.labels[c.topologyKey];
    if (v === undefined) return REJECT_LABEL;
    const self = c.selector.matches(pod.labels) ? 1 : 0;
    const skew = (s.counts[i].get(v) ?? 0) + self - s.minMatch[i];
    if (skew > c.maxSkew) return REJECT_SKEW;
  }
  return null;
}

export function readFilterState(state: CycleState, key: string): FilterState | undefined {
  return state.read<FilterState>(key);
}
