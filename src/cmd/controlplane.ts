// The control-plane worker: controllers and the scheduler run in their own thread (own event
// loop, the machine's other core), talking to the API server over HTTPS like any client.
// The API server's thread is left to serve requests. Started and stopped by serve.ts.
import { setMaxListeners } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { RestClient } from '../client/rest.js';
import { startControllers } from '../controllers/index.js';
import { startScheduler } from '../scheduler/index.js';
import { startSimulatedNodes } from '../kubelet/simulated/index.js';

export interface ControlPlaneData {
  server: string;
  dataDir: string;
  /** The cluster CA key: the CSR signing controller issues client certificates with it. */
  caKey: string;
  clusterCIDR: string;
  serviceCIDR: string;
  /** Simulated nodes to register (the agent runs even for 0, so `skiff nodes add` works). */
  simulatedNodes: number;
  admin: { cert: string; key: string };
  ca: string;
  controllerManager: { cert: string; key: string };
  scheduler: { cert: string; key: string };
  /** The API server's loopback socket and a token per identity (see apiserver/loopback.ts). */
  loopback?: { socketPath: string; tokens: { controllerManager: string; scheduler: string; admin: string } };
}

/** Messages to the parent: 'started' once everything runs, 'stopped' after a clean stop. */
export type ControlPlaneMessage = { type: 'started'; ms: number } | { type: 'stopped' } | { type: 'error'; message: string };

async function main(): Promise<void> {
  const d = workerData as ControlPlaneData;
  const ac = new AbortController();
  setMaxListeners(10_000, ac.signal);
  parentPort?.on('message', (m) => { if (m === 'stop') ac.abort(); });
  const t0 = performance.now();
  try {
    type Id = keyof NonNullable<ControlPlaneData['loopback']>['tokens'];
    const lb = (id: Id) => (d.loopback ? { socketPath: d.loopback.socketPath, token: d.loopback.tokens[id] } : undefined);
    await startControllers({ server: d.server, ca: d.ca, cert: d.controllerManager.cert, key: d.controllerManager.key, loopback: lb('controllerManager'), dataDir: d.dataDir, caKey: d.caKey, clusterCIDR: d.clusterCIDR, serviceCIDR: d.serviceCIDR, signal: ac.signal });
    const client = new RestClient({
      server: d.server, ca: d.ca, cert: d.scheduler.cert, key: d.scheduler.key, ...lb('scheduler'),
      userAgent: 'kube-scheduler/v1.32.0 skiff',
    });
    ac.signal.addEventListener('abort', () => setTimeout(() => client.close(), 100), { once: true });
    await startScheduler({ client, signal: ac.signal });
    // the simulated node agent acts for many nodes at once: it uses the admin identity
    const nodeClient = new RestClient({ server: d.server, ca: d.ca, cert: d.admin.cert, key: d.admin.key, ...lb('admin'), userAgent: 'skiff-simulated-kubelet/v1.32.0' });
    ac.signal.addEventListener('abort', () => setTimeout(() => nodeClient.close(), 100), { once: true });
    await startSimulatedNodes({ client: nodeClient, count: d.simulatedNodes, signal: ac.signal });
    parentPort?.postMessage({ type: 'started', ms: Math.round(performance.now() - t0) } satisfies ControlPlaneMessage);
  } catch (e) {
    parentPort?.postMessage({ type: 'error', message: (e as Error)?.stack ?? String(e) } satisfies ControlPlaneMessage);
  }
  await new Promise<void>((r) => (ac.signal.aborted ? r() : ac.signal.addEventListener('abort', () => r(), { once: true })));
  parentPort?.postMessage({ type: 'stopped' } satisfies ControlPlaneMessage);
  // sockets and timers end with the signal; the parent terminates the thread if any lingers
}

void main();
