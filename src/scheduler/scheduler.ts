// The scheduler: one pod at a time, like kube-scheduler's scheduleOne.
//
//   pop → PreFilter → Filter (a sample of the nodes: percentageOfNodesToScore) → PreScore/Score
//       → pick the best (ties at random) → assume in the cache → Reserve → Permit
//       → binding cycle, asynchronously: PreBind → Bind (POST pods/NAME/binding) → PostBind
//   no fit → PostFilter (preemption) → PodScheduled=False/Unschedulable condition,
//            FailedScheduling event, back to the queue.
//
// Everything is driven through the API (informers in, REST calls out); everything stops when
// the signal aborts.

import { getMaxListeners, setMaxListeners } from 'node:events';
import { findResource } from '../api/resources.js';
import type { Obj } from '../api/types.js';
import { isNotFound } from '../client/errors.js';
import { EventRecorder } from '../client/events.js';
import { InformerFactory, type Informer } from '../client/informer.js';
import type { KubeClient, ResourceRef } from '../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../client/log.js';
import { SchedulerCache } from './cache.js';
import { addNodeHandlers, addObjectEventHandlers, addPodHandlers, EVENT_ASSIGNED_POD_DELETE, type HandlerContext } from './eventhandlers.js';
import {
  Code, CycleState, FitError, isSuccess, newDiagnosis, NO_NODES_AVAILABLE, numFeasibleNodesToFind, Status,
  type Diagnosis, type EventResource, type Handle, type Lister, type ListerName, type Plugin, type QueuedPodInfo, type Recorder,
} from './framework.js';
import { PodInfo, podKey, type NodeInfo, type Snapshot } from './nodeinfo.js';
import { defaultPlugins, DEFAULT_SCORE_WEIGHTS } from './plugins/registry.js';
import { SchedulingQueue } from './queue.js';
import { Framework } from './runtime.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
const PODS = findResource('', 'v1', 'pods')!;
/** validation.NoteLengthLimit: events carry at most this much of the message. */
const EVENT_NOTE_LIMIT = 1024;

export interface SchedulerOptions {
  client: KubeClient;
  schedulerName?: string;
  /** 0 (default): adaptive, as upstream. */
  percentageOfNodesToScore?: number;
  /** Replace the default profile. */
  plugins?: (h: Handle) => Plugin[];
  scoreWeights?: Record<string, number>;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  /** Bindings in flight at once before scheduling waits (default 256). */
  maxInFlightBindings?: number;
  log?: Logger;
  /** Defaults to an EventRecorder writing core/v1 Events as the scheduler. */
  recorder?: Recorder;
  /** Share informers with other components (they must run against the same client). */
  informerFactory?: InformerFactory;
}

const LISTERS: Record<ListerName, [string, string, string]> = {
  pods: ['', 'v1', 'pods'],
  nodes: ['', 'v1', 'nodes'],
  namespaces: ['', 'v1', 'namespaces'],
  persistentvolumeclaims: ['', 'v1', 'persistentvolumeclaims'],
  persistentvolumes: ['', 'v1', 'persistentvolumes'],
  storageclasses: ['storage.k8s.io', 'v1', 'storageclasses'],
  services: ['', 'v1', 'services'],
  replicationcontrollers: ['', 'v1', 'replicationcontrollers'],
  replicasets: ['apps', 'v1', 'replicasets'],
  statefulsets: ['apps', 'v1', 'statefulsets'],
  poddisruptionbudgets: ['policy', 'v1', 'poddisruptionbudgets'],
  priorityclasses: ['scheduling.k8s.io', 'v1', 'priorityclasses'],
};

const EVENT_RESOURCES: Partial<Record<ListerName, EventResource>> = {
  persistentvolumeclaims: 'PersistentVolumeClaim',
  persistentvolumes: 'PersistentVolume',
  storageclasses: 'StorageClass',
  namespaces: 'Namespace',
  poddisruptionbudgets: 'PodDisruptionBudget',
};

/** Built-in classes every cluster has (scheduling.k8s.io's system priority classes). */
const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

export class Scheduler {
  readonly name: string;
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly framework: Framework;
  readonly informers = new Map<ListerName, Informer>();
  private readonly factory: InformerFactory;
  private readonly recorder: Recorder & { flush?(): Promise<void> };
  private readonly log: Logger;
  private readonly pct: number;
  private readonly maxBindings: number;
  private readonly bindings = new Set<Promise<void>>();
  private readonly background = new Set<Promise<unknown>>();
  private nextStartNodeIndex = 0;
  private current?: Snapshot;
  private feasible: NodeInfo[] = [];
  /** Pods bound by this scheduler (for benchmarks and tests). */
  scheduledCount = 0;
  private started = false;

  constructor(private readonly o: SchedulerOptions, private readonly signal: AbortSignal) {
    this.name = o.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.log = o.log ?? stderrLogger('scheduler');
    this.pct = o.percentageOfNodesToScore ?? 0;
    this.maxBindings = o.maxInFlightBindings ?? 256;
    // A dozen informers, the queue, the recorder and every API call in flight (bindings,
    // status patches) listen on the signal: raise Node's leak warning threshold accordingly.
    const listeners = 2 * this.maxBindings + 64;
    // getMaxListeners rejects an AbortSignal inside worker threads on Node 20: assume the default then
    let current = 10;
    try { current = getMaxListeners(signal); } catch { /* keep the default */ }
    if (current < listeners) setMaxListeners(listeners, signal);
    this.factory = o.informerFactory ?? new InformerFactory(o.client, { log: this.log });
    this.recorder = o.recorder ?? new EventRecorder(o.client, { component: this.name, signal, log: this.log });
    for (const [name, [g, v, p]] of Object.entries(LISTERS) as [ListerName, [string, string, string]][]) {
      this.informers.set(name, this.factory.informerFor(findResource(g, v, p) ?? ({ group: g, version: v, plural: p } as ResourceRef)));
    }
    const self = this;
    const handle: Handle = {
      client: o.client,
      schedulerName: this.name,
      snapshot: () => self.current ?? self.cache.snapshot(),
      lister: (n: ListerName): Lister | undefined => self.informers.get(n)?.store,
      recorder: this.recorder,
      get nominator() {
        return self.queue;
      },
      get framework() {
        return self.framework;
      },
      assignedPodsWithLabel: (k, v) => self.cache.podsWithLabel(k, v),
      signal,
    };
    const plugins = (o.plugins ?? defaultPlugins)(handle);
    this.framework = new Framework(plugins, o.scoreWeights ?? DEFAULT_SCORE_WEIGHTS);
    this.queue = new SchedulingQueue({
      less: this.framework.less,
      preEnqueue: (pi) => this.framework.runPreEnqueue(pi),
      pluginEvents: this.framework.pluginEvents(),
      initialBackoffMs: o.podInitialBackoffMs,
      maxBackoffMs: o.podMaxBackoffMs,
      signal,
    });
    this.framework.nominator = this.queue;
    const ctx: HandlerContext = {
      cache: this.cache,
      queue: this.queue,
      responsible: (pod) => (pod?.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === this.name,
      podInfo: (pod) => new PodInfo(pod, this.priorityOf(pod)),
      podDeleted: (pod) => this.framework.rejectWaitingPod(podKey(pod), '', 'pod deleted'),
    };
    addPodHandlers(this.informers.get('pods')!, ctx);
    addNodeHandlers(this.informers.get('nodes')!, ctx);
    for (const [name, res] of Object.entries(EVENT_RESOURCES) as [ListerName, EventResource][]) {
      addObjectEventHandlers(this.informers.get(name)!, res, ctx);
    }
  }

  /** spec.priority, or (when admission has not resolved it) the PriorityClass's value. */
  private priorityOf(pod: Obj): number {
    const p = pod?.spec?.priority;
    if (typeof p === 'number') return p;
    const classes = this.informers.get('priorityclasses')?.store;
    const name: string | undefined = pod?.spec?.priorityClassName;
    if (name) return classes?.get('', name)?.value ?? SYSTEM_PRIORITY_CLASSES[name] ?? 0;
    for (const pc of classes?.list() ?? []) if (pc.globalDefault) return Number(pc.value ?? 0);
    return 0;
  }

  /** Starts the informers (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.factory.start(this.signal);
  }

  /** Resolves true once every informer's cache is filled (false if the signal aborted first). */
  whenSynced(): Promise<boolean> {
    return this.factory.waitForCacheSync(this.signal);
  }

  /** Runs until the signal aborts; resolves once everything (informers, bindings) has stopped. */
  async run(): Promise<void> {
    this.start();
    try {
      if (await this.factory.waitForCacheSync(this.signal)) await this.loop();
    } finally {
      this.queue.close();
      await Promise.allSettled([...this.bindings, ...this.background]);
      if (!this.o.informerFactory) await this.factory.stopped();
    }
  }

  private async loop(): Promise<void> {
    let lastYield = performance.now();
    while (!this.signal.aborted) {
      const q = await this.queue.pop();
      if (!q) break;
      try {
        await this.scheduleOne(q);
      } catch (err) {
        this.log.error(`scheduling ${q.podInfo.namespace}/${q.podInfo.name} failed unexpectedly: ${errMsg(err)}`);
        this.queue.addUnschedulableIfNotPresent(q, { error: true });
        this.queue.done(q.podInfo.key);
      }
      if (this.bindings.size >= this.maxBindings) await Promise.race(this.bindings);
      // The cycle is synchronous: let I/O and timers in now and then.
      const now = performance.now();
      if (now - lastYield > 5) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  }

  // ---- the scheduling cycle ----

  async scheduleOne(q: QueuedPodInfo): Promise<void> {
    const pi = q.podInfo;
    // A pod being deleted, or already placed by us, needs no cycle.
    if (pi.pod.metadata?.deletionTimestamp || this.cache.isAssumed(pi.pod)) {
      this.queue.done(pi.key);
      return;
    }
    const state = new CycleState();
    const snapshot = this.cache.snapshot();
    this.current = snapshot;
    let result: string | FitError | Status;
    try {
      result = this.schedulePod(state, pi, snapshot);
    } catch (err) {
      result = Status.error(err);
    }
    if (result instanceof FitError) {
      let nominated: string | undefined;
      if (this.framework.postFilterPlugins.length > 0 && result.numAllNodes > 0) {
        const pf = await this.framework.runPostFilter(state, pi, result.diagnosis.nodeToStatus);
        if (pf.status.code === Code.Error) this.log.warn(`preemption for ${pi.namespace}/${pi.name} failed: ${pf.status.message()}`);
        else result.diagnosis.postFilterMsg = pf.status.message();
        nominated = pf.result?.nominatedNodeName;
      }
      q.unschedulablePlugins = result.diagnosis.unschedulablePlugins;
      this.failed(q, Code.Unschedulable, result.numAllNodes === 0 ? NO_NODES_AVAILABLE : result.message, nominated);
      return;
    }
    if (result instanceof Status) {
      q.unschedulablePlugins = new Set();
      this.failed(q, result.code, result.message());
      return;
    }
    const host = result;
    const assumed = pi.withNodeName(host);
    this.cache.assumePod(assumed);
    this.queue.deleteNominatedPodIfExists(pi.pod);
    const reserve = this.framework.runReserve(state, assumed, host);
    if (!isSuccess(reserve.status)) {
      this.undo(state, assumed, host);
      q.unschedulablePlugins = reserve.plugin ? new Set([reserve.plugin]) : new Set();
      this.failed(q, reserve.status!.code, reserve.status!.message());
      return;
    }
    const permit = this.framework.runPermit(state, assumed, host, this.signal);
    if (!isSuccess(permit.status) && permit.status!.code !== Code.Wait) {
      this.undo(state, assumed, host);
      q.unschedulablePlugins = permit.plugin ? new Set([permit.plugin]) : new Set();
      this.failed(q, permit.status!.code, permit.status!.message());
      return;
    }
    this.queue.done(pi.key);
    const p = this.bindingCycle(q, state, assumed, host).finally(() => this.bindings.delete(p));
    this.bindings.add(p);
  }

  /** Finds the node for the pod: its name, a FitError, or an error Status. */
  schedulePod(state: CycleState, pi: PodInfo, snapshot: Snapshot): string | FitError | Status {
    if (snapshot.numNodes === 0) return new FitError(pi, 0, newDiagnosis());
    const found = this.findNodesThatFitPod(state, pi, snapshot);
    if (found instanceof Status) return found;
    const { count, diagnosis } = found;
    if (count === 0) return new FitError(pi, snapshot.numNodes, diagnosis);
    const feasible = this.feasible;
    if (count === 1) return feasible[0].name;
    const pre = this.framework.runPreScore(state, pi, feasible, count);
    if (!isSuccess(pre)) return pre!;
    const totals = this.framework.runScore(state, pi, feasible, count);
    return selectHost(feasible, totals, count);
  }

  private findNodesThatFitPod(state: CycleState, pi: PodInfo, snapshot: Snapshot): { count: number; diagnosis: Diagnosis } | Status {
    const fw = this.framework;
    const diagnosis = newDiagnosis();
    const pre = fw.runPreFilter(state, pi, snapshot);
    if (!isSuccess(pre.status)) {
      if (!pre.status!.isRejected()) return pre.status!;
      diagnosis.nodeToStatus.absent = pre.status!;
      diagnosis.preFilterMsg = pre.status!.message();
      if (pre.plugin) diagnosis.unschedulablePlugins.add(pre.plugin);
      return { count: 0, diagnosis };
    }
    const filters = fw.activeFilters(state);
    // A node nominated by an earlier preemption is likely the only one that fits: try it first.
    const nnn: string = pi.pod.status?.nominatedNodeName ?? '';
    if (nnn && (!pre.nodeNames || pre.nodeNames.has(nnn))) {
      const node = snapshot.get(nnn);
      if (node && isSuccess(fw.runFilterPluginsWithNominatedPods(state, pi, node, filters))) {
        this.feasible[0] = node;
        return { count: 1, diagnosis };
      }
    }
    let nodes = snapshot.nodeInfoList;
    if (pre.nodeNames) {
      nodes = [];
      for (const n of pre.nodeNames) {
        const ni = snapshot.get(n);
        if (ni) nodes.push(ni);
      }
      diagnosis.nodeToStatus.absent = Status.unresolvable(`node(s) didn't satisfy plugin(s) [${[...pre.pluginsWithNodes].sort().join(' ')}]`);
    }
    const n = nodes.length;
    const want = numFeasibleNodesToFind(this.pct, n);
    if (this.feasible.length < want) this.feasible = new Array(want);
    const feasible = this.feasible;
    const withNominated = this.queue.hasNominatedPods();
    const start = n === 0 ? 0 : this.nextStartNodeIndex % n;
    let count = 0;
    let processed = 0;
    for (let i = 0; i < n && count < want; i++) {
      const node = nodes[(start + i) % n];
      const s = withNominated ? fw.runFilterPluginsWithNominatedPods(state, pi, node, filters) : fw.runFilter(state, pi, node, filters);
      processed++;
      if (s === null || s.code === Code.Success) {
        feasible[count++] = node;
      } else if (s.code === Code.Error) {
        return s;
      } else {
        diagnosis.nodeToStatus.set(node.name, s);
        diagnosis.unschedulablePlugins.add(fw.lastFilterPlugin);
      }
    }
    if (snapshot.numNodes > 0) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % snapshot.numNodes;
    return { count, diagnosis };
  }

  private undo(state: CycleState, assumed: PodInfo, host: string): void {
    this.framework.runUnreserve(state, assumed, host);
    this.cache.forgetPod(assumed);
  }

  // ---- the binding cycle ----

  private async bindingCycle(q: QueuedPodInfo, state: CycleState, assumed: PodInfo, host: string): Promise<void> {
    const fw = this.framework;
    let s = await fw.waitOnPermit(assumed);
    if (isSuccess(s)) s = await fw.runPreBind(state, assumed, host, this.signal);
    if (isSuccess(s)) s = await fw.runBind(state, assumed, host, this.signal);
    if (this.signal.aborted) return;
    if (!isSuccess(s)) {
      this.undo(state, assumed, host);
      // Forgetting the pod freed its resources: that may help others.
      this.queue.moveAllToActiveOrBackoffQueue(EVENT_ASSIGNED_POD_DELETE, assumed.pod, undefined);
      q.unschedulablePlugins = new Set();
      this.failed(q, s!.code, s!.message());
      return;
    }
    this.cache.finishBinding(assumed);
    fw.runPostBind(state, assumed, host);
    this.scheduledCount++;
    this.recorder.event(podRef(assumed.pod), 'Normal', 'Scheduled', `Successfully assigned ${assumed.namespace}/${assumed.name} to ${host}`);
  }

  // ---- failures ----

  /**
   * handleSchedulingFailure: requeue (unless the pod is gone or bound meanwhile), record the
   * nomination, emit FailedScheduling and set the PodScheduled=False condition.
   */
  private failed(q: QueuedPodInfo, code: Code, message: string, nominatedNodeName?: string): void {
    const pi = q.podInfo;
    const reason = code === Code.Unschedulable || code === Code.UnschedulableAndUnresolvable ? 'Unschedulable' : 'SchedulerError';
    const current = (): Obj | undefined => {
      const p = this.informers.get('pods')?.store.get(pi.namespace, pi.name);
      return p && p.metadata?.uid === pi.pod.metadata?.uid && !p.spec?.nodeName ? p : undefined;
    };
    const latest = current();
    if (!latest) {
      this.queue.done(pi.key); // deleted or bound by someone else meanwhile
      return;
    }
    if (nominatedNodeName !== undefined) {
      if (nominatedNodeName) this.queue.addNominatedPod(new PodInfo(latest, pi.priority), nominatedNodeName);
      else this.queue.deleteNominatedPodIfExists(latest);
    }
    this.recorder.event(podRef(latest), 'Warning', 'FailedScheduling', truncate(message));
    // Requeue only once the condition is written, so a retry that binds the pod cannot be
    // overtaken by this (older) status. Until then the pod counts as in flight: events that
    // arrive meanwhile are remembered for it.
    const p = this.updatePodCondition(latest, reason, message, nominatedNodeName)
      .catch((err) => {
        if (!isNotFound(err)) this.log.warn(`updating the PodScheduled condition of ${pi.namespace}/${pi.name} failed: ${errMsg(err)}`);
      })
      .finally(() => {
        this.background.delete(p);
        if (current() && !this.signal.aborted) this.queue.addUnschedulableIfNotPresent(q, { error: reason === 'SchedulerError' });
        this.queue.done(pi.key);
      });
    this.background.add(p);
  }

  private async updatePodCondition(pod: Obj, reason: string, message: string, nominatedNodeName?: string): Promise<void> {
    const conds: Obj[] = pod.status?.conditions ?? [];
    const i = conds.findIndex((c) => c?.type === 'PodScheduled');
    const old = i >= 0 ? conds[i] : undefined;
    const nnnChange = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominatedNodeName;
    if (old && old.status === 'False' && old.reason === reason && old.message === message && !nnnChange) return;
    const cond = {
      type: 'PodScheduled', status: 'False', lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      reason, message,
    };
    const next = [...conds];
    if (i >= 0) next[i] = cond; else next.push(cond);
    const status: Obj = { conditions: next };
    if (nnnChange) status.nominatedNodeName = nominatedNodeName || null;
    await this.o.client.patch(PODS, pod.metadata.namespace, pod.metadata.name, 'strategic', { status }, { subresource: 'status', signal: this.signal });
  }
}

/** The node with the highest total; ties broken uniformly at random (reservoir sampling). */
export function selectHost(nodes: readonly NodeInfo[], totals: Float64Array, count: number): string {
  let best = 0;
  let max = totals[0];
  let ties = 1;
  for (let i = 1; i < count; i++) {
    const t = totals[i];
    if (t > max) {
      max = t;
      best = i;
      ties = 1;
    } else if (t === max) {
      ties++;
      if (Math.random() * ties < 1) best = i;
    }
  }
  return nodes[best].name;
}

function podRef(pod: Obj): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata };
}

function truncate(msg: string): string {
  return msg.length <= EVENT_NOTE_LIMIT ? msg : `${msg.slice(0, EVENT_NOTE_LIMIT - 4)} ...`;
}

export interface StartSchedulerOptions extends SchedulerOptions {
  signal: AbortSignal;
}

/**
 * Starts the scheduler; resolves once it is started (not once its caches are synced). It runs
 * until `signal` aborts. Use runScheduler to wait for it to stop.
 */
export async function startScheduler(o: StartSchedulerOptions): Promise<void> {
  if (o.signal.aborted) return;
  const s = new Scheduler(o, o.signal);
  const log = o.log ?? stderrLogger('scheduler');
  s.start();
  void s.run().catch((err) => log.error(`scheduler stopped: ${(err as Error)?.stack ?? err}`));
}

/** Runs a scheduler until `signal` aborts; resolves once it has fully stopped. */
export async function runScheduler(o: StartSchedulerOptions): Promise<void> {
  if (o.signal.aborted) return;
  await new Scheduler(o, o.signal).run();
}
