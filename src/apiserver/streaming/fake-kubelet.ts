// Test support: a kubelet stand-in that serves the streaming endpoints the API server
// proxies to, with this package's own SPDY code on the server side. HTTPS with a client
// certificate required (signed by the test CA), as the real kubelet.
//
//   /exec/{ns}/{pod}/{container}?command=...   runs a tiny fake command (see run(): echo, cat,
//                                               exit N, sh -c 'exit N' / 'echo ...', ...)
//   /attach/{ns}/{pod}/{container}              echoes stdin to stdout
//   /portForward/{ns}/{pod}                     every "data" stream echoes what it gets,
//                                               prefixed with "port <n>: " once
//   /containerLogs/{ns}/{pod}/{container}       "line 1\nline 2\n..."; follow keeps writing
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createCA, issueCert } from '../../pki/index.js';
import { SpdySession, type SpdyStream } from './spdy/session.js';

export interface FakeKubelet {
  port: number;
  /** Requests seen: method, path with query, and the client certificate's CN. */
  requests: { method: string; url: string; cn: string; headers: IncomingMessage['headers'] }[];
  /** Terminal sizes received on resize streams. */
  resizes: string[];
  /** Upgraded (SPDY) connections still open. */
  openConnections(): number;
  close(): Promise<void>;
}

export interface FakeKubeletOptions {
  tls: { cert: string; key: string; ca: string };
  /** Containers that exist (exec/attach to others: 404 container not found). */
  containers?: string[];
}

const STATUS_OK = JSON.stringify({ metadata: {}, status: 'Success' });
function exitStatus(code: number): string {
  return JSON.stringify({
    metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: error executing command [x], exit code ${code}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  });
}

function upgradeSpdy(req: IncomingMessage, socket: Duplex, head: Buffer, offered: string[]): { session: SpdySession; version: string } | undefined {
  const asked = (req.headers['x-stream-protocol-version'] ? String(req.headers['x-stream-protocol-version']) : '').split(',').map((s) => s.trim());
  const version = asked.find((v) => offered.includes(v));
  if (!version) {
    socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 23\r\n\r\nno protocol in common\r\n`);
    return undefined;
  }
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${version}\r\n\r\n`);
  return { session: new SpdySession(socket, { server: true, head }), version };
}

/** Collects the streams a remote command needs (as the kubelet: error, stdin, stdout, stderr, resize). */
function remoteCommand(session: SpdySession, q: URLSearchParams, onReady: (s: Record<string, SpdyStream>) => void): void {
  const tty = q.get('tty') === '1';
  const expected = 1 + (q.get('input') === '1' ? 1 : 0) + (q.get('output') === '1' ? 1 : 0) + (q.get('error') === '1' && !tty ? 1 : 0);
  const got: Record<string, SpdyStream> = {};
  let count = 0;
  session.on('stream', (s: SpdyStream) => {
    s.on('error', () => {});
    const type = s.header('streamtype') ?? '';
    got[type] = s;
    if (type !== 'resize') count++;
    if (count === expected) setImmediate(() => onReady(got)); // resize, if any, arrives right after
  });
}

/** Ends the outputs, writes the status, and closes the connection once all of it is sent. */
function finish(streams: Record<string, SpdyStream>, session: SpdySession, status: string): void {
  const outs = ['stdout', 'stderr', 'error'].map((t) => streams[t]).filter((s): s is SpdyStream => !!s);
  let left = outs.length;
  for (const s of outs) {
    s.once('finish', () => { if (--left === 0) session.close(); });
    s.end(s === streams.error ? status : undefined);
  }
}

/** What one fake kubelet remembers: terminal sizes told, files `tar x` received (by path). */
interface State { resizes: string[]; files: Map<string, Buffer> }

/** The regular files of a tar archive (ustar headers: name at 0, octal size at 124). */
function untar(files: Map<string, Buffer>, b: Buffer, dir: string): void {
  for (let off = 0; off + 512 <= b.length;) {
    const name = b.toString('latin1', off, off + 100).replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(b.toString('latin1', off + 124, off + 136).replace(/\0.*$/s, '').trim() || '0', 8);
    if (b[off + 156] === 0x30 || b[off + 156] === 0) files.set(`${dir}/${name}`.replace(/^\/+/, '').replace(/\/+/g, '/'), b.subarray(off + 512, off + 512 + size));
    off += 512 + Math.ceil(size / 512) * 512;
  }
}

/** A tar archive with one file. */
function tar(name: string, data: Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h[156] = 0x30;
  h.write('ustar\x0000', 257, 'latin1');
  let sum = 0;
  for (const x of h) sum += x;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return Buffer.concat([h, data, Buffer.alloc((512 - (data.length % 512)) % 512), Buffer.alloc(1024)]);
}

function run(cmd: string[], s: Record<string, SpdyStream>, session: SpdySession, { resizes, files }: State): void {
  // `sh -c 'exit N'` and `sh -c 'echo ...'` as kubectl users write them
  const script = cmd[0] === 'sh' && cmd[1] === '-c' ? /^(exit|echo) ?(.*)$/.exec(cmd[2] ?? '') : null;
  const [prog, ...args] = script ? [script[1], script[2]] : cmd;
  if (prog === 'echo') {
    s.stdout.write(`${args.join(' ')}\n`);
    finish(s, session, STATUS_OK);
  } else if (prog === 'tar' && args.some((a) => /^-?x/.test(a) || a.includes('xmf'))) {
    // kubectl cp upload: the archive arrives on stdin, which kubectl then closes
    const parts: Buffer[] = [];
    s.stdin.on('data', (d: Buffer) => parts.push(d));
    const dir = args.includes('-C') ? args[args.indexOf('-C') + 1] : '';
    s.stdin.on('end', () => { untar(files, Buffer.concat(parts), dir); finish(s, session, STATUS_OK); });
  } else if (prog === 'tar' && args.includes('cf')) {
    // kubectl cp download: `tar cf - PATH`
    const path = args[args.length - 1].replace(/^\/+/, '');
    const data = files.get(path);
    if (data) s.stdout.write(tar(path, data));
    else s.stderr?.write(`tar: ${path}: No such file or directory\n`);
    finish(s, session, data ? STATUS_OK : exitStatus(2));
  } else if (prog === 'cat' && args.length) {
    const data = files.get(args[0].replace(/^\/+/, ''));
    if (data) s.stdout.write(data);
    finish(s, session, data ? STATUS_OK : exitStatus(1));
  } else if (prog === 'cat') {
    // stdin to stdout until stdin ends
    s.stdin.on('data', (d: Buffer) => s.stdout.write(d));
    s.stdin.on('end', () => finish(s, session, STATUS_OK));
  } else if (prog === 'exit') {
    finish(s, session, Number(args[0]) === 0 ? STATUS_OK : exitStatus(Number(args[0])));
  } else if (prog === 'both') {
    // one line to each output, then exit 0
    s.stdout.write(`out:${args[0]}\n`);
    s.stderr?.write(`err:${args[0]}\n`);
    finish(s, session, STATUS_OK);
  } else if (prog === 'big') {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < Number(args[0]); i++) s.stdout.write(chunk);
    finish(s, session, STATUS_OK);
  } else if (prog === 'resize') {
    // prints the first terminal size it is told, then exits; the resize stream may come
    // after the others (the kubelet does not wait for it)
    let buf = '';
    const watch = (r: SpdyStream) => r.on('data', (d: Buffer) => {
      buf += d.toString();
      const end = buf.indexOf('}');
      if (end < 0) return;
      const size = JSON.parse(buf.slice(0, end + 1));
      resizes.push(`${size.Width}x${size.Height}`);
      s.stdout.write(`size ${size.Width}x${size.Height}\n`);
      finish(s, session, STATUS_OK);
    });
    if (s.resize) watch(s.resize);
    else session.on('stream', (r: SpdyStream) => { if (r.header('streamtype') === 'resize') watch(r); });
  } else if (prog === 'fail') {
    finish(s, session, JSON.stringify({ metadata: {}, status: 'Failure', message: args.join(' '), reason: 'InternalError', code: 500 }));
  } else {
    finish(s, session, JSON.stringify({ metadata: {}, status: 'Failure', message: `exec: "${prog}": executable file not found in $PATH`, reason: 'InternalError', code: 500 }));
  }
}

export async function startFakeKubelet(o: FakeKubeletOptions): Promise<FakeKubelet> {
  const requests: FakeKubelet['requests'] = [];
  const state: State = { resizes: [], files: new Map() };
  const containers = o.containers ?? ['main'];
  const upgraded = new Set<Duplex>();
  const record = (req: IncomingMessage) => {
    const cn = String((req.socket as TLSSocket).getPeerCertificate()?.subject?.CN ?? '');
    requests.push({ method: req.method ?? '', url: req.url ?? '', cn, headers: req.headers });
  };

  const server: Server = createServer({ cert: o.tls.cert, key: o.tls.key, ca: o.tls.ca, requestCert: true, rejectUnauthorized: true }, (req: IncomingMessage, res: ServerResponse) => {
    record(req);
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      // what a streaming endpoint answers a request that is not an upgrade
      res.writeHead(/^\/(exec|attach|portForward)\//.test(url.pathname) ? 400 : 404, { 'Content-Type': 'text/plain' });
      res.end('Upgrade request required');
      return;
    }
    if (m[3] === 'waiting') {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end(`container "waiting" in pod "${m[2]}" is waiting to start: ContainerCreating`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const tail = url.searchParams.get('tailLines');
    const lines = ['line 1', 'line 2', 'line 3'].slice(tail === null ? 0 : 3 - Number(tail));
    res.write(lines.map((l) => `${url.searchParams.get('timestamps') ? '2026-01-01T00:00:00Z ' : ''}${l}\n`).join(''));
    if (url.searchParams.get('follow') !== 'true') { res.end(); return; }
    let n = 4;
    const timer = setInterval(() => res.write(`line ${n++}\n`), 20);
    res.on('close', () => clearInterval(timer));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    record(req);
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if ((parts[0] === 'exec' || parts[0] === 'attach') && parts.length === 4) {
      if (!containers.includes(parts[3])) {
        const msg = `container not found ("${parts[3]}")`;
        socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(msg)}\r\n\r\n${msg}`);
        return;
      }
      const up = upgradeSpdy(req, socket, head, ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io']);
      if (!up) return;
      const cmd = parts[0] === 'exec' ? url.searchParams.getAll('command') : ['cat'];
      remoteCommand(up.session, url.searchParams, (s) => run(cmd, s, up.session, state));
      return;
    }
    if (parts[0] === 'portForward' && parts.length === 3) {
      const up = upgradeSpdy(req, socket, head, ['portforward.k8s.io']);
      if (!up) return;
      // streams come in pairs (error, data) per request id; as the kubelet, both are closed
      // once the forwarded connection is done
      const errors = new Map<string, SpdyStream>();
      up.session.on('stream', (s: SpdyStream) => {
        s.on('error', () => {});
        const id = s.header('requestid') ?? '';
        if (s.header('streamtype') === 'error') { errors.set(id, s); return; }
        s.write(`port ${s.header('port')}: `);
        s.on('data', (d: Buffer) => s.write(d));
        s.on('end', () => { s.end(); errors.get(id)?.end(); errors.delete(id); });
      });
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    requests, resizes: state.resizes,
    openConnections: () => upgraded.size,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      for (const s of upgraded) s.destroy();
    }),
  };
}

/**
 * Test fixture: a CA, a fake kubelet serving with its certificate, the API server's client
 * identity for it, and three Nodes pointing at 127.0.0.1 — `real` (the fake kubelet), `sim`
 * (a simulated node) and `down` (a port nothing listens on).
 */
export async function fakeKubeletWithNodes(o: Omit<FakeKubeletOptions, 'tls'> = {}): Promise<{
  kubelet: FakeKubelet; client: { cert: string; key: string; ca: string }; nodes: Record<'real' | 'sim' | 'down', Record<string, unknown>>;
}> {
  const ca = await createCA('test-ca', 1);
  const serving = await issueCert(ca, { cn: 'kubelet', usage: 'server', ips: ['127.0.0.1'], days: 1 });
  const client = await issueCert(ca, { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'], usage: 'client', days: 1 });
  const kubelet = await startFakeKubelet({ ...o, tls: { ...serving, ca: ca.cert } });
  const addr = { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] };
  return {
    kubelet,
    client: { cert: client.cert, key: client.key, ca: ca.cert },
    nodes: {
      real: { metadata: { name: 'real' }, status: { ...addr, daemonEndpoints: { kubeletEndpoint: { Port: kubelet.port } } } },
      sim: { metadata: { name: 'sim', labels: { 'skiff.dev/simulated': 'true' } }, status: addr },
      down: { metadata: { name: 'down' }, status: { ...addr, daemonEndpoints: { kubeletEndpoint: { Port: 1 } } } },
    },
  };
}
