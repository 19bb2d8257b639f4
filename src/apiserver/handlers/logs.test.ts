// pods/log through serveLog to a fake kubelet: the options it forwards, streaming for
// follow, the kubelet's errors as kube-apiserver reports them, and the empty answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { notFound } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import type { Cluster } from '../cluster.js';
import { sendError } from '../status.js';
import { fakeKubeletWithNodes, type FakeKubelet } from '../streaming/fake-kubelet.js';
import { bindKubeletClient, KubeletClient } from '../streaming/kubelet.js';
import { serveLog } from './logs.js';

let kubelet: FakeKubelet;
let front: Server;
let port = 0;
const nodes: Record<string, Obj> = {};
const pods: Record<string, Obj> = {};

before(async () => {
  const fx = await fakeKubeletWithNodes();
  kubelet = fx.kubelet;
  Object.assign(nodes, fx.nodes);
  const pod = (name: string, nodeName?: string, containers = ['main']) => ({ metadata: { name, namespace: 'ns' }, spec: { nodeName, containers: containers.map((c) => ({ name: c })) } });
  for (const p of [pod('p', 'real', ['main', 'waiting']), pod('unbound'), pod('onsim', 'sim'), pod('ghost', 'nowhere'), pod('dead', 'down')]) pods[p.metadata.name] = p;
  const cluster = {
    registryByName: () => ({ get: async (_ns: string, n: string) => { if (!nodes[n]) throw notFound('', 'nodes', n); return nodes[n]; } }),
  } as unknown as Cluster;
  bindKubeletClient(cluster, new KubeletClient(fx.client));
  front = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    serveLog(cluster, res, pods[url.pathname.slice(1)], url.searchParams).catch((e) => sendError(res, e));
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  port = (front.address() as { port: number }).port;
});

after(async () => {
  front.closeAllConnections();
  await new Promise<void>((r) => front.close(() => r()));
  await kubelet.close();
});

function get(path: string): Promise<{ code: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject).end();
  });
}

test('logs come from the kubelet, with the options kube-apiserver forwards', async () => {
  const r = await get('/p?container=main&tailLines=2&timestamps=true&previous=false&sinceSeconds=60&limitBytes=1000');
  assert.equal(r.code, 200);
  assert.equal(r.type, 'text/plain');
  assert.equal(r.body, '2026-01-01T00:00:00Z line 2\n2026-01-01T00:00:00Z line 3\n');
  assert.equal(kubelet.requests.at(-1)!.url, '/containerLogs/ns/p/main?limitBytes=1000&sinceSeconds=60&tailLines=2&timestamps=true');
  assert.equal(kubelet.requests.at(-1)!.cn, 'kube-apiserver-kubelet-client');
  await get('/p?container=main&sinceTime=2026-01-02T03:04:05.123%2B01:00&follow=false');
  assert.equal(kubelet.requests.at(-1)!.url, '/containerLogs/ns/p/main?sinceTime=2026-01-02T02%3A04%3A05Z');
});

test('follow streams lines as the kubelet writes them, and stops when the client leaves', async () => {
  const lines = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/p?container=main&follow=true' }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
        if (text.includes('line 6\n')) { req.destroy(); resolve(text); }
      });
    });
    req.on('error', (e) => { if (!String(e).includes('socket hang up')) reject(e); });
    req.end();
  });
  assert.match(lines, /^line 1\nline 2\nline 3\nline 4\nline 5\nline 6\n/);
});

test('kubelet errors and the cases without a kubelet', async () => {
  const waiting = await get('/p?container=waiting');
  assert.equal(waiting.code, 400);
  assert.equal(JSON.parse(waiting.body).message, 'container "waiting" in pod "p" is waiting to start: ContainerCreating');
  // no node yet, a simulated node, a node that is gone: empty logs
  for (const p of ['unbound', 'onsim', 'ghost']) assert.deepEqual(await get(`/${p}`), { code: 200, type: 'text/plain; charset=utf-8', body: '' });
  const dead = JSON.parse((await get('/dead')).body);
  assert.equal(dead.code, 500);
  assert.equal(dead.message, 'Get "https://127.0.0.1:1/containerLogs/ns/dead/main": dial tcp 127.0.0.1:1: connect: connection refused');
  const both = await get('/p?container=main&sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z');
  assert.equal(both.code, 422);
  assert.match(JSON.parse(both.body).message, /at most one of `sinceTime` or `sinceSeconds` may be specified/);
  assert.equal(JSON.parse((await get('/p')).body).message, 'a container name must be specified for pod p, choose one of: [main waiting]');
});
