import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { createCA, issueCert, type CertKeyPem } from '../../pki/index.js';
import type { Summary } from '../stats/types.js';
import { kubeletServingCert } from './cert.js';
import { startKubeletServer, route, type KubeletServer } from './server.js';
import type { ContainerLocator, StatsSource } from './types.js';

let ca: CertKeyPem;
let client: CertKeyPem;
let withStats: KubeletServer;
let bare: KubeletServer;
const asked: ({ onlyCpuAndMemory?: boolean } | undefined)[] = [];
let failNext = false;

const SUMMARY: Summary = { node: { nodeName: 'node-a', startTime: '2024-01-01T00:00:00Z' }, pods: [] };
const stats: StatsSource = {
  async summary(o) {
    asked.push(o);
    if (failNext) { failNext = false; throw new Error('rpc error: runtime down'); }
    return SUMMARY;
  },
};
const base: ContainerLocator = { findContainer: () => undefined, findSandbox: () => undefined };
const pod = { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web', namespace: 'ns1' } };
const noStreams = { exec: async () => ({ url: '' }), attach: async () => ({ url: '' }), portForward: async () => ({ url: '' }) };

before(async () => {
  ca = await createCA('skiff-ca', 30);
  client = await issueCert(ca, { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'], usage: 'client', days: 30 });
  const serving = await kubeletServingCert(ca, 'node-a', ['127.0.0.1']);
  const tls = { cert: serving.cert, key: serving.key, ca: ca.cert };
  withStats = await startKubeletServer({ port: 0, host: '127.0.0.1', tls, locator: { ...base, pods: () => [pod] }, cri: noStreams, stats });
  bare = await startKubeletServer({ port: 0, host: '127.0.0.1', tls, locator: base, cri: noStreams });
});

after(async () => {
  await withStats.close();
  await bare.close();
});

function get(server: KubeletServer, path: string, opts: { method?: string; anonymous?: boolean } = {}): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const id = opts.anonymous ? {} : { cert: client.cert, key: client.key };
    const req = httpsRequest({ host: '127.0.0.1', port: server.port, ca: ca.cert, servername: 'node-a', path, method: opts.method ?? 'GET', agent: false, ...id }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('routes: /stats/summary and /pods, with or without the trailing slash', () => {
  assert.deepEqual(route('/stats/summary'), { kind: 'statsSummary' });
  assert.deepEqual(route('/stats/summary/'), { kind: 'statsSummary' });
  assert.deepEqual(route('/pods'), { kind: 'pods' });
  assert.equal(route('/stats/summary/x'), undefined);
  assert.equal(route('/stats'), undefined);
});

test('GET /stats/summary answers the provider\'s summary as JSON; only_cpu_and_memory is passed on', async () => {
  asked.length = 0;
  const r = await get(withStats, '/stats/summary');
  assert.equal(r.status, 200);
  assert.equal(r.type, 'application/json');
  assert.deepEqual(JSON.parse(r.body), SUMMARY);
  assert.equal((await get(withStats, '/stats/summary?only_cpu_and_memory=true')).status, 200);
  assert.equal((await get(withStats, '/stats/summary?only_cpu_and_memory=0')).status, 200);
  assert.deepEqual(asked, [{ onlyCpuAndMemory: false }, { onlyCpuAndMemory: true }, { onlyCpuAndMemory: false }]);
  const bad = await get(withStats, '/stats/summary?only_cpu_and_memory=yes');
  assert.equal(bad.status, 400);
  assert.match(bad.body, /strconv.ParseBool: parsing "yes": invalid syntax/);
});

test('/stats/summary: 401 without a client certificate, 500 with the error when the provider fails, 503 without one', async () => {
  assert.deepEqual(await get(withStats, '/stats/summary', { anonymous: true }), { status: 401, type: 'text/plain; charset=utf-8', body: 'Unauthorized' });
  failNext = true;
  const r = await get(withStats, '/stats/summary');
  assert.equal(r.status, 500);
  assert.match(r.body, /failed to get summary stats: rpc error: runtime down/);
  assert.equal((await get(bare, '/stats/summary')).status, 503);
});

test('GET /pods lists the kubelet\'s pods as a PodList; other methods are refused', async () => {
  const r = await get(withStats, '/pods');
  assert.equal(r.status, 200);
  assert.deepEqual(JSON.parse(r.body), { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod] });
  assert.equal((await get(withStats, '/pods', { method: 'POST' })).status, 405);
  assert.equal((await get(bare, '/pods')).status, 503);
});
