// One pod's sync, the kubelet's pod worker in three parts (upstream SyncPod,
// SyncTerminatingPod, SyncTerminatedPod):
//  - running: set up volumes, carry out the plan (actions.ts) through the runtime manager,
//    then report the status the runtime now shows; a pod that finished stops its sandbox;
//  - terminating (deletionTimestamp): stop containers within the grace period (preStop
//    first), report the terminal status, confirm the deletion with gracePeriodSeconds=0
//    and the pod's uid as precondition, then remove containers and sandbox;
//  - gone from the API: whatever the runtime still has of it is stopped and removed.
// Status is written as a merge patch of pods/status, only when it changed.

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { realClock, type Clock } from '../../client/clock.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, silentLogger, type Logger } from '../../client/log.js';
import { isTerminalPhase } from '../node/podstatus.js';
import { computePodActions } from '../kuberuntime/actions.js';
import { errorReason, type PodRuntimeInfo, type ProbeProvider, type VolumeProvider } from '../kuberuntime/deps.js';
import { DEFAULT_GRACE_SECONDS, type RuntimeManager, type SandboxInfo } from '../kuberuntime/manager.js';
import type { ContainerType } from '../kuberuntime/labels.js';
import { podQOSClass } from '../kuberuntime/resources.js';
import type { RuntimePodStatus } from '../kuberuntime/status.js';
import { generatePodStatus, type WaitingReason } from './apistatus.js';
import { mergePatchDiff } from './statuspatch.js';

export const PODS: ResourceRef = findResource('', 'v1', 'pods')!;
/** Periodic resync of a running pod (upstream syncFrequency is 1 min; volumes refresh on it). */
export const RESYNC_MS = 30_000;
/** Retry of a sandbox or volume failure. */
export const RETRY_MS = 5_000;
/** Requeue after a container failed to start (upstream's pod worker backOffPeriod). */
export const ERROR_REQUEUE_MS = 10_000;

export interface PodSyncerOptions {
  client: KubeClient;
  runtime: RuntimeManager;
  probes: ProbeProvider;
  volumes: VolumeProvider;
  event: (pod: Obj, type: 'Normal' | 'Warning', reason: string, message: string) => void;
  nodeName: string;
  hostIPs: () => string[];
  allocatable: () => Record<string, string>;
  /** Called with what each sync learned, and when a pod is forgotten. */
  onRecord?: (rec: PodRecord) => void;
  onForget?: (uid: string) => void;
  /** The node's admission of a new pod (sysctls, ...): why it may not run here, if it may not. */
  admit?: (pod: Obj) => { reason: string; message: string } | undefined;
  /** Static pods' status goes to their mirror pod (null: no mirror yet); undefined for API pods. */
  mirrorOf?: (pod: Obj) => Obj | null | undefined;
  clock?: Clock;
  log?: Logger;
}

export interface SyncOutcome { requeueAfterMs?: number }

/** When the pod's activeDeadlineSeconds runs out (ms), counted from its start time. */
export function activeDeadline(pod: Obj): number | undefined {
  const secs = pod.spec?.activeDeadlineSeconds;
  const start = Date.parse(pod.status?.startTime ?? '');
  if (typeof secs !== 'number' || !Number.isFinite(start)) return undefined;
  return start + secs * 1000;
}

/** What a sync learned about a pod, for the container locator. */
export interface PodRecord {
  namespace: string;
  name: string;
  uid: string;
  status?: Obj;
  runtime: RuntimePodStatus;
}

export class PodSyncer {
  private readonly reasons = new Map<string, Map<string, WaitingReason>>();
  private readonly written = new Map<string, Obj>();
  /** The resourceVersion of each pod's last status write by this kubelet. */
  private readonly writtenRV = new Map<string, string>();
  private readonly tornDown = new Set<string>();
  /** Pods by uid as of their last sync. */
  readonly records = new Map<string, PodRecord>();
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(private readonly o: PodSyncerOptions) {
    this.clock = o.clock ?? realClock;
    this.log = o.log ?? silentLogger;
  }

  /** Syncs the pod with this uid; `pod` is its latest API object, undefined once it is gone. */
  async sync(uid: string, pod: Obj | undefined, signal?: AbortSignal): Promise<SyncOutcome> {
    const rs = await this.o.runtime.podStatus(uid, signal);
    if (!pod) {
      await this.cleanup(uid, rs, signal);
      return {};
    }
    pod = this.latest(pod);
    this.record(pod, rs);
    if (pod.metadata.deletionTimestamp) return this.syncTerminating(pod, rs, signal);
    if (isTerminalPhase(pod.status?.phase)) return this.syncTerminated(pod, rs, signal);
    return this.syncRunning(pod, rs, signal);
  }

  /** Whether this version of the pod is the echo of this kubelet's own status write (nothing to do). */
  isOwnWrite(pod: Obj): boolean {
    const rv = this.writtenRV.get(pod?.metadata?.uid);
    return rv !== undefined && rv === pod.metadata.resourceVersion;
  }

  /** The pod as of the newer of the informer's copy and this kubelet's last status write. */
  private latest(pod: Obj): Obj {
    const w = this.written.get(pod.metadata.uid);
    if (!w) return pod;
    try {
      if (BigInt(w.metadata.resourceVersion) > BigInt(pod.metadata.resourceVersion)) return w;
    } catch { /* not numeric: trust the informer */ }
    this.written.delete(pod.metadata.uid);
    return pod;
  }

  private record(pod: Obj, rs: RuntimePodStatus, status?: Obj): void {
    const rec: PodRecord = { namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid, status: status ?? pod.status, runtime: rs };
    this.records.set(rec.uid, rec);
    this.o.onRecord?.(rec);
  }

  private reasonsOf(uid: string): Map<string, WaitingReason> {
    let m = this.reasons.get(uid);
    if (!m) this.reasons.set(uid, (m = new Map()));
    return m;
  }

  runtimeInfo(ips: string[]): PodRuntimeInfo {
    const hostIPs = this.o.hostIPs();
    return { podIP: ips[0], podIPs: ips, hostIP: hostIPs[0], hostIPs, nodeName: this.o.nodeName, nodeAllocatable: this.o.allocatable(), masterServiceNamespace: 'default' };
  }

  status(pod: Obj, rs: RuntimePodStatus, podIsTerminal: boolean): Obj {
    return generatePodStatus({
      pod, rs, reasons: this.reasonsOf(pod.metadata.uid), probes: this.o.probes, hostIPs: this.o.hostIPs(), podIsTerminal, now: new Date(this.clock.now()),
    });
  }

  private async syncRunning(pod: Obj, rs: RuntimePodStatus, signal?: AbortSignal): Promise<SyncOutcome> {
    const uid: string = pod.metadata.uid;
    const rt = this.o.runtime;
    // A pod seen for the first time passes the node's admission (canAdmitPod) or fails here.
    const rejected = !pod.status?.startTime && !rs.containers.length && !rs.sandboxes.length ? this.o.admit?.(pod) : undefined;
    if (rejected) return this.reject(pod, rs, rejected, signal);
    // The pod is accepted: report it (Pending, ContainerCreating) before anything slow happens.
    if (!pod.status?.startTime) pod = await this.writeStatus(pod, this.status(pod, rs, false), signal);
    // its cgroup, with the pod's limits, before volumes and the sandbox (SyncPod's EnsureExists)
    if (rt.ensurePodCgroup(pod)) return { requeueAfterMs: RETRY_MS };
    const sandboxIPs = rs.sandboxes[0]?.ready ? rs.sandboxes[0].ips : [];
    try {
      await this.o.volumes.setUp(pod, this.runtimeInfo(sandboxIPs));
    } catch (e) {
      // one event per volume that failed (the volume module lists them), as the kubelet's
      const failures = (e as { failures?: { message: string }[] }).failures ?? [{ message: errMsg(e) }];
      for (const f of failures) this.o.event(pod, 'Warning', errorReason(e) ?? 'FailedMount', f.message);
      await this.writeStatus(pod, this.status(pod, rs, false), signal);
      return { requeueAfterMs: RETRY_MS };
    }

    const deadline = activeDeadline(pod);
    if (deadline !== undefined && this.clock.now() >= deadline) return this.failDeadline(pod, rs, signal);

    const a = computePodActions(pod, rs, this.o.probes);
    if (a.killPod) {
      if (a.createSandbox && a.sandboxId) this.o.event(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await rt.killPod(pod, rs, undefined, signal);
      // A new sandbox runs initialization again from the start.
      if (a.createSandbox) {
        const inits = new Set((pod.spec?.initContainers ?? []).map((c: Obj) => c.name));
        await rt.removePod({ ...rs, sandboxes: [], containers: rs.containers.filter((c) => inits.has(c.name) && c.state !== 'running') }, signal);
      }
    } else {
      for (const k of a.containersToKill) {
        const rc = rs.containers.find((c) => c.id === k.id);
        if (rc) await rt.killContainer(pod, rc, k.message, undefined, signal, k.reason);
      }
    }

    let sandbox: SandboxInfo | undefined;
    let retryAt: number | undefined;
    if (a.createSandbox) {
      const r = await rt.createSandbox(pod, a.attempt, signal);
      if (r.ok) sandbox = r.sandbox;
      else retryAt = this.clock.now() + RETRY_MS;
    } else if (!a.killPod && rs.sandboxes[0]) {
      const sb = rs.sandboxes[0];
      sandbox = { id: sb.id, config: rt.sandboxConfig(pod, sb.attempt), ips: sb.ips };
    }
    if (sandbox) {
      const info = this.runtimeInfo(sandbox.ips);
      const reasons = this.reasonsOf(uid);
      // ephemeral containers first: they debug a pod whose init containers fail to start
      const starts: [Obj, ContainerType][] = [
        ...a.ephemeralToStart.map((c): [Obj, 'ephemeral'] => [c, 'ephemeral']),
        ...a.sidecarsToStart.map((c): [Obj, 'init'] => [c, 'init']),
        ...(a.nextInit ? [[a.nextInit, 'init'] as [Obj, 'init']] : []),
        ...a.containersToStart.map((c): [Obj, 'regular'] => [c, 'regular']),
      ];
      for (const [c, type] of starts) {
        const r = await rt.startContainer(pod, c, type, rs, sandbox, info, signal);
        if (r.ok) reasons.delete(c.name);
        else {
          reasons.set(c.name, { reason: r.reason, message: r.message });
          // like the pod worker's requeue after a sync error (backOffPeriod 10 s): a long
          // image-pull back-off is then reported as ImagePullBackOff while it lasts
          retryAt = Math.min(retryAt ?? Infinity, r.retryAt ?? Infinity, this.clock.now() + ERROR_REQUEUE_MS);
        }
      }
      await this.o.volumes.refresh(pod, info).catch((e) => this.log.warn(`pod ${pod.metadata.namespace}/${pod.metadata.name}: volume refresh: ${errMsg(e)}`));
    }

    const after = await rt.podStatus(uid, signal);
    this.ensureProbes(pod, after);
    const status = this.status(pod, after, false);
    const written = await this.writeStatus(pod, status, signal);
    this.record(written, after, status);
    if (isTerminalPhase(status.phase)) {
      // Finished: nothing runs again, so the sandbox (and its IP) can go.
      await this.finish(written, after, signal);
      return {};
    }
    if (await rt.gcPod(after, signal)) this.record(written, await rt.podStatus(uid, signal), status);
    const now = this.clock.now();
    let wait = retryAt !== undefined ? Math.max(0, retryAt - now) + 20 : RESYNC_MS;
    if (deadline !== undefined) wait = Math.min(wait, Math.max(0, deadline - now));
    return { requeueAfterMs: wait };
  }

  /** rejectPod: a Warning event and a Failed status saying why; nothing of the pod runs. */
  private async reject(pod: Obj, rs: RuntimePodStatus, why: { reason: string; message: string }, signal?: AbortSignal): Promise<SyncOutcome> {
    this.o.event(pod, 'Warning', why.reason, why.message);
    const status = { ...(pod.status ?? {}), phase: 'Failed', reason: why.reason, message: `Pod was rejected: ${why.message}`, qosClass: pod.status?.qosClass ?? podQOSClass(pod) };
    const written = await this.writeStatus(pod, status, signal);
    this.record(written, rs, status);
    return {};
  }

  /** activeDeadlineSeconds passed: the kubelet stops the pod and fails it (DeadlineExceeded). */
  private async failDeadline(pod: Obj, rs: RuntimePodStatus, signal?: AbortSignal): Promise<SyncOutcome> {
    const message = 'Pod was active on the node longer than the specified deadline';
    this.o.event(pod, 'Normal', 'DeadlineExceeded', message);
    await this.o.runtime.killPod(pod, rs, undefined, signal);
    const after = await this.o.runtime.podStatus(pod.metadata.uid, signal);
    const status = { ...this.status(pod, after, true), phase: 'Failed', reason: 'DeadlineExceeded', message };
    const written = await this.writeStatus(pod, status, signal);
    this.record(written, after, status);
    await this.finish(written, after, signal);
    return {};
  }

  /**
   * Every running container is known to the prober, including ones this kubelet did not
   * start (found running after a restart): probes follow the newest instance of each name.
   */
  private ensureProbes(pod: Obj, rs: RuntimePodStatus): void {
    const ip = rs.sandboxes[0]?.ready ? rs.sandboxes[0].ips[0] : undefined;
    const seen = new Set<string>();
    for (const c of rs.containers) {
      if (seen.has(c.name)) continue;
      seen.add(c.name);
      // a known instance only gets the newer pod object and IP
      if (c.state !== 'running') continue;
      this.o.probes.addContainer(pod, c.name, c.id, ip, new Date(c.startedAt ?? this.clock.now()));
    }
  }

  /** A finished pod: containers (if any still run) and sandbox stop, its volumes go; containers stay for logs. */
  private async finish(pod: Obj, rs: RuntimePodStatus, signal?: AbortSignal): Promise<void> {
    const uid: string = pod.metadata.uid;
    await this.o.runtime.killPod(pod, rs, undefined, signal);
    this.forgetProbes(uid);
    if (!this.tornDown.has(uid)) {
      await this.o.volumes.tearDown(uid);
      this.tornDown.add(uid);
    }
    await this.o.runtime.gcPod(rs, signal);
  }

  private async syncTerminated(pod: Obj, rs: RuntimePodStatus, signal?: AbortSignal): Promise<SyncOutcome> {
    const busy = rs.containers.some((c) => c.state === 'running') || rs.sandboxes.some((s) => s.ready) || !this.tornDown.has(pod.metadata.uid);
    if (busy) await this.finish(pod, rs, signal);
    return {};
  }

  private async syncTerminating(pod: Obj, rs: RuntimePodStatus, signal?: AbortSignal): Promise<SyncOutcome> {
    const uid: string = pod.metadata.uid;
    const md = pod.metadata;
    const grace = Number(md.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS);
    this.o.probes.stopLivenessAndStartup?.(uid);
    await this.o.runtime.killPod(pod, rs, grace, signal);
    this.forgetProbes(uid);
    const after = await this.o.runtime.podStatus(uid, signal);
    const written = await this.writeStatus(pod, this.status(pod, after, true), signal);
    this.record(written, after);
    if (!this.tornDown.has(uid)) {
      await this.o.volumes.tearDown(uid);
      this.tornDown.add(uid);
    }
    try {
      await this.o.client.delete(PODS, md.namespace, md.name, { gracePeriodSeconds: 0, preconditions: { uid }, signal });
    } catch (e) {
      // already gone, or a new pod of the same name (the uid precondition): nothing of ours is left
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
    await this.cleanup(uid, after, signal);
    return {};
  }

  private forgetProbes(uid: string): void {
    this.o.probes.removePod(uid);
  }

  /** Stops and removes what the runtime has of a pod, and every file the kubelet kept for it. */
  async cleanup(uid: string, rs: RuntimePodStatus, signal?: AbortSignal): Promise<void> {
    const rt = this.o.runtime;
    if (rs.containers.length || rs.sandboxes.length) {
      await rt.killPod(undefined, rs, undefined, signal);
      await rt.removePod(rs, signal);
    }
    this.forgetProbes(uid);
    await this.o.volumes.tearDown(uid);
    rmSync(rt.podDir(uid), { recursive: true, force: true });
    try {
      for (const d of readdirSync(rt.logsRoot)) if (d.endsWith(`_${uid}`)) rmSync(join(rt.logsRoot, d), { recursive: true, force: true });
    } catch { /* no logs */ }
    rt.backoff.forgetPrefix(`${uid}_`);
    rt.images.forgetPod(uid);
    this.reasons.delete(uid);
    this.written.delete(uid);
    this.writtenRV.delete(uid);
    this.tornDown.delete(uid);
    this.records.delete(uid);
    this.o.onForget?.(uid);
  }

  /** Writes the status as a merge patch when it differs from the pod's; answers the pod as now stored. */
  async writeStatus(pod: Obj, status: Obj, signal?: AbortSignal): Promise<Obj> {
    const diff = mergePatchDiff(pod.status ?? {}, status);
    if (diff === undefined) return pod;
    const mirror = this.o.mirrorOf?.(pod);
    if (mirror === null) return { ...pod, status };
    const md = (mirror ?? pod).metadata;
    try {
      let out = await this.o.client.patch(PODS, md.namespace, md.name, 'merge', { metadata: { uid: md.uid }, status: diff }, { subresource: 'status', signal });
      // a mirror's answer, seen as the static pod it mirrors
      if (mirror) out = { ...pod, metadata: { ...pod.metadata, resourceVersion: out.metadata?.resourceVersion }, status: out.status };
      this.written.set(pod.metadata.uid, out);
      this.writtenRV.set(pod.metadata.uid, out.metadata?.resourceVersion);
      return out;
    } catch (e) {
      // Deleted meanwhile, or replaced by a pod of the same name: the informer brings the news.
      if (isNotFound(e) || isConflict(e)) return pod;
      throw e;
    }
  }
}
