// Runs one of skiff's worker threads (control plane, node agent) for serve.ts: starts it
// with its data, hands its messages to the caller, and stops it with the signal — a polite
// 'stop' first, then terminate() if it has not exited in time.
import { Worker } from 'node:worker_threads';

export interface WorkerHostOptions<M> {
  /** Stops the worker. */
  signal: AbortSignal;
  log: (m: string) => void;
  /** What the worker is, for log lines ("controllers", "node"). */
  name: string;
  onMessage: (m: M) => void;
  /** How long the worker gets after 'stop' before it is terminated. */
  stopGraceMs: number;
  /** After the worker says it stopped, how long it gets to exit on its own. */
  exitGraceMs: number;
}

export function hostWorker<M extends { type: string }>(url: URL, data: unknown, o: WorkerHostOptions<M>): { stopped: Promise<void> } {
  const worker = new Worker(url, {
    workerData: data,
    // a small young generation keeps the idle footprint down; caches live in old space
    resourceLimits: { maxYoungGenerationSizeMb: 3 },
  });
  let exited = false;
  const stopped = new Promise<void>((resolve) => {
    worker.on('exit', (code) => {
      exited = true;
      if (code !== 0 && !o.signal.aborted) o.log(`${o.name}: worker exited with code ${code}`);
      resolve();
    });
  });
  worker.on('message', (m: M) => {
    if (m.type === 'stopped') setTimeout(() => { if (!exited) void worker.terminate(); }, o.exitGraceMs).unref();
    o.onMessage(m);
  });
  worker.on('error', (e) => o.log(`${o.name}: worker error: ${e.stack ?? e}`));
  const stop = () => {
    worker.postMessage('stop');
    setTimeout(() => { if (!exited) void worker.terminate(); }, o.stopGraceMs).unref();
  };
  if (o.signal.aborted) stop(); else o.signal.addEventListener('abort', stop, { once: true });
  return { stopped };
}
