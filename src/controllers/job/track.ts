// Counting finished pods exactly once and finishing the Job (upstream
// trackJobStatusAndRemoveFinalizers and friends): a finished pod's UID goes into
// status.uncountedTerminatedPods (written first), then its batch.kubernetes.io/job-tracking
// finalizer is removed, then it moves from the uncounted list to the succeeded/failed
// counters. Interim SuccessCriteriaMet/FailureTarget conditions are written before any
// finalizer goes; Complete/Failed only once nothing is uncounted or terminating.

import type { Obj } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import { errMsg } from '../../client/log.js';
import { JOBS, type JobDeps, type SyncCtx } from './context.js';
import { UNKNOWN_INDEX, completionIndex, hasBackoffLimitPerIndex, isIndexedJob, sortByCompletionIndex } from './indexed.js';
import { matchPodFailurePolicy } from './policy.js';
import { hasJobTrackingFinalizer, removeTrackingFinalizerPatch } from './tracking.js';
import {
  ensureJobConditionStatus, isPodFailed, isSuccessCriteriaMet, newCondition, successCriteriaMetCondition, wireStatus, type JobCondition,
} from './util.js';

/** Most UIDs kept in status.uncountedTerminatedPods (keeps the status under ~20 KB). */
export const MAX_UNCOUNTED_PODS = 500;

/**
 * Moves finished pods into uncountedTerminatedPods, removes their finalizers, moves them on to
 * the counters, and adds the terminal condition when everything is accounted for.
 */
export async function trackJobStatusAndRemoveFinalizers(d: JobDeps, ctx: SyncCtx, needsFlushIn: boolean, signal?: AbortSignal): Promise<void> {
  let needsFlush = needsFlushIn;
  const job = ctx.job;
  const indexed = isIndexedJob(job);
  const completions: number = job.spec?.completions ?? 0;
  const uncountedStatus: Obj = job.status.uncountedTerminatedPods;
  uncountedStatus.succeeded = [...(uncountedStatus.succeeded ?? [])];
  uncountedStatus.failed = [...(uncountedStatus.failed ?? [])];
  const newSucceededIndexes: number[] = [];
  const pods = indexed ? sortByCompletionIndex(ctx.pods) : ctx.pods;
  const withFinalizer = new Set<string>();
  for (const p of pods) if (hasJobTrackingFinalizer(p) && !ctx.expectedRmFinalizers.has(p.metadata.uid)) withFinalizer.add(p.metadata.uid);

  if (cleanUncountedPodsWithoutFinalizers(job.status, withFinalizer)) needsFlush = true;
  const podsToRemoveFinalizer: Obj[] = [];
  let reachedMax = false;
  for (const pod of pods) {
    const uid: string = pod.metadata.uid;
    if (!hasJobTrackingFinalizer(pod) || ctx.expectedRmFinalizers.has(uid)) continue; // counted before
    const failed = isPodFailed(pod, job);
    if (!canRemoveFinalizer(ctx, pod, failed)) continue;
    podsToRemoveFinalizer.push(pod);
    if (pod.status?.phase === 'Succeeded' && !ctx.uncounted.failed.has(uid)) {
      if (indexed) {
        // The index is enough to never count a success twice.
        const ix = completionIndex(pod);
        if (ix !== UNKNOWN_INDEX && ix < completions && !ctx.prevSucceededIndexes.has(ix)) {
          newSucceededIndexes.push(ix);
          needsFlush = true;
        }
      } else if (!ctx.uncounted.succeeded.has(uid)) {
        needsFlush = true;
        uncountedStatus.succeeded.push(uid);
      }
    } else if (failed || (ctx.finished && !isSuccessCriteriaMet(ctx.finished))) {
      // Once the Job has failed, every pod that did not succeed counts as failed.
      const ix = completionIndex(pod);
      if (!ctx.uncounted.failed.has(uid) && (!indexed || (ix !== UNKNOWN_INDEX && ix < completions))) {
        if (!job.spec?.podFailurePolicy || matchPodFailurePolicy(job.spec.podFailurePolicy, pod).countFailed) {
          needsFlush = true;
          uncountedStatus.failed.push(uid);
        }
      }
    }
    if (newSucceededIndexes.length + uncountedStatus.succeeded.length + uncountedStatus.failed.length >= MAX_UNCOUNTED_PODS) {
      // Enough for one status: the rest waits for the next sync, which the updates trigger.
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    ctx.succeededIndexes = ctx.succeededIndexes.withIndexes([...new Set(newSucceededIndexes)].sort((a, b) => a - b));
    const s = ctx.succeededIndexes.toString();
    if (s !== (job.status.completedIndexes ?? '')) needsFlush = true;
    job.status.succeeded = ctx.succeededIndexes.total();
    job.status.completedIndexes = s;
    const f = ctx.failedIndexes?.toString();
    if (f !== job.status.failedIndexes) {
      if (f === undefined) delete job.status.failedIndexes;
      else job.status.failedIndexes = f;
      needsFlush = true;
    }
  }
  const now = d.now();
  if (ctx.finished?.type === 'FailureTarget') {
    // Record why before any finalizer goes; the terminal Failed condition follows.
    job.status.conditions = [...(job.status.conditions ?? []), ctx.finished];
    needsFlush = true;
    ctx.finished = newCondition('Failed', 'True', ctx.finished.reason ?? '', ctx.finished.message ?? '', now);
  }
  if (isSuccessCriteriaMet(ctx.finished)) {
    if (!successCriteriaMetCondition(job)) {
      job.status.conditions = [...(job.status.conditions ?? []), ctx.finished];
      needsFlush = true;
    }
    ctx.finished = newCondition('Complete', 'True', ctx.finished!.reason ?? '', ctx.finished!.message ?? '', now);
  }
  needsFlush = await flushUncountedAndRemoveFinalizers(d, ctx, podsToRemoveFinalizer, withFinalizer, needsFlush, signal);
  const finished = !reachedMax && enactJobFinished(ctx);
  if (finished) needsFlush = true;
  if (needsFlush) {
    try {
      ctx.job = await updateJobStatus(d, ctx.job, signal);
    } catch (err) {
      throw new Error(`removing uncounted pods from status: ${errMsg(err)}`, { cause: err });
    }
    if (finished) recordJobFinished(d, ctx.job, ctx.finished!);
  }
}

/**
 * A pod's finalizer may go when the Job is being deleted or done, when it succeeded, or when
 * it failed — unless its index still needs it to pass the failure count on.
 */
function canRemoveFinalizer(ctx: SyncCtx, pod: Obj, failed: boolean): boolean {
  if (ctx.job.metadata.deletionTimestamp || ctx.finished || pod.status?.phase === 'Succeeded') return true;
  if (!failed) return false;
  if (hasBackoffLimitPerIndex(ctx.job)) {
    const ix = completionIndex(pod);
    if (ix !== UNKNOWN_INDEX && ctx.delayedDeletion.get(ix)?.metadata.uid === pod.metadata.uid) return false;
  }
  return true;
}

/**
 * Writes the uncounted UIDs (and interim conditions), removes the finalizers, and moves the
 * pods whose finalizer is gone to the counters. Returns whether a status write is pending.
 */
async function flushUncountedAndRemoveFinalizers(d: JobDeps, ctx: SyncCtx, pods: Obj[], withFinalizer: Set<string>, needsFlushIn: boolean, signal?: AbortSignal): Promise<boolean> {
  let needsFlush = needsFlushIn;
  if (needsFlush) {
    try {
      ctx.job = await updateJobStatus(d, ctx.job, signal);
    } catch (err) {
      throw new Error(`adding uncounted pods to status: ${errMsg(err)}`, { cause: err });
    }
    d.backoff.update(ctx.newBackoffRecord);
    needsFlush = false;
  }
  let rmErr: unknown;
  if (pods.length > 0) {
    d.finalizerExpectations.expectFinalizersRemoved(ctx.key, pods.map((p) => p.metadata.uid));
    await Promise.all(pods.map(async (pod) => {
      const patch = removeTrackingFinalizerPatch(pod);
      if (!patch) return;
      try {
        await d.podControl.patchPod(pod.metadata.namespace, pod.metadata.name, patch as Obj, signal);
      } catch (err) {
        // No update will show the finalizer gone: stop expecting one.
        d.finalizerExpectations.finalizerRemovalObserved(ctx.key, pod.metadata.uid);
        if (!isNotFound(err)) {
          rmErr ??= new Error(`removing tracking finalizer: ${errMsg(err)}`, { cause: err });
          return;
        }
      }
      withFinalizer.delete(pod.metadata.uid);
    }));
  }
  ctx.job.status = ctx.job.status ?? {};
  ctx.job.status.uncountedTerminatedPods = ctx.job.status.uncountedTerminatedPods ?? {};
  if (cleanUncountedPodsWithoutFinalizers(ctx.job.status, withFinalizer)) needsFlush = true;
  if (rmErr && needsFlush) {
    // Save the partial progress before failing the sync.
    ctx.job = await updateJobStatus(d, ctx.job, signal);
  }
  if (rmErr) throw rmErr;
  return needsFlush;
}

/** Adds Complete/Failed once nothing is uncounted or terminating. */
function enactJobFinished(ctx: SyncCtx): boolean {
  const cond = ctx.finished;
  if (!cond) return false;
  const job = ctx.job;
  const u = job.status?.uncountedTerminatedPods;
  if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
  if (ctx.terminating > 0) return false;
  const now = Date.parse(cond.lastTransitionTime);
  ensureJobConditionStatus(job, cond.type, cond.status, cond.reason ?? '', cond.message ?? '', now);
  if (cond.type === 'Complete') job.status.completionTime = cond.lastTransitionTime;
  return true;
}

function recordJobFinished(d: JobDeps, job: Obj, cond: JobCondition): void {
  if (cond.type === 'Complete') {
    if (typeof job.spec?.completions === 'number' && (job.status?.succeeded ?? 0) > job.spec.completions) {
      d.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
    }
    d.recorder.event(job, 'Normal', 'Completed', 'Job completed');
  } else {
    d.recorder.event(job, 'Warning', cond.reason ?? '', cond.message ?? '');
  }
}

export async function updateJobStatus(d: JobDeps, job: Obj, signal?: AbortSignal): Promise<Obj> {
  const body = { ...job, status: wireStatus(job.status ?? {}) };
  const updated = await d.client.updateStatus(JOBS, job.metadata.namespace, body, { signal });
  updated.status = updated.status ?? {};
  updated.status.uncountedTerminatedPods = updated.status.uncountedTerminatedPods ?? {};
  return updated;
}

/**
 * Moves UIDs whose pods no longer carry the finalizer from uncountedTerminatedPods to the
 * succeeded/failed counters. Returns whether anything changed.
 */
function cleanUncountedPodsWithoutFinalizers(status: Obj, withFinalizer: Set<string>): boolean {
  let updated = false;
  const u: Obj = status.uncountedTerminatedPods;
  for (const [list, counter] of [['succeeded', 'succeeded'], ['failed', 'failed']] as const) {
    const cur: string[] = u[list] ?? [];
    const keep = cur.filter((uid) => withFinalizer.has(uid));
    if (keep.length !== cur.length) {
      updated = true;
      status[counter] = (status[counter] ?? 0) + cur.length - keep.length;
      u[list] = keep;
    }
  }
  return updated;
}
