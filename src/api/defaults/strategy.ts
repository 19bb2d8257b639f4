// Mutations upstream makes in registry strategies (PrepareForCreate/PrepareForUpdate) rather
// than in defaulting, exported for the registry. They need values defaulting cannot know
// (the object's uid, the stored object).

import type { Obj } from '../types.js';
import { arr, isObj, str } from '../validation/util.js';

export const JOB_CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID = 'controller-uid';
const LEGACY_JOB_NAME = 'job-name';

/**
 * The Job strategy's generateSelector: unless spec.manualSelector is true, label the pod
 * template with the job's name and uid and select on the uid. Needs metadata.uid. Labels
 * the user already set are kept (validation then reports a mismatch). Idempotent.
 */
export function prepareJobForCreate(job: Obj): void {
  const spec = isObj(job.spec) ? job.spec : (job.spec = {});
  if (spec.manualSelector === true) return;
  const uid = str(job.metadata?.uid);
  const name = str(job.metadata?.name);
  if (!uid) return;
  if (!isObj(spec.template)) spec.template = {};
  if (!isObj(spec.template.metadata)) spec.template.metadata = {};
  const labels = isObj(spec.template.metadata.labels) ? spec.template.metadata.labels : (spec.template.metadata.labels = {});
  for (const k of [LEGACY_JOB_NAME, JOB_NAME]) if (!(k in labels)) labels[k] = name;
  for (const k of [LEGACY_CONTROLLER_UID, JOB_CONTROLLER_UID]) if (!(k in labels)) labels[k] = uid;
  if (!isObj(spec.selector)) spec.selector = {};
  if (!isObj(spec.selector.matchLabels)) spec.selector.matchLabels = {};
  if (!(JOB_CONTROLLER_UID in spec.selector.matchLabels)) spec.selector.matchLabels[JOB_CONTROLLER_UID] = uid;
}

function needsClusterIP(spec: Obj): boolean {
  return spec.type !== 'ExternalName';
}

function needsNodePorts(spec: Obj): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

/**
 * The Service strategy's patchAllocatedValues: an update that omits allocated values
 * (clusterIP(s), node ports, the health check port) keeps the stored ones.
 */
export function patchServiceAllocatedValues(svc: Obj, old: Obj): void {
  const spec = isObj(svc.spec) ? svc.spec : (svc.spec = {});
  const oldSpec = isObj(old.spec) ? old.spec : {};
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!str(spec.clusterIP)) spec.clusterIP = oldSpec.clusterIP;
    if (arr(spec.clusterIPs).length === 0 && arr(oldSpec.clusterIPs).length > 0) spec.clusterIPs = [...oldSpec.clusterIPs];
    if (spec.clusterIP === undefined) delete spec.clusterIP;
  }
  if (needsNodePorts(oldSpec) && needsNodePorts(spec)) {
    const oldPorts = arr(oldSpec.ports);
    for (const p of arr(spec.ports)) {
      if (!isObj(p) || p.nodePort) continue;
      const match = oldPorts.find((o) => o?.nodePort && (str(o.name) === str(p.name) || oldPorts.length === 1) && str(o.protocol) === str(p.protocol));
      if (match) p.nodePort = match.nodePort;
    }
  }
  if (oldSpec.type === 'LoadBalancer' && oldSpec.externalTrafficPolicy === 'Local' && spec.type === 'LoadBalancer'
    && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort && oldSpec.healthCheckNodePort) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
}

/**
 * The Priority admission plugin's result for a pod without a priority class when no
 * class is the global default: priority 0, preemptionPolicy PreemptLowerPriority.
 */
export function defaultPodPriority(pod: Obj): void {
  const spec = isObj(pod.spec) ? pod.spec : (pod.spec = {});
  if (typeof spec.priority !== 'number' && !str(spec.priorityClassName)) spec.priority = 0;
  if (!spec.preemptionPolicy) spec.preemptionPolicy = 'PreemptLowerPriority';
}
