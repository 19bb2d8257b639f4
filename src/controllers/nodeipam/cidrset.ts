// A cluster CIDR cut into equal node subnets and a bitmap of which are taken
// (kube-controller-manager's cidrset): allocate the next free one after the last handed out,
// occupy ones nodes already carry, release them when nodes go.

import { ipBytes } from '../../api/validation/names.js';

export interface Cidr { family: 4 | 6; base: bigint; prefix: number; bits: number }

/** Parses "10.42.0.0/16" / "fd00::/48" (host bits cleared); throws on bad input. */
export function parseCidr(s: string): Cidr {
  const t = s.trim();
  const slash = t.indexOf('/');
  const ip = slash < 0 ? '' : t.slice(0, slash);
  const b = ipBytes(ip);
  const family: 4 | 6 = ip.includes(':') ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  const prefixText = t.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!b || slash < 0 || !/^\d{1,3}$/.test(prefixText) || prefix > bits) throw new Error(`invalid CIDR address: ${s}`);
  let v = 0n;
  for (const x of family === 4 ? b.slice(12) : b) v = (v << 8n) | BigInt(x);
  const host = BigInt(bits - prefix);
  return { family, base: (v >> host) << host, prefix, bits };
}

export function formatIp(v: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base, c.family)}/${c.prefix}`;
}

/** cidrset.ErrCIDRRangeNoCIDRsRemaining */
export const NO_CIDRS_REMAINING = 'CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range';
/** Upstream refuses more than 2^16 node subnets per cluster CIDR. */
const MAX_SUBNET_BITS = 16;

export class CidrSet {
  readonly cluster: Cidr;
  readonly maxCIDRs: number;
  private readonly used: Uint8Array;
  private allocated = 0;
  private nextCandidate = 0;

  constructor(clusterCIDR: string, readonly nodeMaskSize: number) {
    this.cluster = parseCidr(clusterCIDR);
    const diff = nodeMaskSize - this.cluster.prefix;
    if (diff < 0 || nodeMaskSize > this.cluster.bits) throw new Error(`node CIDR mask size /${nodeMaskSize} does not fit cluster CIDR ${formatCidr(this.cluster)}`);
    if (diff > MAX_SUBNET_BITS) throw new Error(`CIDRSet count would be too large: cluster CIDR ${formatCidr(this.cluster)} with node mask /${nodeMaskSize} (at most ${MAX_SUBNET_BITS} bits apart)`);
    this.maxCIDRs = 1 << diff;
    this.used = new Uint8Array(this.maxCIDRs);
  }

  get free(): number {
    return this.maxCIDRs - this.allocated;
  }

  private cidrAt(i: number): string {
    const step = 1n << BigInt(this.cluster.bits - this.nodeMaskSize);
    return `${formatIp(this.cluster.base + BigInt(i) * step, this.cluster.family)}/${this.nodeMaskSize}`;
  }

  /** The next free node subnet, scanning on from the last one handed out. Throws when none is left. */
  allocateNext(): string {
    if (this.allocated >= this.maxCIDRs) throw new Error(NO_CIDRS_REMAINING);
    for (let n = 0; n < this.maxCIDRs; n++) {
      const i = (this.nextCandidate + n) % this.maxCIDRs;
      if (this.used[i]) continue;
      this.used[i] = 1;
      this.allocated++;
      this.nextCandidate = (i + 1) % this.maxCIDRs;
      return this.cidrAt(i);
    }
    throw new Error(NO_CIDRS_REMAINING);
  }

  /** Subnet indexes [begin, end] a CIDR covers; throws when it lies outside the cluster CIDR. */
  private indices(cidr: string): [number, number] {
    const c = parseCidr(cidr);
    const cl = this.cluster;
    const clusterEnd = cl.base + (1n << BigInt(cl.bits - cl.prefix));
    const end = c.base + (1n << BigInt(c.bits - c.prefix));
    if (c.family !== cl.family || c.base < cl.base || end > clusterEnd) {
      throw new Error(`cidr ${cidr} is out the range of cluster cidr ${formatCidr(cl)}`);
    }
    const shift = BigInt(cl.bits - this.nodeMaskSize);
    const begin = Number((c.base - cl.base) >> shift);
    const last = Number((end - 1n - cl.base) >> shift);
    return [begin, last];
  }

  /** Marks what a CIDR covers as taken (nodes that already have one, the service range). */
  occupy(cidr: string): void {
    const [b, e] = this.indices(cidr);
    for (let i = b; i <= e; i++) {
      if (!this.used[i]) this.allocated++;
      this.used[i] = 1;
    }
  }

  release(cidr: string): void {
    const [b, e] = this.indices(cidr);
    for (let i = b; i <= e; i++) {
      if (this.used[i]) this.allocated--;
      this.used[i] = 0;
    }
  }

  /** The part of `other` overlapping this cluster CIDR, as a CIDR this set can occupy, if any. */
  overlap(other: string): string | undefined {
    const o = parseCidr(other);
    const cl = this.cluster;
    if (o.family !== cl.family) return undefined;
    const oEnd = o.base + (1n << BigInt(o.bits - o.prefix));
    const cEnd = cl.base + (1n << BigInt(cl.bits - cl.prefix));
    if (o.base >= cEnd || cl.base >= oEnd) return undefined;
    // CIDRs either nest or are disjoint: the overlap is the smaller one.
    return o.prefix >= cl.prefix ? formatCidr(o) : formatCidr(cl);
  }
}
