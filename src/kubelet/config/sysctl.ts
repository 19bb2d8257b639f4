// The kubelet's sysctl admission (upstream pkg/kubelet/sysctl): a pod may set the safe
// sysctls, and unsafe ones only where the node's allowedUnsafeSysctls lists them (exactly,
// or by a prefix pattern ending in '*'). Every allowed sysctl must be namespaced: net.* is
// refused with hostNetwork and the IPC ones with hostIPC. A refused pod fails on the node
// (reason SysctlForbidden) instead of running.

import type { Obj } from '../../api/types.js';

/** The safe sysctls of Kubernetes 1.32 and the namespace each lives in. */
export const SAFE_SYSCTLS: Record<string, 'ipc' | 'net'> = {
  'kernel.shm_rmid_forced': 'ipc',
  'net.ipv4.ip_local_port_range': 'net',
  'net.ipv4.tcp_syncookies': 'net',
  'net.ipv4.ping_group_range': 'net',
  'net.ipv4.ip_unprivileged_port_start': 'net',
  'net.ipv4.ip_local_reserved_ports': 'net',
  'net.ipv4.tcp_keepalive_time': 'net',
  'net.ipv4.tcp_fin_timeout': 'net',
  'net.ipv4.tcp_keepalive_intvl': 'net',
  'net.ipv4.tcp_keepalive_probes': 'net',
  'net.ipv4.tcp_rmem': 'net',
  'net.ipv4.tcp_wmem': 'net',
};

export const SYSCTL_FORBIDDEN_REASON = 'SysctlForbidden';

/** The namespace a sysctl (or a sysctl prefix) belongs to, if it is namespaced at all. */
export function sysctlNamespace(name: string): 'ipc' | 'net' | undefined {
  if (name === 'kernel.sem' || name.startsWith('kernel.shm') || name.startsWith('kernel.msg') || name.startsWith('fs.mqueue.')) return 'ipc';
  if (name.startsWith('net.')) return 'net';
  return undefined;
}

/** kernel/shm_rmid_forced → kernel.shm_rmid_forced (a '/'-separated name swaps '.' and '/'). */
export function normalizeSysctlName(name: string): string {
  const slash = name.indexOf('/'), dot = name.indexOf('.');
  if (slash === -1 || (dot !== -1 && dot < slash)) return name;
  return name.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}

export class SysctlAllowlist {
  private readonly exact = new Map<string, 'ipc' | 'net'>();
  private readonly prefixes = new Map<string, 'ipc' | 'net'>();

  /** Throws when a pattern names a sysctl that is not namespaced (the kubelet would not start). */
  constructor(allowedUnsafe: string[] = []) {
    for (const [k, ns] of Object.entries(SAFE_SYSCTLS)) this.exact.set(k, ns);
    for (const raw of allowedUnsafe) {
      const p = normalizeSysctlName(raw);
      const prefix = p.endsWith('*') ? p.slice(0, -1) : undefined;
      const ns = sysctlNamespace(prefix ?? p);
      if (!ns) throw new Error(`the sysctls ${JSON.stringify(p)} are not known to be namespaced`);
      if (prefix !== undefined) this.prefixes.set(prefix, ns);
      else this.exact.set(p, ns);
    }
  }

  /** Why the pod may not run here (the admission message), or undefined when it may. */
  admit(pod: Obj): { reason: string; message: string } | undefined {
    const spec: Obj = pod?.spec ?? {};
    for (const s of spec.securityContext?.sysctls ?? []) {
      const err = this.check(String(s?.name ?? ''), !!spec.hostNetwork, !!spec.hostIPC);
      if (err) return { reason: SYSCTL_FORBIDDEN_REASON, message: `forbidden sysctl: ${err}` };
    }
    return undefined;
  }

  private check(raw: string, hostNet: boolean, hostIPC: boolean): string | undefined {
    const name = normalizeSysctlName(raw);
    let ns = this.exact.get(name);
    if (!ns) for (const [p, n] of this.prefixes) if (name.startsWith(p)) { ns = n; break; }
    if (!ns) return `${JSON.stringify(name)} not allowlisted`;
    if ((ns === 'ipc' && hostIPC) || (ns === 'net' && hostNet)) return `${JSON.stringify(name)} not allowed with host ${ns} enabled`;
    return undefined;
  }
}
