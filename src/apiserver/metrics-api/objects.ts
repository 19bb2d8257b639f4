// metrics.k8s.io/v1beta1 objects as metrics-server serves them: NodeMetrics and PodMetrics
// (metadata with name, namespace, labels of the node/pod and a creationTimestamp of "now"),
// their lists, and the Table `kubectl get nodemetrics|podmetrics` prints (Name, cpu, memory,
// Window).
import type { Obj } from '../../api/types.js';
import { cpuQuantity, goDuration, memoryQuantity, metaTime } from './format.js';
import type { PodUsage, Usage } from './store.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_API_VERSION = 'metrics.k8s.io/v1beta1';

function usageList(u: { nanocores: number; memoryBytes: number }): Obj {
  return { cpu: cpuQuantity(u.nanocores), memory: memoryQuantity(u.memoryBytes) };
}

function meta(source: Obj, nowMs: number, namespaced: boolean): Obj {
  const m: Obj = { name: source.metadata.name };
  if (namespaced) m.namespace = source.metadata.namespace;
  m.creationTimestamp = metaTime(nowMs);
  if (source.metadata.labels && Object.keys(source.metadata.labels).length) m.labels = source.metadata.labels;
  return m;
}

export function nodeMetrics(node: Obj, u: Usage, nowMs: number): Obj {
  return {
    kind: 'NodeMetrics', apiVersion: METRICS_API_VERSION, metadata: meta(node, nowMs, false),
    timestamp: metaTime(u.tsMs), window: goDuration(u.windowMs), usage: usageList(u),
  };
}

export function podMetrics(pod: Obj, u: PodUsage, nowMs: number): Obj {
  return {
    kind: 'PodMetrics', apiVersion: METRICS_API_VERSION, metadata: meta(pod, nowMs, true),
    timestamp: metaTime(u.tsMs), window: goDuration(u.windowMs),
    containers: u.containers.map((c) => ({ name: c.name, usage: usageList(c.usage) })),
  };
}

export function metricsList(kind: 'NodeMetricsList' | 'PodMetricsList', items: Obj[]): Obj {
  return { kind, apiVersion: METRICS_API_VERSION, metadata: {}, items };
}

/** A row's numbers: a node's usage, or the sum over a pod's containers. */
export interface RowData { obj: Obj; nanocores: number; memoryBytes: number; windowMs: number }

export function rowOfNode(obj: Obj, u: Usage): RowData {
  return { obj, nanocores: u.nanocores, memoryBytes: u.memoryBytes, windowMs: u.windowMs };
}

export function rowOfPod(obj: Obj, u: PodUsage): RowData {
  let nanocores = 0, memoryBytes = 0;
  for (const c of u.containers) { nanocores += c.usage.nanocores; memoryBytes += c.usage.memoryBytes; }
  return { obj, nanocores, memoryBytes, windowMs: u.windowMs };
}

/** The Table metrics-server answers; no columns when there are no rows (it derives them from the first item). */
export function metricsTable(rows: RowData[], includeObject: 'None' | 'Object' | 'Metadata'): Obj {
  const columnDefinitions = rows.length ? [
    { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 },
    { name: 'cpu', type: 'string', format: 'quantity', description: '', priority: 0 },
    { name: 'memory', type: 'string', format: 'quantity', description: '', priority: 0 },
    { name: 'Window', type: 'string', format: 'duration', description: '', priority: 0 },
  ] : [];
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, columnDefinitions,
    rows: rows.map((r) => {
      const row: Obj = { cells: [r.obj.metadata.name, cpuQuantity(r.nanocores), memoryQuantity(r.memoryBytes), goDuration(r.windowMs)] };
      if (includeObject === 'Object') row.object = r.obj;
      else if (includeObject === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: r.obj.metadata };
      return row;
    }),
  };
}
