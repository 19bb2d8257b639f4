// WatchHub behaviour that the conformance suite cannot reach through every backend.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStore } from './memory/memory.js';
import { CompactedError, type WatchEvent } from './store.js';

test('compaction overtaking a long replay rejects the watch with CompactedError', async () => {
  const s = new MemoryStore();
  const ac = new AbortController();
  try {
    for (let i = 0; i < 2500; i++) await s.create(`/k/${i}`, '{}');
    const seen: number[] = [];
    const errors: Error[] = [];
    const watching = s.watch('/k/', { fromRevision: 0, signal: ac.signal }, (e) => seen.push(e.revision), (e) => errors.push(e));
    await s.compact(await s.currentRevision()); // runs while the first replay chunk is out
    await assert.rejects(watching, (err: unknown) => err instanceof CompactedError && err.requested === 1000 && err.compacted === 2500);
    assert.equal(seen.length, 1000, 'stops after the chunk it had read');
    await s.create('/k/after', '{}');
    assert.equal(seen.length, 1000, 'the watcher is gone');
    assert.deepEqual(errors, []);
  } finally {
    ac.abort();
    await s.close();
  }
});

test('a throwing callback ends its watch through onError; others keep going', async () => {
  const s = new MemoryStore();
  const ac = new AbortController();
  try {
    const errors: Error[] = [];
    let calls = 0;
    await s.watch('/k/', { fromRevision: 0, signal: ac.signal }, () => { calls++; throw new Error('consumer broke'); }, (e) => errors.push(e));
    const ok: WatchEvent[] = [];
    await s.watch('/k/', { fromRevision: 0, signal: ac.signal }, (e) => ok.push(e));
    await s.create('/k/1', '{}');
    await s.create('/k/2', '{}');
    assert.equal(calls, 1);
    assert.deepEqual(errors.map((e) => e.message), ['consumer broke']);
    assert.deepEqual(ok.map((e) => e.kv.key), ['/k/1', '/k/2']);
  } finally {
    ac.abort();
    await s.close();
  }
});

test('events handed to watchers are frozen', async () => {
  const s = new MemoryStore();
  const ac = new AbortController();
  try {
    const got: WatchEvent[] = [];
    await s.watch('/k/', { fromRevision: 0, signal: ac.signal }, (e) => got.push(e));
    await s.create('/k/1', '{}');
    await s.update('/k/1', '{"a":1}');
    assert.ok(Object.isFrozen(got[1]) && Object.isFrozen(got[1].kv) && Object.isFrozen(got[1].prevKv));
  } finally {
    ac.abort();
    await s.close();
  }
});
