// client-go's workqueue contract, for keys (any value usable as a Map key):
//  - dedupe: an item waiting in the queue is queued once, however often it is added;
//  - an item is never handed to two workers at once: an add while it is processing marks it
//    dirty, and done() re-queues it, so the change is never lost;
//  - addAfter (delayed adds; the earliest requested time wins), addRateLimited (per-item
//    exponential back-off combined with an overall token bucket), forget;
//  - shutdown() stops handing out items at once and clears every timer (tied to a signal).

import { errMsg, stderrLogger, type Logger } from './log.js';

export interface RateLimiter<T> {
  /** How long to wait before the item may be processed again (ms); counts a failure. */
  when(item: T): number;
  /** Stop tracking the item (after a success). */
  forget(item: T): void;
  numRequeues(item: T): number;
}

/** baseMs * 2^failures, capped at maxMs (ItemExponentialFailureRateLimiter). */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(private readonly baseMs = 5, private readonly maxMs = 1000_000) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }

  forget(item: T): void {
    this.failures.delete(item);
  }

  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * An overall token bucket (golang.org/x/time/rate Reserve): `burst` tokens refilled at `qps`;
 * each when() takes a token, possibly going into debt, and waits for the debt to be repaid.
 */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private tokens: number;
  private last: number;
  constructor(private readonly qps = 10, private readonly burst = 100, private readonly now: () => number = () => performance.now()) {
    this.tokens = burst;
    this.last = now();
  }

  when(_item: T): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  forget(_item: T): void { /* a bucket has no per-item state */ }

  numRequeues(_item: T): number {
    return 0;
  }
}

/** The longest delay any limiter asks for (MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }

  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }

  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** client-go's DefaultControllerRateLimiter: 5 ms..1000 s per item, 10 qps / 100 burst overall. */
export function defaultControllerRateLimiter<T>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialFailureRateLimiter<T>(5, 1000_000), new BucketRateLimiter<T>(10, 100));
}

export interface WorkQueueOptions<T> {
  rateLimiter?: RateLimiter<T>;
  /** Aborting shuts the queue down. */
  signal?: AbortSignal;
}

export class WorkQueue<T = string> {
  // FIFO as an array with a moving head (amortised O(1) shift).
  private items: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: ((item: T | undefined) => void)[] = [];
  private readonly delayed = new Map<T, { at: number; timer: NodeJS.Timeout }>();
  private readonly rateLimiter: RateLimiter<T>;
  private down = false;
  private draining = false;
  private drained?: () => void;
  private readonly onAbort = (): void => this.shutdown();

  constructor(private readonly opts: WorkQueueOptions<T> = {}) {
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>();
    if (opts.signal?.aborted) this.down = true;
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Queues the item unless it is already waiting; while it is processing it is marked dirty. */
  add(item: T): void {
    if (this.down || this.draining) return;
    if (this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    this.push(item);
  }

  private push(item: T): void {
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(item);
      this.processing.add(item);
      w(item);
    } else this.items.push(item);
  }

  /** Number of items waiting (not processing, not delayed). */
  len(): number {
    return this.items.length - this.head;
  }

  /** The next item; resolves undefined once the queue is shut down. Call done(item) after. */
  get(): Promise<T | undefined> {
    if (this.len() > 0) {
      const item = this.items[this.head];
      this.items[this.head] = undefined as T;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.down || this.draining) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks processing finished; an add that came meanwhile queues the item again. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item) && !this.down) this.push(item);
    if (this.draining && this.processing.size === 0 && this.len() === 0) this.drained?.();
  }

  /** Adds the item after `ms` (at once if ms <= 0). A pending earlier time is kept. */
  addAfter(item: T, ms: number): void {
    if (this.down || this.draining) return;
    if (ms <= 0) {
      this.add(item);
      return;
    }
    const at = performance.now() + ms;
    const cur = this.delayed.get(item);
    if (cur && cur.at <= at) return;
    if (cur) clearTimeout(cur.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(item);
      this.add(item);
    }, ms);
    this.delayed.set(item, { at, timer });
  }

  /** Adds the item after the rate limiter's delay (a failure is counted). */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Resets the item's failure count (after a successful sync). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  isShuttingDown(): boolean {
    return this.down || this.draining;
  }

  /** Stops at once: waiting get()s resolve undefined, queued and delayed items are dropped. */
  shutdown(): void {
    if (this.down) return;
    this.down = true;
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.items = [];
    this.head = 0;
    for (const w of this.waiters.splice(0)) w(undefined);
    this.drained?.();
  }

  /** Stops accepting adds, lets workers finish what is queued and processing, then shuts down. */
  async shutdownWithDrain(): Promise<void> {
    if (this.down) return;
    this.draining = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    if (this.processing.size > 0 || this.len() > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    this.shutdown();
  }
}

/** What a sync may ask for besides success/failure: come back later without counting a failure. */
export interface SyncResult {
  requeueAfterMs?: number;
}

export type SyncFunc<T> = (item: T, signal: AbortSignal) => Promise<void | SyncResult>;

export interface RunWorkersOptions {
  log?: Logger;
  name?: string;
}

/**
 * Runs `n` workers over the queue until `signal` aborts (which shuts the queue down): success
 * → forget; a thrown error → addRateLimited; { requeueAfterMs } → forget + addAfter. Resolves
 * when every worker has returned.
 */
export async function runWorkers<T>(queue: WorkQueue<T>, n: number, sync: SyncFunc<T>, signal: AbortSignal, opts: RunWorkersOptions = {}): Promise<void> {
  const log = opts.log ?? stderrLogger(opts.name ?? 'workqueue');
  const onAbort = (): void => queue.shutdown();
  if (signal.aborted) queue.shutdown();
  else signal.addEventListener('abort', onAbort, { once: true });
  const worker = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        const r = await sync(item, signal);
        queue.forget(item);
        if (r && r.requeueAfterMs !== undefined) queue.addAfter(item, r.requeueAfterMs);
      } catch (err) {
        if (!signal.aborted) {
          log.warn(`sync ${JSON.stringify(item)} failed (requeue #${queue.numRequeues(item) + 1}): ${errMsg(err)}`);
          queue.addRateLimited(item);
        }
      } finally {
        queue.done(item);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, n) }, worker));
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
