// Simulated nodes, the entry points:
//   startSimulatedNodes  runs the agent and makes sure nodes PREFIX1..PREFIXcount exist
//                        (`skiff server --simulated-nodes N`; restarts adopt the same nodes);
//   addSimulatedNodes    registers more nodes from anywhere (`skiff nodes add N`); a running
//                        agent picks them up by their label.

import type { KubeClient } from '../../client/interface.js';
import { sleep } from '../../client/wait.js';
import { SimulatedNodeAgent, type SimulatedNodeAgentOptions } from './agent.js';
import { DEFAULT_NAME_PREFIX, registerSimulatedNodes, type ResourceList, type SimulatedNodeTemplate } from './register.js';

export { SimulatedNodeAgent, DEFAULT_NODE_ADDRESS_RANGE, type SimulatedNodeAgentOptions } from './agent.js';
export {
  addSimulatedNodes, registerSimulatedNodes, simulatedNode, nodeResources, DEFAULT_CAPACITY, DEFAULT_NAME_PREFIX,
  SIMULATED_LABEL, SIMULATED_SELECTOR, RESOURCES_ANNOTATION, type AddSimulatedNodesOptions, type SimulatedNodeTemplate, type ResourceList,
} from './register.js';
export { ANNOTATION_EXIT_AFTER, ANNOTATION_EXIT_CODE } from './podsim.js';

export interface StartSimulatedNodesOptions extends Omit<SimulatedNodeAgentOptions, 'capacity'> {
  client: KubeClient;
  /** Nodes PREFIX1..PREFIXcount are registered if missing (0: only run nodes others add). */
  count: number;
  namePrefix?: string;
  capacity?: ResourceList;
  /** Registration details of the nodes created here (labels, taints, allocatable, ...). */
  template?: Omit<SimulatedNodeTemplate, 'capacity'>;
  signal: AbortSignal;
}

export interface SimulatedNodes {
  agent: SimulatedNodeAgent;
  /** Names of the nodes this call registered (or found). */
  names: string[];
  /** Resolves when the agent has stopped (after the signal aborted). */
  done: Promise<void>;
}

/**
 * Starts the agent and registers the nodes; resolves once they exist and the agent's node
 * cache has them (they turn Ready within readyDelayMs, once the node IPAM controller has given
 * them a podCIDR).
 */
export async function startSimulatedNodes(o: StartSimulatedNodesOptions): Promise<SimulatedNodes> {
  const agent = new SimulatedNodeAgent(o);
  const done = agent.run(o.signal).catch((err) => agent.log.error(`simulated node agent stopped: ${(err as Error)?.stack ?? err}`));
  const prefix = o.namePrefix ?? DEFAULT_NAME_PREFIX;
  const names = Array.from({ length: Math.max(0, o.count) }, (_, i) => `${prefix}${i + 1}`);
  try {
    await registerSimulatedNodes(names, { ...(o.template ?? {}), capacity: o.capacity, client: o.client, signal: o.signal });
    await agent.waitForSync(o.signal);
    // The watch may deliver the fresh nodes a moment after the list: wait until all are run.
    const deadline = Date.now() + 60_000;
    while (!o.signal.aborted && names.some((n) => !agent.nodes.has(n)) && Date.now() < deadline) await sleep(10, o.signal);
  } catch (err) {
    if (!o.signal.aborted) throw err;
  }
  return { agent, names, done };
}
