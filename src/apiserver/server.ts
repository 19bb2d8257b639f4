// The API server: HTTPS listener, authentication, routing to discovery, OpenAPI, health
// and resource handlers. Everything a request can do wrong ends in sendError (status.ts).
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../api/errors.js';
import type { Store } from '../storage/store.js';
import { Admissions } from './admission/index.js';
import { bootstrap } from './bootstrap.js';
import { Cluster } from './cluster.js';
import { serveDiscovery } from './discovery.js';
import { handleResource } from './handlers/resource.js';
import { ANONYMOUS, authenticate, forbiddenFor, impersonate } from './auth.js';
import { serveOIDC } from './handlers/oidc.js';
import { serveOpenAPI } from './handlers/openapi.js';
import { sendJSON, sendText } from './http.js';
import { Metrics } from './metrics.js';
import { serveHealth } from './health.js';
import { parseRequestInfo } from './requestinfo.js';
import { sendError } from './status.js';
import { bindKubeletClient, KubeletClient } from './streaming/kubelet.js';
import { upgradeResponse } from './streaming/upgrade.js';
import { LoopbackListener, type LoopbackOptions } from './loopback.js';
import type { UserInfo } from './registry/strategy.js';

export interface ApiServerOptions {
  port: number;
  host?: string;
  store: Store;
  tls: { cert: string; key: string; ca: string };
  serviceCIDR: string;
  advertiseAddress: string;
  serviceAccountKey?: { privateKeyPem: string; publicKeyPem: string };
  nodePortRange?: [number, number];
  /**
   * How the API server reaches kubelets (logs, exec, attach, port-forward): the client
   * certificate it presents (CN kube-apiserver-kubelet-client, O system:masters) and the CA
   * kubelet serving certificates are checked against. Without it kubelets are verified with
   * tls.ca and no client certificate is presented.
   */
  kubeletClient?: { cert: string; key: string; ca: string };
  /** A plain-HTTP Unix socket for in-process clients with per-identity tokens (loopback.ts). */
  loopback?: LoopbackOptions;
  signal: AbortSignal;
}

export interface ApiServer {
  url: string;
  ready: Promise<void>;
  close(): Promise<void>;
}

export const GIT_VERSION = 'v1.32.0+skiff';

export function versionInfo(): Record<string, string> {
  return {
    major: '1', minor: '32', gitVersion: GIT_VERSION, gitCommit: 'skiff', gitTreeState: 'clean',
    buildDate: '2026-11-30T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}



// Paths anyone may read, as kube-apiserver's system:public-info-viewer and discovery roles allow.
const PUBLIC = /^\/(healthz|livez|readyz|version)(\/|$)/;

export async function startApiServer(o: ApiServerOptions): Promise<ApiServer> {
  const metrics = new Metrics();
  const cluster = new Cluster(o.store, new Admissions(o.serviceCIDR, o.nodePortRange ?? [30000, 32767]), { serviceAccountKey: o.serviceAccountKey });
  bindKubeletClient(cluster, new KubeletClient(o.kubeletClient ?? { ca: o.tls.ca }));
  let isReady = false;
  let loopback: LoopbackListener | undefined;

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    let verb = req.method ?? 'GET', resource = '';
    try {
      // prefixing the origin keeps paths like "//x" paths instead of protocol-relative URLs
      const url = new URL(`https://localhost${(req.url ?? '/').startsWith('/') ? '' : '/'}${req.url ?? '/'}`);
      const path = url.pathname;
      const user = impersonate(req, authenticate(req, o.serviceAccountKey?.publicKeyPem, loopback));
      if (user === ANONYMOUS && !PUBLIC.test(path)) {
        // anonymous requests are authenticated as system:anonymous and then refused by RBAC
        throw forbiddenFor(user, parseRequestInfo(req.method ?? 'GET', path, url.searchParams));
      }
      if (path === '/.well-known/openid-configuration' || path === '/openid/v1/jwks') {
        serveOIDC(res, path, o.serviceAccountKey?.publicKeyPem, `https://${o.advertiseAddress}:${o.port}`);
        return;
      }
      if (/^\/(healthz|livez|readyz)(\/|$)/.test(path)) { serveHealth(res, path, url.searchParams, isReady); return; }
      if (path === '/version' || path === '/version/') { sendText(res, 200, JSON.stringify(versionInfo(), null, 2), 'application/json'); return; }
      if (path === '/metrics') { sendText(res, 200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8'); return; }
      if (path.startsWith("/openapi/")) { serveOpenAPI(req, res, path, url.search); return; }
      const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
      verb = info.verb; resource = info.resource;
      if (!info.isResourceRequest) {
        if (serveDiscovery(req, res, info, `${o.advertiseAddress}:${o.port}`)) return;
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
      }
      await handleResource(cluster, req, res, info, url.searchParams, user, o.signal);
    } catch (e) {
      sendError(res, e);
    } finally {
      metrics.observe(verb, resource, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };

  const server = https.createServer({
    cert: o.tls.cert, key: o.tls.key, ca: o.tls.ca,
    requestCert: true, rejectUnauthorized: false,
    keepAliveTimeout: 120_000,
    // kubectl streams (watch, logs) stay open for a long time
    requestTimeout: 0,
  }, (req, res) => { void handler(req, res); });
  // upgrade requests (exec, attach, port-forward streams) take the same path with a response
  // bound to the raw connection, which the streaming handlers then take over
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => { void handler(req, upgradeResponse(req, socket, head, cluster.signal)); };
  server.on('upgrade', onUpgrade);
  server.on('clientError', (_err, socket) => { if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'); else socket.destroy(); });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  if (o.loopback) loopback = await LoopbackListener.listen(o.loopback, (req, res) => { void handler(req, res); }, onUpgrade);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;

  const ready = (async () => {
    await cluster.start();
    await bootstrap(cluster, { serviceCIDR: o.serviceCIDR, advertiseAddress: o.advertiseAddress, port });
    isReady = true;
  })();
  ready.catch((e) => console.error('skiff: bootstrap failed:', e));

  const close = async () => {
    cluster.stop();
    await Promise.all([
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
      loopback?.close(),
    ]);
  };
  o.signal.addEventListener('abort', () => { void close(); }, { once: true });
  return { url: `https://127.0.0.1:${port}`, ready, close };
}
