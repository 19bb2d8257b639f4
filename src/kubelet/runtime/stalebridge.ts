// Another Linux bridge that holds an address in this node's pod range (a skiff node of an
// earlier data dir, say) makes the host route pod traffic to the wrong bridge: pods start but
// nothing reaches them. Before the CNI config is written, such bridges are found; a skiff
// bridge ("skiff0", "sk" + 8 hex digits) with no interface attached is a leftover of a node
// that is gone, and is removed; anything else is reported, since it may be in use.
import { isIPv4 } from 'node:net';
import { run } from './containerd.js';

export interface BridgeAddr { name: string; addrs: { ip: string; prefixlen: number }[] }

const SKIFF_BRIDGE = /^(skiff0|sk[0-9a-f]{8})$/;

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => (a * 256) + Number(o), 0);
}

/** Whether two IPv4 networks (address/prefix length) overlap: same block at the shorter prefix. */
export function overlaps(a: string, aLen: number, b: string, bLen: number): boolean {
  const block = 2 ** (32 - Math.min(aLen, bLen));
  return Math.floor(ipv4ToInt(a) / block) === Math.floor(ipv4ToInt(b) / block);
}

/** Bridges other than `own` with an IPv4 address inside `podCIDR`. */
export function conflicting(bridges: BridgeAddr[], own: string, podCIDR: string): BridgeAddr[] {
  const [net, lenS] = podCIDR.split('/');
  if (!isIPv4(net)) return [];
  const len = Number(lenS);
  return bridges.filter((b) => b.name !== own && b.addrs.some((a) => isIPv4(a.ip) && overlaps(a.ip, a.prefixlen, net, len)));
}

/** `ip ARGS`; rejects with its output when it fails. */
async function ip(args: string[]): Promise<string> {
  const r = await run('ip', args);
  if (!r.ok) throw new Error(r.out);
  return r.out;
}

/** Removes unused skiff bridges in the pod range, and says which other bridges are in the way. */
export async function clearStaleBridges(own: string, podCIDR: string, log: (m: string) => void): Promise<void> {
  let bridges: BridgeAddr[];
  try {
    const raw = JSON.parse(await ip(['-j', 'addr', 'show', 'type', 'bridge'])) as { ifname: string; addr_info?: { family: string; local: string; prefixlen: number }[] }[];
    bridges = raw.map((b) => ({ name: b.ifname, addrs: (b.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => ({ ip: a.local, prefixlen: a.prefixlen })) }));
  } catch {
    return; // no iproute2 JSON here: nothing to check with
  }
  for (const b of conflicting(bridges, own, podCIDR)) {
    let ports = -1;
    try { ports = (JSON.parse(await ip(['-j', 'link', 'show', 'master', b.name])) as unknown[]).length; } catch { /* unknown: leave it */ }
    if (SKIFF_BRIDGE.test(b.name) && ports === 0) {
      try {
        await ip(['link', 'delete', b.name]);
        log(`pod network: removed bridge ${b.name}, an unused leftover of another skiff node that held addresses of ${podCIDR}`);
        continue;
      } catch (e) {
        log(`pod network: could not remove the unused bridge ${b.name} (${(e as Error).message})`);
      }
    }
    log(`pod network: WARNING: bridge ${b.name} also holds addresses of ${podCIDR}; pod traffic may go there instead of ${own} (remove it, or start skiff with another --cluster-cidr)`);
  }
}
