// Deployment controller (kube-controller-manager's deployment controller). A Deployment owns
// ReplicaSets: the "new" one has the Deployment's pod template (named
// `<deployment>-<pod-template-hash>`), the others are old revisions. Per key, sync():
//  - claims ReplicaSets by selector (adopt/release);
//  - a Deployment being deleted only gets its status refreshed;
//  - a paused one is only scaled (proportionally) and cleaned up; Progressing is set to
//    Unknown/DeploymentPaused and back to Unknown/DeploymentResumed around pauses;
//  - the deprecated rollback annotation rolls the template back to a revision;
//  - a replica-count change during a rollout scales every active ReplicaSet proportionally;
//  - otherwise Recreate (old to zero, wait for their pods to go, then new to full) or
//    RollingUpdate (new up within maxSurge, old down within maxUnavailable);
//  - status: replicas, updated/ready/available/unavailable, observedGeneration,
//    collisionCount, and the Available, Progressing and ReplicaFailure conditions, with a
//    requeue to notice progressDeadlineSeconds passing.
// Revision bookkeeping follows upstream: the new ReplicaSet gets revision max(old)+1, a
// ReplicaSet that becomes new again (kubectl rollout undo) records its previous revision in
// revision-history, and revisionHistoryLimit old ReplicaSets at zero are kept.
// The strategies, scaling and status live in sync.ts (DeploymentSync); this file holds the
// event handlers, claiming ReplicaSets, and the top-level sync().

import { clone, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { errMsg } from '../../client/log.js';
import { labelSelectorMatcher, type Matcher } from '../../client/selector.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import {
  ControllerRefManager, CONTROLLER_INDEX, KIND_DEPLOYMENT, controllerRefChanged, ensureControllerIndex, getControllerOf,
  ownedAndOrphans, recheckDeletionTimestamp,
} from '../common/ownerref.js';
import { DEPLOYMENTS, DeploymentSync, REPLICASETS, rollbackTo, type DeploymentControllerOptions, type SyncCtx } from './sync.js';

export { DEPLOYMENTS, REPLICASETS, type DeploymentControllerOptions } from './sync.js';

function selectorIsEmpty(sel: Obj | undefined): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

export class DeploymentController extends DeploymentSync {
  constructor(o: DeploymentControllerOptions) {
    super(o);
    ensureControllerIndex(o.replicaSets);
    ensureControllerIndex(o.pods);

    o.deployments.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(d),
    });
    o.replicaSets.addEventHandler({
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (old, cur) => this.updateReplicaSet(old, cur),
      onDelete: (rs) => this.deleteReplicaSet(rs),
    });
    o.pods.addEventHandler({ onDelete: (pod) => this.deletePod(pod) });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'deployment-controller', queue: this.queue, informers: [this.o.deployments, this.o.replicaSets, this.o.pods],
      workers: this.o.workers ?? 5, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  // ---- event handlers ----

  private enqueue(d: Obj): void {
    this.queue.add(metaNamespaceKey(d));
  }

  private resolveControllerRef(namespace: string, ref: Obj | undefined): Obj | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.o.deployments.store.get(namespace, ref.name);
    return d && d.metadata?.uid === ref.uid ? d : undefined;
  }

  /** Deployments whose selector matches an orphan ReplicaSet's labels. */
  private deploymentsForReplicaSet(rs: Obj): Obj[] {
    const out: Obj[] = [];
    for (const d of this.o.deployments.store.listNamespace(rs.metadata?.namespace ?? '')) {
      if (!d.spec?.selector || selectorIsEmpty(d.spec.selector)) continue;
      try {
        if (labelSelectorMatcher(d.spec.selector)(rs.metadata?.labels)) out.push(d);
      } catch { /* an invalid selector matches nothing */ }
    }
    return out;
  }

  private addReplicaSet(rs: Obj): void {
    if (rs.metadata?.deletionTimestamp) {
      this.deleteReplicaSet(rs);
      return;
    }
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: Obj, cur: Obj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const refChanged = controllerRefChanged(old, cur);
    const oldRef = getControllerOf(old);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    const curRef = getControllerOf(cur);
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (labelChanged || refChanged) for (const d of this.deploymentsForReplicaSet(cur)) this.enqueue(d);
  }

  private deleteReplicaSet(rs: Obj): void {
    const d = this.resolveControllerRef(rs.metadata?.namespace, getControllerOf(rs));
    if (d) this.enqueue(d);
  }

  /** Recreate waits for old pods to disappear: look again when one does. */
  private deletePod(pod: Obj): void {
    const rsRef = getControllerOf(pod);
    if (!rsRef || rsRef.kind !== 'ReplicaSet') return;
    const rs = this.o.replicaSets.store.get(pod.metadata?.namespace, rsRef.name);
    if (!rs || rs.metadata?.uid !== rsRef.uid) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, getControllerOf(rs));
    if (d?.spec?.strategy?.type === 'Recreate') this.enqueue(d);
  }

  // ---- sync ----

  async sync(key: string, signal?: AbortSignal): Promise<void> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    const cached = this.o.deployments.store.get(namespace, name);
    if (!cached) return;
    const d = clone(cached);
    d.status ??= {};
    const ctx: SyncCtx = { signal };

    if (selectorIsEmpty(d.spec?.selector)) {
      this.o.recorder?.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status.observedGeneration = d.metadata.generation;
        await this.updateStatus(d, ctx);
      }
      return;
    }

    const rsList = await this.claimReplicaSets(d, signal);
    const podMap = this.podMap(d, rsList);

    if (d.metadata.deletionTimestamp) return this.syncStatusOnly(d, rsList, ctx);
    await this.checkPausedConditions(d, ctx);
    if (d.spec?.paused) return this.syncScaleAndCleanup(d, rsList, ctx);
    if (rollbackTo(d) !== undefined) return this.rollback(d, rsList, ctx);
    if (await this.isScalingEvent(d, rsList, ctx)) return this.syncScaleAndCleanup(d, rsList, ctx);

    switch (d.spec?.strategy?.type) {
      case 'Recreate':
        return this.rolloutRecreate(d, rsList, podMap, ctx);
      case 'RollingUpdate':
        return this.rolloutRolling(d, rsList, ctx);
      default:
        throw new Error(`unexpected deployment strategy type: ${d.spec?.strategy?.type}`);
    }
  }

  private async claimReplicaSets(d: Obj, signal?: AbortSignal): Promise<Obj[]> {
    let selector: Matcher;
    try {
      selector = labelSelectorMatcher(d.spec?.selector);
    } catch (err) {
      throw new Error(`deployment ${d.metadata.namespace}/${d.metadata.name}: invalid selector: ${errMsg(err)}`);
    }
    const manager = new ControllerRefManager({
      client: this.client, owner: d, ownerKind: KIND_DEPLOYMENT, selector, resource: REPLICASETS, signal,
      canAdopt: recheckDeletionTimestamp(this.client, DEPLOYMENTS, d, signal),
    });
    const candidates = ownedAndOrphans(this.o.replicaSets, d.metadata.uid, d.metadata.namespace);
    return manager.claim(candidates);
  }

  /** Pods of each claimed ReplicaSet (matching the Deployment's selector), by ReplicaSet uid. */
  private podMap(d: Obj, rsList: Obj[]): Map<string, Obj[]> {
    const sel = labelSelectorMatcher(d.spec?.selector);
    const map = new Map<string, Obj[]>();
    for (const rs of rsList) {
      map.set(rs.metadata.uid, this.o.pods.store.byIndex(CONTROLLER_INDEX, rs.metadata.uid).filter((p) => sel(p.metadata?.labels)));
    }
    return map;
  }
}
