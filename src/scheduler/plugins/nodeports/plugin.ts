// NodePorts: a pod asking for host ports fits only nodes where no pod holds the same
// protocol/port on the same address (0.0.0.0 conflicts with every address).

import { Action, SKIP, Status, type CycleState, type FilterPlugin, type PreFilterPlugin, type StateData } from '../../framework.js';
import type { HostPort, NodeInfo, PodInfo } from '../../nodeinfo.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

const REJECT = Status.unschedulable(ERR_REASON);
const KEY = `PreFilter${NAME}`;

class PortsState implements StateData {
  constructor(readonly ports: readonly HostPort[]) {}
  clone(): StateData {
    return this;
  }
}

export function fitsPorts(ports: readonly HostPort[], node: NodeInfo): boolean {
  if (node.usedPorts.size === 0) return true;
  for (const p of ports) if (node.usedPorts.conflicts(p)) return false;
  return true;
}

export type NodePortsPlugin = PreFilterPlugin & FilterPlugin;

export function newNodePorts(): NodePortsPlugin {
  return {
    name: NAME,
    preFilter(state: CycleState, pod: PodInfo): Status | null {
      if (pod.hostPorts.length === 0) return SKIP;
      state.write(KEY, new PortsState(pod.hostPorts));
      return null;
    },
    filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
      const ports = state.read<PortsState>(KEY)?.ports ?? pod.hostPorts;
      return fitsPorts(ports, node) ? null : REJECT;
    },
    eventsToRegister: () => [
      { event: { resource: 'AssignedPod', actions: Action.Delete } },
      { event: { resource: 'Node', actions: Action.Add } },
    ],
  };
}
