// Test and benchmark support: object builders, a Handle over plain lists, and pods/binding
// for the FakeClient (which does not implement that subresource).

import { conflict, notFound } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { nowRFC3339, type Obj } from '../api/types.js';
import type { FakeClient } from '../client/fake.js';
import type { KubeClient } from '../client/interface.js';
import type { FrameworkRunner, Handle, Lister, ListerName, PodNominator, Recorder } from './framework.js';
import { NodeInfo, PodInfo, Snapshot } from './nodeinfo.js';

export const PODS = findResource('', 'v1', 'pods')!;
export const NODES = findResource('', 'v1', 'nodes')!;
export const EVENTS = findResource('', 'v1', 'events')!;

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Obj[];
  unschedulable?: boolean;
  /** Extra allocatable resources (extended resources, ephemeral-storage). */
  extra?: Record<string, string>;
}

export function makeNode(name: string, o: NodeOpts = {}): Obj {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '32Gi', pods: o.pods ?? '110', ...(o.extra ?? {}) };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

export interface PodOpts {
  namespace?: string;
  uid?: string;
  cpu?: string;
  memory?: string;
  /** Extra requests, e.g. { 'example.com/gpu': '1' }. */
  requests?: Record<string, string>;
  labels?: Record<string, string>;
  nodeName?: string;
  priority?: number;
  schedulerName?: string;
  spec?: Obj;
  status?: Obj;
}

let uidSeq = 0;

export function makePod(name: string, o: PodOpts = {}): Obj {
  const requests: Record<string, string> = { ...(o.cpu ? { cpu: o.cpu } : {}), ...(o.memory ? { memory: o.memory } : {}), ...(o.requests ?? {}) };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: o.uid ?? `uid-${name}-${++uidSeq}`, labels: o.labels ?? {} },
    spec: {
      containers: [{ name: 'c', image: 'busybox', ...(Object.keys(requests).length ? { resources: { requests } } : {}) }],
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      schedulerName: o.schedulerName ?? 'default-scheduler',
      ...(o.spec ?? {}),
    },
    status: { phase: 'Pending', ...(o.status ?? {}) },
  };
}

/** A NodeInfo for `node` with `pods` placed on it. */
export function nodeInfo(node: Obj, ...pods: Obj[]): NodeInfo {
  const n = new NodeInfo(node.metadata.name, node);
  for (const p of pods) n.addPod(new PodInfo({ ...p, spec: { ...p.spec, nodeName: node.metadata.name } }));
  return n;
}

function listerOf(objs: Obj[]): Lister {
  const key = (ns: string, name: string): string => (ns ? `${ns}/${name}` : name);
  const m = new Map(objs.map((o) => [key(o.metadata?.namespace ?? '', o.metadata?.name ?? ''), o]));
  return {
    get: (ns, name) => m.get(key(ns, name)),
    list: () => [...m.values()],
    listNamespace: (ns) => [...m.values()].filter((o) => (o.metadata?.namespace ?? '') === ns),
  };
}

class SimpleNominator implements PodNominator {
  readonly byNode = new Map<string, PodInfo[]>();
  hasNominatedPods(): boolean {
    return this.byNode.size > 0;
  }
  nominatedPodsForNode(n: string): readonly PodInfo[] {
    return this.byNode.get(n) ?? [];
  }
  addNominatedPod(pi: PodInfo, nodeName: string): void {
    this.deleteNominatedPodIfExists(pi.pod);
    const n = nodeName || pi.pod.status?.nominatedNodeName;
    if (!n) return;
    this.byNode.set(n, [...(this.byNode.get(n) ?? []), pi]);
  }
  deleteNominatedPodIfExists(pod: Obj): void {
    const key = new PodInfo(pod).key;
    for (const [n, list] of this.byNode) {
      const rest = list.filter((p) => p.key !== key);
      if (rest.length) this.byNode.set(n, rest); else this.byNode.delete(n);
    }
  }
}

export interface TestHandleOptions {
  nodes?: NodeInfo[];
  objects?: Partial<Record<ListerName, Obj[]>>;
  client?: KubeClient;
  recorder?: Recorder;
  framework?: FrameworkRunner;
}

export interface TestHandle extends Handle {
  events: { obj: Obj; type: string; reason: string; message: string }[];
  nominator: SimpleNominator;
  /** Replaced to point at a Framework built over this handle's plugins. */
  framework: FrameworkRunner;
}

/** A Handle over fixed nodes and objects, for plugin tests. */
export function testHandle(o: TestHandleOptions = {}): TestHandle {
  const snapshot = Snapshot.of(o.nodes ?? []);
  const listers = new Map<ListerName, Lister>();
  for (const [k, v] of Object.entries(o.objects ?? {})) listers.set(k as ListerName, listerOf(v as Obj[]));
  const events: TestHandle['events'] = [];
  const ac = new AbortController();
  const h: TestHandle = {
    client: o.client ?? (undefined as unknown as KubeClient),
    schedulerName: 'default-scheduler',
    snapshot: () => snapshot,
    lister: (n) => listers.get(n) ?? listerOf([]),
    recorder: o.recorder ?? { event: (obj, type, reason, message) => events.push({ obj, type, reason, message }) },
    nominator: new SimpleNominator(),
    framework: o.framework ?? (undefined as unknown as FrameworkRunner),
    assignedPodsWithLabel: (k, v) => {
      const out = new Set<PodInfo>();
      for (const n of snapshot.nodeInfoList) for (const p of n.pods) if (p.labels[k] === v) out.add(p);
      return out.size ? out : undefined;
    },
    signal: ac.signal,
    events,
  };
  return h;
}

/**
 * Makes the fake answer POST pods/NAME/binding as kube-apiserver's BindingREST does: set
 * spec.nodeName once (409 when already bound) and the PodScheduled=True condition.
 */
export function installBindingReactor(fake: FakeClient): void {
  fake.prependReactor('create', 'pods', (a) => {
    if (a.subresource !== 'binding') return undefined;
    const pod = fake.object(PODS, a.namespace, a.name ?? '');
    if (!pod) throw notFound('', 'pods', a.name ?? '');
    if (pod.metadata.deletionTimestamp) throw conflict('', 'pods', pod.metadata.name, `pod ${pod.metadata.name} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict('', 'pods', pod.metadata.name, `pod ${pod.metadata.name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = a.object?.target?.name;
    const conds = (pod.status?.conditions ?? []).filter((c: Obj) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRFC3339() });
    pod.status = { ...(pod.status ?? {}), conditions: conds };
    // The fake writes synchronously inside update()/updateStatus(); only their promises are
    // left to settle. Pods have a status subresource, so the condition needs its own write.
    fake.update(PODS, a.namespace, pod).catch(() => undefined);
    fake.updateStatus(PODS, a.namespace, { metadata: { name: pod.metadata.name, namespace: a.namespace }, status: pod.status }).catch(() => undefined);
    return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code: 201 };
  });
}
