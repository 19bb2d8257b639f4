// The default Store: an embedded SQLite file in the kine style (see schema.ts).
//
// One process owns the file (it is opened in EXCLUSIVE locking mode, so a second server on
// the same data dir fails fast instead of forking history). That makes this process the only
// writer, so watches are fanned out in memory right after each commit, and history for
// fromRevision is replayed from the table (watch-hub.ts).
//
// Group commit: writes that arrive in the same turn of the event loop (e.g. one per request
// parsed from the sockets in one poll phase) are queued and committed together in one
// transaction at the end of that turn, each checked and appended in arrival order. Under
// load that turns N commits (each rewriting the same B-tree pages into the WAL) into one;
// alone, a write waits only for the current turn to end.
//
// Durability: WAL with synchronous=NORMAL. A commit is in the WAL (the OS page cache) before
// the write's promise resolves, so it survives the process being killed (kill -9); only an
// OS crash or power cut can lose the last commits. Pass { synchronous: 'FULL' } to fsync every
// commit and survive those too.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { assertKey, compareKeys, prefixEnd } from '../keys.js';
import {
  CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError,
  type KV, type ListOptions, type ListResult, type Store, type WatchEvent, type WatchOptions,
} from '../store.js';
import { WatchHub } from '../watch-hub.js';
import { META_COMPACT_REVISION, META_SCHEMA_VERSION, SCHEMA, SCHEMA_VERSION, SQL, type Row } from './schema.js';

export interface SqliteOptions {
  /** NORMAL (default): survives process crashes. FULL: also survives power loss, slower writes. */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long to wait for another process to let go of the file before failing. Default 1000. */
  lockTimeoutMs?: number;
}

/** Compaction deletes at most this many revisions per transaction, yielding in between. */
const COMPACT_BATCH = 10_000;

type Statements = { [K in keyof typeof SQL]: Database.Statement };

export class SqliteStore implements Store {
  private readonly stmt: Statements;
  private rev: number;
  /** The revision of the last append in the transaction being built (== rev outside one). */
  private txRev: number;
  private compacted: number;
  /** Writes waiting for the next group commit. */
  private queue: PendingWrite[] = [];
  private readonly hub: WatchHub;
  /** Runs a callback in BEGIN IMMEDIATE … COMMIT (rolled back if it throws). */
  private readonly tx: Database.Transaction<(fn: () => unknown) => unknown>;

  private constructor(readonly path: string, private readonly db: Database.Database) {
    this.tx = db.transaction((fn: () => unknown) => fn());
    this.stmt = Object.fromEntries(Object.entries(SQL).map(([k, sql]) => [k, db.prepare(sql)])) as Statements;
    this.rev = (this.stmt.lastRevision.get() as { seq: number } | undefined)?.seq ?? 0;
    this.txRev = this.rev;
    this.compacted = (this.stmt.getMeta.get(META_COMPACT_REVISION) as { value: number } | undefined)?.value ?? 0;
    this.hub = new WatchHub({
      currentRevision: () => this.rev,
      compactRevision: () => this.compacted,
      replay: (prefix, after, upto, limit) => (this.stmt.replay.all({ after, upto, lo: prefix, hi: prefixEnd(prefix), limit }) as Row[]).map(rowEvent),
    });
  }

  /** Opens (creating if needed) the store at path; ':memory:' for a private in-memory database. */
  static async open(path: string, opts: SqliteOptions = {}): Promise<SqliteStore> {
    const inMemory = path === ':memory:';
    if (!inMemory) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    try {
      if (!inMemory) {
        // Before WAL is enabled: exclusive mode also keeps the WAL index in process memory.
        db.pragma('locking_mode = EXCLUSIVE');
        db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.lockTimeoutMs ?? 1000))}`);
        db.pragma('journal_mode = WAL');
      }
      const sync = opts.synchronous ?? 'NORMAL';
      if (sync !== 'NORMAL' && sync !== 'FULL') throw new TypeError(`synchronous must be NORMAL or FULL, not ${String(sync)}`);
      db.pragma(`synchronous = ${sync}`);
      db.pragma('cache_size = -32768'); // 32 MiB: big lists stay in memory
      db.exec(SCHEMA);
      migrate(db);
      return new SqliteStore(path, db);
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code === 'SQLITE_BUSY') {
        throw new Error(`sqlite store ${path} is in use by another process`, { cause: err });
      }
      throw err;
    }
  }

  async get(key: string): Promise<KV | null> {
    const row = this.latest(key);
    return row && !row.deleted ? rowKV(row) : null;
  }

  async create(key: string, value: string): Promise<KV> {
    assertKey(key);
    const ev = await this.write(() => {
      const prev = this.latest(key);
      if (prev && !prev.deleted) throw new KeyExistsError(key);
      const id = this.txRev + 1;
      return this.append({ id, name: key, created: 1, deleted: 0, create_revision: id, prev_revision: prev?.id ?? 0, value, old_value: null });
    });
    return { ...ev.kv };
  }

  async update(key: string, value: string, expectedModRevision?: number): Promise<KV> {
    const ev = await this.write(() => {
      const prev = this.mustExist(key, expectedModRevision);
      return this.append({ id: this.txRev + 1, name: key, created: 0, deleted: 0, create_revision: prev.create_revision, prev_revision: prev.id, value, old_value: prev.value });
    });
    return { ...ev.kv };
  }

  async delete(key: string, expectedModRevision?: number): Promise<{ prev: KV; revision: number }> {
    const ev = await this.write(() => {
      const prev = this.mustExist(key, expectedModRevision);
      return this.append({ id: this.txRev + 1, name: key, created: 0, deleted: 1, create_revision: prev.create_revision, prev_revision: prev.id, value: prev.value, old_value: prev.value });
    });
    return { prev: { ...ev.prevKv! }, revision: ev.revision };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = this.readRevision(opts.revision);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const hi = prefixEnd(prefix);
    const paging = opts.after !== undefined && compareKeys(opts.after, prefix) >= 0;
    const params = { lo: paging ? opts.after : prefix, hi, rev: revision, limit: limit ? limit + 1 : -1 };
    const rows = (paging ? this.stmt.listAfter : this.stmt.listFrom).all(params) as Row[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    const items = rows.map(rowKV);
    // Only a cut list needs the (index-only) count of what lies beyond it.
    const remaining = more ? this.countBeyond(items[items.length - 1].key, hi, revision) : 0;
    return { items, revision, more, remaining };
  }

  async count(prefix: string): Promise<number> {
    this.checkOpen();
    return (this.stmt.countFrom.get({ lo: prefix, hi: prefixEnd(prefix), rev: this.rev }) as { n: number }).n;
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
    // Batches keep each transaction short so writes are not stalled behind a huge delete;
    // every batch is itself a complete compaction up to its `to`.
    while (this.db.open && this.compacted < revision) {
      const from = this.compacted;
      const to = Math.min(revision, from + COMPACT_BATCH);
      this.tx.immediate(() => {
        this.stmt.compactSuperseded.run({ from, to });
        this.stmt.compactTombstones.run({ from, to });
        this.stmt.setMeta.run(META_COMPACT_REVISION, to);
      });
      this.compacted = to;
      if (to < revision) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    if (this.queue.length) this.flush(); // writes already handed to the store still commit
    this.hub.closeAll(new Error('storage closed'));
    this.db.close();
  }

  // --- internals -------------------------------------------------------------------------

  /** Queues one write for the next group commit; resolves once it is committed. */
  private write(fn: () => WatchEvent): Promise<WatchEvent> {
    this.checkOpen();
    return new Promise<WatchEvent>((resolve, reject) => {
      if (this.queue.push({ fn, resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  /**
   * Commits every queued write in one transaction. Each write checks its preconditions
   * against the rows appended before it (same connection, same transaction) and fails alone
   * if they do not hold: its checks throw before it appends, and a failed INSERT is undone by
   * SQLite's statement rollback. Only after COMMIT do revisions advance and events go out.
   */
  private flush(): void {
    const batch = this.queue;
    this.queue = [];
    if (!this.db.open) { for (const w of batch) w.reject(new Error('storage closed')); return; }
    const results: (WatchEvent | Error)[] = [];
    try {
      this.tx.immediate(() => {
        for (const w of batch) {
          try {
            const ev = w.fn();
            this.txRev = ev.revision;
            results.push(ev);
          } catch (e) {
            results.push(e as Error);
          }
        }
      });
    } catch (e) {
      // the COMMIT itself failed: nothing of the batch is stored
      this.txRev = this.rev;
      for (const w of batch) w.reject(e as Error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const r = results[i];
      if (r instanceof Error) { batch[i].reject(r); continue; }
      this.rev = r.revision;
      this.hub.publish(r);
      batch[i].resolve(r);
    }
  }

  private append(row: Row): WatchEvent {
    // The UNIQUE(name, prev_revision) index rejects this if another writer got there first.
    this.stmt.insert.run(row);
    return rowEvent(row);
  }

  private latest(key: string): Row | undefined {
    this.checkOpen();
    return this.stmt.latest.get(key) as Row | undefined;
  }

  private mustExist(key: string, expectedModRevision?: number): Row {
    const row = this.latest(key);
    if (!row || row.deleted) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && expectedModRevision !== row.id) {
      throw new RevisionConflictError(key, rowKV(row));
    }
    return row;
  }

  private countBeyond(after: string, hi: string, rev: number): number {
    return (this.stmt.countAfter.get({ lo: after, hi, rev }) as { n: number }).n;
  }

  private readRevision(requested: number | undefined): number {
    if (!requested) return this.rev;
    if (requested > this.rev) throw new FutureRevisionError(requested, this.rev);
    if (requested < this.compacted) throw new CompactedError(requested, this.compacted);
    return requested;
  }

  private checkOpen(): void {
    if (!this.db.open) throw new Error('storage closed');
  }
}

interface PendingWrite {
  fn: () => WatchEvent;
  resolve: (ev: WatchEvent) => void;
  reject: (e: Error) => void;
}

function rowKV(r: Pick<Row, 'id' | 'name' | 'create_revision' | 'value'>): KV {
  return { key: r.name, value: r.value, createRevision: r.create_revision, modRevision: r.id };
}

function rowEvent(r: Row): WatchEvent {
  const kv = rowKV(r);
  if (r.created) return { type: 'PUT', kv, revision: r.id };
  const prevKv: KV = { key: r.name, value: r.old_value ?? r.value, createRevision: r.create_revision, modRevision: r.prev_revision };
  return { type: r.deleted ? 'DELETE' : 'PUT', kv, prevKv, revision: r.id };
}

/** Refuses files written by a newer skiff; stamps new files with the schema version. */
function migrate(db: Database.Database): void {
  const row = db.prepare(SQL.getMeta).get(META_SCHEMA_VERSION) as { value: number } | undefined;
  if (row && row.value > SCHEMA_VERSION) {
    throw new Error(`sqlite store schema version ${row.value} is newer than this skiff supports (${SCHEMA_VERSION})`);
  }
  if (!row) db.prepare(SQL.setMeta).run(META_SCHEMA_VERSION, SCHEMA_VERSION);
}
