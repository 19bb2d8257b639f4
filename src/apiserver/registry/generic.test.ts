import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { MemoryStore } from '../../storage/memory/memory.js';
import { Registry } from './generic.js';
import type { RequestContext } from './strategy.js';
import { strategyFor } from './strategies/index.js';

const ctx = (over: Partial<RequestContext> = {}): RequestContext => ({
  user: { username: 'admin', groups: ['system:masters'] }, dryRun: false, now: new Date(), warnings: [], fieldManager: 'test', ...over,
});

function registry(group: string, version: string, plural: string): Registry {
  const ri = findResource(group, version, plural)!;
  return new Registry(ri, new MemoryStore(), strategyFor(ri), {});
}

const cm = (name: string, data: Record<string, string> = { a: '1' }): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

const code = (c: number) => (e: unknown) => e instanceof ApiError && e.code === c;

test('create fills server metadata, refuses duplicates, supports generateName', async () => {
  const r = registry('', 'v1', 'configmaps');
  const o = await r.create('ns', cm('a'), ctx());
  assert.ok(o.metadata.uid && o.metadata.creationTimestamp && o.metadata.resourceVersion);
  assert.equal(o.metadata.namespace, 'ns');
  await assert.rejects(r.create('ns', cm('a'), ctx()), (e: ApiError) => e.code === 409 && e.message === 'configmaps "a" already exists');
  const g = await r.create('ns', { metadata: { generateName: 'x-' }, data: {} }, ctx());
  assert.match(g.metadata.name, /^x-[a-z0-9]{5}$/);
  await assert.rejects(r.get('ns', 'nope'), (e: ApiError) => e.code === 404 && e.message === 'configmaps "nope" not found');
});

test('dry run stores nothing', async () => {
  const r = registry('', 'v1', 'configmaps');
  const o = await r.create('ns', cm('d'), ctx({ dryRun: true }));
  assert.ok(o.metadata.uid);
  await assert.rejects(r.get('ns', 'd'), code(404));
});

test('updates: optimistic concurrency, no-op writes keep the resourceVersion', async () => {
  const r = registry('', 'v1', 'configmaps');
  const o = await r.create('ns', cm('a'), ctx());
  // the registry owns (and mutates) what it is given: callers pass copies
  const u = await r.update('ns', 'a', ctx(), () => ({ ...structuredClone(o), data: { a: '2' } }));
  assert.notEqual(u.obj.metadata.resourceVersion, o.metadata.resourceVersion);
  await assert.rejects(r.update('ns', 'a', ctx(), () => ({ ...structuredClone(o), data: { a: '3' } })),
    (e: ApiError) => e.code === 409 && e.message.includes('the object has been modified; please apply your changes to the latest version and try again'));
  const same = await r.update('ns', 'a', ctx(), (cur) => cur!);
  assert.equal(same.obj.metadata.resourceVersion, u.obj.metadata.resourceVersion);
  assert.equal(same.obj.metadata.uid, o.metadata.uid);
});

test('generation counts spec changes; status writes change only status', async () => {
  const r = registry('apps', 'v1', 'deployments');
  const d = await r.create('ns', {
    metadata: { name: 'web' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    status: { replicas: 99 },
  }, ctx());
  assert.equal(d.metadata.generation, 1);
  assert.equal(d.status?.replicas, undefined, 'status is cleared on create');
  const l = await r.update('ns', 'web', ctx(), (cur) => ({ ...cur!, metadata: { ...cur!.metadata, labels: { x: 'y' } } }));
  assert.equal(l.obj.metadata.generation, 1);
  const s = await r.update('ns', 'web', ctx(), (cur) => ({ ...cur!, spec: { ...cur!.spec, replicas: 3 } }));
  assert.equal(s.obj.metadata.generation, 2);
  const st = await r.update('ns', 'web', ctx(), (cur) => ({ ...cur!, spec: { ...cur!.spec, replicas: 7 }, status: { replicas: 3 } }), { subresource: 'status' });
  assert.equal(st.obj.spec.replicas, 3, 'a status write ignores spec');
  assert.equal(st.obj.status.replicas, 3);
  const main = await r.update('ns', 'web', ctx(), (cur) => ({ ...cur!, status: { replicas: 0 } }));
  assert.equal(main.obj.status.replicas, 3, 'a main-resource write ignores status');
});

test('finalizers hold deletion until the last one is removed', async () => {
  const r = registry('', 'v1', 'configmaps');
  await r.create('ns', { ...cm('f'), metadata: { name: 'f', finalizers: ['example.com/hold'] } }, ctx());
  const del = await r.delete('ns', 'f', {}, ctx());
  assert.equal(del.deleted, false);
  assert.ok(del.obj.metadata.deletionTimestamp);
  await r.update('ns', 'f', ctx(), (cur) => ({ ...cur!, metadata: { ...cur!.metadata, finalizers: [] } }));
  await assert.rejects(r.get('ns', 'f'), code(404));
});

test('pods on a node are deleted gracefully; unscheduled pods at once', async () => {
  const r = registry('', 'v1', 'pods');
  const pod = (name: string, nodeName?: string): Obj => ({ metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] } });
  await r.create('ns', pod('p1'), ctx());
  assert.equal((await r.delete('ns', 'p1', {}, ctx())).deleted, true);
  await r.create('ns', pod('p2', 'node-1'), ctx());
  const d = await r.delete('ns', 'p2', {}, ctx());
  assert.equal(d.deleted, false);
  assert.equal(d.obj.metadata.deletionGracePeriodSeconds, 30);
  assert.equal((await r.delete('ns', 'p2', { gracePeriodSeconds: 0 }, ctx())).deleted, true);
});

test('lists page with continue tokens and count what remains', async () => {
  const r = registry('', 'v1', 'configmaps');
  for (let i = 0; i < 25; i++) await r.create('ns', cm(`c${String(i).padStart(2, '0')}`), ctx());
  await r.create('other', cm('elsewhere'), ctx());
  const p1 = await r.list('ns', { limit: 10 });
  assert.equal(p1.items.length, 10);
  assert.equal(p1.remainingItemCount, 15);
  assert.ok(p1.continue);
  await r.create('ns', cm('c99'), ctx());
  const p2 = await r.list('ns', { limit: 10, continue: p1.continue });
  const p3 = await r.list('ns', { limit: 10, continue: p2.continue });
  assert.equal(p3.items.length, 5, 'pages read the snapshot of the first page');
  assert.equal(p3.continue, undefined);
  const names = [...p1.items, ...p2.items, ...p3.items].map((o) => o.metadata.name);
  assert.equal(new Set(names).size, 25);
  const all = await r.list('', {});
  assert.equal(all.items.length, 27);
  const sel = await r.list('ns', { fieldSelector: 'metadata.name=c03' });
  assert.deepEqual(sel.items.map((o) => o.metadata.name), ['c03']);
  await assert.rejects(r.list('ns', { continue: 'garbage!!' }), code(400));
});

test('watch replays from a resourceVersion and filters by selector', async () => {
  const r = registry('', 'v1', 'configmaps');
  const first = await r.create('ns', cm('w0'), ctx());
  await r.create('ns', { ...cm('w1'), metadata: { name: 'w1', labels: { app: 'x' } } }, ctx());
  const seen: string[] = [];
  const ac = new AbortController();
  await r.watch('ns', { resourceVersion: first.metadata.resourceVersion, labelSelector: 'app=x' }, ac.signal, (t, o) => seen.push(`${t} ${o.metadata.name}`));
  await r.update('ns', 'w1', ctx(), (cur) => ({ ...cur!, metadata: { ...cur!.metadata, labels: {} } }));
  await r.delete('ns', 'w0', {}, ctx());
  await new Promise((res) => setTimeout(res, 20));
  ac.abort();
  assert.deepEqual(seen, ['ADDED w1', 'DELETED w1']);
});

test('namespaces terminate through their finalizer', async () => {
  const r = registry('', 'v1', 'namespaces');
  const ns = await r.create('', { metadata: { name: 'team' } }, ctx());
  assert.equal(ns.status.phase, 'Active');
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team');
  const d = await r.delete('', 'team', {}, ctx());
  assert.equal(d.deleted, false);
  assert.equal(d.obj.status.phase, 'Terminating');
  await r.update('', 'team', ctx(), (cur) => ({ ...cur!, spec: { finalizers: [] } }), { subresource: 'finalize' });
  await assert.rejects(r.get('', 'team'), code(404));
});
