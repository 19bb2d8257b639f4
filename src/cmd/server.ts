// `skiff server` flags and configuration. Parsing never loads the API server, so a
// mistyped flag or --help answers at once; serve.ts does the wiring.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { resolve } from 'node:path';
import { KubeletConfigError, loadKubeletConfig, type KubeletConfig } from '../kubelet/config/index.js';
import { parseCidr } from '../pki/cidr.js';
import { flagUsage, intFlag, parseFlags, UsageError, type Flags } from './flags.js';
import { defaultDataDir } from './paths.js';

export const SERVER_FLAGS: Flags = {
  'data-dir': { type: 'string', arg: 'DIR', help: 'state, certificates and kubeconfig live here', default: '/var/lib/skiff as root, else ~/.skiff' },
  port: { type: 'string', arg: 'PORT', help: 'HTTPS port of the API server', default: '6443' },
  host: { type: 'string', arg: 'ADDR', help: 'address to listen on', default: '0.0.0.0' },
  'advertise-address': { type: 'string', arg: 'IP', help: 'address the kubernetes Service endpoints point at', default: '--host, or the first non-loopback IPv4' },
  'write-kubeconfig': { type: 'string', arg: 'PATH', help: 'also write the admin kubeconfig here' },
  datastore: { type: 'string', arg: 'KIND', help: 'sqlite (DIR/db/state.db) or memory', default: 'sqlite' },
  'service-cidr': { type: 'string', arg: 'CIDR', help: 'network for Service ClusterIPs', default: '10.43.0.0/16' },
  'cluster-cidr': { type: 'string', arg: 'CIDR', help: 'network for pod IPs', default: '10.42.0.0/16' },
  'simulated-nodes': { type: 'string', help: 'register N simulated nodes (pods on them run without containers) <N>', default: '0' },
  'disable-agent': { type: 'boolean', help: 'run no local node: no kubelet, no containers (k3s\'s flag)' },
  'kubelet-port': { type: 'string', arg: 'PORT', help: 'HTTPS port of the local kubelet (logs, exec, port-forward)', default: '10250' },
  'kubelet-config': { type: 'string', arg: 'FILE', help: 'a KubeletConfiguration file (kubelet.config.k8s.io/v1beta1, YAML or JSON) for the local node' },
  'tls-san': { type: 'string', arg: 'NAME', multiple: true, help: 'another host name or IP for the serving certificate (repeatable)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const SERVER_USAGE = `Usage: skiff server [flags]

Runs a whole cluster in the foreground: the Kubernetes API server (HTTPS, client
certificates) on an embedded datastore, the controllers, and this machine as a node whose
pods run as containers through skiff's own containerd (as root on Linux; elsewhere the
control plane runs without it, saying why). Writes an admin kubeconfig once the API
answers. SIGTERM or Ctrl-C stops it; a restart on the same data dir keeps every object and
re-adopts running containers.

Flags:
${flagUsage(SERVER_FLAGS)}
`;

export interface ServerConfig {
  dataDir: string;
  port: number;
  host: string;
  advertiseAddress: string;
  writeKubeconfig?: string;
  datastore: 'sqlite' | 'memory';
  serviceCIDR: string;
  clusterCIDR: string;
  tlsSANs: string[];
  simulatedNodes: number;
  /** Run no local node (--disable-agent). */
  disableAgent: boolean;
  kubeletPort: number;
  /** The local node's KubeletConfiguration (--kubelet-config), decoded and checked. */
  kubeletConfig?: KubeletConfig;
}

/** Flags → config; throws UsageError for anything a user could have mistyped. */
export function serverConfig(argv: string[]): ServerConfig | 'help' {
  const { values: v, positionals } = parseFlags(argv, SERVER_FLAGS);
  if (v.help) return 'help';
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const str = (k: string) => v[k] as string | undefined;
  const port = intFlag('port', str('port'), 6443, 0, 65535);
  const datastore = str('datastore') ?? 'sqlite';
  if (datastore !== 'sqlite' && datastore !== 'memory') throw new UsageError(`invalid value "${datastore}" for --datastore: want sqlite or memory`);
  const cidr = (name: string, dflt: string) => {
    try { return parseCidr(str(name) ?? dflt).text; } catch (e) { throw new UsageError(`invalid value for --${name}: ${(e as Error).message}`); }
  };
  const host = str('host') ?? '0.0.0.0';
  if (!host) throw new UsageError('--host must not be empty');
  const adv = str('advertise-address');
  if (adv !== undefined && !isIP(adv)) throw new UsageError(`invalid value "${adv}" for --advertise-address: want an IP address`);
  for (const k of ['data-dir', 'write-kubeconfig']) if (str(k) === '') throw new UsageError(`--${k} must not be empty`);
  return {
    dataDir: resolve(str('data-dir') ?? defaultDataDir()),
    port, host, datastore,
    advertiseAddress: adv ?? defaultAdvertiseAddress(host),
    writeKubeconfig: str('write-kubeconfig') ? resolve(str('write-kubeconfig')!) : undefined,
    serviceCIDR: cidr('service-cidr', '10.43.0.0/16'),
    clusterCIDR: cidr('cluster-cidr', '10.42.0.0/16'),
    tlsSANs: (v['tls-san'] as string[] | undefined) ?? [],
    simulatedNodes: intFlag('simulated-nodes', str('simulated-nodes'), 0, 0, 100_000),
    disableAgent: v['disable-agent'] === true,
    kubeletPort: intFlag('kubelet-port', str('kubelet-port'), 10250, 1, 65535),
    // a broken file stops the server before anything starts, naming what is wrong
    kubeletConfig: str('kubelet-config') !== undefined ? loadKubeletConfig(resolve(str('kubelet-config')!)) : undefined,
  };
}

/**
 * A specific, non-loopback --host wins; else the host's first non-loopback IPv4 (then
 * IPv6) address, as kube-apiserver picks its default interface. Endpoints may not point
 * at loopback, so 127.0.0.1 is only the last resort of a machine with no network at all.
 */
function defaultAdvertiseAddress(host: string): string {
  if (isIP(host) && !isLoopbackOrAny(host)) return host;
  const all = Object.values(networkInterfaces()).flatMap((a) => a ?? []).filter((a) => !a.internal && !isLoopbackOrAny(a.address));
  return (all.find((a) => a.family === 'IPv4') ?? all.find((a) => a.family === 'IPv6' && !/^fe80:/i.test(a.address)))?.address ?? '127.0.0.1';
}

function isLoopbackOrAny(ip: string): boolean {
  return ip === '0.0.0.0' || ip === '::' || ip === '::1' || ip.startsWith('127.');
}

export async function runServer(argv: string[]): Promise<number> {
  let cfg: ServerConfig | 'help';
  try {
    cfg = serverConfig(argv);
  } catch (e) {
    if (e instanceof KubeletConfigError) {
      process.stderr.write(`skiff server: ${e.message}\n`);
      return 2;
    }
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`skiff server: ${e.message}\n\n${SERVER_USAGE}`);
    return 2;
  }
  if (cfg === 'help') { process.stdout.write(SERVER_USAGE); return 0; }
  return (await import('./serve.js')).serve(cfg);
}

