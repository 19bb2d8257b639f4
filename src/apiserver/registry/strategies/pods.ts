// Pods: status starts Pending with a QoS class; deletion of a pod that a node runs is
// graceful (the kubelet finishes it); an unscheduled pod goes at once.
import type { Obj } from '../../../api/types.js';
import type { Strategy } from '../strategy.js';

const COMPUTE = ['cpu', 'memory'];

/** v1qos.GetPodQOS: Guaranteed / Burstable / BestEffort from requests and limits. */
export function podQOS(spec: Obj): string {
  const containers: Obj[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  let anySet = false, guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {}, lim = c.resources?.limits ?? {};
    for (const r of COMPUTE) {
      if (req[r] !== undefined || lim[r] !== undefined) anySet = true;
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export const podStrategy: Strategy = {
  statusSubresource: true,
  prepareForCreate(obj) {
    obj.status = { phase: 'Pending', qosClass: podQOS(obj.spec ?? {}) };
  },
  prepareForStatusUpdate(obj, old) {
    // the status endpoint may not touch owner references (old kubelets corrupted them)
    if (old.metadata.ownerReferences) obj.metadata.ownerReferences = old.metadata.ownerReferences; else delete obj.metadata.ownerReferences;
    // qosClass is immutable once set (the kubelet may not change it)
    if (old.status?.qosClass && obj.status) obj.status.qosClass = old.status.qosClass;
  },
  gracePeriod(obj, requested) {
    // an unscheduled pod or one that already finished has no kubelet to wait for
    if (!obj.spec?.nodeName) return 0;
    const phase = obj.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return 0;
    const g = requested ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
    return Math.max(0, g);
  },
};
