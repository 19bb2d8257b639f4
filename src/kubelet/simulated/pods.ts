// The pods of simulated nodes, run the way a kubelet runs them minus the containers:
//  - a pod bound to one of the agent's nodes gets a sandbox after podStartDelay: a pod IP from
//    the node's podCIDR (hostNetwork pods use the node's), then one status write with
//    phase Running, hostIP(s), podIP(s), startTime, container statuses and the kubelet's
//    conditions (readiness gates respected);
//  - containers exit and restart only when annotations say so (podsim.ts), so Jobs finish;
//  - a pod being deleted has its containers stopped after a short delay (terminal status
//    written, as kubelets do since 1.27), then is deleted with gracePeriodSeconds=0, which
//    is the kubelet's confirmation that nothing runs any more.
// One informer for all pods, indexed by spec.nodeName; deadlines live in the agent's
// TimerQueue; status is written only when it differs from what the API holds.

import { findResource } from '../../api/resources.js';
import { nowRFC3339, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { ResourceRef } from '../../client/interface.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { isTerminalPhase, podConditions } from '../node/podstatus.js';
import type { SimNode, SimulatedNodeAgent } from './agent.js';
import { canonical } from './agent.js';
import { recoverStartAt, simulatePod } from './podsim.js';

export const PODS: ResourceRef = findResource('', 'v1', 'pods')!;
/** The pod index by node (upstream's "spec.nodeName" indexer name). */
export const NODE_NAME_INDEX = 'spec.nodeName';

export const nodeNameIndex = (pod: Obj): string[] => (pod?.spec?.nodeName ? [String(pod.spec.nodeName)] : []);

interface SimPod {
  uid: string;
  node: string;
  /** When the agent first saw the pod bound to its node. */
  acceptedAt: number;
  /** When the containers started (or are to start). */
  startAt?: number;
  /** When the containers are stopped because the pod is being deleted. */
  killedAt?: number;
  deleteSent?: boolean;
}

export class SimulatedPods {
  readonly queue = new WorkQueue<string>();
  informer?: Informer;
  private readonly recs = new Map<string, SimPod>();
  private running?: Promise<void>;

  constructor(private readonly agent: SimulatedNodeAgent) {}

  /** Pods the agent is running (or about to). */
  count(): number {
    return this.recs.size;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  async stopped(): Promise<void> {
    await this.running;
  }

  /** Starts the pod informer and workers with the first node; queues pods already bound to it. */
  nodeAdopted(name: string): void {
    this.ensureStarted();
    if (this.informer?.hasSynced()) for (const p of this.informer.store.byIndex(NODE_NAME_INDEX, name)) this.enqueue(metaNamespaceKey(p));
  }

  nodeDropped(name: string): void {
    for (const [key, rec] of this.recs) if (rec.node === name) this.forget(key, rec);
  }

  /** The node changed (podCIDRs, addresses): pods that waited for them go again. */
  wakeWaiting(sn: SimNode): void {
    for (const k of sn.waiting) this.enqueue(k);
    sn.waiting.clear();
  }

  /** A new allocator learns the addresses running pods already hold (agent restarts). */
  reserveExisting(sn: SimNode): void {
    if (!this.informer || !sn.ips) return;
    for (const p of this.informer.store.byIndex(NODE_NAME_INDEX, sn.name)) {
      if (p.spec?.hostNetwork || isTerminalPhase(p.status?.phase)) continue;
      const ips: string[] = (p.status?.podIPs ?? []).map((x: Obj) => String(x.ip));
      if (ips.length && !sn.ips.reserve(p.metadata.uid, ips)) this.agent.log.warn(`pod ${metaNamespaceKey(p)}: address ${ips.join(',')} is not in node ${sn.name}'s podCIDRs or is taken`);
    }
  }

  private ensureStarted(): void {
    const signal = this.agent.runSignal;
    if (this.informer || !signal || signal.aborted) return;
    const inf = this.agent.factory.informerFor(PODS);
    try {
      inf.addIndexers({ [NODE_NAME_INDEX]: nodeNameIndex });
    } catch { /* a shared informer already has the same index */ }
    inf.addEventHandler({
      onAdd: (p) => this.podSeen(p),
      onUpdate: (_old, p) => this.podSeen(p),
      onDelete: (p) => {
        const key = metaNamespaceKey(p);
        const rec = this.recs.get(key);
        if (rec && rec.uid === p.metadata?.uid) this.forget(key, rec);
      },
    });
    this.informer = inf;
    this.agent.factory.start(signal);
    this.running = runController({
      name: 'simulated-pods', queue: this.queue, informers: [inf], workers: this.agent.o.podWorkers ?? 16,
      sync: (k, s) => this.sync(k, s), log: this.agent.log,
    }, signal);
  }

  private podSeen(pod: Obj): void {
    if (this.agent.nodes.has(pod?.spec?.nodeName)) this.enqueue(metaNamespaceKey(pod));
  }

  private forget(key: string, rec: SimPod): void {
    this.recs.delete(key);
    this.agent.timers.cancel(`p/${key}`);
    const sn = this.agent.nodes.get(rec.node);
    sn?.ips?.release(rec.uid);
    sn?.waiting.delete(key);
  }

  private releaseAddress(rec: SimPod): void {
    this.agent.nodes.get(rec.node)?.ips?.release(rec.uid);
  }

  async sync(key: string, signal?: AbortSignal): Promise<void> {
    const pod = this.informer?.store.getByKey(key);
    let rec = this.recs.get(key);
    if (rec && (!pod || rec.uid !== pod.metadata?.uid)) {
      this.forget(key, rec);
      rec = undefined;
    }
    if (!pod) return;
    const sn = this.agent.nodes.get(pod.spec?.nodeName);
    if (!sn) return;
    const now = this.agent.clock.now();
    if (!rec) {
      rec = { uid: pod.metadata.uid, node: sn.name, acceptedAt: now, ...recovered(pod) };
      this.recs.set(key, rec);
    }
    const [ns, name] = splitMetaNamespaceKey(key);

    if (pod.metadata.deletionTimestamp) {
      if (rec.killedAt === undefined) {
        const grace = Number(pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
        rec.killedAt = now + Math.min(this.agent.o.podStopDelayMs ?? 100, Math.max(0, grace) * 1000);
      }
      if (now < rec.killedAt) {
        this.agent.timers.schedule(`p/${key}`, rec.killedAt);
        return;
      }
      this.releaseAddress(rec);
      if (rec.deleteSent) return;
      const started = (pod.status?.containerStatuses ?? []).length > 0;
      if (started && !isTerminalPhase(pod.status?.phase) && rec.startAt !== undefined) {
        const sim = simulatePod(pod, { startAt: rec.startAt, killedAt: rec.killedAt }, now);
        await this.writeStatus(pod, this.buildStatus(pod, rec, sim, now), signal);
      }
      try {
        await this.agent.o.client.delete(PODS, ns, name, { gracePeriodSeconds: 0, preconditions: { uid: rec.uid }, signal });
      } catch (err) {
        // gone already, or a new pod of the same name (uid precondition): nothing runs here
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
      rec.deleteSent = true;
      return;
    }

    if (isTerminalPhase(pod.status?.phase)) {
      this.releaseAddress(rec);
      this.agent.timers.cancel(`p/${key}`);
      return;
    }
    rec.startAt ??= rec.acceptedAt + (this.agent.o.podStartDelayMs ?? 500);
    if (now < rec.startAt) {
      this.agent.timers.schedule(`p/${key}`, rec.startAt);
      return;
    }
    if (!this.agent.hostIPs(sn.name).length) {
      // The node has not posted its addresses yet: hostIP(s) would be missing.
      sn.waiting.add(key);
      return;
    }
    if (!pod.spec?.hostNetwork) {
      const alloc = this.agent.allocatorFor(sn);
      const ips = alloc?.get(rec.uid) ?? alloc?.allocate(rec.uid);
      if (!ips) {
        // No podCIDR yet (or the range is full): the sandbox cannot be set up, as with a
        // CNI plugin without a network. The pod waits for the node to change.
        if (alloc) this.agent.log.warn(`pod ${key}: no free address in node ${sn.name}'s podCIDRs ${alloc.cidrs.join(',')}`);
        sn.waiting.add(key);
        return;
      }
    }
    const sim = simulatePod(pod, { startAt: rec.startAt }, now);
    await this.writeStatus(pod, this.buildStatus(pod, rec, sim, now), signal);
    if (sim.terminal) this.releaseAddress(rec);
    if (sim.nextAt !== undefined) this.agent.timers.schedule(`p/${key}`, sim.nextAt);
  }

  private buildStatus(pod: Obj, rec: SimPod, sim: ReturnType<typeof simulatePod>, now: number): Obj {
    const cur: Obj = pod.status ?? {};
    const st: Obj = { ...cur, phase: sim.phase };
    const statuses = [...sim.initContainerStatuses, ...sim.containerStatuses];
    st.conditions = podConditions({ spec: pod.spec ?? {}, current: cur.conditions, statuses, phase: sim.phase, sandboxReady: !sim.terminal, now: new Date(now) });
    const hostIPs = this.agent.hostIPs(rec.node);
    if (hostIPs.length) {
      st.hostIP = hostIPs[0];
      st.hostIPs = hostIPs.map((ip) => ({ ip }));
    }
    const podIPs = pod.spec?.hostNetwork ? hostIPs : (this.agent.nodes.get(rec.node)?.ips?.get(rec.uid) ?? (cur.podIPs ?? []).map((x: Obj) => x.ip));
    if (podIPs.length) {
      st.podIP = podIPs[0];
      st.podIPs = podIPs.map((ip: string) => ({ ip }));
    }
    st.startTime = cur.startTime ?? nowRFC3339(new Date(rec.acceptedAt));
    if (sim.initContainerStatuses.length) st.initContainerStatuses = sim.initContainerStatuses;
    else delete st.initContainerStatuses;
    st.containerStatuses = sim.containerStatuses;
    return st;
  }

  private async writeStatus(pod: Obj, status: Obj, signal?: AbortSignal): Promise<void> {
    if (canonical(status) === canonical(pod.status ?? {})) return;
    try {
      await this.agent.o.client.updateStatus(PODS, pod.metadata.namespace, { ...pod, status }, { signal });
    } catch (err) {
      // Deleted meanwhile: the informer's DELETED event cleans up.
      if (isNotFound(err)) return;
      throw err;
    }
  }
}

/** What a pod's posted status says about an earlier run of this agent (it restarted). */
function recovered(pod: Obj): Partial<SimPod> {
  if (!(pod.status?.containerStatuses ?? []).length) return {};
  const start = recoverStartAt(pod);
  if (start === undefined) return {};
  const accepted = Date.parse(pod.status?.startTime ?? '');
  return { startAt: start, acceptedAt: Number.isFinite(accepted) ? Math.min(accepted, start) : start };
}
