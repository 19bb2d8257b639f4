// The last two samples of every node and container, and the usage between them — the
// metrics-server storage model. CPU is a rate: the difference of two cumulative
// usageCoreNanoSeconds over the time between the samples (so it never depends on who else
// asked the kubelet in between); memory is the newest working set. A node or pod appears
// only once it has two samples; a pod only when every one of its containers has.

/** One sample of one node or container. */
export interface Point {
  /** When the node booted / the container started (ms since the epoch). */
  startMs: number;
  /** When the sample was taken (ms since the epoch). */
  tsMs: number;
  /** Cumulative CPU time since start, in core-nanoseconds. */
  cpuNs: number;
  /** Working set, bytes. */
  memoryBytes: number;
}

export interface PodPoints {
  namespace: string;
  name: string;
  /** Container name → sample. */
  containers: Map<string, Point>;
}

/** One scrape cycle: every node that answered, and the pods they run. */
export interface Batch {
  nodes: Map<string, Point>;
  /** Keyed "namespace/name". */
  pods: Map<string, PodPoints>;
}

export interface Usage {
  /** The newer sample's time and the time between the two samples (ms). */
  tsMs: number;
  windowMs: number;
  nanocores: number;
  memoryBytes: number;
}

export interface PodUsage {
  tsMs: number;
  windowMs: number;
  containers: { name: string; usage: Usage }[];
}

/** A new container younger than this has too little history for a rate from its start (metrics-server's 10 s). */
export const FRESH_CONTAINER_MIN_MS = 10_000;

/** The usage between two samples of the same node or container; undefined when they cannot be compared. */
export function usageBetween(last: Point, prev: Point): Usage | undefined {
  if (last.startMs < prev.startMs) return undefined;         // start time went backwards
  if (last.cpuNs < prev.cpuNs) return undefined;             // counter reset: a restart between samples
  const windowMs = last.tsMs - prev.tsMs;
  if (windowMs <= 0) return undefined;
  return {
    tsMs: last.tsMs, windowMs,
    nanocores: Math.trunc(((last.cpuNs - prev.cpuNs) * 1000) / windowMs),
    memoryBytes: last.memoryBytes,
  };
}

export class MetricsStore {
  private nodes = new Map<string, Point>();
  private prevNodes = new Map<string, Point>();
  private pods = new Map<string, PodPoints>();
  private prevPods = new Map<string, Map<string, Point>>();

  /** @param resolutionMs the scrape period (a container started less than one period ago is rated from its start). */
  constructor(private readonly resolutionMs: number) {}

  /** Replaces the samples with a new batch; the samples it replaces become the previous ones. Nodes and pods not in it are forgotten. */
  store(batch: Batch): void {
    const prevNodes = new Map<string, Point>();
    for (const [name, p] of batch.nodes) {
      const last = this.nodes.get(name);
      const prev = this.prevNodes.get(name);
      if (last && p.tsMs > last.tsMs) prevNodes.set(name, last);
      else if (prev && prev.tsMs < p.tsMs) prevNodes.set(name, prev);
    }
    const prevPods = new Map<string, Map<string, Point>>();
    for (const [key, pod] of batch.pods) {
      const lastPod = this.pods.get(key)?.containers;
      const prevPod = this.prevPods.get(key);
      const prevs = new Map<string, Point>();
      for (const [c, p] of pod.containers) {
        const age = p.tsMs - p.startMs;
        const last = lastPod?.get(c);
        if (age > 0 && age < this.resolutionMs && age >= FRESH_CONTAINER_MIN_MS) {
          // a container started since the last scrape: its start is a sample with no CPU used yet
          prevs.set(c, { startMs: p.startMs, tsMs: p.startMs, cpuNs: 0, memoryBytes: p.memoryBytes });
        } else if (last && p.startMs <= last.tsMs) {
          // the same container instance as the last sample (it started before that sample)
          const prev = prevPod?.get(c);
          if (p.tsMs > last.tsMs) prevs.set(c, last);
          else if (prev && prev.tsMs < p.tsMs) prevs.set(c, prev);
        }
      }
      if (prevs.size) prevPods.set(key, prevs);
    }
    this.nodes = batch.nodes;
    this.prevNodes = prevNodes;
    this.pods = batch.pods;
    this.prevPods = prevPods;
  }

  clear(): void {
    this.store({ nodes: new Map(), pods: new Map() });
  }

  node(name: string): Usage | undefined {
    const last = this.nodes.get(name);
    const prev = this.prevNodes.get(name);
    return last && prev ? usageBetween(last, prev) : undefined;
  }

  /** A pod's containers' usage, sorted by name; undefined unless every container has two samples. */
  pod(namespace: string, name: string): PodUsage | undefined {
    const key = `${namespace}/${name}`;
    const last = this.pods.get(key);
    const prev = this.prevPods.get(key);
    if (!last || !prev || last.containers.size === 0) return undefined;
    const containers: PodUsage['containers'] = [];
    let earliest: Usage | undefined;
    for (const [c, p] of last.containers) {
      const q = prev.get(c);
      if (!q) return undefined;
      const u = usageBetween(p, q);
      if (!u) continue;
      containers.push({ name: c, usage: u });
      if (!earliest || u.tsMs < earliest.tsMs) earliest = u;
    }
    if (!earliest) return undefined;
    containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { tsMs: earliest.tsMs, windowMs: earliest.windowMs, containers };
  }

  /** How many nodes and containers are held (tests, memory checks). */
  size(): { nodes: number; containers: number } {
    let containers = 0;
    for (const p of this.pods.values()) containers += p.containers.size;
    return { nodes: this.nodes.size, containers };
  }
}
