// The storage contract: etcd v3 semantics over a flat, ordered key space.
//
// Every successful write gets a new, cluster-wide, strictly increasing revision. A key's
// modRevision is the revision of its last write; createRevision that of its creation.
// Deletes are writes too (they get a revision and produce a DELETE watch event).
// Backends: sqlite (default, kine-style append-only log), memory (tests), etcd (scale-out).
// One conformance suite (conformance.ts) runs against each.

export interface KV {
  key: string;
  value: string;          // the serialised object (JSON text)
  createRevision: number;
  modRevision: number;
}

export interface ListOptions {
  /** At most this many items (0 or undefined: all). */
  limit?: number;
  /** Return keys strictly greater than this one (for continue tokens). */
  after?: string;
  /** Read the prefix as it was at this revision (0/undefined: current). */
  revision?: number;
}

export interface ListResult {
  items: KV[];
  /** The revision the list was read at. */
  revision: number;
  /** True when keys beyond the returned ones exist (limit cut the list). */
  more: boolean;
  /** Number of matching keys not returned (only when `more`). */
  remaining: number;
}

export type WatchEventType = 'PUT' | 'DELETE';

export interface WatchEvent {
  type: WatchEventType;
  /** For PUT the new kv; for DELETE the kv as it was, with modRevision = the delete's revision. */
  kv: KV;
  /** The previous kv for updates and deletes (undefined for a create). */
  prevKv?: KV;
  revision: number;
}

export interface WatchOptions {
  /** Deliver every event with revision > fromRevision, then live events. */
  fromRevision: number;
  signal: AbortSignal;
}

/** Thrown by create when the key exists. */
export class KeyExistsError extends Error {
  constructor(public readonly key: string) { super(`key exists: ${key}`); }
}
/** Thrown by update/delete when the key is missing. */
export class KeyNotFoundError extends Error {
  constructor(public readonly key: string) { super(`key not found: ${key}`); }
}
/** Thrown by update/delete when expectedModRevision does not match the current modRevision. */
export class RevisionConflictError extends Error {
  constructor(public readonly key: string, public readonly current: KV) { super(`revision conflict on ${key}`); }
}
/** Thrown when asked for a revision older than the compaction point. */
export class CompactedError extends Error {
  constructor(public readonly requested: number, public readonly compacted: number) {
    super(`required revision ${requested} has been compacted (compacted at ${compacted})`);
  }
}
/** Thrown when asked for a revision newer than the store has. */
export class FutureRevisionError extends Error {
  constructor(public readonly requested: number, public readonly current: number) {
    super(`required revision ${requested} is a future revision (current ${current})`);
  }
}

export interface Store {
  /** Current value of a key, or null. */
  get(key: string): Promise<KV | null>;
  /** Create a key that must not exist. Returns the new kv. */
  create(key: string, value: string): Promise<KV>;
  /**
   * Replace a key's value. When expectedModRevision is given it must equal the current
   * modRevision (compare-and-swap), else RevisionConflictError. Returns the new kv.
   */
  update(key: string, value: string, expectedModRevision?: number): Promise<KV>;
  /** Delete a key (optionally compare-and-swap). Returns the deleted kv and the delete's revision. */
  delete(key: string, expectedModRevision?: number): Promise<{ prev: KV; revision: number }>;
  /** Keys starting with prefix, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of live keys starting with prefix. */
  count(prefix: string): Promise<number>;
  /**
   * Stream events for keys under prefix. Events come in revision order, each exactly once,
   * starting after opts.fromRevision. Throws CompactedError (synchronously or as the first
   * rejection) when fromRevision < compactRevision(). The callback is never called after
   * the signal aborts. `onError` receives a fatal stream error (the watch then ends).
   */
  watch(prefix: string, opts: WatchOptions, onEvent: (ev: WatchEvent) => void, onError?: (err: Error) => void): Promise<void>;
  /** The newest revision written (0 for an empty store). */
  currentRevision(): Promise<number>;
  /** Discard history at or below `revision` (keeping current values). */
  compact(revision: number): Promise<void>;
  /** The newest compacted revision (0 when never compacted). */
  compactRevision(): Promise<number>;
  close(): Promise<void>;
}
