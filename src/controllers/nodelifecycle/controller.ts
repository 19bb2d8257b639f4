// Node lifecycle (kube-controller-manager's node-lifecycle-controller):
//  - health: every nodeMonitorPeriod (5 s) each node's last sign of life — its Lease renewal
//    in kube-node-lease or a new Ready heartbeat — is checked; silent for longer than the
//    grace period (40 s; 60 s for nodes that never posted status) turns Ready, MemoryPressure,
//    DiskPressure and PIDPressure Unknown ("NodeStatusUnknown", "Kubelet stopped posting
//    node status."), emits NodeNotReady and marks the node's pods not Ready;
//  - NoExecute taints: Ready False → node.kubernetes.io/not-ready:NoExecute, Unknown →
//    node.kubernetes.io/unreachable:NoExecute, Ready → neither; added through a per-zone
//    rate-limited queue (0.1 node/s; slower or stopped when a zone is mostly down; none at
//    all, and existing ones removed, when every node of every zone is down);
//  - NoSchedule taints by condition (TaintNodesByCondition) and for spec.unschedulable;
//  - the beta OS/arch labels follow the stable ones.
// The taint-based eviction itself is the TaintEvictionController (tainteviction.ts).

import { findResource } from '../../api/resources.js';
import { clone, nowRFC3339, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { realClock, type Clock } from '../../client/clock.js';
import { RateLimitedTimedQueue } from './ratelimited.js';
import {
  NOT_READY_NO_EXECUTE, TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE, TAINT_NOT_READY, TAINT_PID_PRESSURE,
  TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, UNREACHABLE_NO_EXECUTE, swapNodeTaints, taintExists, type Taint,
} from './taints.js';

export const NODES: ResourceRef = findResource('', 'v1', 'nodes')!;
export const PODS: ResourceRef = findResource('', 'v1', 'pods')!;
export const LEASES: ResourceRef = findResource('coordination.k8s.io', 'v1', 'leases')!;
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const NODE_NAME_INDEX = 'spec.nodeName';
const EXCLUDE_DISRUPTION_LABEL = 'node.kubernetes.io/exclude-disruption';
const HEALTH_UPDATE_RETRIES = 5;

/** condition type → status → NoSchedule taint key (nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};
const CONDITION_TAINT_KEYS = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_UNSCHEDULABLE]);
const UNKNOWN_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
const LABEL_PAIRS: [string, string][] = [['kubernetes.io/os', 'beta.kubernetes.io/os'], ['kubernetes.io/arch', 'beta.kubernetes.io/arch']];

type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

export interface NodeLifecycleControllerOptions {
  client: KubeClient;
  nodes: Informer;
  /** Leases of namespace kube-node-lease. */
  leases: Informer;
  pods: Informer;
  /** component "node-controller" */
  recorder?: EventRecorder;
  nodeMonitorPeriodMs?: number;
  /** --node-monitor-grace-period (default 40 s) */
  nodeMonitorGracePeriodMs?: number;
  /** --node-startup-grace-period (default 60 s) */
  nodeStartupGracePeriodMs?: number;
  /** --node-eviction-rate (0.1), --secondary-node-eviction-rate (0.01) */
  evictionLimiterQPS?: number;
  secondaryEvictionLimiterQPS?: number;
  /** --large-cluster-size-threshold (50), --unhealthy-zone-threshold (0.55) */
  largeClusterThreshold?: number;
  unhealthyZoneThreshold?: number;
  clock?: Clock;
  log?: Logger;
}

interface NodeHealth { probeTimestamp: number; readyTransitionTimestamp: number; status: Obj; leaseRenewTime?: number }

function condition(node: Obj, type: string): Obj | undefined {
  return (node?.status?.conditions ?? []).find((c: Obj) => c?.type === type);
}

/** nodetopology.GetZoneKey: region and zone labels, "" when neither is set. */
export function zoneKey(node: Obj): string {
  const l: Record<string, string> = node?.metadata?.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

export function ensureNodeNameIndex(pods: Informer): void {
  try {
    pods.addIndexers({ [NODE_NAME_INDEX]: (p: Obj) => (p?.spec?.nodeName ? [String(p.spec.nodeName)] : []) });
  } catch { /* already there: one index serves every controller sharing the informer */ }
}

export class NodeLifecycleController {
  readonly nodeQueue = new WorkQueue<string>();
  readonly podQueue = new WorkQueue<string>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly health = new Map<string, NodeHealth>();
  private readonly known = new Map<string, Obj>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly tainters = new Map<string, RateLimitedTimedQueue>();
  private readonly retry = new Set<string>();
  private readonly grace: number;
  private readonly startupGrace: number;
  private readonly qps: number;
  private taintTimer: unknown;
  private signal?: AbortSignal;

  constructor(private readonly o: NodeLifecycleControllerOptions) {
    this.clock = o.clock ?? realClock;
    this.log = o.log ?? stderrLogger('node-lifecycle-controller');
    this.grace = o.nodeMonitorGracePeriodMs ?? 40_000;
    this.startupGrace = o.nodeStartupGracePeriodMs ?? 60_000;
    this.qps = o.evictionLimiterQPS ?? 0.1;
    ensureNodeNameIndex(o.pods);
    o.nodes.addEventHandler({
      onAdd: (n) => this.nodeQueue.add(n.metadata.name),
      onUpdate: (_old, n) => this.nodeQueue.add(n.metadata.name),
      onDelete: (n) => this.retry.delete(n.metadata.name),
    });
    o.pods.addEventHandler({
      onAdd: (p) => { if (p.spec?.nodeName) this.podQueue.add(metaNamespaceKey(p)); },
      onUpdate: (old, p) => { if (p.spec?.nodeName && p.spec.nodeName !== old.spec?.nodeName) this.podQueue.add(metaNamespaceKey(p)); },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    const informers = [this.o.nodes, this.o.leases, this.o.pods];
    const synced = await Promise.all(informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) {
      this.nodeQueue.shutdown();
      this.podQueue.shutdown();
      return;
    }
    const period = this.o.nodeMonitorPeriodMs ?? 5000;
    let monitorTimer: unknown;
    const monitorLoop = async (): Promise<void> => {
      if (signal.aborted) return;
      try {
        await this.monitorNodeHealth(signal);
      } catch (err) {
        if (!signal.aborted) this.log.error(`error monitoring node health: ${errMsg(err)}`);
      }
      if (!signal.aborted) monitorTimer = this.clock.setTimer(() => void monitorLoop(), period);
    };
    const onAbort = (): void => {
      this.clock.clearTimer(monitorTimer);
      this.clock.clearTimer(this.taintTimer);
      this.taintTimer = undefined;
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void monitorLoop();
    try {
      await Promise.all([
        runController({ name: 'node-lifecycle-controller', queue: this.nodeQueue, informers, workers: 8, sync: (k, s) => this.syncNode(k, s), log: this.log }, signal),
        runController({ name: 'node-lifecycle-controller-pods', queue: this.podQueue, informers, workers: 4, sync: (k, s) => this.processPod(k, s), log: this.log }, signal),
      ]);
    } finally {
      onAbort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  // ---- per-node pass: NoSchedule taints and labels ----

  async syncNode(name: string, signal?: AbortSignal): Promise<void> {
    const node = this.o.nodes.store.get('', name);
    if (!node) return;
    await this.noScheduleTaints(node, signal);
    await this.reconcileLabels(name, signal);
  }

  private async noScheduleTaints(node: Obj, signal?: AbortSignal): Promise<void> {
    const want: Taint[] = [];
    for (const c of node.status?.conditions ?? []) {
      const key = CONDITION_TAINTS[c?.type]?.[c?.status];
      if (key) want.push({ key, effect: 'NoSchedule' });
    }
    if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
    const have: Taint[] = (node.spec?.taints ?? []).filter((t: Taint) => t.effect === 'NoSchedule' && CONDITION_TAINT_KEYS.has(t.key));
    const add = want.filter((t) => !taintExists(have, t));
    const del = have.filter((t) => !taintExists(want, t));
    if (!add.length && !del.length) return;
    await swapNodeTaints(this.o.client, NODES, node, add, del, new Date(this.clock.now()), signal);
  }

  private async reconcileLabels(name: string, signal?: AbortSignal): Promise<void> {
    const node = this.o.nodes.store.get('', name);
    const labels: Record<string, string> = node?.metadata?.labels;
    if (!labels) return;
    const update: Record<string, string> = {};
    for (const [primary, secondary] of LABEL_PAIRS) {
      if (!(primary in labels)) continue;
      if (labels[secondary] !== labels[primary]) update[secondary] = labels[primary];
    }
    if (!Object.keys(update).length) return;
    try {
      await this.o.client.patch(NODES, '', name, 'strategic', { metadata: { labels: update } }, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- pods assigned to nodes that are not ready ----

  async processPod(key: string, signal?: AbortSignal): Promise<void> {
    const pod = this.o.pods.store.getByKey(key);
    if (!pod) return;
    const h = this.health.get(pod.spec?.nodeName);
    if (!h || !this.o.nodes.store.get('', pod.spec.nodeName)) return;
    const ready = condition({ status: h.status }, 'Ready');
    if (ready && ready.status !== 'True') await this.markPodsNotReady([pod], pod.spec.nodeName, signal);
  }

  /** MarkPodsNotReady: Ready=False on each pod, then a NodeNotReady event on it. */
  async markPodsNotReady(pods: Obj[], nodeName: string, signal?: AbortSignal): Promise<void> {
    const errs: string[] = [];
    for (const p of pods) {
      if (p.spec?.nodeName !== nodeName) continue;
      const conds: Obj[] = p.status?.conditions ?? [];
      const i = conds.findIndex((c) => c?.type === 'Ready');
      if (i < 0 || conds[i].status === 'False') continue;
      const next = clone(p);
      next.status.conditions[i] = { ...conds[i], status: 'False', lastTransitionTime: nowRFC3339(new Date(this.clock.now())) };
      try {
        await this.o.client.updateStatus(PODS, p.metadata.namespace, next, { signal });
      } catch (err) {
        if (isNotFound(err)) continue;
        errs.push(errMsg(err));
      }
      this.o.recorder?.event(p, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
    if (errs.length) throw new Error(errs.join('; '));
  }

  // ---- the monitor pass ----

  async monitorNodeHealth(signal?: AbortSignal): Promise<void> {
    const nodes = this.o.nodes.store.list();
    const seen = new Set<string>();
    for (const n of nodes) {
      seen.add(n.metadata.name);
      this.ensureZone(n);
      if (!this.known.has(n.metadata.name)) {
        this.nodeEvent(n, 'RegisteredNode', `Registered Node ${n.metadata.name} in Controller`);
        this.known.set(n.metadata.name, n);
        await this.markNodeAsReachable(n, signal);
      }
    }
    for (const [name, n] of this.known) {
      if (seen.has(name)) continue;
      this.nodeEvent(n, 'RemovingNode', `Removing Node ${name} from Controller`);
      this.known.delete(name);
      this.health.delete(name);
    }

    const zoneConditions = new Map<string, (Obj | undefined)[]>();
    for (const cached of nodes) {
      if (signal?.aborted) return;
      let node = clone(cached);
      let observed: Obj | undefined, current: Obj | undefined;
      let ok = false;
      for (let i = 0; i < HEALTH_UPDATE_RETRIES && !ok; i++) {
        try {
          [observed, current] = await this.tryUpdateNodeHealth(node, signal);
          ok = true;
        } catch (err) {
          try {
            node = await this.o.client.get(NODES, '', cached.metadata.name, { signal });
          } catch {
            this.log.warn(`failed while getting node ${cached.metadata.name} to retry updating its health (deleted?): ${errMsg(err)}`);
            break;
          }
        }
      }
      if (!ok || !observed) continue;
      if (!(EXCLUDE_DISRUPTION_LABEL in (node.metadata?.labels ?? {}))) {
        const z = zoneKey(node);
        zoneConditions.set(z, [...(zoneConditions.get(z) ?? []), current]);
      }
      if (!current) continue;
      await this.processTaintBasedEviction(node, observed, signal);
      const name: string = node.metadata.name;
      const wentDown = current.status !== 'True' && observed.status === 'True';
      if (wentDown) this.statusChange(node, 'NodeNotReady');
      if (wentDown || (this.retry.has(name) && observed.status !== 'True')) {
        try {
          await this.markPodsNotReady(this.o.pods.store.byIndex(NODE_NAME_INDEX, name), name, signal);
        } catch (err) {
          this.log.warn(`unable to mark all pods NotReady on node ${name}: ${errMsg(err)}; queuing for retry`);
          this.retry.add(name);
          continue;
        }
      }
      this.retry.delete(name);
    }
    await this.handleDisruption(zoneConditions, nodes, signal);
    this.scheduleTaintPass(0);
  }

  /** Returns [observed Ready, current Ready] (current after a possible move to Unknown). */
  private async tryUpdateNodeHealth(node: Obj, signal?: AbortSignal): Promise<[Obj, Obj | undefined]> {
    const name: string = node.metadata.name;
    const now = this.clock.now();
    const created = Date.parse(node.metadata.creationTimestamp ?? '') || now;
    let h = this.health.get(name);
    let current = condition(node, 'Ready');
    let observed: Obj;
    let grace: number;
    if (!current) {
      observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: node.metadata.creationTimestamp };
      grace = this.startupGrace;
      if (h) h.status = node.status ?? {};
      else h = { status: node.status ?? {}, probeTimestamp: created, readyTransitionTimestamp: created };
    } else {
      observed = { ...current };
      grace = this.grace;
    }
    const saved = h ? condition({ status: h.status }, 'Ready') : undefined;
    if (!h) {
      h = { status: node.status ?? {}, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (!saved && current) {
      h = { status: node.status ?? {}, probeTimestamp: now, readyTransitionTimestamp: now, leaseRenewTime: h.leaseRenewTime };
    } else if (saved && !current) {
      this.log.error(`ReadyCondition was removed from status of node ${name}`);
      h = { status: node.status ?? {}, probeTimestamp: now, readyTransitionTimestamp: now, leaseRenewTime: h.leaseRenewTime };
    } else if (saved && current && saved.lastHeartbeatTime !== current.lastHeartbeatTime) {
      const transition = saved.lastTransitionTime !== current.lastTransitionTime ? now : h.readyTransitionTimestamp;
      h = { status: node.status ?? {}, probeTimestamp: now, readyTransitionTimestamp: transition, leaseRenewTime: h.leaseRenewTime };
    }
    // A renewed Lease is a sign of life too (the usual one: status is posted every 5 minutes).
    const lease = this.o.leases.store.get(NODE_LEASE_NAMESPACE, name);
    const renew = lease?.spec?.renewTime ? Date.parse(lease.spec.renewTime) : NaN;
    if (Number.isFinite(renew) && (h.leaseRenewTime === undefined || h.leaseRenewTime < renew)) {
      h.leaseRenewTime = renew;
      h.probeTimestamp = now;
    }
    this.health.set(name, h);

    if (now > h.probeTimestamp + grace) {
      const ts = nowRFC3339(new Date(now));
      const conds: Obj[] = node.status?.conditions ?? [];
      for (const type of UNKNOWN_CONDITIONS) {
        const c = conds.find((x) => x?.type === type);
        if (!c) {
          conds.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: ts });
        } else if (c.status !== 'Unknown') {
          Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: ts });
        }
      }
      node.status = { ...(node.status ?? {}), conditions: conds };
      current = condition(node, 'Ready');
      if (JSON.stringify(current) !== JSON.stringify(observed)) {
        await this.o.client.updateStatus(NODES, '', node, { signal });
        this.health.set(name, { status: node.status, probeTimestamp: h.probeTimestamp, readyTransitionTimestamp: now, leaseRenewTime: h.leaseRenewTime });
      }
    }
    return [observed, current];
  }

  private async processTaintBasedEviction(node: Obj, observed: Obj, signal?: AbortSignal): Promise<void> {
    const taints: Taint[] = node.spec?.taints ?? [];
    const now = new Date(this.clock.now());
    try {
      if (observed.status === 'False') {
        if (taintExists(taints, UNREACHABLE_NO_EXECUTE)) await swapNodeTaints(this.o.client, NODES, node, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE], now, signal);
        else this.markNodeForTainting(node, 'False');
      } else if (observed.status === 'Unknown') {
        if (taintExists(taints, NOT_READY_NO_EXECUTE)) await swapNodeTaints(this.o.client, NODES, node, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], now, signal);
        else this.markNodeForTainting(node, 'Unknown');
      } else if (observed.status === 'True') {
        await this.markNodeAsReachable(node, signal);
      }
    } catch (err) {
      this.log.warn(`failed to update NoExecute taints of node ${node.metadata.name}: ${errMsg(err)}; retrying next pass`);
    }
  }

  private ensureZone(node: Obj): void {
    const z = zoneKey(node);
    if (this.zoneStates.has(z)) return;
    this.zoneStates.set(z, 'Initial');
    this.tainters.set(z, new RateLimitedTimedQueue(this.qps, () => this.clock.now()));
  }

  private markNodeForTainting(node: Obj, status: 'False' | 'Unknown'): boolean {
    const q = this.tainters.get(zoneKey(node));
    if (!q) return false;
    const taint = status === 'False' ? NOT_READY_NO_EXECUTE : UNREACHABLE_NO_EXECUTE;
    if (!taintExists(node.spec?.taints, taint)) q.remove(node.metadata.name);
    return q.add(node.metadata.name, node.metadata.uid ?? '');
  }

  private async markNodeAsReachable(node: Obj, signal?: AbortSignal): Promise<void> {
    await swapNodeTaints(this.o.client, NODES, node, [], [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE], new Date(this.clock.now()), signal);
    this.tainters.get(zoneKey(node))?.remove(node.metadata.name);
  }

  /** Runs the NoExecute tainting pass after `ms` (earlier requests win). */
  private scheduleTaintPass(ms: number): void {
    if (this.taintTimer !== undefined || this.signal?.aborted) return;
    this.taintTimer = this.clock.setTimer(() => {
      this.taintTimer = undefined;
      void this.noExecuteTaintingPass(this.signal).catch((err) => this.log.warn(`NoExecute tainting pass failed: ${errMsg(err)}`));
    }, Math.max(0, ms));
  }

  /** doNoExecuteTaintingPass: taint queued nodes as their zone's limiter allows. */
  async noExecuteTaintingPass(signal?: AbortSignal): Promise<void> {
    let next = Infinity;
    for (const q of this.tainters.values()) {
      const at = await q.try(async (v) => {
        const node = this.o.nodes.store.get('', v.value);
        if (!node) return [true, 0];
        const ready = condition(node, 'Ready');
        if (!ready) return [false, 50];
        let add: Taint, opposite: Taint;
        if (ready.status === 'False') [add, opposite] = [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE];
        else if (ready.status === 'Unknown') [add, opposite] = [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE];
        else return [true, 0];
        try {
          await swapNodeTaints(this.o.client, NODES, node, [add], [opposite], new Date(this.clock.now()), signal);
          return [true, 0];
        } catch (err) {
          this.log.warn(`unable to taint unresponsive node ${v.value}: ${errMsg(err)}`);
          return [false, 0];
        }
      });
      next = Math.min(next, at);
    }
    if (next !== Infinity) this.scheduleTaintPass(Math.max(100, next - this.clock.now()));
  }

  /** ComputeZoneState: [not ready count, state]. */
  computeZoneState(conds: (Obj | undefined)[]): [number, ZoneState] {
    let ready = 0, notReady = 0;
    for (const c of conds) if (c?.status === 'True') ready++; else notReady++;
    if (ready === 0 && notReady > 0) return [notReady, 'FullDisruption'];
    if (notReady > 2 && notReady / (notReady + ready) >= (this.o.unhealthyZoneThreshold ?? 0.55)) return [notReady, 'PartialDisruption'];
    return [notReady, 'Normal'];
  }

  private async handleDisruption(zoneConditions: Map<string, (Obj | undefined)[]>, nodes: Obj[], signal?: AbortSignal): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allFully = true;
    for (const [z, conds] of zoneConditions) {
      const [, state] = this.computeZoneState(conds);
      if (state !== 'FullDisruption') allFully = false;
      newStates.set(z, state);
      if (!this.zoneStates.has(z)) this.zoneStates.set(z, 'Initial');
    }
    let allWereFully = true;
    for (const [z, state] of [...this.zoneStates]) {
      if (!zoneConditions.has(z)) {
        this.zoneStates.delete(z);
        continue;
      }
      if (state !== 'FullDisruption') { allWereFully = false; break; }
    }
    if (allFully && allWereFully) return;
    if (allFully) {
      this.log.info('controller detected that all nodes are not-Ready; entering master disruption mode');
      for (const n of nodes) {
        try {
          await this.markNodeAsReachable(n, signal);
        } catch (err) {
          this.log.warn(`failed to remove taints from node ${n.metadata.name}: ${errMsg(err)}`);
        }
      }
      for (const z of this.zoneStates.keys()) {
        this.tainters.get(z)?.swapLimiter(0);
        this.zoneStates.set(z, 'FullDisruption');
      }
      return;
    }
    if (allWereFully) {
      this.log.info('controller detected that some nodes are Ready; exiting master disruption mode');
      const now = this.clock.now();
      for (const n of nodes) {
        const h = this.health.get(n.metadata.name);
        if (h) { h.probeTimestamp = now; h.readyTransitionTimestamp = now; }
      }
      for (const z of this.zoneStates.keys()) {
        this.setLimiter(z, zoneConditions.get(z)?.length ?? 0, newStates.get(z) ?? 'Normal');
        this.zoneStates.set(z, newStates.get(z) ?? 'Normal');
      }
      return;
    }
    for (const [z, state] of this.zoneStates) {
      const next = newStates.get(z) ?? 'Normal';
      if (state === next) continue;
      this.log.info(`zone ${JSON.stringify(z)} is now in state ${next}`);
      this.setLimiter(z, zoneConditions.get(z)?.length ?? 0, next);
      this.zoneStates.set(z, next);
    }
  }

  private setLimiter(zone: string, size: number, state: ZoneState): void {
    const q = this.tainters.get(zone);
    if (!q) return;
    if (state === 'Normal' || state === 'FullDisruption') q.swapLimiter(this.qps);
    else if (state === 'PartialDisruption') q.swapLimiter(size > (this.o.largeClusterThreshold ?? 50) ? this.o.secondaryEvictionLimiterQPS ?? 0.01 : 0);
  }

  /** Zone states (tests, diagnostics). */
  zoneState(zone = ''): ZoneState | undefined {
    return this.zoneStates.get(zone);
  }

  /** RecordNodeEvent: "Node NAME event: MESSAGE". */
  private nodeEvent(node: Obj, reason: string, message: string): void {
    this.o.recorder?.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.uid } }, 'Normal', reason, `Node ${node.metadata.name} event: ${message}`);
  }

  /** RecordNodeStatusChange: "Node NAME status is now: STATUS". */
  private statusChange(node: Obj, status: string): void {
    this.o.recorder?.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.uid } }, 'Normal', status, `Node ${node.metadata.name} status is now: ${status}`);
  }
}
