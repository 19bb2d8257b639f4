// NodeResourcesFit: a pod fits a node when its requests (CPU, memory, ephemeral storage,
// extended resources, one pod slot; init containers by the max rule; overhead included) fit
// what the node's allocatable leaves after the pods already there. Scoring: LeastAllocated,
// which prefers nodes with more room left (CPU and memory, weight 1 each).
//
// A request larger than the whole node's allocatable is UnschedulableAndUnresolvable:
// preemption cannot free more than the node has.

import { Action, Code, MAX_NODE_SCORE, Status, type ClusterEventWithHint, type FilterPlugin, type PreFilterPlugin, type ScorePlugin } from '../../framework.js';
import type { Obj } from '../../../api/types.js';
import { NodeInfo, PodInfo } from '../../nodeinfo.js';
import { isExtendedResourceName } from '../../resources.js';

export const NAME = 'NodeResourcesFit';

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
  unresolvable: boolean;
}

export interface FitArgs {
  /** Extended resources to ignore (NodeResourcesFitArgs.ignoredResources). */
  ignoredResources?: string[];
  /** Resource groups (domain prefixes) to ignore (ignoredResourceGroups). */
  ignoredResourceGroups?: string[];
}

/** fitsRequest: every resource the pod cannot get on the node. */
export function fitsRequest(pod: PodInfo, node: NodeInfo, args: FitArgs = {}): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: node.pods.length, capacity: alloc.allowedPodNumber, unresolvable: false });
  }
  const req = pod.requests;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !req.scalar) return out;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
    out.push({ resourceName: 'cpu', reason: 'Insufficient cpu', requested: req.milliCPU, used: used.milliCPU, capacity: alloc.milliCPU, unresolvable: req.milliCPU > alloc.milliCPU });
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
    out.push({ resourceName: 'memory', reason: 'Insufficient memory', requested: req.memory, used: used.memory, capacity: alloc.memory, unresolvable: req.memory > alloc.memory });
  }
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out.push({
      resourceName: 'ephemeral-storage', reason: 'Insufficient ephemeral-storage', requested: req.ephemeralStorage,
      used: used.ephemeralStorage, capacity: alloc.ephemeralStorage, unresolvable: req.ephemeralStorage > alloc.ephemeralStorage,
    });
  }
  if (req.scalar) {
    for (const [name, q] of req.scalar) {
      if (q === 0) continue;
      if (isExtendedResourceName(name) && (args.ignoredResources?.includes(name) || args.ignoredResourceGroups?.includes(name.split('/')[0]))) continue;
      const a = alloc.getScalar(name);
      const u = used.getScalar(name);
      if (q > a - u) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: q, used: u, capacity: a, unresolvable: q > a });
    }
  }
  return out;
}

/** The common case without allocating: everything fits (extended resources: checked slowly). */
function fitsQuickly(pod: PodInfo, node: NodeInfo): boolean {
  const alloc = node.allocatable;
  const used = node.requested;
  const req = pod.requests;
  return node.pods.length + 1 <= alloc.allowedPodNumber
    && req.scalar === null
    && req.milliCPU <= alloc.milliCPU - used.milliCPU
    && req.memory <= alloc.memory - used.memory
    && req.ephemeralStorage <= alloc.ephemeralStorage - used.ephemeralStorage;
}

// Failing nodes mostly fail the same way: share one Status per distinct outcome.
const statusCache = new Map<string, Status>();
function statusFor(list: InsufficientResource[]): Status {
  let code = Code.Unschedulable;
  const reasons = list.map((r) => {
    if (r.unresolvable) code = Code.UnschedulableAndUnresolvable;
    return r.reason;
  });
  const key = `${code}|${reasons.join('\u0000')}`;
  let s = statusCache.get(key);
  if (!s) {
    if (statusCache.size > 10_000) statusCache.clear();
    statusCache.set(key, (s = new Status(code, reasons)));
  }
  return s;
}

/** leastRequestedScore: (capacity - requested) * 100 / capacity, integer. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export type NodeResourcesFitPlugin = PreFilterPlugin & FilterPlugin & ScorePlugin;

export function newNodeResourcesFit(args: FitArgs = {}): NodeResourcesFitPlugin {
  return {
    name: NAME,
    // The pod's requests are pre-computed in its PodInfo; nothing to prepare.
    preFilter: () => null,
    filter(_state, pod: PodInfo, node: NodeInfo): Status | null {
      if (fitsQuickly(pod, node)) return null;
      const list = fitsRequest(pod, node, args);
      return list.length === 0 ? null : statusFor(list);
    },
    /** LeastAllocated over CPU and memory, using the non-zero defaults for requests left unset. */
    score(_state, pod: PodInfo, node: NodeInfo): number {
      let sum = 0;
      let weights = 0;
      const cpuCap = node.allocatable.milliCPU;
      if (cpuCap !== 0) {
        sum += leastRequestedScore(node.nonZeroRequested.milliCPU + pod.nonZeroCPU, cpuCap);
        weights++;
      }
      const memCap = node.allocatable.memory;
      if (memCap !== 0) {
        sum += leastRequestedScore(node.nonZeroRequested.memory + pod.nonZeroMemory, memCap);
        weights++;
      }
      return weights === 0 ? 0 : Math.trunc(sum / weights);
    },
    eventsToRegister: (): ClusterEventWithHint[] => [
      { event: { resource: 'AssignedPod', actions: Action.Delete | Action.UpdatePodScaleDown } },
      {
        event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeAllocatable },
        // Only a node big enough for the pod can help (ignoring what already runs there).
        hint: (pod, _old, node) => (node && fitsRequest(podInfoFor(pod), new NodeInfo(node.metadata?.name ?? '', node), args).length === 0 ? 'Queue' : 'Skip'),
      },
    ],
  };
}

const podInfos = new WeakMap<object, PodInfo>();
function podInfoFor(pod: Obj): PodInfo {
  let pi = podInfos.get(pod);
  if (!pi) podInfos.set(pod, (pi = new PodInfo(pod)));
  return pi;
}
