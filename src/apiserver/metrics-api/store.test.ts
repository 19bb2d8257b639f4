import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsStore, usageBetween, type Batch, type Point } from './store.js';

const T0 = Date.UTC(2026, 11, 1);
const pt = (tsS: number, cpuS: number, mem = 4096, startS = -3600): Point => ({ startMs: T0 + startS * 1000, tsMs: T0 + tsS * 1000, cpuNs: cpuS * 1e9, memoryBytes: mem });
function batch(nodes: Record<string, Point>, pods: Record<string, Record<string, Point>> = {}): Batch {
  return {
    nodes: new Map(Object.entries(nodes)),
    pods: new Map(Object.entries(pods).map(([k, cs]) => {
      const [namespace, name] = k.split('/');
      return [k, { namespace, name, containers: new Map(Object.entries(cs)) }];
    })),
  };
}

test('CPU is the counter difference over the window; memory the newest working set', () => {
  const u = usageBetween(pt(15, 10.5, 8192), pt(0, 7.5, 4096))!;
  assert.equal(u.windowMs, 15_000);
  assert.equal(u.nanocores, 200_000_000);   // 3 core-seconds over 15 s = 0.2 cores
  assert.equal(u.memoryBytes, 8192);
  assert.equal(u.tsMs, T0 + 15_000);
  assert.equal(usageBetween(pt(15, 1), pt(0, 2)), undefined, 'a counter that went down (restart)');
  assert.equal(usageBetween(pt(0, 2), pt(0, 1)), undefined, 'no time between the samples');
  assert.equal(usageBetween(pt(15, 2, 1, -10), pt(0, 1, 1, -20))!.nanocores, 66_666_666);
  assert.equal(usageBetween(pt(15, 2, 1, -20), pt(0, 1, 1, -10)), undefined, 'start time went backwards');
});

test('nodes need two samples; the older becomes the previous one', () => {
  const s = new MetricsStore(15_000);
  s.store(batch({ a: pt(0, 100) }));
  assert.equal(s.node('a'), undefined);
  s.store(batch({ a: pt(15, 115) }));
  assert.equal(s.node('a')!.nanocores, 1e9);
  s.store(batch({ a: pt(30, 145) }));
  assert.equal(s.node('a')!.nanocores, 2e9);
  // the same sample again keeps the previous one
  s.store(batch({ a: pt(30, 145) }));
  assert.equal(s.node('a')!.nanocores, 2e9);
  // a node that did not answer is gone
  s.store(batch({}));
  assert.equal(s.node('a'), undefined);
});

test('pods: every container needs a previous sample of the same instance', () => {
  const s = new MetricsStore(15_000);
  s.store(batch({}, { 'ns/p': { a: pt(0, 1), b: pt(0, 2) } }));
  assert.equal(s.pod('ns', 'p'), undefined);
  s.store(batch({}, { 'ns/p': { b: pt(15, 2.15, 100), a: pt(15, 4) } }));
  const u = s.pod('ns', 'p')!;
  assert.deepEqual(u.containers.map((c) => [c.name, c.usage.nanocores, c.usage.memoryBytes]), [['a', 200_000_000, 4096], ['b', 10_000_000, 100]]);
  assert.equal(u.windowMs, 15_000);
  // a new container joined: the pod waits for its second sample
  s.store(batch({}, { 'ns/p': { a: pt(30, 5), b: pt(30, 2.3), c: pt(30, 0, 1, -100) } }));
  assert.equal(s.pod('ns', 'p'), undefined);
  s.store(batch({}, { 'ns/p': { a: pt(45, 6), b: pt(45, 2.45), c: pt(45, 1.5, 1, -100) } }));
  assert.equal(s.pod('ns', 'p')!.containers.length, 3);
  // container a restarted after the last sample: no rate for it until its next sample
  s.store(batch({}, { 'ns/p': { a: pt(60, 0.1, 1, 52), b: pt(60, 2.6), c: pt(60, 3, 1, -100) } }));
  assert.equal(s.pod('ns', 'p'), undefined);
  assert.equal(s.pod('ns', 'other'), undefined);
});

test('a container started less than a resolution ago (but 10 s or more) is rated from its start', () => {
  const s = new MetricsStore(15_000);
  s.store(batch({}, { 'ns/new': { c: pt(12, 1.2, 1, 0) } }));
  assert.equal(s.pod('ns', 'new')!.containers[0].usage.nanocores, 100_000_000);
  assert.equal(s.pod('ns', 'new')!.windowMs, 12_000);
  const young = new MetricsStore(15_000);
  young.store(batch({}, { 'ns/new': { c: pt(5, 1, 1, 0) } }));
  assert.equal(young.pod('ns', 'new'), undefined, 'under 10 s old: too little history');
});

test('clear forgets everything', () => {
  const s = new MetricsStore(15_000);
  s.store(batch({ a: pt(0, 1) }, { 'ns/p': { c: pt(0, 1) } }));
  s.store(batch({ a: pt(15, 2) }, { 'ns/p': { c: pt(15, 2) } }));
  assert.deepEqual(s.size(), { nodes: 1, containers: 1 });
  s.clear();
  assert.deepEqual(s.size(), { nodes: 0, containers: 0 });
  assert.equal(s.node('a'), undefined);
  assert.equal(s.pod('ns', 'p'), undefined);
});
