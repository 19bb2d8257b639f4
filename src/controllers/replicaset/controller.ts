// ReplicaSet controller (kube-controller-manager's replicaset controller), serving both
// apps/v1 ReplicaSets and core/v1 ReplicationControllers as upstream does: one instance per
// kind, each with its own queue. Per key, sync():
//  1. claims pods (adopt matching orphans, release owned pods that stopped matching);
//  2. when the owner's expectations are satisfied and it is not being deleted, creates the
//     missing pods in slow-start batches (1, 2, 4, ... at most burstReplicas per sync) or
//     deletes the surplus, best candidates first (rankPodsForDeletion);
//  3. writes status: replicas, fullyLabeledReplicas, readyReplicas, availableReplicas
//     (minReadySeconds), observedGeneration, and the ReplicaFailure condition when creating
//     or deleting failed.
// Pod events only enqueue owner keys and record observed creations/deletions.

import { findResource } from '../../api/resources.js';
import { clone, nowRFC3339, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { hasStatusCause, isConflict, isNotFound, NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { labelSelectorMatcher, type Matcher } from '../../client/selector.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { UIDTrackingExpectations } from '../common/expectations.js';
import {
  ControllerRefManager, CONTROLLER_INDEX, KIND_REPLICASET, KIND_REPLICATIONCONTROLLER, ensureControllerIndex, getControllerOf,
  newControllerRef, ownedAndOrphans, recheckDeletionTimestamp, type OwnerKind,
} from '../common/ownerref.js';
import { BURST_REPLICAS, PODS, PodControl, SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from '../common/podcontrol.js';
import { filterActivePods, getCondition, isPodAvailable, isPodReady, rankPodsForDeletion, removeCondition, setCondition } from '../common/pods.js';

export const REPLICASETS: ResourceRef = findResource('apps', 'v1', 'replicasets')!;
export const REPLICATIONCONTROLLERS: ResourceRef = findResource('', 'v1', 'replicationcontrollers')!;

export const REPLICA_FAILURE = 'ReplicaFailure';
/** Status writes retried once after re-reading the object (upstream statusUpdateRetries). */
const STATUS_UPDATE_RETRIES = 1;

export interface ReplicaSetControllerOptions {
  client: KubeClient;
  /** 'ReplicaSet' (default) or 'ReplicationController'. */
  kind?: 'ReplicaSet' | 'ReplicationController';
  /** The informer of the owners this instance manages (replicasets or replicationcontrollers). */
  replicaSets: Informer;
  pods: Informer;
  recorder?: EventRecorder;
  burstReplicas?: number;
  workers?: number;
  log?: Logger;
  /** Clock for availability (minReadySeconds) and condition times. */
  now?: () => number;
}

/** One owner's selector: RS has a LabelSelector, RC a plain map. */
function selectorOf(owner: Obj, isRC: boolean): Matcher {
  const sel = owner.spec?.selector;
  if (isRC) return labelSelectorMatcher(sel ? { matchLabels: sel } : undefined);
  return labelSelectorMatcher(sel);
}

function selectorIsEmpty(sel: Obj | undefined, isRC: boolean): boolean {
  if (!sel) return true;
  if (isRC) return Object.keys(sel).length === 0;
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

export class ReplicaSetController {
  readonly queue = new WorkQueue<string>();
  readonly expectations = new UIDTrackingExpectations();
  private readonly client: KubeClient;
  private readonly res: ResourceRef;
  private readonly ownerKind: OwnerKind;
  private readonly isRC: boolean;
  private readonly podControl: PodControl;
  private readonly burst: number;
  private readonly log: Logger;
  private readonly now: () => number;
  readonly name: string;

  constructor(private readonly o: ReplicaSetControllerOptions) {
    this.client = o.client;
    this.isRC = o.kind === 'ReplicationController';
    this.res = this.isRC ? REPLICATIONCONTROLLERS : REPLICASETS;
    this.ownerKind = this.isRC ? KIND_REPLICATIONCONTROLLER : KIND_REPLICASET;
    this.name = this.isRC ? 'replicationcontroller' : 'replicaset';
    this.log = o.log ?? stderrLogger(`${this.name}-controller`);
    this.podControl = new PodControl({ client: o.client, recorder: o.recorder });
    this.burst = o.burstReplicas ?? BURST_REPLICAS;
    this.now = o.now ?? Date.now;
    ensureControllerIndex(o.pods);
    ensureControllerIndex(o.replicaSets);

    o.replicaSets.addEventHandler({
      onAdd: (rs) => this.enqueue(rs),
      onUpdate: (old, cur) => {
        if (old.metadata?.uid !== cur.metadata?.uid) this.ownerDeleted(old);
        this.enqueue(cur);
      },
      onDelete: (rs) => this.ownerDeleted(rs),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => this.addPod(pod),
      onUpdate: (old, cur) => this.updatePod(old, cur),
      onDelete: (pod) => this.deletePod(pod),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: `${this.name}-controller`, queue: this.queue, informers: [this.o.replicaSets, this.o.pods],
      workers: this.o.workers ?? 5, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  // ---- event handlers: enqueue keys, observe expectations ----

  private enqueue(rs: Obj): void {
    this.queue.add(metaNamespaceKey(rs));
  }

  private ownerDeleted(rs: Obj): void {
    const key = metaNamespaceKey(rs);
    this.expectations.deleteExpectations(key);
    this.queue.add(key);
  }

  /** The owner a controller reference names, if it is one of ours and still the same object. */
  private resolveControllerRef(namespace: string, ref: Obj | undefined): Obj | undefined {
    if (!ref || ref.kind !== this.ownerKind.kind) return undefined;
    const rs = this.o.replicaSets.store.get(namespace, ref.name);
    return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** Owners in the pod's namespace whose selector matches it (for orphans). */
  private podOwners(pod: Obj): Obj[] {
    const out: Obj[] = [];
    for (const rs of this.o.replicaSets.store.listNamespace(pod.metadata?.namespace ?? '')) {
      // A nil or empty selector must match nothing here, not everything.
      if (selectorIsEmpty(rs.spec?.selector, this.isRC)) continue;
      try {
        if (selectorOf(rs, this.isRC)(pod.metadata?.labels)) out.push(rs);
      } catch {
        // an unparsable selector selects nothing
      }
    }
    return out;
  }

  private addPod(pod: Obj): void {
    if (pod.metadata?.deletionTimestamp) {
      // A pod already being deleted (seen after a restart) is not a creation observation.
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!rs) return;
      const key = metaNamespaceKey(rs);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const rs of this.podOwners(pod)) this.enqueue(rs);
  }

  private updatePod(old: Obj, cur: Obj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return; // resync
    const labelChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // Graceful deletion started: replace the pod now rather than when the kubelet is done.
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const prev = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (prev) this.enqueue(prev);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!rs) return;
      this.enqueue(rs);
      // Availability is not an event of its own: look again once minReadySeconds have passed.
      const mrs = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && mrs > 0) this.queue.addAfter(metaNamespaceKey(rs), mrs * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.podOwners(cur)) this.enqueue(rs);
  }

  private deletePod(pod: Obj): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata?.namespace, ref);
    if (!rs) return;
    const key = metaNamespaceKey(rs);
    this.expectations.podDeletionObserved(key, metaNamespaceKey(pod));
    this.queue.add(key);
  }

  // ---- sync ----

  async sync(key: string, signal?: AbortSignal): Promise<void> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    const cached = this.o.replicaSets.store.get(namespace, name);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      return;
    }
    const needsSync = this.expectations.satisfiedExpectations(key);
    let selector: Matcher;
    try {
      selector = selectorOf(cached, this.isRC);
    } catch (err) {
      this.log.warn(`error converting pod selector to selector for ${this.ownerKind.kind} ${key}: ${errMsg(err)}`);
      return; // a bad selector will not heal by retrying
    }

    // Candidates: pods we control (even if they stopped matching) and orphans; only active ones.
    const candidates = filterActivePods(ownedAndOrphans(this.o.pods, cached.metadata.uid, namespace));
    const manager = new ControllerRefManager({
      client: this.client, owner: cached, ownerKind: this.ownerKind, selector, resource: PODS, signal,
      canAdopt: recheckDeletionTimestamp(this.client, this.res, cached, signal),
    });
    const pods = await manager.claim(candidates);

    let manageErr: Error | undefined;
    if (needsSync && !cached.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(pods, cached, key, signal);
      } catch (err) {
        manageErr = err as Error;
      }
    }

    const rs = clone(cached);
    const status = this.calculateStatus(rs, pods, manageErr);
    const updated = await this.updateStatus(rs, status, signal);
    const mrs = updated.spec?.minReadySeconds ?? 0;
    const want = updated.spec?.replicas ?? 1;
    if (!manageErr && mrs > 0 && updated.status?.readyReplicas === want && updated.status?.availableReplicas !== want) {
      // Last line of defence against clock skew: look again after minReadySeconds.
      this.queue.addAfter(key, mrs * 1000);
    }
    if (manageErr) throw manageErr;
  }

  private async manageReplicas(pods: Obj[], rs: Obj, key: string, signal?: AbortSignal): Promise<void> {
    const want = rs.spec?.replicas ?? 1;
    let diff = pods.length - want;
    if (diff < 0) {
      diff = Math.min(-diff, this.burst);
      // Expect all creations up front: the informer may report them before the calls return.
      this.expectations.expectCreations(key, diff);
      this.log.info(`too few replicas for ${this.ownerKind.kind} ${key}: need ${want}, creating ${diff}`);
      const ref = newControllerRef(rs, this.ownerKind);
      const { successes, error } = await slowStartBatch(diff, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          await this.podControl.createPods(rs.metadata.namespace, rs.spec?.template, rs, ref, { signal });
        } catch (err) {
          // In a terminating namespace every create fails; nothing to report.
          if (hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) return;
          throw err;
        }
      });
      // Creations that failed or never started will never be observed.
      for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
      if (error) throw error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, this.burst);
      const doomed = this.podsToDelete(pods, rs, diff);
      this.expectations.expectDeletionsOf(key, doomed.map((p) => metaNamespaceKey(p)));
      this.log.info(`too many replicas for ${this.ownerKind.kind} ${key}: need ${want}, deleting ${diff}`);
      const errs: Error[] = [];
      await Promise.all(doomed.map(async (pod) => {
        try {
          await this.podControl.deletePod(rs.metadata.namespace, pod.metadata.name, rs, { signal });
        } catch (err) {
          // The deletion will not be observed through this call: stop expecting it.
          this.expectations.podDeletionObserved(key, metaNamespaceKey(pod));
          if (!isNotFound(err)) errs.push(err as Error);
        }
      }));
      if (errs.length) throw errs[0];
    }
  }

  /** The `diff` pods to delete, best candidates first (getPodsToDelete). */
  private podsToDelete(pods: Obj[], rs: Obj, diff: number): Obj[] {
    if (diff >= pods.length) return pods.slice(0, diff);
    return rankPodsForDeletion(pods, this.relatedPods(rs), this.now()).slice(0, diff);
  }

  /** Active pods of every owner sharing rs's controller (the Deployment's other ReplicaSets). */
  private relatedPods(rs: Obj): Obj[] {
    const ref = getControllerOf(rs);
    if (!ref) return [];
    const out = new Map<string, Obj>();
    for (const sibling of this.o.replicaSets.store.byIndex(CONTROLLER_INDEX, ref.uid)) {
      for (const p of this.o.pods.store.byIndex(CONTROLLER_INDEX, sibling.metadata.uid)) out.set(p.metadata.uid, p);
    }
    return filterActivePods([...out.values()]);
  }

  calculateStatus(rs: Obj, pods: Obj[], manageErr?: Error): Obj {
    const status: Obj = clone(rs.status ?? {});
    const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
    const now = this.now();
    let fully = 0;
    let ready = 0;
    let available = 0;
    for (const pod of pods) {
      const labels = pod.metadata?.labels ?? {};
      if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fully++;
      if (isPodReady(pod)) {
        ready++;
        if (isPodAvailable(pod, rs.spec?.minReadySeconds ?? 0, now)) available++;
      }
    }
    const failure = getCondition(rs.status?.conditions, REPLICA_FAILURE);
    if (manageErr && !failure) {
      const diff = pods.length - (rs.spec?.replicas ?? 1);
      const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
      status.conditions = setCondition(status.conditions, {
        type: REPLICA_FAILURE, status: 'True', lastTransitionTime: nowRFC3339(new Date(now)), reason, message: manageErr.message,
      });
    } else if (!manageErr && failure) {
      status.conditions = removeCondition(status.conditions, REPLICA_FAILURE);
      if (status.conditions.length === 0) delete status.conditions;
    }
    // replicas is always on the wire; the other counts are omitempty upstream.
    status.replicas = pods.length;
    status.fullyLabeledReplicas = fully;
    status.readyReplicas = ready;
    status.availableReplicas = available;
    for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) if (status[k] === 0) delete status[k];
    return status;
  }

  /** Writes status unless nothing changed; on failure re-reads once and retries. */
  private async updateStatus(rs: Obj, status: Obj, signal?: AbortSignal): Promise<Obj> {
    const cur = rs.status ?? {};
    const gen = rs.metadata?.generation ?? 0;
    if ((cur.replicas ?? 0) === status.replicas && (cur.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas
      && (cur.readyReplicas ?? 0) === status.readyReplicas && (cur.availableReplicas ?? 0) === status.availableReplicas
      && gen === (cur.observedGeneration ?? 0)
      && JSON.stringify(cur.conditions ?? []) === JSON.stringify(status.conditions ?? [])) {
      return rs;
    }
    if (gen) status.observedGeneration = gen;
    else delete status.observedGeneration;
    let obj = rs;
    for (let i = 0; ; i++) {
      obj.status = status;
      try {
        return await this.client.updateStatus(this.res, obj.metadata.namespace, obj, { signal });
      } catch (err) {
        if (i >= STATUS_UPDATE_RETRIES || isNotFound(err)) throw err;
        if (!isConflict(err)) this.log.warn(`status update of ${metaNamespaceKey(obj)} failed: ${errMsg(err)}`);
        obj = await this.client.get(this.res, obj.metadata.namespace, obj.metadata.name, { signal });
      }
    }
  }
}
