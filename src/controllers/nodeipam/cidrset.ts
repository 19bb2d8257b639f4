// A cluster CIDR cut into equal node subnets and a bitmap of which are taken
// (kube-controller-manager's cidrset): allocate the next free one after the last handed out,
// occupy ones nodes already carry, release them when nodes go.

import { formatCidr, formatIp, parseCidr, type Cidr } from '../../api/cidr.js';

export { formatCidr, formatIp, parseCidr, type Cidr };

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
