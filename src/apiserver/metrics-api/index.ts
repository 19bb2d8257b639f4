// metrics.k8s.io/v1beta1 served in-process (what metrics-server serves through the
// aggregation layer): nodes and pods, get and list, from the collector's samples.
//
//   GET /apis/metrics.k8s.io/v1beta1/nodes[/{name}]                    NodeMetrics(List)
//   GET /apis/metrics.k8s.io/v1beta1/[namespaces/{ns}/]pods[/{name}]   PodMetrics(List)
//
// Lists take labelSelector and fieldSelector (applied to the nodes/pods, as metrics-server
// filters its informer caches) and hold only the objects that have metrics. A get answers
// the node's/pod's own NotFound when it does not exist, and
// `nodemetrics.metrics.k8s.io "x" not found` / `podmetrics.metrics.k8s.io "ns/x" not found`
// when it exists without metrics (e.g. a simulated node, or a pod not running yet).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, methodNotSupported, notFound } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import type { Cluster } from '../cluster.js';
import { includeObjectParam, negotiate } from '../handlers/output.js';
import { sendJSON } from '../http.js';
import type { RequestInfo } from '../requestinfo.js';
import { kubeletClientOf } from '../streaming/kubelet.js';
import { MetricsCollector, type CollectorOptions } from './collector.js';
import { METRICS_GROUP, metricsList, metricsTable, nodeMetrics, podMetrics, rowOfNode, rowOfPod, type RowData } from './objects.js';
import type { SummaryJson } from './summary.js';

export { METRICS_GROUP } from './objects.js';
export { MetricsCollector } from './collector.js';

/** Largest summary accepted from a kubelet (a node with hundreds of pods is well under this). */
const MAX_SUMMARY_BYTES = 32 * 1024 * 1024;

const collectors = new WeakMap<Cluster, MetricsCollector>();
const settings = new WeakMap<Cluster, Partial<CollectorOptions>>();

/** Overrides for the collector of a cluster (tests: a short resolution, a fake scrape); call before the first metrics request. */
export function configureMetrics(cluster: Cluster, o: Partial<CollectorOptions>): void {
  settings.set(cluster, o);
}

/** The cluster's collector, created (idle) on first use. */
export function metricsCollectorOf(cluster: Cluster): MetricsCollector {
  let c = collectors.get(cluster);
  if (!c) {
    c = new MetricsCollector({
      listNodes: async () => (await cluster.registryByName('', 'nodes').list('', {})).items,
      scrape: (node, signal) => scrapeSummary(cluster, node, signal),
      signal: cluster.signal,
      log: (m) => console.error(`skiff: ${m}`),
      ...settings.get(cluster),
    });
    collectors.set(cluster, c);
  }
  return c;
}

async function scrapeSummary(cluster: Cluster, node: Obj, signal: AbortSignal): Promise<SummaryJson> {
  const kubelet = kubeletClientOf(cluster);
  const res = await kubelet.get(kubelet.target(node), '/stats/summary?only_cpu_and_memory=true', signal);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_SUMMARY_BYTES) { res.destroy(); throw new Error('summary too large'); }
    chunks.push(c);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  if (res.statusCode !== 200) throw new Error(`kubelet answered ${res.statusCode}: ${body.slice(0, 200)}`);
  return JSON.parse(body) as SummaryJson;
}

function byName(a: Obj, b: Obj): number {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`, kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Answers a metrics.k8s.io request (ri is nodes or pods of metrics.k8s.io/v1beta1). */
export async function serveMetrics(cluster: Cluster, req: IncomingMessage, res: ServerResponse, ri: ResourceInfo, info: RequestInfo, q: URLSearchParams): Promise<void> {
  if (info.subresource) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  if (info.verb !== 'get' && info.verb !== 'list') throw methodNotSupported(ri.group, ri.plural, info.verb);
  const out = negotiate(req);
  const includeObject = out === 'table' ? includeObjectParam(q) : 'Metadata';
  const collector = metricsCollectorOf(cluster);
  await collector.request();
  const nowMs = Date.now();
  const isNodes = ri.plural === 'nodes';
  const source = cluster.registryByName('', isNodes ? 'nodes' : 'pods');
  const ns = isNodes ? '' : info.namespace;

  const build = (obj: Obj): RowData | undefined => {
    if (isNodes) {
      const u = collector.store.node(obj.metadata.name);
      return u && rowOfNode(nodeMetrics(obj, u, nowMs), u);
    }
    const u = collector.store.pod(obj.metadata.namespace, obj.metadata.name);
    return u && rowOfPod(podMetrics(obj, u, nowMs), u);
  };

  if (info.name) {
    const obj = await source.get(ns, info.name);
    const row = build(obj);
    if (!row) throw notFound(METRICS_GROUP, isNodes ? 'nodemetrics' : 'podmetrics', isNodes ? info.name : `${ns}/${info.name}`);
    sendJSON(res, 200, out === 'table' ? metricsTable([row], includeObject) : row.obj);
    return;
  }
  const listed = await source.list(ns, { labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined });
  const rows: RowData[] = [];
  for (const obj of [...listed.items].sort(byName)) {
    const row = build(obj);
    if (row) rows.push(row);
  }
  if (out === 'table') { sendJSON(res, 200, metricsTable(rows, includeObject)); return; }
  sendJSON(res, 200, metricsList(isNodes ? 'NodeMetricsList' : 'PodMetricsList', rows.map((r) => r.obj)));
}
