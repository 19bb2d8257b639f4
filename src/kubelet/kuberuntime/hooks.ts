// Lifecycle handlers (postStart, preStop) the way the kubelet's handler runner runs them:
// exec through CRI ExecSync, httpGet against the pod IP (or the handler's host), sleep, and
// tcpSocket (deprecated for hooks: accepted and ignored, as upstream). A failure answers
// with the message upstream builds; the caller decides what it means.

import http from 'node:http';
import https from 'node:https';
import type { Obj } from '../../api/types.js';
import { grpcErrorText } from './images.js';
import type { CriRuntime } from './cri.js';

export interface HookContext {
  cri: Pick<CriRuntime, 'execSync'>;
  pod: Obj;
  container: Obj;
  containerId: string;
  podIP?: string;
  /** Seconds the handler may take (the remaining grace period for preStop). */
  timeoutSeconds: number;
  signal?: AbortSignal;
}

const podFullName = (pod: Obj): string => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** Resolves port names against the container's ports. */
function resolvePort(port: unknown, container: Obj): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  const p = (container.ports ?? []).find((x: Obj) => x.name === port);
  return p?.containerPort;
}

function httpGet(h: Obj, ctx: HookContext): Promise<string | undefined> {
  const port = resolvePort(h.port, ctx.container);
  const host = h.host || ctx.podIP || '127.0.0.1';
  if (!port) return Promise.resolve(`invalid port ${JSON.stringify(h.port)}`);
  const scheme = String(h.scheme ?? 'HTTP').toLowerCase() === 'https' ? https : http;
  const headers: Record<string, string> = { 'User-Agent': 'kube-lifecycle/1.32' };
  for (const x of h.httpHeaders ?? []) headers[x.name] = x.value;
  return new Promise((resolve) => {
    const req = scheme.request({ host, port, path: h.path || '/', method: 'GET', headers, timeout: ctx.timeoutSeconds * 1000, rejectUnauthorized: false, signal: ctx.signal }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? undefined : `HTTP lifecycle hook (${h.path ?? ''}) for Container "${ctx.container.name}" in Pod "${podFullName(ctx.pod)}" failed - error: HTTP status ${code}`);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve(`HTTP lifecycle hook (${h.path ?? ''}) for Container "${ctx.container.name}" in Pod "${podFullName(ctx.pod)}" failed - error: ${e.message}`));
    req.end();
  });
}

function sleep(seconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, Math.max(0, seconds) * 1000);
    function done(): void { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Runs a handler; resolves undefined on success, else the failure message. */
export async function runHandler(handler: Obj, ctx: HookContext): Promise<string | undefined> {
  if (handler?.exec) {
    const cmd: string[] = handler.exec.command ?? [];
    try {
      const r = await ctx.cri.execSync({ containerId: ctx.containerId, cmd, timeout: Math.max(1, Math.ceil(ctx.timeoutSeconds)) }, { signal: ctx.signal });
      if (r.exitCode === 0) return undefined;
      const out = Buffer.concat([r.stdout ?? Buffer.alloc(0), r.stderr ?? Buffer.alloc(0)]).toString('utf8');
      return `Exec lifecycle hook (${goList(cmd)}) for Container "${ctx.container.name}" in Pod "${podFullName(ctx.pod)}" failed - error: command '${cmd.join(' ')}' exited with ${r.exitCode}: ${out}, message: ${JSON.stringify(out)}`;
    } catch (e) {
      return `Exec lifecycle hook (${goList(cmd)}) for Container "${ctx.container.name}" in Pod "${podFullName(ctx.pod)}" failed - error: ${grpcErrorText(e)}, message: ""`;
    }
  }
  if (handler?.httpGet) return httpGet(handler.httpGet, ctx);
  if (handler?.sleep) {
    await sleep(Math.min(Number(handler.sleep.seconds ?? 0), ctx.timeoutSeconds), ctx.signal);
    return undefined;
  }
  // tcpSocket hooks are deprecated and do nothing (upstream logs and succeeds).
  return undefined;
}

const goList = (xs: string[]): string => `[${xs.join(' ')}]`;
