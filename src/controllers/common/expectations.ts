// ControllerExpectations (kube-controller-manager's pkg/controller): a controller that asked the
// API for N pod creations/deletions records that it expects to *observe* them through its
// informer, and does not act on the same owner again until it has (or until the record is
// five minutes old, in case a watch event was lost). Without this a stale cache makes a
// controller create the same replicas twice.
//
// Keys are owner keys (`namespace/name`). UIDTrackingExpectations additionally remembers which
// pod keys a deletion was asked for, so a deletion observed twice (update with a
// deletionTimestamp, then the delete itself) is counted once.

/** Expectations older than this are ignored (upstream ExpectationsTimeout). */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60 * 1000;

interface Record_ {
  add: number;
  del: number;
  timestamp: number;
}

export interface ExpectationsOptions {
  now?: () => number;
  timeoutMs?: number;
}

export class ControllerExpectations {
  protected readonly records = new Map<string, Record_>();
  protected readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(opts: ExpectationsOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? EXPECTATIONS_TIMEOUT_MS;
  }

  /** The outstanding adds/dels for a key, or undefined when none are recorded. */
  get(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r ? { add: r.add, del: r.del } : undefined;
  }

  /**
   * True when the controller may act on the key: nothing recorded (a new owner, or the
   * record was deleted), every expected event observed, or the record has expired.
   */
  satisfiedExpectations(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.now() - r.timestamp > this.timeoutMs;
  }

  /** Replaces the key's record (and restarts its clock). */
  setExpectations(key: string, add: number, del: number): void {
    this.records.set(key, { add, del, timestamp: this.now() });
  }

  expectCreations(key: string, adds: number): void {
    this.setExpectations(key, adds, 0);
  }

  expectDeletions(key: string, dels: number): void {
    this.setExpectations(key, 0, dels);
  }

  /** Adds to the outstanding counts (no-op without a record, as upstream). */
  raiseExpectations(key: string, add: number, del: number): void {
    const r = this.records.get(key);
    if (!r) return;
    r.add += add;
    r.del += del;
  }

  lowerExpectations(key: string, add: number, del: number): void {
    const r = this.records.get(key);
    if (!r) return;
    r.add -= add;
    r.del -= del;
  }

  /** One expected creation was seen (or will never happen because the create failed). */
  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lowerExpectations(key, 0, 1);
  }

  /** Forgets the key (its owner was deleted). */
  deleteExpectations(key: string): void {
    this.records.delete(key);
  }
}

/**
 * Expectations that track deletions by pod key (upstream UIDTrackingControllerExpectations;
 * the keys are pod `namespace/name`s despite the name).
 */
export class UIDTrackingExpectations extends ControllerExpectations {
  private readonly uids = new Map<string, Set<string>>();

  /** The pod keys whose deletion is still expected. */
  getUIDs(ownerKey: string): Set<string> | undefined {
    return this.uids.get(ownerKey);
  }

  /** Expects the deletion of exactly these pods (replacing any still pending, as upstream). */
  expectDeletionsOf(ownerKey: string, podKeys: string[]): void {
    this.uids.set(ownerKey, new Set(podKeys));
    super.expectDeletions(ownerKey, podKeys.length);
  }

  /** Counts a pod's deletion once, however many times it is observed. */
  podDeletionObserved(ownerKey: string, podKey: string): void {
    const set = this.uids.get(ownerKey);
    if (set?.has(podKey)) {
      set.delete(podKey);
      super.deletionObserved(ownerKey);
    }
  }

  override deleteExpectations(key: string): void {
    this.uids.delete(key);
    super.deleteExpectations(key);
  }
}
