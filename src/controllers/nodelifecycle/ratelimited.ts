// The node lifecycle controller's per-zone tainting queue (upstream RateLimitedTimedQueue over
// a token bucket): nodes to be tainted NoExecute wait here and are processed at most `qps` per
// second (burst 1), so a zone losing many nodes at once is tainted gradually, and not at all
// while its limiter is swapped to 0 (disruption modes).
//
// As upstream's UniqueQueue, a node processed successfully leaves the queue but stays in the
// set: add() refuses it until remove() (the node became reachable, or lost its taint).

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(readonly qps: number, private readonly burst: number, private readonly now: () => number) {
    this.tokens = burst;
    this.last = now();
  }

  tryAccept(): boolean {
    if (this.qps <= 0) return false;
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** When the next token will be there (ms since the epoch), or Infinity with qps 0. */
  nextTokenAt(): number {
    if (this.qps <= 0) return Infinity;
    if (this.tokens >= 1) return this.now();
    return this.last + ((1 - this.tokens) / this.qps) * 1000;
  }
}

export interface TimedValue { value: string; uid: string; addedAt: number; processAt: number }

/** Returns [done, retryAfterMs]. */
export type TimedAction = (v: TimedValue) => Promise<[boolean, number]>;

export class RateLimitedTimedQueue {
  private readonly set = new Set<string>();
  private queue: TimedValue[] = [];
  private limiter: TokenBucket;

  constructor(qps: number, private readonly now: () => number, private readonly burst = 1) {
    this.limiter = new TokenBucket(qps, burst, now);
  }

  get qps(): number {
    return this.limiter.qps;
  }

  /** Queues a node unless it is in the set already. */
  add(value: string, uid: string): boolean {
    if (this.set.has(value)) return false;
    const t = this.now();
    this.set.add(value);
    this.queue.push({ value, uid, addedAt: t, processAt: t });
    this.sort();
    return true;
  }

  /** Forgets a node entirely (queue and set). */
  remove(value: string): boolean {
    const had = this.set.delete(value);
    this.queue = this.queue.filter((v) => v.value !== value);
    return had;
  }

  get length(): number {
    return this.queue.length;
  }

  /** Replaces the limiter (upstream SwapLimiter); same qps keeps the current bucket. */
  swapLimiter(qps: number): void {
    if (this.limiter.qps === qps) return;
    this.limiter = new TokenBucket(qps, this.burst, this.now);
  }

  /** Processes due heads while the limiter allows; returns when to try again (ms), or Infinity. */
  async try(fn: TimedAction): Promise<number> {
    while (this.queue.length) {
      if (!this.limiter.tryAccept()) return this.limiter.nextTokenAt();
      const head = this.queue[0];
      const t = this.now();
      if (t < head.processAt) return head.processAt;
      const [ok, wait] = await fn(head);
      if (this.queue[0] !== head) continue; // removed meanwhile
      if (ok) this.queue.shift(); // stays in the set (UniqueQueue.RemoveFromQueue)
      else {
        head.processAt = t + wait + 1;
        this.sort();
      }
    }
    return Infinity;
  }

  private sort(): void {
    this.queue.sort((a, b) => a.processAt - b.processAt);
  }
}
