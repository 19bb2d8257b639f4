// Conformance: single-key reads and writes, typed errors, revision accounting.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeyExistsError, KeyNotFoundError, RevisionConflictError } from '../store.js';
import { increasing, kv, rejectsWith, withStore, type MakeStore } from './helpers.js';

export function crudTests(make: MakeStore): void {
  test('an empty store has revision 0 and nothing in it', () => withStore(make, async (s) => {
    assert.equal(await s.currentRevision(), 0);
    assert.equal(await s.compactRevision(), 0);
    assert.equal(await s.get('/a/x'), null);
    assert.equal(await s.count('/'), 0);
    assert.deepEqual(await s.list('/'), { items: [], revision: 0, more: false, remaining: 0 });
  }));

  test('create, get, update keep createRevision and move modRevision', () => withStore(make, async (s) => {
    const a = await s.create('/a/x', '{"v":1}');
    assert.ok(a.modRevision > 0);
    assert.deepEqual(kv(a), { key: '/a/x', value: '{"v":1}', createRevision: a.modRevision, modRevision: a.modRevision });
    assert.equal(await s.currentRevision(), a.modRevision);
    assert.deepEqual(kv((await s.get('/a/x'))!), kv(a));

    const b = await s.create('/a/y', '{"v":2}');
    assert.ok(b.modRevision > a.modRevision, 'revisions are global across keys');

    const a2 = await s.update('/a/x', '{"v":3}');
    assert.ok(a2.modRevision > b.modRevision);
    assert.equal(a2.createRevision, a.createRevision, 'update keeps createRevision');
    assert.deepEqual(kv((await s.get('/a/x'))!), kv(a2));
    assert.equal(await s.currentRevision(), a2.modRevision);

    // An update to the same value is still a write with its own revision.
    const a3 = await s.update('/a/x', '{"v":3}', a2.modRevision);
    assert.ok(a3.modRevision > a2.modRevision);
  }));

  test('create on an existing key throws KeyExistsError and writes nothing', () => withStore(make, async (s) => {
    await s.create('/a/x', '1');
    const rev = await s.currentRevision();
    await rejectsWith(s.create('/a/x', '2'), KeyExistsError, (e) => assert.equal(e.key, '/a/x'));
    assert.equal(await s.currentRevision(), rev, 'a failed write takes no revision');
    assert.equal((await s.get('/a/x'))!.value, '1');
  }));

  test('update and delete of a missing key throw KeyNotFoundError', () => withStore(make, async (s) => {
    await rejectsWith(s.update('/a/x', '1'), KeyNotFoundError, (e) => assert.equal(e.key, '/a/x'));
    await rejectsWith(s.update('/a/x', '1', 5), KeyNotFoundError);
    await rejectsWith(s.delete('/a/x'), KeyNotFoundError, (e) => assert.equal(e.key, '/a/x'));
    await s.create('/a/x', '1');
    const { revision } = await s.delete('/a/x');
    await rejectsWith(s.update('/a/x', '2'), KeyNotFoundError);
    await rejectsWith(s.delete('/a/x'), KeyNotFoundError);
    assert.equal(await s.currentRevision(), revision, 'failed writes take no revision');
  }));

  test('expectedModRevision is compare-and-swap for update and delete', () => withStore(make, async (s) => {
    const a = await s.create('/a/x', '1');
    const a2 = await s.update('/a/x', '2', a.modRevision);
    const rev = await s.currentRevision();
    await rejectsWith(s.update('/a/x', '3', a.modRevision), RevisionConflictError, (e) => {
      assert.equal(e.key, '/a/x');
      assert.deepEqual(kv(e.current), kv(a2), 'the error carries the current kv');
    });
    await rejectsWith(s.delete('/a/x', a.modRevision), RevisionConflictError, (e) => assert.deepEqual(kv(e.current), kv(a2)));
    assert.equal(await s.currentRevision(), rev, 'conflicts take no revision');
    assert.equal((await s.get('/a/x'))!.value, '2');
    const d = await s.delete('/a/x', a2.modRevision);
    assert.deepEqual(kv(d.prev), kv(a2));
    assert.equal(await s.get('/a/x'), null);
  }));

  test('delete returns the deleted kv and its own revision; the key can be created again', () => withStore(make, async (s) => {
    const a = await s.create('/a/x', '1');
    const d = await s.delete('/a/x');
    assert.deepEqual(kv(d.prev), kv(a));
    assert.ok(d.revision > a.modRevision);
    assert.equal(await s.currentRevision(), d.revision);
    assert.equal(await s.get('/a/x'), null);
    const again = await s.create('/a/x', '2');
    assert.ok(again.modRevision > d.revision);
    assert.equal(again.createRevision, again.modRevision, 'a re-created key starts a new life');
  }));

  test('revisions strictly increase over a mixed sequence of writes', () => withStore(make, async (s) => {
    const revs: number[] = [];
    for (let i = 0; i < 5; i++) revs.push((await s.create(`/k/${i}`, `${i}`)).modRevision);
    for (let i = 0; i < 5; i++) revs.push((await s.update(`/k/${i}`, `u${i}`)).modRevision);
    for (let i = 0; i < 5; i += 2) revs.push((await s.delete(`/k/${i}`)).revision);
    assert.ok(increasing(revs), `not increasing: ${revs}`);
    assert.equal(await s.currentRevision(), revs[revs.length - 1]);
  }));

  test('values are stored verbatim (unicode, large)', () => withStore(make, async (s) => {
    const big = JSON.stringify({ data: 'x'.repeat(300_000), u: 'héllo ✓ 𝄞 \u0000 "q"' });
    await s.create('/a/big', big);
    assert.equal((await s.get('/a/big'))!.value, big);
    await s.create('/a/ünï/𝄞', '{}');
    assert.equal((await s.get('/a/ünï/𝄞'))!.value, '{}');
    assert.deepEqual((await s.list('/a/ünï/')).items.map((i) => i.key), ['/a/ünï/𝄞']);
  }));

  test('returned kvs are copies: mutating one does not change the store', () => withStore(make, async (s) => {
    const a = await s.create('/a/x', '1');
    try { (a as { value: string }).value = 'mutated'; } catch { /* frozen is fine too */ }
    const got = (await s.get('/a/x'))!;
    try { (got as { value: string }).value = 'mutated'; } catch { /* frozen is fine too */ }
    assert.equal((await s.get('/a/x'))!.value, '1');
    assert.equal((await s.list('/a/')).items[0].value, '1');
  }));
}
