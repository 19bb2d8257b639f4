// HTTP probes (pkg/probe/http as the kubelet configures it): GET <scheme>://<host>:<port><path>
// with host defaulting to the pod IP, no keep-alive, no proxy, no compression, TLS without
// verification; `kube-probe/1.32` and `Accept: */*` unless the probe sets them. Redirects are
// followed only to the same host (at most 10); a redirect elsewhere ends the probe with a
// warning. 200–399 succeeds (3xx as a warning), anything else fails with
// `HTTP probe failed with statuscode: N`; transport failures read as Go's client prints them,
// `Get "<url>": dial tcp ...: connect: connection refused`. At most 10 KiB of body is read.

import http from 'node:http';
import https from 'node:https';
import type { Obj } from '../../api/types.js';
import { resolveContainerPort } from './port.js';
import { MAX_PROBE_OUTPUT, PROBE_USER_AGENT, type ProbeContext, type ProbeOutcome } from './types.js';
import { dialErrorText, errnoText, joinHostPort, withDeadline } from './util.js';

const MAX_REDIRECTS = 10;
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

export interface ProbeRequest {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** Request target (path and query, escaped), never empty. */
  target: string;
  /** The URL as Go prints it in errors (no trailing slash for an empty path). */
  url: string;
  /** Canonical header name → values, in the order given. */
  headers: Map<string, string[]>;
}

/** Go's textproto.CanonicalMIMEHeaderKey ("x-forwarded-for" → "X-Forwarded-For"). */
export function canonicalHeaderKey(k: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(k)) return k;
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/** Percent-escapes what may not appear raw in a request line (spaces, controls, non-ASCII). */
function escapeTarget(p: string): string {
  return p.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** NewRequestForHTTPGetAction: throws (the probe errors) when the port cannot be resolved. */
export function newProbeRequest(action: Obj, container: Obj, podIP: string): ProbeRequest {
  const scheme = String(action.scheme ?? 'HTTP').toLowerCase() === 'https' ? 'https' : 'http';
  const host = action.host || podIP;
  const port = resolveContainerPort(action.port, container);
  const raw = escapeTarget(String(action.path ?? ''));
  const hash = raw.indexOf('#');
  const noFrag = hash >= 0 ? raw.slice(0, hash) : raw;
  const withSlash = (s: string): string => (s === '' || s.startsWith('/') || s.startsWith('?') ? s : `/${s}`);
  let target = withSlash(noFrag);
  if (target === '' || target.startsWith('?')) target = `/${target}`;
  const headers = new Map<string, string[]>();
  for (const h of action.httpHeaders ?? []) {
    const k = canonicalHeaderKey(String(h.name));
    headers.set(k, [...(headers.get(k) ?? []), String(h.value ?? '')]);
  }
  if (!headers.has('User-Agent')) headers.set('User-Agent', [PROBE_USER_AGENT]);
  if (!headers.has('Accept')) headers.set('Accept', ['*/*']);
  else if ((headers.get('Accept') ?? [''])[0] === '') headers.delete('Accept');
  return { scheme, host, port, target, url: `${scheme}://${joinHostPort(host, port)}${withSlash(raw)}`, headers };
}

interface Hop { status: number; location?: string; body: string }

export async function httpProbe(action: Obj, container: Obj, podIP: string, timeoutSeconds: number, ctx: ProbeContext): Promise<ProbeOutcome> {
  let req: ProbeRequest;
  try {
    req = newProbeRequest(action, container, podIP);
  } catch (err) {
    return { result: 'unknown', output: '', error: err as Error };
  }
  return doHttpProbe(req, timeoutSeconds * 1000, ctx);
}

/** DoHTTPProbe with the kubelet's redirect policy, under one deadline for the whole chain. */
export async function doHttpProbe(first: ProbeRequest, timeoutMs: number, ctx: ProbeContext): Promise<ProbeOutcome> {
  return withDeadline(ctx.clock, timeoutMs, ctx.signal, async (signal, timedOut) => {
    let cur = first;
    let hostOverride = first.headers.get('Host')?.[0];
    const seen: string[] = [];
    for (;;) {
      let hop: Hop;
      try {
        hop = await oneRequest(cur, hostOverride, seen.at(-1), signal, timedOut);
      } catch (err) {
        const e = err as HopError;
        if (ctx.signal.aborted) return { result: 'unknown', output: '', error: new Error('probe cancelled') };
        if (e.duringBody) return { result: 'failure', output: '', error: new Error(e.message) };
        return { result: 'failure', output: `Get ${JSON.stringify(cur.url)}: ${e.message}` };
      }
      if (REDIRECT_CODES.has(hop.status) && hop.location) {
        let next: URL;
        try {
          next = new URL(hop.location, cur.url);
        } catch {
          return { result: 'failure', output: `Get ${JSON.stringify(cur.url)}: failed to parse Location header ${JSON.stringify(hop.location)}` };
        }
        const hostname = next.hostname.replace(/^\[|\]$/g, '');
        if ((next.protocol === 'http:' || next.protocol === 'https:') && hostname === first.host) {
          seen.push(cur.url);
          const scheme = next.protocol === 'https:' ? 'https' : 'http';
          const port = next.port ? Number(next.port) : scheme === 'https' ? 443 : 80;
          const target = (next.pathname || '/') + next.search;
          const nextReq: ProbeRequest = { ...cur, scheme, port, target, url: `${scheme}://${joinHostPort(first.host, port)}${target}` };
          if (seen.length >= MAX_REDIRECTS) return { result: 'failure', output: `Get ${JSON.stringify(nextReq.url)}: stopped after ${MAX_REDIRECTS} redirects` };
          // Go keeps an explicit Host header only across relative redirects.
          if (/^[a-z][a-z0-9+.-]*:/i.test(hop.location) || hop.location.startsWith('//')) hostOverride = undefined;
          cur = nextReq;
          continue;
        }
        // Redirect to another host (or scheme): not followed, the 3xx answer stands.
      }
      if (hop.status >= 200 && hop.status < 400) {
        if (hop.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${hop.body}` };
        return { result: 'success', output: hop.body };
      }
      return { result: 'failure', output: `HTTP probe failed with statuscode: ${hop.status}` };
    }
  });
}

interface HopError extends Error { duringBody?: boolean }

function hopError(message: string, duringBody = false): HopError {
  return Object.assign(new Error(message), { duringBody });
}

function oneRequest(r: ProbeRequest, hostOverride: string | undefined, referer: string | undefined, signal: AbortSignal, timedOut: () => boolean): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    headers.Host = hostOverride || joinHostPort(r.host, r.port);
    const ua = r.headers.get('User-Agent')?.[0];
    if (ua) headers['User-Agent'] = ua;
    for (const [k, v] of r.headers) if (k !== 'Host' && k !== 'User-Agent') headers[k] = v.length === 1 ? v[0] : v;
    if (referer && !(referer.startsWith('https:') && r.scheme === 'http')) headers.Referer = referer;
    headers.Connection = 'close';
    const opts: https.RequestOptions = { host: r.host || undefined, port: r.port, method: 'GET', path: r.target, headers, agent: false };
    let settled = false;
    let inBody = false;
    const fail = (msg: string): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(hopError(msg, inBody));
    };
    const onAbort = (): void => fail(timedOut()
      ? inBody ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)' : 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
      : 'context canceled');
    const req = r.scheme === 'https' ? https.request({ ...opts, rejectUnauthorized: false }) : http.request(opts);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => fail(transportErrorText(r, err, req)));
    req.on('response', (res) => {
      inBody = true;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        req.destroy();
        const loc = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location: loc || undefined, body: Buffer.concat(chunks).subarray(0, MAX_PROBE_OUTPUT).toString('utf8') });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= MAX_PROBE_OUTPUT) finish(); // non-fatal truncation, like ReadAtMost
      });
      res.on('end', finish);
      res.on('error', (err: NodeJS.ErrnoException) => fail(transportErrorText(r, err, req)));
      res.on('aborted', () => fail('unexpected EOF'));
    });
    req.end();
  });
}

/** Node's client errors in the words of Go's net/http. */
function transportErrorText(r: ProbeRequest, err: NodeJS.ErrnoException, req: http.ClientRequest): string {
  const addr = joinHostPort(r.host, r.port);
  const e = err as NodeJS.ErrnoException & { hostname?: string };
  if (e.syscall === 'connect' || e.syscall === 'getaddrinfo' || e.code === 'ENOTFOUND') return dialErrorText(addr, e);
  if (e.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number/.test(e.message)) return 'http: server gave HTTP response to HTTPS client';
  if (e.message === 'socket hang up' || e.code === 'ECONNRESET' && !e.syscall) return 'EOF';
  if (e.syscall === 'read' || e.syscall === 'write') {
    const s = req.socket;
    const local = s?.localAddress ? joinHostPort(s.localAddress, s.localPort ?? 0) : '';
    return `${e.syscall} tcp ${local}->${addr}: ${e.syscall}: ${errnoText(e)}`;
  }
  if (e.code?.startsWith('HPE_')) return `net/http: HTTP/1.x transport connection broken: malformed HTTP response`;
  return e.message;
}
