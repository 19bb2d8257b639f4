// The StatefulSet update loop (upstream stateful_set_control.go defaultStatefulSetControl):
//  1. revisions: the update revision is the current template (an equal older revision is
//     renumbered to be the newest: a rollback), the current revision is status.currentRevision;
//  2. replicas [start, start+replicas) are created where missing, at the revision the
//     partition asks for; with OrderedReady each must be Running, Ready and Available before
//     the next is touched, with Parallel they are created in slow-start batches;
//  3. failed/succeeded replicas are deleted (and recreated next sync); identity, storage and
//     claim ownership are repaired;
//  4. condemned pods (ordinals out of range) are deleted from the highest ordinal down;
//  5. RollingUpdate deletes the highest-ordinal pod at or above the partition that is not at
//     the update revision, one at a time, waiting for each to be healthy again;
//  6. status is written when it changed; unused old revisions beyond revisionHistoryLimit go.

import { clone, type Obj } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/interface.js';
import type { Logger } from '../../client/log.js';
import { labelSelectorMatcher } from '../../client/selector.js';
import { AggregateError_, KIND_STATEFULSET, getControllerOf } from '../common/ownerref.js';
import { slowStartBatch } from '../common/podcontrol.js';
import {
  applyRevision, equalRevision, findEqualRevisions, nextRevision, retryOnConflict, revisionsToTruncate, sortControllerRevisions,
  type History,
} from '../history/history.js';
import type { StatefulPodControl } from './podcontrol.js';
import {
  STATEFULSETS, allowsBurst, completeRollingUpdate, getEndOrdinal, getOrdinal, getPodRevision, getStartOrdinal,
  identityMatches, inconsistentStatus, isCreated, isFailed, isHealthy, isPending, isRunningAndAvailable, isRunningAndReady,
  isSucceeded, isTerminating, newRevision, newVersionedStatefulSetPod, podInOrdinalRange, storageMatches,
} from './utils.js';

export interface StatefulSetControlOptions {
  client: KubeClient;
  sets: Informer;
  history: History;
  podControl: StatefulPodControl;
  now: () => number;
  log: Logger;
  signal?: () => AbortSignal | undefined;
}

interface Revisions { current: Obj; update: Obj; collisionCount: number }

export class StatefulSetControl {
  constructor(private readonly o: StatefulSetControlOptions) {}

  private get signal(): AbortSignal | undefined {
    return this.o.signal?.();
  }

  listRevisions(set: Obj): Obj[] {
    return this.o.history.list(set, labelSelectorMatcher(set.spec?.selector));
  }

  /** Adopts revisions matching the selector that nobody controls. */
  async adoptOrphanRevisions(set: Obj, canAdopt: () => Promise<void>): Promise<void> {
    const orphans = this.listRevisions(set).filter((r) => !getControllerOf(r));
    if (orphans.length === 0) return;
    try {
      await canAdopt();
    } catch (err) {
      throw new Error(`can't adopt ControllerRevisions: ${(err as Error).message}`);
    }
    for (const r of orphans) await this.o.history.adopt(set, KIND_STATEFULSET, r);
  }

  /** UpdateStatefulSet: one pass of the loop; returns the status computed (when one was). */
  async updateStatefulSet(setIn: Obj, pods: Obj[]): Promise<Obj | undefined> {
    const set = clone(setIn);
    const revisions = sortControllerRevisions(this.listRevisions(set));
    const r = await this.performUpdate(set, pods, revisions);
    const errs: Error[] = r.err ? (r.err instanceof AggregateError_ ? [...r.err.errors] : [r.err as Error]) : [];
    try {
      await this.truncateHistory(set, pods, revisions, r.revisions?.current, r.revisions?.update);
    } catch (err) {
      errs.push(err as Error);
    }
    if (errs.length) throw errs.length === 1 ? errs[0] : new AggregateError_(errs);
    return r.status;
  }

  private async performUpdate(set: Obj, pods: Obj[], revisions: Obj[]): Promise<{ revisions?: Revisions; status?: Obj; err?: unknown }> {
    let revs: Revisions;
    try {
      revs = await this.getStatefulSetRevisions(set, revisions);
    } catch (err) {
      return { err };
    }
    const { status, err } = await this.updateReplicas(set, revs, pods);
    if (!status) return { revisions: revs, err };
    let statusErr: unknown;
    try {
      await this.updateStatefulSetStatus(set, status);
    } catch (e) {
      statusErr = e;
    }
    if (err && statusErr) this.o.log.warn(`could not update status of StatefulSet ${set.metadata.namespace}/${set.metadata.name}: ${(statusErr as Error).message}`);
    return { revisions: revs, status, err: err ?? statusErr };
  }

  /** getStatefulSetRevisions: finds or creates the update revision; the current one from status. */
  async getStatefulSetRevisions(set: Obj, revisions: Obj[]): Promise<Revisions> {
    sortControllerRevisions(revisions);
    let collisionCount = Number(set.status?.collisionCount ?? 0);
    let update = newRevision(set, nextRevision(revisions), collisionCount);
    const equal = findEqualRevisions(revisions, update);
    if (equal.length > 0 && equalRevision(revisions[revisions.length - 1], equal[equal.length - 1])) {
      // The newest revision is the template: nothing changed.
      update = revisions[revisions.length - 1];
    } else if (equal.length > 0) {
      // An older revision is the template again (a rollback): make it the newest.
      update = await this.o.history.updateRevision(equal[equal.length - 1], update.revision);
    } else {
      const created = await this.o.history.create(set, update, collisionCount);
      update = created.revision;
      collisionCount = created.collisionCount;
    }
    const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** Counts of one list of pods (computeReplicaStatus). */
  private countInto(status: Obj, pods: Obj[], minReadySeconds: number, revs: Revisions): void {
    const now = this.o.now();
    for (const pod of pods) {
      if (isCreated(pod)) status.replicas++;
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(pod, minReadySeconds, now)) status.availableReplicas++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const rev = getPodRevision(pod);
        if (rev === revs.current.metadata.name) status.currentReplicas++;
        if (rev === revs.update.metadata.name) status.updatedReplicas++;
      }
    }
  }

  private recount(status: Obj, set: Obj, revs: Revisions, ...lists: Obj[][]): void {
    status.replicas = 0;
    status.readyReplicas = 0;
    status.availableReplicas = 0;
    status.currentReplicas = 0;
    status.updatedReplicas = 0;
    for (const l of lists) this.countInto(status, l, Number(set.spec?.minReadySeconds ?? 0), revs);
  }

  /** updateStatefulSet: brings the pods to the target state; returns the status (and the error, if any). */
  private async updateReplicas(set: Obj, revs: Revisions, pods: Obj[]): Promise<{ status?: Obj; err?: unknown }> {
    let currentSet: Obj;
    let updateSet: Obj;
    try {
      currentSet = applyRevision(set, revs.current);
      updateSet = applyRevision(set, revs.update);
    } catch (err) {
      return { err };
    }
    const status: Obj = {
      observedGeneration: set.metadata?.generation,
      currentRevision: revs.current.metadata.name,
      updateRevision: revs.update.metadata.name,
      collisionCount: revs.collisionCount,
    };
    this.recount(status, set, revs, pods);

    const start = getStartOrdinal(set);
    const end = getEndOrdinal(set);
    const replicaCount = Number(set.spec?.replicas ?? 1);
    const replicas: Obj[] = new Array(Math.max(0, replicaCount));
    const condemned: Obj[] = [];
    for (const pod of pods) {
      if (podInOrdinalRange(pod, set)) replicas[getOrdinal(pod) - start] = pod;
      else if (getOrdinal(pod) >= 0) condemned.push(pod);
      // Pods whose ordinal cannot be parsed are ignored.
    }
    for (let ord = start; ord <= end; ord++) {
      if (!replicas[ord - start]) replicas[ord - start] = newVersionedStatefulSetPod(currentSet, updateSet, revs.current.metadata.name, revs.update.metadata.name, ord);
    }
    condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));

    let firstUnhealthy: Obj | undefined;
    for (const p of replicas) if (!isHealthy(p)) { firstUnhealthy = p; break; }
    if (!firstUnhealthy) {
      for (let i = condemned.length - 1; i >= 0; i--) if (!isHealthy(condemned[i])) { firstUnhealthy = condemned[i]; break; }
    }

    // A StatefulSet being deleted only gets its status updated.
    if (set.metadata?.deletionTimestamp) return { status };

    const monotonic = !allowsBurst(set);
    const finish = (err?: unknown): { status: Obj; err?: unknown } => {
      this.recount(status, set, revs, replicas, condemned);
      return { status, err };
    };

    try {
      if (await this.runForAll(replicas, (i) => this.processReplica(set, updateSet, monotonic, replicas, i), monotonic)) return finish();
      // Condemned pods' claims get the owners the policy wants before the pods go.
      const fixClaim = async (i: number): Promise<boolean> => {
        if (!this.o.podControl.claimsMatchRetentionPolicy(updateSet, condemned[i])) await this.o.podControl.updatePodClaimForRetentionPolicy(updateSet, condemned[i]);
        return false;
      };
      if (await this.runForAll(condemned, fixClaim, monotonic)) return finish();
      // Every replica is Running, Ready and Available (in order): scale down from the top.
      if (await this.runForAll(condemned, (i) => this.processCondemned(set, firstUnhealthy, monotonic, condemned, i), monotonic)) return finish();
    } catch (err) {
      return finish(err);
    }
    this.recount(status, set, revs, replicas, condemned);

    // OnDelete: pods are updated when someone deletes them.
    if (set.spec?.updateStrategy?.type === 'OnDelete') return { status };

    const updateMin = Number(set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
    // Replace the highest-ordinal pod not at the update revision; one at a time.
    for (let target = replicas.length - 1; target >= updateMin; target--) {
      const pod = replicas[target];
      if (getPodRevision(pod) !== revs.update.metadata.name && !isTerminating(pod)) {
        this.o.log.info(`StatefulSet ${set.metadata.namespace}/${set.metadata.name}: terminating pod ${pod.metadata.name} for update`);
        try {
          await this.o.podControl.deleteStatefulPod(set, pod);
        } catch (err) {
          if (!isNotFound(err)) return { status, err };
        }
        status.currentReplicas--;
        return { status };
      }
      // Wait for the updated pod to be healthy before touching the next one.
      if (!isHealthy(pod)) return { status };
    }
    return { status };
  }

  /** runForAll: in order, stopping at the first pod that blocks; or all at once in slow-start batches. */
  private async runForAll(pods: Obj[], fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
    if (monotonic) {
      for (let i = 0; i < pods.length; i++) if (await fn(i)) return true;
      return false;
    }
    const errs: Error[] = [];
    let next = 0;
    await slowStartBatch(pods.length, 1, async () => {
      const i = next++;
      try {
        await fn(i);
      } catch (err) {
        errs.push(err as Error);
        throw err;
      }
    });
    if (errs.length) throw errs.length === 1 ? errs[0] : new AggregateError_(errs);
    return false;
  }

  /** processReplica: returns true when the loop must stop here (monotonic) or the pod was replaced. */
  private async processReplica(set: Obj, updateSet: Obj, monotonic: boolean, replicas: Obj[], i: number): Promise<boolean> {
    const pod = replicas[i];
    // Failed and Succeeded pods are restarted whatever the exit code (evictions, node reboots).
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!pod.metadata?.deletionTimestamp) await this.o.podControl.deleteStatefulPod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      // A claim still owned by a previous pod of this name is about to be collected: wait.
      if (this.o.podControl.podClaimIsStale(set, pod)) return true;
      await this.o.podControl.createStatefulPod(set, pod);
      if (monotonic) return true;
    }
    if (isPending(pod)) await this.o.podControl.createMissingPersistentVolumeClaims(set, pod);
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isRunningAndAvailable(pod, Number(set.spec?.minReadySeconds ?? 0), this.o.now()) && monotonic) return true;

    // Enforce the invariants on pods that exist.
    let retentionMatch = true;
    try {
      retentionMatch = this.o.podControl.claimsMatchRetentionPolicy(updateSet, pod);
    } catch {
      retentionMatch = true;
    }
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatch) return false;
    await this.o.podControl.updateStatefulPod(updateSet, pod);
    return false;
  }

  /** processCondemned: deletes one pod beyond the replica range, from the highest ordinal down. */
  private async processCondemned(set: Obj, firstUnhealthy: Obj | undefined, monotonic: boolean, condemned: Obj[], i: number): Promise<boolean> {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic; // wait for it to go before the next one
    if (monotonic && pod !== firstUnhealthy) {
      if (!isRunningAndReady(pod)) return true;
      if (!isRunningAndAvailable(pod, Number(set.spec?.minReadySeconds ?? 0), this.o.now())) return true;
    }
    this.o.log.info(`StatefulSet ${set.metadata.namespace}/${set.metadata.name}: terminating pod ${pod.metadata.name} for scale down`);
    await this.o.podControl.deleteStatefulPod(set, pod);
    return true;
  }

  /** Completes a finished rolling update and writes the status when it differs. */
  private async updateStatefulSetStatus(set: Obj, status: Obj): Promise<void> {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return;
    let cur = clone(set);
    await retryOnConflict(async () => {
      cur.status = clone(status);
      try {
        await this.o.client.updateStatus(STATEFULSETS, cur.metadata.namespace, cur, { signal: this.signal });
      } catch (err) {
        const cached = this.o.sets.store.get(cur.metadata.namespace, cur.metadata.name);
        if (cached) cur = clone(cached);
        throw err;
      }
    }, { steps: 5, delayMs: 10, factor: 1, signal: this.signal });
  }

  /**
   * truncateHistory: revisions not current, not the update one and not carried by a pod are
   * deleted oldest first until revisionHistoryLimit remain.
   */
  private async truncateHistory(set: Obj, pods: Obj[], sorted: Obj[], current?: Obj, update?: Obj): Promise<void> {
    const live = new Set<string>();
    if (current) live.add(current.metadata.name);
    if (update) live.add(update.metadata.name);
    for (const p of pods) live.add(getPodRevision(p));
    const isLive = (r: Obj): boolean => live.has(r.metadata.name);
    const nonLive = sorted.filter((r) => !isLive(r)).length;
    const limit = Number(set.spec?.revisionHistoryLimit ?? 10);
    for (const r of revisionsToTruncate(sorted, isLive, nonLive - limit)) await this.o.history.delete(r);
  }
}
