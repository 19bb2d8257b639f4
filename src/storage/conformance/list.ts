// Conformance: list (prefix, order, paging, reading the past) and count.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FutureRevisionError, type Store } from '../store.js';
import { kv, rejectsWith, withStore, type MakeStore } from './helpers.js';

const keysOf = async (s: Store, prefix: string, opts?: Parameters<Store['list']>[1]) => (await s.list(prefix, opts)).items.map((i) => i.key);

export function listTests(make: MakeStore): void {
  test('list returns exactly the keys under the prefix, in key order', () => withStore(make, async (s) => {
    // Created out of order, with siblings that share the prefix's characters but not its "/".
    for (const k of ['/a/b/2', '/a/bc/1', '/a/b', '/a/b/1', '/a/a/1', '/a/b/10', '/b/b/1', '/a/b0']) await s.create(k, JSON.stringify(k));
    assert.deepEqual(await keysOf(s, '/a/b/'), ['/a/b/1', '/a/b/10', '/a/b/2']);
    assert.deepEqual(await keysOf(s, '/a/bc/'), ['/a/bc/1']);
    assert.deepEqual(await keysOf(s, '/a/'), ['/a/a/1', '/a/b', '/a/b/1', '/a/b/10', '/a/b/2', '/a/b0', '/a/bc/1']);
    assert.deepEqual(await keysOf(s, '/'), ['/a/a/1', '/a/b', '/a/b/1', '/a/b/10', '/a/b/2', '/a/b0', '/a/bc/1', '/b/b/1']);
    assert.deepEqual(await keysOf(s, '/c/'), []);
    const r = await s.list('/a/b/');
    assert.equal(r.revision, await s.currentRevision());
    assert.equal(r.more, false);
    assert.equal(r.remaining, 0);
    for (const it of r.items) assert.equal(it.value, JSON.stringify(it.key));
    assert.equal(await s.count('/a/b/'), 3);
    assert.equal(await s.count('/a/'), 7);
    assert.equal(await s.count('/'), 8);
    assert.equal(await s.count('/c/'), 0);
  }));

  test('list and count skip deleted keys and show current values', () => withStore(make, async (s) => {
    for (let i = 0; i < 5; i++) await s.create(`/p/${i}`, `v${i}`);
    await s.delete('/p/1');
    await s.delete('/p/3');
    await s.update('/p/2', 'new');
    const r = await s.list('/p/');
    assert.deepEqual(r.items.map((i) => [i.key, i.value]), [['/p/0', 'v0'], ['/p/2', 'new'], ['/p/4', 'v4']]);
    assert.deepEqual(kv(r.items[1]), kv((await s.get('/p/2'))!));
    assert.equal(await s.count('/p/'), 3);
  }));

  test('limit, after, more and remaining page through a prefix', () => withStore(make, async (s) => {
    for (let i = 0; i < 10; i++) await s.create(`/p/${i}`, `${i}`);
    await s.create('/q/0', 'other prefix');
    await s.delete('/p/5'); // a gap the pages must skip and not count
    const p1 = await s.list('/p/', { limit: 3 });
    assert.deepEqual(p1.items.map((i) => i.key), ['/p/0', '/p/1', '/p/2']);
    assert.equal(p1.more, true);
    assert.equal(p1.remaining, 6);
    const p2 = await s.list('/p/', { limit: 3, after: '/p/2' });
    assert.deepEqual(p2.items.map((i) => i.key), ['/p/3', '/p/4', '/p/6']);
    assert.equal(p2.remaining, 3);
    const p3 = await s.list('/p/', { limit: 3, after: '/p/6' });
    assert.deepEqual(p3.items.map((i) => i.key), ['/p/7', '/p/8', '/p/9']);
    assert.equal(p3.more, false, 'an exactly full last page has no more');
    assert.equal(p3.remaining, 0);
    assert.deepEqual(await keysOf(s, '/p/', { after: '/p/8' }), ['/p/9']);
    assert.deepEqual(await keysOf(s, '/p/', { after: '/p/9' }), []);
    assert.deepEqual(await keysOf(s, '/p/', { after: '/p/55' }), ['/p/6', '/p/7', '/p/8', '/p/9'], 'after need not be a key');
    assert.deepEqual(await keysOf(s, '/p/', { after: '/a' }), (await keysOf(s, '/p/')), 'after below the prefix changes nothing');
    const all = await s.list('/p/', { limit: 100 });
    assert.equal(all.items.length, 9);
    assert.equal(all.more, false);
    assert.equal(all.remaining, 0);
    assert.equal((await s.list('/p/', { limit: 0 })).items.length, 9, 'limit 0 means no limit');
  }));

  test('paging at a fixed revision is a consistent snapshot', () => withStore(make, async (s) => {
    for (let i = 0; i < 6; i++) await s.create(`/p/${i}`, `${i}`);
    const p1 = await s.list('/p/', { limit: 3 });
    await s.create('/p/4a', 'late');
    await s.delete('/p/5');
    await s.update('/p/3', 'changed');
    const p2 = await s.list('/p/', { limit: 3, after: '/p/2', revision: p1.revision });
    assert.equal(p2.revision, p1.revision);
    assert.deepEqual(p2.items.map((i) => [i.key, i.value]), [['/p/3', '3'], ['/p/4', '4'], ['/p/5', '5']]);
    assert.equal(p2.more, false);
  }));

  test('list at an older revision sees the past exactly', () => withStore(make, async (s) => {
    const a1 = await s.create('/p/a', 'a1');
    const b1 = await s.create('/p/b', 'b1');
    const a2 = await s.update('/p/a', 'a2');
    const c1 = await s.create('/p/c', 'c1');
    const delB = await s.delete('/p/b');
    const b2 = await s.create('/p/b', 'b2');
    const at = async (rev: number) => {
      const r = await s.list('/p/', { revision: rev });
      assert.equal(r.revision, rev);
      return r.items.map(kv);
    };
    assert.deepEqual(await at(a1.modRevision), [kv(a1)]);
    assert.deepEqual(await at(b1.modRevision), [kv(a1), kv(b1)]);
    assert.deepEqual(await at(a2.modRevision), [kv(a2), kv(b1)], 'old value of a is replaced, c not yet created');
    assert.deepEqual(await at(c1.modRevision), [kv(a2), kv(b1), kv(c1)], 'b is seen although deleted later');
    assert.deepEqual(await at(delB.revision), [kv(a2), kv(c1)]);
    assert.deepEqual(await at(b2.modRevision), [kv(a2), kv(b2), kv(c1)]);
    const paged = await s.list('/p/', { revision: c1.modRevision, limit: 1, after: '/p/a' });
    assert.deepEqual(paged.items.map(kv), [kv(b1)]);
    assert.equal(paged.more, true);
    assert.equal(paged.remaining, 1);
    assert.deepEqual((await s.list('/p/', { revision: await s.currentRevision() })).items.map(kv), (await s.list('/p/')).items.map(kv));
  }));

  test('list at a future revision throws FutureRevisionError', () => withStore(make, async (s) => {
    await s.create('/p/a', '1');
    const cur = await s.currentRevision();
    await rejectsWith(s.list('/p/', { revision: cur + 1 }), FutureRevisionError, (e) => {
      assert.equal(e.requested, cur + 1);
      assert.equal(e.current, cur);
    });
  }));
}
