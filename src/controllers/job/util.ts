// Pure helpers of the Job controller: conditions, which pods count as failed, which finished
// pods are new since the last status, per-index failure bookkeeping (upstream
// job_controller.go, indexed_job_utils.go and pkg/controller/job/util).

import { nowRFC3339, type Obj } from '../../api/types.js';
import { isPodReady, isPodTerminal } from '../common/pods.js';
import { finishedTime } from './backoff.js';
import {
  Intervals, JOB_COMPLETION_INDEX, JOB_INDEX_FAILURE_COUNT, JOB_INDEX_IGNORED_FAILURE_COUNT, UNKNOWN_INDEX,
  completionIndex, indexAbsoluteFailureCount, indexFailureCount, indexIgnoredFailureCount, indexesOf, isIndexedJob,
} from './indexed.js';
import { matchPodFailurePolicy } from './policy.js';
import { hasJobTrackingFinalizer } from './tracking.js';

export const JOB_MANAGED_BY_CONTROLLER = 'kubernetes.io/job-controller';

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export function newCondition(type: string, status: JobCondition['status'], reason: string, message: string, now: number): JobCondition {
  const t = nowRFC3339(new Date(now));
  const c: JobCondition = { type, status, lastProbeTime: t, lastTransitionTime: t };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

export function findCondition(job: Obj, type: string): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c: Obj) => c.type === type);
}

function condIsTrue(job: Obj, type: string): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Complete or Failed is True (util.IsJobFinished). */
export function isJobFinished(job: Obj): boolean {
  return condIsTrue(job, 'Complete') || condIsTrue(job, 'Failed');
}

/**
 * Sets a condition's status/reason/message, appending it unless it would be a new False one.
 * Returns whether the list changed (ensureJobConditionStatus).
 */
export function ensureJobConditionStatus(job: Obj, type: string, status: JobCondition['status'], reason: string, message: string, now: number): boolean {
  job.status = job.status ?? {};
  const list: JobCondition[] = job.status.conditions ?? [];
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i];
    if (c.status === status && (c.reason ?? '') === reason && (c.message ?? '') === message) return false;
    list[i] = newCondition(type, status, reason, message, now);
    job.status.conditions = list;
    return true;
  }
  if (status === 'False') return false;
  job.status.conditions = [...list, newCondition(type, status, reason, message, now)];
  return true;
}

/** A SuccessCriteriaMet=True condition already recorded. */
export function successCriteriaMetCondition(job: Obj): JobCondition | undefined {
  const c = findCondition(job, 'SuccessCriteriaMet');
  return c?.status === 'True' ? c : undefined;
}

export function isSuccessCriteriaMet(c: JobCondition | undefined): boolean {
  return c?.type === 'SuccessCriteriaMet' && c.status === 'True';
}

export function jobSuspended(job: Obj): boolean {
  return job.spec?.suspend === true;
}

/** spec.managedBy names another controller: this one keeps its hands off. */
export function managedByExternalController(job: Obj): string | undefined {
  const m = job.spec?.managedBy;
  return typeof m === 'string' && m !== JOB_MANAGED_BY_CONTROLLER ? m : undefined;
}

/** Replacement pods only once the old ones are Failed (podReplacementPolicy Failed, or a podFailurePolicy). */
export function onlyReplaceFailedPods(job: Obj): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
}

/**
 * Failed, or (unless only failed pods are replaced) being deleted without having succeeded:
 * orphaned pods may never reach the Failed phase.
 */
export function isPodFailed(pod: Obj, job: Obj): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** Being deleted and not yet Succeeded/Failed. */
export function isPodTerminating(pod: Obj): boolean {
  return !isPodTerminal(pod) && !!pod.metadata?.deletionTimestamp;
}

export function countReady(pods: Obj[]): number {
  return pods.filter(isPodReady).length;
}

export interface Uncounted { succeeded: Set<string>; failed: Set<string> }

export function uncountedOf(job: Obj): Uncounted {
  const u = job.status?.uncountedTerminatedPods ?? {};
  return { succeeded: new Set(u.succeeded ?? []), failed: new Set(u.failed ?? []) };
}

/**
 * Pods still to be accounted for: with the tracking finalizer, not already in `uncounted`, no
 * finalizer removal pending, and (Indexed Jobs) with a valid index; then `filter`.
 */
export function validPods(job: Obj, pods: Obj[], expectedRm: Set<string>, uncounted: Set<string> | undefined, filter: (p: Obj) => boolean): Obj[] {
  const indexed = isIndexedJob(job);
  const completions = job.spec?.completions ?? 0;
  return pods.filter((p) => {
    const uid = p.metadata?.uid;
    if (!hasJobTrackingFinalizer(p) || uncounted?.has(uid) || expectedRm.has(uid)) return false;
    if (indexed) {
      const ix = completionIndex(p);
      if (ix === UNKNOWN_INDEX || ix >= completions) return false;
    }
    return filter(p);
  });
}

/** The failed pods whose failures count (a podFailurePolicy Ignore rule does not count). */
export function nonIgnoredFailedCount(job: Obj, failed: Obj[]): number {
  if (!job.spec?.podFailurePolicy) return failed.length;
  return failed.filter((p) => matchPodFailurePolicy(job.spec.podFailurePolicy, p).countFailed).length;
}

/** The first FailJob message of the podFailurePolicy among failed pods. */
export function failJobMessage(job: Obj, pods: Obj[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
    if (m.failJobMessage) return m.failJobMessage;
  }
  return undefined;
}

/** restartPolicy OnFailure: container restarts of running/pending pods reach backoffLimit. */
export function pastBackoffLimitOnFailure(job: Obj, pods: Obj[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += cs.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Previously recorded and now succeeded indexes (calculateSucceededIndexes). */
export function succeededIndexes(job: Obj, pods: Obj[]): { prev: Intervals; now: Intervals } {
  const completions = job.spec?.completions ?? 0;
  const prev = Intervals.parse(job.status?.completedIndexes, completions);
  const fresh = pods.filter((p) => p.status?.phase === 'Succeeded' && hasJobTrackingFinalizer(p) && completionIndex(p) !== UNKNOWN_INDEX && completionIndex(p) < completions);
  return { prev, now: prev.withIndexes(indexesOf(fresh)) };
}

/** An index whose pod failed and has no retries left (or a FailIndex rule matched). */
export function isIndexFailed(job: Obj, pod: Obj): boolean {
  let counted = false;
  if (isPodFailed(pod, job)) {
    if (job.spec?.podFailurePolicy) {
      const m = matchPodFailurePolicy(job.spec.podFailurePolicy, pod);
      if (m.action === 'FailIndex') return true;
      counted = m.countFailed;
    } else counted = true;
  }
  return counted && indexFailureCount(pod) >= job.spec.backoffLimitPerIndex;
}

export function failedIndexes(job: Obj, pods: Obj[]): Intervals {
  const completions = job.spec?.completions ?? 0;
  const prev = Intervals.parse(job.status?.failedIndexes ?? '', completions);
  const fresh = pods.filter((p) => {
    const ix = completionIndex(p);
    return ix !== UNKNOWN_INDEX && ix < completions && hasJobTrackingFinalizer(p) && isIndexFailed(job, p);
  });
  return prev.withIndexes(indexesOf(fresh));
}

/**
 * Per index, the failed pod whose deletion waits until its replacement exists, so the
 * replacement can inherit the index's failure count (backoffLimitPerIndex).
 */
export function podsWithDelayedDeletionPerIndex(job: Obj, pods: Obj[], active: Obj[], expectedRm: Set<string>, succeeded: Intervals, failed: Intervals | undefined): Map<number, Obj> {
  const activeIdx = new Set(indexesOf(active));
  const out = new Map<number, Obj>();
  for (const p of validPods(job, pods, expectedRm, undefined, (x) => isPodFailed(x, job))) {
    const ix = completionIndex(p);
    if (succeeded.has(ix) || failed?.has(ix) || activeIdx.has(ix)) continue;
    const prev = out.get(ix);
    if (!prev || (indexAbsoluteFailureCount(prev) <= indexAbsoluteFailureCount(p) && finishedTime(p) >= finishedTime(prev))) out.set(ix, p);
  }
  return out;
}

/** The failure-count annotations a replacement pod for an index gets. */
export function addIndexFailureCountAnnotations(template: Obj, job: Obj, replaced: Obj | undefined): void {
  let count = 0;
  let ignored = 0;
  if (replaced) {
    count = indexFailureCount(replaced);
    ignored = indexIgnoredFailureCount(replaced);
    if (job.spec?.podFailurePolicy && !matchPodFailurePolicy(job.spec.podFailurePolicy, replaced).countFailed) ignored++;
    else count++;
  }
  template.metadata = template.metadata ?? {};
  template.metadata.annotations = { ...(template.metadata.annotations ?? {}), [JOB_INDEX_FAILURE_COUNT]: String(count) };
  if (ignored > 0) template.metadata.annotations[JOB_INDEX_IGNORED_FAILURE_COUNT] = String(ignored);
}

/** The index annotation and label, and the stable hostname `<job>-<index>`. */
export function setCompletionIndex(template: Obj, jobName: string, index: number): void {
  template.metadata = template.metadata ?? {};
  template.metadata.annotations = { ...(template.metadata.annotations ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [JOB_COMPLETION_INDEX]: String(index) };
  template.spec = template.spec ?? {};
  template.spec.hostname = `${jobName}-${index}`;
}

/**
 * The status as the API serialises it: omitempty counters and lists dropped, the pointer
 * fields (ready, terminating, uncountedTerminatedPods) kept even when zero/empty.
 */
export function wireStatus(status: Obj): Obj {
  const s: Obj = { ...status };
  for (const k of ['active', 'succeeded', 'failed']) if (!s[k]) delete s[k];
  if (!s.completedIndexes) delete s.completedIndexes;
  if (Array.isArray(s.conditions) && s.conditions.length === 0) delete s.conditions;
  const u: Obj = { ...(s.uncountedTerminatedPods ?? {}) };
  for (const k of ['succeeded', 'failed']) if (!u[k]?.length) delete u[k];
  s.uncountedTerminatedPods = u;
  return s;
}
