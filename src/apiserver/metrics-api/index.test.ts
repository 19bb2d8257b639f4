// metrics.k8s.io through serveMetrics with a fake cluster and a fake kubelet scrape: the
// JSON kubectl top decodes, selectors, NotFound messages, the Table, and refused verbs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { notFound } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { parseLabelSelector } from '../../api/selectors/index.js';
import type { Cluster } from '../cluster.js';
import { parseRequestInfo } from '../requestinfo.js';
import { sendError } from '../status.js';
import { configureMetrics, serveMetrics } from './index.js';
import type { SummaryJson } from './summary.js';

const stop = new AbortController();
let front: Server;
let port = 0;
const HOUR = 3_600_000;
const BASE = Date.now();

const nodes: Obj[] = [
  { metadata: { name: 'n1', labels: { role: 'a' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
  { metadata: { name: 'sim', labels: { 'skiff.dev/simulated': 'true' } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
];
const pods: Obj[] = [
  { metadata: { name: 'busy', namespace: 'ns', labels: { app: 'busy' } } },
  { metadata: { name: 'idle', namespace: 'ns', labels: { app: 'idle' } } },
  { metadata: { name: 'other', namespace: 'kube-system' } },
  { metadata: { name: 'pending', namespace: 'ns', labels: { app: 'busy' } } },
];

function summary(): SummaryJson {
  const ms = Date.now() - BASE + 60_000;
  const start = new Date(BASE - HOUR).toISOString();
  const c = (name: string, cores: number, mem: number) => ({ name, startTime: start, cpu: { usageCoreNanoSeconds: Math.round(ms * cores * 1e6) }, memory: { workingSetBytes: mem } });
  return {
    node: { nodeName: 'n1', startTime: start, cpu: { usageCoreNanoSeconds: Math.round(ms * 1.2e6) }, memory: { workingSetBytes: 2 * 1024 ** 3 } },
    pods: [
      { podRef: { namespace: 'ns', name: 'busy' }, containers: [c('main', 0.2, 1024 * 1024), c('side', 0, 512 * 1024)] },
      { podRef: { namespace: 'ns', name: 'idle' }, containers: [c('main', 0, 300 * 1024)] },
      { podRef: { namespace: 'kube-system', name: 'other' }, containers: [c('x', 0.01, 4096 * 3)] },
    ],
  };
}

const registry = (objs: Obj[], resource: string) => ({
  list: async (ns: string, o: { labelSelector?: string }) => {
    const sel = parseLabelSelector(o.labelSelector ?? '');
    return { items: objs.filter((x) => (!ns || x.metadata.namespace === ns) && sel.matches(x.metadata.labels ?? {})), resourceVersion: '1' };
  },
  get: async (ns: string, name: string) => {
    const x = objs.find((o) => o.metadata.name === name && (o.metadata.namespace ?? '') === ns);
    if (!x) throw notFound('', resource, name);
    return x;
  },
});

before(async () => {
  const cluster = {
    signal: stop.signal,
    registryByName: (_g: string, r: string) => (r === 'nodes' ? registry(nodes, 'nodes') : registry(pods, 'pods')),
  } as unknown as Cluster;
  let scrapes = 0;
  configureMetrics(cluster, {
    scrape: async (n) => { scrapes++; assert.equal(n.metadata.name, 'n1'); return summary(); },
    warmupMs: 100, resolutionMs: 60_000,
  });
  void scrapes;
  front = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    const ri = findResource(info.group, info.version, info.resource)!;
    serveMetrics(cluster, req, res, ri, info, url.searchParams).catch((e) => sendError(res, e));
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  port = (front.address() as { port: number }).port;
});

after(async () => {
  stop.abort();
  front.closeAllConnections();
  await new Promise<void>((r) => front.close(() => r()));
});

function call(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ code: number; body: Obj }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(body) }));
    }).on('error', reject).end();
  });
}

const G = '/apis/metrics.k8s.io/v1beta1';
const cores = (q: string): number => (q.endsWith('n') ? Number(q.slice(0, -1)) / 1e9 : q.endsWith('m') ? Number(q.slice(0, -1)) / 1e3 : Number(q));

test('NodeMetricsList: nodes with metrics only (a simulated node has none), in the shape kubectl top node decodes', async () => {
  const r = await call(`${G}/nodes`);
  assert.equal(r.code, 200);
  assert.equal(r.body.kind, 'NodeMetricsList');
  assert.equal(r.body.apiVersion, 'metrics.k8s.io/v1beta1');
  assert.deepEqual(r.body.metadata, {});
  assert.equal(r.body.items.length, 1);
  const n = r.body.items[0];
  assert.deepEqual(Object.keys(n), ['kind', 'apiVersion', 'metadata', 'timestamp', 'window', 'usage']);
  assert.equal(n.kind, 'NodeMetrics');
  assert.equal(n.metadata.name, 'n1');
  assert.deepEqual(n.metadata.labels, { role: 'a' });
  assert.match(n.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(n.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(n.window, /^\d+(\.\d+)?m?s$/);
  assert.deepEqual(Object.keys(n.usage), ['cpu', 'memory']);
  assert.match(n.usage.cpu, /^\d+[nm]?$/);
  assert.ok(Math.abs(cores(n.usage.cpu) - 1.2) < 0.25, n.usage.cpu);
  assert.equal(n.usage.memory, '2Gi');
});

test('a node: its metrics, its own NotFound, or nodemetrics NotFound without metrics', async () => {
  assert.equal((await call(`${G}/nodes/n1`)).body.metadata.name, 'n1');
  const sim = await call(`${G}/nodes/sim`);
  assert.equal(sim.code, 404);
  assert.equal(sim.body.message, 'nodemetrics.metrics.k8s.io "sim" not found');
  assert.equal(sim.body.reason, 'NotFound');
  const none = await call(`${G}/nodes/nope`);
  assert.equal(none.code, 404);
  assert.equal(none.body.message, 'nodes "nope" not found');
  assert.equal((await call(`${G}/nodes?labelSelector=role%3Db`)).body.items.length, 0);
});

test('PodMetricsList: per-container usage, namespaced and across namespaces, with label selectors', async () => {
  const r = await call(`${G}/namespaces/ns/pods`);
  assert.equal(r.body.kind, 'PodMetricsList');
  assert.deepEqual(r.body.items.map((p: Obj) => p.metadata.name), ['busy', 'idle'], 'pending (no metrics) is left out');
  const busy = r.body.items[0];
  assert.deepEqual(Object.keys(busy), ['kind', 'apiVersion', 'metadata', 'timestamp', 'window', 'containers']);
  assert.deepEqual(Object.keys(busy.metadata), ['name', 'namespace', 'creationTimestamp', 'labels']);
  assert.equal(busy.metadata.namespace, 'ns');
  assert.deepEqual(busy.containers.map((c: Obj) => c.name), ['main', 'side']);
  assert.ok(Math.abs(cores(busy.containers[0].usage.cpu) - 0.2) < 0.05, busy.containers[0].usage.cpu);
  assert.equal(busy.containers[0].usage.memory, '1Mi');
  assert.equal(busy.containers[1].usage.cpu, '0');
  assert.equal(busy.containers[1].usage.memory, '512Ki');
  assert.equal(r.body.items[1].metadata.labels.app, 'idle');

  const all = await call(`${G}/pods`);
  assert.deepEqual(all.body.items.map((p: Obj) => `${p.metadata.namespace}/${p.metadata.name}`), ['kube-system/other', 'ns/busy', 'ns/idle']);
  const sel = await call(`${G}/namespaces/ns/pods?labelSelector=app%3Dbusy`);
  assert.deepEqual(sel.body.items.map((p: Obj) => p.metadata.name), ['busy']);
  assert.deepEqual((await call(`${G}/namespaces/empty/pods`)).body.items, []);
});

test('a pod: its metrics, pods NotFound, or podmetrics NotFound naming namespace/name', async () => {
  assert.equal((await call(`${G}/namespaces/ns/pods/idle`)).body.containers[0].usage.memory, '300Ki');
  const pending = await call(`${G}/namespaces/ns/pods/pending`);
  assert.equal(pending.code, 404);
  assert.equal(pending.body.message, 'podmetrics.metrics.k8s.io "ns/pending" not found');
  const gone = await call(`${G}/namespaces/ns/pods/gone`);
  assert.equal(gone.body.message, 'pods "gone" not found');
});

test('Table for kubectl get: Name, cpu, memory (summed over containers) and Window', async () => {
  const r = await call(`${G}/namespaces/ns/pods`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  assert.equal(r.body.kind, 'Table');
  assert.deepEqual(r.body.columnDefinitions.map((c: Obj) => c.name), ['Name', 'cpu', 'memory', 'Window']);
  assert.equal(r.body.rows[0].cells[0], 'busy');
  assert.equal(r.body.rows[0].cells[2], '1536Ki');
  assert.equal(r.body.rows[0].object.kind, 'PartialObjectMetadata');
  const empty = await call(`${G}/namespaces/empty/pods`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.deepEqual(empty.body.columnDefinitions, []);
});

test('only get and list: watch and writes are refused', async () => {
  const w = await call(`${G}/pods?watch=true`);
  assert.equal(w.code, 405);
  const d = await call(`${G}/namespaces/ns/pods/busy`, {}, 'DELETE');
  assert.equal(d.code, 405);
  assert.equal(d.body.message, 'delete is not supported on resources of kind "pods.metrics.k8s.io"');
});
