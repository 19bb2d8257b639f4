// Resources as the kubelet hands them to the runtime: the pod's QoS class, its cgroup parent
// (cgroupfs driver: /kubepods[/burstable|/besteffort]/pod<uid>), and a container's
// LinuxContainerResources — CPU shares from the request, CFS quota from the limit, the
// memory limit (swap capped at the same value where the kernel accounts swap), and the
// QoS-based OOM score adjustment. Upstream gives Guaranteed pods -997; skiff's node has no
// CAP_SYS_RESOURCE (containerd's restrict_oom_score_adj), so scores are clamped at 0.

import { existsSync } from 'node:fs';
import { tryParseQuantity } from '../../api/quantity.js';
import type { Obj } from '../../api/types.js';
import type { LinuxContainerResources } from '../cri/types.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = ['cpu', 'memory'];
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;
const SHARES_PER_CPU = 1024;
const MIN_QUOTA_PERIOD = 1000;
export const CPU_PERIOD_US = 100_000;
const GUARANTEED_OOM_SCORE_ADJ = -997;
const BESTEFFORT_OOM_SCORE_ADJ = 1000;
/** The lowest score skiff may ask for (no CAP_SYS_RESOURCE: containerd's own score is the floor). */
export const MIN_OOM_SCORE_ADJ = 0;

/** A quantity in milli-units (cpu) or units (memory), 0 when absent or unparsable. */
function milli(q: unknown): number {
  return tryParseQuantity(q)?.milliValue() ?? 0;
}
function units(q: unknown): number {
  return tryParseQuantity(q)?.value() ?? 0;
}

/** The pod's QoS class (v1qos.GetPodQOS), from init and regular containers' cpu and memory. */
export function podQOSClass(pod: Obj): QOSClass {
  const spec = pod?.spec ?? {};
  const requests = new Map<string, number>(), limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const found = new Set<string>();
    for (const [name, q] of Object.entries(c?.resources?.requests ?? {})) {
      if (!QOS_RESOURCES.includes(name)) continue;
      const v = milli(q);
      if (v > 0) requests.set(name, (requests.get(name) ?? 0) + v);
    }
    for (const [name, q] of Object.entries(c?.resources?.limits ?? {})) {
      if (!QOS_RESOURCES.includes(name)) continue;
      const v = milli(q);
      if (v > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0) + v);
      }
    }
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, v] of requests) if (limits.get(name) !== v) guaranteed = false;
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/** The pod's cgroup parent under the cgroupfs driver (containers nest below it). */
export function podCgroupParent(pod: Obj, root = '/kubepods'): string {
  const qos = pod?.status?.qosClass ?? podQOSClass(pod);
  const tier = qos === 'Burstable' ? '/burstable' : qos === 'BestEffort' ? '/besteffort' : '';
  return `${root}${tier}/pod${pod.metadata.uid}`;
}

export function milliCPUToShares(milliCPU: number): number {
  if (milliCPU <= 0) return MIN_SHARES;
  const shares = Math.floor((milliCPU * SHARES_PER_CPU) / 1000);
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, shares));
}

export function milliCPUToQuota(milliCPU: number, periodUs = CPU_PERIOD_US): number {
  if (milliCPU <= 0) return 0;
  return Math.max(MIN_QUOTA_PERIOD, Math.floor((milliCPU * periodUs) / 1000));
}

/** GetContainerOOMScoreAdjust, clamped at MIN_OOM_SCORE_ADJ. */
export function oomScoreAdj(pod: Obj, container: Obj, memoryCapacity: number): number {
  const qos = pod?.status?.qosClass ?? podQOSClass(pod);
  let score: number;
  if (pod?.spec?.priorityClassName === 'system-node-critical' || qos === 'Guaranteed') score = GUARANTEED_OOM_SCORE_ADJ;
  else if (qos === 'BestEffort') score = BESTEFFORT_OOM_SCORE_ADJ;
  else {
    const request = units(container?.resources?.requests?.memory);
    score = memoryCapacity > 0 ? 1000 - Math.floor((1000 * request) / memoryCapacity) : 1000;
    // Burstable pods rank above a Guaranteed pod using all its memory, and below BestEffort.
    if (score < 1000 + GUARANTEED_OOM_SCORE_ADJ) score = 1000 + GUARANTEED_OOM_SCORE_ADJ;
    if (score === BESTEFFORT_OOM_SCORE_ADJ) score = score - 1;
  }
  return Math.max(MIN_OOM_SCORE_ADJ, score);
}

/** Whether the kernel accounts swap per cgroup (cgroup v1 memsw, v2 memory.swap.max). */
export function swapAccounting(): boolean {
  return existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') || existsSync('/sys/fs/cgroup/cgroup.controllers');
}

export interface ResourceOptions {
  /** The node's memory in bytes (Burstable OOM scores). */
  memoryCapacity: number;
  /** Cap swap at the memory limit (no swap for limited containers, upstream's NoSwap). */
  limitSwap?: boolean;
}

/** A container's LinuxContainerResources (generateLinuxContainerResources). */
export function containerResources(pod: Obj, container: Obj, o: ResourceOptions): LinuxContainerResources {
  const req = container?.resources?.requests ?? {}, lim = container?.resources?.limits ?? {};
  const cpuRequest = milli(req.cpu), cpuLimit = milli(lim.cpu);
  const memoryLimit = units(lim.memory);
  // An unset request defaults to the limit (the API server does this too, for new pods).
  const shares = milliCPUToShares(cpuRequest === 0 && cpuLimit > 0 ? cpuLimit : cpuRequest);
  const out: LinuxContainerResources = {
    cpuShares: shares,
    cpuPeriod: CPU_PERIOD_US,
    cpuQuota: milliCPUToQuota(cpuLimit),
    oomScoreAdj: oomScoreAdj(pod, container, o.memoryCapacity),
  };
  if (memoryLimit > 0) {
    out.memoryLimitInBytes = memoryLimit;
    if (o.limitSwap) out.memorySwapLimitInBytes = memoryLimit;
  }
  return out;
}
