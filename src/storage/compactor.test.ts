import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { startCompactor } from './compactor.js';
import { MemoryStore } from './memory/memory.js';

/** Resolves with the revision of the next compaction the compactor reports. */
function nextCompaction(): { onCompact: (rev: number) => void; next: () => Promise<number> } {
  let resolveNext: ((rev: number) => void) | undefined;
  return {
    onCompact: (rev) => resolveNext?.(rev),
    next: () => new Promise<number>((resolve) => { resolveNext = resolve; }),
  };
}

test('compacts to the revision seen one interval ago, keeping newer history', async () => {
  const s = new MemoryStore();
  const ac = new AbortController();
  // The compactor's timer is unref'd (it must not keep a process alive), so hold the loop open.
  const keepAlive = setInterval(() => {}, 1000);
  try {
    for (let i = 0; i < 10; i++) await s.create(`/k/${i}`, '{}');
    const hook = nextCompaction();
    const first = hook.next();
    startCompactor(s, ac.signal, { intervalMs: 50, keepRevisions: 2, onCompact: hook.onCompact, onError: (e) => assert.fail(String(e)) });
    for (let i = 10; i < 20; i++) await s.create(`/k/${i}`, '{}'); // after the first run saw revision 10
    assert.equal(await first, 10, 'history written during the last interval survives');
    assert.equal(await s.compactRevision(), 10);
    assert.equal(await s.count('/k/'), 20);
    // With no writes, keepRevisions bounds it: current (20) - 2.
    assert.equal(await hook.next(), 18);
  } finally {
    clearInterval(keepAlive);
    ac.abort();
    await s.close();
  }
});

test('stops when the signal aborts', async () => {
  const s = new MemoryStore();
  const ac = new AbortController();
  try {
    for (let i = 0; i < 10; i++) await s.create(`/k/${i}`, '{}');
    let runs = 0;
    startCompactor(s, ac.signal, { intervalMs: 5, keepRevisions: 0, onCompact: () => runs++ });
    ac.abort();
    await sleep(30);
    assert.equal(runs, 0);
    assert.equal(await s.compactRevision(), 0);
  } finally {
    await s.close();
  }
});
