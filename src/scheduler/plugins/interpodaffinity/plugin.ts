// InterPodAffinity: required pod affinity / anti-affinity filter nodes (filtering.ts),
// preferred terms — the incoming pod's and those of pods already placed — score them
// (scoring.ts). Namespace selectors are resolved against the namespaces informer.

import {
  Action, SKIP, Status,
  type CycleState, type FilterPlugin, type Handle, type PreFilterExtensions, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin,
} from '../../framework.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../nodeinfo.js';
import { mergeTermNamespaces, namespaceLabels } from './common.js';
import { computeAffinityState, filterNode, type AffinityState } from './filtering.js';
import { computeScoreState, normalize, scoreNode, type ScoreState } from './scoring.js';

export {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH, ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
} from './filtering.js';

export const NAME = 'InterPodAffinity';
const FILTER_KEY = `PreFilter${NAME}`;
const SCORE_KEY = `PreScore${NAME}`;

export type InterPodAffinityPlugin = PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;

type H = Pick<Handle, 'lister' | 'assignedPodsWithLabel' | 'snapshot'>;

export function newInterPodAffinity(h: H): InterPodAffinityPlugin {
  const extensions: PreFilterExtensions = {
    addPod(state: CycleState, _pod: PodInfo, other: PodInfo, node: NodeInfo): Status | null {
      state.read<AffinityState>(FILTER_KEY)?.updateWithPod(other, node, 1);
      return null;
    },
    removePod(state: CycleState, _pod: PodInfo, other: PodInfo, node: NodeInfo): Status | null {
      state.read<AffinityState>(FILTER_KEY)?.updateWithPod(other, node, -1);
      return null;
    },
  };
  return {
    name: NAME,
    preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | null {
      if (pod.parseError) return Status.unresolvable(`parsing pod: ${pod.parseError.message}`);
      const noTerms = pod.requiredAffinityTerms.length === 0 && pod.requiredAntiAffinityTerms.length === 0;
      if (noTerms && snapshot.havePodsWithRequiredAntiAffinityList.length === 0) return SKIP;
      const nsLabels = namespaceLabels(h, pod.namespace);
      const s = computeAffinityState(h, pod, snapshot,
        mergeTermNamespaces(h, pod.requiredAffinityTerms), mergeTermNamespaces(h, pod.requiredAntiAffinityTerms), nsLabels);
      if (noTerms && s.existingAnti.size === 0) return SKIP;
      state.write(FILTER_KEY, s);
      return null;
    },
    preFilterExtensions: () => extensions,
    filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | null {
      const s = state.read<AffinityState>(FILTER_KEY);
      return s ? filterNode(s, node) : null;
    },
    preScore(state: CycleState, pod: PodInfo, _nodes: readonly NodeInfo[], count: number): Status | null {
      if (count === 0) return SKIP;
      const snapshot = h.snapshot();
      const hasPreferred = pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
      if (!hasPreferred && snapshot.havePodsWithAffinityList.length === 0) return SKIP;
      const s = computeScoreState(h, pod, snapshot,
        mergeTermNamespaces(h, pod.preferredAffinityTerms), mergeTermNamespaces(h, pod.preferredAntiAffinityTerms), namespaceLabels(h, pod.namespace));
      if (s.topologyScore.size === 0) return SKIP;
      state.write(SCORE_KEY, s);
      return null;
    },
    score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
      const s = state.read<ScoreState>(SCORE_KEY);
      return s ? scoreNode(s, node) : 0;
    },
    normalizeScore(_state, _pod, scores: Float64Array, count: number): void {
      normalize(scores, count);
    },
    eventsToRegister: () => [
      { event: { resource: 'AssignedPod', actions: Action.Add | Action.Delete | Action.UpdatePodLabel } },
      { event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeLabel } },
      { event: { resource: 'Namespace', actions: Action.Add | Action.UpdateOther } },
    ],
  };
}
