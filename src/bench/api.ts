// API server benchmark on a fresh data dir with the default (sqlite) datastore:
//   startup_ms   process spawn → /readyz answers ok
//   idle_rss_mb  server VmRSS once idle: from 12 s after start, sampled every 2 s until it holds still for 18 s
//   create_*     ConfigMap creates, 50 concurrent keep-alive clients (closed loop, loadgen.ts):
//                20,000 measured after 10,000 unmeasured (an idle server's V8 heap has been
//                shrunk by the memory reducer and takes several thousand requests to grow
//                back to its steady size; a few thousand samples let one GC pause set p99)
//   list_10k_ms  one LIST of 10,000 ConfigMaps in a namespace of their own (median of 5)
// Flags: --creates N (default 20000), --warmup N (10000), --concurrency N (50), --list-size N (10000).
import { parseArgs } from 'node:util';
import { ServerProcess, adminCreds, median, percentile } from '../e2e/harness.js';
import { closedLoop } from './loadgen.js';
import type { Result } from './report.js';

const NS = 'bench';
/** The LIST reads a namespace holding exactly --list-size ConfigMaps. */
const LIST_NS = 'bench-list';

/** `count` ConfigMap creates from `concurrency` closed-loop connections; latencies in ms, sorted. */
async function createMany(srv: ServerProcess, ns: string, prefix: string, count: number, concurrency: number): Promise<{ lat: number[]; seconds: number }> {
  const creds = adminCreds(srv.dataDir);
  if (!creds) throw new Error(`no admin credentials under ${srv.dataDir}`);
  const r = await closedLoop({ host: '127.0.0.1', port: srv.port, ...creds }, count, concurrency, (i) => ({
    method: 'POST', path: `/api/v1/namespaces/${ns}/configmaps`, expect: 201,
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i}`, labels: { app: 'bench' } }, data: { key: `value-${i}` } }),
  }));
  return { lat: r.latencies, seconds: r.seconds };
}

export async function run(argv: string[]): Promise<Result> {
  const { values } = parseArgs({ args: argv, options: { creates: { type: 'string' }, warmup: { type: 'string' }, concurrency: { type: 'string' }, 'list-size': { type: 'string' } } });
  const creates = Number(values.creates ?? 20_000);
  const warm = Number(values.warmup ?? 10_000);
  const concurrency = Number(values.concurrency ?? 50);
  const listSize = Number(values['list-size'] ?? 10_000);

  // The API server and control plane alone (the harness passes --disable-agent): no local node.
  const srv = await ServerProcess.start();
  try {
    const startup = srv.startupMs;
    // "idle" is the steady state after start-up: V8's memory reducer gives back start-up
    // garbage in steps from about 8 s after the last busy phase, the main thread's and the
    // control-plane worker's each on its own schedule, with plateaus of up to ~10 s between
    // steps. From 12 s after start, sample every 2 s until ten samples in a row (18 s) agree
    // within 1 MB, at most 90 s.
    await new Promise((r) => setTimeout(r, 12_000));
    const samples: number[] = [srv.rssMb()];
    for (let waited = 0; waited < 90_000; waited += 2000) {
      await new Promise((r) => setTimeout(r, 2000));
      samples.push(srv.rssMb());
      const last = samples.slice(-10);
      if (last.length === 10 && Math.max(...last) - Math.min(...last) < 1) break;
    }
    const rss = samples[samples.length - 1];
    const c = srv.client;
    for (const name of [NS, LIST_NS]) {
      const ns = await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
      if (ns.status !== 201) throw new Error(`create namespace: HTTP ${ns.status} ${ns.body.slice(0, 300)}`);
    }

    process.stderr.write(`bench api: ${warm} + ${creates} creates with ${concurrency} clients…\n`);
    if (warm > 0) await createMany(srv, NS, 'warm', warm, concurrency);
    const { lat, seconds: createSecs } = await createMany(srv, NS, 'cm', creates, concurrency);

    process.stderr.write(`bench api: ${listSize} ConfigMaps to list…\n`);
    await createMany(srv, LIST_NS, 'fill', listSize, concurrency);
    const listTimes: number[] = [];
    let items = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const r = await c.request('GET', `/api/v1/namespaces/${LIST_NS}/configmaps`);
      listTimes.push(performance.now() - t);
      if (r.status !== 200) throw new Error(`list: HTTP ${r.status} ${r.body.slice(0, 300)}`);
      if (i === 0) items = (JSON.parse(r.body).items as unknown[]).length;
    }
    const rssAfter = srv.rssMb();
    return {
      benchmark: 'api',
      metrics: [
        { key: 'startup_ms', label: 'startup (spawn → /readyz ok)', value: startup, unit: 'ms', target: '< 1000' },
        { key: 'idle_rss_mb', label: 'idle RSS', value: rss, unit: 'MB', target: '< 100' },
        { key: 'create_p50_ms', label: `create p50 (${concurrency} clients)`, value: percentile(lat, 50), unit: 'ms' },
        { key: 'create_p99_ms', label: `create p99 (${concurrency} clients)`, value: percentile(lat, 99), unit: 'ms', target: '< 20' },
        { key: 'create_per_s', label: `create throughput (${creates} measured after ${warm} unmeasured)`, value: creates / createSecs, unit: '/s', tableOnly: true },
        { key: 'list_10k_ms', label: `LIST ${items} ConfigMaps (median of 5)`, value: median(listTimes), unit: 'ms', target: '< 300' },
        { key: 'rss_after_mb', label: 'RSS after the run', value: rssAfter, unit: 'MB', tableOnly: true },
      ],
      notes: [
        `idle RSS samples (MB, every 2 s from 12 s after start): ${samples.map((x) => x.toFixed(1)).join(' ')}`,
        `node ${process.version}, server pid ${srv.pid}, data dir ${srv.dataDir} (removed)`,
      ],
    };
  } finally {
    await srv.stop({ clean: true });
  }
}
