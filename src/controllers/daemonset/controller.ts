// The DaemonSet controller (kube-controller-manager's daemonset-controller): one daemon pod on
// every node that should run it (predicates.ts), created with a required node affinity on the
// node's name so the default scheduler binds it; pods on nodes that no longer qualify, failed
// or succeeded pods, and surplus pods are deleted; RollingUpdate (rolling.ts) or OnDelete
// updates; ControllerRevision history (revisions.ts); status counts. Creations and deletions
// go through expectations and slow-start batches (design convention 2); keys are
// `namespace/name`; handlers only enqueue and observe expectations.

import { clone, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { NAMESPACE_TERMINATING_CAUSE, hasStatusCause, isNotFound } from '../../client/errors.js';
import { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { labelSelectorMatcher } from '../../client/selector.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { ControllerExpectations } from '../common/expectations.js';
import { AggregateError_, ControllerRefManager, KIND_DAEMONSET, controllerRefChanged, getControllerOf, newControllerRef, recheckDeletionTimestamp } from '../common/ownerref.js';
import { PODS, PodControl, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../common/podcontrol.js';
import { isPodReady, isPodTerminal } from '../common/pods.js';
import { POD_REVISION_LABEL } from '../history/history.js';
import { nodeShouldRunDaemonPod, replaceNodeNameAffinity, targetNodeName } from './predicates.js';
import { computeStatus, podsShouldBeOnNode, type DaemonSetCounts, type NodeHooks } from './manage.js';
import { DAEMONSETS, cleanupHistory, constructHistory, type RevisionDeps } from './revisions.js';
import { rollingUpdate } from './rolling.js';
import { FailedPodsBackoff, daemonPodTemplate, selectsEverything } from './util.js';

export { DAEMONSETS } from './revisions.js';

export const SELECTING_ALL_REASON = 'SelectingAll';
export { FAILED_DAEMON_POD_REASON, SUCCEEDED_DAEMON_POD_REASON } from './manage.js';
/** Retries of a refused status write (upstream StatusUpdateRetries). */
const STATUS_UPDATE_RETRIES = 1;
const BACKOFF_GC_INTERVAL_MS = 60_000;
/** Most pod creations/deletions per sync (upstream daemon BurstReplicas). */
export const DAEMONSET_BURST_REPLICAS = 250;

export interface DaemonSetsControllerOptions {
  client: KubeClient;
  daemonSets: Informer;
  controllerRevisions: Informer;
  pods: Informer;
  nodes: Informer;
  /** Events (default: a recorder for component "daemonset-controller"). */
  recorder?: EventRecorder;
  workers?: number;
  /** Most creations/deletions per sync (upstream BurstReplicas: 250). */
  burstReplicas?: number;
  failedPodsBackoff?: FailedPodsBackoff;
  now?: () => number;
  log?: Logger;
}

export class DaemonSetsController {
  readonly queue: WorkQueue<string>;
  readonly expectations: ControllerExpectations;
  private readonly client: KubeClient;
  private readonly recorder: EventRecorder;
  private readonly podControl: PodControl;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly backoff: FailedPodsBackoff;
  private readonly burst: number;
  private lastBackoffGC = 0;
  private signal?: AbortSignal;

  constructor(private readonly o: DaemonSetsControllerOptions) {
    this.client = o.client;
    this.log = o.log ?? stderrLogger('daemonset-controller');
    this.now = o.now ?? Date.now;
    this.recorder = o.recorder ?? new EventRecorder(o.client, { component: 'daemonset-controller', log: this.log });
    this.podControl = new PodControl({ client: o.client, recorder: this.recorder });
    this.expectations = new ControllerExpectations({ now: this.now });
    this.backoff = o.failedPodsBackoff ?? new FailedPodsBackoff(1000, 15 * 60 * 1000, this.now);
    this.burst = o.burstReplicas ?? DAEMONSET_BURST_REPLICAS;
    this.queue = new WorkQueue<string>();

    o.daemonSets.addEventHandler({
      onAdd: (ds) => this.enqueue(ds),
      onUpdate: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.onDaemonSetDeleted(old);
        this.enqueue(cur);
      },
      onDelete: (ds) => this.onDaemonSetDeleted(ds),
    });
    o.controllerRevisions.addEventHandler({
      onAdd: (cr) => this.onHistoryAdded(cr),
      onUpdate: (old, cur) => this.onHistoryUpdated(old, cur),
      onDelete: (cr) => this.onHistoryDeleted(cr),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => this.onPodAdded(pod),
      onUpdate: (old, cur) => this.onPodUpdated(old, cur),
      onDelete: (pod) => this.onPodDeleted(pod),
    });
    o.nodes.addEventHandler({
      onAdd: (node) => this.onNodeAdded(node),
      onUpdate: (old, cur) => this.onNodeUpdated(old, cur),
      onDelete: (node) => this.onNodeDeleted(node),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    this.signal = signal;
    return runController({
      name: 'daemonset-controller', queue: this.queue,
      informers: [this.o.pods, this.o.nodes, this.o.controllerRevisions, this.o.daemonSets],
      workers: this.o.workers ?? 2, sync: (key) => this.sync(key), log: this.log,
    }, signal);
  }

  // ---- event handlers: enqueue keys, observe expectations ----

  private enqueue(ds: Obj): void {
    this.queue.add(metaNamespaceKey(ds));
  }

  private onDaemonSetDeleted(ds: Obj): void {
    const key = metaNamespaceKey(ds);
    // A DaemonSet recreated under the same name starts with clean expectations.
    this.expectations.deleteExpectations(key);
    this.queue.add(key);
  }

  /** The DaemonSet a controller reference points at (same uid), if cached. */
  private resolveControllerRef(namespace: string, ref: Obj): Obj | undefined {
    if (ref.kind !== KIND_DAEMONSET.kind) return undefined;
    const ds = this.o.daemonSets.store.get(namespace, ref.name);
    return ds && ds.metadata?.uid === ref.uid ? ds : undefined;
  }

  /** DaemonSets in the object's namespace whose selector matches its labels (possible adopters). */
  private matchingDaemonSets(obj: Obj): Obj[] {
    return this.o.daemonSets.store.listNamespace(obj.metadata?.namespace ?? '').filter((ds) => {
      if (!ds.spec?.selector || selectsEverything(ds.spec.selector)) return false;
      try {
        return labelSelectorMatcher(ds.spec.selector)(obj.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private onHistoryAdded(cr: Obj): void {
    if (cr.metadata?.deletionTimestamp) {
      this.onHistoryDeleted(cr);
      return;
    }
    const ref = getControllerOf(cr);
    if (ref) return; // a revision with an owner changes nothing until it is updated or deleted
    for (const ds of this.matchingDaemonSets(cr)) this.enqueue(ds);
  }

  private onHistoryUpdated(old: Obj, cur: Obj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    const refChanged = controllerRefChanged(old, cur);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (ds) this.enqueue(ds);
      return;
    }
    if (refChanged || JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {})) {
      for (const ds of this.matchingDaemonSets(cur)) this.enqueue(ds);
    }
  }

  private onHistoryDeleted(cr: Obj): void {
    const ref = getControllerOf(cr);
    if (!ref) return;
    const ds = this.resolveControllerRef(cr.metadata.namespace, ref);
    if (ds) this.enqueue(ds);
  }

  private onPodAdded(pod: Obj): void {
    if (pod.metadata?.deletionTimestamp) {
      // Already being deleted when first seen (a restart): not a creation to observe.
      this.onPodDeleted(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(metaNamespaceKey(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of this.matchingDaemonSets(pod)) this.enqueue(ds);
  }

  private onPodUpdated(old: Obj, cur: Obj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp) {
      // Graceful deletion started: act now rather than when the kubelet finishes.
      this.onPodDeleted(cur);
      return;
    }
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    const refChanged = controllerRefChanged(old, cur);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReady = Number(ds.spec?.minReadySeconds ?? 0);
      // Availability comes minReadySeconds after readiness: look again then (+1 s for skew).
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaNamespaceKey(ds), minReady * 1000 + 1000);
      return;
    }
    if (refChanged || JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {})) {
      for (const ds of this.matchingDaemonSets(cur)) this.enqueue(ds);
    }
  }

  private onPodDeleted(pod: Obj): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const ds = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!ds) return;
    this.expectations.deletionObserved(metaNamespaceKey(ds));
    this.enqueue(ds);
  }

  private onNodeAdded(node: Obj): void {
    for (const ds of this.o.daemonSets.store.list()) {
      if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(ds);
    }
  }

  private onNodeUpdated(old: Obj, cur: Obj): void {
    if (shouldIgnoreNodeUpdate(old, cur)) return;
    for (const ds of this.o.daemonSets.store.list()) {
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
    }
  }

  /**
   * Upstream leaves pods of deleted nodes to the pod GC; the DaemonSets that could have had a
   * pod there are synced too, so their counts follow at once.
   */
  private onNodeDeleted(node: Obj): void {
    for (const ds of this.o.daemonSets.store.list()) {
      if (nodeShouldRunDaemonPod(node, ds).shouldContinueRunning) this.enqueue(ds);
    }
  }

  // ---- sync ----

  private revisionDeps(): RevisionDeps {
    return {
      client: this.client, controllerRevisions: this.o.controllerRevisions, signal: this.signal,
      daemonPods: (ds) => this.getDaemonPods(ds),
    };
  }

  async sync(key: string): Promise<void> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    const ds = this.o.daemonSets.store.get(namespace, name);
    if (!ds) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const nodes = this.o.nodes.store.list();
    if (selectsEverything(ds.spec?.selector)) {
      this.recorder.event(ds, 'Warning', SELECTING_ALL_REASON, 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // Revisions of a DaemonSet being deleted may already be gone or orphaned: its status
    // cannot be computed reliably, so nothing is done.
    if (ds.metadata?.deletionTimestamp) return;

    let cur: Obj;
    let old: Obj[];
    try {
      ({ cur, old } = await constructHistory(this.revisionDeps(), ds));
    } catch (e) {
      throw new Error(`failed to construct revisions of DaemonSet: ${errMsg(e)}`);
    }
    const hash: string = cur.metadata?.labels?.[POD_REVISION_LABEL] ?? '';

    if (!this.expectations.satisfiedExpectations(key)) {
      // Waiting for our own creations/deletions to show: status only, generation not observed.
      await this.updateStatus(ds, nodes, hash, false);
      return;
    }

    let err: unknown;
    try {
      await this.updateDaemonSet(ds, nodes, hash, key, old);
    } catch (e) {
      err = e;
    }
    let statusErr: unknown;
    try {
      await this.updateStatus(ds, nodes, hash, true);
    } catch (e) {
      statusErr = e;
    }
    if (err) {
      if (statusErr) this.log.warn(`failed to update status of daemon set ${key}: ${errMsg(statusErr)}`);
      throw err;
    }
    if (statusErr) throw statusErr;
  }

  private async updateDaemonSet(ds: Obj, nodes: Obj[], hash: string, key: string, old: Obj[]): Promise<void> {
    await this.manage(ds, nodes, hash);
    // Roll only once the manage step's creations/deletions have been observed.
    if (this.expectations.satisfiedExpectations(key) && (ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
      const podCache = this.o.pods.store;
      const decision = rollingUpdate({
        ds, nodes, nodeToDaemonPods, hash, now: this.now(),
        podExists: (n) => !!podCache.get(ds.metadata.namespace, n),
      });
      await this.syncNodes(ds, decision.podsToDelete, decision.nodesToCreate, hash);
    }
    try {
      await cleanupHistory(this.revisionDeps(), ds, old, await this.getNodesToDaemonPods(ds, true));
    } catch (e) {
      throw new Error(`failed to clean up revisions of DaemonSet: ${errMsg(e)}`);
    }
  }

  /** Pods the DaemonSet controls in its namespace, adopting matching orphans and releasing strays. */
  async getDaemonPods(ds: Obj): Promise<Obj[]> {
    const cm = new ControllerRefManager({
      client: this.client, owner: ds, ownerKind: KIND_DAEMONSET, selector: labelSelectorMatcher(ds.spec?.selector),
      resource: PODS, canAdopt: recheckDeletionTimestamp(this.client, DAEMONSETS, ds, this.signal), signal: this.signal,
    });
    return cm.claim(this.o.pods.store.listNamespace(ds.metadata.namespace));
  }

  /** Claimed daemon pods by target node; deleted terminal pods are left out unless asked for. */
  async getNodesToDaemonPods(ds: Obj, includeDeletedTerminal: boolean): Promise<Map<string, Obj[]>> {
    const out = new Map<string, Obj[]>();
    for (const pod of await this.getDaemonPods(ds)) {
      // Already terminal and being deleted (by the kubelet or the pod GC): nothing to do with it.
      if (!includeDeletedTerminal && isPodTerminal(pod) && pod.metadata?.deletionTimestamp) continue;
      const node = targetNodeName(pod);
      if (node === undefined) continue;
      let list = out.get(node);
      if (!list) out.set(node, (list = []));
      list.push(pod);
    }
    return out;
  }

  /** manage: creates missing daemon pods and deletes the ones that must go. */
  private async manage(ds: Obj, nodes: Obj[], hash: string): Promise<void> {
    let nodeToDaemonPods: Map<string, Obj[]>;
    try {
      nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
    } catch (e) {
      throw new Error(`couldn't get node to daemon pod mapping for daemon set "${ds.metadata.name}": ${errMsg(e)}`);
    }
    const nodesNeeding: string[] = [];
    const podsToDelete: string[] = [];
    if (this.now() - this.lastBackoffGC > BACKOFF_GC_INTERVAL_MS) {
      this.backoff.gc();
      this.lastBackoffGC = this.now();
    }
    const hooks: NodeHooks = {
      backoff: this.backoff, now: this.now(),
      event: (type, reason, message) => this.recorder.event(ds, type, reason, message),
      requeueAfter: (ms) => this.queue.addAfter(metaNamespaceKey(ds), ms),
    };
    for (const node of nodes) {
      const r = podsShouldBeOnNode(node, nodeToDaemonPods, ds, hash, hooks);
      nodesNeeding.push(...r.nodesNeeding);
      podsToDelete.push(...r.podsToDelete);
    }
    // Unscheduled pods pinned to nodes that no longer exist are never bound nor garbage
    // collected: they are ours to delete.
    const existing = new Set(nodes.map((n) => n.metadata.name));
    for (const [node, pods] of nodeToDaemonPods) {
      if (existing.has(node)) continue;
      for (const p of pods) if (!p.spec?.nodeName) podsToDelete.push(p.metadata.name);
    }
    await this.syncNodes(ds, podsToDelete, nodesNeeding, hash);
  }

  /** syncNodes: deletes pods and creates pods for nodes, within the burst and with expectations. */
  private async syncNodes(ds: Obj, podsToDelete: string[], nodesNeeding: string[], hash: string): Promise<void> {
    const key = metaNamespaceKey(ds);
    const createDiff = Math.min(nodesNeeding.length, this.burst);
    const deleteDiff = Math.min(podsToDelete.length, this.burst);
    // Expectations first: the informer may deliver the new pods before the calls return.
    this.expectations.setExpectations(key, createDiff, deleteDiff);
    const errors: Error[] = [];

    const template = daemonPodTemplate(ds, hash);
    const controllerRef = newControllerRef(ds, KIND_DAEMONSET);
    let next = 0;
    const { error } = await slowStartBatch(createDiff, SLOW_START_INITIAL_BATCH_SIZE, async () => {
      const nodeName = nodesNeeding[next++];
      const podTemplate = clone(template);
      // Pinning by node affinity lets the default scheduler bind the pod to this node.
      podTemplate.spec.affinity = replaceNodeNameAffinity(podTemplate.spec.affinity, nodeName);
      try {
        await this.podControl.createPods(ds.metadata.namespace, podTemplate, ds, controllerRef, { signal: this.signal });
      } catch (e) {
        // A terminating namespace refuses every create: nothing to retry, nothing to report.
        if (hasStatusCause(e, NAMESPACE_TERMINATING_CAUSE)) return;
        this.expectations.creationObserved(key);
        errors.push(e as Error);
        throw e;
      }
    });
    const skipped = createDiff - next;
    if (error && skipped > 0) {
      // Creations never attempted are not expected; the next sync retries them.
      this.expectations.lowerExpectations(key, skipped, 0);
    }

    await Promise.all(podsToDelete.slice(0, deleteDiff).map(async (name) => {
      try {
        await this.podControl.deletePod(ds.metadata.namespace, name, ds, { signal: this.signal });
      } catch (e) {
        this.expectations.deletionObserved(key);
        if (!isNotFound(e)) errors.push(e as Error);
      }
    }));
    if (errors.length) throw new AggregateError_(errors);
  }

  /** updateDaemonSetStatus: the counts over the nodes, written when they changed. */
  private async updateStatus(ds: Obj, nodes: Obj[], hash: string, updateObservedGen: boolean): Promise<void> {
    let nodeToDaemonPods: Map<string, Obj[]>;
    try {
      nodeToDaemonPods = await this.getNodesToDaemonPods(ds, false);
    } catch (e) {
      throw new Error(`couldn't get node to daemon pod mapping for daemon set "${ds.metadata.name}": ${errMsg(e)}`);
    }
    const want = computeStatus(ds, nodes, nodeToDaemonPods, hash, this.now());
    await this.storeStatus(ds, want, updateObservedGen);
    // A last line of defence against clock skew: look again once pods may have become available.
    const minReady = Number(ds.spec?.minReadySeconds ?? 0);
    if (minReady > 0 && want.numberReady !== want.numberAvailable) this.queue.addAfter(metaNamespaceKey(ds), minReady * 1000);
  }

  private async storeStatus(ds: Obj, want: DaemonSetCounts, updateObservedGen: boolean): Promise<void> {
    const st = ds.status ?? {};
    const same = Object.entries(want).every(([k, v]) => Number(st[k] ?? 0) === v);
    if (same && Number(st.observedGeneration ?? 0) >= Number(ds.metadata?.generation ?? 0)) return;
    let toUpdate = clone(ds);
    for (let i = 0; ; i++) {
      toUpdate.status = { ...(toUpdate.status ?? {}), ...want };
      if (updateObservedGen) toUpdate.status.observedGeneration = ds.metadata?.generation;
      try {
        await this.client.updateStatus(DAEMONSETS, ds.metadata.namespace, toUpdate, { signal: this.signal });
        return;
      } catch (e) {
        if (i >= STATUS_UPDATE_RETRIES) throw new Error(`error storing status for daemon set ${ds.metadata.namespace}/${ds.metadata.name}: ${errMsg(e)}`);
      }
      // Retry against the latest version (a GET failure is the more interesting error).
      toUpdate = await this.client.get(DAEMONSETS, ds.metadata.namespace, ds.metadata.name, { signal: this.signal });
    }
  }
}

/**
 * shouldIgnoreNodeUpdate: heartbeats only touch condition timestamps and the resourceVersion;
 * a node update matters when the set of true conditions or anything else changed.
 */
export function shouldIgnoreNodeUpdate(old: Obj, cur: Obj): boolean {
  const trueTypes = (n: Obj): string => (n.status?.conditions ?? []).filter((c: Obj) => c.status === 'True').map((c: Obj) => c.type).sort().join(',');
  if (trueTypes(old) !== trueTypes(cur)) return false;
  const strip = (n: Obj): string => {
    const c = { ...n, metadata: { ...(n.metadata ?? {}) }, status: { ...(n.status ?? {}) } };
    delete c.metadata.resourceVersion;
    delete c.metadata.managedFields;
    delete c.status.conditions;
    return JSON.stringify(c);
  };
  return strip(old) === strip(cur);
}
