// exec, attach and port-forward through the streaming handlers to a fake kubelet (HTTPS,
// client certificate required, SPDY served by this package's code), driven the way kubectl
// drives them: WebSocket v5 (1.30+), other channel protocols, SPDY (older kubectl), and SPDY
// tunnelled in WebSocket for port-forward.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { createCA, issueCert } from '../../pki/index.js';
import type { Obj } from '../../api/types.js';
import { sendError } from '../status.js';
import { serveConnect, type ConnectDeps, type ConnectSubresource } from './connect.js';
import { startFakeKubelet, type FakeKubelet } from './fake-kubelet.js';
import { KubeletClient } from './kubelet.js';
import { SpdySession, type SpdyStream } from './spdy/session.js';
import { upgradeResponse } from './upgrade.js';

let kubelet: FakeKubelet;
let front: Server;
let base: string;
const stop = new AbortController();
const nodes: Record<string, Obj> = {};
const pods: Record<string, Obj> = {};
let deps: ConnectDeps;

const node = (name: string, port: number, labels: Record<string, string> = {}): Obj => ({
  metadata: { name, labels },
  status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: name }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
});
const pod = (name: string, nodeName: string | undefined, containers = ['main']): Obj => ({
  metadata: { name, namespace: 'ns' }, spec: { nodeName, containers: containers.map((c) => ({ name: c })) },
});

before(async () => {
  const ca = await createCA('test-ca', 1);
  const serving = await issueCert(ca, { cn: 'kubelet', usage: 'server', ips: ['127.0.0.1'], dns: ['n1'], days: 1 });
  const client = await issueCert(ca, { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'], usage: 'client', days: 1 });
  kubelet = await startFakeKubelet({ tls: { ...serving, ca: ca.cert }, containers: ['main'] });
  nodes.n1 = node('n1', kubelet.port);
  nodes.sim = node('sim', kubelet.port, { 'skiff.dev/simulated': 'true' });
  nodes.down = node('down', 1); // nothing listens on port 1
  for (const p of [pod('p', 'n1', ['main', 'gone']), pod('solo', 'n1'), pod('unbound', undefined), pod('simpod', 'sim'), pod('downpod', 'down'), pod('multi', 'n1', ['a', 'b'])]) pods[p.metadata.name] = p;
  deps = {
    kubelet: new KubeletClient({ cert: client.cert, key: client.key, ca: ca.cert }),
    getNode: async (n) => nodes[n],
  };
  // the API server's part: route /api/v1/namespaces/ns/pods/{pod}/{sub} to serveConnect
  const route = (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v1\/namespaces\/ns\/pods\/([^/]+)\/(exec|attach|portforward)$/.exec(url.pathname)!;
    serveConnect(deps, req, res, m[2] as ConnectSubresource, pods[m[1]], url.searchParams).catch((e) => sendError(res, e));
  };
  front = createServer(route);
  front.on('upgrade', (req, socket, head) => route(req, upgradeResponse(req, socket, head, stop.signal)));
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  base = `127.0.0.1:${(front.address() as { port: number }).port}`;
});

after(async () => {
  stop.abort();
  front.closeAllConnections();
  await new Promise<void>((r) => front.close(() => r()));
  await kubelet.close();
});

interface WsResult { protocol: string; messages: { channel: number; data: Buffer }[]; stdout: string; stderr: string; error: string; closeCode: number }

/** A WebSocket client as client-go's v5 executor: stdin on channel 0, then the close signal. */
function wsExec(path: string, o: { protocol?: string; stdin?: string; closeStdin?: boolean; resize?: object } = {}): Promise<WsResult> {
  const protocol = o.protocol ?? 'v5.channel.k8s.io';
  const ws = new WebSocket(`ws://${base}${path}`, [protocol]);
  const base64 = protocol.includes('base64');
  const out: WsResult = { protocol: '', messages: [], stdout: '', stderr: '', error: '', closeCode: 0 };
  const send = (ch: number, data: Buffer) => base64 ? ws.send(String(ch) + data.toString('base64')) : ws.send(Buffer.concat([Buffer.from([ch]), data]));
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      out.protocol = ws.protocol;
      if (o.stdin !== undefined) send(0, Buffer.from(o.stdin));
      if (o.closeStdin) ws.send(Buffer.from([255, 0]));
      if (o.resize) send(4, Buffer.from(JSON.stringify(o.resize)));
    });
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      const m = isBinary ? { channel: raw[0], data: raw.subarray(1) } : { channel: Number(raw.toString()[0]), data: Buffer.from(raw.toString().slice(1), 'base64') };
      out.messages.push(m);
      if (m.channel === 1) out.stdout += m.data.toString();
      if (m.channel === 2) out.stderr += m.data.toString();
      if (m.channel === 3) out.error += m.data.toString();
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('close', (code) => { out.closeCode = code; resolve(out); });
  });
}

test('WebSocket v5: the exit code reaches the error channel, the session starts with an empty stdout message', async () => {
  const r = await wsExec('/api/v1/namespaces/ns/pods/p/exec?command=exit&command=7&container=main&stdout=true&stderr=true');
  assert.equal(r.protocol, 'v5.channel.k8s.io');
  assert.deepEqual(r.messages[0], { channel: 1, data: Buffer.alloc(0) });
  assert.deepEqual(JSON.parse(r.error), {
    metadata: {}, status: 'Failure', reason: 'NonZeroExitCode',
    message: 'command terminated with non-zero exit code: command terminated with exit code 7',
    details: { causes: [{ reason: 'ExitCode', message: '7' }] },
  });
  assert.equal(r.closeCode, 1000);
  // what the kubelet was asked, with the API server's client certificate
  const seen = kubelet.requests.at(-1)!;
  assert.equal(seen.url, '/exec/ns/p/main?command=exit&command=7&error=1&output=1');
  assert.equal(seen.cn, 'kube-apiserver-kubelet-client');
  assert.equal(seen.method, 'POST');
  assert.equal(seen.headers.upgrade, 'SPDY/3.1');
  assert.equal(seen.headers['x-stream-protocol-version'], 'v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io');
});

test('WebSocket v5: stdin reaches the command and the close signal ends it (echo x | kubectl exec -i -- cat)', async () => {
  const r = await wsExec('/api/v1/namespaces/ns/pods/solo/exec?command=cat&stdin=true&stdout=true&stderr=true', { stdin: 'piped-in\n', closeStdin: true });
  assert.equal(r.stdout, 'piped-in\n');
  assert.deepEqual(JSON.parse(r.error), { metadata: {}, status: 'Success' });
  assert.match(kubelet.requests.at(-1)!.url, /^\/exec\/ns\/solo\/main\?command=cat&error=1&input=1&output=1$/);
});

test('WebSocket v5: stdout and stderr stay apart', async () => {
  const r = await wsExec('/api/v1/namespaces/ns/pods/p/exec?command=both&command=x&container=main');
  assert.equal(r.stdout, 'out:x\n');
  assert.equal(r.stderr, 'err:x\n');
  assert.deepEqual(JSON.parse(r.error), { metadata: {}, status: 'Success' });
});

test('WebSocket v5 with a terminal: resize messages reach the kubelet\'s resize stream', async () => {
  const r = await wsExec('/api/v1/namespaces/ns/pods/p/exec?command=resize&container=main&stdin=true&tty=true', { resize: { Width: 80, Height: 24 } });
  assert.equal(r.stdout, 'size 80x24\n');
  assert.equal(r.stderr, '');
  assert.deepEqual(kubelet.resizes.at(-1), '80x24');
  assert.equal(kubelet.requests.at(-1)!.url, '/exec/ns/p/main?command=resize&error=1&input=1&output=1&tty=1');
});

test('WebSocket v5: a large output arrives whole and in order', async () => {
  const r = await wsExec('/api/v1/namespaces/ns/pods/solo/exec?command=big&command=64');
  assert.equal(r.stdout.length, 64 * 64 * 1024);
  assert.deepEqual(JSON.parse(r.error), { metadata: {}, status: 'Success' });
});

test('a client that leaves mid-command takes the kubelet connection with it', async () => {
  const before = kubelet.openConnections();
  const ws = new WebSocket(`ws://${base}/api/v1/namespaces/ns/pods/solo/exec?command=cat&stdin=true`, ['v5.channel.k8s.io']);
  await new Promise((resolve) => ws.once('message', resolve)); // the "connected" notice
  ws.send(Buffer.from([0, ...Buffer.from('x')]));
  await new Promise((resolve) => ws.once('message', resolve)); // cat's echo: the kubelet session is up
  assert.equal(kubelet.openConnections(), before + 1);
  ws.terminate();
  for (let i = 0; i < 100 && kubelet.openConnections() > before; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(kubelet.openConnections(), before);
});

test('attach relays stdin like exec', async () => {
  const r = await wsExec('/api/v1/namespaces/ns/pods/solo/attach?stdin=true&stdout=true', { stdin: 'hello', closeStdin: true });
  assert.equal(r.stdout, 'hello');
  assert.equal(kubelet.requests.at(-1)!.url, '/attach/ns/solo/main?error=1&input=1&output=1');
});

test('older channel protocols: v4 binary, v4 base64 and channel.k8s.io (error as text)', async () => {
  const v4 = await wsExec('/api/v1/namespaces/ns/pods/solo/exec?command=exit&command=3', { protocol: 'v4.channel.k8s.io' });
  assert.equal(v4.protocol, 'v4.channel.k8s.io');
  assert.equal(JSON.parse(v4.error).details.causes[0].message, '3');
  const b64 = await wsExec('/api/v1/namespaces/ns/pods/solo/exec?command=both&command=y', { protocol: 'v4.base64.channel.k8s.io' });
  assert.equal(b64.stdout, 'out:y\n');
  assert.equal(b64.stderr, 'err:y\n');
  const v1 = await wsExec('/api/v1/namespaces/ns/pods/solo/exec?command=fail&command=boom', { protocol: 'channel.k8s.io' });
  assert.equal(v1.error, 'Internal error occurred: boom');
});

test('a container the kubelet does not run: the kubelet\'s refusal on the error channel', async () => {
  const r = await wsExec('/api/v1/namespaces/ns/pods/p/exec?command=true&container=gone');
  const st = JSON.parse(r.error);
  assert.equal(st.message, 'Internal error occurred: unable to upgrade connection: container not found ("gone")');
  assert.equal(st.code, 500);
  assert.equal(st.reason, 'InternalError');
});

/** An SPDY client as kubectl 1.27's: POST with Upgrade: SPDY/3.1, then one stream per channel. */
async function spdyExec(path: string, o: { stdin?: string; versions?: string[]; port?: boolean } = {}): Promise<{ res: IncomingMessage; session?: SpdySession; body?: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: Number(base.split(':')[1]), method: 'POST', path,
      headers: { Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': o.versions ?? ['v4.channel.k8s.io', 'v3.channel.k8s.io'] },
    });
    req.on('upgrade', (res, socket: Duplex, head) => resolve({ res, session: new SpdySession(socket, { server: false, head }) }));
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ res, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const readAll = (s: SpdyStream | undefined) => new Promise<string>((resolve) => {
  if (!s) { resolve(''); return; }
  let text = '';
  s.on('data', (d: Buffer) => { text += d; });
  s.on('end', () => resolve(text));
});

test('SPDY clients are proxied to the kubelet byte for byte (kubectl 1.27)', async () => {
  const { res, session } = await spdyExec('/api/v1/namespaces/ns/pods/solo/exec?command=exit&command=7&stdout=true&stderr=true');
  assert.equal(res.statusCode, 101);
  assert.equal(res.headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
  const error = await session!.openStream({ streamtype: 'error' });
  const stdout = await session!.openStream({ streamtype: 'stdout' });
  const stderr = await session!.openStream({ streamtype: 'stderr' });
  const [err] = await Promise.all([readAll(error), readAll(stdout), readAll(stderr)]);
  assert.equal(JSON.parse(err).details.causes[0].message, '7');
  session!.destroy();
  const seen = kubelet.requests.at(-1)!;
  assert.equal(seen.url, '/exec/ns/solo/main?command=exit&command=7&error=1&output=1');
  assert.equal(seen.headers['x-stream-protocol-version'], 'v4.channel.k8s.io, v3.channel.k8s.io');
  assert.equal(seen.cn, 'kube-apiserver-kubelet-client');

  const cat = await spdyExec('/api/v1/namespaces/ns/pods/solo/exec?command=cat&stdin=true');
  const e2 = await cat.session!.openStream({ streamtype: 'error' });
  const in2 = await cat.session!.openStream({ streamtype: 'stdin' });
  const out2 = await cat.session!.openStream({ streamtype: 'stdout' });
  await cat.session!.openStream({ streamtype: 'stderr' });
  const got = readAll(out2);
  in2.end('over spdy');
  assert.equal(await got, 'over spdy');
  assert.deepEqual(JSON.parse(await readAll(e2)), { metadata: {}, status: 'Success' });
  cat.session!.destroy();
});

test('SPDY: the kubelet\'s refusal is relayed as it answered', async () => {
  const r = await spdyExec('/api/v1/namespaces/ns/pods/p/exec?command=true&container=gone');
  assert.equal(r.res.statusCode, 404);
  assert.equal(r.body, 'container not found ("gone")');
});

/**
 * A WebSocket client as client-go's tunnelling dialer: it offers "SPDY/3.1+portforward.k8s.io",
 * which the ws library will not put in a handshake (it is not an RFC 7230 token), so the
 * handshake and the framing (masked binary frames out, plain frames in) are done here.
 */
function tunnelClient(path: string, protocol: string): Promise<{ res: IncomingMessage; conn: Duplex }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: Number(base.split(':')[1]), path,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64'), 'Sec-WebSocket-Protocol': protocol },
    });
    req.on('error', reject);
    req.on('response', (res) => reject(new Error(`handshake answered ${res.statusCode}`)));
    req.on('upgrade', (res, socket: Duplex, head: Buffer) => {
      let buf = head;
      const conn = new Duplex({
        read() { /* pushed below */ },
        write(chunk: Buffer, _e, cb) {
          const mask = randomBytes(4);
          const len = chunk.length;
          const hdr = len < 126 ? Buffer.from([0x82, 0x80 | len]) : Buffer.from([0x82, 0x80 | 126, len >> 8, len & 0xff]);
          const body = Buffer.from(chunk.map((b, i) => b ^ mask[i % 4]));
          socket.write(Buffer.concat([hdr, mask, body]), cb);
        },
        final(cb) { socket.write(Buffer.from([0x88, 0x80, 0, 0, 0, 0])); cb(); },
      });
      socket.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          if (buf.length < 2) return;
          let len = buf[1] & 0x7f, off = 2;
          if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
          if (buf.length < off + len) return;
          const opcode = buf[0] & 0x0f, payload = buf.subarray(off, off + len);
          buf = buf.subarray(off + len);
          if (opcode === 2) conn.push(payload);
          if (opcode === 8) { conn.push(null); socket.end(); }
        }
      });
      socket.on('close', () => conn.destroy());
      resolve({ res, conn });
    });
    req.end();
  });
}

test('port-forward: SPDY tunnelled in WebSocket binary messages (kubectl 1.30+) and plain SPDY', async () => {
  const { res, conn } = await tunnelClient('/api/v1/namespaces/ns/pods/solo/portforward', 'SPDY/3.1+portforward.k8s.io');
  assert.equal(res.headers['sec-websocket-protocol'], 'SPDY/3.1+portforward.k8s.io');
  const seen = kubelet.requests.at(-1)!;
  assert.equal(seen.url, '/portForward/ns/solo');
  assert.equal(seen.method, 'POST');
  assert.equal(seen.headers['x-stream-protocol-version'], 'portforward.k8s.io');
  const session = new SpdySession(conn, { server: false });
  await session.openStream({ streamtype: 'error', port: '8080', requestid: '0' });
  const data = await session.openStream({ streamtype: 'data', port: '8080', requestid: '0' });
  const got = readAll(data);
  data.end('through the tunnel');
  assert.equal(await got, 'port 8080: through the tunnel');
  const closed = new Promise((r) => session.once('close', r));
  session.close();
  await closed;

  const plain = await spdyExec('/api/v1/namespaces/ns/pods/solo/portforward', { versions: ['portforward.k8s.io'] });
  assert.equal(plain.res.statusCode, 101);
  const d2 = await plain.session!.openStream({ streamtype: 'data', port: '80', requestid: '1' });
  const got2 = readAll(d2);
  d2.end('plain');
  assert.equal(await got2, 'port 80: plain');
  plain.session!.destroy();
});

/** A plain request to a streaming URL, answered with a Status. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ code: number; body: Obj }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(base.split(':')[1]), path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('requests kube-apiserver refuses before any kubelet is asked', async () => {
  const cases: [string, number, string][] = [
    ['/api/v1/namespaces/ns/pods/solo/exec?command=ls', 400, 'Upgrade request required'],
    ['/api/v1/namespaces/ns/pods/p/exec?command=ls&container=nope', 400, 'container nope is not valid for pod p'],
    ['/api/v1/namespaces/ns/pods/multi/exec?command=ls', 400, 'a container name must be specified for pod multi, choose one of: [a b]'],
    ['/api/v1/namespaces/ns/pods/unbound/exec?command=ls', 400, 'pod unbound does not have a host assigned'],
    ['/api/v1/namespaces/ns/pods/simpod/attach', 400, 'pod simpod is on node sim, a simulated node that runs no containers'],
  ];
  const before = kubelet.requests.length;
  for (const [path, code, message] of cases) {
    const r = await get(path);
    assert.equal(r.code, code, path);
    assert.equal(r.body.message, message, path);
    if (message === 'Upgrade request required') continue;
    // the same answer on an upgrade request, before the upgrade
    const up = await spdyExec(path);
    assert.equal(up.res.statusCode, code, path);
    assert.equal(JSON.parse(up.body!).message, message, path);
  }
  assert.equal(kubelet.requests.length, before);
});

test('an unreachable kubelet: "error dialing backend" (SPDY) or an internal error on the error channel (WebSocket)', async () => {
  const r = await spdyExec('/api/v1/namespaces/ns/pods/downpod/exec?command=ls');
  assert.equal(r.res.statusCode, 500);
  assert.deepEqual(JSON.parse(r.body!), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500,
    message: 'error dialing backend: dial tcp 127.0.0.1:1: connect: connection refused',
  });
  const w = await wsExec('/api/v1/namespaces/ns/pods/downpod/exec?command=ls');
  assert.equal(JSON.parse(w.error).message, 'Internal error occurred: dial tcp 127.0.0.1:1: connect: connection refused');
});

test('a kubelet client without the client certificate is turned away by the kubelet', async () => {
  const saved = deps.kubelet;
  deps.kubelet = new KubeletClient({ ca: (saved as unknown as { cfg: { ca: string } }).cfg.ca });
  try {
    const w = await wsExec('/api/v1/namespaces/ns/pods/solo/exec?command=ls');
    assert.equal(JSON.parse(w.error).code, 500);
  } finally {
    deps.kubelet = saved;
  }
});
