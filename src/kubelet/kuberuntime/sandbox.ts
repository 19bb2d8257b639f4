// A pod's sandbox as the kubelet asks CRI for it (generatePodSandboxConfig): identity and
// attempt, hostname (pod name, or spec.hostname), the log directory, DNS, host port
// mappings, the pod's labels and annotations, and the Linux part — cgroup parent per QoS
// class, namespaces (host network/PID/IPC, a shared PID namespace), user and groups, sysctls.

import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import type { DNSConfig, NamespaceOption, PodSandboxConfig, PortMapping, Protocol } from '../cri/types.js';
import { sandboxAnnotations, sandboxLabels } from './labels.js';
import { podCgroupParent } from './resources.js';

/** DATA_DIR/logs/pods/<ns>_<name>_<uid> (upstream /var/log/pods/...). */
export function podLogDirectory(logsRoot: string, pod: Obj): string {
  return join(logsRoot, `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`);
}

/** The pod's hostname and, with a subdomain, its domain (GeneratePodHostNameAndDomain). */
export function podHostnameAndDomain(pod: Obj, clusterDomain: string): { hostname: string; domain: string } {
  let hostname: string = pod.spec?.hostname || pod.metadata.name;
  // A name longer than a hostname may be is truncated, without a trailing '-' or '.'.
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  const sub = pod.spec?.subdomain;
  const domain = sub ? `${sub}.${pod.metadata.namespace}.svc.${clusterDomain}` : '';
  return { hostname, domain };
}

/** The kernel hostname: the FQDN with setHostnameAsFQDN (at most 64 characters). */
export function kernelHostname(pod: Obj, clusterDomain: string): string {
  const { hostname, domain } = podHostnameAndDomain(pod, clusterDomain);
  if (pod.spec?.setHostnameAsFQDN && domain) return `${hostname}.${domain}`.slice(0, 64);
  return hostname;
}

export function namespaceOptions(pod: Obj): NamespaceOption {
  const spec = pod.spec ?? {};
  return {
    network: spec.hostNetwork ? 'NODE' : 'POD',
    pid: spec.hostPID ? 'NODE' : spec.shareProcessNamespace ? 'POD' : 'CONTAINER',
    ipc: spec.hostIPC ? 'NODE' : 'POD',
  };
}

const PROTOCOLS: Record<string, Protocol> = { TCP: 'TCP', UDP: 'UDP', SCTP: 'SCTP' };

export function portMappings(pod: Obj): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: PROTOCOLS[p.protocol ?? 'TCP'] ?? 'TCP', containerPort: p.containerPort, hostPort: p.hostPort, hostIp: p.hostIP ?? '' });
    }
  }
  return out;
}

// ephemeral containers count too (HasPrivilegedContainer), though only a sandbox made after they were added has it
const privileged = (pod: Obj): boolean => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])]
  .some((c: Obj) => c?.securityContext?.privileged === true);

export interface SandboxConfigOptions {
  attempt: number;
  logsRoot: string;
  clusterDomain: string;
  dns: DNSConfig;
  cgroupRoot?: string;
}

export function sandboxConfig(pod: Obj, o: SandboxConfigOptions): PodSandboxConfig {
  const sc: Obj = pod.spec?.securityContext ?? {};
  const groups: number[] = [];
  if (sc.fsGroup !== undefined && sc.fsGroup !== null) groups.push(Number(sc.fsGroup));
  for (const g of sc.supplementalGroups ?? []) groups.push(Number(g));
  const sysctls: Record<string, string> = {};
  for (const s of sc.sysctls ?? []) sysctls[s.name] = String(s.value);
  const cfg: PodSandboxConfig = {
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid, attempt: o.attempt },
    logDirectory: podLogDirectory(o.logsRoot, pod),
    dnsConfig: o.dns,
    portMappings: portMappings(pod),
    labels: sandboxLabels(pod),
    annotations: sandboxAnnotations(pod),
    linux: {
      cgroupParent: podCgroupParent(pod, o.cgroupRoot),
      sysctls,
      securityContext: {
        namespaceOptions: namespaceOptions(pod),
        privileged: privileged(pod),
        // The pause process is least privileged whatever the containers ask for.
        seccomp: { profileType: 'RuntimeDefault' },
        supplementalGroups: groups,
        ...(sc.runAsUser !== undefined && sc.runAsUser !== null ? { runAsUser: { value: sc.runAsUser } } : {}),
        ...(sc.runAsGroup !== undefined && sc.runAsGroup !== null ? { runAsGroup: { value: sc.runAsGroup } } : {}),
        ...(sc.seLinuxOptions ? { selinuxOptions: sc.seLinuxOptions } : {}),
      },
    },
  };
  if (!pod.spec?.hostNetwork) cfg.hostname = kernelHostname(pod, o.clusterDomain);
  return cfg;
}
