// The loop every controller shares (design convention 1): event handlers only enqueue keys;
// once the informers' caches have synced, workers take keys off a rate-limited workqueue and
// call sync(key). A throw requeues with back-off; success forgets the key's failures.

import type { Informer } from './informer.js';
import { stderrLogger, type Logger } from './log.js';
import { runWorkers, type SyncFunc, type WorkQueue } from './workqueue.js';

export interface RunControllerOptions {
  name: string;
  queue: WorkQueue<string>;
  /** Informers whose caches sync() reads: workers start only after all have synced. */
  informers: Informer[];
  workers: number;
  sync: SyncFunc<string>;
  log?: Logger;
}

/** Waits for the caches, then runs workers until the signal aborts. */
export async function runController(o: RunControllerOptions, signal: AbortSignal): Promise<void> {
  const log = o.log ?? stderrLogger(o.name);
  const synced = await Promise.all(o.informers.map((i) => i.waitForSync(signal)));
  if (!synced.every(Boolean)) {
    o.queue.shutdown();
    return;
  }
  log.info(`caches synced; starting ${o.workers} workers`);
  await runWorkers(o.queue, o.workers, o.sync, signal, { log, name: o.name });
}
