// Conformance: watch (replay from a revision, live events, prefixes, abort, ordering).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KV, WatchEvent } from '../store.js';
import { Collector, ev, increasing, kv, watch, withStore, type MakeStore } from './helpers.js';

const put = (k: KV, prev?: KV): WatchEvent => ({ type: 'PUT', revision: k.modRevision, kv: kv(k), ...(prev ? { prevKv: kv(prev) } : {}) });
const del = (prev: KV, revision: number): WatchEvent => ({ type: 'DELETE', revision, kv: { ...kv(prev), modRevision: revision }, prevKv: kv(prev) });

export function watchTests(make: MakeStore): void {
  test('watch replays history after fromRevision in order, exactly once, then live events', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      const before = await s.create('/w/old', 'not replayed');
      const a1 = await s.create('/w/a', 'a1');
      const a2 = await s.update('/w/a', 'a2');
      const b1 = await s.create('/w/b', 'b1');
      const dA = await s.delete('/w/a');
      const c = new Collector();
      await watch(s, '/w/', before.modRevision, c, ac.signal);
      const history = [put(a1), put(a2, a1), put(b1), del(a2, dA.revision)];
      await c.until('the replay', () => c.events.length >= history.length);
      assert.deepEqual(c.events.map(ev), history);

      const b2 = await s.update('/w/b', 'b2');
      const a3 = await s.create('/w/a', 'a3');
      const dB = await s.delete('/w/b', b2.modRevision);
      await c.until('live events', () => c.events.length >= history.length + 3);
      // A last event proves nothing else (no duplicate) was queued before it.
      const end = await s.create('/w/end', '.');
      await c.untilKey('/w/end');
      assert.deepEqual(c.events.map(ev), [...history, put(b2, b1), put(a3), del(b2, dB.revision), put(end)]);
      assert.deepEqual(c.errors, []);
    } finally {
      ac.abort();
    }
  }));

  test('watch from the current revision delivers only new events', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      await s.create('/w/a', '1');
      const c = new Collector();
      await watch(s, '/w/', await s.currentRevision(), c, ac.signal);
      const b = await s.create('/w/b', '2');
      await c.untilKey('/w/b');
      assert.deepEqual(c.events.map(ev), [put(b)]);
    } finally {
      ac.abort();
    }
  }));

  test('watch from a future revision waits for it', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      const c = new Collector();
      await s.create('/w/before', '.');
      const mid = await s.currentRevision();
      await watch(s, '/w/', mid + 1, c, ac.signal);
      await s.create('/w/skipped', 'revision mid + 1 is not after fromRevision');
      const seen = await s.create('/w/seen', '.');
      await c.untilKey('/w/seen');
      assert.deepEqual(c.events.map(ev), [put(seen)]);
    } finally {
      ac.abort();
    }
  }));

  test('watch only sees keys under its prefix', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      const c = new Collector();
      await s.create('/w/bc/early', 'sibling, replayed?');
      await watch(s, '/w/b/', 0, c, ac.signal);
      await s.create('/w/bc/1', 'sibling');
      await s.create('/w/b', 'the prefix without its slash');
      await s.create('/w/a/1', 'other');
      const mine = await s.create('/w/b/1', 'mine');
      await c.untilKey('/w/b/1');
      const end = await s.create('/w/b/2', 'end');
      await c.untilKey('/w/b/2');
      assert.deepEqual(c.events.map(ev), [put(mine), put(end)]);
    } finally {
      ac.abort();
    }
  }));

  test('abort stops delivery; an already aborted signal delivers nothing', () => withStore(make, async (s) => {
    const ac = new AbortController();
    const control = new AbortController();
    try {
      const stopped = new Collector();
      const live = new Collector();
      const pre = new Collector();
      await s.create('/w/0', 'history');
      const aborted = AbortSignal.abort();
      await watch(s, '/w/', 0, pre, aborted);
      await watch(s, '/w/', await s.currentRevision(), stopped, ac.signal);
      await watch(s, '/w/', await s.currentRevision(), live, control.signal);
      await s.create('/w/1', 'seen by both');
      await stopped.untilKey('/w/1');
      ac.abort();
      await s.create('/w/2', 'after abort');
      await live.untilKey('/w/2'); // the store has delivered /w/2 to those still listening
      assert.deepEqual(stopped.keys(), ['/w/1']);
      assert.deepEqual(live.keys(), ['/w/1', '/w/2']);
      assert.deepEqual(pre.events, []);
      assert.deepEqual([...stopped.errors, ...pre.errors], [], 'abort is not an error');
    } finally {
      ac.abort();
      control.abort();
    }
  }));

  test('abort from inside the callback stops delivery at once', () => withStore(make, async (s) => {
    const ac = new AbortController();
    const control = new AbortController();
    try {
      const seen: string[] = [];
      await s.watch('/w/', { fromRevision: 0, signal: ac.signal }, (e) => {
        seen.push(e.kv.key);
        ac.abort();
      });
      const live = new Collector();
      await watch(s, '/w/', 0, live, control.signal);
      await s.create('/w/1', '1');
      await s.create('/w/2', '2');
      await live.untilKey('/w/2');
      assert.deepEqual(seen, ['/w/1']);
    } finally {
      ac.abort();
      control.abort();
    }
  }));

  test('a watch started during a burst of writes misses and repeats nothing', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      const first = await s.create('/w/start', '0');
      // Writes are in flight while the watch subscribes and replays.
      const writes: Promise<KV>[] = [];
      for (let i = 0; i < 200; i++) writes.push(s.create(`/w/k${i}`, `${i}`));
      const c = new Collector();
      const watching = watch(s, '/w/', first.modRevision, c, ac.signal);
      for (let i = 200; i < 400; i++) writes.push(s.create(`/w/k${i}`, `${i}`));
      await watching;
      const done = await Promise.all(writes);
      const expected = done.map((k) => k.modRevision).sort((x, y) => x - y);
      await c.until('all 400 events', () => c.events.length >= 400);
      const end = await s.create('/w/end', '.');
      await c.untilKey('/w/end');
      assert.deepEqual(c.revisions(), [...expected, end.modRevision]);
    } finally {
      ac.abort();
    }
  }));

  test('a long replay interleaved with new writes misses and repeats nothing', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      const first = await s.create('/w/start', '0');
      const expected: number[] = [];
      for (let i = 0; i < 2500; i++) expected.push((await s.create(`/w/h${i}`, `${i}`)).modRevision);
      const c = new Collector();
      const watching = watch(s, '/w/', first.modRevision, c, ac.signal);
      // Writes land while the history is still being replayed.
      for (let i = 0; i < 50; i++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        expected.push((await s.create(`/w/n${i}`, `${i}`)).modRevision);
      }
      await watching;
      await c.until('every event', () => c.events.length >= expected.length);
      const end = await s.create('/w/end', '.');
      await c.untilKey('/w/end');
      assert.deepEqual(c.revisions(), [...expected, end.modRevision]);
    } finally {
      ac.abort();
    }
  }));

  test('callbacks that write keep every watcher in revision order', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      const a = new Collector();
      const b = new Collector();
      let echoes = 0;
      // Each of the first events makes the callback write another key under the same prefix.
      await s.watch('/w/', { fromRevision: 0, signal: ac.signal }, (e) => {
        a.onEvent(e);
        if (e.kv.key.startsWith('/w/src') && echoes < 5) void s.create(`/w/echo${echoes++}`, '.');
      }, a.onError);
      await watch(s, '/w/', 0, b, ac.signal);
      for (let i = 0; i < 5; i++) await s.create(`/w/src${i}`, '.');
      await a.until('10 events', () => a.events.length >= 10);
      await b.until('10 events', () => b.events.length >= 10);
      for (const c of [a, b]) {
        assert.ok(increasing(c.revisions()), `out of order: ${c.revisions()}`);
        assert.equal(c.events.length, 10);
      }
      assert.deepEqual(a.revisions(), b.revisions());
    } finally {
      ac.abort();
    }
  }));

  test('a watch started from inside a callback gets each event once', () => withStore(make, async (s) => {
    const ac = new AbortController();
    try {
      const inner = new Collector();
      let started: Promise<void> | undefined;
      await s.watch('/w/', { fromRevision: await s.currentRevision(), signal: ac.signal }, (e) => {
        // Start from just before the event being delivered: it must arrive exactly once.
        started ??= watch(s, '/w/', e.revision - 1, inner, ac.signal);
      });
      await s.create('/w/a', '1');
      await s.create('/w/b', '2');
      await inner.untilKey('/w/b');
      await started;
      await s.create('/w/end', '.');
      await inner.untilKey('/w/end');
      assert.deepEqual(inner.keys(), ['/w/a', '/w/b', '/w/end']);
    } finally {
      ac.abort();
    }
  }));

  test('closing the store ends open watches with an error', async () => {
    const s = await make();
    const ac = new AbortController();
    const c = new Collector();
    try {
      await watch(s, '/w/', 0, c, ac.signal);
      await s.create('/w/1', '1');
      await c.untilKey('/w/1');
    } finally {
      await s.close();
    }
    await c.until('an error', () => c.errors.length > 0);
    assert.equal(c.errors.length, 1);
    assert.equal(c.events.length, 1);
    ac.abort();
  });
}
