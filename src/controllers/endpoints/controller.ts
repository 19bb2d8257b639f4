// The Endpoints controller (kube-controller-manager's endpoint controller): for every Service
// with a selector, a core/v1 Endpoints object of the same name listing the selected pods —
// ready ones under addresses, others under notReadyAddresses (all under addresses with
// publishNotReadyAddresses) — with ports resolved per pod from the Service's targetPorts,
// repacked into subsets of pods sharing the same ports. Services without a selector (like
// default/kubernetes, which the API server maintains) and ExternalName Services are left alone;
// Endpoints whose Service is gone are deleted.

import type { Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { hasStatusCause, isForbidden, isNotFound } from '../../client/errors.js';
import { NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { isPodReady } from '../common/pods.js';
import {
  HEADLESS_SERVICE_LABEL, LAST_CHANGE_TRIGGER_TIME_ANNOTATION, TriggerTimeTracker, findPort, formatRFC3339Nano, isIPv6,
  isServiceIPSet, podIPs, podsForService, serviceSelector, servicesForPod, servicesToUpdateOnPodChange,
  shouldPodBeInEndpoints, shouldSetHostname,
} from './util.js';

export const ENDPOINTS: ResourceRef = { group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints', namespaced: true };
export const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
export const MAX_CAPACITY = 1000;
/** Endpoints carrying it are leader-election records, not Service endpoints (checkLeftoverEndpoints). */
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

export interface EndpointsControllerOptions {
  client: KubeClient;
  services: Informer;
  pods: Informer;
  endpoints: Informer;
  recorder?: EventRecorder;
  /** Upstream --concurrent-endpoint-syncs (default 5). */
  workers?: number;
  log?: Logger;
}

export class EndpointsController {
  readonly queue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly triggerTimes = new TriggerTimeTracker();

  constructor(private readonly o: EndpointsControllerOptions) {
    this.log = o.log ?? stderrLogger('endpoints-controller');
    const enqueue = (key: string): void => this.queue.add(key);
    o.services.addEventHandler({
      onAdd: (svc) => enqueue(metaNamespaceKey(svc)),
      onUpdate: (_old, svc) => enqueue(metaNamespaceKey(svc)),
      onDelete: (svc) => enqueue(metaNamespaceKey(svc)),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => servicesForPod(o.services, pod).forEach(enqueue),
      onUpdate: (old, pod) => servicesToUpdateOnPodChange(o.services, old, pod).forEach(enqueue),
      onDelete: (pod) => servicesForPod(o.services, pod).forEach(enqueue),
    });
    o.endpoints.addEventHandler({
      // Endpoints left behind by Services deleted while no controller ran get cleaned up.
      onAdd: (ep, initial) => {
        if (initial && !ep.metadata?.annotations?.[LEADER_ANNOTATION]) enqueue(metaNamespaceKey(ep));
      },
      onDelete: (ep) => enqueue(metaNamespaceKey(ep)),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'endpoints-controller', queue: this.queue, informers: [this.o.services, this.o.pods, this.o.endpoints],
      workers: this.o.workers ?? 5, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  async sync(key: string, signal?: AbortSignal): Promise<void> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    // The API server owns these (a Service without a selector, kept in step with its own address).
    if (namespace === 'default' && name === 'kubernetes') return;
    const svc = this.o.services.store.get(namespace, name);
    if (!svc) {
      this.triggerTimes.deleteService(namespace, name);
      try {
        await this.o.client.delete(ENDPOINTS, namespace, name, { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    if (!serviceSelector(svc)) return;

    const pods = podsForService(this.o.pods, svc);
    const triggerTime = this.triggerTimes.compute(svc, pods);
    const subsets = repackSubsets(buildSubsets(svc, pods));

    const current = this.o.endpoints.store.get(namespace, name);
    const create = !current?.metadata?.resourceVersion;
    const svcLabels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
    const curLabels: Record<string, string> = { ...(current?.metadata?.labels ?? {}) };
    delete curLabels[HEADLESS_SERVICE_LABEL];
    if (!create && canonical(current.subsets ?? []) === canonical(subsets) && canonical(curLabels) === canonical(svcLabels)
      && capacityAnnotationSetCorrectly(current.metadata?.annotations, current.subsets ?? [])) return;

    const next: Obj = current
      ? { ...current, metadata: { ...current.metadata } }
      : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.apiVersion = 'v1';
    next.kind = 'Endpoints';
    next.subsets = subsets;
    const annotations: Record<string, string> = { ...(next.metadata.annotations ?? {}) };
    if (triggerTime !== undefined) annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION] = formatRFC3339Nano(triggerTime);
    else delete annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION];
    if (truncateEndpoints(next)) annotations[OVER_CAPACITY_ANNOTATION] = 'truncated';
    else delete annotations[OVER_CAPACITY_ANNOTATION];
    if (Object.keys(annotations).length) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;
    const labels = svcLabels;
    if (!isServiceIPSet(svc)) labels[HEADLESS_SERVICE_LABEL] = '';
    if (Object.keys(labels).length) next.metadata.labels = labels;
    else delete next.metadata.labels;

    try {
      if (create) await this.o.client.create(ENDPOINTS, namespace, next, { signal });
      else await this.o.client.update(ENDPOINTS, namespace, next, { signal });
    } catch (err) {
      if (create && isForbidden(err) && hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) return;
      if (create) this.o.recorder?.event(next, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${errMsg(err)}`);
      else this.o.recorder?.event(next, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${errMsg(err)}`);
      throw err;
    }
  }
}

interface Address { ip: string; hostname?: string; nodeName?: string; targetRef: Obj }
interface Subset { addresses?: Address[]; notReadyAddresses?: Address[]; ports?: Obj[] }

/** The address of a pod in the Service's IP family (podToEndpointAddressForService), or undefined. */
function podAddress(svc: Obj, pod: Obj): Address | undefined {
  let v6: boolean;
  const families: string[] = svc.spec?.ipFamilies ?? [];
  if (families.length) v6 = families[0] === 'IPv6';
  else if (isServiceIPSet(svc)) v6 = isIPv6(svc.spec.clusterIP);
  else v6 = isIPv6(pod.status?.podIP ?? '');
  const ip = podIPs(pod).find((a) => isIPv6(a) === v6);
  if (!ip) return undefined;
  const addr: Address = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec.hostname;
  return addr;
}

/** One subset per pod and port, before repacking. */
export function buildSubsets(svc: Obj, pods: Obj[]): Subset[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const out: Subset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const addr = podAddress(svc, pod);
    if (!addr) continue;
    const add = (port?: Obj): void => {
      const ports = port ? [port] : [];
      if (publishNotReady || isPodReady(pod)) out.push({ addresses: [addr], ports });
      else out.push({ notReadyAddresses: [addr], ports });
    };
    const svcPorts: Obj[] = svc.spec?.ports ?? [];
    if (svcPorts.length === 0) {
      // headless Services may have no ports
      if (svc.spec?.clusterIP === 'None') add();
      continue;
    }
    for (const sp of svcPorts) {
      const n = findPort(pod, sp);
      if (n === undefined) continue;
      const port: Obj = { name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP' };
      if (!port.name) delete port.name;
      if (sp.appProtocol) port.appProtocol = sp.appProtocol;
      add(port);
    }
  }
  return out;
}

const addrKey = (a: Address): string => `${a.ip}|${a.targetRef?.uid ?? ''}`;
const portKey = (p: Obj): string => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);

/**
 * Groups addresses by the set of ports they serve (endpoints.RepackSubsets): each address
 * appears in one subset with all its ports; not-ready on any port makes it not ready there.
 * Ordering is deterministic (addresses by IP, ports by name, subsets by first address).
 */
export function repackSubsets(subsets: Subset[]): Subset[] {
  const addrs = new Map<string, Address>();
  // port → address key → ready
  const byPort = new Map<string, { port: Obj | undefined; addrs: Map<string, boolean> }>();
  const note = (a: Address, port: Obj | undefined, ready: boolean): void => {
    const ak = addrKey(a);
    if (!addrs.has(ak)) addrs.set(ak, a);
    const pk = port ? portKey(port) : '-';
    let e = byPort.get(pk);
    if (!e) byPort.set(pk, (e = { port, addrs: new Map() }));
    const was = e.addrs.get(ak);
    if (was === undefined || was) e.addrs.set(ak, ready);
  };
  for (const s of subsets) {
    const ports = s.ports?.length ? s.ports : [undefined];
    for (const p of ports) {
      for (const a of s.addresses ?? []) note(a, p, true);
      for (const a of s.notReadyAddresses ?? []) note(a, p, false);
    }
  }
  // address set (with readiness) → ports
  const groups = new Map<string, { set: Map<string, boolean>; ports: Obj[] }>();
  for (const { port, addrs: set } of byPort.values()) {
    const key = JSON.stringify([...set].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { set, ports: [] }));
    if (port) g.ports.push(port);
  }
  const out: Subset[] = [];
  for (const g of groups.values()) {
    const ready: Address[] = [];
    const notReady: Address[] = [];
    for (const [ak, r] of g.set) (r ? ready : notReady).push(addrs.get(ak)!);
    const s: Subset = {};
    if (ready.length) s.addresses = sortAddresses(ready);
    if (notReady.length) s.notReadyAddresses = sortAddresses(notReady);
    if (g.ports.length) s.ports = g.ports.sort((a, b) => cmp(portKey(a), portKey(b)));
    out.push(s);
  }
  const first = (s: Subset): string => addrKey((s.addresses ?? s.notReadyAddresses ?? [])[0] ?? { ip: '', targetRef: {} });
  return out.sort((a, b) => cmp(first(a), first(b)) || cmp(JSON.stringify(a.ports ?? []), JSON.stringify(b.ports ?? [])));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function sortAddresses(a: Address[]): Address[] {
  return a.sort((x, y) => compareIPs(x.ip, y.ip) || cmp(x.targetRef?.uid ?? '', y.targetRef?.uid ?? ''));
}

/** Numeric order for IPv4 addresses (so 10.0.0.9 < 10.0.0.10); string order otherwise. */
function compareIPs(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length === 4 && pb.length === 4) {
    for (let i = 0; i < 4; i++) {
      const d = Number(pa[i]) - Number(pb[i]);
      if (d) return d;
    }
    return 0;
  }
  return cmp(a, b);
}

/** JSON with sorted object keys, for comparisons that must ignore key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => cmp(a, b))) : val));
}

function capacityAnnotationSetCorrectly(annotations: Record<string, string> | undefined, subsets: Subset[]): boolean {
  let n = 0;
  for (const s of subsets) n += (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0);
  if (n > MAX_CAPACITY) return false;
  return !annotations?.[OVER_CAPACITY_ANNOTATION];
}

/**
 * Cuts an Endpoints over MAX_CAPACITY addresses down to it (truncateEndpoints): not-ready
 * addresses go first; if ready ones alone exceed it, they are cut too, each subset keeping
 * its proportional share (rounded up). Returns whether anything was cut.
 */
export function truncateEndpoints(ep: Obj): boolean {
  const subsets: Subset[] = ep.subsets ?? [];
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  if (ready + notReady <= MAX_CAPACITY) return false;
  const truncateReady = ready > MAX_CAPACITY;
  const max = truncateReady ? MAX_CAPACITY : MAX_CAPACITY - ready;
  const total = truncateReady ? ready : notReady;
  let canAdd = max;
  ep.subsets = subsets.map((s) => {
    const inSubset = truncateReady ? s.addresses?.length ?? 0 : s.notReadyAddresses?.length ?? 0;
    const take = Math.min(Math.ceil((inSubset / total) * max), canAdd);
    const next: Subset = { ...s };
    if (truncateReady) {
      next.addresses = (s.addresses ?? []).slice(0, take);
      delete next.notReadyAddresses;
      canAdd -= next.addresses.length;
      if (next.addresses.length === 0) delete next.addresses;
    } else {
      next.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, take);
      canAdd -= next.notReadyAddresses.length;
      if (next.notReadyAddresses.length === 0) delete next.notReadyAddresses;
    }
    return next;
  });
  return true;
}
