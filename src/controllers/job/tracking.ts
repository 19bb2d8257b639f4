// Finalizer-removal expectations (upstream tracking_utils.go uidTrackingExpectations): the
// pod UIDs, per Job key, whose batch.kubernetes.io/job-tracking finalizer this controller
// asked to remove and has not yet seen removed. Until it has, a later sync (from a cache that
// still shows the finalizer) must not count those pods a second time.

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';

export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  /** The UIDs still expected (a copy; empty when none). */
  expectedUIDs(jobKey: string): Set<string> {
    return new Set(this.byJob.get(jobKey) ?? []);
  }

  expectFinalizersRemoved(jobKey: string, uids: string[]): void {
    let set = this.byJob.get(jobKey);
    if (!set) this.byJob.set(jobKey, (set = new Set()));
    for (const u of uids) set.add(u);
  }

  finalizerRemovalObserved(jobKey: string, uid: string): void {
    const set = this.byJob.get(jobKey);
    if (!set) return;
    set.delete(uid);
    if (set.size === 0) this.byJob.delete(jobKey);
  }

  deleteExpectations(jobKey: string): void {
    this.byJob.delete(jobKey);
  }
}

export function hasJobTrackingFinalizer(pod: { metadata?: { finalizers?: string[] } }): boolean {
  return (pod.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/** The strategic-merge patch removing the tracking finalizer, or undefined when it is absent. */
export function removeTrackingFinalizerPatch(pod: { metadata?: { finalizers?: string[] } }): object | undefined {
  if (!hasJobTrackingFinalizer(pod)) return undefined;
  return { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } };
}
