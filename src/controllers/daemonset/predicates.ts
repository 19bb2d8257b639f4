// Which nodes a DaemonSet runs on (NodeShouldRunDaemonPod) and how its pods are shaped for them:
// the node selector and required node affinity must match the node's labels (and name), and
// every NoSchedule/NoExecute taint must be tolerated by the template's tolerations plus the ones
// each DaemonSet pod gets by default. A pod already running may stay on a node whose only
// untolerated taints are NoSchedule. Pods are pinned with a required node affinity on
// metadata.name, so the default scheduler binds them (ReplaceDaemonSetPodNodeNameNodeAffinity).
//
// Controllers are API clients and do not import the scheduler: this is the controller's own
// (small) copy of component-helpers' node-affinity and toleration matching.

import { clone, type Obj } from '../../api/types.js';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
/** metav1.ObjectNameField: the only field node selectors may match on. */
export const OBJECT_NAME_FIELD = 'metadata.name';

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Obj, taint: Obj): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** FindMatchingUntoleratedTaint: the first taint passing `filter` that no toleration tolerates. */
export function findUntoleratedTaint(taints: Obj[] | undefined, tolerations: Obj[] | undefined, filter: (t: Obj) => boolean): Obj | undefined {
  for (const taint of taints ?? []) {
    if (!filter(taint)) continue;
    if (!(tolerations ?? []).some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}

/** v1helper.AddOrUpdateTolerationInPodSpec: an equivalent toleration (key/effect/operator/value) is replaced in place. */
export function addOrUpdateToleration(spec: Obj, toleration: Obj): void {
  const list: Obj[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const same = (a: Obj): boolean => (a.key ?? '') === (toleration.key ?? '') && (a.effect ?? '') === (toleration.effect ?? '')
    && (a.operator ?? '') === (toleration.operator ?? '') && (a.value ?? '') === (toleration.value ?? '');
  const i = list.findIndex(same);
  if (i >= 0) list[i] = { ...toleration };
  else list.push({ ...toleration });
  spec.tolerations = list;
}

/** The tolerations every DaemonSet pod gets (util.AddOrUpdateDaemonPodTolerations). */
export function addDaemonPodTolerations(spec: Obj): void {
  // Survive taint-based eviction when the node turns not-ready or unreachable.
  addOrUpdateToleration(spec, { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' });
  // TaintNodesByCondition: daemons keep running under resource pressure and on cordoned nodes.
  addOrUpdateToleration(spec, { key: TAINT_NODE_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' });
  if (spec.hostNetwork) addOrUpdateToleration(spec, { key: TAINT_NODE_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
}

function requirementMatches(req: Obj, value: string | undefined): boolean {
  const values: string[] = Array.isArray(req.values) ? req.values : [];
  switch (req.operator) {
    case 'In': return value !== undefined && values.includes(value);
    case 'NotIn': return value === undefined || !values.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt':
    case 'Lt': {
      // One integer value; a label that is not an integer never matches.
      if (value === undefined || values.length !== 1 || !/^-?\d+$/.test(value) || !/^-?\d+$/.test(values[0])) return false;
      const have = BigInt(value);
      const want = BigInt(values[0]);
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** One NodeSelectorTerm: expressions on labels AND fields on metadata.name; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: Obj, node: Obj): boolean {
  const exprs: Obj[] = Array.isArray(term?.matchExpressions) ? term.matchExpressions : [];
  const fields: Obj[] = Array.isArray(term?.matchFields) ? term.matchFields : [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  for (const e of exprs) {
    if (!requirementMatches(e, Object.prototype.hasOwnProperty.call(labels, e.key) ? labels[e.key] : undefined)) return false;
  }
  for (const f of fields) {
    // Only metadata.name with In/NotIn is valid; anything else makes the term fail.
    if (f.key !== OBJECT_NAME_FIELD || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, node.metadata?.name)) return false;
  }
  return true;
}

/** nodeaffinity.GetRequiredNodeAffinity(pod).Match(node): nodeSelector AND any required term. */
export function podMatchesNodeSelectorAndAffinity(podSpec: Obj, node: Obj): boolean {
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries((podSpec.nodeSelector ?? {}) as Record<string, string>)) {
    if (labels[k] !== v) return false;
  }
  const required = podSpec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  const terms: Obj[] = Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [];
  return terms.some((t) => nodeSelectorTermMatches(t, node));
}

/** The pod the DaemonSet would run on node (NewPod): template spec, node name, default tolerations. */
export function newDaemonPodSpec(ds: Obj, nodeName: string): Obj {
  const spec: Obj = clone(ds.spec?.template?.spec ?? {});
  spec.nodeName = nodeName;
  addDaemonPodTolerations(spec);
  return spec;
}

export interface ShouldRun {
  /** A daemon pod should be created on the node if none runs there. */
  shouldRun: boolean;
  /** A daemon pod already on the node may keep running. */
  shouldContinueRunning: boolean;
}

/**
 * The template's tolerations plus the default ones, per DaemonSet object. Informer caches
 * replace objects on every change and never modify them, so the object is a safe key; this
 * keeps the per-node predicate from copying the pod spec once per node.
 */
const tolerationsCache = new WeakMap<Obj, Obj[]>();

function daemonTolerations(ds: Obj): Obj[] {
  let t = tolerationsCache.get(ds);
  if (!t) {
    const spec: Obj = { tolerations: clone(ds.spec?.template?.spec?.tolerations ?? []), hostNetwork: ds.spec?.template?.spec?.hostNetwork };
    addDaemonPodTolerations(spec);
    t = spec.tolerations as Obj[];
    tolerationsCache.set(ds, t);
  }
  return t;
}

/** NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: Obj, ds: Obj): ShouldRun {
  const spec: Obj = ds.spec?.template?.spec ?? {};
  if (spec.nodeName && spec.nodeName !== node.metadata?.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!podMatchesNodeSelectorAndAffinity(spec, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints: Obj[] = node.spec?.taints ?? [];
  if (taints.length === 0) return { shouldRun: true, shouldContinueRunning: true };
  const tolerations = daemonTolerations(ds);
  const blocking = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (blocking) {
    // A scheduled daemon pod stays unless a NoExecute taint is not tolerated.
    const evicting = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !evicting };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes "metadata.name In [node]". */
export function replaceNodeNameAffinity(affinity: Obj | undefined, nodeName: string): Obj {
  const term = { matchFields: [{ key: OBJECT_NAME_FIELD, operator: 'In', values: [nodeName] }] };
  const out: Obj = affinity ? clone(affinity) : {};
  out.nodeAffinity = out.nodeAffinity ?? {};
  const req = out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  if (!req) out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  else req.nodeSelectorTerms = [term];
  return out;
}

/**
 * GetTargetNodeName: spec.nodeName, or for pods not yet bound the single node named by a
 * metadata.name In requirement of the required node affinity; undefined when there is none.
 */
export function targetNodeName(pod: Obj): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms: Obj[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term?.matchFields ?? []) {
      if (f.key === OBJECT_NAME_FIELD && f.operator === 'In') return Array.isArray(f.values) && f.values.length === 1 ? f.values[0] : undefined;
    }
  }
  return undefined;
}
