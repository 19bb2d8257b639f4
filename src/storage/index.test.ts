import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from './index.js';
import { MemoryStore } from './memory/memory.js';
import { SqliteStore } from './sqlite/sqlite.js';

test('openStore opens each backend', async () => {
  const m = await openStore({ backend: 'memory' });
  assert.ok(m instanceof MemoryStore);
  await m.create('/a', '1');
  await m.close();
  const s = await openStore({ backend: 'sqlite', path: ':memory:' });
  assert.ok(s instanceof SqliteStore);
  assert.equal((await s.create('/a', '1')).modRevision, 1);
  await s.close();
  await assert.rejects(openStore({ backend: 'sqlite' }), /needs a path/);
  await assert.rejects(openStore({ backend: 'nope' } as never), /unknown storage backend: nope/);
});

test('the default compactor runs for the store and stops on close', async () => {
  const keepAlive = setInterval(() => {}, 1000); // the compactor's timer is unref'd
  let compacted!: (rev: number) => void;
  const done = new Promise<number>((resolve) => { compacted = resolve; });
  const s = await openStore({ backend: 'memory', compaction: { intervalMs: 10, keepRevisions: 1, onCompact: (rev) => compacted(rev) } });
  try {
    for (let i = 0; i < 5; i++) await s.create(`/k/${i}`, '{}');
    const rev = await done;
    assert.ok(rev >= 1 && rev <= 4, `compacted to ${rev}`); // at most current - keepRevisions
    assert.equal(await s.compactRevision(), rev);
  } finally {
    clearInterval(keepAlive);
    await s.close();
  }
});
