// What the Endpoints and EndpointSlice controllers share (upstream's endpointslice util and
// pkg/controller/util/endpoint): which pods count, which ports they serve, which Services a
// pod change concerns, and the last-change-trigger-time bookkeeping.

import type { Obj } from '../../api/types.js';
import type { Informer } from '../../client/informer.js';
import { isPodReady, isPodTerminal, getPodReadyCondition, parseTime } from '../common/pods.js';

export const LAST_CHANGE_TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_SERVICE_LABEL = 'service.kubernetes.io/headless';
export const CLUSTER_IP_NONE = 'None';

/** A Service's selector, or undefined when it has none (its endpoints are managed by hand). */
export function serviceSelector(svc: Obj): Record<string, string> | undefined {
  const sel = svc?.spec?.selector;
  if (!sel || typeof sel !== 'object' || Object.keys(sel).length === 0) return undefined;
  return sel as Record<string, string>;
}

export function selectorMatches(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels?.[k] !== v) return false;
  return true;
}

/** Pods of the Service's namespace its selector picks (none without a selector). */
export function podsForService(pods: Informer, svc: Obj): Obj[] {
  const sel = serviceSelector(svc);
  if (!sel) return [];
  return pods.store.listNamespace(svc.metadata.namespace).filter((p) => selectorMatches(sel, p.metadata?.labels));
}

/** Keys of the Services whose selector picks the pod. */
export function servicesForPod(services: Informer, pod: Obj): Set<string> {
  const out = new Set<string>();
  const ns = pod?.metadata?.namespace ?? '';
  for (const svc of services.store.listNamespace(ns)) {
    const sel = serviceSelector(svc);
    if (sel && selectorMatches(sel, pod.metadata?.labels)) out.add(`${ns}/${svc.metadata.name}`);
  }
  return out;
}

function podIPList(pod: Obj): string[] {
  const ips = (pod?.status?.podIPs ?? []).map((p: Obj) => p?.ip).filter((ip: unknown): ip is string => typeof ip === 'string' && ip !== '');
  if (ips.length === 0 && pod?.status?.podIP) ips.push(pod.status.podIP);
  return ips;
}

export { podIPList as podIPs };

/**
 * The Services a pod update concerns (GetServicesToUpdateOnPodChange): none when nothing an
 * endpoint shows changed; when labels/hostname changed, the Services it left or joined (all
 * of both when the pod itself changed too).
 */
export function servicesToUpdateOnPodChange(services: Informer, oldPod: Obj, pod: Obj): Set<string> {
  if (oldPod?.metadata?.resourceVersion === pod?.metadata?.resourceVersion) return new Set();
  const labelsChanged = JSON.stringify(oldPod.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {})
    || (oldPod.spec?.hostname ?? '') !== (pod.spec?.hostname ?? '') || (oldPod.spec?.subdomain ?? '') !== (pod.spec?.subdomain ?? '');
  const podChanged = (oldPod.metadata?.deletionTimestamp ?? '') !== (pod.metadata?.deletionTimestamp ?? '')
    || isPodReady(oldPod) !== isPodReady(pod)
    || isPodTerminal(oldPod) !== isPodTerminal(pod)
    || podIPList(oldPod).join(',') !== podIPList(pod).join(',')
    || (oldPod.spec?.nodeName ?? '') !== (pod.spec?.nodeName ?? '');
  if (!podChanged && !labelsChanged) return new Set();
  const now = servicesForPod(services, pod);
  if (!labelsChanged) return now;
  const before = servicesForPod(services, oldPod);
  if (podChanged) return new Set([...before, ...now]);
  const out = new Set<string>();
  for (const k of before) if (!now.has(k)) out.add(k);
  for (const k of now) if (!before.has(k)) out.add(k);
  return out;
}

/** Terminal pods and pods without an IP never count; terminating ones only when asked (ShouldPodBeInEndpoints). */
export function shouldPodBeInEndpoints(pod: Obj, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPList(pod).length === 0) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** A pod's hostname is published when its subdomain names the Service, in the same namespace. */
export function shouldSetHostname(pod: Obj, svc: Obj): boolean {
  return !!pod.spec?.hostname && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace;
}

/**
 * The container port a Service port reaches on a pod (podutil.FindPort): a number is taken as
 * is; a name is looked up among the containers' ports (and sidecars') with the same protocol.
 */
export function findPort(pod: Obj, svcPort: Obj): number | undefined {
  const target = svcPort.targetPort ?? svcPort.port;
  const protocol = svcPort.protocol ?? 'TCP';
  if (typeof target === 'number') return target;
  if (typeof target === 'string' && /^\d+$/.test(target)) return Number(target);
  if (typeof target !== 'string') return undefined;
  const search = (containers: Obj[] | undefined): number | undefined => {
    for (const c of containers ?? []) {
      for (const p of c?.ports ?? []) if (p?.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
    return undefined;
  };
  return search(pod.spec?.containers)
    ?? search((pod.spec?.initContainers ?? []).filter((c: Obj) => c?.restartPolicy === 'Always'));
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** ClusterIP set and not "None" (helper.IsServiceIPSet). */
export function isServiceIPSet(svc: Obj): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== CLUSTER_IP_NONE;
}

/** RFC 3339 with nanosecond precision and trailing zeros cut, in UTC, as Go's time.RFC3339Nano. */
export function formatRFC3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');
}

interface ServiceState { podTriggerTimes: Map<string, number>; lastServiceTriggerTime: number | undefined }

/**
 * When the change that an Endpoints/EndpointSlice write reflects happened (upstream's
 * TriggerTimeTracker): the earliest Ready transition of pods that changed since the last
 * sync, or the Service's creation time the first time a Service is seen.
 */
export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** ms since the epoch, or undefined when no change is known. */
  compute(svc: Obj, pods: Obj[]): number | undefined {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const state = this.states.get(key);
    const next: ServiceState = { podTriggerTimes: new Map(), lastServiceTriggerTime: undefined };
    let min: number | undefined;
    const take = (t: number): void => {
      if (min === undefined || t < min) min = t;
    };
    for (const pod of pods) {
      const t = parseTime(getPodReadyCondition(pod)?.lastTransitionTime);
      if (t === undefined) continue;
      next.podTriggerTimes.set(pod.metadata.name, t);
      const before = state?.podTriggerTimes.get(pod.metadata.name);
      if (before === undefined || t > before) take(t);
    }
    const svcTime = parseTime(svc.metadata?.creationTimestamp);
    if (svcTime !== undefined && (state?.lastServiceTriggerTime === undefined || svcTime > state.lastServiceTriggerTime)) take(svcTime);
    next.lastServiceTriggerTime = svcTime;
    this.states.set(key, next);
    if (!state) return svcTime;
    return min;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
