// The StatefulSet controller (kube-controller-manager's statefulset-controller): ordinal pods
// `<set>-N` with stable hostname/subdomain and per-pod claims, OrderedReady or Parallel pod
// management, RollingUpdate with partition or OnDelete, ControllerRevisions, scale down from
// the top, claim retention (control.ts, podcontrol.ts, utils.ts). Keys are `namespace/name`;
// handlers only enqueue; sync reads the informer caches.

import type { Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/interface.js';
import { stderrLogger, type Logger } from '../../client/log.js';
import { labelSelectorMatcher } from '../../client/selector.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { ControllerRefManager, KIND_STATEFULSET, controllerRefChanged, getControllerOf, recheckDeletionTimestamp } from '../common/ownerref.js';
import { PODS } from '../common/podcontrol.js';
import { isPodReady } from '../common/pods.js';
import { History } from '../history/history.js';
import { StatefulSetControl } from './control.js';
import { StatefulPodControl } from './podcontrol.js';
import { STATEFULSETS, isMemberOf } from './utils.js';

export { STATEFULSETS, PVCS } from './utils.js';

export interface StatefulSetControllerOptions {
  client: KubeClient;
  statefulSets: Informer;
  pods: Informer;
  persistentVolumeClaims: Informer;
  controllerRevisions: Informer;
  /** Events (default: a recorder for component "statefulset-controller"). */
  recorder?: EventRecorder;
  workers?: number;
  now?: () => number;
  log?: Logger;
}

export class StatefulSetController {
  readonly queue: WorkQueue<string>;
  readonly control: StatefulSetControl;
  private readonly client: KubeClient;
  private readonly log: Logger;
  private signal?: AbortSignal;

  constructor(private readonly o: StatefulSetControllerOptions) {
    this.client = o.client;
    this.log = o.log ?? stderrLogger('statefulset-controller');
    const now = o.now ?? Date.now;
    const recorder = o.recorder ?? new EventRecorder(o.client, { component: 'statefulset-controller', log: this.log });
    const signal = (): AbortSignal | undefined => this.signal;
    const podControl = new StatefulPodControl({ client: o.client, pods: o.pods, claims: o.persistentVolumeClaims, recorder, signal });
    this.control = new StatefulSetControl({
      client: o.client, sets: o.statefulSets, history: new History(o.client, o.controllerRevisions, signal), podControl, now, log: this.log, signal,
    });
    this.queue = new WorkQueue<string>();

    o.statefulSets.addEventHandler({
      onAdd: (s) => this.enqueue(s),
      onUpdate: (_old, cur) => this.enqueue(cur),
      onDelete: (s) => this.enqueue(s),
    });
    o.pods.addEventHandler({
      onAdd: (p) => this.onPodAdded(p),
      onUpdate: (old, cur) => this.onPodUpdated(old, cur),
      onDelete: (p) => this.onPodDeleted(p),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    return runController({
      name: 'statefulset-controller', queue: this.queue,
      informers: [this.o.pods, this.o.statefulSets, this.o.persistentVolumeClaims, this.o.controllerRevisions],
      workers: this.o.workers ?? 5, sync: (key) => this.sync(key), log: this.log,
    }, signal);
  }

  private enqueue(set: Obj): void {
    this.queue.add(metaNamespaceKey(set));
  }

  private resolveControllerRef(namespace: string, ref: Obj): Obj | undefined {
    if (ref.kind !== KIND_STATEFULSET.kind) return undefined;
    const set = this.o.statefulSets.store.get(namespace, ref.name);
    return set && set.metadata?.uid === ref.uid ? set : undefined;
  }

  /** StatefulSets whose selector matches the pod (possible adopters of an orphan). */
  private setsForPod(pod: Obj): Obj[] {
    return this.o.statefulSets.store.listNamespace(pod.metadata?.namespace ?? '').filter((s) => {
      if (!s.spec?.selector) return false;
      const sel = s.spec.selector;
      if (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0) return false;
      try {
        return labelSelectorMatcher(sel)(pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private onPodAdded(pod: Obj): void {
    if (pod.metadata?.deletionTimestamp) {
      this.onPodDeleted(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const set = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (set) this.enqueue(set);
      return;
    }
    for (const s of this.setsForPod(pod)) this.enqueue(s);
  }

  private onPodUpdated(old: Obj, cur: Obj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    const refChanged = controllerRefChanged(old, cur);
    if (refChanged && oldRef) {
      const set = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (set) this.enqueue(set);
    }
    if (curRef) {
      const set = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!set) return;
      this.enqueue(set);
      const minReady = Number(set.spec?.minReadySeconds ?? 0);
      // Availability arrives minReadySeconds after readiness: look again then (+1 s for skew).
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaNamespaceKey(set), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const s of this.setsForPod(cur)) this.enqueue(s);
  }

  private onPodDeleted(pod: Obj): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const set = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (set) this.enqueue(set);
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    const set = this.o.statefulSets.store.get(namespace, name);
    if (!set) return;
    let selector: (labels: Record<string, string> | undefined) => boolean;
    try {
      selector = labelSelectorMatcher(set.spec?.selector);
    } catch (err) {
      // Not transient: no retry.
      this.log.warn(`error converting StatefulSet ${key} selector: ${(err as Error).message}`);
      return;
    }
    const canAdopt = recheckDeletionTimestamp(this.client, STATEFULSETS, set, this.signal);
    await this.control.adoptOrphanRevisions(set, canAdopt);
    const cm = new ControllerRefManager({
      client: this.client, owner: set, ownerKind: KIND_STATEFULSET, selector, resource: PODS, canAdopt, signal: this.signal,
    });
    // Only pods named after this set are claimed; others matching the selector are released.
    const pods = await cm.claim(this.o.pods.store.listNamespace(namespace), [(p) => isMemberOf(set, p)]);
    const status = await this.control.updateStatefulSet(set, pods);
    // One more sync once pods may have become available (clock skew, and the status write).
    const minReady = Number(set.spec?.minReadySeconds ?? 0);
    if (minReady > 0 && status && status.availableReplicas !== Number(set.spec?.replicas ?? 1)) this.queue.addAfter(key, minReady * 1000);
  }
}
