// The part of the kubelet's Summary API (/stats/summary, stats/v1alpha1) the metrics
// collector reads, and its translation into samples. Declared here rather than imported:
// the API server talks to kubelets over the wire only (layering), so this is the JSON shape.
import type { PodPoints, Point } from './store.js';

interface CpuJson { time?: string; usageCoreNanoSeconds?: number }
interface MemoryJson { time?: string; workingSetBytes?: number }
interface ContainerJson { name?: string; startTime?: string; cpu?: CpuJson; memory?: MemoryJson }
export interface SummaryJson {
  node?: { nodeName?: string; startTime?: string; cpu?: CpuJson; memory?: MemoryJson };
  pods?: { podRef?: { name?: string; namespace?: string; uid?: string }; startTime?: string; containers?: ContainerJson[] }[];
}

function point(startTime: string | undefined, cpu: CpuJson | undefined, memory: MemoryJson | undefined, tsMs: number): Point | undefined {
  const cpuNs = cpu?.usageCoreNanoSeconds;
  const mem = memory?.workingSetBytes;
  if (typeof cpuNs !== 'number' || typeof mem !== 'number') return undefined;
  const startMs = startTime ? Date.parse(startTime) : NaN;
  return { startMs: Number.isFinite(startMs) ? startMs : 0, tsMs, cpuNs, memoryBytes: mem };
}

/**
 * The node's sample and its pods' container samples from one summary, all stamped with
 * `tsMs` (when the answer arrived: the summary's own times are whole seconds, too coarse for
 * a rate over a 15 s window). Containers without cumulative CPU or a working set are left
 * out, as the kubelet's /metrics/resource leaves them out; pods without containers too.
 */
export function pointsFromSummary(s: SummaryJson, tsMs: number): { node?: Point; pods: PodPoints[] } {
  const node = point(s.node?.startTime, s.node?.cpu, s.node?.memory, tsMs);
  const pods: PodPoints[] = [];
  for (const p of s.pods ?? []) {
    const namespace = p.podRef?.namespace, name = p.podRef?.name;
    if (!namespace || !name) continue;
    const containers = new Map<string, Point>();
    for (const c of p.containers ?? []) {
      if (!c.name || containers.has(c.name)) continue;
      const pt = point(c.startTime, c.cpu, c.memory, tsMs);
      if (pt) containers.set(c.name, pt);
    }
    if (containers.size) pods.push({ namespace, name, containers });
  }
  return { node, pods };
}
