// Starts the node worker (node.ts) and stops it with the signal: a polite 'stop' first (the
// worker stops its loops, the kubelet server and containerd), then terminate() if it has not
// exited within a few seconds. Also names the CNI bridge of a data dir.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { NodeData, NodeMessage } from './node.js';
import { defaultDataDir } from './paths.js';

/**
 * The pod network's bridge: skiff0 for the default data dir, sk<hash of the data dir>
 * otherwise, so servers on other data dirs (tests, several clusters on one machine) never
 * share a bridge.
 */
export function bridgeName(dataDir: string): string {
  const dir = resolve(dataDir);
  if (dir === resolve(defaultDataDir())) return 'skiff0';
  return `sk${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

export function startNode(data: NodeData, signal: AbortSignal, log: (m: string) => void): { stopped: Promise<void> } {
  const t0 = performance.now();
  const worker = new Worker(new URL('./node.js', import.meta.url), {
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: 3 },
  });
  let exited = false;
  const stopped = new Promise<void>((res) => {
    worker.on('exit', (code) => {
      exited = true;
      if (code !== 0 && !signal.aborted) log(`node: worker exited with code ${code}`);
      res();
    });
  });
  worker.on('message', (m: NodeMessage) => {
    if (m.type === 'log') log(m.message);
    else if (m.type === 'started') log(`node ${m.node}: kubelet running containers through containerd${m.kubeletPort ? `, serving on port ${m.kubeletPort}` : ''} (${Math.round(performance.now() - t0)} ms)`);
    else if (m.type === 'unavailable') log(`node: no container node: ${m.reason}`);
    else if (m.type === 'error') log(`node: failed to start: ${m.message}`);
    else if (m.type === 'stopped') setTimeout(() => { if (!exited) void worker.terminate(); }, 1000).unref();
  });
  worker.on('error', (e) => log(`node: worker error: ${e.stack ?? e}`));
  const stop = () => {
    worker.postMessage('stop');
    // containerd gets up to 10 s for SIGTERM; a stuck one is reused by the next start anyway
    setTimeout(() => { if (!exited) void worker.terminate(); }, 8000).unref();
  };
  if (signal.aborted) stop(); else signal.addEventListener('abort', stop, { once: true });
  return { stopped };
}
