// Creating and deleting a Job's pods (upstream manageJob and its helpers): towards
// min(parallelism, remaining completions) active pods, deletions before creations, slow-start
// batches of creations with expectations, the exponential back-off after failures (per index
// with backoffLimitPerIndex), one pod per pending index for Indexed Jobs.

import { clone, type Obj } from '../../api/types.js';
import { NAMESPACE_TERMINATING_CAUSE, hasStatusCause, isNotFound } from '../../client/errors.js';
import { errMsg } from '../../client/log.js';
import { KIND_JOB, newControllerRef } from '../common/ownerref.js';
import { BURST_REPLICAS, SLOW_START_INITIAL_BATCH_SIZE } from '../common/podcontrol.js';
import { activePodsLess, byLess, isPodReady } from '../common/pods.js';
import { remainingTime, remainingTimePerIndex } from './backoff.js';
import type { JobDeps, SyncCtx } from './context.js';
import {
  UNKNOWN_INDEX, addCompletionIndexEnv, duplicatedIndexPodsForRemoval, firstPendingIndexes, hasBackoffLimitPerIndex, indexesOf,
  isIndexedJob, podGenerateNameWithIndex,
} from './indexed.js';
import { JOB_TRACKING_FINALIZER, removeTrackingFinalizerPatch } from './tracking.js';
import { addIndexFailureCountAnnotations, isPodTerminating, jobSuspended, onlyReplaceFailedPods, setCompletionIndex } from './util.js';

/** Most pod creations or deletions per sync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = BURST_REPLICAS;

/** DELETE calls for active pods (finalizers kept). Counts NotFound as deleted. */
export async function deleteActivePods(d: JobDeps, job: Obj, pods: Obj[]): Promise<{ deleted: number; deletedReady: number; err?: unknown }> {
  let deleted = pods.length;
  let deletedReady = 0;
  let err: unknown;
  await Promise.all(pods.map(async (pod) => {
    try {
      await d.podControl.deletePod(job.metadata.namespace, pod.metadata.name, job);
    } catch (e) {
      if (!isNotFound(e)) {
        deleted--;
        err ??= e;
      }
    }
    if (isPodReady(pod)) deletedReady++;
  }));
  return { deleted, deletedReady, err };
}

/** Removes the finalizer, then deletes, each pod (excess or suspended pods). */
async function deleteJobPods(d: JobDeps, job: Obj, key: string, pods: Obj[], signal?: AbortSignal): Promise<{ removed: number; removedReady: number; err?: unknown }> {
  let removed = pods.length;
  let removedReady = 0;
  let err: unknown;
  const fail = (e: unknown): void => {
    // The informer will not see this deletion.
    d.expectations.deletionObserved(key);
    if (!isNotFound(e)) {
      removed--;
      err ??= e;
    }
  };
  await Promise.all(pods.map(async (pod) => {
    const patch = removeTrackingFinalizerPatch(pod);
    if (patch) {
      try {
        await d.podControl.patchPod(pod.metadata.namespace, pod.metadata.name, patch as Obj, signal);
      } catch (e) {
        fail(isNotFound(e) ? e : new Error(`removing completion finalizer: ${errMsg(e)}`, { cause: e }));
        return;
      }
    }
    try {
      await d.podControl.deletePod(job.metadata.namespace, pod.metadata.name, job);
    } catch (e) {
      fail(e);
    }
    if (isPodReady(pod)) removedReady++;
  }));
  return { removed, removedReady, err };
}

/** Pods to delete: repeated/invalid indexes first, then the cheapest per ActivePods order. */
function activePodsForRemoval(job: Obj, pods: Obj[], rmAtLeast: number): Obj[] {
  let rm: Obj[] = [];
  let left = pods;
  if (isIndexedJob(job)) ({ rm, left } = duplicatedIndexPodsForRemoval(pods, job.spec.completions));
  if (rm.length < rmAtLeast) rm = [...rm, ...[...left].sort(byLess(activePodsLess)).slice(0, rmAtLeast - rm.length)];
  return rm;
}

/** Creates/deletes pods towards the wanted number of active ones; returns the new active count. */
export async function manageJob(d: JobDeps, job: Obj, ctx: SyncCtx, signal?: AbortSignal): Promise<{ active: number; err?: unknown }> {
  const key = ctx.key;
  let active = ctx.activePods.length;
  const parallelism: number = job.spec?.parallelism ?? 1;

  if (jobSuspended(job)) {
    const toDelete = activePodsForRemoval(job, ctx.activePods, active);
    d.expectations.expectDeletions(key, toDelete.length);
    const r = await deleteJobPods(d, job, key, toDelete, signal);
    ctx.terminating += r.removed;
    ctx.ready -= r.removedReady;
    return { active: active - r.removed, err: r.err };
  }

  const completions = job.spec?.completions;
  let wantActive: number;
  if (typeof completions !== 'number') {
    // Without completions: parallelism pods until one succeeds, then let the rest finish.
    wantActive = ctx.succeeded > 0 ? active : parallelism;
  } else {
    wantActive = Math.max(0, Math.min(completions - ctx.succeeded, parallelism));
  }

  const rmAtLeast = Math.max(0, active - wantActive);
  const toDelete = activePodsForRemoval(job, ctx.activePods, rmAtLeast).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (toDelete.length > 0) {
    // Deletions and creations never mix in one sync; deletions win.
    d.expectations.expectDeletions(key, toDelete.length);
    const r = await deleteJobPods(d, job, key, toDelete, signal);
    ctx.terminating += r.removed;
    ctx.ready -= r.removedReady;
    return { active: active - r.removed, err: r.err };
  }

  const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
  let diff = wantActive - terminating - active;
  if (diff <= 0) return { active };

  const now = d.now();
  if (!hasBackoffLimitPerIndex(job)) {
    const wait = remainingTime(now, ctx.newBackoffRecord.failuresAfterLastSuccess, ctx.newBackoffRecord.lastFailureTime);
    if (wait > 0) {
      // Upstream returns 0 here, briefly reporting status.active 0 while pods still run;
      // the pods that are active are reported instead.
      d.enqueueAfter(job, wait);
      return { active };
    }
  }
  diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);

  let indexes: number[] = [];
  if (isIndexedJob(job)) {
    let nonPending = ctx.succeededIndexes.withIndexes(indexesOf(ctx.activePods));
    if (onlyReplaceFailedPods(job)) nonPending = nonPending.withIndexes(indexesOf(ctx.pods.filter(isPodTerminating)));
    if (ctx.failedIndexes) nonPending = nonPending.merge(ctx.failedIndexes);
    indexes = firstPendingIndexes(nonPending, diff, completions);
    if (hasBackoffLimitPerIndex(job)) {
      // Each index backs off on its own: create only the indexes whose delay is over.
      const ready: number[] = [];
      let minWait: number | undefined;
      for (const ix of indexes) {
        const w = remainingTimePerIndex(now, ctx.delayedDeletion.get(ix));
        if (w === 0) ready.push(ix);
        else if (minWait === undefined || w < minWait) minWait = w;
      }
      if (ready.length === 0 && minWait !== undefined && minWait > 0) {
        d.enqueueAfter(job, minWait);
        return { active };
      }
      indexes = ready;
    }
    diff = indexes.length;
  }
  if (diff <= 0) return { active };

  d.expectations.expectCreations(key, diff);
  active += diff;
  const template = clone(job.spec.template ?? {});
  template.metadata = template.metadata ?? {};
  template.spec = template.spec ?? {};
  if (isIndexedJob(job)) addCompletionIndexEnv(template.spec);
  const fins: string[] = template.metadata.finalizers ?? [];
  if (!fins.includes(JOB_TRACKING_FINALIZER)) template.metadata.finalizers = [...fins, JOB_TRACKING_FINALIZER];
  const controllerRef = newControllerRef(job, KIND_JOB);

  // Slow start: batches of 1, 2, 4, ... so a template the API refuses fails fast and once.
  let firstErr: unknown;
  let errors = 0;
  for (let batch = Math.min(diff, SLOW_START_INITIAL_BATCH_SIZE); diff > 0; batch = Math.min(2 * batch, diff)) {
    const errorsBefore = errors;
    await Promise.all(Array.from({ length: batch }, async () => {
      const ix = indexes.length ? indexes.shift()! : UNKNOWN_INDEX;
      let tpl = template;
      let generateName: string | undefined;
      if (ix !== UNKNOWN_INDEX) {
        tpl = clone(template);
        setCompletionIndex(tpl, job.metadata.name, ix);
        generateName = podGenerateNameWithIndex(job.metadata.name, ix);
        if (hasBackoffLimitPerIndex(job)) addIndexFailureCountAnnotations(tpl, job, ctx.delayedDeletion.get(ix));
      }
      try {
        await d.podControl.createPods(job.metadata.namespace, tpl, job, controllerRef, { generateName, signal });
      } catch (err) {
        // A terminating namespace refuses every create: nothing to count or retry.
        if (hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) return;
        d.expectations.creationObserved(key);
        active--;
        errors++;
        firstErr ??= err;
      }
    }));
    const skipped = diff - batch;
    if (errors > errorsBefore && skipped > 0) {
      // Not attempted: not expected either; the next sync tries again.
      active -= skipped;
      for (let i = 0; i < skipped; i++) d.expectations.creationObserved(key);
      break;
    }
    diff -= batch;
  }
  return { active, err: firstErr };
}
