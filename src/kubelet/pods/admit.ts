// The kubelet's own admission of a pod bound to its node (the predicate admit handler of
// canAdmitPod): the scheduler may have been bypassed (spec.nodeName set by the client) or
// may have raced, so before anything of the pod runs the kubelet checks again that it fits
// among the pods it already admitted — the pod count (maxPods), requests against
// allocatable, the pod's node selector and required node affinity, the node name, host
// ports, NoExecute taints (not for static pods) and the pod's OS. The first failure is the
// reason; the caller rejects the pod (Failed, "Pod was rejected: <message>").
// Critical pods (static, mirror, system priority) are not failed for lack of resources:
// upstream makes room for them by evicting others (skiff evicts nothing, it admits them).

import { tryParseQuantity } from '../../api/quantity.js';
import type { Obj } from '../../api/types.js';
import { podRequests, type ResourceMap } from '../kuberuntime/podresources.js';

export interface Rejection { reason: string; message: string }

const CONFIG_SOURCE = 'kubernetes.io/config.source';
const CONFIG_MIRROR = 'kubernetes.io/config.mirror';
const OS_LABEL = 'kubernetes.io/os';
const NODE_OS = 'linux';
/** scheduling.SystemCriticalPriority: pods at or above it are critical. */
const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

export const isStaticPod = (pod: Obj): boolean => {
  const src = pod?.metadata?.annotations?.[CONFIG_SOURCE];
  return src !== undefined && src !== 'api';
};

export const isCriticalPod = (pod: Obj): boolean =>
  isStaticPod(pod) || pod?.metadata?.annotations?.[CONFIG_MIRROR] !== undefined
  || (typeof pod?.spec?.priority === 'number' && pod.spec.priority >= SYSTEM_CRITICAL_PRIORITY);

interface Insufficient { resource: string; requested: number; used: number; capacity: number }

const OUT_OF: Record<string, string> = { cpu: 'OutOfcpu', memory: 'OutOfmemory', 'ephemeral-storage': 'OutOfephemeral-storage', pods: 'OutOfpods' };

/** Extended resources (vendor-domain names) the node does not know are left to the cluster. */
const isExtended = (name: string): boolean => name.includes('/') && !name.includes('kubernetes.io/');

/** Whole units of a milli-unit amount, rounded up as Quantity.Value() rounds. */
const whole = (milli: number): number => Math.ceil(milli / 1000);

/** noderesources.Fits: the pod count first, then each requested resource against what is left. */
function insufficientResources(pod: Obj, allocatable: ResourceMap, others: Obj[]): Insufficient[] {
  const out: Insufficient[] = [];
  const allowedPods = whole(allocatable.pods ?? 0);
  if (others.length + 1 > allowedPods) out.push({ resource: 'pods', requested: 1, used: others.length, capacity: allowedPods });
  const want = podRequests(pod);
  for (const k of Object.keys(want)) if (k === 'pods' || (isExtended(k) && !(k in allocatable)) || want[k] <= 0) delete want[k];
  if (!Object.keys(want).length) return out;
  const used: ResourceMap = {};
  for (const p of others) for (const [k, v] of Object.entries(podRequests(p))) used[k] = (used[k] ?? 0) + v;
  const scale = (k: string, milli: number): number => (k === 'cpu' ? milli : whole(milli));
  const order = ['cpu', 'memory', 'ephemeral-storage', ...Object.keys(want).filter((k) => !['cpu', 'memory', 'ephemeral-storage'].includes(k)).sort()];
  for (const k of order) {
    if (!want[k]) continue;
    // a native resource the node does not list (hugepages of another size) has no room at all
    const cap = allocatable[k] ?? 0, u = used[k] ?? 0;
    if (want[k] > cap - u) out.push({ resource: k, requested: scale(k, want[k]), used: scale(k, u), capacity: scale(k, cap) });
  }
  return out;
}

function requirementMatches(r: Obj, value: string | undefined): boolean {
  const values: string[] = (r?.values ?? []).map(String);
  switch (r?.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': case 'Lt': {
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      return r.operator === 'Gt' ? BigInt(value) > BigInt(values[0]) : BigInt(value) < BigInt(values[0]);
    }
    default: return false;
  }
}

/** A node selector term: its expressions (labels) and fields (metadata.name) all hold; an empty term matches nothing. */
function termMatches(term: Obj, node: Obj): boolean {
  const exprs: Obj[] = term?.matchExpressions ?? [], fields: Obj[] = term?.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  return exprs.every((e) => requirementMatches(e, labels[e.key]))
    && fields.every((f) => f.key === 'metadata.name' && requirementMatches(f, node.metadata?.name));
}

/** GetRequiredNodeAffinity(pod).Match(node): the node selector and the required terms (ORed). */
export function nodeAffinityMatches(pod: Obj, node: Obj): boolean {
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const terms: Obj[] | undefined = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !terms || terms.some((t) => termMatches(t, node));
}

function tolerates(t: Obj, taint: Obj): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  if (t.operator && t.operator !== 'Equal') return false;
  return (t.value ?? '') === (taint.value ?? '');
}

const hostPorts = (pod: Obj): Obj[] => (pod.spec?.containers ?? []).flatMap((c: Obj) => (c.ports ?? []).filter((p: Obj) => Number(p.hostPort) > 0));

/** nodeports.Fits: a host port (protocol, port) is taken when either side binds every address or both the same one. */
function portsFit(pod: Obj, others: Obj[]): boolean {
  const used = others.flatMap(hostPorts);
  const wild = (ip: string | undefined): boolean => !ip || ip === '0.0.0.0' || ip === '::';
  return hostPorts(pod).every((p) => !used.some((u) => Number(u.hostPort) === Number(p.hostPort)
    && (u.protocol ?? 'TCP') === (p.protocol ?? 'TCP') && (wild(u.hostIP) || wild(p.hostIP) || u.hostIP === p.hostIP)));
}

function allocatableOf(node: Obj): ResourceMap {
  const out: ResourceMap = {};
  for (const [k, v] of Object.entries(node.status?.allocatable ?? {})) {
    const q = tryParseQuantity(v);
    if (q) out[k] = q.milliValue();
  }
  return out;
}

/**
 * Why the pod may not run on this node next to the pods it already admitted (`others`:
 * admitted, not finished), or undefined when it fits. Without a Node object it is admitted.
 */
export function predicateAdmit(pod: Obj, node: Obj | undefined, others: Obj[]): Rejection | undefined {
  if (!node) return undefined;
  const podOS = pod.metadata?.labels?.[OS_LABEL];
  if (podOS !== undefined && podOS !== NODE_OS) {
    return { reason: 'PodOSSelectorNodeLabelDoesNotMatch', message: 'Failed to admit pod as the `kubernetes.io/os` label doesn\'t match node label' };
  }
  if (pod.spec?.os?.name && pod.spec.os.name !== NODE_OS) return { reason: 'PodOSNotSupported', message: 'Failed to admit pod as the OS field doesn\'t match node OS' };

  const reasons: Rejection[] = [];
  const critical = isCriticalPod(pod);
  for (const r of insufficientResources(pod, allocatableOf(node), others)) {
    if (critical) continue;
    reasons.push({
      reason: OUT_OF[r.resource] ?? `OutOf${r.resource}`,
      message: `Node didn't have enough resource: ${r.resource}, requested: ${r.requested}, used: ${r.used}, capacity: ${r.capacity}`,
    });
  }
  const predicate = (name: string, desc: string): Rejection => ({ reason: name, message: `Predicate ${name} failed: ${desc}` });
  if (!nodeAffinityMatches(pod, node)) reasons.push(predicate('NodeAffinity', 'node(s) didn\'t match Pod\'s node affinity/selector'));
  if (pod.spec?.nodeName && pod.spec.nodeName !== node.metadata?.name) reasons.push(predicate('NodeName', 'node(s) didn\'t match the requested node name'));
  if (!portsFit(pod, others)) reasons.push(predicate('NodePorts', 'node(s) didn\'t have free ports for the requested pod ports'));
  if (!isStaticPod(pod)) {
    const untolerated = (node.spec?.taints ?? []).some((taint: Obj) => taint.effect === 'NoExecute' && !(pod.spec?.tolerations ?? []).some((t: Obj) => tolerates(t, taint)));
    if (untolerated) reasons.push(predicate('TaintToleration', 'node(s) had taints that the pod didn\'t tolerate'));
  }
  return reasons[0];
}
