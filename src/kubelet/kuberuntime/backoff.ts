// client-go's flowcontrol.Backoff as the kubelet uses it for crash loops and image pulls:
// per key, the delay starts at 10 s and doubles up to 5 min; an entry untouched for twice the
// maximum (10 min) starts over, which is how a container that ran fine for 10 minutes gets
// its back-off reset.

import { realClock, type Clock } from '../../client/clock.js';

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

interface Entry { backoffMs: number; lastUpdate: number }

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock = realClock,
    readonly initialMs = BACKOFF_INITIAL_MS,
    readonly maxMs = BACKOFF_MAX_MS,
  ) {}

  /** The current delay for the key (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Records an event at `eventTime` (ms): the first sets the initial delay, later ones double it. */
  next(key: string, eventTime: number): void {
    const e = this.entries.get(key);
    if (!e || this.expired(eventTime, e.lastUpdate)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: eventTime });
      return;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
  }

  /** True while `now` is within the key's delay after `eventTime` (a container's exit). */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    const now = this.clock.now();
    if (this.expired(now, e.lastUpdate)) return false;
    return now - eventTime < e.backoffMs;
  }

  /** True while `now` is within the key's delay after its last update (image pulls). */
  isInBackOffSinceUpdate(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    const now = this.clock.now();
    if (this.expired(now, e.lastUpdate)) return false;
    return now - e.lastUpdate < e.backoffMs;
  }

  /** When the back-off that started at `eventTime` ends (ms), if the key has one. */
  endsAt(key: string, eventTime: number): number | undefined {
    const e = this.entries.get(key);
    return e ? eventTime + e.backoffMs : undefined;
  }

  /** When the delay after the key's last update ends (ms), if it has one. */
  updateEndsAt(key: string): number | undefined {
    const e = this.entries.get(key);
    return e ? e.lastUpdate + e.backoffMs : undefined;
  }

  /** Forgets keys untouched for twice the maximum delay. */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (this.expired(now, e.lastUpdate)) this.entries.delete(k);
  }

  /** Forgets every key starting with `prefix` (a deleted pod's). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  private expired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > 2 * this.maxMs;
  }
}
