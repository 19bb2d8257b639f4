// The node worker: the host's kubelet in its own thread (own event loop), an API client with
// the node's identity like any other. It checks the container runtime's prerequisites,
// registers the node, waits for its podCIDR, starts skiff's containerd with that CNI range,
// runs the pods bound to the node and serves the kubelet API (logs, exec, attach,
// port-forward). Where containers cannot run it says exactly why and stays idle: the
// control plane keeps running without a container node. Started and stopped by node-host.ts.
import { setMaxListeners } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { RestClient } from '../client/rest.js';
import type { Logger } from '../client/log.js';
import type { KubeletConfig } from '../kubelet/config/index.js';
import { CriClient } from '../kubelet/cri/client.js';
import { KubeletStartError, startKubelet } from '../kubelet/index.js';
import { ensureRuntimePackages, startRuntime, type ContainerdHandle } from '../kubelet/runtime/index.js';
import { startKubeletServer, type KubeletServer } from '../kubelet/server/index.js';
import { StatsProvider } from '../kubelet/stats/index.js';

export interface NodeData {
  server: string;
  ca: string;
  /** The API server's loopback socket and the node's token there (apiserver/loopback.ts). */
  loopback?: { socketPath: string; token: string };
  /** The kubelet's client identity: CN system:node:<name>, O system:nodes. */
  client: { cert: string; key: string };
  /** The kubelet server's certificate (CA-signed; clients must present CA-signed certificates). */
  serving: { cert: string; key: string };
  dataDir: string;
  nodeName: string;
  nodeIP: string;
  kubeletPort: number;
  /** The CNI bridge of this data dir's pod network. */
  bridge: string;
  clusterDomain?: string;
  clusterDNS?: string[];
  /** --kubelet-config, decoded by the parent. */
  kubeletConfig?: KubeletConfig;
}

/** Messages to the parent. */
export type NodeMessage =
  | { type: 'log'; message: string }
  | { type: 'started'; ms: number; node: string; kubeletPort?: number }
  | { type: 'unavailable'; reason: string }
  | { type: 'error'; message: string }
  | { type: 'stopped' };

const post = (m: NodeMessage): void => parentPort?.postMessage(m);
const say = (message: string): void => post({ type: 'log', message });

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
}

async function main(): Promise<void> {
  const d = workerData as NodeData;
  const ac = new AbortController();
  const { signal } = ac;
  setMaxListeners(10_000, signal);
  parentPort?.on('message', (m) => { if (m === 'stop') ac.abort(); });
  const t0 = performance.now();
  const logger: Logger = {
    info: (m) => { if (process.env.SKIFF_VERBOSE) say(`kubelet: ${m}`); },
    warn: (m) => say(`kubelet: ${m}`),
    error: (m) => say(`kubelet: error: ${m}`),
  };
  let containerd: ContainerdHandle | undefined;
  let cri: CriClient | undefined;
  let server: KubeletServer | undefined;
  let client: RestClient | undefined;
  try {
    const pre = await ensureRuntimePackages({ log: say });
    if (!pre.ok) {
      post({ type: 'unavailable', reason: pre.reason });
    } else {
      // static pods: the KubeletConfiguration's staticPodPath, else DATA_DIR/manifests
      const kc = d.kubeletConfig;
      const staticPodPath = kc?.staticPodPath ?? join(d.dataDir, 'manifests');
      if (!kc?.staticPodPath) mkdirSync(staticPodPath, { recursive: true, mode: 0o700 });
      client = new RestClient({ server: d.server, ca: d.ca, cert: d.client.cert, key: d.client.key, ...d.loopback, userAgent: `kubelet/v1.32.0 (linux) skiff` });
      const kubelet = await startKubelet({
        client, nodeName: d.nodeName, dataDir: d.dataDir, nodeIP: d.nodeIP, kubeletPort: d.kubeletPort,
        clusterDomain: kc?.clusterDomain ?? d.clusterDomain, clusterDNS: kc?.clusterDNS.length ? kc.clusterDNS : d.clusterDNS, signal, log: logger,
        config: kc, staticPodPath, cgroupRoot: kc?.cgroupRoot, nodeStatusIntervalMs: kc?.nodeStatusUpdateFrequencyMs, leaseDurationSeconds: kc?.nodeLeaseDurationSeconds,
        runtime: async (podCIDR) => {
          const r = await startRuntime({ dataDir: d.dataDir, podCIDR, bridge: d.bridge, signal, log: say });
          if (!r.ok) throw new Error(r.reason);
          containerd = r.containerd;
          cri = new CriClient(r.socket);
          say(`node ${d.nodeName}: pod network ${podCIDR} on bridge ${d.bridge}`);
          return { cri, version: r.containerd.version };
        },
      });
      try {
        server = await startKubeletServer({
          port: d.kubeletPort, tls: { cert: d.serving.cert, key: d.serving.key, ca: d.ca },
          locator: { ...kubelet.locator, pods: () => [...kubelet.pods.values()] }, cri: cri!, signal, log: say,
          stats: new StatsProvider({ nodeName: d.nodeName, dataDir: d.dataDir, cri: cri!, runtimePid: () => containerd?.pid }),
        });
      } catch (e) {
        say(`kubelet: cannot serve on port ${d.kubeletPort} (${(e as Error).message}): logs, exec and port-forward will not work`);
      }
      post({ type: 'started', ms: Math.round(performance.now() - t0), node: d.nodeName, kubeletPort: server?.port });
    }
  } catch (e) {
    if (signal.aborted) { /* stopped during start-up: nothing to report */ } else if (e instanceof KubeletStartError) post({ type: 'unavailable', reason: e.message });
    else post({ type: 'error', message: (e as Error)?.stack ?? String(e) });
  }
  await aborted(signal);
  // Containers keep running in their shims; the next start re-adopts them.
  await server?.close().catch(() => undefined);
  cri?.close();
  await containerd?.stop();
  setTimeout(() => client?.close(), 100).unref();
  post({ type: 'stopped' });
}

void main();
