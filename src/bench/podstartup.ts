// Pod startup latency on a real local node, shaped like the Kubernetes pod-startup SLI
// ("schedulable stateless pods, image present, creation → all containers started, as
// observed through a watch"). A real `skiff server` WITH its node (kubelet + its own
// containerd; root, busybox image imported offline) on a temp data dir; once the node is
// Ready:
//  1. RSS phase: 20 pods (rss-*) created, all Running → VmRSS of the skiff process (API
//     server, controllers and kubelet are threads of it) and, separately, of skiff's
//     containerd + its runc shims; then the 20 are deleted and we wait until containerd
//     holds no container of them (it also warms the node up: JIT, first sandbox, CNI).
//  2. Measured phase: 100 pods (pod-*) created at 5 pods/s, the shape of Kubernetes' own
//     one-node pod startup test (perf-tests clusterloader2/testing/node-throughput: 100
//     pods, uniform POD_THROUGHPUT 5/s, PodStartupLatency against the SLO). For each pod:
//     t0 = just before its POST was sent, t1 = the first watch event (one watch on the
//     namespace, opened before any create) showing status.phase Running. p50_ms/p99_ms are
//     t1 − t0. creationTimestamp has 1 s resolution, so it is only used for a labelled
//     comparison row (t0 is never later than the creation, so t1 − t0 over-states).
//  3. Burst phase (table rows only): the same number of pods created at once, `--concurrency`
//     requests in flight: what the node sustains when pods arrive faster than it can start
//     them (a 2-core machine is CPU-bound here: see the CPU rows).
// Pods: busybox (imagePullPolicy IfNotPresent: `busybox` means :latest, whose default
// policy Always would try a registry), `sleep 3600`, terminationGracePeriodSeconds 1, no
// resources (BestEffort), default service account token volume; bound by the server's own
// scheduler (the node is the only one), so scheduling is inside the measured interval, as
// in the SLI.
// Clean-up: delete the pods, wait until the API has none and containerd has no container
// or shim left, SIGTERM the server (it stops its containerd), check no mount is left under
// the data dir, remove it and the node's CNI bridge (named after the data dir).
// Flags: --pods N (100) --rss-pods N (20) --concurrency N (16)
//        --qps N (5; 0: the measured creates all at once) --burst N (= --pods; 0: no burst phase)
//        --keep-log FILE (the server's log; also containerd's log as FILE.containerd and
//          per-pod stage times as FILE.pods.json, for timing analysis)
import { execFileSync } from 'node:child_process';
import { copyFileSync, createWriteStream, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { cpus, hostname, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Client, ServerProcess, adminCreds, percentile, tempDir } from '../e2e/harness.js';
import { bridgeName } from '../cmd/node-host.js';
import { post, sleep } from './http.js';
import type { Metric, Result } from './report.js';

const NS = 'bench';
/** Wall-clock milliseconds with sub-millisecond precision. */
const now = () => performance.timeOrigin + performance.now();

interface PodTimes {
  sent?: number;      // POST about to be written
  created?: number;   // 201 received
  creationTs?: number; // metadata.creationTimestamp (1 s resolution)
  bound?: number;     // first watch event with spec.nodeName
  kubelet?: number;   // first watch event with status.startTime (the kubelet's first status write)
  running?: number;   // first watch event with status.phase Running
  pulled?: number;    // events (arrival): Pulled, Created, Started of the container
  createdC?: number;
  started?: number;
}

interface WatchEvent { type: string; object: Obj }
type Obj = { metadata?: { name?: string; creationTimestamp?: string; resourceVersion?: string }; spec?: { nodeName?: string }; status?: { phase?: string; startTime?: string }; involvedObject?: { kind?: string; name?: string }; reason?: string };

/** A watch (newline-delimited JSON); each event is handed over with its arrival time. */
class Watch {
  private req?: ReturnType<typeof request>;
  private closed = false;
  error?: Error;

  constructor(private readonly c: Client, private readonly path: string, private readonly onEvent: (ev: WatchEvent, at: number) => void) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.req = request(this.c.base + this.path, { agent: this.c.agent, headers: { accept: 'application/json' } }, (res) => {
        if (res.statusCode !== 200) { reject(new Error(`watch ${this.path}: HTTP ${res.statusCode}`)); return; }
        resolve();
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const at = now();
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line) as WatchEvent;
            if (ev.type === 'ERROR') this.error = new Error(`watch ${this.path}: ${JSON.stringify(ev.object)}`);
            else this.onEvent(ev, at);
          }
        });
        res.on('end', () => { if (!this.closed) this.error = new Error(`watch ${this.path} ended early`); });
      });
      this.req.on('error', (e) => { if (!this.closed) { this.error = e; reject(e); } });
      this.req.end();
    });
  }

  close(): void {
    this.closed = true;
    this.req?.destroy();
  }
}

/**
 * Watches the namespace's pods (the measurement) and events (a diagnostic breakdown of
 * where a pod's time goes); records when each pod first reached each stage.
 */
class PodWatch {
  readonly times = new Map<string, PodTimes>();
  private readonly pods: Watch;
  private readonly events: Watch;

  constructor(c: Client, rv: string, eventsRV: string) {
    this.pods = new Watch(c, `/api/v1/namespaces/${NS}/pods?watch=1&resourceVersion=${rv}&timeoutSeconds=3600`, (ev, at) => this.onPod(ev, at));
    this.events = new Watch(c, `/api/v1/namespaces/${NS}/events?watch=1&resourceVersion=${eventsRV}&timeoutSeconds=3600`, (ev, at) => this.onEvent(ev, at));
  }

  get error(): Error | undefined { return this.pods.error ?? this.events.error; }

  async start(): Promise<void> {
    await Promise.all([this.pods.start(), this.events.start()]);
  }

  t(name: string): PodTimes {
    let t = this.times.get(name);
    if (!t) this.times.set(name, (t = {}));
    return t;
  }

  private onPod(ev: WatchEvent, at: number): void {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
    const p = ev.object;
    const t = this.t(p.metadata?.name ?? '');
    t.creationTs ??= Date.parse(p.metadata?.creationTimestamp ?? '');
    if (p.spec?.nodeName) t.bound ??= at;
    if (p.status?.startTime) t.kubelet ??= at;
    if (p.status?.phase === 'Running') t.running ??= at;
  }

  /** The kubelet's events for the container: Pulled (image checked, after the sandbox), Created, Started. */
  private onEvent(ev: WatchEvent, at: number): void {
    if (ev.type !== 'ADDED' || ev.object.involvedObject?.kind !== 'Pod') return;
    const t = this.t(ev.object.involvedObject.name ?? '');
    const r = ev.object.reason;
    if (r === 'Pulled') t.pulled ??= at;
    else if (r === 'Created') t.createdC ??= at;
    else if (r === 'Started') t.started ??= at;
  }

  close(): void {
    this.pods.close();
    this.events.close();
  }
}

function podObj(name: string): object {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: 'pod-startup' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'sleep', image: 'busybox', imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
    },
  };
}


/**
 * Creates the named pods with `concurrency` requests in flight, recording send/response
 * times; with qps > 0, pod i is not sent before i/qps seconds from the start (paced).
 */
async function createPods(c: Client, w: PodWatch, names: string[], concurrency: number, qps = 0): Promise<void> {
  let next = 0;
  const start = now();
  const worker = async () => {
    while (next < names.length) {
      const i = next++;
      const name = names[i];
      if (qps > 0) await sleep(start + (i * 1000) / qps - now());
      const t = w.t(name);
      t.sent = now();
      await post(c, `/api/v1/namespaces/${NS}/pods`, podObj(name), name);
      t.created = now();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
}

async function waitFor(what: string, timeoutMs: number, cond: () => boolean | Promise<boolean>, w?: PodWatch): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (w?.error) throw w.error;
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

// ---- processes and memory, from /proc ----

function cmdline(pid: string): string[] {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { return []; }
}

/** skiff's containerd (its config lives in the data dir) and the runc shims talking to it. */
function runtimePids(dataDir: string): { containerd: string[]; shims: string[] } {
  const config = `${dataDir}/containerd/config.toml`, sock = `${dataDir}/containerd/containerd.sock`;
  const out = { containerd: [] as string[], shims: [] as string[] };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const argv = cmdline(pid);
    if (argv.includes(config)) out.containerd.push(pid);
    else if (argv.some((a) => a.includes('containerd-shim')) && argv.includes(sock)) out.shims.push(pid);
  }
  return out;
}

/** [RSS, PSS] in MB of a process (PSS splits shared pages among their users: sums add up). */
function mem(pid: string | number): [number, number] {
  try {
    const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return [kb('Rss') / 1024, kb('Pss') / 1024];
  } catch { return [0, 0]; }
}

function sumMem(pids: string[]): [number, number] {
  return pids.map(mem).reduce(([a, b], [c, d]) => [a + c, b + d], [0, 0]);
}

/** Containers containerd still has in CRI's namespace. */
function ctrContainers(dataDir: string): number {
  const out = execFileSync('ctr', ['--address', `${dataDir}/containerd/containerd.sock`, '-n', 'k8s.io', 'containers', 'ls', '-q'], { encoding: 'utf8', timeout: 10_000 });
  return out.split('\n').filter((l) => l.trim()).length;
}

/** Mount points at or under dir (none should be left once containerd is gone). */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((l) => l.split(' ')[4]?.replace(/\\040/g, ' '))
    .filter((m): m is string => !!m && (m === dir || m.startsWith(dir + '/')));
}

/** CPU seconds of a process: [own (all threads), own + waited-for children]. */
function procCpu(pid: string | number): [number, number] {
  try {
    const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ').map(Number); // f[11] = utime (field 14)
    return [(f[11] + f[12]) / 100, (f[11] + f[12] + f[13] + f[14]) / 100];
  } catch { return [0, 0]; }
}

/** Machine-wide [busy, total] CPU seconds from /proc/stat. */
function machineCpu(): [number, number] {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0), idle = f[3] + (f[4] ?? 0);
  return [(total - idle) / 100, total / 100];
}

interface CpuSample { skiff: number; containerd: number; shims: number; machineBusy: number; machineTotal: number }
function cpuSample(pid: number, dataDir: string): CpuSample {
  const rt = runtimePids(dataDir);
  const [busy, total] = machineCpu();
  return {
    skiff: procCpu(pid)[0],
    containerd: rt.containerd.reduce((a, p) => a + procCpu(p)[1], 0), // with CNI plugins it waited for
    shims: rt.shims.reduce((a, p) => a + procCpu(p)[1], 0),            // with runc and the container processes
    machineBusy: busy, machineTotal: total,
  };
}

function stats(xs: number[]): { p50: number; p90: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export async function run(argv: string[]): Promise<Result> {
  const { values } = parseArgs({ args: argv, options: { pods: { type: 'string' }, 'rss-pods': { type: 'string' }, concurrency: { type: 'string' }, qps: { type: 'string' }, burst: { type: 'string' }, 'keep-log': { type: 'string' } } });
  const pods = Number(values.pods ?? 100);
  const rssPods = Number(values['rss-pods'] ?? 20);
  const concurrency = Number(values.concurrency ?? 16);
  const qps = Number(values.qps ?? 5);
  const burst = Number(values.burst ?? pods);
  if (!(pods > 0 && rssPods >= 0 && burst >= 0 && qps >= 0 && concurrency > 0)) throw new Error('--pods and --concurrency must be positive; --rss-pods, --burst and --qps not negative');
  if (process.getuid?.() !== 0) throw new Error('pod-startup needs root: the server\'s node runs containers through its own containerd');

  const load0 = loadavg().map((x) => x.toFixed(1)).join(' ');
  const dataDir = tempDir('skiff-podstart-');
  const t0 = performance.now();
  let srv: ServerProcess;
  try {
    srv = await ServerProcess.start({ dataDir, agent: true, clusterCIDR: '10.77.0.0/16', readyTimeoutMs: 120_000 });
  } catch (e) {
    // start() stopped the server; its containerd is its child and went with it
    const rt = runtimePids(dataDir);
    if (!rt.containerd.length && !rt.shims.length && !mountsUnder(dataDir).length) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
  const logFile = values['keep-log'] ? createWriteStream(values['keep-log']) : undefined;
  if (logFile) {
    logFile.write(srv.log);
    srv.child.stdout!.on('data', (d: Buffer) => logFile.write(d));
    srv.child.stderr!.on('data', (d: Buffer) => logFile.write(d));
  }
  const creds = adminCreds(dataDir)!;
  const c = new Client(srv.url, creds, concurrency);
  const wc = new Client(srv.url, creds, 2);
  const notes: string[] = [];
  let watch: PodWatch | undefined;
  const mark = (m: string) => { process.stderr.write(`bench pod-startup: ${m}\n`); logFile?.write(`---- bench ${new Date().toISOString()} ${m}\n`); };
  try {
    const nodeName = hostname().toLowerCase();
    mark(`server pid ${srv.pid} ready in ${Math.round(srv.startupMs)} ms; waiting for node ${nodeName} to be Ready…`);
    await waitFor(`node ${nodeName} Ready`, 180_000, async () => {
      if (!srv.running) throw new Error(`server exited:\n${srv.log}`);
      const r = await c.request('GET', `/api/v1/nodes/${nodeName}`);
      if (r.status !== 200) return false;
      const n = JSON.parse(r.body);
      return (n.status?.conditions ?? []).some((x: { type: string; status: string }) => x.type === 'Ready' && x.status === 'True');
    });
    const nodeReadyS = (performance.now() - t0) / 1000;
    await post(c, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, 'namespace');
    await waitFor('default ServiceAccount', 30_000, async () => (await c.request('GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200);
    const list = JSON.parse((await c.request('GET', `/api/v1/namespaces/${NS}/pods`)).body);
    const evList = JSON.parse((await c.request('GET', `/api/v1/namespaces/${NS}/events`)).body);
    watch = new PodWatch(wc, list.metadata.resourceVersion, evList.metadata.resourceVersion);
    await watch.start();
    const w = watch;
    await sleep(3000); // let start-up settle before the idle sample
    const idleRss = srv.rssMb();
    const idleRt = runtimePids(dataDir);
    const [idleCtrd] = sumMem(idleRt.containerd);

    const running = (names: string[]) => () => names.every((n) => w.times.get(n)?.running !== undefined);
    const deleteAll = async (label: string): Promise<number> => {
      const t = performance.now();
      const r = await c.request('DELETE', `/api/v1/namespaces/${NS}/pods`);
      if (r.status !== 200) throw new Error(`delete pods: HTTP ${r.status} ${r.body.slice(0, 300)}`);
      await waitFor(`${label}: pods gone from the API`, 180_000, async () => JSON.parse((await c.request('GET', `/api/v1/namespaces/${NS}/pods`)).body).items.length === 0);
      await waitFor(`${label}: no container or shim left in containerd`, 120_000, () => ctrContainers(dataDir) === 0 && runtimePids(dataDir).shims.length === 0);
      return (performance.now() - t) / 1000;
    };

    // 1. RSS with rssPods running pods (also the warm-up)
    let rssRow: Metric[] = [];
    let rssLat: number[] = [];
    let rssDeleteS = NaN;
    if (rssPods > 0) {
      const names = Array.from({ length: rssPods }, (_, i) => `rss-${i}`);
      mark(`RSS phase: ${rssPods} pods…`);
      await createPods(c, w, names, concurrency);
      await waitFor(`${rssPods} pods Running`, 180_000, running(names), w);
      rssLat = names.map((n) => w.times.get(n)!.running! - w.times.get(n)!.sent!);
      await sleep(2000);
      const rt = runtimePids(dataDir);
      const [ctrdRss, ctrdPss] = sumMem(rt.containerd);
      const [shimRss, shimPss] = sumMem(rt.shims);
      rssRow = [
        { key: 'server_rss_idle_mb', label: 'skiff process RSS, node Ready, no pods', value: idleRss, unit: 'MB', tableOnly: true },
        { key: 'server_rss_20_mb', label: `skiff process RSS with ${rssPods} running pods`, value: srv.rssMb(), unit: 'MB', tableOnly: true },
        { key: 'containerd_rss_idle_mb', label: 'containerd RSS, no pods', value: idleCtrd, unit: 'MB', tableOnly: true },
        { key: 'containerd_rss_20_mb', label: `containerd RSS with ${rssPods} running pods`, value: ctrdRss, unit: 'MB', tableOnly: true },
        { key: 'shims_rss_20_mb', label: `runc shims RSS sum (${rt.shims.length} shims)`, value: shimRss, unit: 'MB', tableOnly: true },
        { key: 'runtime_pss_20_mb', label: 'containerd + shims PSS sum (shared pages split)', value: ctrdPss + shimPss, unit: 'MB', tableOnly: true },
      ];
      mark(`RSS phase: deleting…`);
      rssDeleteS = await deleteAll('RSS phase');
    }

    // 2. the measured phase
    const names = Array.from({ length: pods }, (_, i) => `pod-${i}`);
    const pacing = qps > 0 ? `paced at ${qps} creates/s` : `all at once, ${concurrency} create requests in flight`;
    mark(`measured phase: ${pods} pods, ${pacing}…`);
    const cpu0 = cpuSample(srv.pid, dataDir);
    const tb = now();
    await createPods(c, w, names, concurrency, qps);
    const createdS = (now() - tb) / 1000;
    let timedOut = '';
    try {
      await waitFor(`${pods} pods Running`, 300_000, running(names), w);
    } catch (e) {
      timedOut = (e as Error).message;
    }
    const lastRunning = Math.max(...names.map((n) => w.times.get(n)?.running ?? -Infinity));
    const cpu1 = cpuSample(srv.pid, dataDir);
    const burstS = (now() - tb) / 1000;
    if (values['keep-log']) writeFileSync(`${values['keep-log']}.pods.json`, JSON.stringify(Object.fromEntries(w.times)));
    const serverRssAll = srv.rssMb();
    const ts = names.map((n) => w.times.get(n)!);
    const done = ts.filter((t) => t.running !== undefined);
    const sent = stats(done.map((t) => t.running! - t.sent!));
    const resp = stats(done.map((t) => t.running! - t.created!));
    const fromTs = stats(done.map((t) => t.running! - t.creationTs!));
    const toBound = stats(done.map((t) => (t.bound ?? NaN) - t.sent!));
    const boundToKubelet = stats(done.map((t) => (t.kubelet ?? NaN) - (t.bound ?? NaN)));
    const kubeletToRunning = stats(done.map((t) => t.running! - (t.kubelet ?? NaN)));
    const part = (a: keyof PodTimes, b: keyof PodTimes) => stats(done.map((t) => (t[b] ?? NaN) - (t[a] ?? NaN)).filter(Number.isFinite));
    const toPulled = part('kubelet', 'pulled'), toCreatedC = part('pulled', 'createdC'), toStarted = part('createdC', 'started'), startedToRunning = part('started', 'running');
    const createLat = stats(ts.map((t) => t.created! - t.sent!));
    mark(`measured phase: deleting…`);
    const deleteS = await deleteAll('measured phase');

    // 3. the same number of pods at once
    let burstRows: Metric[] = [];
    if (burst > 0) {
      const bn = Array.from({ length: burst }, (_, i) => `burst-${i}`);
      mark(`burst phase: ${burst} pods at once…`);
      const c0 = cpuSample(srv.pid, dataDir);
      const t = now();
      await createPods(c, w, bn, concurrency);
      await waitFor(`${burst} burst pods Running`, 300_000, running(bn), w);
      const c1 = cpuSample(srv.pid, dataDir);
      const secs = (now() - t) / 1000;
      const b = stats(bn.map((n) => w.times.get(n)!.running! - w.times.get(n)!.sent!));
      burstRows = [
        { key: 'burst_p50_ms', label: `burst: ${burst} pods at once (${concurrency} creates in flight), startup p50`, value: b.p50, unit: 'ms', tableOnly: true },
        { key: 'burst_p99_ms', label: 'burst: startup p99', value: b.p99, unit: 'ms', tableOnly: true },
        { key: 'burst_all_s', label: 'burst: first create sent → last pod Running', value: secs, unit: 's', tableOnly: true },
        { key: 'burst_pods_per_s', label: 'burst: pods started per second', value: burst / secs, unit: '/s', tableOnly: true },
        { key: 'burst_cpu_s_per_pod', label: 'burst: CPU per pod (skiff + containerd + CNI + shims + runc)', value: (c1.skiff - c0.skiff + c1.containerd - c0.containerd + c1.shims - c0.shims) / burst, unit: 'CPU-s', tableOnly: true },
        { key: 'burst_machine_pct', label: `burst: whole machine busy (${cpus().length} CPUs)`, value: (100 * (c1.machineBusy - c0.machineBusy)) / (c1.machineTotal - c0.machineTotal), unit: '%', tableOnly: true },
      ];
      mark(`burst phase: deleting…`);
      await deleteAll('burst phase');
    }

    const metrics: Metric[] = [
      { key: 'pods', label: `pods (measured, ${pacing})`, value: pods, unit: '' },
      { key: 'p50_ms', label: 'startup p50: create sent → Running (watch)', value: sent.p50, unit: 'ms' },
      { key: 'p99_ms', label: 'startup p99: create sent → Running (watch)', value: sent.p99, unit: 'ms', target: '< 1000 (SLO 5000)' },
      { key: 'p90_ms', label: 'startup p90', value: sent.p90, unit: 'ms', tableOnly: true },
      { key: 'max_ms', label: 'startup max', value: sent.max, unit: 'ms', tableOnly: true },
      { key: 'running', label: 'pods seen Running', value: done.length, unit: '', tableOnly: true },
      { key: 'resp_p50_ms', label: 'p50 from create response (201) → Running', value: resp.p50, unit: 'ms', tableOnly: true },
      { key: 'resp_p99_ms', label: 'p99 from create response (201) → Running', value: resp.p99, unit: 'ms', tableOnly: true },
      { key: 'ts_p50_ms', label: 'p50 from creationTimestamp (1 s resolution) → Running', value: fromTs.p50, unit: 'ms', tableOnly: true },
      { key: 'ts_p99_ms', label: 'p99 from creationTimestamp (1 s resolution) → Running', value: fromTs.p99, unit: 'ms', tableOnly: true },
      { key: 'bound_p50_ms', label: '  part: create sent → bound (scheduler) p50', value: toBound.p50, unit: 'ms', tableOnly: true },
      { key: 'bound_p99_ms', label: '  part: create sent → bound (scheduler) p99', value: toBound.p99, unit: 'ms', tableOnly: true },
      { key: 'ack_p50_ms', label: '  part: bound → kubelet\'s first status (startTime) p50', value: boundToKubelet.p50, unit: 'ms', tableOnly: true },
      { key: 'ack_p99_ms', label: '  part: bound → kubelet\'s first status (startTime) p99', value: boundToKubelet.p99, unit: 'ms', tableOnly: true },
      { key: 'run_p50_ms', label: '  part: kubelet\'s first status → Running p50', value: kubeletToRunning.p50, unit: 'ms', tableOnly: true },
      { key: 'run_p99_ms', label: '  part: kubelet\'s first status → Running p99', value: kubeletToRunning.p99, unit: 'ms', tableOnly: true },
      { key: 'ev_pulled_p50_ms', label: '    first status → Pulled event (volumes, sandbox+CNI, image check) p50', value: toPulled.p50, unit: 'ms', tableOnly: true },
      { key: 'ev_pulled_p99_ms', label: '    first status → Pulled event p99', value: toPulled.p99, unit: 'ms', tableOnly: true },
      { key: 'ev_created_p50_ms', label: '    Pulled → Created event (CreateContainer) p50', value: toCreatedC.p50, unit: 'ms', tableOnly: true },
      { key: 'ev_created_p99_ms', label: '    Pulled → Created event p99', value: toCreatedC.p99, unit: 'ms', tableOnly: true },
      { key: 'ev_started_p50_ms', label: '    Created → Started event (StartContainer) p50', value: toStarted.p50, unit: 'ms', tableOnly: true },
      { key: 'ev_started_p99_ms', label: '    Created → Started event p99', value: toStarted.p99, unit: 'ms', tableOnly: true },
      { key: 'ev_running_p50_ms', label: '    Started event → Running status p50', value: startedToRunning.p50, unit: 'ms', tableOnly: true },
      { key: 'ev_running_p99_ms', label: '    Started event → Running status p99', value: startedToRunning.p99, unit: 'ms', tableOnly: true },
      { key: 'burst_s', label: 'first create sent → last pod Running', value: (lastRunning - tb) / 1000, unit: 's', tableOnly: true },
      { key: 'cpu_skiff_pct', label: 'CPU while the measured pods started: skiff process (all threads)', value: (100 * (cpu1.skiff - cpu0.skiff)) / burstS, unit: '% of 1 CPU', tableOnly: true },
      { key: 'cpu_containerd_pct', label: '  … containerd + CNI plugins', value: (100 * (cpu1.containerd - cpu0.containerd)) / burstS, unit: '% of 1 CPU', tableOnly: true },
      { key: 'cpu_shims_pct', label: '  … shims + runc (shims started in it)', value: (100 * (cpu1.shims - cpu0.shims)) / burstS, unit: '% of 1 CPU', tableOnly: true },
      { key: 'cpu_machine_pct', label: `  … whole machine busy (${cpus().length} CPUs)`, value: (100 * (cpu1.machineBusy - cpu0.machineBusy)) / (cpu1.machineTotal - cpu0.machineTotal), unit: '%', tableOnly: true },
      { key: 'create_s', label: `all ${pods} creates answered (${pacing})`, value: createdS, unit: 's', tableOnly: true },
      { key: 'create_p99_ms', label: 'create request p99', value: createLat.p99, unit: 'ms', tableOnly: true },
      { key: 'server_rss_100_mb', label: `skiff process RSS with ${done.length} running pods`, value: serverRssAll, unit: 'MB', tableOnly: true },
      ...(rssPods > 0 ? [
        { key: 'rss_phase_p50_ms', label: `warm-up: ${rssPods} pods, startup p50`, value: stats(rssLat).p50, unit: 'ms', tableOnly: true },
        { key: 'rss_phase_p99_ms', label: `warm-up: ${rssPods} pods, startup p99`, value: stats(rssLat).p99, unit: 'ms', tableOnly: true },
      ] : []),
      ...burstRows,
      ...rssRow,
      { key: 'delete_s', label: `delete ${pods} pods → gone from API, no container/shim left`, value: deleteS, unit: 's', tableOnly: true },
      ...(rssPods > 0 ? [{ key: 'rss_delete_s', label: `delete ${rssPods} pods → gone, no container/shim left`, value: rssDeleteS, unit: 's', tableOnly: true }] : []),
      { key: 'node_ready_s', label: 'server spawn → node Ready', value: nodeReadyS, unit: 's', tableOnly: true },
    ];
    notes.push(
      `measured: per pod, from just before its create POST was written to the arrival of the first watch event (one watch on the namespace) with status.phase=Running; ` +
        `${pods} pods created ${pacing}` +
        (rssPods > 0 ? `, after a ${rssPods}-pod warm-up/RSS phase whose pods were deleted first` : ', on a fresh node (no warm-up)'),
      `pods: busybox (IfNotPresent), sleep 3600, terminationGracePeriodSeconds 1, no resources, default SA token volume; scheduled by the server's scheduler onto node ${nodeName}`,
      `RSS: skiff = VmRSS of the server process (API server, controllers, scheduler and kubelet threads); containerd and shims are separate processes (skiff's own containerd for this data dir)`,
      `node ${process.version}, server pid ${srv.pid}, cluster CIDR 10.77.0.0/16; ${cpus().length} CPUs, load average at start ${load0}, at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    );
    if (timedOut || done.length < pods) notes.push(`WARNING: ${done.length}/${pods} pods reached Running (${timedOut}); percentiles cover those only`);
    return { benchmark: 'pod-startup', metrics, notes };
  } finally {
    watch?.close();
    c.close();
    wc.close();
    const left = srv.running ? runtimePids(dataDir) : { containerd: [], shims: [] };
    const res = await srv.stop({ timeoutMs: 60_000 });
    if (values['keep-log']) { try { copyFileSync(`${dataDir}/containerd/containerd.log`, `${values['keep-log']}.containerd`); } catch { /* none */ } }
    // containerd is the server's child: it must be gone with it; shims outlive containerd by design
    const after = runtimePids(dataDir);
    if (after.containerd.length || after.shims.length) {
      process.stderr.write(`bench pod-startup: WARNING: after the server stopped (${res.code ?? res.signal}): containerd ${after.containerd.join(',') || '-'}, shims ${after.shims.join(',') || '-'} still running (shims before stop: ${left.shims.length}); data dir ${dataDir} kept\n`);
    } else {
      const mounts = mountsUnder(dataDir);
      if (mounts.length) process.stderr.write(`bench pod-startup: WARNING: mounts left under ${dataDir}: ${mounts.join(' ')}; data dir kept\n`);
      else rmSync(dataDir, { recursive: true, force: true });
      // The pod network's bridge is named after the data dir and outlives the server (a
      // persistent data dir reuses it): this one's data dir is gone, so its bridge goes too.
      try { execFileSync('ip', ['link', 'delete', bridgeName(dataDir)], { stdio: 'ignore' }); } catch { /* never created */ }
    }
    logFile?.end();
  }
}
