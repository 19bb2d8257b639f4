// A Kubernetes REST client over node:https (node:http for plain http:// URLs, which only
// tests use). One keep-alive Agent per client carries the TLS identity (CA + client cert/key
// PEMs, or a bearer token). Every call takes an optional AbortSignal; close() drops pooled
// sockets so a stopped component leaves no handles behind.

import * as http from 'node:http';
import * as https from 'node:https';
import type { Obj } from '../api/types.js';
import { responseError, statusToError } from './errors.js';
import {
  PATCH_CONTENT_TYPE,
  type CallOptions, type DeleteOptions, type KubeClient, type ListOptions, type ObjList, type PatchType,
  type ResourceRef, type SubresourceMethod, type WatchEvent, type WatchOptions,
} from './interface.js';

export interface RestClientOptions {
  /** https://host:port (http:// is accepted for tests). */
  server: string;
  /** PEM of the CA that signed the server's certificate. */
  ca?: string | Buffer;
  /** Client certificate and key PEMs (x509 client auth). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Bearer token (service accounts, bootstrap tokens). */
  token?: string;
  userAgent?: string;
  /**
   * A Unix socket to reach the server through instead of the URL's host and port (the API
   * server's in-process loopback listener: plain HTTP, bearer-token identities). The URL
   * still gives the scheme's request shape and any path prefix.
   */
  socketPath?: string;
  /** Socket inactivity timeout for non-watch requests (default 60 s; 0 disables). */
  timeoutMs?: number;
  maxSockets?: number;
}

export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: string | Buffer;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The URL path of a resource collection, object or subresource. */
export function resourcePath(res: ResourceRef, namespace?: string, name?: string, subresource?: string): string {
  let p = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  if (namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${res.plural}`;
  if (name !== undefined) {
    if (!name) throw new Error(`resource name may not be empty (${res.plural})`);
    p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
  }
  return p;
}

function listQuery(o: (ListOptions & WatchOptions) | undefined): Record<string, string | number | boolean | undefined> {
  if (!o) return {};
  return {
    labelSelector: o.labelSelector || undefined,
    fieldSelector: o.fieldSelector || undefined,
    limit: o.limit || undefined,
    continue: o.continue || undefined,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
    timeoutSeconds: o.timeoutSeconds,
    allowWatchBookmarks: o.allowWatchBookmarks || undefined,
    sendInitialEvents: o.sendInitialEvents,
  };
}

function callQuery(o: CallOptions | undefined): Record<string, string | boolean | undefined> {
  return { dryRun: o?.dryRun ? 'All' : undefined, fieldManager: o?.fieldManager, force: o?.force || undefined };
}

function deleteBody(o: DeleteOptions | undefined): string {
  const body: Obj = { kind: 'DeleteOptions', apiVersion: 'v1' };
  if (o?.propagationPolicy) body.propagationPolicy = o.propagationPolicy;
  if (o?.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o?.preconditions) body.preconditions = o.preconditions;
  if (o?.dryRun) body.dryRun = ['All'];
  return JSON.stringify(body);
}

function nameOf(obj: Obj): string {
  const name = obj?.metadata?.name;
  if (typeof name !== 'string' || !name) throw new Error('object has no metadata.name');
  return name;
}

export class RestClient implements KubeClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly mod: typeof http | typeof https;
  private readonly userAgent: string;
  private readonly token?: string;
  private readonly timeoutMs: number;
  private readonly socketPath?: string;

  constructor(o: RestClientOptions) {
    this.base = new URL(o.server);
    this.socketPath = o.socketPath;
    if (o.socketPath) {
      this.mod = http;
      this.agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 64 });
    } else if (this.base.protocol === 'https:') {
      this.mod = https;
      this.agent = new https.Agent({ keepAlive: true, ca: o.ca, cert: o.cert, key: o.key, maxSockets: o.maxSockets ?? 64 });
    } else if (this.base.protocol === 'http:') {
      this.mod = http;
      this.agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 64 });
    } else {
      throw new Error(`unsupported server URL ${o.server}`);
    }
    this.userAgent = o.userAgent ?? 'skiff-client';
    this.token = o.token;
    this.timeoutMs = o.timeoutMs ?? 60_000;
  }

  /** Destroys every socket of the client (in-flight requests fail): call once its users stopped. */
  close(): void {
    this.agent.destroy();
  }

  private url(path: string, query?: RawRequest['query']): URL {
    const u = new URL(this.base.toString());
    u.pathname = (this.base.pathname.replace(/\/$/, '') + path) || '/';
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u;
  }

  private open(r: RawRequest, timeoutMs: number): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { Accept: r.accept ?? 'application/json', 'User-Agent': this.userAgent };
      if (this.token) headers.Authorization = `Bearer ${this.token}`;
      if (r.body !== undefined) {
        headers['Content-Type'] = r.contentType ?? 'application/json';
        headers['Content-Length'] = Buffer.byteLength(r.body);
      }
      const u = this.url(r.path, r.query);
      const req = this.socketPath
        ? http.request({ socketPath: this.socketPath, path: `${u.pathname}${u.search}`, method: r.method, agent: this.agent, headers, signal: r.signal })
        : this.mod.request(u, { method: r.method, agent: this.agent, headers, signal: r.signal });
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`${r.method} ${r.path}: timed out waiting for the server`)));
      req.once('response', (res) => resolve({ req, res }));
      // Kept for the request's whole life: a late socket error must never go unhandled (the
      // response stream reports it to whoever reads the body).
      req.on('error', reject);
      req.end(r.body);
    });
  }

  /** One request, whole body read. Network failures reject with the socket error. */
  async request(r: RawRequest): Promise<RawResponse> {
    const { res } = await this.open(r, this.timeoutMs);
    res.setEncoding('utf8');
    let body = '';
    for await (const chunk of res) body += chunk as string;
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  }

  /** A request whose 2xx answer is JSON; anything else becomes an ApiError. */
  async requestJSON<T = Obj>(r: RawRequest): Promise<T> {
    const resp = await this.request(r);
    if (resp.status < 200 || resp.status > 299) throw responseError(resp.status, resp.body);
    return (resp.body ? JSON.parse(resp.body) : {}) as T;
  }

  get(res: ResourceRef, namespace: string | undefined, name: string, opts?: CallOptions): Promise<Obj> {
    return this.requestJSON({ method: 'GET', path: resourcePath(res, namespace, name), signal: opts?.signal });
  }

  list(res: ResourceRef, namespace: string | undefined, opts?: ListOptions & CallOptions): Promise<ObjList> {
    return this.requestJSON<ObjList>({ method: 'GET', path: resourcePath(res, namespace), query: listQuery(opts), signal: opts?.signal });
  }

  create(res: ResourceRef, namespace: string | undefined, obj: Obj, opts?: CallOptions): Promise<Obj> {
    return this.requestJSON({ method: 'POST', path: resourcePath(res, namespace), query: callQuery(opts), body: JSON.stringify(obj), signal: opts?.signal });
  }

  update(res: ResourceRef, namespace: string | undefined, obj: Obj, opts?: CallOptions): Promise<Obj> {
    return this.requestJSON({ method: 'PUT', path: resourcePath(res, namespace, nameOf(obj)), query: callQuery(opts), body: JSON.stringify(obj), signal: opts?.signal });
  }

  updateStatus(res: ResourceRef, namespace: string | undefined, obj: Obj, opts?: CallOptions): Promise<Obj> {
    return this.requestJSON({ method: 'PUT', path: resourcePath(res, namespace, nameOf(obj), 'status'), query: callQuery(opts), body: JSON.stringify(obj), signal: opts?.signal });
  }

  patch(res: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: CallOptions & { subresource?: string }): Promise<Obj> {
    const body = typeof patch === 'string' ? patch : JSON.stringify(patch);
    return this.requestJSON({
      method: 'PATCH', path: resourcePath(res, namespace, name, opts?.subresource), query: callQuery(opts),
      body, contentType: PATCH_CONTENT_TYPE[type], signal: opts?.signal,
    });
  }

  delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<Obj> {
    return this.requestJSON({ method: 'DELETE', path: resourcePath(res, namespace, name), body: deleteBody(opts), signal: opts?.signal });
  }

  deleteCollection(res: ResourceRef, namespace: string | undefined, opts?: DeleteOptions & ListOptions): Promise<Obj> {
    return this.requestJSON({ method: 'DELETE', path: resourcePath(res, namespace), query: listQuery(opts), body: deleteBody(opts), signal: opts?.signal });
  }

  subresource(method: SubresourceMethod, res: ResourceRef, namespace: string | undefined, name: string, subresource: string, body?: Obj, opts?: CallOptions): Promise<Obj> {
    return this.requestJSON({
      method, path: resourcePath(res, namespace, name, subresource), query: callQuery(opts),
      body: body === undefined ? undefined : JSON.stringify(body), signal: opts?.signal,
    });
  }

  /**
   * Streams newline-delimited watch events. Ends quietly when the server closes the stream or
   * the signal aborts; throws the Status of an ERROR event (ResourceExpiredError for 410).
   */
  async *watch(res: ResourceRef, namespace: string | undefined, opts?: WatchOptions & CallOptions): AsyncGenerator<WatchEvent> {
    const signal = opts?.signal;
    if (signal?.aborted) return;
    let opened: { req: http.ClientRequest; res: http.IncomingMessage };
    try {
      opened = await this.open({ method: 'GET', path: resourcePath(res, namespace), query: { ...listQuery(opts), watch: 'true' }, signal }, this.timeoutMs);
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    }
    const { req, res: resp } = opened;
    // A quiet watch idles legitimately until the server ends it at timeoutSeconds; past that
    // (plus slack) the peer is gone without a FIN and only a client-side timer notices.
    req.setTimeout(opts?.timeoutSeconds ? (opts.timeoutSeconds + 30) * 1000 : 0);
    let complete = false;
    try {
      resp.setEncoding('utf8');
      if ((resp.statusCode ?? 0) !== 200) {
        let body = '';
        for await (const chunk of resp) body += chunk as string;
        complete = true;
        throw responseError(resp.statusCode ?? 0, body);
      }
      let pending = '';
      const parse = (line: string): WatchEvent | undefined => {
        if (!line.trim()) return undefined;
        const ev = JSON.parse(line) as WatchEvent;
        if (ev.type === 'ERROR') throw statusToError(ev.object ?? {});
        return ev;
      };
      for await (const chunk of resp) {
        pending += chunk as string;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const ev = parse(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
          if (ev) yield ev;
        }
      }
      complete = true;
      const last = parse(pending);
      if (last) yield last;
    } catch (err) {
      if (signal?.aborted) return;
      throw err;
    } finally {
      // A stream we stop reading early cannot go back to the pool: drop its socket.
      if (!complete) req.destroy();
    }
  }
}

/** Callback form of watch: resolves when the stream ends or the signal aborts. */
export async function forEachWatchEvent(
  client: KubeClient, res: ResourceRef, namespace: string | undefined, opts: WatchOptions & CallOptions,
  onEvent: (ev: WatchEvent) => void | Promise<void>,
): Promise<void> {
  for await (const ev of client.watch(res, namespace, opts)) await onEvent(ev);
}
