// ClusterIP and NodePort bookkeeping. The sets are rebuilt from the stored Services at
// start and kept in step by admission (reserve), abort (release) and delete (release).

export function parseCIDR(cidr: string): { base: number; bits: number } {
  const [ip, b] = cidr.split('/');
  return { base: ipToInt(ip) >>> 0, bits: Number(b) };
}

export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function isIPv4(s: string): boolean {
  return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(s);
}

/** The first usable address of a CIDR (the kubernetes Service's ClusterIP). */
export function firstIP(cidr: string): string {
  return intToIp(parseCIDR(cidr).base + 1);
}

export class IPAllocator {
  private readonly used = new Set<number>();
  private readonly first: number;
  private readonly last: number;
  constructor(readonly cidr: string) {
    const { base, bits } = parseCIDR(cidr);
    const size = 2 ** (32 - bits);
    this.first = base + 1;            // network address excluded
    this.last = base + size - 2;      // broadcast excluded
  }
  inRange(ip: string): boolean {
    if (!isIPv4(ip)) return false;
    const n = ipToInt(ip);
    return n >= this.first && n <= this.last;
  }
  has(ip: string): boolean { return this.used.has(ipToInt(ip)); }
  reserve(ip: string): void { this.used.add(ipToInt(ip)); }
  release(ip: string): void { if (isIPv4(ip)) this.used.delete(ipToInt(ip)); }
  /** A free address, preferring the upper part of the range (the lower band is for static IPs). */
  allocate(): string | undefined {
    const size = this.last - this.first + 1;
    const lowBand = Math.min(256, Math.max(16, Math.floor(size / 16)));
    const start = this.first + (size > lowBand * 2 ? lowBand : 0);
    const span = this.last - start + 1;
    const off = Math.floor(Math.random() * span);
    for (let i = 0; i < size; i++) {
      const n = i < span ? start + ((off + i) % span) : this.first + (i - span);
      if (!this.used.has(n)) { this.used.add(n); return intToIp(n); }
    }
    return undefined;
  }
}

export class PortAllocator {
  private readonly used = new Set<number>();
  constructor(readonly min: number, readonly max: number) {}
  inRange(p: number): boolean { return p >= this.min && p <= this.max; }
  has(p: number): boolean { return this.used.has(p); }
  reserve(p: number): void { this.used.add(p); }
  release(p: number): void { this.used.delete(p); }
  allocate(): number | undefined {
    const span = this.max - this.min + 1;
    const off = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      const p = this.min + ((off + i) % span);
      if (!this.used.has(p)) { this.used.add(p); return p; }
    }
    return undefined;
  }
}
