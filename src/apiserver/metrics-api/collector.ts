// The metrics collector: scrapes every Ready node's kubelet (/stats/summary) once per
// resolution and keeps the last two samples (store.ts), as metrics-server does — but
// lazily, so an API server nobody asks for metrics costs nothing:
//
//  - it starts on the first metrics.k8s.io request: one scrape at once and a second one
//    `warmupMs` later, which that first request waits for (bounded by `maxWaitMs`), so even
//    the first `kubectl top` has a rate to show (over a short window);
//  - then it scrapes every `resolutionMs` (metrics-server's --metric-resolution, 15 s);
//  - after `idleMs` (10 min) without a metrics request it stops and drops its samples; the
//    next request starts it again.
//
// Only nodes that are Ready and run a kubelet are scraped: simulated nodes (and a server
// with --disable-agent and no real nodes) cause no kubelet traffic at all. A node that
// cannot be reached is simply absent from the next batch (metrics-server skips it too).
import type { Obj } from '../../api/types.js';
import { MetricsStore, type Batch } from './store.js';
import { pointsFromSummary, type SummaryJson } from './summary.js';

export interface CollectorOptions {
  /** Every node (the collector picks the scrapable ones). */
  listNodes(): Promise<Obj[]>;
  /** The node's summary (only_cpu_and_memory); rejects when it cannot be had. */
  scrape(node: Obj, signal: AbortSignal): Promise<SummaryJson>;
  /** Stops the collector for good. */
  signal: AbortSignal;
  resolutionMs?: number;
  idleMs?: number;
  warmupMs?: number;
  maxWaitMs?: number;
  /** Per-node scrape timeout (default: 90 % of the resolution, at most 10 s). */
  scrapeTimeoutMs?: number;
  now?: () => number;
  log?: (msg: string) => void;
}

export const DEFAULT_RESOLUTION_MS = 15_000;
export const DEFAULT_IDLE_MS = 10 * 60_000;
export const DEFAULT_WARMUP_MS = 1_500;
const DEFAULT_MAX_WAIT_MS = 10_000;

const SIMULATED_LABEL = 'skiff.dev/simulated';

/** A node whose kubelet should be asked: Ready, and not a simulated node (those run none). */
export function scrapable(node: Obj): boolean {
  if (node.metadata?.labels?.[SIMULATED_LABEL] === 'true') return false;
  const ready = (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  return ready?.status === 'True';
}

export class MetricsCollector {
  readonly store: MetricsStore;
  private readonly resolutionMs: number;
  private readonly idleMs: number;
  private readonly warmupMs: number;
  private readonly maxWaitMs: number;
  private readonly scrapeTimeoutMs: number;
  private readonly now: () => number;
  private lastRequestMs = 0;
  private warm: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private cycles = 0;
  /** Nodes whose last scrape failed (their failure has been logged). */
  private readonly failing = new Set<string>();

  constructor(private readonly o: CollectorOptions) {
    this.resolutionMs = o.resolutionMs ?? DEFAULT_RESOLUTION_MS;
    this.idleMs = o.idleMs ?? DEFAULT_IDLE_MS;
    this.warmupMs = o.warmupMs ?? DEFAULT_WARMUP_MS;
    this.maxWaitMs = o.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.scrapeTimeoutMs = o.scrapeTimeoutMs ?? Math.min(10_000, Math.floor(this.resolutionMs * 0.9));
    this.now = o.now ?? Date.now;
    this.store = new MetricsStore(this.resolutionMs);
    o.signal.addEventListener('abort', () => this.stop(), { once: true });
  }

  /** Whether the collector is running (scraping on its timer). */
  get active(): boolean { return this.warm !== undefined; }

  /** Completed scrape cycles since construction (tests). */
  get cycleCount(): number { return this.cycles; }

  /**
   * Called by every metrics request: keeps the collector running and, when it was idle,
   * starts it and waits (at most maxWaitMs) until it has two samples.
   */
  async request(): Promise<void> {
    this.lastRequestMs = this.now();
    if (this.o.signal.aborted) return;
    this.warm ??= this.start();
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.warm, new Promise<void>((r) => { t = setTimeout(r, this.maxWaitMs); })]);
    clearTimeout(t);
  }

  private async start(): Promise<void> {
    const answered = await this.cycle();
    // a second sample soon after the first gives the first answer a rate; nothing to wait
    // for when no kubelet answered (none, or none reachable)
    if (answered > 0 && !this.o.signal.aborted) {
      await this.sleep(this.warmupMs);
      await this.cycle();
    }
    this.schedule();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.o.signal.aborted) { resolve(); return; }
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); resolve(); }
      this.o.signal.addEventListener('abort', done, { once: true });
    });
  }

  private schedule(): void {
    if (this.o.signal.aborted || !this.warm) return;
    this.timer = setTimeout(() => { void this.tick(); }, this.resolutionMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.now() - this.lastRequestMs >= this.idleMs) { this.stop(); return; }
    await this.cycle();
    this.schedule();
  }

  /** Stops scraping and forgets every sample (the next request starts over). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.warm = undefined;
    this.store.clear();
  }

  /** One scrape of every scrapable node, in parallel; returns how many answered. */
  async cycle(): Promise<number> {
    let nodes: Obj[];
    try {
      nodes = (await this.o.listNodes()).filter(scrapable);
    } catch (e) {
      this.o.log?.(`metrics: listing nodes: ${(e as Error).message}`);
      return 0;
    }
    const batch: Batch = { nodes: new Map(), pods: new Map() };
    let answered = 0;
    await Promise.all(nodes.map(async (node) => {
      const name: string = node.metadata.name;
      const signal = AbortSignal.any([this.o.signal, AbortSignal.timeout(this.scrapeTimeoutMs)]);
      try {
        const summary = await this.o.scrape(node, signal);
        const { node: np, pods } = pointsFromSummary(summary, this.now());
        if (np) batch.nodes.set(name, np);
        for (const p of pods) batch.pods.set(`${p.namespace}/${p.name}`, p);
        answered++;
        this.failing.delete(name);
      } catch (e) {
        // said once per outage, not every resolution
        if (!this.failing.has(name)) this.o.log?.(`metrics: scraping node "${name}" failed: ${(e as Error).message}`);
        this.failing.add(name);
      }
    }));
    for (const name of this.failing) if (!nodes.some((n) => n.metadata.name === name)) this.failing.delete(name);
    // a stop while scraping: keep nothing
    if (this.o.signal.aborted || !this.warm) return answered;
    this.store.store(batch);
    this.cycles++;
    return answered;
  }
}
