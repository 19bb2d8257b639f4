// `skiff server` wiring: one process that is the whole control plane. It only puts the
// pieces together in order (PKI → store → API server → readiness → kubeconfig →
// controllers) and takes them down in reverse on SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdirSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { startApiServer } from '../apiserver/server.js';
import { startControlPlane } from './controlplane-host.js';
import { bridgeName, startNode } from './node-host.js';
import { ensureClientCertIsolated, ensurePkiIsolated, ensureServingCertIsolated, kubeconfigYaml, type Pki } from '../pki/index.js';
import { openStore, startCompactor } from '../storage/index.js';
import type { Store } from '../storage/store.js';
import { log, ms, elapsed } from './log.js';
import type { ServerConfig } from './server.js';

/** The address local clients dial: loopback unless the server listens on one address only. */
function localAddress(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === 'localhost') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

export async function serve(cfg: ServerConfig): Promise<number> {
  const ac = new AbortController();
  const { signal } = ac;
  // One signal stops the whole process, so every informer, watch and timer listens to it:
  // many listeners are expected here, not a leak.
  setMaxListeners(10_000, signal);
  let stopAt = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal.aborted) { log(`received ${sig} again: exiting now`); process.exit(1); }
    log(`received ${sig}: shutting down`);
    stopAt = performance.now();
    ac.abort();
    // Whatever hangs in shutdown must not keep the process alive for ever.
    setTimeout(() => { log('shutdown took longer than 20 s: exiting'); process.exit(1); }, 20_000).unref();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  let store: Store | undefined;
  let server: Awaited<ReturnType<typeof startApiServer>> | undefined;
  let controlPlane: Promise<void> | undefined;
  let node: Promise<void> | undefined;
  let code = 0;
  try {
    log(`starting: data dir ${cfg.dataDir}, datastore ${cfg.datastore}, node ${process.version}`);
    mkdirPrivate(cfg.dataDir);

    let t = performance.now();
    const pki = await ensurePkiIsolated(cfg.dataDir, { serviceCIDR: cfg.serviceCIDR, extraSANs: [cfg.host, cfg.advertiseAddress, ...cfg.tlsSANs] });
    log(pki.created.length ? `pki: created ${pki.created.join(', ')} in ${pki.dir} (${ms(t)})` : `pki: reused ${pki.dir} (${ms(t)})`);
    if (signal.aborted) throw STOPPED;

    t = performance.now();
    const dbPath = join(cfg.dataDir, 'db', 'state.db');
    if (cfg.datastore === 'sqlite') mkdirPrivate(dirname(dbPath));
    const opened: Store = await openStore(cfg.datastore === 'sqlite' ? { backend: 'sqlite', path: dbPath } : { backend: 'memory' });
    store = opened;
    // kube-apiserver compacts its store every 5 minutes; history older than that gets 410 Gone.
    startCompactor(opened, signal, { onError: (e) => log(`datastore: compaction failed: ${(e as Error)?.message ?? e}`) });
    log(cfg.datastore === 'sqlite' ? `datastore: sqlite ${dbPath} (${ms(t)})`
      : `datastore: memory, objects are lost when the server stops (${ms(t)})`);
    if (signal.aborted) throw STOPPED;

    // In-process clients (controllers, scheduler, the node agent) reach the API over a Unix
    // socket with a random token each, instead of a TLS session per informer.
    const nodeName = hostname().toLowerCase();
    const lb = loopbackIdentities(cfg.dataDir, nodeName);

    t = performance.now();
    server = await startApiServer({
      port: cfg.port, host: cfg.host, store: opened,
      tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.ca.cert },
      serviceCIDR: cfg.serviceCIDR, advertiseAddress: cfg.advertiseAddress,
      serviceAccountKey: pki.serviceAccount, signal,
      // how it reaches kubelets (logs, exec, attach, port-forward), as kubeadm's apiserver-kubelet-client
      kubeletClient: { cert: pki.clients['apiserver-kubelet-client'].cert, key: pki.clients['apiserver-kubelet-client'].key, ca: pki.ca.cert },
      loopback: lb?.options,
    });
    const port = Number(new URL(server.url).port) || cfg.port;
    const local = `https://${localAddress(cfg.host)}:${port}`;
    log(`api server: listening on ${server.url} (${ms(t)})`);

    await Promise.race([server.ready, aborted(signal)]);
    if (signal.aborted) throw STOPPED;
    await waitReadyz(local, pki, signal);
    if (signal.aborted) throw STOPPED;
    log(`api server: ready, /readyz ok — startup to ready ${elapsed()} ms`);

    const kc = kubeconfigYaml({ server: local, ca: pki.ca.cert, cert: pki.clients.admin.cert, key: pki.clients.admin.key });
    const kcPaths = [join(cfg.dataDir, 'kubeconfig.yaml'), ...(cfg.writeKubeconfig ? [cfg.writeKubeconfig] : [])];
    for (const p of kcPaths) writePrivate(p, kc);
    log(`kubeconfig: ${kcPaths.join(', ')} (export KUBECONFIG=${kcPaths[kcPaths.length - 1]})`);

    // Controllers and the scheduler are API clients like any other: they get the URL and
    // their own identities, in a worker thread of their own.
    const cm = pki.clients['controller-manager'], sched = pki.clients.scheduler;
    const worker = startControlPlane({
      server: local, ca: pki.ca.cert, caKey: pki.ca.key, dataDir: cfg.dataDir,
      clusterCIDR: cfg.clusterCIDR, serviceCIDR: cfg.serviceCIDR, simulatedNodes: cfg.simulatedNodes,
      admin: { cert: pki.clients.admin.cert, key: pki.clients.admin.key },
      controllerManager: { cert: cm.cert, key: cm.key }, scheduler: { cert: sched.cert, key: sched.key },
      loopback: lb && { socketPath: lb.options.socketPath, tokens: { controllerManager: lb.tokens.controllerManager, scheduler: lb.tokens.scheduler, admin: lb.tokens.admin } },
    }, signal, (m) => log(m));
    controlPlane = worker.stopped;

    // This machine as a node (k3s's agent): the kubelet is an API client with the node's
    // identity, in a worker thread of its own; it starts skiff's containerd itself.
    if (!cfg.disableAgent) {
      const [kubeletClient, kubeletServing] = await Promise.all([
        ensureClientCertIsolated(pki, 'kubelet', `system:node:${nodeName}`, ['system:nodes']),
        ensureServingCertIsolated(pki, 'kubelet-serving', `system:node:${nodeName}`, [nodeName, 'localhost'], ['127.0.0.1', cfg.advertiseAddress]),
      ]);
      if (signal.aborted) throw STOPPED;
      node = startNode({
        server: local, ca: pki.ca.cert, client: kubeletClient, serving: kubeletServing, dataDir: cfg.dataDir,
        nodeName, nodeIP: cfg.advertiseAddress, kubeletPort: cfg.kubeletPort, bridge: bridgeName(cfg.dataDir), kubeletConfig: cfg.kubeletConfig,
        loopback: lb && { socketPath: lb.options.socketPath, token: lb.tokens.node },
      }, signal, (m) => log(m)).stopped;
    }

    await aborted(signal);
  } catch (e) {
    if (e !== STOPPED) {
      code = 1;
      log(`error: ${describe(e, cfg)}`);
    }
    if (!signal.aborted) { stopAt = performance.now(); ac.abort(); }
  } finally {
    // Reverse order: the abort already told the controllers (they stop with their watches);
    // stop taking requests, then close the store.
    const step = async (what: string, p: Promise<unknown> | undefined) => {
      if (!p) return;
      try { await p; } catch (e) { code = 1; log(`shutdown: ${what}: ${(e as Error)?.message ?? e}`); }
    };
    await step('node agent', node);
    await step('controllers and scheduler', controlPlane);
    await step('api server', server?.close());
    await step('datastore', store?.close());
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
  log(code === 0 ? `stopped cleanly in ${Math.round(performance.now() - stopAt)} ms` : 'stopped after an error');
  return code;
}

/**
 * The loopback socket and one random token per in-process identity (they live only in this
 * process's memory). None when the data dir's path is too long for a Unix socket name: the
 * in-process clients then use TLS like any other.
 */
function loopbackIdentities(dataDir: string, nodeName: string) {
  const socketPath = join(dataDir, 'apiserver.sock');
  if (Buffer.byteLength(socketPath) > 100) return undefined;
  const authed = (username: string, groups: string[] = []) => ({ username, groups: [...groups, 'system:authenticated'] });
  const ids = {
    controllerManager: authed('system:kube-controller-manager'),
    scheduler: authed('system:kube-scheduler'),
    admin: authed('system:admin', ['system:masters']),
    node: authed(`system:node:${nodeName}`, ['system:nodes']),
  };
  const tokens = Object.fromEntries(Object.keys(ids).map((k) => [k, randomBytes(32).toString('base64url')])) as Record<keyof typeof ids, string>;
  const users = Object.fromEntries((Object.keys(ids) as (keyof typeof ids)[]).map((k) => [tokens[k], ids[k]]));
  return { tokens, options: { socketPath, users } };
}

/** Thrown when a signal arrives during start-up: skip the remaining steps, then clean up. */
const STOPPED = new Error('stopped during start-up');

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
}

/** Polls GET /readyz as the admin, through the same TLS path kubectl will take. */
async function waitReadyz(base: string, pki: Pki, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  while (!signal.aborted) {
    try {
      const { status, body } = await get(`${base}/readyz`, pki);
      if (status === 200 && body.trim() === 'ok') return;
      last = `HTTP ${status}: ${body.slice(0, 200)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`/readyz did not answer ok within 60 s (last: ${last})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function get(url: string, pki: Pki): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request(url, {
      ca: pki.ca.cert, cert: pki.clients.admin.cert, key: pki.clients.admin.key,
      servername: 'localhost', agent: false, timeout: 5000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Kubeconfigs hold the admin key: owner-only, replaced atomically. */
function writePrivate(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Turns the usual start-up failures into one readable line. */
function describe(e: unknown, cfg: ServerConfig): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EADDRINUSE') return `port ${cfg.port} on ${cfg.host} is already in use (another skiff server? pick one with --port)`;
  if (err?.code === 'EACCES' || err?.code === 'EPERM') {
    return `permission denied: ${err.path ?? err.message} (run as root, or choose a writable --data-dir)`;
  }
  if (err?.code === 'EADDRNOTAVAIL') return `cannot listen on ${cfg.host}: no such local address`;
  return err?.stack ?? String(e);
}
