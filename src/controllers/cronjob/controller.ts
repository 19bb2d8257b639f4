// CronJob controller (kube-controller-manager's cronjob controller v2). Keys are CronJob
// `namespace/name`. A sync reconciles status.active with the Jobs the CronJob controls,
// records lastSuccessfulTime, trims finished Jobs to the history limits, and, when an
// activation is due, starts at most one Job named `<cronjob>-<minutes since epoch>` (the name
// is the lock against starting the same activation twice), honouring suspend,
// startingDeadlineSeconds and concurrencyPolicy. It then asks to be woken exactly at the next
// activation (+100 ms): there is no polling.
//
// Jobs created by `kubectl create job --from=cronjob/x` carry a controller reference to the
// CronJob and the cronjob.kubernetes.io/instantiate=manual annotation. As upstream, they are
// never put in status.active (an UnexpectedJob event says so while they run), but they count
// for lastSuccessfulTime and the history limits once finished.

import { findResource } from '../../api/resources.js';
import { clone, nowRFC3339, type Obj } from '../../api/types.js';
import { isKnownTimeZone } from '../../api/validation/cron.js';
import { runController } from '../../client/controller.js';
import { NAMESPACE_TERMINATING_CAUSE, hasStatusCause, isAlreadyExists, isNotFound } from '../../client/errors.js';
import { EventRecorder, objectReference } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue, type SyncResult } from '../../client/workqueue.js';
import { getControllerOf } from '../common/ownerref.js';
import { parseStandard, type Schedule } from './cron.js';
import { jobNameFor, nextScheduleTime, nextScheduleTimeDuration } from './schedule.js';
import { Zone } from './tz.js';

export const CRONJOBS: ResourceRef = findResource('batch', 'v1', 'cronjobs')!;
export const JOBS: ResourceRef = findResource('batch', 'v1', 'jobs')!;
/** Set on Jobs the controller creates (CronJobsScheduledAnnotation, beta and on in 1.32). */
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobControllerOptions {
  client: KubeClient;
  cronJobs: Informer;
  jobs: Informer;
  recorder?: EventRecorder;
  workers?: number;
  /** The clock (epoch ms); tests pass a fake one. */
  now?: () => number;
  /** Zone for schedules without spec.timeZone (Go's time.Local). Default: this process's zone. */
  localTimeZone?: string;
  log?: Logger;
}

interface SyncOutcome {
  requeueAfterMs?: number;
  updateStatus: boolean;
  err?: unknown;
}

function condTrue(job: Obj, type: string): boolean {
  return (job.status?.conditions ?? []).some((c: Obj) => c.type === type && c.status === 'True');
}

/** The finishing condition type ("Complete" or "Failed"), or undefined while the Job runs. */
export function finishedCondition(job: Obj): string | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

function time(v: unknown): number | undefined {
  if (typeof v !== 'string' || !v) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

function inActiveList(cj: Obj, uid: string): boolean {
  return (cj.status?.active ?? []).some((r: Obj) => r.uid === uid);
}

function deleteFromActiveList(cj: Obj, uid: string): void {
  cj.status = cj.status ?? {};
  cj.status.active = (cj.status.active ?? []).filter((r: Obj) => r.uid !== uid);
  if (cj.status.active.length === 0) delete cj.status.active;
}

/** byJobStartTime: jobs with a start time first, oldest first, names break ties. */
function byStartTime(a: Obj, b: Obj): number {
  const ta = time(a.status?.startTime);
  const tb = time(b.status?.startTime);
  if (ta === undefined && tb !== undefined) return 1;
  if (ta !== undefined && tb === undefined) return -1;
  if (ta === tb) return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  return ta! - tb!;
}

export class CronJobController {
  readonly queue: WorkQueue<string>;
  readonly recorder: EventRecorder;
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly local: Zone;

  constructor(private readonly o: CronJobControllerOptions) {
    this.client = o.client;
    this.log = o.log ?? stderrLogger('cronjob-controller');
    this.now = o.now ?? Date.now;
    this.local = o.localTimeZone ? Zone.get(o.localTimeZone) : Zone.local();
    this.recorder = o.recorder ?? new EventRecorder(o.client, { component: 'cronjob-controller', log: this.log });
    this.queue = new WorkQueue<string>();

    o.jobs.addEventHandler({
      onAdd: (job) => this.jobChanged(job),
      onUpdate: (old, cur) => {
        // Resyncs bring the same version again: nothing to do.
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const oldRef = getControllerOf(old);
        const curRef = getControllerOf(cur);
        if (oldRef && JSON.stringify(oldRef) !== JSON.stringify(curRef)) this.enqueueOwner(old.metadata.namespace, oldRef);
        if (curRef) this.enqueueOwner(cur.metadata.namespace, curRef);
      },
      onDelete: (job) => this.jobChanged(job),
    });
    o.cronJobs.addEventHandler({
      onAdd: (cj) => this.queue.add(metaNamespaceKey(cj)),
      onUpdate: (old, cur) => this.cronJobUpdated(old, cur),
      onDelete: (cj) => this.queue.add(metaNamespaceKey(cj)),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'cronjob-controller', queue: this.queue, informers: [this.o.cronJobs, this.o.jobs],
      workers: this.o.workers ?? 5, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  private jobChanged(job: Obj): void {
    const ref = getControllerOf(job);
    if (ref) this.enqueueOwner(job.metadata.namespace, ref);
  }

  /** Enqueues the CronJob a controller reference points at, if it is one we know (name and uid). */
  private enqueueOwner(namespace: string, ref: Obj): void {
    if (ref.kind !== 'CronJob') return;
    const cj = this.o.cronJobs.store.get(namespace, ref.name);
    if (!cj || cj.metadata.uid !== ref.uid) return;
    this.queue.add(metaNamespaceKey(cj));
  }

  /** A schedule change moves the wake-up; any other change syncs now. */
  private cronJobUpdated(old: Obj, cur: Obj): void {
    const key = metaNamespaceKey(cur);
    if (old.spec?.schedule !== cur.spec?.schedule || (old.spec?.timeZone ?? null) !== (cur.spec?.timeZone ?? null)) {
      let sched: Schedule;
      try {
        sched = parseStandard(this.formatSchedule(cur, false), this.local);
      } catch {
        this.recorder.event(cur, 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cur.spec?.schedule}`);
        return;
      }
      const after = nextScheduleTimeDuration(cur, this.now(), sched);
      if (after !== undefined) this.queue.addAfter(key, after);
      return;
    }
    this.queue.add(key);
  }

  /** The schedule with spec.timeZone applied as a TZ= prefix (a TZ in the schedule itself wins, with a warning). */
  private formatSchedule(cj: Obj, warn: boolean): string {
    const schedule: string = cj.spec?.schedule ?? '';
    if (schedule.includes('TZ')) {
      if (warn) {
        this.recorder.event(cj, 'Warning', 'UnsupportedSchedule',
          `CRON_TZ or TZ used in schedule "${schedule}" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
      }
      return schedule;
    }
    const tz = cj.spec?.timeZone;
    if (typeof tz === 'string') return isKnownTimeZone(tz) ? `TZ=${tz} ${schedule}` : schedule;
    return schedule;
  }

  async sync(key: string, signal?: AbortSignal): Promise<void | SyncResult> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    const cached = this.o.cronJobs.store.get(namespace, name);
    if (!cached) return;
    // Every Job whose controller reference names this CronJob, including ones whose labels
    // no longer match the template.
    const jobs = this.o.jobs.store.listNamespace(namespace).filter((j) => getControllerOf(j)?.name === name);
    // All changes go to one copy and one status update.
    const cj = clone(cached);
    const cleaned = await this.cleanupFinishedJobs(cj, jobs, signal);
    const r = await this.syncCronJob(cj, jobs, signal);
    if (r.err) this.log.info(`cronjob ${key}: ${errMsg(r.err)}`);
    if (cleaned || r.updateStatus) await this.client.updateStatus(CRONJOBS, namespace, cj, { signal });
    if (r.requeueAfterMs !== undefined) return { requeueAfterMs: Math.max(0, r.requeueAfterMs) };
    if (r.err) throw r.err;
  }

  private async syncCronJob(cj: Obj, jobs: Obj[], signal?: AbortSignal): Promise<SyncOutcome> {
    const now = this.now();
    const { namespace, name } = cj.metadata;
    let updateStatus = false;
    const children = new Set<string>();
    for (const j of jobs) {
      children.add(j.metadata.uid);
      const found = inActiveList(cj, j.metadata.uid);
      const finished = finishedCondition(j);
      if (!found && !finished) {
        // Our cached status may just be older than the Job: ask the server before complaining.
        let fresh: Obj;
        try {
          fresh = await this.client.get(CRONJOBS, namespace, name, { signal });
        } catch (err) {
          return { updateStatus, err };
        }
        if (inActiveList(fresh, j.metadata.uid)) continue;
        this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
      } else if (finished) {
        if (found) {
          deleteFromActiveList(cj, j.metadata.uid);
          this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${finished}`);
          updateStatus = true;
        }
        if (condTrue(j, 'Complete')) {
          const completed = time(j.status?.completionTime);
          const last = time(cj.status?.lastSuccessfulTime);
          if (completed !== undefined && (last === undefined || completed > last)) {
            cj.status = cj.status ?? {};
            cj.status.lastSuccessfulTime = j.status.completionTime;
            updateStatus = true;
          }
        }
      }
    }

    // Active references to Jobs that are gone would keep the CronJob "active" forever. The
    // cache may lag, so only the server's NotFound counts.
    for (const ref of [...(cj.status?.active ?? [])]) {
      if (children.has(ref.uid)) continue;
      try {
        await this.client.get(JOBS, ref.namespace ?? namespace, ref.name, { signal });
      } catch (err) {
        if (!isNotFound(err)) return { updateStatus, err };
        this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        deleteFromActiveList(cj, ref.uid);
        updateStatus = true;
      }
    }

    if (cj.metadata.deletionTimestamp) return { updateStatus };

    const tz = cj.spec?.timeZone;
    if (typeof tz === 'string' && !isKnownTimeZone(tz)) {
      this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": unknown time zone ${tz}`);
      return { updateStatus };
    }
    if (cj.spec?.suspend === true) return { updateStatus };

    let sched: Schedule;
    try {
      sched = parseStandard(this.formatSchedule(cj, true), this.local);
    } catch (err) {
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec?.schedule}" : ${errMsg(err)}`);
      return { updateStatus };
    }
    const requeue = (): SyncOutcome => ({ requeueAfterMs: nextScheduleTimeDuration(cj, now, sched), updateStatus });

    const next = nextScheduleTime(cj, now, sched);
    if (next.tooManyMissed) {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (next.time === null) {
      if (next.error) {
        this.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec?.schedule} : ${next.error}`);
        return { updateStatus };
      }
      // Nothing due (we woke early, or after a restart): sleep until the next activation.
      return requeue();
    }
    const scheduled = next.time;

    const sds = cj.spec?.startingDeadlineSeconds;
    if (typeof sds === 'number' && scheduled + sds * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return requeue();
    }
    const jobName = jobNameFor(name, scheduled);
    const activeByName = (cj.status?.active ?? []).some((r: Obj) => r.name === jobName && (r.namespace ?? namespace) === namespace);
    if (activeByName || time(cj.status?.lastScheduleTime) === scheduled) return requeue();

    const policy = cj.spec?.concurrencyPolicy;
    if (policy === 'Forbid' && (cj.status?.active ?? []).length > 0) {
      // A Job we have not seen yet could still slip through; runs far enough apart never do.
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue();
    }
    if (policy === 'Replace') {
      for (const ref of [...(cj.status?.active ?? [])]) {
        let job: Obj;
        try {
          job = await this.client.get(JOBS, ref.namespace ?? namespace, ref.name, { signal });
        } catch (err) {
          this.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${errMsg(err)}`);
          return { updateStatus, err };
        }
        if (!(await this.deleteJob(cj, job, signal))) return { updateStatus, err: new Error(`could not replace job ${job.metadata.namespace}/${job.metadata.name}`) };
        updateStatus = true;
      }
    }

    let created: Obj;
    let alreadyExisted = false;
    const req = this.jobFromTemplate(cj, scheduled);
    try {
      created = await this.client.create(JOBS, namespace, req, { signal });
    } catch (err) {
      if (hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) return { updateStatus, err };
      if (!isAlreadyExists(err)) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${errMsg(err)}`);
        return { updateStatus, err };
      }
      // Created by an earlier sync whose status update was lost, or by someone else.
      alreadyExisted = true;
      try {
        created = await this.client.get(JOBS, namespace, jobName, { signal });
      } catch (e) {
        return { updateStatus, err: e };
      }
      const ref = getControllerOf(created);
      if (!ref || ref.uid !== cj.metadata.uid) return { updateStatus };
      if (inActiveList(cj, created.metadata.uid)) return { updateStatus };
    }
    if (alreadyExisted) this.log.info(`job ${namespace}/${jobName} already exists`);
    else this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);

    cj.status = cj.status ?? {};
    cj.status.active = [...(cj.status.active ?? []), objectReference({ ...created, apiVersion: created.apiVersion ?? 'batch/v1', kind: created.kind ?? 'Job' })];
    cj.status.lastScheduleTime = nowRFC3339(new Date(scheduled));
    updateStatus = true;
    return requeue();
  }

  /** The Job for one activation: the template's labels, annotations and spec, owned by the CronJob. */
  private jobFromTemplate(cj: Obj, scheduled: number): Obj {
    const tpl = cj.spec?.jobTemplate ?? {};
    const tz = typeof cj.spec?.timeZone === 'string' ? cj.spec.timeZone : 'UTC';
    const annotations: Record<string, string> = { ...(tpl.metadata?.annotations ?? {}) };
    annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = Zone.get(tz).rfc3339(scheduled);
    return {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: {
        name: jobNameFor(cj.metadata.name, scheduled),
        namespace: cj.metadata.namespace,
        labels: { ...(tpl.metadata?.labels ?? {}) },
        annotations,
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: clone(tpl.spec ?? {}),
    };
  }

  /** Deletes a Job (its pods go in the background) and forgets it in status.active. */
  private async deleteJob(cj: Obj, job: Obj, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.delete(JOBS, job.metadata.namespace, job.metadata.name, { propagationPolicy: 'Background', signal });
    } catch (err) {
      this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${errMsg(err)}`);
      this.log.warn(`deleting job ${job.metadata.namespace}/${job.metadata.name} of cronjob ${cj.metadata.name}: ${errMsg(err)}`);
      return false;
    }
    deleteFromActiveList(cj, job.metadata.uid);
    this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
    return true;
  }

  /** Keeps the newest successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs. */
  private async cleanupFinishedJobs(cj: Obj, jobs: Obj[], signal?: AbortSignal): Promise<boolean> {
    const okLimit = cj.spec?.successfulJobsHistoryLimit;
    const failLimit = cj.spec?.failedJobsHistoryLimit;
    if (typeof okLimit !== 'number' && typeof failLimit !== 'number') return false;
    const succeeded = jobs.filter((j) => finishedCondition(j) === 'Complete');
    const failed = jobs.filter((j) => finishedCondition(j) === 'Failed');
    let updated = false;
    for (const [list, limit] of [[succeeded, okLimit], [failed, failLimit]] as const) {
      if (typeof limit !== 'number' || list.length <= limit) continue;
      const oldest = [...list].sort(byStartTime).slice(0, list.length - limit);
      for (const j of oldest) if (await this.deleteJob(cj, j, signal)) updated = true;
    }
    return updated;
  }
}
