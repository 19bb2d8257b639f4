// A container as the kubelet asks CRI for it (generateContainerConfig): name and attempt
// (= restart count), the image the node resolved, the expanded command and environment, the
// mounts, labels and annotations (labels.ts), the log file NAME/RESTARTCOUNT.log below the
// sandbox's log directory, and the Linux part: resources (resources.ts) and the effective
// security context (container settings over the pod's).

import type { Obj } from '../../api/types.js';
import type { ContainerConfig, LinuxContainerResources, LinuxContainerSecurityContext, Mount, NamespaceOption, ProfileType, SecurityProfile } from '../cri/types.js';
import { containerAnnotations, containerLabels, type ContainerType } from './labels.js';
import { namespaceOptions } from './sandbox.js';

/** What the runtime hides from containers' /proc and /sys unless procMount is Unmasked (securitycontext defaults). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats',
  '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** buildContainerLogsPath: relative to the sandbox's log directory. */
export function containerLogPath(name: string, restartCount: number): string {
  return `${name}/${restartCount}.log`;
}

const PROFILE: Record<string, ProfileType> = { RuntimeDefault: 'RuntimeDefault', Unconfined: 'Unconfined', Localhost: 'Localhost' };

function profile(p: Obj | undefined, dflt: ProfileType | undefined): SecurityProfile | null {
  if (p?.type && PROFILE[p.type]) return { profileType: PROFILE[p.type], ...(p.localhostProfile ? { localhostRef: p.localhostProfile } : {}) };
  return dflt ? { profileType: dflt } : null;
}

const has = (v: unknown): boolean => v !== undefined && v !== null;

/**
 * The container's effective security context for the runtime (container fields win over the
 * pod's). `targetId`: an ephemeral container's target (--target) whose PID namespace it
 * joins, unless the pod already shares one (host PID, shareProcessNamespace).
 */
export function containerSecurityContext(pod: Obj, container: Obj, targetId?: string): LinuxContainerSecurityContext {
  const psc: Obj = pod.spec?.securityContext ?? {};
  const csc: Obj = container.securityContext ?? {};
  const runAsUser = has(csc.runAsUser) ? csc.runAsUser : psc.runAsUser;
  const runAsGroup = has(csc.runAsGroup) ? csc.runAsGroup : psc.runAsGroup;
  const groups: number[] = [];
  if (has(psc.fsGroup)) groups.push(Number(psc.fsGroup));
  for (const g of psc.supplementalGroups ?? []) groups.push(Number(g));
  const privileged = csc.privileged === true;
  const unmasked = csc.procMount === 'Unmasked';
  const out: LinuxContainerSecurityContext = {
    privileged,
    namespaceOptions: targetNamespaces(namespaceOptions(pod), targetId),
    readonlyRootfs: csc.readOnlyRootFilesystem === true,
    supplementalGroups: groups,
    noNewPrivs: csc.allowPrivilegeEscalation === false,
    maskedPaths: privileged || unmasked ? [] : DEFAULT_MASKED_PATHS,
    readonlyPaths: privileged || unmasked ? [] : DEFAULT_READONLY_PATHS,
    // kubelet's seccompDefault is off: no profile named means Unconfined.
    seccomp: profile(csc.seccompProfile ?? psc.seccompProfile, 'Unconfined'),
  };
  const apparmor = profile(csc.appArmorProfile ?? psc.appArmorProfile, undefined);
  if (apparmor) out.apparmor = apparmor;
  if (has(runAsUser)) out.runAsUser = { value: runAsUser };
  if (has(runAsGroup)) out.runAsGroup = { value: runAsGroup };
  if (csc.capabilities) out.capabilities = { addCapabilities: [...(csc.capabilities.add ?? [])], dropCapabilities: [...(csc.capabilities.drop ?? [])] };
  const selinux = csc.seLinuxOptions ?? psc.seLinuxOptions;
  if (selinux) out.selinuxOptions = selinux;
  return out;
}

function targetNamespaces(ns: NamespaceOption, targetId: string | undefined): NamespaceOption {
  return targetId && ns.pid === 'CONTAINER' ? { ...ns, pid: 'TARGET', targetId } : ns;
}

export interface ContainerConfigInput {
  pod: Obj;
  container: Obj;
  type: ContainerType;
  restartCount: number;
  /** The CRI id of an ephemeral container's target container. */
  targetId?: string;
  /** The image id the node resolved (ImageStatus/PullImage). */
  imageRef: string;
  env: { name: string; value: string }[];
  command: string[];
  args: string[];
  mounts: Mount[];
  resources: LinuxContainerResources;
}

export function containerConfig(i: ContainerConfigInput): ContainerConfig {
  const c = i.container;
  const cfg: ContainerConfig = {
    metadata: { name: c.name, attempt: i.restartCount },
    image: { image: i.imageRef, userSpecifiedImage: c.image },
    command: i.command,
    args: i.args,
    workingDir: c.workingDir ?? '',
    envs: i.env.map((e) => ({ key: e.name, value: e.value })),
    mounts: i.mounts,
    labels: containerLabels(i.pod, c),
    annotations: containerAnnotations(i.pod, c, i.restartCount, i.type),
    logPath: containerLogPath(c.name, i.restartCount),
    stdin: !!c.stdin,
    stdinOnce: !!c.stdinOnce,
    tty: !!c.tty,
    linux: { resources: i.resources, securityContext: containerSecurityContext(i.pod, c, i.targetId) },
  };
  return cfg;
}
