// Turns a Service and its pods into EndpointSlices (upstream's endpointslice Reconciler):
// desired endpoints are grouped by the ports they serve; existing slices of each port set
// keep the endpoints still desired (updated in place when they changed), remaining endpoints
// go first into slices already being updated, then into the unchanged slice that fits them
// best, then into new slices of at most maxEndpointsPerSlice. Slices left empty are deleted
// (or reused for new ones), and a Service with no endpoints keeps one empty placeholder.

import type { Obj } from '../../api/types.js';
import { hasStatusCause } from '../../client/errors.js';
import { NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg } from '../../client/log.js';
import { isPodReady } from '../common/pods.js';
import {
  CLUSTER_IP_NONE, HEADLESS_SERVICE_LABEL, LAST_CHANGE_TRIGGER_TIME_ANNOTATION, findPort, formatRFC3339Nano, isIPv6,
  isServiceIPSet, podIPs, shouldPodBeInEndpoints, shouldSetHostname,
} from '../endpoints/util.js';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './labels.js';
import type { EndpointSliceTracker } from './tracker.js';

export const ENDPOINT_SLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true };
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

type AddressType = 'IPv4' | 'IPv6';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** JSON with sorted keys (semantic equality). */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => cmp(a, b))) : val));
}

/** Identity of an endpoint within a slice: addresses, hostname and target pod (hashEndpoint). */
function endpointKey(ep: Obj): string {
  return JSON.stringify([[...(ep.addresses ?? [])].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

function portMapKey(ports: Obj[] | undefined): string {
  return JSON.stringify((ports ?? []).map(canonical).sort());
}

/** The address types a Service's endpoints come in (from ipFamilies; both for an old headless one). */
export function addressTypesForService(svc: Obj): AddressType[] {
  const families: string[] = svc.spec?.ipFamilies ?? [];
  if (families.length) return [...new Set(families.filter((f) => f === 'IPv4' || f === 'IPv6'))] as AddressType[];
  if (isServiceIPSet(svc)) return [isIPv6(svc.spec.clusterIP) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** The slice labels for a Service: its own labels (reserved keys excepted) plus ours; and whether the slice's differ. */
export function sliceLabels(slice: Obj | undefined, svc: Obj): [Record<string, string>, boolean] {
  const reserved = (k: string): boolean => k === SERVICE_NAME_LABEL || k === MANAGED_BY_LABEL || k === HEADLESS_SERVICE_LABEL;
  const own: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(slice?.metadata?.labels ?? {})) if (!reserved(k)) own[k] = v;
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries<string>(svc.metadata?.labels ?? {})) if (!reserved(k)) labels[k] = v;
  const changed = canonical(own) !== canonical(labels);
  if (!isServiceIPSet(svc)) labels[HEADLESS_SERVICE_LABEL] = '';
  labels[SERVICE_NAME_LABEL] = svc.metadata.name;
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  return [labels, changed];
}

export function ownedBy(slice: Obj, svc: Obj): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((r: Obj) => r.uid === svc.metadata?.uid && r.kind === 'Service' && r.apiVersion === 'v1');
}

function endpointPorts(svc: Obj, pod: Obj): Obj[] {
  const out: Obj[] = [];
  const svcPorts: Obj[] = svc.spec?.ports ?? [];
  if (svcPorts.length === 0 && svc.spec?.clusterIP === CLUSTER_IP_NONE) return out;
  for (const sp of svcPorts) {
    const n = findPort(pod, sp);
    if (n === undefined) continue;
    const p: Obj = { name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

function podToEndpoint(pod: Obj, node: Obj | undefined, svc: Obj, addressType: AddressType): Obj {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  // "ready" is never true for a terminating pod unless the Service publishes not-ready addresses.
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Obj = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
  };
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[ZONE_LABEL];
  if (zone) ep.zone = zone;
  return ep;
}

/** generateName `<service>-`, or the bare name if that would be too long to be valid. */
function slicePrefix(name: string): string {
  return name.length + 1 <= 253 - 5 ? `${name}-` : name;
}

function newSlice(svc: Obj, ports: Obj[], addressType: AddressType): Obj {
  const [labels] = sliceLabels(undefined, svc);
  const s: Obj = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: slicePrefix(svc.metadata.name), namespace: svc.metadata.namespace, labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints: [],
  };
  if (ports.length) s.ports = ports;
  return s;
}

function isPlaceholderOf(existing: Obj, placeholder: Obj): boolean {
  return existing.metadata?.namespace === placeholder.metadata.namespace
    && canonical(existing.metadata?.labels ?? {}) === canonical(placeholder.metadata.labels ?? {})
    && existing.addressType === placeholder.addressType
    && (existing.endpoints ?? []).length === 0 && (existing.ports ?? []).length === 0;
}

function addTriggerTime(slice: Obj, triggerTime: number | undefined): void {
  const ann: Record<string, string> = { ...(slice.metadata.annotations ?? {}) };
  if (triggerTime !== undefined) ann[LAST_CHANGE_TRIGGER_TIME_ANNOTATION] = formatRFC3339Nano(triggerTime);
  else delete ann[LAST_CHANGE_TRIGGER_TIME_ANNOTATION];
  if (Object.keys(ann).length) slice.metadata.annotations = ann;
  else delete slice.metadata.annotations;
}

const clone = <T>(o: T): T => structuredClone(o);

export interface ReconcilerOptions {
  client: KubeClient;
  nodes: Informer;
  tracker: EndpointSliceTracker;
  maxEndpointsPerSlice: number;
}

export class Reconciler {
  constructor(private readonly o: ReconcilerOptions) {}

  /** Brings the Service's slices (ours, not being deleted) in line; throws an aggregate of what failed. */
  async reconcile(svc: Obj, pods: Obj[], existing: Obj[], triggerTime: number | undefined, signal?: AbortSignal): Promise<void> {
    const errs: string[] = [];
    const types = addressTypesForService(svc);
    const toDelete: Obj[] = [];
    const byType = new Map<string, Obj[]>();
    for (const s of existing) {
      if (!types.includes(s.addressType)) toDelete.push(s);
      else byType.set(s.addressType, [...(byType.get(s.addressType) ?? []), s]);
    }
    for (const t of types) {
      try {
        await this.reconcileByAddressType(svc, pods, byType.get(t) ?? [], triggerTime, t, signal);
      } catch (err) {
        errs.push(errMsg(err));
      }
    }
    for (const s of toDelete) {
      try {
        await this.o.client.delete(ENDPOINT_SLICES, svc.metadata.namespace, s.metadata.name, { signal });
        this.o.tracker.expectDeletion(s);
      } catch (err) {
        errs.push(`error deleting ${s.metadata.name} EndpointSlice for Service ${svc.metadata.namespace}/${svc.metadata.name}: ${errMsg(err)}`);
      }
    }
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  }

  private async reconcileByAddressType(svc: Obj, pods: Obj[], existing: Obj[], triggerTime: number | undefined, addressType: AddressType, signal?: AbortSignal): Promise<void> {
    const errs: string[] = [];
    const toCreate: Obj[] = [];
    const toUpdate: Obj[] = [];
    let toDelete: Obj[] = [];

    const existingByPorts = new Map<string, Obj[]>();
    for (const s of existing) {
      if (!ownedBy(s, svc)) {
        toDelete.push(s);
        continue;
      }
      const k = portMapKey(s.ports);
      existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
    }

    const desiredByPorts = new Map<string, { ports: Obj[]; endpoints: Map<string, Obj> }>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports = endpointPorts(svc, pod);
      const k = portMapKey(ports);
      let d = desiredByPorts.get(k);
      if (!d) desiredByPorts.set(k, (d = { ports, endpoints: new Map() }));
      const node = pod.spec?.nodeName ? this.o.nodes.store.get('', pod.spec.nodeName) : undefined;
      if (!node && svc.spec?.publishNotReadyAddresses !== true) {
        // The pod GC will remove pods of a missing node; until then keep them out, and retry.
        errs.push(`skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: node not found`);
        continue;
      }
      const ep = podToEndpoint(pod, node, svc, addressType);
      if (ep.addresses.length > 0) d.endpoints.set(endpointKey(ep), ep);
    }

    for (const [k, d] of desiredByPorts) {
      const r = this.reconcileByPortMapping(svc, existingByPorts.get(k) ?? [], d.endpoints, d.ports, addressType);
      toCreate.push(...r.create);
      toUpdate.push(...r.update);
      toDelete.push(...r.remove);
    }
    for (const [k, slices] of existingByPorts) if (!desiredByPorts.has(k)) toDelete.push(...slices);

    // No endpoints at all: keep (or make) one empty placeholder slice.
    if (existing.length === toDelete.length && toCreate.length === 0) {
      const placeholder = newSlice(svc, [], addressType);
      if (toDelete.length === 1 && isPlaceholderOf(toDelete[0], placeholder)) toDelete = [];
      else toCreate.push(placeholder);
    }
    try {
      await this.finalize(svc, toCreate, toUpdate, toDelete, triggerTime, signal);
    } catch (err) {
      errs.push(errMsg(err));
    }
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  }

  private reconcileByPortMapping(svc: Obj, existing: Obj[], desired: Map<string, Obj>, ports: Obj[], addressType: AddressType): { create: Obj[]; update: Obj[]; remove: Obj[] } {
    const max = this.o.maxEndpointsPerSlice;
    const byName = new Map<string, Obj>();
    const unchanged = new Set<string>();
    const update = new Set<string>();
    const remove = new Set<string>();

    // 1. keep the endpoints still desired (refreshed), drop the rest
    for (const s of existing) {
      byName.set(s.metadata.name, s);
      const kept: Obj[] = [];
      let changed = false;
      for (const ep of s.endpoints ?? []) {
        const k = endpointKey(ep);
        const want = desired.get(k);
        if (!want) continue;
        kept.push(want);
        if (canonical(want) !== canonical(ep)) changed = true;
        desired.delete(k);
      }
      const [labels, labelsChanged] = sliceLabels(s, svc);
      if (changed || (s.endpoints ?? []).length !== kept.length) {
        if (kept.length === 0) remove.add(s.metadata.name);
        else {
          const next = clone(s);
          next.endpoints = kept;
          next.metadata.labels = labels;
          byName.set(s.metadata.name, next);
          update.add(s.metadata.name);
        }
      } else if (labelsChanged || canonical(s.metadata?.labels ?? {}) !== canonical(labels)) {
        // (the whole set is compared too, so a wrong reserved label gets fixed as well)
        const next = clone(s);
        next.metadata.labels = labels;
        byName.set(s.metadata.name, next);
        update.add(s.metadata.name);
      } else {
        unchanged.add(s.metadata.name);
      }
    }

    const pop = (): Obj => {
      const [k, ep] = desired.entries().next().value as [string, Obj];
      desired.delete(k);
      return ep;
    };

    // 2. top up the slices being updated anyway, fullest first
    if (desired.size > 0 && update.size > 0) {
      const slices = [...update].map((n) => byName.get(n)!).sort((a, b) => b.endpoints.length - a.endpoints.length);
      for (const s of slices) while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(pop());
    }

    // 3. the rest: into the unchanged slice that fits them best, else into new slices
    const create: Obj[] = [];
    while (desired.size > 0) {
      let fill: Obj | undefined;
      if (desired.size < max && unchanged.size > 0) {
        let best: Obj | undefined;
        let bestDiff = max;
        for (const n of unchanged) {
          const s = byName.get(n)!;
          const diff = max - (desired.size + (s.endpoints ?? []).length);
          if (diff >= 0 && diff < bestDiff) {
            bestDiff = diff;
            best = s;
            if (diff === 0) break;
          }
        }
        if (best) {
          fill = clone(best);
          fill.endpoints = [...(fill.endpoints ?? [])];
          byName.set(fill.metadata.name, fill);
        }
      }
      if (!fill) fill = newSlice(svc, ports, addressType);
      while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(pop());
      if (fill.metadata.name) {
        update.add(fill.metadata.name);
        unchanged.delete(fill.metadata.name);
      } else {
        create.push(fill);
      }
    }
    return { create, update: [...update].map((n) => byName.get(n)!), remove: [...remove].map((n) => byName.get(n)!) };
  }

  /** Writes the changes; a create paired with a delete becomes an update of the slice to delete. */
  private async finalize(svc: Obj, toCreate: Obj[], toUpdate: Obj[], toDelete: Obj[], triggerTime: number | undefined, signal?: AbortSignal): Promise<void> {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    for (let i = 0; i < toDelete.length && toCreate.length > 0;) {
      const del = toDelete[i];
      const c = toCreate[toCreate.length - 1];
      if (del.addressType === c.addressType && ownedBy(del, svc)) {
        c.metadata.name = del.metadata.name;
        c.metadata.resourceVersion = del.metadata.resourceVersion;
        delete c.metadata.generateName;
        toCreate.pop();
        toUpdate.push(c);
        toDelete.splice(i, 1);
      } else {
        i++;
      }
    }
    // Creating slices for a Service being deleted would race the garbage collector.
    if (!svc.metadata?.deletionTimestamp) {
      for (const s of toCreate) {
        addTriggerTime(s, triggerTime);
        try {
          this.o.tracker.update(await this.o.client.create(ENDPOINT_SLICES, ns, s, { signal }));
        } catch (err) {
          if (hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) return;
          throw new Error(`failed to create EndpointSlice for Service ${ns}/${name}: ${errMsg(err)}`);
        }
      }
    }
    for (const s of toUpdate) {
      addTriggerTime(s, triggerTime);
      try {
        this.o.tracker.update(await this.o.client.update(ENDPOINT_SLICES, ns, s, { signal }));
      } catch (err) {
        throw new Error(`failed to update ${s.metadata.name} EndpointSlice for Service ${ns}/${name}: ${errMsg(err)}`);
      }
    }
    for (const s of toDelete) {
      try {
        await this.o.client.delete(ENDPOINT_SLICES, ns, s.metadata.name, { signal });
        this.o.tracker.expectDeletion(s);
      } catch (err) {
        throw new Error(`failed to delete ${s.metadata.name} EndpointSlice for Service ${ns}/${name}: ${errMsg(err)}`);
      }
    }
  }
}
