// nodes/NAME/proxy/... through serveNodeProxy to a fake kubelet: path and query passed on,
// the kubelet's status and body passed back, and the errors for nodes without a kubelet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { Obj } from '../../api/types.js';
import { sendError } from '../status.js';
import { fakeKubeletWithNodes, type FakeKubelet } from './fake-kubelet.js';
import { KubeletClient } from './kubelet.js';
import { serveNodeProxy } from './nodeproxy.js';

let kubelet: FakeKubelet;
let front: Server;
let port = 0;
const nodes: Record<string, Obj> = {};

before(async () => {
  const fx = await fakeKubeletWithNodes();
  kubelet = fx.kubelet;
  Object.assign(nodes, fx.nodes);
  const kc = new KubeletClient(fx.client);
  // the front end: /NODE/rest/of/path?query → serveNodeProxy(node, [rest, of, path], query)
  front = createServer((req, res) => {
    const raw = req.url ?? '/';
    const [path, query = ''] = raw.split('?');
    const [node, ...parts] = path.split('/').slice(1);
    serveNodeProxy(kc, req, res, nodes[node], parts, query).catch((e) => sendError(res, e));
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  port = (front.address() as { port: number }).port;
});

after(async () => {
  front.closeAllConnections();
  await new Promise<void>((r) => front.close(() => r()));
  await kubelet.close();
});

function call(path: string, method = 'GET'): Promise<{ code: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('GET is passed to the kubelet with its path and query, with the API server\'s client identity', async () => {
  kubelet.requests.length = 0;
  const r = await call('/real/containerLogs/ns/p/main?tailLines=1');
  assert.equal(r.code, 200);
  assert.ok(r.body.length > 0, 'the kubelet\'s body comes back');
  assert.equal(kubelet.requests[0].url, '/containerLogs/ns/p/main?tailLines=1');
  assert.equal(kubelet.requests[0].cn, 'kube-apiserver-kubelet-client');
});

test('the kubelet\'s error status passes through; HEAD has no body', async () => {
  const r = await call('/real/no/such/endpoint');
  assert.equal(r.code, 404);
  const h = await call('/real/containerLogs/ns/p/main', 'HEAD');
  assert.equal(h.code, 200);
  assert.equal(h.body, '');
});

test('other methods, simulated nodes and unreachable kubelets get API errors', async () => {
  const post = await call('/real/stats/summary', 'POST');
  assert.equal(post.code, 405);
  assert.match(JSON.parse(post.body).message, /post is not supported on resources of kind "nodes\/proxy"/);
  const sim = await call('/sim/stats/summary');
  assert.equal(sim.code, 503);
  assert.match(JSON.parse(sim.body).message, /error trying to reach service: node "sim" is simulated/);
  const down = await call('/down/stats/summary');
  assert.equal(down.code, 503);
  assert.equal(JSON.parse(down.body).message, 'error trying to reach service: dial tcp 127.0.0.1:1: connect: connection refused');
  assert.equal(JSON.parse(down.body).reason, 'ServiceUnavailable');
});
