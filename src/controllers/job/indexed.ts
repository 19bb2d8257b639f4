// Indexed Jobs (completionMode: Indexed): each pod carries its completion index in the
// batch.kubernetes.io/job-completion-index annotation (and label), and the Job's
// status.completedIndexes / status.failedIndexes are compressed interval lists such as
// "1,3-5,7". Upstream's orderedIntervals and the index helpers (indexed_job_utils.go).

import type { Obj } from '../../api/types.js';
import { activePodsLess, byLess } from '../common/pods.js';

export const JOB_COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
export const JOB_INDEX_FAILURE_COUNT = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** No (valid) completion index. */
export const UNKNOWN_INDEX = -1;
/** names.MaxGeneratedNameLength: 63 minus the 5 random characters. */
const MAX_GENERATED_NAME_LENGTH = 58;

export interface Interval { first: number; last: number }

/** Sorted, non-overlapping, non-adjacent intervals of indexes. */
export class Intervals {
  constructor(readonly list: Interval[] = []) {}

  static parse(s: string | undefined, completions: number): Intervals {
    if (!s) return new Intervals();
    const out: Interval[] = [];
    for (const part of s.split(',')) {
      const [a, b] = part.split('-');
      const first = atoi(a);
      if (first === undefined) continue; // corrupted: ignored, as upstream
      if (first >= completions) break;
      let last = first;
      if (b !== undefined) {
        const l = atoi(b);
        if (l === undefined) continue;
        last = Math.min(l, completions - 1);
      }
      const prev = out[out.length - 1];
      if (prev && prev.last === first - 1) prev.last = last;
      else out.push({ first, last });
    }
    return new Intervals(out);
  }

  /** A new list with `other` merged in. */
  merge(other: Intervals): Intervals {
    const out: Interval[] = [];
    const push = (iv: Interval): void => {
      const last = out[out.length - 1];
      if (!last || iv.first > last.last + 1) out.push({ ...iv });
      else if (last.last < iv.last) last.last = iv.last;
    };
    let i = 0;
    let j = 0;
    const a = this.list;
    const b = other.list;
    while (i < a.length && j < b.length) {
      if (a[i].first < b[j].first) push(a[i++]);
      else push(b[j++]);
    }
    while (i < a.length) push(a[i++]);
    while (j < b.length) push(b[j++]);
    return new Intervals(out);
  }

  /** A new list with these (increasing) indexes added. */
  withIndexes(indexes: number[]): Intervals {
    return this.merge(new Intervals(indexes.map((n) => ({ first: n, last: n }))));
  }

  total(): number {
    return this.list.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
  }

  has(ix: number): boolean {
    let lo = 0;
    let hi = this.list.length;
    while (hi > lo) {
      const mid = lo + ((hi - lo) >> 1);
      if (this.list[mid].last >= ix) hi = mid;
      else lo = mid + 1;
    }
    return hi < this.list.length && this.list[hi].first <= ix;
  }

  /** "1,3-5,7": a pair of adjacent indexes is written "3,4". */
  toString(): string {
    return this.list.map((iv) => (iv.last === iv.first ? `${iv.first}` : `${iv.first}${iv.last === iv.first + 1 ? ',' : '-'}${iv.last}`)).join(',');
  }
}

/** Go's strconv.Atoi for index texts. */
function atoi(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The pod's completion index, or UNKNOWN_INDEX when missing, unparsable or negative. */
export function completionIndex(pod: Obj): number {
  const n = atoi(pod?.metadata?.annotations?.[JOB_COMPLETION_INDEX]);
  return n === undefined || n < 0 ? UNKNOWN_INDEX : n;
}

export function isIndexedJob(job: Obj): boolean {
  return job.spec?.completionMode === 'Indexed';
}

export function hasBackoffLimitPerIndex(job: Obj): boolean {
  return typeof job.spec?.backoffLimitPerIndex === 'number';
}

/** The distinct valid indexes of these pods, increasing. */
export function indexesOf(pods: Obj[]): number[] {
  const s = new Set<number>();
  for (const p of pods) {
    const ix = completionIndex(p);
    if (ix !== UNKNOWN_INDEX) s.add(ix);
  }
  return [...s].sort((a, b) => a - b);
}

/** Stable sort by completion index (unknown first). */
export function sortByCompletionIndex(pods: Obj[]): Obj[] {
  return [...pods].sort((a, b) => completionIndex(a) - completionIndex(b));
}

/**
 * The first `count` indexes below `completions` that are not succeeded, active, failed (per
 * index) or, when only failed pods are replaced, still terminating.
 */
export function firstPendingIndexes(nonPending: Intervals, count: number, completions: number): number[] {
  const result: number[] = [];
  if (count === 0) return result;
  let candidate = 0;
  for (const iv of nonPending.list) {
    for (; candidate < completions && result.length < count && candidate < iv.first; candidate++) result.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && result.length < count; candidate++) result.push(candidate);
  return result;
}

/**
 * Splits active pods of an Indexed Job into those to remove (no index, index out of range,
 * or all but the best pod of a repeated index) and those left.
 */
export function duplicatedIndexPodsForRemoval(pods: Obj[], completions: number): { rm: Obj[]; left: Obj[] } {
  const rm: Obj[] = [];
  const left: Obj[] = [];
  const byIndex = new Map<number, Obj[]>();
  for (const p of sortByCompletionIndex(pods)) {
    const ix = completionIndex(p);
    if (ix === UNKNOWN_INDEX || ix >= completions) {
      rm.push(p);
      continue;
    }
    const g = byIndex.get(ix);
    if (g) g.push(p);
    else byIndex.set(ix, [p]);
  }
  for (const group of byIndex.values()) {
    if (group.length === 1) {
      left.push(group[0]);
      continue;
    }
    const sorted = [...group].sort(byLess(activePodsLess));
    rm.push(...sorted.slice(0, -1));
    left.push(sorted[sorted.length - 1]);
  }
  return { rm, left };
}

/** `<job>-<index>-`, trimmed so the generated name fits. */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? prefix.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix : prefix;
}

/** JOB_COMPLETION_INDEX from the pod's index label, in every (init) container that lacks it. */
export function addCompletionIndexEnv(podSpec: Obj): void {
  for (const list of [podSpec.initContainers, podSpec.containers]) {
    for (const c of list ?? []) {
      c.env = c.env ?? [];
      if (c.env.some((e: Obj) => e.name === COMPLETION_INDEX_ENV)) continue;
      c.env.push({ name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX}']` } } });
    }
  }
}

/** An annotation as a non-negative int32, 0 when missing or invalid. */
function annotationInt(pod: Obj, key: string): number {
  const n = atoi(pod?.metadata?.annotations?.[key]);
  return n === undefined || n < 0 || n > 2147483647 ? 0 : n;
}

export function indexFailureCount(pod: Obj): number {
  return annotationInt(pod, JOB_INDEX_FAILURE_COUNT);
}

export function indexIgnoredFailureCount(pod: Obj): number {
  return annotationInt(pod, JOB_INDEX_IGNORED_FAILURE_COUNT);
}

export function indexAbsoluteFailureCount(pod: Obj): number {
  return indexFailureCount(pod) + indexIgnoredFailureCount(pod);
}
