// NodeName: a pod that names a node in spec.nodeName fits only that node.

import { Action, Status, type FilterPlugin } from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../nodeinfo.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

const REJECT = Status.unresolvable(ERR_REASON);

export function newNodeName(): FilterPlugin {
  return {
    name: NAME,
    filter(_state, pod: PodInfo, node: NodeInfo): Status | null {
      const want = pod.nodeName;
      return want === '' || want === node.name ? null : REJECT;
    },
    eventsToRegister: () => [{ event: { resource: 'Node', actions: Action.Add } }],
  };
}
