// Starts the node worker (node.ts) and stops it with the signal: a polite 'stop' first (the
// worker stops its loops, the kubelet server and containerd), then terminate() if it has not
// exited within a few seconds. Also names the CNI bridge of a data dir.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { NodeData, NodeMessage } from './node.js';
import { defaultDataDir } from './paths.js';
import { hostWorker } from './worker-host.js';

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
  return hostWorker<NodeMessage>(new URL('./node.js', import.meta.url), data, {
    // containerd gets up to 10 s for SIGTERM; a stuck one is reused by the next start anyway
    signal, log, name: 'node', stopGraceMs: 8000, exitGraceMs: 1000,
    onMessage: (m) => {
      if (m.type === 'log') log(m.message);
      else if (m.type === 'started') log(`node ${m.node}: kubelet running containers through containerd${m.kubeletPort ? `, serving on port ${m.kubeletPort}` : ''} (${Math.round(performance.now() - t0)} ms)`);
      else if (m.type === 'unavailable') log(`node: no container node: ${m.reason}`);
      else if (m.type === 'error') log(`node: failed to start: ${m.message}`);
    },
  });
}
