// The simulated node agent (kwok-like): one object in one process runs every Node labelled
// skiff.dev/simulated=true as a kubelet would, without containers. Per node it keeps the
// Lease in kube-node-lease renewed (every leaseDuration/4, jittered), posts node status
// (conditions, capacity, addresses, nodeInfo) when something changed and otherwise every few
// minutes, and runs the pods bound to it (pods.ts).
//
// Scale: one node informer (label-selected), one pod informer for all pods (indexed by
// spec.nodeName, started once the first node is adopted), one TimerQueue for every deadline of
// every node and pod, and two workqueues with a fixed number of workers. Nothing is per node
// but a small record.

import type { Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { InformerFactory, type Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/workqueue.js';
import { realClock, type Clock } from '../../client/clock.js';
import { formatIp, parseCidr } from '../../api/cidr.js';
import { DEFAULT_LEASE_DURATION_SECONDS, NodeLeases } from '../node/lease.js';
import {
  NETWORK_NOT_READY_MESSAGE, RUNTIME_NOT_READY_MESSAGE, conditionsChanged, nodeAddress, nodeConditions, nodeInfo, nodeInternalIPs, nodePodCIDRs,
} from '../node/nodestatus.js';
import { PodIPAllocator } from '../node/podips.js';
import { TimerQueue } from '../node/timerqueue.js';
import { SimulatedPods } from './pods.js';
import { NODES, SIMULATED_SELECTOR, canonicalList, nodeResources, registeredResources, type ResourceList } from './register.js';

/** Where simulated nodes' InternalIPs come from: RFC 2544's benchmarking range, never routed. */
export const DEFAULT_NODE_ADDRESS_RANGE = '198.18.0.0/15';
export const KUBELET_PORT = 10250;

export interface SimulatedNodeAgentOptions {
  client: KubeClient;
  /** Share informer caches with in-process controllers (default: the agent's own). */
  informers?: InformerFactory;
  /** Which nodes to run (default skiff.dev/simulated=true). */
  labelSelector?: string;
  /** Capacity for nodes registered without one (default 4 CPU, 16Gi, 110 pods). */
  capacity?: ResourceList;
  /** A node reports Ready this long after the agent adopts it (default 0). */
  readyDelayMs?: number;
  /** A pod's containers run this long after it is bound (default 500). */
  podStartDelayMs?: number;
  /** A deleted pod's containers stop this long after the deletion is seen, at most its grace period (default 100). */
  podStopDelayMs?: number;
  /** Lease duration (default 40 s) and renewal interval (default a quarter of it). */
  leaseDurationSeconds?: number;
  leaseRenewIntervalMs?: number;
  /** Unchanged status is re-posted this often (kubelet nodeStatusReportFrequency, default 5 min). */
  statusReportIntervalMs?: number;
  /** Nodes stay NotReady (network plugin not ready) until they have a podCIDR (default true). */
  requirePodCIDR?: boolean;
  /**
   * The first status report waits this long for the podCIDR (default 10 s), so a node the IPAM
   * controller serves promptly posts Ready once instead of NotReady then Ready — at scale that
   * saves two node writes and the not-ready taint churn per node.
   */
  firstReportWaitMs?: number;
  /** status.nodeInfo overrides. */
  nodeInfo?: Partial<Record<string, string>>;
  /** InternalIPs for nodes that have none (default 198.18.0.0/15). */
  addressRange?: string;
  nodeWorkers?: number;
  podWorkers?: number;
  clock?: Clock;
  log?: Logger;
}

export interface SimNode {
  name: string;
  uid: string;
  adoptedAt: number;
  /** When the node is to report Ready (adoption + readyDelay). */
  readyAt: number;
  /** Last status report (ms), undefined before the first. */
  reportedAt?: number;
  leaseFailures: number;
  ips?: PodIPAllocator;
  cidrKey: string;
  /** Pods waiting for the node to get a podCIDR (or a free address). */
  waiting: Set<string>;
  /** The node's InternalIP (found in its status, or given by this agent). */
  address?: string;
}

const DEFAULT_NODE_INFO = {
  osImage: 'Skiff Simulated Node', kernelVersion: '6.1.0-skiff-sim', containerRuntimeVersion: 'skiff-sim://1.0',
};

export class SimulatedNodeAgent {
  readonly nodes = new Map<string, SimNode>();
  readonly clock: Clock;
  readonly log: Logger;
  readonly timers: TimerQueue<string>;
  readonly nodeQueue = new WorkQueue<string>();
  readonly nodesInformer: Informer;
  readonly factory: InformerFactory;
  readonly pods: SimulatedPods;
  private readonly leases: NodeLeases;
  private readonly leaseIntervalMs: number;
  private readonly reportIntervalMs: number;
  private readonly addresses = new Map<string, string>(); // InternalIP → node
  /** Nodes whose Lease has been written once by this agent. */
  private readonly leaseSeen = new Set<string>();
  private readonly addrRange: { base: bigint; size: bigint };
  private addrCursor = 1n;
  private signal?: AbortSignal;
  private readonly abort = new AbortController();

  constructor(readonly o: SimulatedNodeAgentOptions) {
    this.clock = o.clock ?? realClock;
    this.log = o.log ?? stderrLogger('simulated-nodes');
    this.factory = o.informers ?? new InformerFactory(o.client, { log: this.log });
    this.timers = new TimerQueue<string>((k) => this.fire(k), { clock: this.clock, signal: this.abort.signal, batchMs: 10 });
    const duration = o.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
    this.leases = new NodeLeases(o.client, duration);
    this.leaseIntervalMs = o.leaseRenewIntervalMs ?? duration * 250;
    this.reportIntervalMs = o.statusReportIntervalMs ?? 300_000;
    const r = parseCidr(o.addressRange ?? DEFAULT_NODE_ADDRESS_RANGE);
    this.addrRange = { base: r.base, size: 1n << BigInt(r.bits - r.prefix) };
    this.pods = new SimulatedPods(this);
    this.nodesInformer = this.factory.informerFor(NODES, { labelSelector: o.labelSelector ?? SIMULATED_SELECTOR });
    this.nodesInformer.addEventHandler({
      onAdd: (n) => this.nodeSeen(n),
      onUpdate: (old, n) => this.nodeSeen(n, old),
      onDelete: (n) => this.nodeGone(n),
    });
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    if (signal.aborted) return;
    const onAbort = (): void => this.abort.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.factory.start(signal);
    try {
      await runController({
        name: 'simulated-nodes', queue: this.nodeQueue, informers: [this.nodesInformer],
        workers: this.o.nodeWorkers ?? 32, sync: (k, s) => this.syncNode(k, s), log: this.log,
      }, signal);
      await this.pods.stopped();
      if (!this.o.informers) await this.factory.stopped();
    } finally {
      this.abort.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Resolves once the node informer has synced (false if stopped first). */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    return this.nodesInformer.waitForSync(signal);
  }

  /** Counters for logs and benchmarks. */
  stats(): { nodes: number; pods: number; timers: number; nodeQueue: number; podQueue: number } {
    return { nodes: this.nodes.size, pods: this.pods.count(), timers: this.timers.size, nodeQueue: this.nodeQueue.len(), podQueue: this.pods.queue.len() };
  }

  /** Names of the nodes currently run by this agent. */
  nodeNames(): string[] {
    return [...this.nodes.keys()];
  }

  get runSignal(): AbortSignal | undefined {
    return this.signal;
  }

  private fire(key: string): void {
    const kind = key[0];
    if (kind === 'p') this.pods.enqueue(key.slice(2));
    else this.nodeQueue.add(key);
  }

  // ---- nodes ----

  private nodeSeen(node: Obj, old?: Obj): void {
    const name: string = node.metadata?.name;
    const uid: string = node.metadata?.uid ?? '';
    let sn = this.nodes.get(name);
    if (sn && sn.uid !== uid) {
      this.dropNode(sn);
      sn = undefined;
    }
    const addr = nodeAddress(node, 'InternalIP');
    if (addr && !this.addresses.has(addr)) this.addresses.set(addr, name);
    if (!sn) {
      const now = this.clock.now();
      sn = { name, uid, adoptedAt: now, readyAt: now + (this.o.readyDelayMs ?? 0), leaseFailures: 0, cidrKey: '', waiting: new Set(), address: addr };
      this.nodes.set(name, sn);
      this.nodeQueue.add(`s/${name}`);
      this.nodeQueue.add(`l/${name}`);
      this.pods.nodeAdopted(name);
      return;
    }
    // Pods waiting for the node's podCIDR or addresses try again on any change of the node.
    if (sn.waiting.size) this.pods.wakeWaiting(sn);
    // Someone else changed what we report (the node controller marking it Unknown, an edit):
    // the status sync decides whether to answer.
    if (old) this.nodeQueue.add(`s/${name}`);
  }

  private nodeGone(node: Obj): void {
    const sn = this.nodes.get(node.metadata?.name);
    if (sn && sn.uid === (node.metadata?.uid ?? '')) this.dropNode(sn);
  }

  private dropNode(sn: SimNode): void {
    this.nodes.delete(sn.name);
    this.timers.cancel(`s/${sn.name}`);
    this.timers.cancel(`l/${sn.name}`);
    this.leases.forget(sn.name);
    this.leaseSeen.delete(sn.name);
    if (sn.address && this.addresses.get(sn.address) === sn.name) this.addresses.delete(sn.address);
    this.pods.nodeDropped(sn.name);
  }

  private async syncNode(key: string, signal: AbortSignal): Promise<void> {
    const name = key.slice(2);
    const sn = this.nodes.get(name);
    if (!sn) return;
    if (key[0] === 'l') await this.renewLease(sn, signal);
    else await this.syncStatus(sn, signal);
  }

  private async renewLease(sn: SimNode, signal: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const first = !this.leaseSeen.has(sn.name);
    try {
      await this.leases.renew({ name: sn.name, uid: sn.uid }, new Date(now), signal);
      sn.leaseFailures = 0;
      this.leaseSeen.add(sn.name);
    } catch (err) {
      if (signal.aborted || !this.nodes.has(sn.name)) return;
      sn.leaseFailures++;
      if (sn.leaseFailures === 1 || sn.leaseFailures % 10 === 0) this.log.warn(`node ${sn.name}: failed to renew lease (${sn.leaseFailures}x): ${errMsg(err)}`);
      // kubelet's nodelease controller: retry with back-off from 200 ms, capped at the interval
      this.timers.schedule(`l/${sn.name}`, now + Math.min(this.leaseIntervalMs, 200 * 2 ** Math.min(sn.leaseFailures, 10)));
      return;
    }
    if (!this.nodes.has(sn.name)) return;
    // The first renewal lands at a random point of the interval, so thousands of nodes
    // registered together renew spread out, not in bursts; later ones add 4% jitter.
    const delay = first ? this.leaseIntervalMs * (0.1 + 0.9 * Math.random()) : this.leaseIntervalMs * (1 + 0.04 * Math.random());
    this.timers.schedule(`l/${sn.name}`, now + delay);
  }

  /** The node's status as its kubelet would post it now. */
  desiredStatus(sn: SimNode, node: Obj, now: number): Obj {
    const cidrs = nodePodCIDRs(node);
    const needCidr = (this.o.requirePodCIDR ?? true) && cidrs.length === 0;
    const ready = now >= sn.readyAt && !needCidr;
    const conditions = nodeConditions(node.status?.conditions, {
      ready, notReadyMessage: needCidr && now >= sn.readyAt ? NETWORK_NOT_READY_MESSAGE : RUNTIME_NOT_READY_MESSAGE,
    }, new Date(now));
    const res = registeredResources(node) ?? (node.status?.capacity && node.status?.allocatable
      ? { capacity: canonicalList(node.status.capacity), allocatable: canonicalList(node.status.allocatable) } : nodeResources(this.o.capacity));
    const addr = nodeAddress(node, 'InternalIP') ?? (sn.address ??= this.allocateAddress(sn.name));
    const info = { ...nodeInfo(`${sn.name}/${sn.uid}`, { ...DEFAULT_NODE_INFO, ...(this.o.nodeInfo ?? {}) }) };
    // Keep ids once posted: they identify the machine (and the boot) across agent restarts.
    for (const k of ['machineID', 'systemUUID', 'bootID']) if (node.status?.nodeInfo?.[k]) info[k] = node.status.nodeInfo[k];
    return {
      conditions,
      addresses: [{ type: 'InternalIP', address: addr }, { type: 'Hostname', address: sn.name }],
      capacity: res.capacity, allocatable: res.allocatable,
      daemonEndpoints: { kubeletEndpoint: { Port: KUBELET_PORT } },
      nodeInfo: info,
    };
  }

  private async syncStatus(sn: SimNode, signal: AbortSignal): Promise<void> {
    const node = this.nodesInformer.store.get('', sn.name);
    if (!node || (node.metadata?.uid ?? '') !== sn.uid) return;
    const now = this.clock.now();
    const waitUntil = sn.adoptedAt + (this.o.firstReportWaitMs ?? 10_000);
    if (sn.reportedAt === undefined && (this.o.requirePodCIDR ?? true) && !nodePodCIDRs(node).length && now < waitUntil) {
      this.timers.schedule(`s/${sn.name}`, waitUntil);
      return;
    }
    const want = this.desiredStatus(sn, node, now);
    const cur: Obj = node.status ?? {};
    const changed = conditionsChanged(cur.conditions, want.conditions)
      || ['addresses', 'capacity', 'allocatable', 'daemonEndpoints', 'nodeInfo'].some((k) => canonical(cur[k]) !== canonical(want[k]));
    const due = sn.reportedAt === undefined || now - sn.reportedAt >= this.reportIntervalMs;
    if (changed || due) {
      // A strategic merge patch: conditions merge by type, so conditions others own survive.
      await this.o.client.patch(NODES, '', sn.name, 'strategic', { status: want }, { subresource: 'status', signal });
      sn.reportedAt = now;
    }
    if (!this.nodes.has(sn.name)) return;
    let next = (sn.reportedAt ?? now) + this.reportIntervalMs * (1 + 0.1 * Math.random());
    if (now < sn.readyAt) next = Math.min(next, sn.readyAt);
    this.timers.schedule(`s/${sn.name}`, next);
  }

  /** The next free InternalIP of the address range. */
  private allocateAddress(node: string): string {
    for (let i = 0n; i < this.addrRange.size; i++) {
      const off = this.addrCursor;
      this.addrCursor = this.addrCursor + 1n >= this.addrRange.size - 1n ? 1n : this.addrCursor + 1n;
      const ip = formatIp(this.addrRange.base + off, 4);
      if (!this.addresses.has(ip)) {
        this.addresses.set(ip, node);
        return ip;
      }
    }
    throw new Error(`no free node address left in ${this.o.addressRange ?? DEFAULT_NODE_ADDRESS_RANGE}`);
  }

  /** The pod IP allocator of a node with podCIDRs (created on first use), or undefined. */
  allocatorFor(sn: SimNode): PodIPAllocator | undefined {
    const node = this.nodesInformer.store.get('', sn.name);
    const cidrs = node ? nodePodCIDRs(node) : [];
    const key = cidrs.join(',');
    if (key !== sn.cidrKey || !sn.ips) {
      sn.cidrKey = key;
      sn.ips = undefined;
      if (!cidrs.length) return undefined;
      try {
        sn.ips = new PodIPAllocator(cidrs);
      } catch (err) {
        this.log.warn(`node ${sn.name}: unusable podCIDRs ${key}: ${errMsg(err)}`);
        return undefined;
      }
      this.pods.reserveExisting(sn);
    }
    return sn.ips;
  }

  /** The node's InternalIPs (a pod's hostIPs). */
  hostIPs(name: string): string[] {
    const node = this.nodesInformer.store.get('', name);
    return node ? nodeInternalIPs(node) : [];
  }
}

/** JSON with sorted keys: equality of API objects regardless of key order. */
export function canonical(v: unknown): string {
  if (v === undefined) return 'undefined';
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]])) : val));
}
