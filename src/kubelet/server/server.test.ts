import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { createCA, issueCert, type CertKeyPem } from '../../pki/index.js';
import { CriError } from '../cri/client.js';
import type { AttachRequest, ExecRequest, PortForwardRequest } from '../cri/types.js';
import { kubeletServingCert } from './cert.js';
import { startKubeletServer, type KubeletServer } from './server.js';
import type { ContainerLocator, LocatedContainer } from './types.js';

// ---- fixtures: a CA, the kubelet's serving cert, the API server's client cert, a stranger's

let ca: CertKeyPem;
let client: CertKeyPem;
let stranger: CertKeyPem;
let dir: string;
let kubelet: KubeletServer;
let runtime: HttpServer;
let runtimePort: number;
const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; raw: string[] }[] = [];
const criCalls: { method: string; req: ExecRequest | AttachRequest | PortForwardRequest }[] = [];
let criFailure: Error | undefined;
let findCalls = 0;

const containers = new Map<string, LocatedContainer>();
const previous = new Map<string, LocatedContainer>();
const sandboxes = new Map<string, { id: string; podUID: string }>();
const locator: ContainerLocator = {
  findContainer(ns, pod, c, o) {
    findCalls++;
    return (o?.previous ? previous : containers).get(`${ns}/${pod}/${c}`);
  },
  findSandbox: (ns, pod) => sandboxes.get(`${ns}/${pod}`),
  hasPod: (ns, pod) => sandboxes.has(`${ns}/${pod}`) || pod === 'pending',
  waitingReason: (_ns, pod) => (pod === 'pending' ? 'ImagePullBackOff' : undefined),
};

const rec = (sec: number, stream: string, text: string) => `2024-05-01T11:00:${String(sec).padStart(2, '0')}.000000000Z ${stream} F ${text}\n`;

/** The runtime's streaming server stand-in: answers 101 (SPDY or WebSocket), greets, echoes. */
function startRuntimeEcho(): Promise<void> {
  runtime = createHttpServer((req, res) => { res.writeHead(404); res.end('no such token'); });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });
  runtime.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers, raw: req.rawHeaders });
    if (req.url?.includes('expired')) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 13\r\n\r\nno such token');
      return;
    }
    if (String(req.headers.upgrade).toLowerCase() === 'websocket') {
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m, binary) => ws.send(m, { binary })));
      return;
    }
    const proto = String(req.headers['x-stream-protocol-version'] ?? '').split(',')[0].trim();
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${proto}\r\n\r\n`);
    socket.write('greeting-from-runtime;');
    if (head.length) socket.write(head);
    socket.pipe(socket);
  });
  return new Promise((r) => runtime.listen(0, '127.0.0.1', () => { runtimePort = (runtime.address() as AddressInfo).port; r(); }));
}

before(async () => {
  ca = await createCA('skiff-ca', 30);
  const other = await createCA('other-ca', 30);
  [client, stranger] = await Promise.all([
    issueCert(ca, { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'], usage: 'client', days: 30 }),
    issueCert(other, { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'], usage: 'client', days: 30 }),
  ]);
  const serving = await kubeletServingCert(ca, 'node-a', ['127.0.0.1']);
  dir = mkdtempSync(join(tmpdir(), 'skiff-kubelet-server-'));
  writeFileSync(join(dir, 'c0.log'), rec(1, 'stdout', 'one') + rec(2, 'stderr', 'two') + rec(3, 'stdout', 'three'));
  writeFileSync(join(dir, 'prev.log'), rec(0, 'stdout', 'before the restart'));
  sandboxes.set('ns1/web', { id: 'sb-web', podUID: 'uid-web' });
  containers.set('ns1/web/main', { id: 'ctr-main', logPath: join(dir, 'c0.log'), running: true, podUID: 'uid-web' });
  containers.set('ns1/web/done', { id: 'ctr-done', logPath: join(dir, 'c0.log'), running: false, podUID: 'uid-web' });
  previous.set('ns1/web/main', { id: 'ctr-old', logPath: join(dir, 'prev.log'), running: false, podUID: 'uid-web' });
  await startRuntimeEcho();
  const url = (path: string) => `http://127.0.0.1:${runtimePort}${path}`;
  kubelet = await startKubeletServer({
    port: 0,
    host: '127.0.0.1',
    tls: { cert: serving.cert, key: serving.key, ca: ca.cert },
    locator,
    cri: {
      exec: async (req) => { criCalls.push({ method: 'exec', req }); if (criFailure) throw criFailure; return { url: url('/exec/tok-exec') }; },
      attach: async (req) => { criCalls.push({ method: 'attach', req }); return { url: url('/attach/tok-attach') }; },
      portForward: async (req) => { criCalls.push({ method: 'portForward', req }); return { url: url(req.port?.includes(9) ? '/portforward/expired' : '/portforward/tok-pf') }; },
    },
    logPollMs: 20,
  });
});

after(async () => {
  await kubelet.close();
  await new Promise((r) => runtime.close(r));
  rmSync(dir, { recursive: true, force: true });
});

// ---- client helpers

type Who = 'apiserver' | 'anonymous' | 'stranger';
function tlsFor(who: Who): RequestOptions {
  const id = who === 'apiserver' ? client : who === 'stranger' ? stranger : undefined;
  return { host: '127.0.0.1', port: kubelet.port, ca: ca.cert, servername: 'node-a', ...(id ? { cert: id.cert, key: id.key } : {}) };
}

function get(path: string, who: Who = 'apiserver', method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ ...tlsFor(who), path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type UpgradeResult =
  | { upgraded: true; status: number; headers: IncomingHttpHeaders; socket: Socket; head: Buffer }
  | { upgraded: false; status: number; headers: IncomingHttpHeaders; body: string };

function upgrade(path: string, headers: Record<string, string | string[]>, method = 'POST'): Promise<UpgradeResult> {
  return new Promise((resolve, reject) => {
    // Each upgrade on its own connection (agent: false), as stream clients do: a runtime's error
    // answer comes back verbatim and its connection is not one to reuse.
    const req = httpsRequest({ ...tlsFor('apiserver'), agent: false, path, method, headers: { Connection: 'Upgrade', ...headers } });
    req.on('upgrade', (res, socket, head) => resolve({ upgraded: true, status: res.statusCode ?? 0, headers: res.headers, socket, head }));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ upgraded: false, status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function readUntil(socket: Socket, initial: Buffer, want: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = initial.toString();
    if (got.includes(want)) return resolve(got);
    const t = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(got)}`)), 5000);
    socket.on('data', (d) => {
      got += d.toString();
      if (got.includes(want)) { clearTimeout(t); resolve(got); }
    });
  });
}

const SPDY = { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'] };

// ---- tests

test('healthz answers anyone; everything else needs a client certificate from the cluster CA', async () => {
  assert.deepEqual(await get('/healthz', 'anonymous').then((r) => [r.status, r.body]), [200, 'ok']);
  assert.deepEqual(await get('/containerLogs/ns1/web/main', 'anonymous').then((r) => [r.status, r.body]), [401, 'Unauthorized']);
  assert.deepEqual(await get('/containerLogs/ns1/web/main', 'stranger').then((r) => [r.status, r.body]), [401, 'Unauthorized']);
  assert.equal((await get('/containerLogs/ns1/web/main')).status, 200);
});

test('routing: unknown paths 404, wrong methods 405', async () => {
  assert.deepEqual(await get('/nope').then((r) => [r.status, r.body]), [404, '404: Page Not Found']);
  assert.equal((await get('/containerLogs/ns1/web')).status, 404);
  const post = await get('/containerLogs/ns1/web/main', 'apiserver', 'POST');
  assert.deepEqual([post.status, post.headers.allow], [405, 'GET']);
  assert.equal((await get('/exec/ns1/web/main?output=1', 'apiserver', 'DELETE')).status, 405);
});

test('containerLogs: the log, with the kubelet\'s options', async () => {
  const all = await get('/containerLogs/ns1/web/main');
  assert.equal(all.status, 200);
  assert.equal(all.body, 'one\ntwo\nthree\n');
  assert.equal(all.headers['transfer-encoding'], 'chunked');
  assert.equal((await get('/containerLogs/ns1/web/main?tailLines=1&timestamps=true')).body, '2024-05-01T11:00:03.000000000Z three\n');
  assert.equal((await get('/containerLogs/ns1/web/main?limitBytes=5')).body, 'one\nt');
  assert.equal((await get('/containerLogs/ns1/web/main?sinceTime=2024-05-01T11:00:02Z')).body, 'two\nthree\n');
  assert.equal((await get('/containerLogs/ns1/web/main?previous=true')).body, 'before the restart\n');
  assert.equal((await get('/containerLogs/ns1/web/done')).body, 'one\ntwo\nthree\n', 'an exited container keeps its log');
});

test('containerLogs errors: the kubelet\'s codes and messages', async () => {
  const e = async (path: string) => get(path).then((r) => [r.status, r.body]);
  assert.deepEqual(await e('/containerLogs/ns1/web/done?previous=true'), [400, 'previous terminated container "done" in pod "web" not found']);
  assert.deepEqual(await e('/containerLogs/ns1/web/sidecar'), [400, 'container "sidecar" in pod "web" is waiting to start: ContainerCreating']);
  assert.deepEqual(await e('/containerLogs/ns1/pending/main'), [400, 'container "main" in pod "pending" is waiting to start: trying and failing to pull image']);
  assert.deepEqual(await e('/containerLogs/ns1/ghost/main'), [404, 'pod "ghost" does not exist']);
  assert.deepEqual(await e('/containerLogs/ns1/web/main?tailLines=x'), [400, '{"message": "Unable to decode query."}']);
  assert.deepEqual(await e('/containerLogs/ns1/web/main?tailLines=-2'), [422, '{"message": "Invalid request."}']);
  containers.set('ns1/web/gone', { id: 'ctr-gone', logPath: join(dir, 'gone.log'), running: false, podUID: 'uid-web' });
  const [code, body] = await e('/containerLogs/ns1/web/gone');
  assert.equal(code, 400);
  assert.match(String(body), /^failed to try resolving symlinks in path ".*gone\.log": lstat .*gone\.log: no such file or directory$/);
});

test('containerLogs follow streams appends until the container stops', async () => {
  const path = join(dir, 'follow.log');
  writeFileSync(path, rec(1, 'stdout', 'first'));
  containers.set('ns1/web/f', { id: 'ctr-f', logPath: path, running: true, podUID: 'uid-web' });
  const chunks: string[] = [];
  const ended = new Promise<number>((resolve, reject) => {
    const req = httpsRequest({ ...tlsFor('apiserver'), path: '/containerLogs/ns1/web/f?follow=true' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        chunks.push(d);
        if (d.includes('first')) appendFileSync(path, rec(2, 'stderr', 'second'));
        if (d.includes('second')) {
          appendFileSync(path, rec(3, 'stdout', 'third'));
          containers.set('ns1/web/f', { id: 'ctr-f', logPath: path, running: false, podUID: 'uid-web' });
        }
      });
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(await ended, 200);
  assert.equal(chunks.join(''), 'first\nsecond\nthird\n');
});

test('containerLogs follow ends when the client goes away', async () => {
  const path = join(dir, 'forever.log');
  writeFileSync(path, rec(1, 'stdout', 'tick'));
  containers.set('ns1/web/forever', { id: 'ctr-forever', logPath: path, running: true, podUID: 'uid-web' });
  await new Promise<void>((resolve, reject) => {
    const req = httpsRequest({ ...tlsFor('apiserver'), path: '/containerLogs/ns1/web/forever?follow=true' }, (res) => {
      res.once('data', () => { req.destroy(); resolve(); });
    });
    req.on('error', () => {});
    req.on('close', () => {});
    setTimeout(() => reject(new Error('no data')), 5000).unref();
    req.end();
  });
  // While following, the server asks every poll period (20 ms here) whether the container runs;
  // once the client is gone the follower must stop asking.
  await new Promise((r) => setTimeout(r, 100));
  const n = findCalls;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(findCalls, n, 'the follow stopped');
});

test('exec over SPDY: CRI Exec with the request\'s options, then the upgrade is joined to the runtime URL both ways', async () => {
  criCalls.length = 0;
  seen.length = 0;
  const r = await upgrade('/exec/ns1/web/main?command=sh&command=-c&command=echo%20hi&input=1&output=1&error=1', SPDY);
  assert.ok(r.upgraded, JSON.stringify(r));
  assert.equal(r.status, 101);
  assert.equal(r.headers['x-stream-protocol-version'], 'v4.channel.k8s.io', 'the runtime\'s negotiation reaches the client');
  assert.deepEqual(criCalls, [{ method: 'exec', req: { containerId: 'ctr-main', cmd: ['sh', '-c', 'echo hi'], tty: false, stdin: true, stdout: true, stderr: true } }]);
  // runtime → client, then client → runtime → client
  await readUntil(r.socket, r.head, 'greeting-from-runtime;');
  r.socket.write('ping-through-the-kubelet');
  await readUntil(r.socket, Buffer.alloc(0), 'ping-through-the-kubelet');
  r.socket.destroy();
  // what the runtime received: the client's method and headers, its own token path, its host
  const s = seen[0];
  assert.equal(s.method, 'POST');
  assert.equal(s.url, '/exec/tok-exec');
  assert.equal(s.headers.host, `127.0.0.1:${runtimePort}`);
  assert.equal(s.headers.upgrade, 'SPDY/3.1');
  const versions = s.raw.filter((_, i) => i % 2 === 1 && /^x-stream-protocol-version$/i.test(s.raw[i - 1]));
  assert.deepEqual(versions, ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'], 'repeated headers kept in order');
});

test('exec and attach accept the pod option names; tty drops stderr; the uid path form works', async () => {
  criCalls.length = 0;
  const a = await upgrade('/exec/ns1/web/uid-web/main?command=ls&stdin=true&stdout=true&stderr=true&tty=true', SPDY, 'GET');
  assert.ok(a.upgraded);
  a.socket.destroy();
  const b = await upgrade('/attach/ns1/web/main?output=1&error=1', SPDY);
  assert.ok(b.upgraded);
  b.socket.destroy();
  assert.deepEqual(criCalls, [
    { method: 'exec', req: { containerId: 'ctr-main', cmd: ['ls'], tty: true, stdin: true, stdout: true, stderr: false } },
    { method: 'attach', req: { containerId: 'ctr-main', tty: false, stdin: false, stdout: true, stderr: true } },
  ]);
});

test('exec over WebSocket: the subprotocol is negotiated by the runtime and frames pass both ways', async () => {
  const ws = new WebSocket(`wss://127.0.0.1:${kubelet.port}/exec/ns1/web/main?command=cat&input=1&output=1`, ['v4.channel.k8s.io', 'base64.channel.k8s.io'], {
    ca: ca.cert, cert: client.cert, key: client.key,
  });
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  assert.equal(ws.protocol, 'v4.channel.k8s.io');
  const echoed = new Promise<Buffer>((resolve) => ws.once('message', (m) => resolve(m as Buffer)));
  ws.send(Buffer.from([0, ...Buffer.from('stdin bytes')]));
  assert.deepEqual([...(await echoed)], [0, ...Buffer.from('stdin bytes')]);
  ws.close();
  await new Promise((r) => ws.once('close', r));
});

test('exec errors: options, pod, container, upgrade, runtime', async () => {
  const e = async (path: string, headers: Record<string, string | string[]> = SPDY) => {
    const r = await upgrade(path, headers);
    if (r.upgraded) { r.socket.destroy(); return [r.status, '(upgraded)']; }
    return [r.status, r.body];
  };
  assert.deepEqual(await e('/exec/ns1/web/main?command=ls'), [400, 'you must specify at least 1 of stdin, stdout, stderr']);
  assert.deepEqual(await e('/exec/ns1/ghost/main?command=ls&output=1'), [404, 'pod does not exist']);
  assert.deepEqual(await e('/exec/ns1/web/done?command=ls&output=1'), [500, 'container not found ("done")']);
  assert.deepEqual(await e('/exec/ns1/web/other-uid/main?command=ls&output=1'), [500, 'container not found ("main")']);
  const plain = await get('/exec/ns1/web/main?command=ls&output=1', 'apiserver', 'POST');
  assert.deepEqual([plain.status, plain.body], [500, 'Upgrade request required\n']);
  criFailure = new CriError('Exec', 5, 'NOT_FOUND', 'container "ctr-main" not found');
  try {
    assert.deepEqual(await e('/exec/ns1/web/main?command=ls&output=1'), [404, 'rpc error: code = NotFound desc = container "ctr-main" not found']);
    criFailure = new CriError('Exec', 9, 'FAILED_PRECONDITION', 'container is not running');
    assert.deepEqual(await e('/exec/ns1/web/main?command=ls&output=1'), [500, 'rpc error: code = FailedPrecondition desc = container is not running']);
  } finally {
    criFailure = undefined;
  }
});

test('portForward: SPDY needs no ports, WebSocket must name them; runtime answers pass through', async () => {
  criCalls.length = 0;
  const spdy = await upgrade('/portForward/ns1/web', { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' });
  assert.ok(spdy.upgraded);
  assert.equal(spdy.headers['x-stream-protocol-version'], 'portforward.k8s.io');
  spdy.socket.destroy();
  assert.deepEqual(criCalls, [{ method: 'portForward', req: { podSandboxId: 'sb-web', port: [] } }]);
  const wsHeaders = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' };
  const noPort = await upgrade('/portForward/ns1/web', wsHeaders, 'GET');
  assert.deepEqual(noPort.upgraded ? 'upgraded' : [noPort.status, noPort.body], [400, 'query parameter "port" is required']);
  const badPort = await upgrade('/portForward/ns1/web?port=0', wsHeaders, 'GET');
  assert.deepEqual(badPort.upgraded ? 'upgraded' : [badPort.status, badPort.body], [400, 'port "0" must be > 0']);
  const ws = await upgrade('/portForward/ns1/web?port=8080&port=53', wsHeaders, 'GET');
  assert.ok(ws.upgraded);
  assert.equal(ws.headers['sec-websocket-protocol'], 'v4.channel.k8s.io');
  ws.socket.destroy();
  assert.deepEqual(criCalls[1], { method: 'portForward', req: { podSandboxId: 'sb-web', port: [8080, 53] } });
  // an error answer from the runtime (an expired token) reaches the client as written
  const expired = await upgrade('/portForward/ns1/web?port=9', wsHeaders, 'GET');
  assert.deepEqual(expired.upgraded ? 'upgraded' : [expired.status, expired.body], [404, 'no such token']);
  const ghost = await upgrade('/portForward/ns1/ghost', SPDY);
  assert.deepEqual(ghost.upgraded ? 'upgraded' : [ghost.status, ghost.body], [404, 'pod does not exist']);
  const wrongUid = await upgrade('/portForward/ns1/web/uid-other', SPDY);
  assert.deepEqual(wrongUid.upgraded ? 'upgraded' : [wrongUid.status, wrongUid.body], [404, 'pod not found']);
});

test('a runtime that cannot be reached: the kubelet\'s dial error', async () => {
  const dead = createHttpServer();
  await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
  const port = (dead.address() as AddressInfo).port;
  await new Promise((r) => dead.close(r));
  const serving = await kubeletServingCert(ca, 'node-b');
  const k = await startKubeletServer({
    port: 0, host: '127.0.0.1', tls: { cert: serving.cert, key: serving.key, ca: ca.cert }, locator,
    cri: { exec: async () => ({ url: `http://127.0.0.1:${port}/exec/x` }), attach: async () => ({ url: '' }), portForward: async () => ({ url: '' }) },
  });
  try {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: k.port, ca: ca.cert, cert: client.cert, key: client.key, servername: 'node-b', method: 'POST', path: '/exec/ns1/web/main?command=ls&output=1', headers: { Connection: 'Upgrade', ...SPDY } });
      req.on('response', (res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b })); });
      req.on('upgrade', () => reject(new Error('upgraded to a dead runtime')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(r.status, 500);
    assert.match(r.body, /^error dialing backend: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
  } finally {
    await k.close();
  }
});

test('close ends open sessions', async () => {
  const serving = await kubeletServingCert(ca, 'node-c');
  const k = await startKubeletServer({
    port: 0, host: '127.0.0.1', tls: { cert: serving.cert, key: serving.key, ca: ca.cert }, locator,
    cri: { exec: async () => ({ url: `http://127.0.0.1:${runtimePort}/exec/tok` }), attach: async () => ({ url: '' }), portForward: async () => ({ url: '' }) },
  });
  const r = await new Promise<Socket>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: k.port, ca: ca.cert, cert: client.cert, key: client.key, servername: 'node-c', method: 'POST', path: '/exec/ns1/web/main?command=ls&output=1', headers: { Connection: 'Upgrade', ...SPDY } });
    req.on('upgrade', (_res, socket) => resolve(socket));
    req.on('error', reject);
    req.end();
  });
  const closed = new Promise((resolve) => r.once('close', resolve));
  await k.close();
  await closed;
});

test('the serving certificate names the node, localhost and the node IPs', async () => {
  const { X509Certificate } = await import('node:crypto');
  const pem = await kubeletServingCert(ca, 'node-z', ['10.0.0.5', '127.0.0.1']);
  const x = new X509Certificate(pem.cert);
  assert.equal(x.subject, 'O=system:nodes\nCN=system:node:node-z');
  assert.equal(x.subjectAltName, 'DNS:node-z, DNS:localhost, IP Address:127.0.0.1, IP Address:10.0.0.5');
  assert.ok(x.verify(new X509Certificate(ca.cert).publicKey), 'signed by the cluster CA');
});
