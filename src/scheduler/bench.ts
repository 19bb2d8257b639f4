// A scheduler micro-benchmark against the in-memory FakeClient (no server): N nodes shaped
// like scheduler_perf's node-default (4 CPU, 32Gi, 110 pods), M pods like its pod-default
// (100m CPU, 500Mi requests), all created before the scheduler starts (SchedulingBasic).
// The harness calls benchScheduler; `node dist/scheduler/bench.js [nodes] [pods]` runs it alone.

import { FakeClient } from '../client/fake.js';
import { silentLogger } from '../client/log.js';
import { Scheduler } from './scheduler.js';
import { installBindingReactor, makeNode, makePod, NODES, PODS } from './testing.js';

export interface BenchOptions {
  nodes: number;
  pods: number;
  percentageOfNodesToScore?: number;
}

export interface BenchResult {
  nodes: number;
  pods: number;
  scheduled: number;
  /** Pods bound per second, from caches synced to the last bind. */
  podsPerSecond: number;
  /** Seconds from caches synced to the last bind. */
  scheduleSeconds: number;
  /** CPU seconds (user + system) the process spent in that window: robust against a busy machine. */
  cpuSeconds: number;
  /** Pods per CPU second. */
  podsPerCpuSecond: number;
  /** Seconds to list both resources into the informer caches. */
  syncSeconds: number;
  /** Heap in use after the run (MiB). */
  heapUsedMiB: number;
  rssMiB: number;
}

export async function benchScheduler(o: BenchOptions): Promise<BenchResult> {
  const fake = new FakeClient();
  installBindingReactor(fake);
  for (let i = 0; i < o.nodes; i++) fake.seed(NODES, makeNode(`node-${i}`));
  for (let i = 0; i < o.pods; i++) fake.seed(PODS, makePod(`pod-${i}`, { uid: `bench-${i}`, cpu: '100m', memory: '500Mi' }));
  const ac = new AbortController();
  const s = new Scheduler({ client: fake, log: silentLogger, percentageOfNodesToScore: o.percentageOfNodesToScore }, ac.signal);
  const t0 = performance.now();
  const run = s.run();
  await s.whenSynced();
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  while (s.scheduledCount < o.pods && performance.now() - t1 < 600_000) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const scheduled = s.scheduledCount;
  ac.abort();
  await run;
  const mem = process.memoryUsage();
  return {
    nodes: o.nodes, pods: o.pods, scheduled,
    podsPerSecond: Math.round(scheduled / ((t2 - t1) / 1000)),
    scheduleSeconds: +((t2 - t1) / 1000).toFixed(3),
    cpuSeconds: +cpuSeconds.toFixed(3),
    podsPerCpuSecond: Math.round(scheduled / cpuSeconds),
    syncSeconds: +((t1 - t0) / 1000).toFixed(3),
    heapUsedMiB: Math.round(mem.heapUsed / 1048576),
    rssMiB: Math.round(mem.rss / 1048576),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nodes = Number(process.argv[2] ?? 5000);
  const pods = Number(process.argv[3] ?? 10000);
  benchScheduler({ nodes, pods }).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
