// A pod's resolv.conf as the kubelet builds it (pkg/kubelet/network/dns): ClusterFirst points
// at the cluster DNS with the pod's namespace search path and ndots:5; Default copies the
// node's resolver; None leaves only pod.spec.dnsConfig; pod.spec.dnsConfig is merged into all.
// With no cluster DNS configured, ClusterFirst falls back to Default, as upstream does (with
// its MissingClusterDNS event).

import { existsSync, readFileSync } from 'node:fs';
import type { Obj } from '../../api/types.js';
import type { DNSConfig } from '../cri/types.js';

export const MAX_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;

export interface HostResolv { servers: string[]; searches: string[]; options: string[] }

export function parseResolvConf(text: string): HostResolv {
  const out: HostResolv = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.servers.push(rest[0]);
    else if (key === 'search') out.searches = rest.filter((s) => s !== '.');
    else if (key === 'domain' && rest[0]) out.searches = [rest[0]];
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

const loopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';

/**
 * The node's resolver for pods. A systemd-resolved stub (127.0.0.53) is unreachable from a
 * pod's network namespace, so its upstream list is used instead when it exists.
 */
export function hostResolv(path = '/etc/resolv.conf'): HostResolv {
  let r: HostResolv = { servers: [], searches: [], options: [] };
  try { r = parseResolvConf(readFileSync(path, 'utf8')); } catch { /* no resolver: empty */ }
  const upstream = '/run/systemd/resolve/resolv.conf';
  if (r.servers.length && r.servers.every(loopback) && path === '/etc/resolv.conf' && existsSync(upstream)) {
    try { r = parseResolvConf(readFileSync(upstream, 'utf8')); } catch { /* keep the stub */ }
  }
  return r;
}

export interface PodDnsOptions {
  clusterDNS: string[];
  clusterDomain: string;
  host: HostResolv;
}

type DnsType = 'cluster' | 'host' | 'none';

export function podDnsType(pod: Obj, clusterDNS: string[]): { type: DnsType; fellBack: boolean } {
  const policy = pod?.spec?.dnsPolicy ?? 'ClusterFirst';
  let type: DnsType;
  if (policy === 'None') type = 'none';
  else if (policy === 'ClusterFirstWithHostNet') type = 'cluster';
  else if (policy === 'ClusterFirst') type = pod?.spec?.hostNetwork ? 'host' : 'cluster';
  else type = 'host';
  if (type === 'cluster' && clusterDNS.length === 0) return { type: 'host', fellBack: true };
  return { type, fellBack: false };
}

const uniq = (xs: string[]): string[] => [...new Set(xs)];

/** The sandbox's DNSConfig and, when ClusterFirst fell back to the node's resolver, the event message. */
export function podDnsConfig(pod: Obj, o: PodDnsOptions): { config: DNSConfig; warning?: string } {
  const { type, fellBack } = podDnsType(pod, o.clusterDNS);
  let servers: string[] = [], searches: string[] = [], options: string[] = [];
  if (type === 'cluster') {
    const ns = pod.metadata?.namespace ?? 'default';
    const d = o.clusterDomain;
    servers = [...o.clusterDNS];
    searches = [`${ns}.svc.${d}`, `svc.${d}`, d, ...o.host.searches];
    options = ['ndots:5'];
  } else if (type === 'host') {
    servers = [...o.host.servers];
    searches = [...o.host.searches];
    options = [...o.host.options];
  }
  const extra: Obj = pod?.spec?.dnsConfig ?? {};
  servers = uniq([...servers, ...(extra.nameservers ?? [])]).slice(0, MAX_NAMESERVERS);
  searches = uniq([...searches, ...(extra.searches ?? [])]);
  // Options merge by name; the pod's value wins.
  const opts = new Map<string, string>();
  for (const opt of options) opts.set(opt.split(':')[0], opt);
  for (const opt of extra.options ?? []) opts.set(String(opt.name), opt.value !== undefined && opt.value !== null ? `${opt.name}:${opt.value}` : String(opt.name));
  searches = trimSearches(searches);
  const warning = fellBack
    ? `pod: "${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "${pod.spec?.dnsPolicy ?? 'ClusterFirst'}" policy. Falling back to "Default" policy.`
    : undefined;
  return { config: { servers, searches, options: [...opts.values()] }, warning };
}

function trimSearches(searches: string[]): string[] {
  let out = searches.slice(0, MAX_DNS_SEARCH_PATHS);
  while (out.length && out.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) out = out.slice(0, -1);
  return out;
}
