// usageNanoCores is a rate: (cumulative CPU ns now − then) / (wall ns now − then). Like the
// kubelet's CRI stats provider, keep the last sample per container/pod/node and compute the
// rate from the previous one; the first sample of anything has no rate (field omitted).
// Samples not refreshed for `ttlMs` are forgotten, so removed containers do not accumulate.

interface Sample { usage: bigint; at: bigint; seenMs: number; rate?: number }

export class CpuRates {
  private readonly last = new Map<string, Sample>();

  constructor(private readonly ttlMs = 10 * 60_000, private readonly nowMs: () => number = Date.now) {}

  /**
   * Records a cumulative sample (nanoseconds of CPU, taken at `atNs` ns since the epoch) and
   * returns the rate since the previous sample of `key`, or undefined for the first one.
   * A sample no newer than the last one (a runtime's cached answer) gets the last rate again.
   */
  rate(key: string, usageNs: bigint, atNs: bigint): number | undefined {
    const prev = this.last.get(key);
    const now = this.nowMs();
    if (prev && atNs <= prev.at) { prev.seenMs = now; return prev.rate; }
    // first sample, or the counter restarted (a new container with the same key): no rate yet
    const rate = !prev || usageNs < prev.usage ? undefined : Number(((usageNs - prev.usage) * 1_000_000_000n) / (atNs - prev.at));
    this.last.set(key, { usage: usageNs, at: atNs, seenMs: now, rate });
    return rate;
  }

  /** Drops samples older than the TTL. */
  prune(): void {
    const cut = this.nowMs() - this.ttlMs;
    for (const [k, s] of this.last) if (s.seenMs < cut) this.last.delete(k);
  }

  get size(): number { return this.last.size; }
}
