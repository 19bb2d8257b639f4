// CIDR arithmetic the control plane needs at start-up: validating --service-cidr and
// --cluster-cidr, and the service network's first address (the `kubernetes` Service's
// ClusterIP, which must be in the serving certificate's SANs).
import { isIP } from 'node:net';

export interface Cidr {
  family: 4 | 6;
  /** Network address as an unsigned integer. */
  base: bigint;
  prefix: number;
  /** The CIDR as given, normalised to its network address ("10.43.0.0/16"). */
  text: string;
}

/** Parses "10.43.0.0/16" or "fd00:43::/112"; throws Error with a user-facing message. */
export function parseCidr(s: string): Cidr {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m) throw new Error(`invalid CIDR address: ${s}`);
  const family = isIP(m[1]);
  if (family !== 4 && family !== 6) throw new Error(`invalid CIDR address: ${s}`);
  const prefix = Number(m[2]);
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) throw new Error(`invalid CIDR address: ${s}`);
  const addr = ipToBigInt(m[1]);
  const hostBits = BigInt(bits - prefix);
  const base = (addr >> hostBits) << hostBits;
  return { family, base, prefix, text: `${bigIntToIp(base, family)}/${prefix}` };
}

/** The first usable address of a network: what Kubernetes gives the `kubernetes` Service. */
export function firstIp(c: Cidr): string {
  const bits = c.family === 4 ? 32 : 128;
  if (c.prefix >= bits - 1) throw new Error(`CIDR ${c.text} is too small to hold a service address`);
  return bigIntToIp(c.base + 1n, c.family);
}

export function ipToBigInt(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  if (isIP(ip) !== 6) throw new Error(`invalid IP address: ${ip}`);
  let s = ip.split('%')[0];
  // An embedded dotted quad ("::ffff:1.2.3.4") becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const v = ipToBigInt(dotted[1]);
    s = s.slice(0, -dotted[1].length) + `${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function bigIntToIp(v: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups, as RFC 5952 asks.
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
