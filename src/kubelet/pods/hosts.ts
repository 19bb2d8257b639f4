// The /etc/hosts the kubelet writes for each pod and mounts into its containers
// (managedHostsFileContent): localhost entries, the pod's own IPs with its hostname (and FQDN
// when it has a subdomain), then spec.hostAliases. Host-network pods get the node's own
// file under a different header.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Obj } from '../../api/types.js';

export const ETC_HOSTS_PATH = '/etc/hosts';

function aliases(pod: Obj): string {
  const list: Obj[] = pod.spec?.hostAliases ?? [];
  if (!list.length) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of list) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

export function managedHostsContent(pod: Obj, podIPs: string[], hostname: string, domain: string): string {
  let out = '# Kubernetes-managed hosts file.\n'
    + '127.0.0.1\tlocalhost\n'
    + '::1\tlocalhost ip6-localhost ip6-loopback\n'
    + 'fe00::0\tip6-localnet\n'
    + 'fe00::0\tip6-mcastprefix\n'
    + 'fe00::1\tip6-allnodes\n'
    + 'fe00::2\tip6-allrouters\n';
  for (const ip of podIPs) out += domain ? `${ip}\t${hostname}.${domain}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  return out + aliases(pod);
}

export function hostNetworkHostsContent(pod: Obj, nodeHosts: string): string {
  return `# Kubernetes-managed hosts file (host network).\n${nodeHosts}${nodeHosts.endsWith('\n') || !nodeHosts ? '' : '\n'}${aliases(pod)}`;
}

/** Writes the pod's hosts file atomically (containers bind-mount the path, so it is rewritten in place only before they start). */
export function writeHostsFile(path: string, pod: Obj, podIPs: string[], hostname: string, domain: string): void {
  let text: string;
  if (pod.spec?.hostNetwork) {
    let node = '';
    try { node = readFileSync(ETC_HOSTS_PATH, 'utf8'); } catch { /* none */ }
    text = hostNetworkHostsContent(pod, node);
  } else {
    text = managedHostsContent(pod, podIPs, hostname, domain);
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o644 });
  renameSync(tmp, path);
}

/** Whether a container gets the managed /etc/hosts (not when it mounts something there itself). */
export function mountsEtcHosts(pod: Obj, container: Obj, podIPs: string[]): boolean {
  if (!podIPs.length && !pod.spec?.hostNetwork) return false;
  return !(container.volumeMounts ?? []).some((m: Obj) => m.mountPath === ETC_HOSTS_PATH);
}
