// PodTopologySpread: spreads pods matching a selector evenly over topology domains (zones,
// nodes, ...). DoNotSchedule constraints filter (see filtering.ts), ScheduleAnyway ones — and
// the system defaults (hostname maxSkew 3, zone maxSkew 5, over the pod's Services and
// controller) for pods without constraints — score (see scoring.ts).

import {
  Action, SKIP, Status,
  type CycleState, type FilterPlugin, type Handle, type PreFilterExtensions, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin,
} from '../../framework.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../nodeinfo.js';
import { defaultConstraints, podConstraints } from './common.js';
import { computeFilterState, filterNode, type FilterState } from './filtering.js';
import { computeScoreState, normalize, scoreNode, type ScoreState } from './scoring.js';

export { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH } from './filtering.js';

export const NAME = 'PodTopologySpread';
const FILTER_KEY = `PreFilter${NAME}`;
const SCORE_KEY = `PreScore${NAME}`;

export type PodTopologySpreadPlugin = PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;

type H = Pick<Handle, 'lister' | 'assignedPodsWithLabel' | 'snapshot'>;

export function newPodTopologySpread(h: H): PodTopologySpreadPlugin {
  const extensions: PreFilterExtensions = {
    addPod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): Status | null {
      state.read<FilterState>(FILTER_KEY)?.updateWithPod(pod, other, node, 1);
      return null;
    },
    removePod(state: CycleState, pod: PodInfo, other: PodInfo, node: NodeInfo): Status | null {
      state.read<FilterState>(FILTER_KEY)?.updateWithPod(pod, other, node, -1);
      return null;
    },
  };
  return {
    name: NAME,
    preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | null {
      let constraints;
      try {
        constraints = podConstraints(pod.pod, 'DoNotSchedule');
      } catch (err) {
        return Status.error(err);
      }
      if (constraints.length === 0) return SKIP;
      state.write(FILTER_KEY, computeFilterState(h, pod, snapshot, constraints));
      return null;
    },
    preFilterExtensions: () => extensions,
    filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
      const s = state.read<FilterState>(FILTER_KEY);
      return s ? filterNode(s, pod, node) : null;
    },
    preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number): Status | null {
      const explicit = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
      let constraints;
      try {
        constraints = explicit ? podConstraints(pod.pod, 'ScheduleAnyway') : defaultConstraints(h, pod.pod);
      } catch (err) {
        return Status.error(err);
      }
      if (constraints.length === 0) return SKIP;
      state.write(SCORE_KEY, computeScoreState(h, pod, h.snapshot(), nodes, count, constraints, explicit));
      return null;
    },
    score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
      const s = state.read<ScoreState>(SCORE_KEY);
      return s ? scoreNode(s, pod, node) : 0;
    },
    normalizeScore(state: CycleState, _pod, scores: Float64Array, count: number, nodes: readonly NodeInfo[]): void {
      const s = state.read<ScoreState>(SCORE_KEY);
      if (s) normalize(s, scores, count, nodes);
    },
    eventsToRegister: () => [
      { event: { resource: 'AssignedPod', actions: Action.Add | Action.Delete | Action.UpdatePodLabel } },
      { event: { resource: 'Node', actions: Action.Add | Action.Delete | Action.UpdateNodeLabel | Action.UpdateNodeTaint } },
    ],
  };
}
