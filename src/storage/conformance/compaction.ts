// Conformance: compaction (history below the compact revision is gone, current data is not).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompactedError, FutureRevisionError, type WatchEvent } from '../store.js';
import { Collector, ev, kv, rejectsWith, watch, withStore, type MakeStore } from './helpers.js';

export function compactionTests(make: MakeStore): void {
  test('compaction removes old history and keeps current data and newer history', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      const a1 = await s.create('/c/a', 'a1');
      const b1 = await s.create('/c/b', 'b1');
      const gone = await s.create('/c/gone', 'deleted before the compaction');
      const a2 = await s.update('/c/a', 'a2');
      const dGone = await s.delete('/c/gone');
      const b2 = await s.update('/c/b', 'b2');
      const point = await s.currentRevision();
      const a3 = await s.update('/c/a', 'a3'); // after the compaction point: its prevKv is older
      const dB = await s.delete('/c/b');
      const d1 = await s.create('/c/d', 'd1');
      const before = (await s.list('/c/')).items.map(kv);

      await s.compact(point);
      assert.equal(await s.compactRevision(), point);

      // The present is untouched.
      assert.deepEqual((await s.list('/c/')).items.map(kv), before);
      assert.equal(await s.count('/c/'), 2);
      assert.deepEqual(kv((await s.get('/c/a'))!), kv(a3));
      assert.equal(await s.get('/c/gone'), null);
      assert.equal(await s.get('/c/b'), null);

      // Reading at the compaction point still works and sees the state at that point.
      const atPoint = await s.list('/c/', { revision: point });
      assert.deepEqual(atPoint.items.map((i) => [i.key, i.value]), [['/c/a', 'a2'], ['/c/b', 'b2']]);
      assert.deepEqual((await s.list('/c/', { revision: a3.modRevision })).items.map((i) => [i.key, i.value]), [['/c/a', 'a3'], ['/c/b', 'b2']]);

      // Below it, the past is gone.
      await rejectsWith(s.list('/c/', { revision: point - 1 }), CompactedError, (e) => {
        assert.equal(e.requested, point - 1);
        assert.equal(e.compacted, point);
      });
      await rejectsWith(s.list('/c/', { revision: a1.modRevision }), CompactedError);
      await rejectsWith(watch(s, '/c/', point - 1, new Collector(), ac.signal), CompactedError, (e) => assert.equal(e.compacted, point));

      // A watch from the compaction point replays everything after it, prevKvs included.
      const c = new Collector();
      await watch(s, '/c/', point, c, ac.signal);
      await c.untilKey('/c/d');
      const expected: WatchEvent[] = [
        { type: 'PUT', revision: a3.modRevision, kv: kv(a3), prevKv: kv(a2) },
        { type: 'DELETE', revision: dB.revision, kv: { ...kv(b2), modRevision: dB.revision }, prevKv: kv(b2) },
        { type: 'PUT', revision: d1.modRevision, kv: kv(d1) },
      ];
      assert.deepEqual(c.events.map(ev), expected);
      assert.equal(a2.createRevision, a1.createRevision);

      // Keys whose whole life was compacted away can be created again.
      const again = await s.create('/c/gone', 'back');
      assert.equal(again.createRevision, again.modRevision);
      assert.ok(again.modRevision > dGone.revision && gone.modRevision < dGone.revision);
      assert.equal(b1.createRevision, b2.createRevision);
    } finally {
      ac.abort();
    }
  }));

  test('compaction is idempotent, monotonic and refuses the future', () => withStore(make, async (s) => {
    for (let i = 0; i < 6; i++) await s.create(`/c/${i}`, `${i}`);
    const cur = await s.currentRevision();
    await rejectsWith(s.compact(cur + 1), FutureRevisionError, (e) => assert.equal(e.requested, cur + 1));
    assert.equal(await s.compactRevision(), 0);
    await s.compact(cur - 2);
    await s.compact(cur - 2);
    await s.compact(cur - 4); // older than what is compacted: nothing to do
    assert.equal(await s.compactRevision(), cur - 2);
    await s.compact(cur); // compacting everything keeps every current key
    assert.equal(await s.compactRevision(), cur);
    assert.equal(await s.count('/c/'), 6);
    assert.equal((await s.list('/c/', { revision: cur })).items.length, 6);
    // The revision counter is not affected: the next write still gets a newer revision.
    assert.ok((await s.create('/c/next', '.')).modRevision > cur);
  }));

  test('compacting past a delete of the newest key keeps revisions moving forward', () => withStore(make, async (s) => {
    await s.create('/c/a', '1');
    const d = await s.delete('/c/a');
    await s.compact(d.revision);
    assert.equal(await s.currentRevision(), d.revision);
    assert.ok((await s.create('/c/a', '2')).modRevision > d.revision);
  }));
}
