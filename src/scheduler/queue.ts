// The scheduling queue (kube-scheduler's PriorityQueue), three parts:
//  - activeQ: pods ready to be tried, ordered by the QueueSort plugin (priority, then time);
//  - backoffQ: pods that failed recently, released when their back-off expires
//    (1 s doubling per attempt up to 10 s);
//  - unschedulable pods: rejected pods parked until a cluster event one of the rejecting
//    plugins registered for (node added, pod deleted, ...) may help them, or 5 minutes pass.
// Events that arrive while a pod is being scheduled are remembered, so a pod whose cycle
// fails after a helpful event goes back to the queue instead of being parked.
// It also keeps the nominator: pods nominated to nodes by preemption.
//
// Every timer is cleared when the signal aborts; pop() then resolves undefined.

import type { Obj } from '../api/types.js';
import {
  eventMatches, type ClusterEvent, type ClusterEventWithHint, type PodNominator, type QueuedPodInfo, type Status,
} from './framework.js';
import { KeyedHeap } from './heap.js';
import { podKey, type PodInfo } from './nodeinfo.js';

export interface QueueOptions {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
  /** PreEnqueue plugins: a status means "not yet" (e.g. scheduling gates), with the plugin's name. */
  preEnqueue?(pi: PodInfo): { plugin: string; status: Status } | null;
  /** Events each plugin registered (EnqueueExtensions). */
  pluginEvents?: Map<string, ClusterEventWithHint[]>;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods older than this are retried anyway (podMaxInUnschedulablePodsDuration). */
  maxInUnschedulableMs?: number;
  /** How often to look for such pods. */
  unschedulableFlushIntervalMs?: number;
  signal: AbortSignal;
  now?: () => number;
}

interface InFlight { eventIdx: number; latest?: PodInfo; deleted?: boolean }
interface RecordedEvent { event: ClusterEvent; oldObj?: Obj; newObj?: Obj }

export const EVENT_UNSCHEDULABLE_TIMEOUT: ClusterEvent = { resource: 'WildCard', actions: 1 | 2 | 2048, label: 'UnschedulableTimeout' };
export const EVENT_FORCE_ACTIVATE: ClusterEvent = { resource: 'WildCard', actions: 1 | 2 | 2048, label: 'ForceActivate' };

export class SchedulingQueue implements PodNominator {
  private readonly activeQ: KeyedHeap<QueuedPodInfo>;
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, InFlight>();
  private events: RecordedEvent[] = [];
  private readonly waiters: ((q: QueuedPodInfo | undefined) => void)[] = [];
  private backoffTimer?: NodeJS.Timeout;
  private backoffTimerAt = Infinity;
  private readonly flushTimer?: NodeJS.Timeout;
  private closed = false;
  private seq = 0;
  private cycle = 0;
  private readonly now: () => number;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  // nominator
  private readonly nominated = new Map<string, PodInfo[]>();
  private readonly nominatedToNode = new Map<string, string>();

  constructor(private readonly o: QueueOptions) {
    this.now = o.now ?? (() => performance.now());
    this.initialBackoff = o.initialBackoffMs ?? 1000;
    this.maxBackoff = o.maxBackoffMs ?? 10_000;
    this.activeQ = new KeyedHeap((q) => q.podInfo.key, (a, b) => o.less(a, b));
    this.backoffQ = new KeyedHeap((q) => q.podInfo.key, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
    if (o.signal.aborted) {
      this.closed = true;
      return;
    }
    this.flushTimer = setInterval(() => this.flushUnschedulableLeftover(), o.unschedulableFlushIntervalMs ?? 30_000);
    o.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** Scheduling cycles started so far. */
  get schedulingCycle(): number {
    return this.cycle;
  }

  private newQueued(pi: PodInfo): QueuedPodInfo {
    return { podInfo: pi, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set(), gated: false, seq: ++this.seq };
  }

  /** A new unscheduled pod. */
  add(pi: PodInfo): void {
    if (this.closed) return;
    this.unschedulable.delete(pi.key);
    this.backoffQ.delete(pi.key);
    this.addNominatedPod(pi, '');
    this.toActive(this.newQueued(pi));
  }

  /** Runs PreEnqueue; a gated pod is parked as unschedulable. */
  private toActive(q: QueuedPodInfo): boolean {
    const gate = this.o.preEnqueue?.(q.podInfo);
    if (gate) {
      q.gated = true;
      q.unschedulablePlugins = new Set([gate.plugin]);
      this.unschedulable.set(q.podInfo.key, q);
      return false;
    }
    q.gated = false;
    this.activeQ.push(q);
    this.wake();
    return true;
  }

  private wake(): void {
    while (this.waiters.length > 0 && this.activeQ.size > 0) {
      const q = this.activeQ.pop()!;
      this.waiters.shift()!(this.started(q));
    }
  }

  private started(q: QueuedPodInfo): QueuedPodInfo {
    this.cycle++;
    q.attempts++;
    q.initialAttemptTimestamp ??= this.now();
    this.inFlight.set(q.podInfo.key, { eventIdx: this.events.length });
    return q;
  }

  /** The next pod to schedule; undefined once the queue is closed. Call done() after its cycle. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const q = this.activeQ.pop();
    if (q) return Promise.resolve(this.started(q));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The scheduling cycle of this pod has ended (bound, assumed or requeued). */
  done(key: string): void {
    this.inFlight.delete(key);
    if (this.inFlight.size === 0) {
      this.events = [];
      return;
    }
    // Drop events no pod in flight can still need (bounded memory under constant traffic).
    if (this.events.length < 1024) return;
    let min = Infinity;
    for (const f of this.inFlight.values()) min = Math.min(min, f.eventIdx);
    if (min === 0) return;
    this.events = this.events.slice(min);
    for (const f of this.inFlight.values()) f.eventIdx -= min;
  }

  /** An update of a pod that is not assigned yet. */
  update(oldPod: Obj | undefined, pi: PodInfo): void {
    if (this.closed) return;
    const key = pi.key;
    if (oldPod) this.updateNominatedPod(oldPod, pi);
    const fl = this.inFlight.get(key);
    if (fl) {
      if (!fl.deleted) fl.latest = pi;
      return;
    }
    const a = this.activeQ.get(key);
    if (a) {
      a.podInfo = pi;
      this.activeQ.push(a);
      return;
    }
    const b = this.backoffQ.get(key);
    if (b) {
      b.podInfo = pi;
      this.backoffQ.push(b);
      return;
    }
    const u = this.unschedulable.get(key);
    if (u) {
      u.podInfo = pi;
      // A change of the pod itself may be what it waited for (gates removed, tolerations
      // added, ...): retry it, after its back-off unless it was only gated.
      if (oldPod && !specChanged(oldPod, pi.pod)) return;
      this.unschedulable.delete(key);
      if (u.gated) this.toActive(u);
      else this.requeue(u);
      return;
    }
    this.add(pi);
  }

  delete(pod: Obj): void {
    const key = podKey(pod);
    this.deleteNominatedPodIfExists(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
    const fl = this.inFlight.get(key);
    if (fl) {
      fl.latest = undefined;
      fl.deleted = true;
    }
  }

  /**
   * After a failed cycle. `error` (not a rejection) or helpful events during the cycle send the
   * pod to back-off; otherwise it waits in the unschedulable pool.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, opts: { error?: boolean } = {}): void {
    if (this.closed) return;
    const key = q.podInfo.key;
    const fl = this.inFlight.get(key);
    if (fl?.deleted) return;
    if (fl?.latest) q.podInfo = fl.latest;
    if (this.activeQ.has(key) || this.backoffQ.has(key) || this.unschedulable.has(key)) return;
    q.timestamp = this.now();
    q.seq = ++this.seq;
    let moveNow = !!opts.error;
    if (!moveNow && fl) {
      for (let i = fl.eventIdx; i < this.events.length; i++) {
        const e = this.events[i];
        if (this.worthRequeuing(q, e.event, e.oldObj, e.newObj)) { moveNow = true; break; }
      }
    }
    if (moveNow) this.toBackoff(q);
    else this.unschedulable.set(key, q);
  }

  /** Back-off after `attempts` failures: initial * 2^(attempts-1), capped. */
  backoffDuration(attempts: number): number {
    let d = this.initialBackoff;
    for (let i = 1; i < attempts; i++) {
      if (d > this.maxBackoff - d) return this.maxBackoff;
      d += d;
    }
    return Math.min(d, this.maxBackoff);
  }

  private backoffExpiry(q: QueuedPodInfo): number {
    return q.timestamp + this.backoffDuration(q.attempts);
  }

  private isBackingOff(q: QueuedPodInfo): boolean {
    return q.attempts > 0 && this.backoffExpiry(q) > this.now();
  }

  private requeue(q: QueuedPodInfo): void {
    if (this.isBackingOff(q)) this.toBackoff(q);
    else this.toActive(q);
  }

  private toBackoff(q: QueuedPodInfo): void {
    this.backoffQ.push(q);
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    if (this.closed) return;
    const head = this.backoffQ.peek();
    if (!head) return;
    const at = this.backoffExpiry(head);
    if (this.backoffTimer && this.backoffTimerAt <= at) return;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimerAt = at;
    this.backoffTimer = setTimeout(() => {
      this.backoffTimer = undefined;
      this.backoffTimerAt = Infinity;
      this.flushBackoffCompleted();
    }, Math.max(0, at - this.now()));
  }

  /** Moves pods whose back-off expired to activeQ. */
  flushBackoffCompleted(): void {
    const now = this.now();
    for (;;) {
      const head = this.backoffQ.peek();
      if (!head || this.backoffExpiry(head) > now) break;
      this.backoffQ.pop();
      this.toActive(head);
    }
    this.armBackoffTimer();
  }

  /** Retries pods parked longer than maxInUnschedulableMs. */
  flushUnschedulableLeftover(): void {
    const max = this.o.maxInUnschedulableMs ?? 300_000;
    const now = this.now();
    const old: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) if (!q.gated && now - q.timestamp > max) old.push(q);
    this.movePods(old, EVENT_UNSCHEDULABLE_TIMEOUT);
  }

  private worthRequeuing(q: QueuedPodInfo, event: ClusterEvent, oldObj?: Obj, newObj?: Obj): boolean {
    if (event.resource === 'WildCard') return true;
    if (q.unschedulablePlugins.size === 0) return true;
    for (const plugin of q.unschedulablePlugins) {
      for (const reg of this.o.pluginEvents?.get(plugin) ?? []) {
        if (!eventMatches(reg.event, event)) continue;
        if (!reg.hint || reg.hint(q.podInfo.pod, oldObj, newObj) === 'Queue') return true;
      }
    }
    return false;
  }

  /** A cluster event happened: retry the parked pods it may help. */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, oldObj?: Obj, newObj?: Obj): void {
    if (this.closed) return;
    if (this.inFlight.size > 0) this.events.push({ event, oldObj, newObj });
    if (this.unschedulable.size === 0) return;
    const move: QueuedPodInfo[] = [];
    for (const q of this.unschedulable.values()) {
      if (!q.gated && this.worthRequeuing(q, event, oldObj, newObj)) move.push(q);
    }
    this.movePods(move, event);
  }

  private movePods(list: QueuedPodInfo[], _event: ClusterEvent): void {
    for (const q of list) {
      this.unschedulable.delete(q.podInfo.key);
      this.requeue(q);
    }
  }

  /** Moves the given pods straight to activeQ (framework.Handle.Activate). */
  activate(pods: Obj[]): void {
    for (const p of pods) {
      const key = podKey(p);
      const q = this.unschedulable.get(key) ?? this.backoffQ.get(key);
      if (!q || q.gated) continue;
      this.unschedulable.delete(key);
      this.backoffQ.delete(key);
      this.toActive(q);
    }
  }

  /** Counts per sub-queue (for tests and debugging). */
  stats(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size, inFlight: this.inFlight.size };
  }

  /** Where a pod waits: 'active' | 'backoff' | 'unschedulable' | undefined. */
  where(key: string): 'active' | 'backoff' | 'unschedulable' | undefined {
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key)) return 'backoff';
    if (this.unschedulable.has(key)) return 'unschedulable';
    return undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  // ---- nominator ----

  hasNominatedPods(): boolean {
    return this.nominatedToNode.size > 0;
  }

  nominatedPodsForNode(nodeName: string): readonly PodInfo[] {
    return this.nominated.get(nodeName) ?? [];
  }

  /** nodeName '' means the pod's status.nominatedNodeName. */
  addNominatedPod(pi: PodInfo, nodeName: string): void {
    this.deleteNominated(pi.key);
    const nnn = nodeName || (pi.pod?.status?.nominatedNodeName ?? '');
    if (!nnn || pi.nodeName) return;
    this.nominatedToNode.set(pi.key, nnn);
    const list = this.nominated.get(nnn);
    if (list) list.push(pi); else this.nominated.set(nnn, [pi]);
  }

  deleteNominatedPodIfExists(pod: Obj): void {
    this.deleteNominated(podKey(pod));
  }

  private deleteNominated(key: string): void {
    const node = this.nominatedToNode.get(key);
    if (node === undefined) return;
    this.nominatedToNode.delete(key);
    const list = this.nominated.get(node);
    if (!list) return;
    const rest = list.filter((p) => p.key !== key);
    if (rest.length) this.nominated.set(node, rest); else this.nominated.delete(node);
  }

  /** Keeps an in-memory nomination across an update that does not carry it yet. */
  private updateNominatedPod(oldPod: Obj, pi: PodInfo): void {
    let keep = '';
    if (!oldPod?.status?.nominatedNodeName && !pi.pod?.status?.nominatedNodeName) keep = this.nominatedToNode.get(pi.key) ?? '';
    this.addNominatedPod(pi, keep);
  }
}

/** Did anything but status and bookkeeping metadata change? (isPodUpdated) */
function specChanged(a: Obj, b: Obj): boolean {
  const strip = (p: Obj): string => {
    const m = p?.metadata ?? {};
    return JSON.stringify([p?.spec, m.labels, m.annotations, m.deletionTimestamp, m.finalizers]);
  };
  return strip(a) !== strip(b);
}
