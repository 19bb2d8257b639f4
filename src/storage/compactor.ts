// Periodic compaction, as kube-apiserver runs against etcd (every 5 minutes by default):
// history older than what watchers and paged lists can still ask for is discarded, so the
// store does not grow with every write ever made.
//
// Each run compacts to min(the revision seen one interval ago, current - keepRevisions), so
// a client always has at least one full interval AND at least keepRevisions revisions of
// history to resume a watch or continue a list from (older requests get 410 Gone).

import type { Store } from './store.js';

export interface CompactorOptions {
  /** Time between runs. Default 5 minutes (kube-apiserver's --etcd-compaction-interval). */
  intervalMs?: number;
  /** Always keep at least this many most recent revisions. Default 1000. */
  keepRevisions?: number;
  /** A failed run is reported here and retried next interval. Default: console.error. */
  onError?: (err: unknown) => void;
  /** Called after each run that compacted, with the new compact revision (for logs/tests). */
  onCompact?: (revision: number) => void;
}

/** Compacts store periodically until signal aborts. */
export function startCompactor(store: Store, signal: AbortSignal, opts: CompactorOptions = {}): void {
  const intervalMs = opts.intervalMs ?? 5 * 60_000;
  const keep = opts.keepRevisions ?? 1000;
  const onError = opts.onError ?? ((err) => console.error('storage compaction failed:', err));
  let seenLastTime: number | undefined;
  let timer: NodeJS.Timeout | undefined;

  const run = async () => {
    try {
      const current = await store.currentRevision();
      // The first run only records where history stood; it compacts one interval later.
      if (seenLastTime !== undefined) {
        const target = Math.min(seenLastTime, current - keep);
        if (target > (await store.compactRevision()) && !signal.aborted) {
          await store.compact(target);
          opts.onCompact?.(target);
        }
      }
      seenLastTime = current;
    } catch (err) {
      if (!signal.aborted) onError(err);
    }
    // Chained timeouts, not setInterval: a slow run never overlaps the next.
    if (!signal.aborted) schedule();
  };
  const schedule = () => {
    timer = setTimeout(run, intervalMs);
    timer.unref(); // compaction alone must not keep the process alive
  };
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  if (!signal.aborted) void run();
}
