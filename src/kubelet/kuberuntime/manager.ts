// The kubelet's runtime manager (upstream kubeGenericRuntimeManager): carries out a pod's
// plan through CRI — sandboxes, container starts with crash-loop back-off and image pulls,
// kills with preStop hooks and grace periods, removal of what a gone pod left behind, and
// the per-pod garbage collection of old container instances. Every step records the event
// the kubelet records; failures come back as a waiting reason and message for the status.

import { chmodSync, closeSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { realClock, type Clock } from '../../client/clock.js';
import { errMsg, silentLogger, type Logger } from '../../client/log.js';
import { CriError, isNotFound } from '../cri/client.js';
import type { Mount, PodSandboxConfig } from '../cri/types.js';
import { ETC_HOSTS_PATH, mountsEtcHosts, writeHostsFile } from '../pods/hosts.js';
import { Backoff } from './backoff.js';
import { containerFieldPath } from '../events/fieldpath.js';
import { removePodCgroups, type PodCgroups } from './cgroups.js';
import { toCriMount } from '../volumes/index.js';
import { containerConfig } from './container.js';
import type { CriRuntime } from './cri.js';
import { errorReason, type EnvProvider, type PodRuntimeInfo, type ProbeProvider, type VolumeProvider } from './deps.js';
import { podDnsConfig, type HostResolv } from './dns.js';
import { runHandler } from './hooks.js';
import { goDuration } from '../../api/duration.js';
import { grpcErrorText, ImagePuller } from './images.js';
import { containerHash, type ContainerType } from './labels.js';
import { containerResources } from './resources.js';
import { podHostnameAndDomain, podLogDirectory, sandboxConfig } from './sandbox.js';
import { latestContainer, newestFirst, RuntimeStatusReader, type RuntimeContainer, type RuntimePodStatus } from './status.js';
import { imageUser, verifyRunAsNonRoot } from './nonroot.js';
import { podPullKeyring, type SecretGetter } from '../credentialprovider/pod.js';

export const MIN_GRACE_SECONDS = 2;
export const DEFAULT_GRACE_SECONDS = 30;

/** `fieldPath` names the container an event is about ("spec.containers{name}"), as the kubelet's. */
export type EventSink = (pod: Obj, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string) => void;


export interface RuntimeManagerOptions {
  cri: CriRuntime;
  dataDir: string;
  env: EnvProvider;
  volumes: VolumeProvider;
  probes: ProbeProvider;
  event: EventSink;
  clusterDomain: string;
  clusterDNS: string[];
  hostResolv: HostResolv;
  memoryCapacity: number;
  limitSwap: boolean;
  cgroupRoot?: string;
  /** The pod-level cgroups (created with the pod's limits before its sandbox); none: runc makes them implicitly. */
  podCgroups?: PodCgroups;
  /** Reads a pod's image pull secrets (spec.imagePullSecrets); none: every pull is anonymous. */
  getSecret?: SecretGetter;
  clock?: Clock;
  log?: Logger;
}

export interface SandboxInfo { id: string; config: PodSandboxConfig; ips: string[] }

export type StartResult =
  | { ok: true; id: string }
  | { ok: false; reason: string; message: string; retryAt?: number };

/** Pod "name_namespace(uid)" as format.Pod prints it. */
export const podFullName = (pod: Obj): string => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

const criMessage = (e: unknown): string => (e instanceof CriError ? e.details : (e as Error)?.message ?? String(e));

export class RuntimeManager {
  readonly cri: CriRuntime;
  readonly images: ImagePuller;
  readonly reader: RuntimeStatusReader;
  readonly backoff: Backoff;
  readonly podsDir: string;
  readonly logsRoot: string;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(readonly o: RuntimeManagerOptions) {
    this.cri = o.cri;
    this.clock = o.clock ?? realClock;
    this.log = o.log ?? silentLogger;
    this.images = new ImagePuller(o.cri, this.clock);
    this.reader = new RuntimeStatusReader(o.cri);
    this.backoff = new Backoff(this.clock);
    this.podsDir = join(o.dataDir, 'kubelet', 'pods');
    this.logsRoot = join(o.dataDir, 'logs', 'pods');
  }

  podDir(uid: string): string {
    return join(this.podsDir, uid);
  }

  podStatus(uid: string, signal?: AbortSignal): Promise<RuntimePodStatus> {
    return this.reader.podStatus(uid, signal);
  }

  /** The sandbox config for a pod (also what image pulls and container creation are given). */
  sandboxConfig(pod: Obj, attempt: number): PodSandboxConfig {
    const dns = podDnsConfig(pod, { clusterDNS: this.o.clusterDNS, clusterDomain: this.o.clusterDomain, host: this.o.hostResolv });
    return sandboxConfig(pod, { attempt, logsRoot: this.logsRoot, clusterDomain: this.o.clusterDomain, dns: dns.config, cgroupRoot: this.o.podCgroups?.cgroupRoot ?? this.o.cgroupRoot });
  }

  /**
   * The pod's cgroup with its limits, made before anything of the pod runs (the pod
   * container manager's EnsureExists); undefined when it exists, else why it could not be made.
   */
  ensurePodCgroup(pod: Obj): string | undefined {
    try {
      if (this.o.podCgroups?.ensurePod(pod)) this.log.info(`pod ${podFullName(pod)}: cgroup ${this.o.podCgroups.podPath(pod)} created`);
      return undefined;
    } catch (e) {
      const message = `unable to ensure pod container exists: ${errMsg(e)}`;
      this.o.event(pod, 'Warning', 'FailedToCreatePodContainer', message);
      return message;
    }
  }

  async createSandbox(pod: Obj, attempt: number, signal?: AbortSignal): Promise<{ ok: true; sandbox: SandboxInfo } | { ok: false; message: string }> {
    const dns = podDnsConfig(pod, { clusterDNS: this.o.clusterDNS, clusterDomain: this.o.clusterDomain, host: this.o.hostResolv });
    if (dns.warning) this.o.event(pod, 'Warning', 'MissingClusterDNS', dns.warning);
    // the sync made it already, but a re-created sandbox may follow the removal of the old one's
    const cgroupError = this.ensurePodCgroup(pod);
    if (cgroupError) return { ok: false, message: cgroupError };
    const config = this.sandboxConfig(pod, attempt);
    mkdirSync(config.logDirectory!, { recursive: true, mode: 0o755 });
    mkdirSync(this.podDir(pod.metadata.uid), { recursive: true, mode: 0o750 });
    let id: string;
    try {
      id = (await this.cri.runPodSandbox({ config }, { signal })).podSandboxId;
    } catch (e) {
      if (signal?.aborted) throw e;
      const message = `Failed to create pod sandbox: ${grpcErrorText(e)}`;
      this.o.event(pod, 'Warning', 'FailedCreatePodSandBox', message);
      return { ok: false, message };
    }
    const st = (await this.cri.podSandboxStatus({ podSandboxId: id }, { signal })).status;
    const ips = st?.network?.ip ? [st.network.ip, ...(st.network.additionalIps ?? []).map((x) => x.ip)] : [];
    this.writeHosts(pod, ips);
    return { ok: true, sandbox: { id, config, ips } };
  }

  /** (Re)writes the pod's managed /etc/hosts for its IPs. */
  writeHosts(pod: Obj, ips: string[]): void {
    const { hostname, domain } = podHostnameAndDomain(pod, this.o.clusterDomain);
    writeHostsFile(join(this.podDir(pod.metadata.uid), 'etc-hosts'), pod, ips, hostname, domain);
  }

  backoffKey(pod: Obj, c: Obj): string {
    return `${pod.metadata.uid}_${c.name}_${containerHash(c)}`;
  }

  /** When the crash-loop back-off of a container that exited at `finishedAt` ends (ms). */
  backoffEndsAt(pod: Obj, c: Obj, finishedAt: number): number | undefined {
    return this.backoff.endsAt(this.backoffKey(pod, c), finishedAt);
  }

  /** Starts a container (startContainer): back-off, image, config, create, start, postStart. */
  async startContainer(pod: Obj, c: Obj, type: ContainerType, rs: RuntimePodStatus, sb: SandboxInfo, info: PodRuntimeInfo, signal?: AbortSignal): Promise<StartResult> {
    const uid: string = pod.metadata.uid;
    const fieldPath = containerFieldPath(pod, c.name);
    const ev = (t: 'Normal' | 'Warning', r: string, m: string) => this.o.event(pod, t, r, m, fieldPath);
    const prev = latestContainer(rs, c.name);
    if (prev && prev.state === 'exited') {
      const key = this.backoffKey(pod, c);
      const ts = prev.finishedAt ?? this.clock.now();
      if (this.backoff.isInBackOffSince(key, ts)) {
        ev('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podFullName(pod)}`);
        return {
          ok: false, reason: 'CrashLoopBackOff',
          message: `back-off ${goDuration(this.backoff.get(key))} restarting failed container=${c.name} pod=${podFullName(pod)}`,
          retryAt: this.backoff.endsAt(key, ts),
        };
      }
      this.backoff.next(key, ts);
    }

    const getSecret = this.o.getSecret;
    const keyring = getSecret && pod.spec?.imagePullSecrets?.length
      ? () => podPullKeyring(pod, getSecret, (t, r, m) => this.o.event(pod, t, r, m))
      : undefined;
    const img = await this.images.ensure(uid, c.image, c.imagePullPolicy, sb.config, ev, signal, keyring);
    if (!img.ok) {
      ev('Warning', 'Failed', `Error: ${img.reason}`);
      return { ok: false, reason: img.reason, message: img.message, retryAt: this.images.backoffEndsAt(uid, c.image) };
    }

    const restartCount = prev ? prev.info.restartCount + 1 : this.restartCountFromLogs(sb.config.logDirectory!, c.name);
    let env: { name: string; value: string }[];
    let cmd: { command: string[]; args: string[] };
    let mounts: Mount[];
    try {
      env = await this.o.env.makeEnvironment(pod, c, info, ev);
      cmd = this.o.env.expandCommand(c, env);
      mounts = this.mounts(pod, c, restartCount, sb.ips, env);
      const nonRoot = verifyRunAsNonRoot(pod, c, imageUser((await this.cri.imageStatus({ image: { image: img.imageRef } }, { signal })).image));
      if (nonRoot) throw new Error(nonRoot);
    } catch (e) {
      const message = (e as Error)?.message ?? String(e);
      ev('Warning', 'Failed', `Error: ${message}`);
      return { ok: false, reason: errorReason(e) ?? 'CreateContainerConfigError', message };
    }
    mkdirSync(join(sb.config.logDirectory!, c.name), { recursive: true, mode: 0o755 });
    // an ephemeral container with a target joins the target's PID namespace (getTargetID)
    const targetId = type === 'ephemeral' && c.targetContainerName ? latestContainer(rs, c.targetContainerName)?.id : undefined;
    const config = containerConfig({
      pod, container: c, type, restartCount, targetId, imageRef: img.imageRef, env: env, command: cmd.command, args: cmd.args, mounts,
      resources: containerResources(pod, c, { memoryCapacity: this.o.memoryCapacity, limitSwap: this.o.limitSwap }),
    });
    let id: string;
    try {
      id = (await this.cri.createContainer({ podSandboxId: sb.id, config, sandboxConfig: sb.config }, { signal })).containerId;
    } catch (e) {
      if (signal?.aborted) throw e;
      ev('Warning', 'Failed', `Error: ${criMessage(e)}`);
      return { ok: false, reason: 'CreateContainerError', message: criMessage(e) };
    }
    ev('Normal', 'Created', `Created container: ${c.name}`);
    try {
      await this.cri.startContainer({ containerId: id }, { signal });
    } catch (e) {
      if (signal?.aborted) throw e;
      ev('Warning', 'Failed', `Error: ${criMessage(e)}`);
      return { ok: false, reason: 'RunContainerError', message: criMessage(e) };
    }
    ev('Normal', 'Started', `Started container ${c.name}`);

    if (c.lifecycle?.postStart) {
      const failure = await runHandler(c.lifecycle.postStart, { cri: this.cri, pod, container: c, containerId: id, podIP: sb.ips[0], timeoutSeconds: DEFAULT_GRACE_SECONDS, signal });
      if (failure !== undefined) {
        this.log.warn(`pod ${podFullName(pod)}: postStart hook of ${c.name} failed: ${failure}`);
        // the hook's output stays out of events (it may hold secrets)
        ev('Warning', 'FailedPostStartHook', 'PostStartHook failed');
        const rc = { id, name: c.name, state: 'running' } as RuntimeContainer;
        await this.killContainer(pod, rc, 'FailedPostStartHook', undefined, signal);
        return { ok: false, reason: 'PostStartHookError', message: failure };
      }
    }
    return { ok: true, id };
  }

  /** calcRestartCountByLogDir: after the runtime lost a container's records, logs keep the count going. */
  private restartCountFromLogs(logDir: string, name: string): number {
    let max = 0;
    try {
      for (const f of readdirSync(join(logDir, name))) {
        const m = /^(\d+)\.log/.exec(f);
        if (m) max = Math.max(max, Number(m[1]) + 1);
      }
    } catch { /* no logs yet */ }
    return max;
  }

  private mounts(pod: Obj, c: Obj, restartCount: number, ips: string[], env: { name: string; value: string }[]): Mount[] {
    const out = this.o.volumes.mountsFor(pod, c, env).map(toCriMount);
    const podDir = this.podDir(pod.metadata.uid);
    if (mountsEtcHosts(pod, c, ips)) out.push({ containerPath: ETC_HOSTS_PATH, hostPath: join(podDir, 'etc-hosts'), readonly: false });
    const tmp = c.terminationMessagePath ?? '/dev/termination-log';
    if (tmp) {
      const dir = join(podDir, 'containers', c.name);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, String(restartCount));
      closeSync(openSync(file, 'w'));
      chmodSync(file, 0o666);
      out.push({ containerPath: tmp, hostPath: file, readonly: false });
    }
    return out;
  }

  /** The grace period a kill gets before preStop (setTerminationGracePeriod). */
  gracePeriod(pod: Obj | undefined, c: Obj | undefined, rc: RuntimeContainer, reason?: string): number {
    if (!pod) return rc.info?.gracePeriod ?? MIN_GRACE_SECONDS;
    let g = MIN_GRACE_SECONDS;
    if (pod.metadata?.deletionGracePeriodSeconds !== undefined && pod.metadata.deletionGracePeriodSeconds !== null) g = Number(pod.metadata.deletionGracePeriodSeconds);
    else if (pod.spec?.terminationGracePeriodSeconds !== undefined && pod.spec.terminationGracePeriodSeconds !== null) g = Number(pod.spec.terminationGracePeriodSeconds);
    const probe = reason === 'liveness' ? c?.livenessProbe : reason === 'startup' ? c?.startupProbe : undefined;
    if (probe?.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null) g = Number(probe.terminationGracePeriodSeconds);
    return g;
  }

  /** killContainer: Killing event, preStop within the grace period, then StopContainer with what is left (at least 2 s). */
  async killContainer(pod: Obj | undefined, rc: RuntimeContainer, message: string | undefined, graceOverride: number | undefined, signal?: AbortSignal, reason?: string): Promise<void> {
    const spec: Obj | undefined = pod ? [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((x: Obj) => x.name === rc.name) : undefined;
    let grace = graceOverride ?? this.gracePeriod(pod, spec, rc, reason);
    if (pod) this.o.event(pod, 'Normal', 'Killing', message || `Stopping container ${rc.name}`, containerFieldPath(pod, rc.name));
    const preStop = spec ? spec.lifecycle?.preStop : rc.info?.preStop;
    if (preStop && grace > 0) {
      const t0 = this.clock.now();
      const ctx = { cri: this.cri, pod: pod ?? { metadata: { name: rc.info.podName, namespace: rc.info.podNamespace, uid: rc.info.podUID } }, container: spec ?? { name: rc.name }, containerId: rc.id, timeoutSeconds: grace, signal };
      let timer: NodeJS.Timeout | undefined;
      const failure = await Promise.race([
        runHandler(preStop, ctx),
        new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), grace * 1000); }),
      ]).finally(() => clearTimeout(timer));
      if (failure !== undefined && pod) this.o.event(pod, 'Warning', 'FailedPreStopHook', 'PreStopHook failed', containerFieldPath(pod, rc.name));
      grace -= Math.floor((this.clock.now() - t0) / 1000);
    }
    if (grace < MIN_GRACE_SECONDS) grace = MIN_GRACE_SECONDS;
    if (pod) this.o.probes.removeContainer(pod.metadata.uid, rc.name);
    try {
      await this.cri.stopContainer({ containerId: rc.id, timeout: grace }, { signal });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Stops every running container (in parallel) and then the pod's ready sandboxes. */
  async killPod(pod: Obj | undefined, rs: RuntimePodStatus, graceOverride?: number, signal?: AbortSignal): Promise<void> {
    const running = rs.containers.filter((c) => c.state === 'running' || c.state === 'unknown');
    const results = await Promise.allSettled(running.map((c) => this.killContainer(pod, c, undefined, graceOverride, signal)));
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) throw failed.reason;
    for (const sb of rs.sandboxes) {
      if (!sb.ready) continue;
      try {
        await this.cri.stopPodSandbox({ podSandboxId: sb.id }, { signal });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** Removes every container and sandbox of a pod, then its cgroups (nothing is left behind). */
  async removePod(rs: RuntimePodStatus, signal?: AbortSignal): Promise<void> {
    for (const c of rs.containers) {
      try { await this.cri.removeContainer({ containerId: c.id }, { signal }); } catch (e) { if (!isNotFound(e)) throw e; }
    }
    this.reader.forget(rs.containers.map((c) => c.id));
    for (const sb of rs.sandboxes) {
      try {
        await this.cri.stopPodSandbox({ podSandboxId: sb.id }, { signal });
        await this.cri.removePodSandbox({ podSandboxId: sb.id }, { signal });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (this.o.podCgroups) this.o.podCgroups.removePod(rs.uid);
    else removePodCgroups(rs.uid, this.o.cgroupRoot);
  }

  /**
   * Per-pod garbage collection: of each container only the newest instance and the one
   * before it (lastState, `logs --previous`) are kept; older exited ones go, and so do
   * stopped sandboxes no kept container belongs to (except the newest sandbox).
   */
  async gcPod(rs: RuntimePodStatus, signal?: AbortSignal): Promise<boolean> {
    const byName = new Map<string, RuntimeContainer[]>();
    for (const c of rs.containers) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
    const removed: string[] = [];
    for (const list of byName.values()) {
      for (const c of list.sort(newestFirst).slice(2)) {
        if (c.state !== 'exited') continue;
        try { await this.cri.removeContainer({ containerId: c.id }, { signal }); removed.push(c.id); } catch (e) { if (!isNotFound(e)) throw e; }
      }
    }
    this.reader.forget(removed);
    const used = new Set(rs.containers.filter((c) => !removed.includes(c.id)).map((c) => c.sandboxId));
    for (const sb of rs.sandboxes.slice(1)) {
      if (sb.ready || used.has(sb.id)) continue;
      try { await this.cri.removePodSandbox({ podSandboxId: sb.id }, { signal }); removed.push(sb.id); } catch (e) { if (!isNotFound(e)) throw e; }
    }
    return removed.length > 0;
  }

  /** The log directory of a pod (for the locator and clean-up). */
  logDirectory(pod: Obj): string {
    return podLogDirectory(this.logsRoot, pod);
  }
}
