// TTL-after-finished controller (kube-controller-manager's ttlafterfinished controller): a Job
// with spec.ttlSecondsAfterFinished is deleted, with its pods (foreground propagation), that
// many seconds after its Complete/Failed condition's lastTransitionTime. The key is requeued
// for exactly the moment the TTL runs out; before deleting, the Job is re-read from the
// server so a TTL that was just changed is honoured, and the delete carries a UID
// precondition so a new Job of the same name is never hit.

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue, type SyncResult } from '../../client/workqueue.js';

export const JOBS: ResourceRef = findResource('batch', 'v1', 'jobs')!;

export interface TTLAfterFinishedControllerOptions {
  client: KubeClient;
  jobs: Informer;
  workers?: number;
  now?: () => number;
  log?: Logger;
}

function isFinished(job: Obj): boolean {
  return (job.status?.conditions ?? []).some((c: Obj) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** A finished Job with a TTL. */
export function needsCleanup(job: Obj): boolean {
  return typeof job.spec?.ttlSecondsAfterFinished === 'number' && isFinished(job);
}

/** When the Job finished: its terminal condition's lastTransitionTime. */
export function jobFinishTime(job: Obj): number {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') {
      const t = Date.parse(c.lastTransitionTime ?? '');
      if (Number.isNaN(t)) throw new Error(`unable to find the time when the Job ${job.metadata.namespace}/${job.metadata.name} finished`);
      return t;
    }
  }
  throw new Error(`unable to find the status of the finished Job ${job.metadata.namespace}/${job.metadata.name}`);
}

export class TTLAfterFinishedController {
  readonly queue: WorkQueue<string>;
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly o: TTLAfterFinishedControllerOptions) {
    this.log = o.log ?? stderrLogger('ttl-after-finished-controller');
    this.now = o.now ?? Date.now;
    this.queue = new WorkQueue<string>();
    const enqueue = (job: Obj): void => {
      if (job.metadata?.deletionTimestamp || !needsCleanup(job)) return;
      this.queue.add(metaNamespaceKey(job));
    };
    o.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'ttl-after-finished-controller', queue: this.queue, informers: [this.o.jobs],
      workers: this.o.workers ?? 5, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  /**
   * Milliseconds until the Job's TTL expires (<= 0: expired), or undefined when it needs no
   * clean-up (being deleted, not finished, no TTL).
   */
  private timeLeft(job: Obj): number | undefined {
    if (job.metadata?.deletionTimestamp || !needsCleanup(job)) return undefined;
    const finishedAt = jobFinishTime(job);
    const now = this.now();
    if (finishedAt > now) this.log.info(`job ${metaNamespaceKey(job)} finished in the future (clock skew?); clean-up deferred`);
    return finishedAt + job.spec.ttlSecondsAfterFinished * 1000 - now;
  }

  async sync(key: string, signal?: AbortSignal): Promise<void | SyncResult> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    const cached = this.o.jobs.store.get(namespace, name);
    if (!cached) return;
    const left = this.timeLeft(cached);
    if (left === undefined) return;
    if (left > 0) return { requeueAfterMs: left };

    // The cached TTL may be stale: decide on the server's copy.
    let fresh: Obj;
    try {
      fresh = await this.o.client.get(JOBS, namespace, name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const freshLeft = this.timeLeft(fresh);
    if (freshLeft === undefined) return;
    if (freshLeft > 0) return { requeueAfterMs: freshLeft };
    this.log.info(`cleaning up job ${key}`);
    try {
      await this.o.client.delete(JOBS, namespace, name, { propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid }, signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
  }
}
