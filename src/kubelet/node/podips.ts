// Pod IPs out of a node's podCIDRs, the way the host-local IPAM plugin hands them out on a
// bridge network: one address per CIDR (dual-stack pods get one of each family), never the
// network address, the gateway (.1) or the IPv4 broadcast address; a rotating cursor so a
// released address is not reused at once. Owners are pod UIDs.

import { cidrContains, cidrSize, formatIp, ipValue, parseCidr, type Cidr } from '../../api/cidr.js';

interface Range { cidr: Cidr; first: bigint; last: bigint; cursor: bigint; used: Map<bigint, string> }

export class PodIPAllocator {
  private readonly ranges: Range[];
  private readonly owners = new Map<string, string[]>();

  /** Throws on a malformed CIDR. */
  constructor(readonly cidrs: string[]) {
    this.ranges = cidrs.map((s) => {
      const cidr = parseCidr(s);
      const size = cidrSize(cidr);
      const first = cidr.base + (size > 2n ? 2n : 0n);
      const last = cidr.base + size - (cidr.family === 4 && size > 2n ? 2n : 1n);
      return { cidr, first, last, cursor: first, used: new Map() };
    });
  }

  /** Addresses left in the smallest range (what bounds the node's pod count). */
  available(): number {
    let min = Infinity;
    for (const r of this.ranges) min = Math.min(min, Number(r.last - r.first + 1n) - r.used.size);
    return min === Infinity ? 0 : min;
  }

  get(owner: string): string[] | undefined {
    return this.owners.get(owner);
  }

  /** One address per CIDR for the owner (the same ones on repeated calls), or undefined when a range is full. */
  allocate(owner: string): string[] | undefined {
    const have = this.owners.get(owner);
    if (have) return have;
    const picked: bigint[] = [];
    for (const r of this.ranges) {
      const v = this.next(r);
      if (v === undefined) {
        this.ranges.forEach((rr, i) => { if (i < picked.length) rr.used.delete(picked[i]); });
        return undefined;
      }
      r.used.set(v, owner);
      picked.push(v);
    }
    const ips = picked.map((v, i) => formatIp(v, this.ranges[i].cidr.family));
    this.owners.set(owner, ips);
    return ips;
  }

  /**
   * Records addresses an owner already holds (a pod's status.podIPs after an agent restart).
   * Returns false, recording nothing, when one is outside the CIDRs or held by someone else.
   */
  reserve(owner: string, ips: string[]): boolean {
    if (this.owners.has(owner)) return true;
    if (ips.length !== this.ranges.length) return false;
    const vals: bigint[] = [];
    for (const [i, r] of this.ranges.entries()) {
      const ip = ips.find((x) => cidrContains(r.cidr, x));
      const v = ip === undefined ? undefined : ipValue(ip, r.cidr.family);
      if (v === undefined || v < r.first || v > r.last) return false;
      const holder = r.used.get(v);
      if (holder !== undefined && holder !== owner) return false;
      vals[i] = v;
    }
    this.ranges.forEach((r, i) => r.used.set(vals[i], owner));
    this.owners.set(owner, this.ranges.map((r, i) => formatIp(vals[i], r.cidr.family)));
    return true;
  }

  release(owner: string): void {
    const ips = this.owners.get(owner);
    if (!ips) return;
    this.owners.delete(owner);
    for (const r of this.ranges) {
      for (const ip of ips) {
        const v = ipValue(ip, r.cidr.family);
        if (v !== undefined && r.used.get(v) === owner) r.used.delete(v);
      }
    }
  }

  private next(r: Range): bigint | undefined {
    const span = r.last - r.first + 1n;
    if (BigInt(r.used.size) >= span) return undefined;
    let v = r.cursor;
    for (let n = 0n; n < span; n++) {
      if (!r.used.has(v)) {
        r.cursor = v === r.last ? r.first : v + 1n;
        return v;
      }
      v = v === r.last ? r.first : v + 1n;
    }
    return undefined;
  }
}
