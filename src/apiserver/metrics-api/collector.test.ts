import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../api/types.js';
import { MetricsCollector, scrapable } from './collector.js';
import type { SummaryJson } from './summary.js';

const node = (name: string, o: { ready?: boolean; simulated?: boolean } = {}): Obj => ({
  metadata: { name, labels: o.simulated ? { 'skiff.dev/simulated': 'true' } : {} },
  status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

const BASE = Date.now();
/** A node using 0.5 cores and a pod container using 0.25, as cumulative counters of the wall clock. */
function summary(name: string): SummaryJson {
  const ms = Date.now() - BASE + 60_000;
  return {
    node: { nodeName: name, startTime: new Date(BASE - 3_600_000).toISOString(), cpu: { usageCoreNanoSeconds: ms * 0.5e6 }, memory: { workingSetBytes: 1 << 30 } },
    pods: [{ podRef: { namespace: 'ns', name: `p-${name}` }, containers: [{ name: 'c', startTime: new Date(BASE - 3_600_000).toISOString(), cpu: { usageCoreNanoSeconds: ms * 0.25e6 }, memory: { workingSetBytes: 1 << 20 } }] }],
  };
}

test('scrapable: Ready nodes that run a kubelet', () => {
  assert.equal(scrapable(node('a')), true);
  assert.equal(scrapable(node('b', { ready: false })), false);
  assert.equal(scrapable(node('c', { simulated: true })), false);
  assert.equal(scrapable({ metadata: { name: 'd' } }), false);
});

test('lazy: nothing happens before a request; the first request waits for two samples; idle stops it', async () => {
  const stop = new AbortController();
  const asked: string[] = [];
  let lists = 0;
  const c = new MetricsCollector({
    listNodes: async () => { lists++; return [node('real'), node('sim', { simulated: true }), node('down', { ready: false })]; },
    scrape: async (n) => { asked.push(n.metadata.name); return summary(n.metadata.name); },
    signal: stop.signal, resolutionMs: 40, warmupMs: 100, idleMs: 250,
  });
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(lists, 0, 'no node list, no scrape before the first request');
  assert.equal(c.active, false);

  await c.request();
  assert.equal(c.active, true);
  assert.deepEqual([...new Set(asked)], ['real'], 'simulated and NotReady nodes are never asked');
  const n = c.store.node('real')!;
  assert.ok(n, 'the first request already has a rate');
  assert.ok(n.windowMs >= 90 && n.windowMs < 1000, `window ${n.windowMs}`);
  assert.ok(Math.abs(n.nanocores - 0.5e9) < 0.1e9, `node cpu ${n.nanocores}`);
  assert.equal(n.memoryBytes, 1 << 30);
  const p = c.store.pod('ns', 'p-real')!;
  assert.ok(Math.abs(p.containers[0].usage.nanocores - 0.25e9) < 0.05e9, `pod cpu ${p.containers[0].usage.nanocores}`);

  // keeps scraping on its resolution while asked
  const before = c.cycleCount;
  await new Promise((r) => setTimeout(r, 130));
  await c.request();
  assert.ok(c.cycleCount >= before + 2, `cycles ${before} → ${c.cycleCount}`);

  // then stops on its own once nobody asks, dropping its samples
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(c.active, false);
  assert.equal(c.store.node('real'), undefined);
  const idleCycles = c.cycleCount;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(c.cycleCount, idleCycles, 'no scraping while idle');
  stop.abort();
});

test('no kubelets: a request lists nodes once and never waits or scrapes', async () => {
  const stop = new AbortController();
  let scrapes = 0;
  const c = new MetricsCollector({
    listNodes: async () => [node('sim', { simulated: true })],
    scrape: async () => { scrapes++; return {}; },
    signal: stop.signal, resolutionMs: 15_000, warmupMs: 5_000,
  });
  const t0 = Date.now();
  await c.request();
  assert.ok(Date.now() - t0 < 1000);
  assert.equal(scrapes, 0);
  stop.abort();
  assert.equal(c.active, false);
});

test('an unreachable node is absent; the others are kept', async () => {
  const stop = new AbortController();
  const c = new MetricsCollector({
    listNodes: async () => [node('ok'), node('gone')],
    scrape: async (n) => { if (n.metadata.name === 'gone') throw new Error('dial tcp 10.0.0.9:10250: connect: connection refused'); return summary(n.metadata.name); },
    signal: stop.signal, resolutionMs: 15_000, warmupMs: 20, log: () => {},
  });
  await c.request();
  assert.ok(c.store.node('ok'));
  assert.equal(c.store.node('gone'), undefined);
  stop.abort();
});

test('a slow first scrape does not hold the request beyond maxWaitMs', async () => {
  const stop = new AbortController();
  const c = new MetricsCollector({
    listNodes: async () => [node('slow')],
    scrape: (_n, signal) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(new Error('timeout')))),
    signal: stop.signal, resolutionMs: 15_000, maxWaitMs: 50, scrapeTimeoutMs: 150, log: () => {},
  });
  const t0 = Date.now();
  await c.request();
  assert.ok(Date.now() - t0 < 140, 'answered before the scrape timed out');
  assert.equal(c.store.node('slow'), undefined);
  stop.abort();
});

test('unreachable kubelets: no warm-up wait, one log line per outage', async () => {
  const stop = new AbortController();
  const logs: string[] = [];
  let up = false;
  const c = new MetricsCollector({
    listNodes: async () => [node('n')],
    scrape: async (n) => { if (!up) throw new Error('connection refused'); return summary(n.metadata.name); },
    signal: stop.signal, resolutionMs: 30, warmupMs: 5_000, log: (m) => logs.push(m),
  });
  const t0 = Date.now();
  await c.request();
  assert.ok(Date.now() - t0 < 1000, 'did not wait for a second sample nobody can give');
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(logs.length, 1, logs.join('\n'));
  up = true;
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(c.store.node('n'), 'the node is back once its kubelet answers');
  up = false;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(logs.length, 2, 'a new outage is logged again');
  stop.abort();
});
