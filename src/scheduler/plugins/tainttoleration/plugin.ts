// TaintToleration: a node's NoSchedule/NoExecute taints keep out pods that do not tolerate
// them; PreferNoSchedule taints a pod does not tolerate lower the node's score.

import {
  Action, defaultNormalizeScore, MAX_NODE_SCORE, Status,
  type CycleState, type FilterPlugin, type PreScorePlugin, type ScorePlugin, type StateData,
} from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../nodeinfo.js';
import { findUntoleratedTaint, tolerationsTolerateTaint, type Taint, type Toleration } from '../../util/taints.js';

export const NAME = 'TaintToleration';
const PRE_SCORE_KEY = `PreScore${NAME}`;

const hardEffect = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';

// One Status per distinct taint: nodes sharing a taint share the rejection object.
const rejections = new Map<string, Status>();
function rejectFor(t: Taint): Status {
  const msg = `node(s) had untolerated taint {${t.key}: ${t.value}}`;
  let s = rejections.get(msg);
  if (!s) {
    if (rejections.size > 10_000) rejections.clear();
    rejections.set(msg, (s = Status.unresolvable(msg)));
  }
  return s;
}

class PreScoreState implements StateData {
  constructor(readonly tolerations: Toleration[]) {}
  clone(): StateData {
    return this;
  }
}

function preferNoScheduleTolerations(pod: PodInfo): Toleration[] {
  return pod.tolerations.filter((t) => t.effect === '' || t.effect === 'PreferNoSchedule');
}

export type TaintTolerationPlugin = FilterPlugin & PreScorePlugin & ScorePlugin;

export function newTaintToleration(): TaintTolerationPlugin {
  return {
    name: NAME,
    filter(_state, pod: PodInfo, node: NodeInfo): Status | null {
      if (node.taints.length === 0) return null;
      const t = findUntoleratedTaint(node.taints, pod.tolerations, hardEffect);
      return t ? rejectFor(t) : null;
    },
    preScore(state: CycleState, pod: PodInfo): Status | null {
      state.write(PRE_SCORE_KEY, new PreScoreState(preferNoScheduleTolerations(pod)));
      return null;
    },
    /** The number of PreferNoSchedule taints not tolerated (normalised in reverse). */
    score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
      if (node.taints.length === 0) return 0;
      const tols = state.read<PreScoreState>(PRE_SCORE_KEY)?.tolerations ?? preferNoScheduleTolerations(pod);
      let n = 0;
      for (const t of node.taints) if (t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tols, t)) n++;
      return n;
    },
    normalizeScore(_state, _pod, scores: Float64Array, count: number): void {
      defaultNormalizeScore(MAX_NODE_SCORE, true, scores, count);
    },
    eventsToRegister: () => [
      { event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeTaint } },
      { event: { resource: 'UnscheduledPod', actions: Action.UpdatePodTolerations } },
    ],
  };
}
