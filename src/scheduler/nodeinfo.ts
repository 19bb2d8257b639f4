// The scheduler's view of pods and nodes (framework.PodInfo / NodeInfo / Snapshot).
//
// A PodInfo pre-computes everything plugins ask of a pod (requests, ports, tolerations,
// compiled affinity terms) once, so the per-node filter/score loops only compare numbers and
// look up labels. A NodeInfo aggregates the pods on a node (requested resources, used host
// ports, PVC references, pods with affinity).
//
// Contract: API objects inside PodInfo/NodeInfo are shared with the informer caches and are
// read-only; a scheduling cycle reads NodeInfos synchronously (the cache changes only between
// cycles), so the Snapshot can hand out the cache's own NodeInfos without copying.

import type { Obj } from '../api/types.js';
import { podRequests, Resource } from './resources.js';
import { compileAffinityTerms, compileWeightedTerms, type AffinityTerm, type WeightedAffinityTerm } from './util/podaffinity.js';
import { parseTaints, parseTolerations, type Taint, type Toleration } from './util/taints.js';

export interface HostPort { ip: string; protocol: string; port: number }

const EMPTY: readonly never[] = [];
const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** A stable cache key for a pod: its UID, or namespace/name when it has none (tests). */
export function podKey(pod: Obj): string {
  const m = pod?.metadata ?? {};
  return m.uid || `${m.namespace ?? ''}/${m.name ?? ''}`;
}

/**
 * Host ports a pod asks for: containers and restartable init containers with hostPort > 0
 * (with hostNetwork, a container port is a host port even when defaulting did not copy it).
 */
function hostPortsOf(pod: Obj): HostPort[] {
  let out: HostPort[] | undefined;
  const hostNetwork = !!pod?.spec?.hostNetwork;
  const visit = (c: Obj): void => {
    for (const p of c?.ports ?? []) {
      const port = Number(p?.hostPort ?? (hostNetwork ? p?.containerPort : 0) ?? 0);
      if (!(port > 0)) continue;
      (out ??= []).push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port });
    }
  };
  for (const c of pod?.spec?.containers ?? []) visit(c);
  for (const c of pod?.spec?.initContainers ?? []) if (c?.restartPolicy === 'Always') visit(c);
  return out ?? (EMPTY as unknown as HostPort[]);
}

export class PodInfo {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  /** Effective priority (spec.priority, or the PriorityClass's value when admission did not set it). */
  readonly priority: number;
  /** Requests as PodRequests computes them (with overhead). */
  readonly requests: Resource;
  /** CPU/memory with the defaults for containers that request none (NonZeroRequested). */
  readonly nonZeroCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: HostPort[];
  readonly tolerations: Toleration[];
  readonly requiredAffinityTerms: AffinityTerm[];
  readonly requiredAntiAffinityTerms: AffinityTerm[];
  readonly preferredAffinityTerms: WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: WeightedAffinityTerm[];
  /** Set when the affinity terms could not be parsed (scheduling fails with it). */
  readonly parseError?: Error;
  /** Names of PVCs the pod uses (persistentVolumeClaim and generic ephemeral volumes). */
  readonly pvcNames: string[];

  constructor(readonly pod: Obj, priority?: number, from?: PodInfo) {
    const m = pod?.metadata ?? {};
    this.key = podKey(pod);
    this.namespace = m.namespace ?? '';
    this.name = m.name ?? '';
    this.labels = m.labels ?? NO_LABELS;
    this.priority = priority ?? (typeof pod?.spec?.priority === 'number' ? pod.spec.priority : 0);
    if (from) {
      // Same spec (the assumed copy of a pod): share what was computed.
      this.requests = from.requests;
      this.nonZeroCPU = from.nonZeroCPU;
      this.nonZeroMemory = from.nonZeroMemory;
      this.hostPorts = from.hostPorts;
      this.tolerations = from.tolerations;
      this.requiredAffinityTerms = from.requiredAffinityTerms;
      this.requiredAntiAffinityTerms = from.requiredAntiAffinityTerms;
      this.preferredAffinityTerms = from.preferredAffinityTerms;
      this.preferredAntiAffinityTerms = from.preferredAntiAffinityTerms;
      this.parseError = from.parseError;
      this.pvcNames = from.pvcNames;
      return;
    }
    const spec = pod?.spec ?? {};
    this.requests = podRequests(pod, false);
    const nz = podRequests(pod, true);
    this.nonZeroCPU = nz.milliCPU;
    this.nonZeroMemory = nz.memory;
    this.hostPorts = hostPortsOf(pod);
    this.tolerations = parseTolerations(spec.tolerations);
    const aff = spec.affinity ?? {};
    let req: AffinityTerm[] = [], anti: AffinityTerm[] = [], pref: WeightedAffinityTerm[] = [], prefAnti: WeightedAffinityTerm[] = [];
    try {
      req = compileAffinityTerms(pod, aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
      anti = compileAffinityTerms(pod, aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution);
      pref = compileWeightedTerms(pod, aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
      prefAnti = compileWeightedTerms(pod, aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution);
    } catch (err) {
      this.parseError = err as Error;
    }
    this.requiredAffinityTerms = req;
    this.requiredAntiAffinityTerms = anti;
    this.preferredAffinityTerms = pref;
    this.preferredAntiAffinityTerms = prefAnti;
    let pvcs: string[] | undefined;
    for (const v of spec.volumes ?? []) {
      if (v?.persistentVolumeClaim?.claimName) (pvcs ??= []).push(v.persistentVolumeClaim.claimName);
      else if (v?.ephemeral) (pvcs ??= []).push(`${this.name}-${v.name}`);
    }
    this.pvcNames = pvcs ?? (EMPTY as unknown as string[]);
  }

  /** The same pod placed on `nodeName` (what the scheduler assumes before the bind lands). */
  withNodeName(nodeName: string): PodInfo {
    const pod = { ...this.pod, spec: { ...this.pod.spec, nodeName } };
    return new PodInfo(pod, this.priority, this);
  }

  get nodeName(): string {
    return this.pod?.spec?.nodeName ?? '';
  }

  /** Has any pod affinity or anti-affinity (NodeInfo.PodsWithAffinity). */
  get hasAffinity(): boolean {
    const a = this.pod?.spec?.affinity;
    return !!(a && (a.podAffinity || a.podAntiAffinity));
  }

  get hasRequiredAntiAffinity(): boolean {
    return this.requiredAntiAffinityTerms.length > 0;
  }

  get terminating(): boolean {
    return !!this.pod?.metadata?.deletionTimestamp;
  }
}

/** Used host ports of a node (framework.HostPortInfo), with 0.0.0.0 meaning every address. */
export class HostPortInfo {
  /** `ip|protocol|port` → count */
  private readonly exact = new Map<string, number>();
  /** `protocol|port` → count, any ip */
  private readonly any = new Map<string, number>();

  get size(): number {
    return this.exact.size;
  }

  add(p: HostPort, sign = 1): void {
    bump(this.exact, `${p.ip}|${p.protocol}|${p.port}`, sign);
    bump(this.any, `${p.protocol}|${p.port}`, sign);
  }

  conflicts(p: HostPort): boolean {
    if (p.ip === '0.0.0.0') return this.any.has(`${p.protocol}|${p.port}`);
    return this.exact.has(`${p.ip}|${p.protocol}|${p.port}`) || this.exact.has(`0.0.0.0|${p.protocol}|${p.port}`);
  }

  clone(): HostPortInfo {
    const h = new HostPortInfo();
    for (const [k, v] of this.exact) h.exact.set(k, v);
    for (const [k, v] of this.any) h.any.set(k, v);
    return h;
  }
}

function bump(m: Map<string, number>, k: string, d: number): void {
  const v = (m.get(k) ?? 0) + d;
  if (v <= 0) m.delete(k); else m.set(k, v);
}

let generationSeq = 0;

export class NodeInfo {
  node: Obj | null = null;
  name: string;
  labels: Record<string, string> = NO_LABELS;
  taints: Taint[] = [];
  unschedulable = false;
  allocatable = new Resource();
  requested = new Resource();
  /** Requests with the non-zero defaults (for LeastAllocated scoring). */
  nonZeroRequested = new Resource();
  pods: PodInfo[] = [];
  podsWithAffinity: PodInfo[] = [];
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts = new HostPortInfo();
  pvcRefCounts = new Map<string, number>();
  /** Bumped on every change (tests and the preemption dry run use it). */
  generation = ++generationSeq;

  constructor(name: string, node?: Obj) {
    this.name = name;
    if (node) this.setNode(node);
  }

  setNode(node: Obj): void {
    this.node = node;
    this.name = node.metadata?.name ?? this.name;
    this.labels = node.metadata?.labels ?? NO_LABELS;
    this.taints = parseTaints(node.spec?.taints);
    this.unschedulable = !!node.spec?.unschedulable;
    const alloc = new Resource();
    alloc.addList(node.status?.allocatable ?? node.status?.capacity);
    this.allocatable = alloc;
    this.generation = ++generationSeq;
  }

  /** Adds a pod's usage (NodeInfo.AddPodInfo). */
  addPod(pi: PodInfo): void {
    this.pods.push(pi);
    if (pi.hasAffinity) this.podsWithAffinity.push(pi);
    if (pi.hasRequiredAntiAffinity) this.podsWithRequiredAntiAffinity.push(pi);
    this.update(pi, 1);
  }

  /** Removes a pod by key; false when it was not on this node. */
  removePod(pi: PodInfo): boolean {
    const i = indexOfKey(this.pods, pi.key);
    if (i < 0) return false;
    const old = this.pods[i];
    swapRemove(this.pods, i);
    const a = indexOfKey(this.podsWithAffinity, pi.key);
    if (a >= 0) swapRemove(this.podsWithAffinity, a);
    const r = indexOfKey(this.podsWithRequiredAntiAffinity, pi.key);
    if (r >= 0) swapRemove(this.podsWithRequiredAntiAffinity, r);
    this.update(old, -1);
    return true;
  }

  private update(pi: PodInfo, sign: number): void {
    this.requested.add(pi.requests, sign);
    this.nonZeroRequested.milliCPU += sign * pi.nonZeroCPU;
    this.nonZeroRequested.memory += sign * pi.nonZeroMemory;
    for (const p of pi.hostPorts) this.usedPorts.add(p, sign);
    for (const c of pi.pvcNames) bump(this.pvcRefCounts, `${pi.namespace}/${c}`, sign);
    this.generation = ++generationSeq;
  }

  /** A deep enough copy for simulations (preemption): pod lists and aggregates are copied, objects shared. */
  clone(): NodeInfo {
    const n = new NodeInfo(this.name);
    n.node = this.node;
    n.labels = this.labels;
    n.taints = this.taints;
    n.unschedulable = this.unschedulable;
    n.allocatable = this.allocatable;
    n.requested = this.requested.clone();
    n.nonZeroRequested = this.nonZeroRequested.clone();
    n.pods = [...this.pods];
    n.podsWithAffinity = [...this.podsWithAffinity];
    n.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    n.usedPorts = this.usedPorts.clone();
    n.pvcRefCounts = new Map(this.pvcRefCounts);
    n.generation = this.generation;
    return n;
  }
}

function indexOfKey(list: PodInfo[], key: string): number {
  for (let i = 0; i < list.length; i++) if (list[i].key === key) return i;
  return -1;
}

function swapRemove<T>(list: T[], i: number): void {
  list[i] = list[list.length - 1];
  list.pop();
}

/**
 * The nodes one scheduling cycle sees. Lists are rebuilt only when the set of nodes (or of
 * nodes with affinity pods) changes; NodeInfos themselves are the cache's (see contract above).
 * Nodes are ordered zone by zone, round robin (upstream's nodeTree), so sampling a fraction of
 * them still spreads over zones.
 */
export class Snapshot {
  nodeInfoList: NodeInfo[] = [];
  havePodsWithAffinityList: NodeInfo[] = [];
  havePodsWithRequiredAntiAffinityList: NodeInfo[] = [];
  private byName = new Map<string, NodeInfo>();
  /** The cache generation these lists were built from. */
  builtFrom = -1;
  affinityBuiltFrom = -1;

  get(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  get numNodes(): number {
    return this.nodeInfoList.length;
  }

  /** Rebuilds the node list from `nodes` (only those with a Node object). */
  setNodes(nodes: Iterable<NodeInfo>): void {
    const zones = new Map<string, NodeInfo[]>();
    const byName = new Map<string, NodeInfo>();
    for (const n of nodes) {
      if (!n.node) continue;
      byName.set(n.name, n);
      const z = zoneKey(n.labels);
      let list = zones.get(z);
      if (!list) zones.set(z, (list = []));
      list.push(n);
    }
    const out: NodeInfo[] = [];
    const lists = [...zones.values()];
    for (let i = 0, added = true; added; i++) {
      added = false;
      for (const l of lists) if (i < l.length) { out.push(l[i]); added = true; }
    }
    this.nodeInfoList = out;
    this.byName = byName;
  }

  rebuildAffinityLists(): void {
    this.havePodsWithAffinityList = this.nodeInfoList.filter((n) => n.podsWithAffinity.length > 0);
    this.havePodsWithRequiredAntiAffinityList = this.nodeInfoList.filter((n) => n.podsWithRequiredAntiAffinity.length > 0);
  }

  /** A snapshot over given NodeInfos (tests, simulations). */
  static of(nodes: NodeInfo[]): Snapshot {
    const s = new Snapshot();
    s.nodeInfoList = nodes.filter((n) => n.node);
    s.byName = new Map(s.nodeInfoList.map((n) => [n.name, n]));
    s.rebuildAffinityLists();
    return s;
  }
}

/** utilnode.GetZoneKey: region and zone labels (GA, else beta). */
export function zoneKey(labels: Record<string, string>): string {
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}
