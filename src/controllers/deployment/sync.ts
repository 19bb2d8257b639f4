// The Deployment controller's per-Deployment work (upstream sync.go, rolling.go, recreate.go,
// progress.go, rollback.go): finding or creating the new ReplicaSet and its revision,
// scaling (proportionally during a rollout), the RollingUpdate and Recreate strategies,
// history cleanup, the deprecated rollbackTo annotation, and status with the Progressing and
// Available conditions. controller.ts adds the event handlers and the top-level sync().

import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import { hasStatusCause, isAlreadyExists, isNotFound, NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { computeHash, DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, equalIgnoreHash, semanticEqual } from '../common/hash.js';
import { KIND_DEPLOYMENT, getControllerOf, newControllerRef } from '../common/ownerref.js';
import { getCondition, parseTime } from '../common/pods.js';
import * as u from './util.js';

export const DEPLOYMENTS: ResourceRef = findResource('apps', 'v1', 'deployments')!;
export const REPLICASETS: ResourceRef = findResource('apps', 'v1', 'replicasets')!;

export interface DeploymentControllerOptions {
  client: KubeClient;
  deployments: Informer;
  replicaSets: Informer;
  pods: Informer;
  recorder?: EventRecorder;
  workers?: number;
  log?: Logger;
  now?: () => number;
}

/** Drops zero counts, as Go's omitempty does on the wire. */
export function compactStatus(s: Obj): Obj {
  for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration', 'terminatingReplicas']) {
    if (s[k] === 0) delete s[k];
  }
  if (s.collisionCount === undefined || s.collisionCount === null) delete s.collisionCount;
  if (Array.isArray(s.conditions) && s.conditions.length === 0) delete s.conditions;
  return s;
}

export class DeploymentSync {
  readonly queue = new WorkQueue<string>();
  protected readonly client: KubeClient;
  protected readonly log: Logger;
  protected readonly now: () => number;

  constructor(protected readonly o: DeploymentControllerOptions) {
    this.client = o.client;
    this.log = o.log ?? stderrLogger('deployment-controller');
    this.now = o.now ?? Date.now;
  }

  // ---- status writes ----

  /**
   * PUT status. The Deployment's annotations (the revision) travel with the status write as
   * upstream; an API server that resets annotations on status writes gets them through a
   * merge patch instead, so the revision is never lost.
   */
  protected async updateStatus(d: Obj, ctx: SyncCtx): Promise<void> {
    d.status = compactStatus(d.status ?? {});
    let out = await this.client.updateStatus(DEPLOYMENTS, d.metadata.namespace, d, { signal: ctx.signal });
    const want: Record<string, string> = d.metadata.annotations ?? {};
    const have: Record<string, string> = out.metadata?.annotations ?? {};
    const missing = Object.fromEntries(Object.entries(want).filter(([k, v]) => have[k] !== v));
    if (Object.keys(missing).length) {
      out = await this.client.patch(DEPLOYMENTS, d.metadata.namespace, d.metadata.name, 'merge', { metadata: { annotations: missing } }, { signal: ctx.signal });
    }
    d.metadata.resourceVersion = out.metadata?.resourceVersion ?? d.metadata.resourceVersion;
  }

  private calculateStatus(allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj): Obj {
    const available = u.sumStatus(allRSs, 'availableReplicas');
    const total = u.sumSpecReplicas(allRSs);
    const status: Obj = {
      observedGeneration: d.metadata.generation ?? 0,
      replicas: u.sumStatus(allRSs, 'replicas'),
      updatedReplicas: u.sumStatus([newRS], 'replicas'),
      readyReplicas: u.sumStatus(allRSs, 'readyReplicas'),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions: [...(d.status?.conditions ?? [])],
    };
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    if (available >= u.replicasOf(d) - u.maxUnavailable(d)) {
      u.setDeploymentCondition(status, u.newDeploymentCondition('Available', 'True', u.MINIMUM_REPLICAS_AVAILABLE, 'Deployment has minimum availability.', this.now()));
    } else {
      u.setDeploymentCondition(status, u.newDeploymentCondition('Available', 'False', u.MINIMUM_REPLICAS_UNAVAILABLE, 'Deployment does not have minimum availability.', this.now()));
    }
    return compactStatus(status);
  }

  protected async syncDeploymentStatus(allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj, ctx: SyncCtx): Promise<void> {
    const status = this.calculateStatus(allRSs, newRS, d);
    if (semanticEqual(compactStatus(clone(d.status ?? {})), status)) return;
    d.status = status;
    await this.updateStatus(d, ctx);
  }

  /** Status plus the Progressing condition and the ReplicaFailure carried over from ReplicaSets. */
  protected async syncRolloutStatus(allRSs: (Obj | undefined)[], newRS: Obj | undefined, d: Obj, ctx: SyncCtx): Promise<void> {
    const status = this.calculateStatus(allRSs, newRS, d);
    if (!u.hasProgressDeadline(d)) u.removeDeploymentCondition(status, 'Progressing');
    const current = getCondition(d.status?.conditions, 'Progressing');
    const complete = (status.replicas ?? 0) === (status.updatedReplicas ?? 0) && current?.reason === u.NEW_RS_AVAILABLE_REASON;
    const now = this.now();
    if (u.hasProgressDeadline(d) && !complete) {
      if (u.deploymentComplete(d, status)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
        u.setDeploymentCondition(status, u.newDeploymentCondition('Progressing', 'True', u.NEW_RS_AVAILABLE_REASON, msg, now));
      } else if (u.deploymentProgressing(d, status)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
        const cond = u.newDeploymentCondition('Progressing', 'True', u.REPLICASET_UPDATED_REASON, msg, now);
        // Progress refreshes lastUpdateTime even with an unchanged reason.
        if (current) {
          if (current.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
          u.removeDeploymentCondition(status, 'Progressing');
        }
        u.setDeploymentCondition(status, cond);
      } else if (u.deploymentTimedOut(d, status, now)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
        u.setDeploymentCondition(status, u.newDeploymentCondition('Progressing', 'False', u.TIMED_OUT_REASON, msg, now));
      }
    }
    const failures = this.replicaFailures(allRSs, newRS);
    if (failures.length) u.setDeploymentCondition(status, failures[0]);
    else u.removeDeploymentCondition(status, 'ReplicaFailure');
    compactStatus(status);

    if (semanticEqual(compactStatus(clone(d.status ?? {})), status)) {
      this.requeueStuckDeployment(d, status);
      return;
    }
    d.status = status;
    await this.updateStatus(d, ctx);
  }

  private replicaFailures(allRSs: (Obj | undefined)[], newRS: Obj | undefined): Obj[] {
    const of = (rs: Obj | undefined): Obj[] => (rs?.status?.conditions ?? []).filter((c: Obj) => c.type === 'ReplicaFailure').map(u.replicaSetToDeploymentCondition);
    const fromNew = of(newRS);
    if (fromNew.length) return fromNew;
    return allRSs.flatMap(of);
  }

  /** Wakes the Deployment when its progress deadline would pass without other events. */
  private requeueStuckDeployment(d: Obj, status: Obj): void {
    const cond = getCondition(d.status?.conditions, 'Progressing');
    if (!u.hasProgressDeadline(d) || !cond) return;
    if (u.deploymentComplete(d, status) || cond.reason === u.TIMED_OUT_REASON) return;
    const last = parseTime(cond.lastUpdateTime) ?? this.now();
    const after = last + d.spec.progressDeadlineSeconds * 1000 - this.now();
    const key = metaNamespaceKey(d);
    if (after < 1000) this.queue.addRateLimited(key);
    else this.queue.addAfter(key, after + 1000);
  }

  protected async syncStatusOnly(d: Obj, rsList: Obj[], ctx: SyncCtx): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false, ctx);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d, ctx);
  }

  protected async checkPausedConditions(d: Obj, ctx: SyncCtx): Promise<void> {
    if (!u.hasProgressDeadline(d)) return;
    const cond = getCondition(d.status?.conditions, 'Progressing');
    if (cond?.reason === u.TIMED_OUT_REASON) return; // a reported lack of progress stays
    const pausedCond = cond?.reason === u.PAUSED_DEPLOY_REASON;
    let next: Obj | undefined;
    if (d.spec?.paused && !pausedCond) next = u.newDeploymentCondition('Progressing', 'Unknown', u.PAUSED_DEPLOY_REASON, 'Deployment is paused', this.now());
    else if (!d.spec?.paused && pausedCond) next = u.newDeploymentCondition('Progressing', 'Unknown', u.RESUMED_DEPLOY_REASON, 'Deployment is resumed', this.now());
    if (!next) return;
    u.setDeploymentCondition(d.status, next);
    await this.updateStatus(d, ctx);
  }

  // ---- ReplicaSets: new, old, revisions ----

  protected async getAllReplicaSetsAndSyncRevision(d: Obj, rsList: Obj[], create: boolean, ctx: SyncCtx): Promise<{ newRS: Obj | undefined; oldRSs: Obj[] }> {
    const oldRSs = u.findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, oldRSs, create, ctx);
    return { newRS, oldRSs };
  }

  protected async getNewReplicaSet(d: Obj, rsList: Obj[], oldRSs: Obj[], create: boolean, ctx: SyncCtx): Promise<Obj | undefined> {
    const existing = u.findNewReplicaSet(d, rsList);
    const newRevision = u.maxRevision(oldRSs) + 1;
    const ns = d.metadata.namespace;

    if (existing) {
      const rsCopy = clone(existing);
      const annotationsUpdated = u.setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      const mrsNeedsUpdate = (rsCopy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || mrsNeedsUpdate) {
        rsCopy.spec.minReadySeconds = d.spec?.minReadySeconds ?? 0;
        const updated = await this.client.update(REPLICASETS, ns, rsCopy, { signal: ctx.signal });
        // Later steps of this sync look at rsList again: let them see the write.
        const i = rsList.indexOf(existing);
        if (i >= 0) rsList[i] = updated;
        return updated;
      }
      // The ReplicaSet's revision is the reliable one: mirror it on the Deployment.
      let needsUpdate = u.setDeploymentRevision(d, rsCopy.metadata.annotations?.[u.REVISION_ANNOTATION] ?? '');
      if (u.hasProgressDeadline(d) && !getCondition(d.status?.conditions, 'Progressing')) {
        u.setDeploymentCondition(d.status, u.newDeploymentCondition('Progressing', 'True', u.FOUND_NEW_RS_REASON, `Found new replica set "${rsCopy.metadata.name}"`, this.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateStatus(d, ctx);
      return rsCopy;
    }
    if (!create) return undefined;

    // A new ReplicaSet: deterministic name from the template hash (plus collisionCount).
    const template = clone(d.spec.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash };
    const selector = clone(d.spec.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash };
    const newRS: Obj = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: ns, ownerReferences: [newControllerRef(d, KIND_DEPLOYMENT)], labels: { ...template.metadata.labels } },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
    };
    const newReplicas = u.newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec.replicas = newReplicas;
    u.setNewReplicaSetAnnotations(d, newRS, newRevision, false);

    let created: Obj;
    let alreadyExists = false;
    try {
      created = await this.client.create(REPLICASETS, ns, newRS, { signal: ctx.signal });
    } catch (err) {
      if (isAlreadyExists(err)) {
        alreadyExists = true;
        const rs = this.o.replicaSets.store.get(ns, newRS.metadata.name);
        if (!rs) throw err; // not in the cache yet: try again later
        const ref = getControllerOf(rs);
        if (ref && ref.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec?.template)) {
          created = rs;
        } else {
          // A hash collision with somebody else's ReplicaSet: bump collisionCount and retry.
          d.status.collisionCount = (d.status.collisionCount ?? 0) + 1;
          try {
            await this.updateStatus(d, ctx);
            this.log.info(`found a hash collision for deployment ${ns}/${d.metadata.name}: collisionCount now ${d.status.collisionCount}`);
          } catch { /* the returned error requeues anyway */ }
          throw err;
        }
      } else if (hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) {
        throw err;
      } else {
        const msg = `Failed to create new replica set "${newRS.metadata.name}": ${errMsg(err)}`;
        if (u.hasProgressDeadline(d)) {
          u.setDeploymentCondition(d.status, u.newDeploymentCondition('Progressing', 'False', u.FAILED_RS_CREATE_REASON, msg, this.now()));
          try { await this.updateStatus(d, ctx); } catch { /* a bigger problem is being reported */ }
        }
        this.o.recorder?.event(d, 'Warning', u.FAILED_RS_CREATE_REASON, msg);
        throw err;
      }
    }
    if (!alreadyExists && newReplicas > 0) {
      this.o.recorder?.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${newReplicas}`);
    }
    let needsUpdate = u.setDeploymentRevision(d, String(newRevision));
    if (!alreadyExists && u.hasProgressDeadline(d)) {
      u.setDeploymentCondition(d.status, u.newDeploymentCondition('Progressing', 'True', u.NEW_REPLICASET_REASON, `Created new replica set "${created.metadata.name}"`, this.now()));
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateStatus(d, ctx);
    return created;
  }

  // ---- scaling ----

  protected async scaleReplicaSetAndRecordEvent(rs: Obj, newScale: number, d: Obj, ctx: SyncCtx): Promise<[boolean, Obj]> {
    if (u.replicasOf(rs) === newScale) return [false, rs];
    return this.scaleReplicaSet(rs, newScale, d, u.replicasOf(rs) < newScale ? 'up' : 'down', ctx);
  }

  protected async scaleReplicaSet(rs: Obj, newScale: number, d: Obj, op: string, ctx: SyncCtx): Promise<[boolean, Obj]> {
    const sizeNeedsUpdate = u.replicasOf(rs) !== newScale;
    const desired = u.replicasOf(d);
    const max = desired + u.maxSurge(d);
    if (!sizeNeedsUpdate && !u.replicasAnnotationsNeedUpdate(rs, desired, max)) return [false, rs];
    const oldScale = u.replicasOf(rs);
    const copy = clone(rs);
    copy.spec.replicas = newScale;
    u.setReplicasAnnotations(copy, desired, max);
    const updated = await this.client.update(REPLICASETS, copy.metadata.namespace, copy, { signal: ctx.signal });
    if (sizeNeedsUpdate) {
      this.o.recorder?.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`);
    }
    return [sizeNeedsUpdate, updated];
  }

  protected async isScalingEvent(d: Obj, rsList: Obj[], ctx: SyncCtx): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false, ctx);
    for (const rs of u.filterActiveReplicaSets([...oldRSs, newRS])) {
      const desired = u.desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== u.replicasOf(d)) return true;
    }
    return false;
  }

  /** `sync` upstream: scaling events and paused Deployments. */
  protected async syncScaleAndCleanup(d: Obj, rsList: Obj[], ctx: SyncCtx): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false, ctx);
    await this.scale(d, newRS, oldRSs, ctx);
    if (d.spec?.paused && rollbackTo(d) === undefined) await this.cleanupDeployment(oldRSs, d, ctx);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d, ctx);
  }

  /** Resizes ReplicaSets to the Deployment's size, proportionally while a rollout is under way. */
  protected async scale(d: Obj, newRS: Obj | undefined, oldRSs: Obj[], ctx: SyncCtx): Promise<void> {
    const want = u.replicasOf(d);
    const activeOrLatest = u.findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (u.replicasOf(activeOrLatest) === want) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, want, d, ctx);
      return;
    }
    if (u.isSaturated(d, newRS)) {
      for (const old of u.filterActiveReplicaSets(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0, d, ctx);
      return;
    }
    if (!u.isRollingUpdate(d)) return;
    const all = u.filterActiveReplicaSets([...oldRSs, newRS]);
    const allowed = want > 0 ? want + u.maxSurge(d) : 0;
    const toAdd = allowed - u.sumSpecReplicas(all);
    let op = '';
    if (toAdd > 0) {
      all.sort(u.bySizeNewer);
      op = 'up';
    } else if (toAdd < 0) {
      all.sort(u.bySizeOlder);
      op = 'down';
    }
    let added = 0;
    const sizes = new Map<string, number>();
    for (const rs of all) {
      if (toAdd !== 0) {
        const p = u.getProportion(rs, d, toAdd, added);
        sizes.set(rs.metadata.name, u.replicasOf(rs) + p);
        added += p;
      } else {
        sizes.set(rs.metadata.name, u.replicasOf(rs));
      }
    }
    for (let i = 0; i < all.length; i++) {
      const rs = all[i];
      if (i === 0 && toAdd !== 0) {
        // Leftovers go to the largest ReplicaSet.
        sizes.set(rs.metadata.name, Math.max(0, sizes.get(rs.metadata.name)! + toAdd - added));
      }
      await this.scaleReplicaSet(rs, sizes.get(rs.metadata.name)!, d, op, ctx);
    }
  }

  // ---- Recreate ----

  protected async rolloutRecreate(d: Obj, rsList: Obj[], podMap: Map<string, Obj[]>, ctx: SyncCtx): Promise<void> {
    // No new ReplicaSet yet: never scale up before the old ones are down.
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false, ctx);
    let allRSs: (Obj | undefined)[] = [...oldRSs, newRS];
    const activeOld = u.filterActiveReplicaSets(oldRSs);

    let scaledDown = false;
    for (let i = 0; i < activeOld.length; i++) {
      const [scaled, updated] = await this.scaleReplicaSetAndRecordEvent(activeOld[i], 0, d, ctx);
      if (scaled) {
        activeOld[i] = updated;
        scaledDown = true;
      }
    }
    if (scaledDown) return this.syncRolloutStatus(allRSs, newRS, d, ctx);
    if (oldPodsRunning(newRS, oldRSs, podMap)) return this.syncRolloutStatus(allRSs, newRS, d, ctx);

    if (!newRS) {
      ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true, ctx));
      allRSs = [...oldRSs, newRS];
    }
    await this.scaleReplicaSetAndRecordEvent(newRS!, u.replicasOf(d), d, ctx);
    if (u.deploymentComplete(d, d.status)) await this.cleanupDeployment(oldRSs, d, ctx);
    return this.syncRolloutStatus(allRSs, newRS, d, ctx);
  }

  // ---- RollingUpdate ----

  protected async rolloutRolling(d: Obj, rsList: Obj[], ctx: SyncCtx): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true, ctx);
    const allRSs: (Obj | undefined)[] = [...oldRSs, newRS];

    if (await this.reconcileNewReplicaSet(allRSs, newRS!, d, ctx)) return this.syncRolloutStatus(allRSs, newRS, d, ctx);
    if (await this.reconcileOldReplicaSets(allRSs, u.filterActiveReplicaSets(oldRSs), newRS!, d, ctx)) return this.syncRolloutStatus(allRSs, newRS, d, ctx);
    if (u.deploymentComplete(d, d.status)) await this.cleanupDeployment(oldRSs, d, ctx);
    return this.syncRolloutStatus(allRSs, newRS, d, ctx);
  }

  protected async reconcileNewReplicaSet(allRSs: (Obj | undefined)[], newRS: Obj, d: Obj, ctx: SyncCtx): Promise<boolean> {
    const want = u.replicasOf(d);
    if (u.replicasOf(newRS) === want) return false;
    if (u.replicasOf(newRS) > want) return (await this.scaleReplicaSetAndRecordEvent(newRS, want, d, ctx))[0];
    const count = u.newRSNewReplicas(d, allRSs, newRS);
    return (await this.scaleReplicaSetAndRecordEvent(newRS, count, d, ctx))[0];
  }

  protected async reconcileOldReplicaSets(allRSs: (Obj | undefined)[], oldRSs: Obj[], newRS: Obj, d: Obj, ctx: SyncCtx): Promise<boolean> {
    if (u.sumSpecReplicas(oldRSs) === 0) return false;
    const allPods = u.sumSpecReplicas(allRSs);
    const minAvailable = u.replicasOf(d) - u.maxUnavailable(d);
    const newUnavailable = u.replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;

    // Unhealthy old replicas first: removing them costs no availability.
    let cleaned: { oldRSs: Obj[]; count: number };
    try {
      cleaned = await this.cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown, ctx);
    } catch (err) {
      this.log.warn(`cleaning up unhealthy replicas of ${metaNamespaceKey(d)}: ${errMsg(err)}`);
      return false;
    }
    let scaledDown = 0;
    try {
      scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate([...cleaned.oldRSs, newRS], cleaned.oldRSs, d, ctx);
    } catch (err) {
      this.log.warn(`scaling down old replica sets of ${metaNamespaceKey(d)}: ${errMsg(err)}`);
      return false;
    }
    return cleaned.count + scaledDown > 0;
  }

  protected async cleanupUnhealthyReplicas(oldRSs: Obj[], d: Obj, maxCleanup: number, ctx: SyncCtx): Promise<{ oldRSs: Obj[]; count: number }> {
    const rss = [...oldRSs].sort(u.byCreation);
    let total = 0;
    for (let i = 0; i < rss.length; i++) {
      if (total >= maxCleanup) break;
      const rs = rss[i];
      const replicas = u.replicasOf(rs);
      const available = rs.status?.availableReplicas ?? 0;
      if (replicas === 0 || replicas === available) continue;
      const n = Math.min(maxCleanup - total, replicas - available);
      const [, updated] = await this.scaleReplicaSetAndRecordEvent(rs, replicas - n, d, ctx);
      total += n;
      rss[i] = updated;
    }
    return { oldRSs: rss, count: total };
  }

  protected async scaleDownOldReplicaSetsForRollingUpdate(allRSs: Obj[], oldRSs: Obj[], d: Obj, ctx: SyncCtx): Promise<number> {
    const minAvailable = u.replicasOf(d) - u.maxUnavailable(d);
    const available = u.sumStatus(allRSs, 'availableReplicas');
    if (available <= minAvailable) return 0;
    const totalToScaleDown = available - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(u.byCreation)) {
      if (total >= totalToScaleDown) break;
      if (u.replicasOf(rs) === 0) continue;
      const n = Math.min(u.replicasOf(rs), totalToScaleDown - total);
      await this.scaleReplicaSetAndRecordEvent(rs, u.replicasOf(rs) - n, d, ctx);
      total += n;
    }
    return total;
  }

  // ---- history ----

  /** Deletes the oldest ReplicaSets at zero beyond revisionHistoryLimit. */
  protected async cleanupDeployment(oldRSs: Obj[], d: Obj, ctx: SyncCtx): Promise<void> {
    if (!u.hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => rs && !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - d.spec.revisionHistoryLimit;
    if (diff <= 0) return;
    cleanable.sort(u.byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i];
      // Only ReplicaSets with nothing running and their latest spec observed.
      if ((rs.status?.replicas ?? 0) !== 0 || u.replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata.deletionTimestamp) continue;
      try {
        await this.client.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name, { signal: ctx.signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  // ---- rollback through the deprecated annotation (extensions/v1beta1 rollbackTo) ----

  protected async rollback(d: Obj, rsList: Obj[], ctx: SyncCtx): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true, ctx);
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    let revision = rollbackTo(d)!;
    if (revision === 0) {
      revision = u.lastRevision(all);
      if (revision === 0) {
        this.o.recorder?.event(d, 'Warning', u.ROLLBACK_REVISION_NOT_FOUND, 'Unable to find last revision.');
        return this.updateDeploymentAndClearRollbackTo(d, ctx);
      }
    }
    for (const rs of all) {
      if (u.revisionOf(rs) !== revision) continue;
      if (!equalIgnoreHash(d.spec.template, rs.spec?.template)) {
        const t = clone(rs.spec.template);
        if (t.metadata?.labels) {
          delete t.metadata.labels[DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY];
          if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
        }
        d.spec.template = t;
        u.setDeploymentAnnotationsTo(d, rs);
        await this.updateDeploymentAndClearRollbackTo(d, ctx);
        this.o.recorder?.event(d, 'Normal', u.ROLLBACK_DONE, `Rolled back deployment "${d.metadata.name}" to revision ${revision}`);
        return;
      }
      this.o.recorder?.event(d, 'Warning', u.ROLLBACK_TEMPLATE_UNCHANGED, `The rollback revision contains the same template as current deployment "${d.metadata.name}"`);
      return this.updateDeploymentAndClearRollbackTo(d, ctx);
    }
    this.o.recorder?.event(d, 'Warning', u.ROLLBACK_REVISION_NOT_FOUND, 'Unable to find the revision to rollback to.');
    return this.updateDeploymentAndClearRollbackTo(d, ctx);
  }

  protected async updateDeploymentAndClearRollbackTo(d: Obj, ctx: SyncCtx): Promise<void> {
    delete d.metadata.annotations?.[u.DEPRECATED_ROLLBACK_TO];
    await this.client.update(DEPLOYMENTS, d.metadata.namespace, d, { signal: ctx.signal });
  }
}

export interface SyncCtx {
  signal?: AbortSignal;
}

export function rollbackTo(d: Obj): number | undefined {
  const v = d.metadata?.annotations?.[u.DEPRECATED_ROLLBACK_TO];
  if (!v || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** Recreate may only start new pods once no old pod is running (or could be). */
export function oldPodsRunning(newRS: Obj | undefined, oldRSs: Obj[], podMap: Map<string, Obj[]>): boolean {
  if (u.sumStatus(oldRSs, 'replicas') > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
