// The kubelet's HTTPS server (port 10250): /healthz, /containerLogs, /exec, /attach,
// /portForward, /stats/summary and /pods on the kubelet's paths. Clients authenticate with a certificate signed by the
// cluster CA (the API server uses kube-apiserver-kubelet-client); TLS asks for one and a
// request without a valid one gets the kubelet's 401 "Unauthorized" — except /healthz, which
// only says "ok".
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { serveContainerLogs } from './containerlogs.js';
import { responseReply, socketReply, type Reply } from './reply.js';
import { servePods, serveStatsSummary } from './stats.js';
import { serveExecOrAttach, servePortForward, type Upgrade } from './streams.js';
import type { ContainerLocator, Log, StatsSource, StreamingRuntime } from './types.js';

export interface KubeletServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** Listen address; default all addresses. */
  host?: string;
  /** PEM: the serving certificate and key, and the CA client certificates must chain to. */
  tls: { cert: string | Buffer; key: string | Buffer; ca: string | Buffer };
  locator: ContainerLocator;
  cri: StreamingRuntime;
  /** /stats/summary's source; without it the endpoint answers 503. */
  stats?: StatsSource;
  signal?: AbortSignal;
  log?: Log;
  /** Tests: the clock for sinceSeconds, and the follow poll period (default 1 s). */
  now?: () => Date;
  logPollMs?: number;
}

export interface KubeletServer {
  port: number;
  /** Stops listening and ends every open connection (log follows, exec sessions). */
  close(): Promise<void>;
}

type Route =
  | { kind: 'healthz' }
  | { kind: 'statsSummary' }
  | { kind: 'pods' }
  | { kind: 'containerLogs'; ns: string; pod: string; container: string }
  | { kind: 'exec' | 'attach'; ns: string; pod: string; uid?: string; container: string }
  | { kind: 'portForward'; ns: string; pod: string; uid?: string };

/** The kubelet's routes (go-restful path templates; segments are URL-decoded). */
export function route(pathname: string): Route | undefined {
  if (pathname === '/healthz' || pathname === '/healthz/ping') return { kind: 'healthz' };
  if (pathname === '/stats/summary' || pathname === '/stats/summary/') return { kind: 'statsSummary' };
  if (pathname === '/pods' || pathname === '/pods/') return { kind: 'pods' };
  let parts: string[];
  try {
    parts = pathname.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  if (parts.some((p) => p === '')) return undefined;
  const [head, ...rest] = parts;
  switch (head) {
    case 'containerLogs':
      return rest.length === 3 ? { kind: 'containerLogs', ns: rest[0], pod: rest[1], container: rest[2] } : undefined;
    case 'exec':
    case 'attach':
      if (rest.length === 3) return { kind: head, ns: rest[0], pod: rest[1], container: rest[2] };
      if (rest.length === 4) return { kind: head, ns: rest[0], pod: rest[1], uid: rest[2], container: rest[3] };
      return undefined;
    case 'portForward':
      if (rest.length === 2) return { kind: 'portForward', ns: rest[0], pod: rest[1] };
      if (rest.length === 3) return { kind: 'portForward', ns: rest[0], pod: rest[1], uid: rest[2] };
      return undefined;
    default:
      return undefined;
  }
}

export async function startKubeletServer(o: KubeletServerOptions): Promise<KubeletServer> {
  const log = o.log ?? (() => {});
  const closing = new AbortController();
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const server: Server = createServer({
    cert: o.tls.cert,
    key: o.tls.key,
    ca: o.tls.ca,
    requestCert: true,
    rejectUnauthorized: false, // checked per request, so the answer is an HTTP 401
    minVersion: 'TLSv1.2',
  });
  server.on('connection', track);
  const streams = { locator: o.locator, cri: o.cri, log, track };
  const logs = { locator: o.locator, log, signal: closing.signal, now: o.now ?? (() => new Date()), pollMs: o.logPollMs };

  async function handle(req: IncomingMessage, reply: Reply, res: ServerResponse | undefined, up: Upgrade | undefined): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet.invalid');
    const r = route(url.pathname);
    if (r?.kind !== 'healthz' && !(req.socket as TLSSocket).authorized) return reply.text(401, 'Unauthorized');
    if (!r) return reply.text(404, '404: Page Not Found');
    const method = req.method ?? 'GET';
    const getOnly = r.kind === 'healthz' || r.kind === 'containerLogs' || r.kind === 'pods';
    if (getOnly ? method !== 'GET' : method !== 'GET' && method !== 'POST') {
      return reply.text(405, 'Method Not Allowed', { Allow: getOnly ? 'GET' : 'GET, POST' });
    }
    switch (r.kind) {
      case 'healthz':
        return reply.text(200, 'ok');
      case 'statsSummary':
        if (!res) return reply.text(400, 'stats do not upgrade');
        return serveStatsSummary(o.stats, req, url.searchParams, res, reply);
      case 'pods':
        if (!res) return reply.text(400, 'pods do not upgrade');
        return servePods(o.locator, res, reply);
      case 'containerLogs':
        if (!res) return reply.text(400, 'containerLogs does not upgrade');
        return serveContainerLogs(logs, url.searchParams, res, reply, r.ns, r.pod, r.container);
      case 'exec':
      case 'attach':
        return serveExecOrAttach(streams, r.kind, req, url.searchParams, reply, up, r.ns, r.pod, r.uid, r.container);
      case 'portForward':
        return servePortForward(streams, req, url.searchParams, reply, up, r.ns, r.pod, r.uid);
    }
  }

  const fail = (reply: Reply, req: IncomingMessage) => (e: unknown) => {
    log(`kubelet server: ${req.method} ${req.url}: ${(e as Error).stack ?? e}`);
    reply.text(500, 'Internal Server Error');
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const reply = responseReply(res);
    handle(req, reply, res, undefined).catch(fail(reply, req));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const reply = socketReply(socket);
    handle(req, reply, undefined, { socket, head }).catch(fail(reply, req));
  });
  server.on('tlsClientError', (e) => log(`kubelet server: TLS: ${e.message}`));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  log(`kubelet server listening on ${o.host ?? '*'}:${port}`);

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
    return closed;
  };
  o.signal?.addEventListener('abort', () => void close(), { once: true });
  if (o.signal?.aborted) await close();
  return { port, close };
}
