// The node's pod network as a CNI conflist for containerd's CRI plugin: a Linux bridge
// (skiff0) that is the pods' gateway, host-local IPAM over the node's pod CIDR (one /24 of
// the cluster CIDR per node), masquerade for traffic leaving the node, hairpin so a pod can
// reach itself through a Service, and portmap for hostPort. The loopback plugin is not in
// the list: containerd's CRI brings up each pod's `lo` itself with /usr/lib/cni/loopback
// (go-cni's loopback network), so that binary must be present (checked here).

import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatIp, parseCidr } from '../../api/cidr.js';

export const DEFAULT_CNI_BIN_DIR = '/usr/lib/cni';
export const DEFAULT_BRIDGE = 'skiff0';
export const CNI_NETWORK_NAME = 'skiff';
/** Plugins the conflist (and containerd's loopback set-up) execute. */
export const REQUIRED_CNI_PLUGINS = ['bridge', 'host-local', 'portmap', 'loopback'];
export const CNI_CONFIG_FILE = '10-skiff.conflist';

export interface CniOptions {
  /** Directory containerd reads (its cni conf_dir); skiff owns it. */
  dir: string;
  /** The node's pod CIDR, e.g. 10.42.0.0/24 (IPv4 or IPv6). */
  podCIDR: string;
  /** Linux bridge name (at most 15 characters). Default skiff0. */
  bridge?: string;
  /** Network name (also names host-local's allocation directory). Default skiff. */
  name?: string;
  /** host-local's allocation store. Default: DIR/../ipam (beside the config, per data dir). */
  ipamDir?: string;
  mtu?: number;
  /** Where the plugin binaries live; only used to check they exist. Default /usr/lib/cni. */
  binDir?: string;
}

export interface CniConflist {
  cniVersion: string;
  name: string;
  plugins: Record<string, unknown>[];
}

/** The conflist as an object (pure; no file system access). */
export function renderCniConfig(opts: CniOptions): CniConflist {
  const bridge = opts.bridge ?? DEFAULT_BRIDGE;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(bridge)) throw new Error(`invalid bridge name ${JSON.stringify(bridge)}: 1-15 letters, digits, '-', '_' or '.'`);
  const cidr = parseCidr(opts.podCIDR);
  // host-local needs room for the gateway plus at least one pod.
  if (cidr.bits - cidr.prefix < 2) throw new Error(`pod CIDR ${opts.podCIDR} is too small: it needs at least 4 addresses`);
  const subnet = `${formatIp(cidr.base, cidr.family)}/${cidr.prefix}`;
  const gateway = formatIp(cidr.base + 1n, cidr.family);
  const name = opts.name ?? CNI_NETWORK_NAME;
  const bridgeConf: Record<string, unknown> = {
    type: 'bridge',
    bridge,
    isGateway: true,
    ipMasq: true,
    hairpinMode: true,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet, gateway }]],
      routes: [{ dst: cidr.family === 4 ? '0.0.0.0/0' : '::/0' }],
      ...(opts.ipamDir ? { dataDir: opts.ipamDir } : {}),
    },
  };
  if (opts.mtu) bridgeConf.mtu = opts.mtu;
  return {
    cniVersion: '1.0.0',
    name,
    plugins: [bridgeConf, { type: 'portmap', capabilities: { portMappings: true }, snat: true }],
  };
}

/** Plugins missing from binDir, if any (empty when the node can network pods). */
export function missingCniPlugins(binDir: string = DEFAULT_CNI_BIN_DIR): string[] {
  return REQUIRED_CNI_PLUGINS.filter((p) => !existsSync(join(binDir, p)));
}

/**
 * Writes DIR/10-skiff.conflist atomically and removes any other network config in DIR
 * (containerd uses the lexically first one, so a stale file would win). Returns the path.
 */
export function writeCniConfig(opts: CniOptions): { file: string; config: CniConflist } {
  const ipamDir = opts.ipamDir ?? join(dirname(opts.dir), 'ipam');
  const config = renderCniConfig({ ...opts, ipamDir });
  const missing = missingCniPlugins(opts.binDir);
  if (missing.length) throw new Error(`CNI plugins missing from ${opts.binDir ?? DEFAULT_CNI_BIN_DIR}: ${missing.join(', ')} (Debian/Ubuntu: apt-get install containernetworking-plugins)`);
  mkdirSync(opts.dir, { recursive: true });
  mkdirSync(ipamDir, { recursive: true });
  const file = join(opts.dir, CNI_CONFIG_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n');
  renameSync(tmp, file);
  for (const f of readdirSync(opts.dir)) {
    if (f !== CNI_CONFIG_FILE && /\.(conf|conflist|json)$/.test(f)) rmSync(join(opts.dir, f), { force: true });
  }
  return { file, config };
}
