// One shared timer for thousands of keyed deadlines (lease renewals, status reports, pod
// start/exit/stop moments). A per-key setTimeout would cost a timer object and a wakeup per
// node; here a binary heap holds (due, key) pairs and a single clock timer is armed for the
// earliest one. Due keys within `batchMs` of each other fire in one wakeup, which batches
// thousands of nodes' work into few event-loop turns.
//
// schedule(key, at) replaces the key's deadline (the caller's latest decision wins); stale
// heap entries are skipped lazily and compacted when they pile up. Everything stops when the
// signal aborts.

import { realClock, type Clock, type TimerHandle } from '../../client/clock.js';

interface Entry<K> { at: number; seq: number; key: K }

export interface TimerQueueOptions {
  clock?: Clock;
  /** Fire keys due up to this many ms late together (default 5). */
  batchMs?: number;
  signal?: AbortSignal;
}

export class TimerQueue<K> {
  private readonly heap: Entry<K>[] = [];
  private readonly due = new Map<K, Entry<K>>();
  private seq = 0;
  private armedAt = Infinity;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly clock: Clock;
  private readonly batchMs: number;

  constructor(private readonly fire: (key: K) => void, o: TimerQueueOptions = {}) {
    this.clock = o.clock ?? realClock;
    this.batchMs = o.batchMs ?? 5;
    if (o.signal?.aborted) this.stopped = true;
    else o.signal?.addEventListener('abort', () => this.stop(), { once: true });
  }

  get size(): number {
    return this.due.size;
  }

  /** When the key is due, or undefined. */
  dueAt(key: K): number | undefined {
    return this.due.get(key)?.at;
  }

  /** Sets (or moves) the key's deadline to `at` (ms since the epoch). */
  schedule(key: K, at: number): void {
    if (this.stopped) return;
    const cur = this.due.get(key);
    if (cur && cur.at === at) return;
    const e: Entry<K> = { at, seq: ++this.seq, key };
    this.due.set(key, e);
    this.push(e);
    if (this.heap.length > 1024 && this.heap.length > 2 * this.due.size) this.compact();
    this.arm();
  }

  /** Like schedule, but keeps an earlier deadline already set. */
  scheduleEarliest(key: K, at: number): void {
    const cur = this.due.get(key);
    if (cur && cur.at <= at) return;
    this.schedule(key, at);
  }

  cancel(key: K): void {
    this.due.delete(key);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.heap.length = 0;
    this.due.clear();
  }

  private arm(): void {
    const top = this.peekLive();
    if (!top) {
      if (this.timer !== undefined) this.clock.clearTimer(this.timer);
      this.timer = undefined;
      this.armedAt = Infinity;
      return;
    }
    if (this.timer !== undefined && this.armedAt <= top.at) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.armedAt = top.at;
    this.timer = this.clock.setTimer(() => this.onTimer(), top.at - this.clock.now());
  }

  private onTimer(): void {
    this.timer = undefined;
    this.armedAt = Infinity;
    if (this.stopped) return;
    const limit = this.clock.now() + this.batchMs;
    const fired: K[] = [];
    for (;;) {
      const top = this.peekLive();
      if (!top || top.at > limit) break;
      this.pop();
      this.due.delete(top.key);
      fired.push(top.key);
    }
    for (const k of fired) {
      if (this.stopped) return;
      this.fire(k);
    }
    this.arm();
  }

  /** The earliest entry that is still the key's current deadline (drops stale ones). */
  private peekLive(): Entry<K> | undefined {
    while (this.heap.length) {
      const top = this.heap[0];
      if (this.due.get(top.key) === top) return top;
      this.pop();
    }
    return undefined;
  }

  private compact(): void {
    const live = [...this.due.values()];
    this.heap.length = 0;
    for (const e of live) this.push(e);
  }

  private less(a: Entry<K>, b: Entry<K>): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry<K>): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l], h[m])) m = l;
      if (r < h.length && this.less(h[r], h[m])) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m], h[i]];
      i = m;
    }
  }
}
