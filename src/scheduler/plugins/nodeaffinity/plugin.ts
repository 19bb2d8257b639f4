// NodeAffinity: spec.nodeSelector and required node affinity filter nodes (a term naming
// nodes by metadata.name narrows the candidates at PreFilter); preferred terms score nodes by
// the summed weight of the terms they match.

import {
  Action, defaultNormalizeScore, MAX_NODE_SCORE, PreFilterResult, SKIP, Status,
  type ClusterEventWithHint, type CycleState, type FilterPlugin, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin, type StateData,
} from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../nodeinfo.js';
import { compilePreferred, nodeNamesFromSelector, requiredNodeAffinityOf, termMatches, type RequiredNodeAffinity, type WeightedTerm } from '../../util/nodeselector.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';

const REJECT = Status.unresolvable(ERR_REASON_POD);
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

class PreFilterState implements StateData {
  constructor(readonly required: RequiredNodeAffinity) {}
  clone(): StateData {
    return this;
  }
}

class PreScoreState implements StateData {
  constructor(readonly preferred: WeightedTerm[]) {}
  clone(): StateData {
    return this;
  }
}

export type NodeAffinityPlugin = PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;

export function newNodeAffinity(): NodeAffinityPlugin {
  return {
    name: NAME,
    preFilter(state: CycleState, pod: PodInfo): Status | PreFilterResult | null {
      const required = requiredNodeAffinityOf(pod.pod);
      if (!required.restricts) return SKIP;
      state.write(PRE_FILTER_KEY, new PreFilterState(required));
      const names = nodeNamesFromSelector(pod.pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
      if (!names) return null;
      if (names.size === 0) return Status.unresolvable(ERR_REASON_CONFLICT);
      return new PreFilterResult(names);
    },
    filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
      const s = state.read<PreFilterState>(PRE_FILTER_KEY);
      const required = s ? s.required : requiredNodeAffinityOf(pod.pod);
      return required.matches(node.labels, node.name) ? null : REJECT;
    },
    preScore(state: CycleState, pod: PodInfo): Status | null {
      const preferred = compilePreferred(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
      if (preferred.length === 0) return SKIP;
      state.write(PRE_SCORE_KEY, new PreScoreState(preferred));
      return null;
    },
    score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
      const s = state.read<PreScoreState>(PRE_SCORE_KEY);
      const preferred = s ? s.preferred : compilePreferred(pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
      let score = 0;
      for (const p of preferred) if (termMatches(p.term, node.labels, node.name)) score += p.weight;
      return score;
    },
    normalizeScore(_state, _pod, scores: Float64Array, count: number): void {
      defaultNormalizeScore(MAX_NODE_SCORE, false, scores, count);
    },
    eventsToRegister: (): ClusterEventWithHint[] => [
      {
        event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeLabel },
        hint: (pod, _old, node) => (node && requiredNodeAffinityOf(pod).matches(node.metadata?.labels ?? {}, node.metadata?.name ?? '') ? 'Queue' : 'Skip'),
      },
    ],
  };
}
