// Time as components see it: controllers (node lifecycle, taint eviction) and node agents
// read now() and arm timers through a Clock, so unit tests can drive minutes or hours of
// node life instantly with FakeClock.

export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(h: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, Math.max(0, ms)),
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface FakeTimer { at: number; seq: number; fn: () => void }

/** A manual clock: timers fire only inside advance()/set(), in due order. */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(start: number | Date = Date.UTC(2025, 0, 1)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), seq: id, fn });
    return id;
  }

  clearTimer(h: TimerHandle): void {
    this.timers.delete(h as number);
  }

  /** Number of armed timers (tests assert nothing leaks). */
  pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by ms, firing every timer that falls due on the way. */
  advance(ms: number): void {
    this.set(this.t + ms);
  }

  set(to: number): void {
    for (;;) {
      let next: FakeTimer | undefined;
      for (const tm of this.timers.values()) if (tm.at <= to && (!next || tm.at < next.at || (tm.at === next.at && tm.seq < next.seq))) next = tm;
      if (!next) break;
      this.timers.delete(next.seq);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = Math.max(this.t, to);
  }
}
