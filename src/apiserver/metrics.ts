// Prometheus metrics in the text exposition format: request counts and latencies by verb,
// resource and code, as apiserver_request_total / apiserver_request_duration_seconds.

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Hist { counts: number[]; sum: number; n: number }

export class Metrics {
  private readonly total = new Map<string, number>();
  private readonly hist = new Map<string, Hist>();
  private readonly started = Date.now() / 1000;

  observe(verb: string, resource: string, code: number, seconds: number): void {
    const v = verb.toUpperCase();
    const k1 = `verb="${v}",resource="${resource}",code="${code}"`;
    this.total.set(k1, (this.total.get(k1) ?? 0) + 1);
    const k2 = `verb="${v}",resource="${resource}"`;
    let h = this.hist.get(k2);
    if (!h) { h = { counts: BUCKETS.map(() => 0), sum: 0, n: 0 }; this.hist.set(k2, h); }
    // watches last for minutes; they would swamp the latency histogram (upstream excludes them too)
    if (v === 'WATCH') return;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.counts[i]++;
    h.sum += seconds; h.n++;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, resource and HTTP response code.');
    out.push('# TYPE apiserver_request_total counter');
    for (const [k, v] of this.total) out.push(`apiserver_request_total{${k}} ${v}`);
    out.push('# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each verb and resource.');
    out.push('# TYPE apiserver_request_duration_seconds histogram');
    for (const [k, h] of this.hist) {
      BUCKETS.forEach((b, i) => out.push(`apiserver_request_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`));
      out.push(`apiserver_request_duration_seconds_bucket{${k},le="+Inf"} ${h.n}`);
      out.push(`apiserver_request_duration_seconds_sum{${k}} ${h.sum}`);
      out.push(`apiserver_request_duration_seconds_count{${k}} ${h.n}`);
    }
    const mem = process.memoryUsage();
    out.push('# TYPE process_resident_memory_bytes gauge', `process_resident_memory_bytes ${mem.rss}`);
    out.push('# TYPE process_start_time_seconds gauge', `process_start_time_seconds ${this.started}`);
    out.push('# TYPE nodejs_heap_used_bytes gauge', `nodejs_heap_used_bytes ${mem.heapUsed}`);
    out.push('# TYPE nodejs_heap_total_bytes gauge', `nodejs_heap_total_bytes ${mem.heapTotal}`);
    out.push('# TYPE nodejs_external_memory_bytes gauge', `nodejs_external_memory_bytes ${mem.external}`);
    return out.join('\n') + '\n';
  }
}
