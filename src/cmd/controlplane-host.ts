// Starts the control-plane worker (controlplane.ts) and stops it with the signal: a polite
// 'stop' first, then terminate() if it has not exited within a few seconds.
import { Worker } from 'node:worker_threads';
import type { ControlPlaneData, ControlPlaneMessage } from './controlplane.js';

export function startControlPlane(data: ControlPlaneData, signal: AbortSignal, log: (m: string) => void): { stopped: Promise<void> } {
  const t0 = performance.now();
  const worker = new Worker(new URL('./controlplane.js', import.meta.url), {
    workerData: data,
    // a small young generation keeps the idle footprint down; informer caches live in old space
    resourceLimits: { maxYoungGenerationSizeMb: 3 },
  });
  let exited = false;
  const stopped = new Promise<void>((resolve) => {
    worker.on('exit', (code) => {
      exited = true;
      if (code !== 0 && !signal.aborted) log(`controllers: worker exited with code ${code}`);
      resolve();
    });
  });
  worker.on('message', (m: ControlPlaneMessage) => {
    if (m.type === 'started') log(`controllers and scheduler: started in a worker thread (${Math.round(performance.now() - t0)} ms)`);
    else if (m.type === 'error') log(`controllers: failed to start: ${m.message}`);
    else if (m.type === 'stopped') setTimeout(() => { if (!exited) void worker.terminate(); }, 2000).unref();
  });
  worker.on('error', (e) => log(`controllers: worker error: ${e.stack ?? e}`));
  const stop = () => {
    worker.postMessage('stop');
    setTimeout(() => { if (!exited) void worker.terminate(); }, 5000).unref();
  };
  if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
  return { stopped };
}
