// CIDR arithmetic shared by node IPAM (node subnets) and node agents (pod IPs out of a
// node's podCIDRs). IPs are bigints so one code path serves IPv4 and IPv6.

import { ipBytes } from './validation/names.js';

export interface Cidr {
  family: 4 | 6;
  /** Network address. */
  base: bigint;
  prefix: number;
  /** Address bits of the family (32 or 128). */
  bits: number;
}

/** Parses "10.42.3.0/24" or "fd00:42::/64" (host bits are cleared); throws on bad input. */
export function parseCidr(s: string): Cidr {
  s = s.trim();
  const slash = s.indexOf('/');
  const ip = slash < 0 ? '' : s.slice(0, slash);
  const prefix = Number(s.slice(slash + 1));
  const b = ipBytes(ip);
  const family: 4 | 6 = ip.includes(':') ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  if (!b || slash < 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > bits || !/^\d+$/.test(s.slice(slash + 1))) throw new Error(`invalid CIDR address: ${s}`);
  let v = 0n;
  for (const x of family === 4 ? b.slice(12) : b) v = (v << 8n) | BigInt(x);
  const host = BigInt(bits - prefix);
  return { family, base: (v >> host) << host, prefix, bits };
}

/** Number of addresses in the CIDR. */
export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(c.bits - c.prefix);
}

export function formatIp(v: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // RFC 5952: compress the longest run (of two or more) of zero groups.
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

/** The IP as a bigint, or undefined when it is not an address of the family. */
export function ipValue(ip: string, family: 4 | 6): bigint | undefined {
  const b = ipBytes(ip);
  if (!b || (ip.includes(':') ? 6 : 4) !== family) return undefined;
  let v = 0n;
  for (const x of family === 4 ? b.slice(12) : b) v = (v << 8n) | BigInt(x);
  return v;
}

export function cidrContains(c: Cidr, ip: string): boolean {
  const v = ipValue(ip, c.family);
  return v !== undefined && v >= c.base && v < c.base + cidrSize(c);
}
