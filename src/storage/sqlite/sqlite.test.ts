import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { runConformance } from '../conformance.js';
import type { Store } from '../store.js';
import { SqliteStore } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runConformance('sqlite file', () => SqliteStore.open(join(dir, `t${n++}.db`)), {
  reopen: async (s: Store) => {
    const path = (s as SqliteStore).path;
    await s.close();
    return SqliteStore.open(path);
  },
});

runConformance('sqlite :memory:', () => SqliteStore.open(':memory:'));

// Behaviour specific to the SQLite file, beyond the Store contract.

test('compaction physically deletes superseded rows and tombstones, keeping current rows', async () => {
  const path = join(dir, 'physical.db');
  const s = await SqliteStore.open(path);
  for (let i = 0; i < 10; i++) await s.create(`/p/${i}`, `${i}`);
  for (let i = 0; i < 10; i++) await s.update(`/p/${i}`, `u${i}`);
  for (let i = 0; i < 5; i++) await s.delete(`/p/${i}`);
  const mid = await s.currentRevision();
  await s.update('/p/9', 'after'); // history above the compaction point stays
  await s.compact(mid);
  await s.close();
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare('SELECT name, deleted, value FROM kv ORDER BY id').all() as { name: string; deleted: number; value: string }[];
    assert.deepEqual(rows.map((r) => `${r.name}=${r.value}${r.deleted ? ' (deleted)' : ''}`), ['/p/5=u5', '/p/6=u6', '/p/7=u7', '/p/8=u8', '/p/9=u9', '/p/9=after']);
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  } finally {
    db.close();
  }
});

test('a second process (or connection) cannot open a file in use', async () => {
  const path = join(dir, 'locked.db');
  await (await SqliteStore.open(path)).close();
  const s = await SqliteStore.open(path); // an existing file, opened without writing: still held
  try {
    await assert.rejects(SqliteStore.open(path, { lockTimeoutMs: 0 }), /in use by another process/);
  } finally {
    await s.close();
  }
  const again = await SqliteStore.open(path, { lockTimeoutMs: 0 });
  await again.close();
});

test('open creates missing parent directories; files from a newer schema are refused', async () => {
  const path = join(dir, 'nested', 'deeper', 'state.db');
  const s = await SqliteStore.open(path);
  await s.create('/a', '1');
  await s.close();
  const db = new Database(path);
  db.prepare("UPDATE meta SET value = 99 WHERE key = 'schema_version'").run();
  db.close();
  await assert.rejects(SqliteStore.open(path), /schema version 99 is newer/);
});

test('writes issued in one turn commit together, each checked against the ones before it', async () => {
  const s = await SqliteStore.open(join(dir, 'group.db'));
  try {
    const base = await s.currentRevision();
    const seen: string[] = [];
    const ac = new AbortController();
    void s.watch('/g/', { fromRevision: base, signal: ac.signal }, (ev) => { seen.push(`${ev.type} ${ev.kv.key}@${ev.revision}`); });
    // all issued before any commit: the duplicate and the stale update fail alone
    const results = await Promise.allSettled([
      s.create('/g/a', '1'),
      s.create('/g/a', 'dup'),
      s.update('/g/a', '2', base + 1),
      s.update('/g/a', 'stale', base + 1),
      s.create('/g/b', '1'),
      s.delete('/g/missing'),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'rejected']);
    assert.deepEqual(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<{ modRevision: number }>).value.modRevision), [base + 1, base + 2, base + 3]);
    assert.equal(await s.currentRevision(), base + 3, 'failed writes consume no revision');
    assert.equal((await s.get('/g/a'))?.value, '2');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(seen, [`PUT /g/a@${base + 1}`, `PUT /g/a@${base + 2}`, `PUT /g/b@${base + 3}`]);
    ac.abort();
  } finally {
    await s.close();
  }
});

test('writes still queued when the store closes are committed, not dropped', async () => {
  const path = join(dir, 'close.db');
  const s = await SqliteStore.open(path);
  const w = s.create('/c/x', 'v');
  await s.close();
  assert.equal((await w).modRevision, 1);
  const again = await SqliteStore.open(path);
  try {
    assert.equal((await again.get('/c/x'))?.value, 'v');
  } finally {
    await again.close();
  }
});
