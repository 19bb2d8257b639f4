// A pod's aggregate resources and the limits of its pod-level cgroup, computed as the kubelet
// does (resource.PodRequests/PodLimits, cm.ResourceConfigForPod):
//  - app containers add up; an init container runs alone, so the pod needs the larger of the
//    biggest init container and the app containers' sum; restartable init containers
//    (sidecars, restartPolicy Always) keep running, so they add to the app containers and to
//    every init container that starts after them;
//  - pod overhead adds to every request, and to the limits that are set;
//  - the pod cgroup's cpu.shares come from the CPU requests (BestEffort: the minimum), its CFS
//    quota from the CPU limits only when every container has one, its memory limit only when
//    every container has one (Guaranteed pods always have both).
// Quantities are handled in milli-units so CPU and memory share one representation.

import { tryParseQuantity } from '../../api/quantity.js';
import type { Obj } from '../../api/types.js';
import { CPU_PERIOD_US, milliCPUToQuota, milliCPUToShares, podQOSClass } from './resources.js';

/** Resource name → amount in milli-units (cpu: millicores; memory: milli-bytes). */
export type ResourceMap = Record<string, number>;

export const MIN_SHARES = 2;

function toMap(list: Obj | undefined): ResourceMap {
  const out: ResourceMap = {};
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = tryParseQuantity(v);
    if (q) out[k] = q.milliValue();
  }
  return out;
}

function add(into: ResourceMap, from: ResourceMap): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function max(into: ResourceMap, from: ResourceMap): void {
  for (const [k, v] of Object.entries(from)) if (!(k in into) || v > into[k]) into[k] = v;
}

const sum = (...maps: ResourceMap[]): ResourceMap => {
  const out: ResourceMap = {};
  for (const m of maps) add(out, m);
  return out;
};

const restartable = (c: Obj): boolean => c?.restartPolicy === 'Always';

/** A container's requests, defaulted from its limits as the API server defaults them. */
function containerRequests(c: Obj): ResourceMap {
  return { ...toMap(c?.resources?.limits), ...toMap(c?.resources?.requests) };
}

type Kind = 'requests' | 'limits';

/**
 * The pod's aggregate of one kind; `each` sees every container's contribution as the
 * aggregation counts it (an init container's includes the sidecars started before it).
 */
function aggregate(pod: Obj, kind: Kind, each?: (res: ResourceMap) => void): ResourceMap {
  const of = (c: Obj): ResourceMap => (kind === 'requests' ? containerRequests(c) : toMap(c?.resources?.limits));
  const out: ResourceMap = {};
  for (const c of pod?.spec?.containers ?? []) {
    const r = of(c);
    each?.(r);
    add(out, r);
  }
  const sidecars: ResourceMap = {};
  const inits: ResourceMap = {};
  for (const c of pod?.spec?.initContainers ?? []) {
    let r = of(c);
    if (restartable(c)) {
      add(out, r);
      add(sidecars, r);
      r = { ...sidecars };
    } else {
      r = sum(r, sidecars);
    }
    each?.(r);
    max(inits, r);
  }
  max(out, inits);
  const overhead = toMap(pod?.spec?.overhead);
  if (kind === 'requests') add(out, overhead);
  else for (const [k, v] of Object.entries(overhead)) if (k in out) out[k] += v;
  return out;
}

/** Requests by pod spec: an informer's objects are replaced, never changed, so a spec's sum stays. */
const requestsBySpec = new WeakMap<object, ResourceMap>();

/** resource.PodRequests: what the pod needs (admission, the pod cgroup's CPU shares). */
export function podRequests(pod: Obj): ResourceMap {
  const spec = pod?.spec;
  if (!spec || typeof spec !== 'object') return aggregate(pod, 'requests');
  let r = requestsBySpec.get(spec);
  if (!r) requestsBySpec.set(spec, (r = aggregate(pod, 'requests')));
  return { ...r };
}

/** resource.PodLimits, and whether every container has a CPU and a memory limit. */
export function podLimits(pod: Obj): { limits: ResourceMap; cpuLimited: boolean; memoryLimited: boolean } {
  let cpuLimited = true, memoryLimited = true;
  const limits = aggregate(pod, 'limits', (r) => {
    if (!r.cpu) cpuLimited = false;
    if (!r.memory) memoryLimited = false;
  });
  return { limits, cpuLimited, memoryLimited };
}

/** What the pod cgroup gets (ResourceConfig): unset fields stay unlimited. */
export interface PodResourceConfig {
  cpuShares: number;
  /** CFS quota in µs per period; -1 = unlimited (cpuCFSQuota: false). */
  cpuQuota?: number;
  cpuPeriod?: number;
  memoryLimitBytes?: number;
  pidsLimit?: number;
}

export interface PodResourceOptions {
  /** KubeletConfiguration cpuCFSQuota (default true): enforce CPU limits with CFS quota. */
  enforceCPULimits?: boolean;
  cpuPeriodUs?: number;
  /** KubeletConfiguration podPidsLimit: > 0 limits the pod's processes; -1 or unset does not. */
  podPidsLimit?: number;
}

/** ResourceConfigForPod, plus the node's pod PID limit (as EnsureExists adds it). */
export function resourceConfigForPod(pod: Obj, o: PodResourceOptions = {}): PodResourceConfig {
  const period = o.cpuPeriodUs ?? CPU_PERIOD_US;
  const reqs = podRequests(pod);
  const { limits, cpuLimited, memoryLimited } = podLimits(pod);
  const shares = milliCPUToShares(reqs.cpu ?? 0);
  const quota = o.enforceCPULimits === false ? -1 : milliCPUToQuota(limits.cpu ?? 0, period);
  const memory = Math.ceil((limits.memory ?? 0) / 1000);
  const qos = pod?.status?.qosClass ?? podQOSClass(pod);
  let out: PodResourceConfig;
  if (qos === 'Guaranteed') out = { cpuShares: shares, cpuQuota: quota, cpuPeriod: period, memoryLimitBytes: memory };
  else if (qos === 'Burstable') {
    out = { cpuShares: shares };
    if (cpuLimited) Object.assign(out, { cpuQuota: quota, cpuPeriod: period });
    if (memoryLimited) out.memoryLimitBytes = memory;
  } else out = { cpuShares: MIN_SHARES };
  if (o.podPidsLimit !== undefined && o.podPidsLimit > 0) out.pidsLimit = o.podPidsLimit;
  return out;
}

/** cgroup v2's cpu.weight for v1 cpu.shares (the OCI/runc conversion the kubelet uses). */
export function sharesToWeight(shares: number): number {
  if (shares <= 0) return 0;
  return 1 + Math.floor(((shares - 2) * 9999) / 262_142);
}
