// In-process watch fan-out shared by the backends whose writes all happen in this process
// (memory, sqlite). The store publishes each committed event; the hub hands it to every
// matching watcher.
//
// Guarantees (the Store.watch contract): per watcher, events arrive in revision order and
// each exactly once, starting after fromRevision; nothing is delivered after abort.
// How: a watcher subscribes first (buffering live events), then replays history from the
// store up to the revision current at subscription, then drains the buffer. Every delivery
// is deduplicated by revision, so overlap between replay and live events is harmless.
//
// Callbacks run synchronously. A callback may itself write to the store; the nested event is
// queued and delivered after the current one, never in the middle of it, so order holds.

import { CompactedError, type WatchEvent } from './store.js';

/** What the hub needs from its store to replay history. All synchronous. */
export interface ReplaySource {
  currentRevision(): number;
  compactRevision(): number;
  /** Events for keys under prefix with after < revision <= upto, in revision order, at most limit. */
  replay(prefix: string, after: number, upto: number, limit: number): WatchEvent[];
}

/** Replay reads this many events at a time, yielding to the event loop in between. */
const REPLAY_CHUNK = 1000;

export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  /**
   * Watchers by the root of their prefix ("/registry/pods/" for "/registry/pods/ns/"), so an
   * event is offered only to watchers of its resource; prefixes without such a root
   * (e.g. "/") are offered everything.
   */
  private readonly byRoot = new Map<string, Set<Watcher>>();
  private readonly broad = new Set<Watcher>();
  private readonly queue: WatchEvent[] = [];
  private draining = false;
  private closedWith: Error | null = null;

  constructor(private readonly source: ReplaySource) {}

  /** Called by the store right after an event's write committed. */
  publish(ev: WatchEvent): void {
    // Shared by every watcher: freeze so one consumer cannot corrupt another's view.
    Object.freeze(ev.kv);
    if (ev.prevKv) Object.freeze(ev.prevKv);
    this.queue.push(Object.freeze(ev));
    if (this.draining) return; // an outer publish (re-entered from a callback) delivers it
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const ev = this.queue[i];
        const rooted = this.byRoot.get(rootOf(ev.kv.key) ?? '');
        if (rooted) for (const w of rooted) w.offer(ev);
        for (const w of this.broad) w.offer(ev);
      }
    } finally {
      this.queue.length = 0;
      this.draining = false;
    }
  }

  /** Ends every watch with err (the store is closing). */
  closeAll(err: Error): void {
    this.closedWith = err;
    for (const w of [...this.watchers]) w.fail(err);
  }

  /**
   * Store.watch for in-process backends. Resolves once history is replayed and the watcher
   * is live; rejects with CompactedError if fromRevision is (or, during a long replay,
   * becomes) older than the compaction point.
   */
  async watch(prefix: string, fromRevision: number, signal: AbortSignal,
    onEvent: (ev: WatchEvent) => void, onError?: (err: Error) => void): Promise<void> {
    if (this.closedWith) throw this.closedWith;
    if (signal.aborted) return;
    const compacted = this.source.compactRevision();
    if (fromRevision < compacted) throw new CompactedError(fromRevision, compacted);

    const w = new Watcher(this, prefix, fromRevision, signal, onEvent, onError);
    this.watchers.add(w);
    const root = rootOf(prefix);
    if (root === undefined || root.length > prefix.length) this.broad.add(w);
    else {
      let set = this.byRoot.get(root);
      if (!set) this.byRoot.set(root, (set = new Set()));
      set.add(w);
    }
    // Everything up to `upto` comes from replay; everything after it from publish().
    const upto = this.source.currentRevision();
    let cursor = fromRevision;
    while (cursor < upto && !w.done) {
      const chunk = this.source.replay(prefix, cursor, upto, REPLAY_CHUNK);
      for (const ev of chunk) w.deliver(ev);
      if (chunk.length < REPLAY_CHUNK) break;
      cursor = chunk[chunk.length - 1].revision;
      await new Promise<void>((resolve) => setImmediate(resolve));
      // Compaction between chunks may have deleted rows we have not read yet.
      const c = this.source.compactRevision();
      if (c > cursor && !w.done) {
        w.stop();
        throw new CompactedError(cursor, c);
      }
    }
    w.goLive();
  }

  remove(w: Watcher): void {
    this.watchers.delete(w);
    this.broad.delete(w);
    const root = rootOf(w.prefix);
    const set = root === undefined ? undefined : this.byRoot.get(root);
    if (set?.delete(w) && set.size === 0) this.byRoot.delete(root!);
  }
}

/** A key's first two segments with their slashes ("/registry/pods/"), if it has them. */
function rootOf(key: string): string | undefined {
  const a = key.indexOf('/', 1);
  if (a < 0) return undefined;
  const b = key.indexOf('/', a + 1);
  return b < 0 ? undefined : key.slice(0, b + 1);
}

class Watcher {
  done = false;
  /** Live events held back while history is replayed; null once live. */
  private buffer: WatchEvent[] | null = [];
  private readonly onAbort = () => this.stop();

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    /** Highest revision delivered so far (dedupe and ordering guard). */
    private last: number,
    private readonly signal: AbortSignal,
    private readonly onEvent: (ev: WatchEvent) => void,
    private readonly onError?: (err: Error) => void,
  ) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  offer(ev: WatchEvent): void {
    if (this.done || !ev.kv.key.startsWith(this.prefix)) return;
    if (this.buffer) this.buffer.push(ev);
    else this.deliver(ev);
  }

  deliver(ev: WatchEvent): void {
    if (this.done || ev.revision <= this.last) return;
    this.last = ev.revision;
    try {
      this.onEvent(ev);
    } catch (err) {
      // A throwing consumer cannot keep up with the stream; end it rather than skip events.
      this.fail(err instanceof Error ? err : new Error(String(err)));
    }
  }

  goLive(): void {
    const buf = this.buffer;
    if (!buf) return;
    // Keep buffering while draining: a callback that writes must not overtake older events.
    for (let i = 0; i < buf.length && !this.done; i++) this.deliver(buf[i]);
    this.buffer = null;
  }

  fail(err: Error): void {
    if (this.done) return;
    this.stop();
    this.onError?.(err);
  }

  stop(): void {
    if (this.done) return;
    this.done = true;
    this.buffer = null;
    this.hub.remove(this);
    this.signal.removeEventListener('abort', this.onAbort);
  }
}
