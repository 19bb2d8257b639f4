// Conformance: concurrent writers (compare-and-swap must let exactly one win) and reopening.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyExistsError, RevisionConflictError, type Store } from '../store.js';
import { Collector, kv, watch, withStore, type MakeStore } from './helpers.js';

export function concurrencyTests(make: MakeStore): void {
  test('concurrent CAS updates on one revision: exactly one wins', () => withStore(make, async (s) => {
    const base = await s.create('/x/counter', '0');
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => s.update('/x/counter', `${i}`, base.modRevision)));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 1);
    for (const r of lost) assert.ok(r.reason instanceof RevisionConflictError, String(r.reason));
    assert.equal((await s.get('/x/counter'))!.modRevision, (won[0] as PromiseFulfilledResult<{ modRevision: number }>).value.modRevision);
  }));

  test('concurrent creates of one key: exactly one wins', () => withStore(make, async (s) => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.create('/x/one', `${i}`)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof KeyExistsError);
  }));

  test('read-modify-write workers with retries lose no increment', () => withStore(make, async (s) => {
    await s.create('/x/counter', '0');
    const revisions: number[] = [];
    const worker = async () => {
      for (let n = 0; n < 10;) {
        const cur = (await s.get('/x/counter'))!;
        try {
          const next = await s.update('/x/counter', String(Number(cur.value) + 1), cur.modRevision);
          revisions.push(next.modRevision);
          n++;
        } catch (err) {
          if (!(err instanceof RevisionConflictError)) throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.equal((await s.get('/x/counter'))!.value, '80');
    assert.equal(new Set(revisions).size, 80, 'every successful write has its own revision');
  }));
}

/** For persistent backends: close, reopen the same data, and find everything as it was. */
export function reopenTests(make: MakeStore, reopen: (s: Store) => Promise<Store>): void {
  test('reopening keeps data, history, revisions and the compaction point', async () => {
    let s = await make();
    try {
      for (let i = 0; i < 5; i++) await s.create(`/r/${i}`, `v${i}`);
      await s.update('/r/1', 'v1b');
      await s.delete('/r/2');
      const mid = await s.currentRevision();
      await s.update('/r/3', 'v3b');
      await s.compact(mid);
      await s.create('/r/last', 'x');
      const d = await s.delete('/r/last'); // the newest row is a tombstone
      const items = (await s.list('/r/')).items.map(kv);
      const atMid = (await s.list('/r/', { revision: mid })).items.map(kv);
      const rev = await s.currentRevision();
      assert.equal(rev, d.revision);

      s = await reopen(s);
      assert.equal(await s.currentRevision(), rev);
      assert.equal(await s.compactRevision(), mid);
      assert.deepEqual((await s.list('/r/')).items.map(kv), items);
      assert.deepEqual((await s.list('/r/', { revision: mid })).items.map(kv), atMid);
      assert.equal(await s.count('/r/'), 4);
      assert.deepEqual(kv((await s.get('/r/1'))!), items[1]);

      // History after the compaction point is still there for watches.
      const ac = new AbortController();
      const c = new Collector();
      try {
        await watch(s, '/r/', mid, c, ac.signal);
        await c.until('the replay', () => c.events.length >= 3);
      } finally {
        ac.abort();
      }
      assert.deepEqual(c.events.map((e) => `${e.type} ${e.kv.key} ${e.prevKv?.value ?? '-'}`), ['PUT /r/3 v3', 'PUT /r/last -', 'DELETE /r/last x']);

      // Revisions continue after the last one, even though that row was a tombstone.
      await s.compact(rev);
      s = await reopen(s);
      const next = await s.create('/r/next', 'n');
      assert.ok(next.modRevision > rev, `revision went backwards: ${next.modRevision} <= ${rev}`);
    } finally {
      await s.close();
    }
  });
}
