// When a CronJob should run: upstream's mostRecentScheduleTime / nextScheduleTime /
// nextScheduleTimeDuration (pkg/controller/cronjob/utils.go), on epoch milliseconds. The
// controller only ever starts the most recent missed time; how many were missed is estimated
// from the spacing of the next two activations, and more than 100 is "too many".

import type { Obj } from '../../api/types.js';
import type { Schedule } from './cron.js';

/** Padding added to every requeue so clock skew never lands us just before the schedule. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  /** lastScheduleTime, else creationTimestamp (raised to now - startingDeadlineSeconds when asked). */
  earliest: number;
  /** The latest activation in (earliest, now], or null. */
  mostRecent: number | null;
  missed: Missed;
  /** Set for schedules that never fire twice in a row (e.g. 31 February). */
  error?: string;
}

function time(v: unknown): number | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export function mostRecentScheduleTime(cj: Obj, now: number, sched: Schedule, includeStartingDeadline: boolean): MostRecent {
  let earliest = time(cj.status?.lastScheduleTime) ?? time(cj.metadata?.creationTimestamp) ?? now;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && typeof sds === 'number') {
    // Nothing older than the deadline will be started.
    const deadline = now - sds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = sched.next(earliest);
  const t2 = t1 === null ? null : sched.next(t1);
  if (t1 !== null && now < t1) return { earliest, mostRecent: null, missed: 'none' };
  if (t1 !== null && t2 !== null && now < t2) return { earliest, mostRecent: t1, missed: 'none' };

  const between = t1 === null || t2 === null ? 0 : Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, mostRecent: null, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  // A rough count of the missed activations, then a walk over the last couple of them.
  const elapsed = Math.trunc((now - t1!) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  const potentialEarliest = t1! + (missedCount - 2) * between * 1000;
  let mostRecent: number | null = null;
  for (let t = sched.next(potentialEarliest); t !== null && t <= now; t = sched.next(t)) mostRecent = t;
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return { earliest, mostRecent, missed };
}

/** The next activation after the last one (or after now when some were missed), as a delay in ms from now. */
export function nextScheduleTimeDuration(cj: Obj, now: number, sched: Schedule): number | undefined {
  const r = mostRecentScheduleTime(cj, now, sched, false);
  let from: number;
  if (r.error) from = now;
  else if (r.mostRecent === null) from = r.missed === 'none' ? r.earliest : now;
  else from = r.mostRecent;
  const next = sched.next(from);
  return next === null ? undefined : next + NEXT_SCHEDULE_DELTA_MS - now;
}

export interface NextSchedule {
  /** The activation to start now, or null. */
  time: number | null;
  tooManyMissed: boolean;
  error?: string;
}

/** The unmet activation to start now (honouring startingDeadlineSeconds). */
export function nextScheduleTime(cj: Obj, now: number, sched: Schedule): NextSchedule {
  const r = mostRecentScheduleTime(cj, now, sched, true);
  if (r.mostRecent === null || r.mostRecent > now) return { time: null, tooManyMissed: false, error: r.error };
  return { time: r.mostRecent, tooManyMissed: r.missed === 'many', error: r.error };
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`: the name is the lock against double starts. */
export function jobNameFor(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(Math.floor(scheduled / 1000) / 60)}`;
}
