// Taint-based eviction (kube-controller-manager's taint-eviction-controller): pods on a node
// with NoExecute taints they do not tolerate are deleted at once; pods tolerating them for
// tolerationSeconds (the API server gives every pod 300 s for not-ready/unreachable) are
// deleted when that runs out, unless the taints go away first. Each deletion is announced with
// a TaintManagerEviction event ("Marking for deletion Pod ns/name"), a cancelled one with
// "Cancelling deletion of Pod ns/name", and the pod gets the DisruptionTarget condition
// (DeletionByTaintManager) before it is deleted.

import { findResource } from '../../api/resources.js';
import { nowRFC3339, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { sleep } from '../../client/wait.js';
import { WorkQueue } from '../../client/workqueue.js';
import { realClock, type Clock } from '../../client/clock.js';
import { NODE_NAME_INDEX, ensureNodeNameIndex } from './controller.js';
import { matchingTolerations, minTolerationMs, type Taint } from './taints.js';

export const PODS: ResourceRef = findResource('', 'v1', 'pods')!;
const DELETE_RETRIES = 5;

export interface TaintEvictionControllerOptions {
  client: KubeClient;
  pods: Informer;
  nodes: Informer;
  /** component "taint-eviction-controller" */
  recorder?: EventRecorder;
  workers?: number;
  clock?: Clock;
  log?: Logger;
}

interface Scheduled { createdAt: number; fireAt: number; timer: unknown; fired: boolean }

const noExecute = (taints: Taint[] | undefined): Taint[] => (taints ?? []).filter((t) => t.effect === 'NoExecute');
const sameJSON = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

export class TaintEvictionController {
  readonly queue = new WorkQueue<string>();
  private readonly clock: Clock;
  private readonly log: Logger;
  /** node → its NoExecute taints (nodes without any are absent). */
  private readonly tainted = new Map<string, Taint[]>();
  /** pod key → eviction timer (kept after firing so the pod is not evicted twice). */
  private readonly scheduled = new Map<string, Scheduled>();
  private signal?: AbortSignal;

  constructor(private readonly o: TaintEvictionControllerOptions) {
    this.clock = o.clock ?? realClock;
    this.log = o.log ?? stderrLogger('taint-eviction-controller');
    ensureNodeNameIndex(o.pods);
    const podChanged = (old: Obj | undefined, p: Obj | undefined): void => {
      if (old && p && sameJSON(old.spec?.tolerations, p.spec?.tolerations) && old.spec?.nodeName === p.spec?.nodeName) return;
      const cur = (p ?? old)!;
      this.queue.add(`p\0${metaNamespaceKey(cur)}\0${cur.spec?.nodeName ?? ''}`);
    };
    o.pods.addEventHandler({ onAdd: (p) => podChanged(undefined, p), onUpdate: podChanged, onDelete: (p) => podChanged(p, undefined) });
    const nodeChanged = (old: Obj | undefined, n: Obj | undefined): void => {
      if (old && n && sameJSON(noExecute(old.spec?.taints), noExecute(n.spec?.taints))) return;
      this.queue.add(`n\0${(n ?? old)!.metadata.name}`);
    };
    o.nodes.addEventHandler({ onAdd: (n) => nodeChanged(undefined, n), onUpdate: nodeChanged, onDelete: (n) => nodeChanged(n, undefined) });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    const onAbort = (): void => {
      for (const s of this.scheduled.values()) this.clock.clearTimer(s.timer);
      this.scheduled.clear();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await runController({
        name: 'taint-eviction-controller', queue: this.queue, informers: [this.o.pods, this.o.nodes],
        workers: this.o.workers ?? 8, sync: async (k) => this.sync(k), log: this.log,
      }, signal);
    } finally {
      onAbort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Pod keys with an eviction pending, and when it fires (tests, diagnostics). */
  pending(): Map<string, number> {
    return new Map([...this.scheduled].filter(([, s]) => !s.fired).map(([k, s]) => [k, s.fireAt]));
  }

  sync(item: string): void {
    const parts = item.split('\0');
    if (parts[0] === 'n') this.handleNode(parts[1]);
    else this.handlePod(parts[1], parts[2]);
  }

  private handleNode(name: string): void {
    const node = this.o.nodes.store.get('', name);
    if (!node) {
      this.tainted.delete(name);
      return;
    }
    const taints = noExecute(node.spec?.taints);
    if (taints.length) this.tainted.set(name, taints);
    else this.tainted.delete(name);
    const pods = this.o.pods.store.byIndex(NODE_NAME_INDEX, name);
    if (!pods.length) return;
    if (!taints.length) {
      for (const p of pods) this.cancel(metaNamespaceKey(p));
      return;
    }
    const now = this.clock.now();
    for (const p of pods) this.processPodOnNode(metaNamespaceKey(p), p.spec?.tolerations, taints, now);
  }

  private handlePod(key: string, nodeName: string): void {
    const pod = this.o.pods.store.getByKey(key);
    if (!pod) {
      this.cancel(key);
      this.scheduled.delete(key);
      return;
    }
    if ((pod.spec?.nodeName ?? '') !== nodeName || !nodeName) return;
    const taints = this.tainted.get(nodeName);
    if (!taints) return;
    this.processPodOnNode(key, pod.spec?.tolerations, taints, this.clock.now());
  }

  private processPodOnNode(key: string, tolerations: Obj[] | undefined, taints: Taint[], now: number): void {
    if (!taints.length) this.cancel(key);
    const [all, used] = matchingTolerations(taints, tolerations);
    if (!all) {
      this.cancel(key);
      this.add(key, now, now);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) {
      this.cancel(key);
      return;
    }
    let start = now;
    const cur = this.scheduled.get(key);
    if (cur && !cur.fired) {
      start = cur.createdAt;
      if (start + min < now + min) return; // an earlier deadline already stands
      this.cancel(key);
    }
    this.add(key, start, start + min);
  }

  private add(key: string, createdAt: number, fireAt: number): void {
    if (this.scheduled.has(key) || this.signal?.aborted) return;
    const s: Scheduled = { createdAt, fireAt, fired: false, timer: undefined };
    this.scheduled.set(key, s);
    const fire = (): void => {
      s.fired = true;
      void this.evict(key, s);
    };
    const delay = fireAt - this.clock.now();
    if (delay <= 0) fire(); // as upstream's CreateWorker: no timer for work due now
    else s.timer = this.clock.setTimer(fire, delay);
  }

  /** Cancels a pending eviction, with the Cancelling event (a fired one is only forgotten). */
  private cancel(key: string): void {
    const s = this.scheduled.get(key);
    if (!s) return;
    this.scheduled.delete(key);
    if (s.fired) return;
    this.clock.clearTimer(s.timer);
    this.event(key, `Cancelling deletion of Pod ${key}`);
  }

  private event(key: string, message: string): void {
    const [namespace, name] = splitMetaNamespaceKey(key);
    this.o.recorder?.event({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name } }, 'Normal', 'TaintManagerEviction', message);
  }

  private async evict(key: string, s: Scheduled): Promise<void> {
    const signal = this.signal;
    this.log.info(`deleting pod ${key}`);
    this.event(key, `Marking for deletion Pod ${key}`);
    const [ns, name] = splitMetaNamespaceKey(key);
    let last: unknown;
    for (let i = 0; i < DELETE_RETRIES && !signal?.aborted; i++) {
      try {
        await this.addConditionAndDelete(ns, name, signal);
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        last = err;
        await sleep(10, signal);
      }
    }
    if (signal?.aborted) return;
    this.log.warn(`failed to delete pod ${key}: ${errMsg(last)}`);
    // Forget it so the next change of the pod or node schedules it again.
    if (this.scheduled.get(key) === s) this.scheduled.delete(key);
  }

  private async addConditionAndDelete(ns: string, name: string, signal?: AbortSignal): Promise<void> {
    const pod = await this.o.client.get(PODS, ns, name, { signal });
    const cur = (pod.status?.conditions ?? []).find((c: Obj) => c?.type === 'DisruptionTarget');
    const want = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' };
    if (!cur || cur.status !== want.status || cur.reason !== want.reason || cur.message !== want.message) {
      const cond = { ...want, lastProbeTime: null, lastTransitionTime: cur && cur.status === want.status ? cur.lastTransitionTime : nowRFC3339(new Date(this.clock.now())) };
      await this.o.client.patch(PODS, ns, name, 'strategic', { metadata: { uid: pod.metadata.uid }, status: { conditions: [cond] } }, { subresource: 'status', signal });
    }
    await this.o.client.delete(PODS, ns, name, { signal });
  }
}
