// In-memory Store with the full etcd revision model, for tests and throwaway clusters.
//
// State: for every key a list of versions (revision + kv, or a tombstone), so a list at an
// older revision sees exactly what existed then; plus the event log since the compaction
// point, which watches replay. Compaction drops versions and events that no revision at or
// above the compaction point can observe.

import { assertKey, compareKeys } from '../keys.js';
import {
  CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError,
  type KV, type ListOptions, type ListResult, type Store, type WatchEvent, type WatchOptions,
} from '../store.js';
import { WatchHub } from '../watch-hub.js';

interface Version {
  revision: number;
  /** null: the key was deleted at this revision. */
  kv: KV | null;
}

export class MemoryStore implements Store {
  private readonly versions = new Map<string, Version[]>();
  /** Every key that has versions, in code-point order (see keys.ts). */
  private readonly sorted: string[] = [];
  /** Events with revision > compacted, in revision order. */
  private log: WatchEvent[] = [];
  private rev = 0;
  private compacted = 0;
  private closed = false;
  private readonly hub = new WatchHub({
    currentRevision: () => this.rev,
    compactRevision: () => this.compacted,
    replay: (prefix, after, upto, limit) => this.replay(prefix, after, upto, limit),
  });

  async get(key: string): Promise<KV | null> {
    this.checkOpen();
    const kv = this.current(key);
    return kv ? { ...kv } : null;
  }

  async create(key: string, value: string): Promise<KV> {
    this.checkOpen();
    assertKey(key);
    if (this.current(key)) throw new KeyExistsError(key);
    const revision = this.rev + 1;
    const kv: KV = { key, value, createRevision: revision, modRevision: revision };
    this.commit(key, kv, { type: 'PUT', kv: { ...kv }, revision });
    return { ...kv };
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KV> {
    this.checkOpen();
    const prev = this.mustExist(key, expectedModRevision);
    const revision = this.rev + 1;
    const kv: KV = { key, value, createRevision: prev.createRevision, modRevision: revision };
    this.commit(key, kv, { type: 'PUT', kv: { ...kv }, prevKv: { ...prev }, revision });
    return { ...kv };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ prev: KV; revision: number }> {
    this.checkOpen();
    const prev = this.mustExist(key, expectedModRevision);
    const revision = this.rev + 1;
    this.commit(key, null, { type: 'DELETE', kv: { ...prev, modRevision: revision }, prevKv: { ...prev }, revision });
    return { prev: { ...prev }, revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = this.readRevision(opts.revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    const items: KV[] = [];
    let remaining = 0;
    const start = opts.after !== undefined && compareKeys(opts.after, prefix) >= 0
      ? this.upperBound(opts.after) : this.lowerBound(prefix);
    for (let i = start; i < this.sorted.length && this.sorted[i].startsWith(prefix); i++) {
      const kv = this.at(this.sorted[i], revision);
      if (!kv) continue;
      if (items.length < limit) items.push({ ...kv });
      else remaining++;
    }
    return { items, revision, more: remaining > 0, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    let n = 0;
    for (let i = this.lowerBound(prefix); i < this.sorted.length && this.sorted[i].startsWith(prefix); i++) {
      if (this.current(this.sorted[i])) n++;
    }
    return n;
  }

  watch(prefix: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError?: (err: Error) => void): Promise<void> {
    return this.hub.watch(prefix, opts.fromRevision, opts.signal, onEvent, onError);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.rev;
  }

  async compactRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision <= this.compacted) return; // already done: compaction is idempotent
    for (let i = 0; i < this.sorted.length; i++) {
      const key = this.sorted[i];
      const vs = this.versions.get(key)!;
      // Keep the version visible at `revision` (unless it is a tombstone) and everything newer.
      let keep = vs.length;
      while (keep > 0 && vs[keep - 1].revision > revision) keep--;
      let from = keep - 1;
      if (from >= 0 && vs[from].kv === null) from++;
      if (from > 0) vs.splice(0, from);
      if (vs.length === 0) {
        this.versions.delete(key);
        this.sorted.splice(i, 1);
        i--;
      }
    }
    this.log = this.log.slice(this.firstEventAfter(revision));
    this.compacted = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.closeAll(new Error('storage closed'));
  }

  // --- internals -------------------------------------------------------------------------

  private commit(key: string, kv: KV | null, ev: WatchEvent): void {
    let vs = this.versions.get(key);
    if (!vs) {
      vs = [];
      this.versions.set(key, vs);
      this.sorted.splice(this.lowerBound(key), 0, key);
    }
    vs.push({ revision: ev.revision, kv });
    this.log.push(ev);
    this.rev = ev.revision;
    this.hub.publish(ev);
  }

  /** The live kv of key or throws the typed error update/delete promise. */
  private mustExist(key: string, expectedModRevision?: number): KV {
    const cur = this.current(key);
    if (!cur) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && expectedModRevision !== cur.modRevision) {
      throw new RevisionConflictError(key, { ...cur });
    }
    return cur;
  }

  private current(key: string): KV | null {
    const vs = this.versions.get(key);
    return vs ? vs[vs.length - 1].kv : null;
  }

  /** The kv of key as of revision (null if absent then). */
  private at(key: string, revision: number): KV | null {
    const vs = this.versions.get(key)!;
    for (let i = vs.length - 1; i >= 0; i--) {
      if (vs[i].revision <= revision) return vs[i].kv;
    }
    return null;
  }

  private readRevision(requested: number | undefined): number {
    if (!requested) return this.rev;
    if (requested > this.rev) throw new FutureRevisionError(requested, this.rev);
    if (requested < this.compacted) throw new CompactedError(requested, this.compacted);
    return requested;
  }

  private replay(prefix: string, after: number, upto: number, limit: number): WatchEvent[] {
    const out: WatchEvent[] = [];
    for (let i = this.firstEventAfter(after); i < this.log.length && out.length < limit; i++) {
      const ev = this.log[i];
      if (ev.revision > upto) break;
      if (ev.kv.key.startsWith(prefix)) out.push(ev);
    }
    return out;
  }

  /** Index of the first log event with revision > after. */
  private firstEventAfter(after: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid].revision <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first key >= k in sorted. */
  private lowerBound(k: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.sorted[mid], k) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first key > k in sorted. */
  private upperBound(k: string): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.sorted[mid], k) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('storage closed');
  }
}
