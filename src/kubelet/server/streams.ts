// /exec, /attach and /portForward: check the request as the kubelet does, ask the runtime
// (CRI Exec/Attach/PortForward) for a streaming URL, and join the client's upgrade request
// to it (proxy.ts). Messages and status codes are the kubelet's.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { CriError } from '../cri/client.js';
import { proxyUpgrade } from './proxy.js';
import type { Reply } from './reply.js';
import type { ContainerLocator, Log, StreamingRuntime } from './types.js';

export interface StreamContext {
  locator: ContainerLocator;
  cri: StreamingRuntime;
  log: Log;
  track: (s: Socket) => void;
}

/** The upgraded connection, when the request is one. */
export interface Upgrade {
  socket: Duplex;
  head: Buffer;
}

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** The API server sends input/output/error/tty=1; the pod option names and "true" work too. */
export function streamOptions(q: URLSearchParams): StreamOptions {
  const on = (a: string, b: string) => {
    const v = q.get(a) ?? q.get(b);
    return v === '1' || v === 'true';
  };
  const tty = on('tty', 'tty');
  const opts = { stdin: on('input', 'stdin'), stdout: on('output', 'stdout'), stderr: on('error', 'stderr'), tty };
  if (tty && opts.stderr) opts.stderr = false; // a terminal has one output stream
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw new BadStream(400, 'you must specify at least 1 of stdin, stdout, stderr');
  return opts;
}

class BadStream extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export function isWebSocketRequest(req: IncomingMessage): boolean {
  return /\bupgrade\b/i.test(String(req.headers.connection ?? '')) && String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** Ports for port-forward: required (and checked) only for WebSocket clients, as NewV4Options. */
export function portForwardPorts(req: IncomingMessage, q: URLSearchParams): number[] {
  if (!isWebSocketRequest(req)) return [];
  const raw = q.getAll('port');
  if (!raw.length) throw new BadStream(400, 'query parameter "port" is required');
  return raw.map((s) => {
    if (!/^\d+$/.test(s) || Number(s) > 65535) throw new BadStream(400, `unable to parse ${JSON.stringify(s)} as a port: strconv.ParseUint: parsing ${JSON.stringify(s)}: ${/^\d+$/.test(s) ? 'value out of range' : 'invalid syntax'}`);
    if (Number(s) === 0) throw new BadStream(400, `port ${JSON.stringify(s)} must be > 0`);
    return Number(s);
  });
}

const GO_CODES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** The CRI streaming library's WriteError: gRPC NotFound → 404, ResourceExhausted → 429, else 500. */
function runtimeError(reply: Reply, e: unknown): void {
  if (e instanceof CriError) {
    const msg = `rpc error: code = ${GO_CODES[e.code] ?? `Code(${e.code})`} desc = ${e.details}`;
    if (e.code === 5) reply.text(404, msg);
    else if (e.code === 8) reply.text(429, msg, { 'Retry-After': '60' });
    else reply.text(500, msg);
    return;
  }
  reply.text(500, (e as Error).message ?? String(e));
}

/** Joins the upgrade to the runtime's URL, or says why not. */
async function toRuntime(ctx: StreamContext, req: IncomingMessage, reply: Reply, up: Upgrade | undefined, getUrl: () => Promise<{ url: string }>): Promise<void> {
  if (!up) {
    // The kubelet's upgrade-aware proxy insists on an upgrade; its responder answers 500.
    reply.text(500, 'Upgrade request required\n');
    return;
  }
  let url: string;
  try {
    ({ url } = await getUrl());
  } catch (e) {
    runtimeError(reply, e);
    return;
  }
  proxyUpgrade(req, up.socket, up.head, url, { track: ctx.track, log: ctx.log });
}

function podUnknown(ctx: StreamContext, ns: string, pod: string): boolean {
  if (ctx.locator.hasPod) return !ctx.locator.hasPod(ns, pod);
  return false;
}

/**
 * Whether a container the runtime may still call running has in fact ended: containerd marks
 * it exited only once it has handled the exit event, which lags under load. An attach in that
 * gap connects to a finished process, streams nothing and succeeds, so `kubectl run -i` of
 * a short command loses its output; refused, kubectl falls back to the container's logs.
 * The process is gone when its pid has no /proc entry or is a zombie awaiting its shim.
 */
async function processGone(ctx: StreamContext, id: string): Promise<boolean> {
  if (!ctx.cri.containerStatus) return false;
  try {
    const r = await ctx.cri.containerStatus({ containerId: id, verbose: true });
    if (r.status && r.status.state !== 'CONTAINER_RUNNING') return true;
    const pid = Number((JSON.parse(r.info?.info ?? '{}') as { pid?: number }).pid);
    if (!(pid > 0)) return false;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat) return true;
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return false; // no answer: let the runtime decide
  }
}

/** /exec/{ns}/{pod}[/{uid}]/{container} and /attach/... */
export async function serveExecOrAttach(
  ctx: StreamContext, kind: 'exec' | 'attach', req: IncomingMessage, q: URLSearchParams, reply: Reply, up: Upgrade | undefined,
  ns: string, pod: string, uid: string | undefined, container: string,
): Promise<void> {
  let opts: StreamOptions;
  try {
    opts = streamOptions(q);
  } catch (e) {
    if (e instanceof BadStream) return reply.text(e.code, e.message);
    throw e;
  }
  const c = ctx.locator.findContainer(ns, pod, container);
  if (podUnknown(ctx, ns, pod) || (!c && !ctx.locator.findSandbox(ns, pod))) return reply.text(404, 'pod does not exist');
  // The kubelet looks among running containers only.
  if (!c || !c.running || (uid && c.podUID !== uid)) return reply.text(500, `container not found (${JSON.stringify(container)})`);
  const id = c.id;
  if (kind === 'attach' && await processGone(ctx, id)) return reply.text(500, 'container is in CONTAINER_EXITED state');
  await toRuntime(ctx, req, reply, up, () => kind === 'exec'
    ? ctx.cri.exec({ containerId: id, cmd: q.getAll('command'), tty: opts.tty, stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr })
    : ctx.cri.attach({ containerId: id, tty: opts.tty, stdin: opts.stdin, stdout: opts.stdout, stderr: opts.stderr }));
}

/** /portForward/{ns}/{pod}[/{uid}] */
export async function servePortForward(
  ctx: StreamContext, req: IncomingMessage, q: URLSearchParams, reply: Reply, up: Upgrade | undefined,
  ns: string, pod: string, uid: string | undefined,
): Promise<void> {
  let ports: number[];
  try {
    ports = portForwardPorts(req, q);
  } catch (e) {
    if (e instanceof BadStream) return reply.text(e.code, e.message);
    throw e;
  }
  const sb = ctx.locator.findSandbox(ns, pod);
  if (podUnknown(ctx, ns, pod) || !sb) return reply.text(404, 'pod does not exist');
  if (uid && sb.podUID !== uid) return reply.text(404, 'pod not found');
  await toRuntime(ctx, req, reply, up, () => ctx.cri.portForward({ podSandboxId: sb.id, port: ports }));
}
