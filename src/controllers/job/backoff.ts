// Exponential back-off before replacing failed pods (upstream backoff_utils.go): per Job, the
// number of failures since the last success and the time of the last one. The delay is
// 10 s doubled per further failure, capped (MaxJobPodFailureBackOff: 10 minutes since 1.28;
// older documentation says six). With backoffLimitPerIndex the same arithmetic runs per
// index, on the failure-count annotation of the index's last failed pod.

import type { Obj } from '../../api/types.js';
import { getCondition, parseTime } from '../common/pods.js';
import { indexAbsoluteFailureCount } from './indexed.js';

export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  key: string;
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/**
 * When the pod finished: its containers' latest finishedAt (all must have terminated; sidecar
 * init containers count), else the Ready=False transition, else deletionTimestamp minus the
 * grace period, else its creation.
 */
export function finishedTime(pod: Obj): number {
  const fromContainers = containersFinishTime(pod);
  if (fromContainers !== undefined) return fromContainers;
  const ready = getCondition(pod.status?.conditions, 'Ready');
  const readyFalse = ready?.status === 'False' ? parseTime(ready.lastTransitionTime) : undefined;
  if (readyFalse !== undefined) return readyFalse;
  const deleted = parseTime(pod.metadata?.deletionTimestamp);
  if (deleted !== undefined) return deleted - (pod.metadata?.deletionGracePeriodSeconds ?? 0) * 1000;
  return parseTime(pod.metadata?.creationTimestamp) ?? 0;
}

function containersFinishTime(pod: Obj): number | undefined {
  let latest: number | undefined;
  const consider = (statuses: Obj[] | undefined, only?: Set<string>): boolean => {
    for (const cs of statuses ?? []) {
      if (only && !only.has(cs.name)) continue;
      const t = parseTime(cs.state?.terminated?.finishedAt);
      if (t === undefined) return false;
      if (latest === undefined || t > latest) latest = t;
    }
    return true;
  };
  if (!consider(pod.status?.containerStatuses)) return undefined;
  const sidecars = new Set<string>((pod.spec?.initContainers ?? []).filter((c: Obj) => c.restartPolicy === 'Always').map((c: Obj) => c.name));
  if (!consider(pod.status?.initContainerStatuses, sidecars)) return undefined;
  return latest;
}

/** The delay still to wait after `failures` consecutive failures, the last at `lastFailure`. */
export function remainingTime(now: number, failures: number, lastFailure: number | undefined, base = DEFAULT_POD_FAILURE_BACKOFF_MS, max = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (failures === 0 || lastFailure === undefined) return 0;
  let backoff = base;
  for (let i = 1; i < failures; i++) {
    backoff *= 2;
    if (backoff >= max) {
      backoff = max;
      break;
    }
  }
  const elapsed = now - lastFailure;
  return backoff < elapsed ? 0 : backoff - elapsed;
}

/** The per-index delay before re-creating the pod of an index whose last pod failed. */
export function remainingTimePerIndex(now: number, lastFailedPod: Obj | undefined): number {
  if (!lastFailedPod) return 0;
  return remainingTime(now, indexAbsoluteFailureCount(lastFailedPod) + 1, finishedTime(lastFailedPod));
}

export class BackoffStore {
  private readonly records = new Map<string, BackoffRecord>();

  /** The record after counting newly finished pods (not stored until update()). */
  newRecord(key: string, newSucceeded: Obj[], newFailed: Obj[]): BackoffRecord {
    const old = this.records.get(key);
    const rec: BackoffRecord = { key, failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, lastFailureTime: old?.lastFailureTime };
    const ok = newSucceeded.map(finishedTime).sort((a, b) => a - b);
    const failed = newFailed.map(finishedTime).sort((a, b) => a - b);
    if (ok.length === 0) {
      if (failed.length === 0) return rec;
      rec.failuresAfterLastSuccess += failed.length;
      rec.lastFailureTime = failed[failed.length - 1];
      return rec;
    }
    rec.failuresAfterLastSuccess = 0;
    rec.lastFailureTime = undefined;
    // Only failures after the latest success count.
    const lastSuccess = ok[ok.length - 1];
    for (let i = failed.length - 1; i >= 0 && failed[i] > lastSuccess; i--) {
      if (rec.lastFailureTime === undefined) rec.lastFailureTime = failed[i];
      rec.failuresAfterLastSuccess++;
    }
    return rec;
  }

  update(rec: BackoffRecord): void {
    this.records.set(rec.key, { ...rec });
  }

  remove(key: string): void {
    this.records.delete(key);
  }

  get(key: string): BackoffRecord | undefined {
    return this.records.get(key);
  }
}
