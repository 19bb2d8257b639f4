// NodeResourcesBalancedAllocation: prefers nodes whose CPU and memory would be used in
// similar proportions after placing the pod: score = (1 - std(fractions)) * 100, where
// fraction = (requested on node + pod's request) / allocatable, capped at 1. Best-effort pods
// (no requests) are not scored, so they do not pile onto one node.

import { Action, MAX_NODE_SCORE, SKIP, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../nodeinfo.js';

export const NAME = 'NodeResourcesBalancedAllocation';

/** balancedResourceScorer for any number of resources. */
export function balancedScore(requested: readonly number[], allocatable: readonly number[]): number {
  let n = 0;
  let total = 0;
  let f0 = 0;
  let f1 = 0;
  const fractions: number[] = [];
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(1, requested[i] / allocatable[i]);
    if (n === 0) f0 = f; else if (n === 1) f1 = f;
    fractions.push(f);
    total += f;
    n++;
  }
  let std = 0;
  if (n === 2) std = Math.abs((f0 - f1) / 2);
  else if (n > 2) {
    const mean = total / n;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export type BalancedAllocationPlugin = PreScorePlugin & ScorePlugin;

export function newBalancedAllocation(): BalancedAllocationPlugin {
  return {
    name: NAME,
    preScore(_state, pod: PodInfo): Status | null {
      const r = pod.requests;
      return r.milliCPU === 0 && r.memory === 0 ? SKIP : null;
    },
    score(_state, pod: PodInfo, node: NodeInfo): number {
      // Two resources, inlined: this runs for every feasible node.
      const ca = node.allocatable.milliCPU;
      const ma = node.allocatable.memory;
      const cf = ca === 0 ? -1 : Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / ca);
      const mf = ma === 0 ? -1 : Math.min(1, (node.requested.memory + pod.requests.memory) / ma);
      const std = cf >= 0 && mf >= 0 ? Math.abs((cf - mf) / 2) : 0;
      return Math.trunc((1 - std) * MAX_NODE_SCORE);
    },
    eventsToRegister: () => [
      { event: { resource: 'AssignedPod', actions: Action.Delete } },
      { event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeAllocatable } },
    ],
  };
}
