// What a kubelet reports about its node, shared by the simulated agent and the real kubelet:
// the registration labels, the four kubelet-owned conditions with upstream's reasons and
// messages, and the rule for when a status report is due (kubelet's
// nodeStatusReportFrequency: report when something changed, else every few minutes).

import { nowRFC3339, type Obj } from '../../api/types.js';

export const KUBELET_VERSION = 'v1.32.0';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';
export const LABEL_OS_BETA = 'beta.kubernetes.io/os';
export const LABEL_ARCH_BETA = 'beta.kubernetes.io/arch';
export const LABEL_INSTANCE_TYPE = 'node.kubernetes.io/instance-type';

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** Go's GOARCH name for this machine (amd64, arm64, ...). */
export function goArch(arch: string = process.arch): string {
  return GO_ARCH[arch] ?? arch;
}

/** The labels a kubelet puts on the Node it registers (hostname, OS, architecture; beta twins too). */
export function registrationLabels(hostname: string, os = 'linux', arch = goArch()): Record<string, string> {
  return { [LABEL_ARCH_BETA]: arch, [LABEL_OS_BETA]: os, [LABEL_ARCH]: arch, [LABEL_HOSTNAME]: hostname, [LABEL_OS]: os };
}

/** The pressure conditions and the Ready condition, in the order the kubelet reports them. */
export const NODE_CONDITION_TYPES = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'] as const;

export interface NodeHealth {
  ready: boolean;
  /** Why the node is not ready (the Ready condition's message), e.g. a runtime or network problem. */
  notReadyMessage?: string;
  memoryPressure?: boolean;
  diskPressure?: boolean;
  pidPressure?: boolean;
}

/** The Ready=False message a kubelet gives while its container network has no pod CIDR. */
export const NETWORK_NOT_READY_MESSAGE = 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized';
export const RUNTIME_NOT_READY_MESSAGE = 'container runtime status check may not have completed yet';

function desired(type: (typeof NODE_CONDITION_TYPES)[number], h: NodeHealth): [string, string, string] {
  switch (type) {
    case 'MemoryPressure':
      return h.memoryPressure ? ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available']
        : ['False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'];
    case 'DiskPressure':
      return h.diskPressure ? ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure']
        : ['False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'];
    case 'PIDPressure':
      return h.pidPressure ? ['True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available']
        : ['False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'];
    case 'Ready':
      return h.ready ? ['True', 'KubeletReady', 'kubelet is posting ready status']
        : ['False', 'KubeletNotReady', h.notReadyMessage ?? RUNTIME_NOT_READY_MESSAGE];
  }
}

/**
 * The kubelet's four conditions for `health`, heartbeating at `now`. A condition whose status
 * is unchanged from `prev` keeps its lastTransitionTime (the node controller's Unknown counts
 * as a change, so recovering from it moves the transition time as upstream does).
 */
export function nodeConditions(prev: Obj[] | undefined, health: NodeHealth, now: Date): Obj[] {
  const ts = nowRFC3339(now);
  return NODE_CONDITION_TYPES.map((type) => {
    const [status, reason, message] = desired(type, health);
    const old = (prev ?? []).find((c) => c?.type === type);
    const lastTransitionTime = old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : ts;
    return { type, status, lastHeartbeatTime: ts, lastTransitionTime, reason, message };
  });
}

/** True when the kubelet-owned conditions differ from `current` in anything but heartbeat times. */
export function conditionsChanged(current: Obj[] | undefined, next: Obj[]): boolean {
  for (const c of next) {
    const old = (current ?? []).find((o) => o?.type === c.type);
    if (!old || old.status !== c.status || old.reason !== c.reason || old.message !== c.message) return true;
  }
  return false;
}

/** Defaults for status.nodeInfo; ids derive from `seed` so a node's identity is stable. */
export function nodeInfo(seed: string, o: Partial<Record<string, string>> = {}): Obj {
  const hex = fnvHex(seed, 32);
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  return {
    machineID: o.machineID ?? hex,
    systemUUID: o.systemUUID ?? uuid,
    bootID: o.bootID ?? fnvHex(`${seed}/boot`, 32).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5'),
    kernelVersion: o.kernelVersion ?? '',
    osImage: o.osImage ?? '',
    containerRuntimeVersion: o.containerRuntimeVersion ?? '',
    kubeletVersion: o.kubeletVersion ?? KUBELET_VERSION,
    // Deprecated and no longer set by 1.32 kubelets (DisableNodeKubeProxyVersion): keep it empty.
    kubeProxyVersion: o.kubeProxyVersion ?? '',
    operatingSystem: o.operatingSystem ?? 'linux',
    architecture: o.architecture ?? goArch(),
  };
}

/** Hex digits of a chain of 32-bit FNV-1a hashes of `s` (ids, not security). */
export function fnvHex(s: string, digits: number): string {
  let out = '';
  for (let round = 0; out.length < digits; round++) {
    let h = 0x811c9dc5 ^ round;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, digits);
}

/** The Node's primary address of a type (InternalIP, Hostname, ...). */
export function nodeAddress(node: Obj, type: string): string | undefined {
  return (node?.status?.addresses ?? []).find((a: Obj) => a?.type === type)?.address;
}

/** Every InternalIP of the node, primary first (a pod's hostIPs). */
export function nodeInternalIPs(node: Obj): string[] {
  return (node?.status?.addresses ?? []).filter((a: Obj) => a?.type === 'InternalIP').map((a: Obj) => String(a.address));
}

/** spec.podCIDRs, falling back to the single-stack spec.podCIDR. */
export function nodePodCIDRs(node: Obj): string[] {
  const list: unknown = node?.spec?.podCIDRs;
  if (Array.isArray(list) && list.length) return list.map(String);
  return node?.spec?.podCIDR ? [String(node.spec.podCIDR)] : [];
}
