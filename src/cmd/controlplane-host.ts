// Starts the control-plane worker (controlplane.ts) and stops it with the signal.
import type { ControlPlaneData, ControlPlaneMessage } from './controlplane.js';
import { hostWorker } from './worker-host.js';

export function startControlPlane(data: ControlPlaneData, signal: AbortSignal, log: (m: string) => void): { stopped: Promise<void> } {
  const t0 = performance.now();
  return hostWorker<ControlPlaneMessage>(new URL('./controlplane.js', import.meta.url), data, {
    signal, log, name: 'controllers', stopGraceMs: 5000, exitGraceMs: 2000,
    onMessage: (m) => {
      if (m.type === 'started') log(`controllers and scheduler: started in a worker thread (${Math.round(performance.now() - t0)} ms)`);
      else if (m.type === 'error') log(`controllers: failed to start: ${m.message}`);
    },
  });
}
