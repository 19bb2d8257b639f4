// Timers tied to an AbortSignal (design convention 7): nothing here outlives its signal.

/** Resolves true after `ms`, or false as soon as `signal` aborts (the timer is cleared). */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** d plus up to d*factor of random jitter (wait.Jitter). */
export function jitter(ms: number, factor: number): number {
  return ms + Math.random() * ms * (factor > 0 ? factor : 1);
}

/** Exponential back-off state (wait.Backoff): next() grows the delay up to max; reset() starts over. */
export class Backoff {
  private current: number;
  constructor(private readonly initialMs: number, private readonly maxMs: number, private readonly factor = 2, private readonly jitterFactor = 0) {
    this.current = initialMs;
  }

  next(): number {
    const d = this.jitterFactor > 0 ? jitter(this.current, this.jitterFactor) : this.current;
    this.current = Math.min(this.maxMs, this.current * this.factor);
    return Math.min(d, this.maxMs);
  }

  reset(): void {
    this.current = this.initialMs;
  }
}

/** A child AbortController that aborts when `parent` does; dispose() detaches it. */
export function childController(parent?: AbortSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  if (!parent) return { controller, dispose: () => undefined };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, dispose: () => undefined };
  }
  const onAbort = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}
