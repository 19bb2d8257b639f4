// Job controller (kube-controller-manager's job controller, batch/v1 as of 1.32). Keys are Job
// `namespace/name`. Each sync:
//  1. claims the Job's pods (adopting orphans with the batch.kubernetes.io/job-tracking
//     finalizer, releasing pods that stopped matching);
//  2. works out whether the Job is done: success (completions reached, or a successPolicy
//     rule), or failure (backoffLimit, activeDeadlineSeconds, a podFailurePolicy FailJob rule,
//     backoffLimitPerIndex/maxFailedIndexes). As 1.32 does, it first records an interim
//     SuccessCriteriaMet/FailureTarget condition, deletes what still runs, and adds the
//     terminal Complete/Failed condition only once no pod is terminating;
//  3. otherwise creates or deletes pods towards min(parallelism, remaining completions), with
//     slow-start batches, expectations, and exponential back-off (10 s doubling, capped) after
//     failed pods; Indexed Jobs get one pod per pending index;
//  4. counts finished pods exactly once: their UIDs go into status.uncountedTerminatedPods,
//     then their tracking finalizer is removed, then the counters move (a crash between the
//     steps never loses or double-counts a pod).
// Pod events are batched (1 s) so a wave of pod updates costs one sync. Pods left with the
// tracking finalizer by a deleted or finished Job are cleaned by a second, orphan-pod queue.

import { clone, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { labelSelectorMatcher } from '../../client/selector.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { ItemExponentialFailureRateLimiter, WorkQueue, runWorkers } from '../../client/workqueue.js';
import { ControllerExpectations } from '../common/expectations.js';
import { ControllerRefManager, KIND_JOB, getControllerOf, recheckDeletionTimestamp } from '../common/ownerref.js';
import { PODS, PodControl } from '../common/podcontrol.js';
import { filterActivePods } from '../common/pods.js';
import { BackoffStore } from './backoff.js';
import { JOBS, type JobDeps, type SyncCtx } from './context.js';
import { Intervals, hasBackoffLimitPerIndex, isIndexedJob } from './indexed.js';
import { deleteActivePods, manageJob } from './manage.js';
import { matchSuccessPolicy } from './policy.js';
import { trackJobStatusAndRemoveFinalizers } from './track.js';
import { FinalizerExpectations, JOB_TRACKING_FINALIZER, hasJobTrackingFinalizer, removeTrackingFinalizerPatch } from './tracking.js';
import {
  countReady, ensureJobConditionStatus, failJobMessage, failedIndexes, findCondition, isJobFinished, isPodFailed, isPodTerminating,
  jobSuspended, managedByExternalController, newCondition, nonIgnoredFailedCount, pastBackoffLimitOnFailure,
  podsWithDelayedDeletionPerIndex, succeededIndexes, successCriteriaMetCondition, uncountedOf, validPods, type JobCondition,
} from './util.js';

export { JOBS } from './context.js';
export { MAX_POD_CREATE_DELETE_PER_SYNC } from './manage.js';
export { MAX_UNCOUNTED_PODS } from './track.js';

export interface JobControllerOptions {
  client: KubeClient;
  jobs: Informer;
  pods: Informer;
  recorder?: EventRecorder;
  /** Concurrent Job syncs (upstream --concurrent-job-syncs, default 5). */
  workers?: number;
  /** The clock (epoch ms); tests pass a fake one. */
  now?: () => number;
  /** Delay that batches syncs caused by pod events and status updates (default 1000 ms). */
  syncBatchPeriodMs?: number;
  log?: Logger;
}

export class JobController {
  readonly queue: WorkQueue<string>;
  /** Pods that keep a tracking finalizer although no unfinished Job of ours owns them. */
  readonly orphanQueue: WorkQueue<string>;
  readonly recorder: EventRecorder;
  readonly expectations: ControllerExpectations;
  readonly finalizerExpectations = new FinalizerExpectations();
  readonly backoff = new BackoffStore();
  private readonly podControl: PodControl;
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly batchMs: number;
  private readonly deps: JobDeps;

  constructor(private readonly o: JobControllerOptions) {
    this.client = o.client;
    this.log = o.log ?? stderrLogger('job-controller');
    this.now = o.now ?? Date.now;
    this.batchMs = o.syncBatchPeriodMs ?? 1000;
    this.recorder = o.recorder ?? new EventRecorder(o.client, { component: 'job-controller', log: this.log });
    this.podControl = new PodControl({ client: o.client, recorder: this.recorder });
    this.expectations = new ControllerExpectations({ now: this.now });
    // API errors back off 1 s → 1 min (DefaultJobApiBackOff / MaxJobApiBackOff).
    this.queue = new WorkQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter<string>(1000, 60_000) });
    this.orphanQueue = new WorkQueue<string>({ rateLimiter: new ItemExponentialFailureRateLimiter<string>(1000, 60_000) });
    this.deps = {
      client: o.client, podControl: this.podControl, recorder: this.recorder, expectations: this.expectations,
      finalizerExpectations: this.finalizerExpectations, backoff: this.backoff, now: this.now,
      enqueueAfter: (job, ms) => this.enqueueBatched(job, ms),
    };

    o.jobs.addEventHandler({
      onAdd: (job) => this.queue.add(metaNamespaceKey(job)),
      onUpdate: (old, cur) => this.jobUpdated(old, cur),
      onDelete: (job) => {
        this.queue.add(metaNamespaceKey(job));
        this.cleanupPodFinalizers(job);
      },
    });
    o.pods.addEventHandler({
      onAdd: (pod) => this.podAdded(pod),
      onUpdate: (old, cur) => this.podUpdated(old, cur),
      onDelete: (pod) => this.podDeleted(pod, true),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    const orphans = (async () => {
      if (!(await this.o.pods.waitForSync(signal)) || !(await this.o.jobs.waitForSync(signal))) {
        this.orphanQueue.shutdown();
        return;
      }
      await runWorkers(this.orphanQueue, 1, (key, s) => this.syncOrphanPod(key, s), signal, { log: this.log, name: 'job-controller orphan pods' });
    })();
    const main = runController({
      name: 'job-controller', queue: this.queue, informers: [this.o.pods, this.o.jobs],
      workers: this.o.workers ?? 5, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
    return Promise.all([main, orphans]).then(() => undefined);
  }

  // ---- event handlers: they only enqueue and track expectations ----

  private enqueueBatched(job: Obj, delayMs = this.batchMs): void {
    this.queue.addAfter(metaNamespaceKey(job), Math.max(delayMs, this.batchMs));
  }

  private jobUpdated(old: Obj, cur: Obj): void {
    const key = metaNamespaceKey(cur);
    // A spec change syncs at once; status updates (mostly our own) are batched.
    if (old.metadata?.generation === cur.metadata?.generation) this.enqueueBatched(cur);
    else this.queue.add(key);
    // Backup for finalizers a finished Job's pods still carry.
    if (isJobFinished(cur)) this.cleanupPodFinalizers(cur);
    // A new activeDeadlineSeconds needs a wake-up at the new deadline.
    const start = Date.parse(cur.status?.startTime ?? '');
    const ads = cur.spec?.activeDeadlineSeconds;
    if (!Number.isNaN(start) && typeof ads === 'number' && old.spec?.activeDeadlineSeconds !== ads) {
      this.queue.addAfter(key, ads * 1000 - (this.now() - start));
    }
  }

  /** The Job a controller reference points at, if cached with that uid. */
  private resolveControllerRef(namespace: string, ref: Obj): Obj | undefined {
    if (ref.kind !== 'Job') return undefined;
    const job = this.o.jobs.store.get(namespace, ref.name);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  /** Jobs in the pod's namespace whose selector matches it (candidates to adopt an orphan). */
  private podJobs(pod: Obj): Obj[] {
    const labels = pod.metadata?.labels;
    if (!labels || Object.keys(labels).length === 0) return [];
    return this.o.jobs.store.listNamespace(pod.metadata.namespace).filter((j) => {
      try {
        return labelSelectorMatcher(j.spec?.selector)(labels);
      } catch {
        return false;
      }
    });
  }

  private enqueueOrphanPod(pod: Obj): void {
    this.orphanQueue.add(metaNamespaceKey(pod));
  }

  private podAdded(pod: Obj): void {
    if (pod.metadata?.deletionTimestamp) {
      // After a restart a pod may show up already being deleted: not a creation to observe.
      this.podDeleted(pod, false);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const job = this.resolveControllerRef(pod.metadata.namespace, ref);
      if (!job) return;
      this.expectations.creationObserved(metaNamespaceKey(job));
      this.enqueueBatched(job);
      return;
    }
    if (hasJobTrackingFinalizer(pod)) this.enqueueOrphanPod(pod);
    for (const job of this.podJobs(pod)) this.enqueueBatched(job);
  }

  private podUpdated(old: Obj, cur: Obj): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    if (cur.metadata?.deletionTimestamp) {
      // Graceful deletion: act on the deletionTimestamp, not when the pod is finally gone.
      this.podDeleted(cur, false);
      return;
    }
    const finalizerRemoved = !hasJobTrackingFinalizer(cur);
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const job = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (job) {
        if (finalizerRemoved) this.finalizerExpectations.finalizerRemovalObserved(metaNamespaceKey(job), cur.metadata.uid);
        this.enqueueBatched(job);
      }
    }
    if (curRef) {
      const job = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!job) return;
      if (finalizerRemoved) this.finalizerExpectations.finalizerRemovalObserved(metaNamespaceKey(job), cur.metadata.uid);
      this.enqueueBatched(job);
      return;
    }
    if (hasJobTrackingFinalizer(cur)) this.enqueueOrphanPod(cur);
    if (refChanged || JSON.stringify(cur.metadata?.labels ?? {}) !== JSON.stringify(old.metadata?.labels ?? {})) {
      for (const job of this.podJobs(cur)) this.enqueueBatched(job);
    }
  }

  private podDeleted(pod: Obj, final: boolean): void {
    const ref = getControllerOf(pod);
    const hasFinalizer = hasJobTrackingFinalizer(pod);
    if (!ref) {
      // The garbage collector may have removed the reference of a Job's pod.
      if (hasFinalizer) this.enqueueOrphanPod(pod);
      return;
    }
    const job = this.resolveControllerRef(pod.metadata.namespace, ref);
    if (!job || isJobFinished(job)) {
      // No sync of ours will remove this finalizer.
      if (hasFinalizer) this.enqueueOrphanPod(pod);
      return;
    }
    const key = metaNamespaceKey(job);
    this.expectations.deletionObserved(key);
    if (final || !hasFinalizer) this.finalizerExpectations.finalizerRemovalObserved(key, pod.metadata.uid);
    this.enqueueBatched(job);
  }

  /** Queues the Job's pods that still carry the tracking finalizer for the orphan worker. */
  private cleanupPodFinalizers(job: Obj): void {
    let matches: (l: Record<string, string> | undefined) => boolean;
    try {
      matches = labelSelectorMatcher(job.spec?.selector);
    } catch (err) {
      this.log.warn(`job ${metaNamespaceKey(job)}: bad selector: ${errMsg(err)}`);
      return;
    }
    for (const pod of this.o.pods.store.listNamespace(job.metadata.namespace)) {
      if (matches(pod.metadata?.labels) && getControllerOf(pod)?.uid === job.metadata.uid && hasJobTrackingFinalizer(pod)) this.enqueueOrphanPod(pod);
    }
  }

  /** Removes the tracking finalizer from a pod no unfinished Job of ours controls. */
  async syncOrphanPod(key: string, signal?: AbortSignal): Promise<void> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    const pod = this.o.pods.store.get(namespace, name);
    if (!pod) return;
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return; // not ours to touch
      const job = this.resolveControllerRef(namespace, ref);
      if (job && managedByExternalController(job)) return;
      if (job && !isJobFinished(job)) return; // adopted meanwhile
    }
    const patch = removeTrackingFinalizerPatch(pod);
    if (!patch) return;
    try {
      await this.podControl.patchPod(namespace, name, patch as Obj, signal);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- sync ----

  /** The Job's pods, claimed: adopted orphans count as carrying the tracking finalizer. */
  private async podsForJob(job: Obj, signal?: AbortSignal): Promise<Obj[]> {
    let selector: (l: Record<string, string> | undefined) => boolean;
    try {
      selector = labelSelectorMatcher(job.spec?.selector);
    } catch (err) {
      throw new Error(`couldn't convert Job selector: ${errMsg(err)}`);
    }
    // Every pod of the namespace: pods that stopped matching but still point at us are released.
    const candidates = this.o.pods.store.listNamespace(job.metadata.namespace);
    const cm = new ControllerRefManager({
      client: this.client, owner: job, ownerKind: KIND_JOB, selector, resource: PODS,
      canAdopt: recheckDeletionTimestamp(this.client, JOBS, job, signal), finalizers: [JOB_TRACKING_FINALIZER], signal,
    });
    const claimed = await cm.claim(candidates);
    return claimed.map((p) => {
      const adopted = !(p.metadata?.ownerReferences ?? []).some((r: Obj) => r.uid === job.metadata.uid);
      if (!adopted || hasJobTrackingFinalizer(p)) return p;
      const copy = clone(p);
      copy.metadata.finalizers = [...(copy.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
      return copy;
    });
  }

  async sync(key: string, signal?: AbortSignal): Promise<void> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    if (!namespace || !name) throw new Error(`invalid job key "${key}": either namespace or name is missing`);
    const cached = this.o.jobs.store.get(namespace, name);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      this.finalizerExpectations.deleteExpectations(key);
      this.backoff.remove(key);
      return;
    }
    const ext = managedByExternalController(cached);
    if (ext) {
      this.log.info(`skipping job ${key}: managed by ${ext}`);
      return;
    }
    const job = clone(cached);
    if (isJobFinished(job)) {
      this.backoff.remove(key);
      return;
    }
    const mode = job.spec?.completionMode;
    if (mode !== undefined && mode !== 'NonIndexed' && mode !== 'Indexed') {
      this.recorder.event(job, 'Warning', 'UnknownCompletionMode', 'Skipped Job sync because completion mode is unknown');
      return;
    }
    job.status = job.status ?? {};
    job.status.uncountedTerminatedPods = job.status.uncountedTerminatedPods ?? {};
    const now = this.now();

    // Expectations first: a pod created after this check only defers the sync to the next event.
    const satisfied = this.expectations.satisfiedExpectations(key);
    const pods = await this.podsForJob(job, signal);
    const activePods = filterActivePods(pods);
    const ctx: SyncCtx = {
      key, job, pods, activePods,
      succeeded: 0, failed: 0,
      prevSucceededIndexes: new Intervals(), succeededIndexes: new Intervals(),
      newBackoffRecord: { key, failuresAfterLastSuccess: 0 },
      expectedRmFinalizers: this.finalizerExpectations.expectedUIDs(key),
      uncounted: uncountedOf(job),
      delayedDeletion: new Map(),
      terminating: pods.filter(isPodTerminating).length,
      ready: countReady(activePods),
    };
    let active = activePods.length;
    const newSucceeded = validPods(job, pods, ctx.expectedRmFinalizers, ctx.uncounted.succeeded, (p) => p.status?.phase === 'Succeeded');
    const newFailed = validPods(job, pods, ctx.expectedRmFinalizers, ctx.uncounted.failed, (p) => isPodFailed(p, job));
    ctx.succeeded = (job.status.succeeded ?? 0) + newSucceeded.length + ctx.uncounted.succeeded.size;
    ctx.failed = (job.status.failed ?? 0) + nonIgnoredFailedCount(job, newFailed) + ctx.uncounted.failed.size;

    // First start (a suspended Job has not started).
    if (!job.status.startTime && !jobSuspended(job)) job.status.startTime = nowIso(now);
    ctx.newBackoffRecord = this.backoff.newRecord(key, newSucceeded, newFailed);

    const backoffLimit = job.spec?.backoffLimit ?? 6;
    ctx.finished = successCriteriaMetCondition(job);
    // Once success criteria were met the decision stands; only otherwise can the Job fail.
    if (!ctx.finished) {
      const target = findCondition(job, 'FailureTarget');
      if (target?.status === 'True') ctx.finished = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
      else {
        // Recorded as an interim FailureTarget before the finalizers (and so the pods) go.
        const msg = failJobMessage(job, pods);
        if (msg) ctx.finished = newCondition('FailureTarget', 'True', 'PodFailurePolicy', msg, now);
      }
    }
    if (!ctx.finished) {
      if (ctx.failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) {
        ctx.finished = this.failureCondition('BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      } else if (this.pastActiveDeadline(job, now)) {
        ctx.finished = this.failureCondition('DeadlineExceeded', 'Job was active longer than specified deadline', now);
      } else if (typeof job.spec?.activeDeadlineSeconds === 'number' && !jobSuspended(job)) {
        const left = job.spec.activeDeadlineSeconds * 1000 - (now - Date.parse(job.status.startTime));
        this.queue.addAfter(key, left);
      }
    }

    if (isIndexedJob(job)) {
      const completions = job.spec.completions;
      const si = succeededIndexes(job, pods);
      ctx.prevSucceededIndexes = si.prev;
      ctx.succeededIndexes = si.now;
      ctx.succeeded = si.now.total();
      if (hasBackoffLimitPerIndex(job)) {
        ctx.failedIndexes = failedIndexes(job, pods);
        if (!ctx.finished) {
          const failedN = ctx.failedIndexes.total();
          if (typeof job.spec.maxFailedIndexes === 'number' && failedN > job.spec.maxFailedIndexes) {
            ctx.finished = this.failureCondition('MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes', now);
          } else if (failedN > 0 && failedN + ctx.succeededIndexes.total() >= completions) {
            ctx.finished = this.failureCondition('FailedIndexes', 'Job has failed indexes', now);
          }
        }
        ctx.delayedDeletion = podsWithDelayedDeletionPerIndex(job, pods, activePods, ctx.expectedRmFinalizers, ctx.succeededIndexes, ctx.failedIndexes);
      }
      if (!ctx.finished) {
        const msg = matchSuccessPolicy(job.spec.successPolicy, completions, ctx.succeededIndexes);
        if (msg) ctx.finished = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', msg, now);
      }
    }

    let suspendCondChanged = false;
    let manageErr: unknown;
    if (ctx.finished) {
      // Done either way: stop what still runs. Finalizers stay until the pods are counted.
      const r = await deleteActivePods(this.deps, job, activePods);
      if (r.deleted !== active || !satisfied) ctx.finished = undefined; // not everything is known yet
      active -= r.deleted;
      ctx.terminating += r.deleted;
      ctx.ready -= r.deletedReady;
      manageErr = r.err;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        const r = await manageJob(this.deps, job, ctx, signal);
        active = r.active;
        manageErr = r.err;
        manageCalled = true;
      }
      const completions = job.spec?.completions;
      // Without completions any success ends the Job once nothing runs.
      const complete = typeof completions !== 'number' ? ctx.succeeded > 0 && active === 0 : ctx.succeeded >= completions && active === 0;
      if (complete) {
        ctx.finished = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
      } else if (manageCalled) {
        if (jobSuspended(job)) {
          if (ensureJobConditionStatus(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)) {
            suspendCondChanged = true;
            this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
          }
        } else if (ensureJobConditionStatus(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', now)) {
          suspendCondChanged = true;
          this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
          // activeDeadlineSeconds counts continuous activity: a resumed Job starts anew.
          job.status.startTime = nowIso(now);
        }
      }
    }

    const needsStatusUpdate = suspendCondChanged || active !== (job.status.active ?? 0)
      || ctx.ready !== job.status.ready || ctx.terminating !== job.status.terminating;
    job.status.active = active;
    job.status.ready = ctx.ready;
    job.status.terminating = ctx.terminating;
    try {
      await trackJobStatusAndRemoveFinalizers(this.deps, ctx, needsStatusUpdate, signal);
    } catch (err) {
      throw new Error(`tracking status: ${errMsg(err)}`, { cause: err });
    }
    if (manageErr) throw manageErr;
  }

  /** 1.32 delays terminal conditions: a failure is first an interim FailureTarget. */
  private failureCondition(reason: string, message: string, now: number): JobCondition {
    return newCondition('FailureTarget', 'True', reason, message, now);
  }

  private pastActiveDeadline(job: Obj, now: number): boolean {
    const ads = job.spec?.activeDeadlineSeconds;
    const start = Date.parse(job.status?.startTime ?? '');
    if (typeof ads !== 'number' || Number.isNaN(start) || jobSuspended(job)) return false;
    return now - start >= ads * 1000;
  }
}

function nowIso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
