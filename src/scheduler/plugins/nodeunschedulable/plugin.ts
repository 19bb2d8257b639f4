// NodeUnschedulable: cordoned nodes (spec.unschedulable) take only pods tolerating the
// node.kubernetes.io/unschedulable:NoSchedule taint.

import { Action, Status, type FilterPlugin } from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../nodeinfo.js';
import { tolerationsTolerateTaint } from '../../util/taints.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', value: '', effect: 'NoSchedule' };
const REJECT = Status.unresolvable(ERR_REASON_UNSCHEDULABLE);

export function newNodeUnschedulable(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod: PodInfo, node: NodeInfo): Status | null {
      if (!node.unschedulable) return null;
      return tolerationsTolerateTaint(pod.tolerations, UNSCHEDULABLE_TAINT) ? null : REJECT;
    },
    eventsToRegister: () => [
      {
        event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeTaint },
        hint: (_pod, _old, node) => (node?.spec?.unschedulable ? 'Skip' : 'Queue'),
      },
      { event: { resource: 'UnscheduledPod', actions: Action.UpdatePodTolerations } },
    ],
  };
}
