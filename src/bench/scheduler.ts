// Scheduler throughput against a real skiff server, shaped like scheduler_perf's
// SchedulingBasic: N plain Node objects (4 CPU, 16Gi, 110 pods, Ready=True) and M pods
// (one pause container, requests 100m / 100Mi) are created through the API first; then a
// Scheduler runs in this process (RestClient, admin credentials) and we time from its caches
// being synced to the last bind.
//   pods_per_second  M / seconds from informers synced to the M-th successful bind
// Pods use schedulerName "bench-scheduler", so the server's own scheduler ignores them.
//
// Nodes have no agent behind them: the server's node lifecycle controller would mark them
// Unknown (and taint them unreachable:NoSchedule) 40 s after it first saw them, unless their
// Lease in kube-node-lease is renewed. We create a Lease per node and renew them all every
// 10 s (as kubelets do) until the run ends (--no-leases to skip); at the end we count nodes
// that are not Ready or are tainted, so a run that outlived its nodes says so.
//
// Also reported: creation rates, informer sync time, bench process RSS/heap, server RSS and
// CPU (main thread vs all threads) during scheduling — which side is the bottleneck — and the
// in-memory FakeClient benchmark (src/scheduler/bench.ts) as a separate, labelled row.
// Flags: --nodes N (5000) --pods N (10000) --concurrency N (100) --no-leases --no-fake
//        --server-cpu-prof DIR (profile the server's main thread during scheduling: cpuprof-preload.ts)
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { RestClient } from '../client/rest.js';
import { silentLogger } from '../client/log.js';
import { Client, ServerProcess, adminCreds, percentile } from '../e2e/harness.js';
import { benchScheduler } from '../scheduler/bench.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { post, sleep } from './http.js';
import type { Metric, Result } from './report.js';

const NS = 'bench';
const SCHEDULER_NAME = 'bench-scheduler';
const LEASE_NS = 'kube-node-lease';

const mb = (b: number) => b / 1048576;

/** Runs make(i) for i in [0, count) with `concurrency` requests in flight; returns sorted latencies. */
async function many(count: number, concurrency: number, make: (i: number) => Promise<void>): Promise<number[]> {
  const lat: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const t0 = performance.now();
      await make(i);
      lat.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return lat.sort((a, b) => a - b);
}


function nodeObj(name: string, now: string): object {
  const res = { cpu: '4', memory: '16Gi', pods: '110' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
    spec: {},
    status: {
      capacity: res, allocatable: res,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench node', lastHeartbeatTime: now, lastTransitionTime: now }],
      nodeInfo: { kubeletVersion: 'v1.32.0', operatingSystem: 'linux', architecture: 'amd64' },
    },
  };
}

function leaseObj(name: string, now: string): object {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: { name, namespace: LEASE_NS },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now },
  };
}

function podObj(name: string): object {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'bench' } },
    spec: {
      schedulerName: SCHEDULER_NAME,
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '100Mi' } } }],
    },
  };
}

/** [main thread, all threads] CPU seconds of a process, from /proc. */
function procCpu(pid: number): [number, number] {
  const ticks = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, USER_HZ = 100
  };
  let all = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try { all += ticks(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')); } catch { /* thread gone */ }
  }
  return [ticks(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8')), all];
}

/** Renews every node's Lease every 10 s (kubelet's renew interval) until stopped. */
function heartbeat(c: Client, names: string[], concurrency: number): { stop(): Promise<void>; rounds: () => number } {
  let stopped = false;
  let rounds = 0;
  const loop = (async () => {
    while (!stopped) {
      const t0 = performance.now();
      while (!stopped && performance.now() - t0 < 10_000) await sleep(200);
      if (stopped) break;
      const now = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z');
      await many(names.length, concurrency, async (i) => {
        if (stopped) return;
        // merge patch: no read-modify-write needed for one field
        const r = await c.request('PATCH', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases/${names[i]}`,
          { spec: { renewTime: now } }, { 'content-type': 'application/merge-patch+json' });
        if (r.status !== 200 && !stopped) process.stderr.write(`bench scheduler: renew lease ${names[i]}: HTTP ${r.status}\n`);
      });
      rounds++;
    }
  })();
  return { stop: async () => { stopped = true; await loop; }, rounds: () => rounds };
}

export async function run(argv: string[]): Promise<Result> {
  const { values } = parseArgs({
    args: argv,
    options: {
      nodes: { type: 'string' }, pods: { type: 'string' }, concurrency: { type: 'string' },
      'no-leases': { type: 'boolean' }, 'no-fake': { type: 'boolean' }, 'server-cpu-prof': { type: 'string' },
    },
  });
  const nodes = Number(values.nodes ?? 5000);
  const pods = Number(values.pods ?? 10_000);
  const concurrency = Number(values.concurrency ?? 100);
  const leases = !values['no-leases'];
  const prof = values['server-cpu-prof'];
  if (!(nodes > 0 && pods > 0 && concurrency > 0)) throw new Error('--nodes, --pods and --concurrency must be positive');

  // /11 cut into /24s: 8192 node CIDRs, so node IPAM does not run out at 5,000 nodes
  const args = ['--cluster-cidr', '10.64.0.0/11'];
  const savedNodeOptions = process.env.NODE_OPTIONS;
  if (prof) {
    process.env.NODE_OPTIONS = `${savedNodeOptions ?? ''} --import ${new URL('./cpuprof-preload.js', import.meta.url).href}`.trim();
    process.env.SKIFF_CPU_PROF_DIR = prof;
  }
  const srv = await ServerProcess.start({ args });
  if (prof) { if (savedNodeOptions === undefined) delete process.env.NODE_OPTIONS; else process.env.NODE_OPTIONS = savedNodeOptions; }
  const ac = new AbortController();
  const creds = adminCreds(srv.dataDir)!;
  const c = new Client(srv.url, creds, concurrency);
  const rest = new RestClient({ server: srv.url, ca: creds.ca, cert: creds.cert, key: creds.key, userAgent: 'skiff-bench-scheduler' });
  let hb: ReturnType<typeof heartbeat> | undefined;
  let runP: Promise<void> | undefined;
  try {
    await sleep(2000); // let start-up settle before the "before" sample
    const serverRssBefore = srv.rssMb();
    await post(c, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, 'namespace');
    // ServiceAccount admission wants the namespace's default ServiceAccount first
    for (let i = 0; (await c.request('GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status !== 200; i++) {
      if (i > 200) throw new Error('default ServiceAccount never appeared');
      await sleep(50);
    }

    // Pods first, then nodes: the lifecycle controller's 40 s clock starts when it sees a node,
    // and nothing looks at pods addressed to an unknown scheduler meanwhile.
    process.stderr.write(`bench scheduler: creating ${pods} pods (${concurrency} in flight)…\n`);
    let t = performance.now();
    const podLat = await many(pods, concurrency, (i) => post(c, `/api/v1/namespaces/${NS}/pods`, podObj(`pod-${i}`), `pod-${i}`));
    const podSecs = (performance.now() - t) / 1000;

    process.stderr.write(`bench scheduler: creating ${nodes} nodes${leases ? ' and their leases' : ''}…\n`);
    const names = Array.from({ length: nodes }, (_, i) => `bench-node-${i}`);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const nowMicro = new Date().toISOString().replace(/\.\d+Z$/, '.000000Z');
    t = performance.now();
    const tNodes = t;
    const nodeLat = await many(nodes, concurrency, async (i) => {
      if (leases) await post(c, `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NS}/leases`, leaseObj(names[i], nowMicro), `lease ${names[i]}`);
      await post(c, '/api/v1/nodes', nodeObj(names[i], now), names[i]);
    });
    const nodeSecs = (performance.now() - t) / 1000;
    if (leases) hb = heartbeat(c, names, Math.min(concurrency, 50));
    const serverRssLoaded = srv.rssMb();

    // The scheduler under test
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    process.stderr.write(`bench scheduler: scheduling…\n`);
    const s = new Scheduler({ client: rest, schedulerName: SCHEDULER_NAME, log: silentLogger }, ac.signal);
    const t0 = performance.now();
    runP = s.run();
    if (!(await s.whenSynced())) throw new Error('informers never synced');
    const t1 = performance.now();
    const syncHeap = process.memoryUsage().heapUsed;
    const cpu0 = process.cpuUsage();
    const [srvMain0, srvAll0] = procCpu(srv.pid);
    if (prof) process.kill(srv.pid, 'SIGUSR2'); // start the server's profiler
    let lastProgress = t1;
    let lastCount = 0;
    while (s.scheduledCount < pods) {
      await sleep(5);
      const n = s.scheduledCount;
      if (n !== lastCount) { lastCount = n; lastProgress = performance.now(); }
      else if (performance.now() - lastProgress > 60_000) throw new Error(`no progress for 60 s at ${n}/${pods} bound`);
    }
    const t2 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const [srvMain1, srvAll1] = procCpu(srv.pid);
    if (prof) process.kill(srv.pid, 'SIGUSR2'); // stop it: the profile covers the scheduling window
    const mem = process.memoryUsage();
    const serverRssAfter = srv.rssMb();
    const schedSecs = (t2 - t1) / 1000;
    const sinceNodes = (t2 - tNodes) / 1000;

    ac.abort();
    await runP;
    runP = undefined;
    await hb?.stop();

    // Check on the server: every pod bound, and how many nodes are no longer Ready/untainted
    const podList = JSON.parse((await c.request('GET', `/api/v1/namespaces/${NS}/pods`, undefined, {}, 120_000)).body);
    const bound = (podList.items as { spec?: { nodeName?: string } }[]).filter((p) => p.spec?.nodeName).length;
    const nodeList = JSON.parse((await c.request('GET', '/api/v1/nodes', undefined, {}, 120_000)).body);
    const unhealthy = (nodeList.items as { spec?: { taints?: unknown[] }; status?: { conditions?: { type: string; status: string }[] } }[])
      .filter((n) => n.spec?.taints?.length || n.status?.conditions?.find((x) => x.type === 'Ready')?.status !== 'True').length;

    const metrics: Metric[] = [
      { key: 'nodes', label: 'nodes', value: nodes, unit: '' },
      { key: 'pods', label: 'pods', value: pods, unit: '' },
      { key: 'pods_per_second', label: 'scheduling throughput (real server, synced → last bind)', value: pods / schedSecs, unit: 'pods/s' },
      { key: 'scheduling_s', label: 'scheduling wall time', value: schedSecs, unit: 's', tableOnly: true },
      { key: 'informer_sync_s', label: 'scheduler informer sync (start → synced)', value: (t1 - t0) / 1000, unit: 's', tableOnly: true },
      { key: 'bound_on_server', label: 'pods with spec.nodeName on the server', value: bound, unit: '', tableOnly: true },
      { key: 'node_create_per_s', label: `node creation rate (${leases ? 'node + lease, ' : ''}${concurrency} in flight)`, value: nodes / nodeSecs, unit: 'nodes/s', tableOnly: true },
      { key: 'node_create_p99_ms', label: 'node creation p99', value: percentile(nodeLat, 99), unit: 'ms', tableOnly: true },
      { key: 'pod_create_per_s', label: `pod creation rate (${concurrency} in flight)`, value: pods / podSecs, unit: 'pods/s', tableOnly: true },
      { key: 'pod_create_p99_ms', label: 'pod creation p99', value: percentile(podLat, 99), unit: 'ms', tableOnly: true },
      { key: 'bench_cpu_pct', label: 'bench process CPU during scheduling', value: (100 * (cpu.user + cpu.system)) / 1e6 / schedSecs, unit: '%', tableOnly: true },
      { key: 'server_main_cpu_pct', label: 'server main thread CPU during scheduling', value: (100 * (srvMain1 - srvMain0)) / schedSecs, unit: '%', tableOnly: true },
      { key: 'server_all_cpu_pct', label: 'server all threads CPU during scheduling', value: (100 * (srvAll1 - srvAll0)) / schedSecs, unit: '%', tableOnly: true },
      { key: 'bench_rss_mb', label: 'bench process RSS after scheduling', value: mb(mem.rss), unit: 'MB', tableOnly: true },
      { key: 'bench_heap_mb', label: 'bench process heap used after scheduling', value: mb(mem.heapUsed), unit: 'MB', tableOnly: true },
      { key: 'scheduler_heap_synced_mb', label: 'heap growth: scheduler start → synced', value: mb(syncHeap - heapBefore), unit: 'MB', tableOnly: true },
      { key: 'server_rss_before_mb', label: 'server RSS before (idle)', value: serverRssBefore, unit: 'MB', tableOnly: true },
      { key: 'server_rss_loaded_mb', label: 'server RSS after creating nodes + pods', value: serverRssLoaded, unit: 'MB', tableOnly: true },
      { key: 'server_rss_after_mb', label: 'server RSS after scheduling', value: serverRssAfter, unit: 'MB', tableOnly: true },
      { key: 'nodes_unhealthy', label: 'nodes not Ready or tainted at the end', value: unhealthy, unit: '', tableOnly: true },
    ];
    const notes = [
      `node ${process.version}, server pid ${srv.pid}; first node created → last bind ${sinceNodes.toFixed(1)} s` +
        (leases ? `, leases renewed ${hb?.rounds() ?? 0}× during the run` : ', no leases (node lifecycle grace 40 s)'),
    ];
    if (bound !== pods) notes.push(`WARNING: ${bound}/${pods} pods bound on the server`);
    if (unhealthy) notes.push(`WARNING: ${unhealthy} nodes went not-Ready/tainted during the run: the numbers include their effects`);

    hb = undefined;
    c.close();
    rest.close();
    const stopped = await srv.stop({ clean: true, timeoutMs: 60_000 });
    if (prof) notes.push(`server main-thread CPU profile of the scheduling window in ${prof} (server exit ${stopped.code ?? stopped.signal})`);

    if (!values['no-fake']) {
      process.stderr.write(`bench scheduler: in-memory FakeClient run…\n`);
      const f = await benchScheduler({ nodes, pods });
      metrics.push({ key: 'fake_client_pods_per_second', label: 'FakeClient (no server, in-memory) throughput', value: f.podsPerSecond, unit: 'pods/s', tableOnly: true });
      notes.push(`FakeClient row: src/scheduler/bench.ts, same counts, nodes 4 CPU/32Gi, pods 100m/500Mi, no HTTP; ${f.scheduled} bound in ${f.scheduleSeconds} s`);
    }
    return { benchmark: 'scheduler', metrics, notes };
  } finally {
    ac.abort();
    await runP?.catch(() => {});
    await hb?.stop();
    c.close();
    rest.close();
    if (srv.running) await srv.stop({ clean: true, timeoutMs: 60_000 });
  }
}
