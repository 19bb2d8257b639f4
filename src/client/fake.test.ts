import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../api/resources.js';
import { ResourceExpiredError, hasStatusCause, isAlreadyExists, isConflict, isNotFound, NAMESPACE_TERMINATING_CAUSE } from './errors.js';
import { FakeClient, jsonPatch, mergePatch } from './fake.js';
import type { WatchEvent } from './interface.js';
import { parseFieldSelector, parseLabelSelector } from './selector.js';

const CM = findResource('', 'v1', 'configmaps')!;
const NS = findResource('', 'v1', 'namespaces')!;
const EV_NEW = findResource('events.k8s.io', 'v1', 'events')!;
const EV = findResource('', 'v1', 'events')!;

describe('FakeClient', () => {
  it('create fills metadata; get/list/update/delete behave like the API', async () => {
    const f = new FakeClient();
    const c = await f.create(CM, 'n', { metadata: { name: 'a', labels: { x: '1' } }, data: { k: 'v' } });
    assert.equal(c.apiVersion, 'v1');
    assert.equal(c.kind, 'ConfigMap');
    assert.equal(c.metadata.namespace, 'n');
    assert.ok(c.metadata.uid && c.metadata.resourceVersion && c.metadata.creationTimestamp);
    await assert.rejects(f.create(CM, 'n', { metadata: { name: 'a' } }), isAlreadyExists);
    await assert.rejects(f.get(CM, 'n', 'zz'), (e: Error) => isNotFound(e) && e.message === 'configmaps "zz" not found');
    const stale = { ...c, data: { k: 'w' } };
    const u = await f.update(CM, 'n', stale);
    assert.notEqual(u.metadata.resourceVersion, c.metadata.resourceVersion);
    await assert.rejects(f.update(CM, 'n', stale), isConflict);
    const same = await f.update(CM, 'n', u);
    assert.equal(same.metadata.resourceVersion, u.metadata.resourceVersion, 'a no-op update keeps the resourceVersion');
    await f.create(CM, 'n', { metadata: { name: 'b' } });
    await f.create(CM, 'm', { metadata: { name: 'c' } });
    assert.equal((await f.list(CM, 'n')).items.length, 2);
    assert.equal((await f.list(CM, '')).items.length, 3);
    assert.deepEqual((await f.list(CM, '', { labelSelector: 'x=1' })).items.map((o) => o.metadata.name), ['a']);
    const p1 = await f.list(CM, '', { limit: 2 });
    assert.deepEqual(p1.items.map((o) => o.metadata.name), ['c', 'a'], 'ordered by namespace/name');
    assert.equal(p1.metadata.remainingItemCount, 1);
    const p2 = await f.list(CM, '', { limit: 2, continue: p1.metadata.continue });
    assert.deepEqual(p2.items.map((o) => o.metadata.name), ['b']);
    assert.equal(p2.metadata.continue, undefined);
    await f.delete(CM, 'n', 'a');
    await assert.rejects(f.get(CM, 'n', 'a'), isNotFound);
    assert.deepEqual(f.writes().map((a) => `${a.verb} ${a.name ?? ''}`), ['create a', 'create a', 'update a', 'update a', 'update a', 'create b', 'create c', 'delete a']);
  });

  it('finalizers hold a deleted object until they are removed', async () => {
    const f = new FakeClient();
    await f.create(CM, 'n', { metadata: { name: 'a', finalizers: ['x/y'] } });
    const d = await f.delete(CM, 'n', 'a');
    assert.ok(d.metadata.deletionTimestamp);
    const held = await f.get(CM, 'n', 'a');
    await f.update(CM, 'n', { ...held, metadata: { ...held.metadata, finalizers: [] } });
    await assert.rejects(f.get(CM, 'n', 'a'), isNotFound);
  });

  it('namespace lifecycle: Terminating on delete, refuses content, removed once finalized', async () => {
    const f = new FakeClient();
    const ns = await f.create(NS, '', { metadata: { name: 'x' } });
    assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
    assert.equal(ns.status.phase, 'Active');
    await f.delete(NS, '', 'x');
    const t = await f.get(NS, '', 'x');
    assert.equal(t.status.phase, 'Terminating');
    await assert.rejects(f.create(CM, 'x', { metadata: { name: 'late' } }), (e) => hasStatusCause(e, NAMESPACE_TERMINATING_CAUSE));
    // a plain update cannot drop spec.finalizers; finalize can
    await f.update(NS, '', { ...t, spec: { finalizers: [] } });
    assert.deepEqual((await f.get(NS, '', 'x')).spec.finalizers, ['kubernetes']);
    const cur = await f.get(NS, '', 'x');
    await f.subresource('PUT', NS, '', 'x', 'finalize', { ...cur, spec: { finalizers: [] } });
    await assert.rejects(f.get(NS, '', 'x'), isNotFound);
  });

  it('strict namespaces refuse creates in missing namespaces', async () => {
    const f = new FakeClient({ strictNamespaces: true });
    await assert.rejects(f.create(CM, 'nope', { metadata: { name: 'a' } }), (e: Error) => isNotFound(e) && e.message === 'namespaces "nope" not found');
  });

  it('events.k8s.io events share storage with core events', async () => {
    const f = new FakeClient();
    await f.create(EV, 'n', { metadata: { name: 'e' } });
    assert.equal((await f.list(EV_NEW, 'n')).items.length, 1);
  });

  it('watch replays from a resourceVersion, streams live, and expires after compaction', async () => {
    const f = new FakeClient();
    const a = await f.create(CM, 'n', { metadata: { name: 'a' } });
    await f.create(CM, 'n', { metadata: { name: 'b' } });
    const ac = new AbortController();
    const got: string[] = [];
    const it = f.watch(CM, 'n', { resourceVersion: a.metadata.resourceVersion, signal: ac.signal });
    const loop = (async () => {
      for await (const e of it) {
        got.push(`${e.type} ${e.object.metadata.name}`);
        if (got.length === 3) ac.abort();
      }
    })();
    await f.create(CM, 'other', { metadata: { name: 'ignored' } });
    await f.delete(CM, 'n', 'a');
    await f.patch(CM, 'n', 'b', 'merge', { data: { k: 'v' } });
    await loop;
    assert.deepEqual(got, ['ADDED b', 'DELETED a', 'MODIFIED b']);
    f.compact();
    await assert.rejects(async () => {
      for await (const _ of f.watch(CM, 'n', { resourceVersion: a.metadata.resourceVersion })) break;
    }, (e) => e instanceof ResourceExpiredError);
  });

  it('reactors inject failures and canned answers', async () => {
    const f = new FakeClient();
    f.prependReactor('create', 'configmaps', (a) => {
      if (a.name === 'bad') throw new Error('injected');
      return undefined;
    });
    f.prependReactor('get', '*', (a) => (a.name === 'canned' ? { metadata: { name: 'canned' }, canned: true } : undefined));
    await assert.rejects(f.create(CM, 'n', { metadata: { name: 'bad' } }), /injected/);
    await f.create(CM, 'n', { metadata: { name: 'good' } });
    assert.equal((await f.get(CM, 'n', 'canned')).canned, true);
  });

  it('a watch ends on closeWatches and throws on expireWatches', async () => {
    const f = new FakeClient();
    const seen: WatchEvent[] = [];
    const p = (async () => { for await (const e of f.watch(CM, '')) seen.push(e); })();
    await new Promise((r) => setTimeout(r, 1));
    f.closeWatches();
    await p;
    const q = (async () => { for await (const _ of f.watch(CM, '')) { /* none */ } })();
    await new Promise((r) => setTimeout(r, 1));
    f.expireWatches();
    await assert.rejects(q, (e) => e instanceof ResourceExpiredError);
  });
});

describe('patch helpers', () => {
  it('merge patch (RFC 7386)', () => {
    assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1] }, { b: { c: null, e: 4 }, l: [2], z: 'n' }), { a: 1, b: { d: 3, e: 4 }, l: [2], z: 'n' });
  });
  it('json patch (RFC 6902)', () => {
    const out = jsonPatch({ a: { b: [1, 2] } }, [
      { op: 'add', path: '/a/b/-', value: 3 },
      { op: 'replace', path: '/a/b/0', value: 9 },
      { op: 'remove', path: '/a/b/1' },
      { op: 'add', path: '/a/c~1d', value: true },
      { op: 'test', path: '/a/c~1d', value: true },
    ]);
    assert.deepEqual(out, { a: { b: [9, 3], 'c/d': true } });
    assert.throws(() => jsonPatch({}, [{ op: 'replace', path: '/x', value: 1 }]));
  });
});

describe('selectors', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['', {}, true],
    ['a=b', { a: 'b' }, true],
    ['a==b', { a: 'c' }, false],
    ['a!=b', {}, true],
    ['a!=b', { a: 'b' }, false],
    ['a in (x, y),b', { a: 'y', b: '' }, true],
    ['a notin (x)', { a: 'x' }, false],
    ['!a', { b: '1' }, true],
    ['a', { b: '1' }, false],
    ['app=web,tier!=db', { app: 'web', tier: 'fe' }, true],
  ];
  for (const [sel, labels, want] of cases) it(`label ${JSON.stringify(sel)} on ${JSON.stringify(labels)}`, () => assert.equal(parseLabelSelector(sel)(labels), want));
  it('rejects bad label syntax', () => assert.throws(() => parseLabelSelector('a=(b')));
  it('field selectors', () => {
    const obj = { metadata: { name: 'x', namespace: 'n' }, status: { phase: 'Running' } };
    assert.equal(parseFieldSelector('metadata.name=x,status.phase!=Failed')(obj), true);
    assert.equal(parseFieldSelector('metadata.namespace==m')(obj), false);
    assert.throws(() => parseFieldSelector('nonsense'));
  });
});
