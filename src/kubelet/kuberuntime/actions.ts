// What a sync must do to move a pod's runtime state towards its spec (upstream
// computePodActions): whether the sandbox must be (re)created, which init container runs
// next, which containers start, which running ones are killed (failed liveness, changed
// definition, unknown state) and whether the whole pod is done and its sandbox can stop.
// Pure: the runtime state and the probe results come in, a plan goes out; back-off is
// applied when the plan is carried out.

import type { Obj } from '../../api/types.js';
import { containerHash } from './labels.js';
import { latestContainer, type RuntimeContainer, type RuntimePodStatus } from './status.js';

export type KillReason = 'liveness' | 'startup' | 'changed' | 'unknown';

export interface ContainerToKill {
  id: string;
  name: string;
  message: string;
  reason: KillReason;
}

export interface PodActions {
  /** Stop every container and the sandbox (the pod is done, or its sandbox is being replaced). */
  killPod: boolean;
  createSandbox: boolean;
  /** The sandbox to use (or, with createSandbox, the one replaced). */
  sandboxId: string;
  /** Attempt number of the sandbox to create. */
  attempt: number;
  /** The init container to start next (a failed one is restarted, subject to back-off). */
  nextInit?: Obj;
  /** Restartable init containers (sidecars) to start again. */
  sidecarsToStart: Obj[];
  containersToStart: Obj[];
  containersToKill: ContainerToKill[];
  /** Ephemeral containers never started yet (they are never restarted). */
  ephemeralToStart: Obj[];
}

/** Probe verdicts the plan needs (module C's ProbeManager answers them). */
export interface ProbeVerdicts {
  /** A message when the container failed its liveness (or startup) probe and must be restarted. */
  livenessFailure(podUID: string, containerName: string): string | undefined;
  started(podUID: string, containerName: string): boolean;
}

export const restartPolicy = (pod: Obj): string => pod?.spec?.restartPolicy ?? 'Always';
const restartsOnFailure = (pod: Obj): boolean => restartPolicy(pod) !== 'Never';
export const isSidecar = (c: Obj): boolean => c?.restartPolicy === 'Always';

/** Whether a regular container that is not running should be (re)started (ShouldContainerBeRestarted). */
export function shouldRestart(pod: Obj, s: RuntimeContainer | undefined): boolean {
  if (pod?.metadata?.deletionTimestamp) return false;
  if (!s) return true;
  if (s.state === 'running') return false;
  if (s.state === 'unknown' || s.state === 'created') return true;
  const policy = restartPolicy(pod);
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && s.exitCode === 0) return false;
  return true;
}

/** Whether the pod needs a new sandbox (PodSandboxChanged), the attempt number and the current sandbox. */
export function sandboxChanged(pod: Obj, rs: RuntimePodStatus): { changed: boolean; attempt: number; sandboxId: string } {
  const sbs = rs.sandboxes;
  if (!sbs.length) return { changed: true, attempt: 0, sandboxId: '' };
  const latest = sbs[0];
  const ready = sbs.filter((s) => s.ready).length;
  if (ready > 1 || !latest.ready) return { changed: true, attempt: latest.attempt + 1, sandboxId: latest.id };
  const hostNetwork = !!pod?.spec?.hostNetwork;
  if (latest.hostNetwork !== hostNetwork) return { changed: true, attempt: latest.attempt + 1, sandboxId: '' };
  if (!hostNetwork && latest.ips.length === 0) return { changed: true, attempt: latest.attempt + 1, sandboxId: latest.id };
  return { changed: false, attempt: latest.attempt, sandboxId: latest.id };
}

const initFailed = (s: RuntimeContainer): boolean => (s.state === 'exited' && s.exitCode !== 0) || s.state === 'unknown';

interface InitPlan {
  done: boolean;
  next?: Obj;
  /** A failed init container and the pod does not restart: the pod has failed. */
  failed?: boolean;
  killFirst?: RuntimeContainer;
  sidecarsToStart: Obj[];
}

/** Initialization progress: init containers run one at a time, in order. */
export function initPlan(pod: Obj, rs: RuntimePodStatus, probes: Pick<ProbeVerdicts, 'started'>): InitPlan {
  const inits: Obj[] = pod?.spec?.initContainers ?? [];
  const sidecarsToStart: Obj[] = [];
  if (!inits.length) return { done: true, sidecarsToStart };
  // Once a regular container has run, initialization happened (even if its records were
  // removed since): only sidecars are kept running.
  const regularRan = (pod.spec.containers ?? []).some((c: Obj) => latestContainer(rs, c.name) !== undefined);
  if (regularRan) {
    for (const c of inits) {
      if (!isSidecar(c)) continue;
      const s = latestContainer(rs, c.name);
      if (!s || s.state !== 'running') sidecarsToStart.push(c);
    }
    return { done: true, sidecarsToStart };
  }
  for (const c of inits) {
    const s = latestContainer(rs, c.name);
    if (!s) return { done: false, next: c, sidecarsToStart };
    if (isSidecar(c)) {
      if (s.state === 'running') {
        if (!probes.started(rs.uid, c.name)) return { done: false, sidecarsToStart };
        continue;
      }
      return { done: false, next: c, killFirst: s.state === 'unknown' ? s : undefined, sidecarsToStart };
    }
    if (s.state === 'running') return { done: false, sidecarsToStart };
    if (s.state === 'exited' && s.exitCode === 0) continue;
    if (initFailed(s) && !restartsOnFailure(pod)) return { done: false, failed: true, sidecarsToStart };
    return { done: false, next: c, killFirst: s.state === 'unknown' ? s : undefined, sidecarsToStart };
  }
  return { done: true, sidecarsToStart };
}

export function computePodActions(pod: Obj, rs: RuntimePodStatus, probes: ProbeVerdicts): PodActions {
  const sb = sandboxChanged(pod, rs);
  const a: PodActions = {
    killPod: sb.changed, createSandbox: sb.changed, sandboxId: sb.sandboxId, attempt: sb.attempt,
    sidecarsToStart: [], containersToStart: [], containersToKill: [], ephemeralToStart: [],
  };
  const containers: Obj[] = pod?.spec?.containers ?? [];

  if (sb.changed) {
    // A pod that ran and will not restart gets no new sandbox: it is finished.
    if (!restartsOnFailure(pod) && sb.attempt !== 0 && rs.containers.length) {
      a.createSandbox = false;
      return a;
    }
    const toStart = containers.filter((c) => !(restartPolicy(pod) === 'OnFailure' && succeeded(rs, c.name)));
    if (!toStart.length && initPlan(pod, rs, probes).done) {
      a.createSandbox = false;
      return a;
    }
    // Everything starts over in the new sandbox, init containers first.
    if (pod.spec?.initContainers?.length) a.nextInit = pod.spec.initContainers[0];
    else a.containersToStart = toStart;
    return a;
  }

  // Ephemeral containers may start before initialization is complete; in a fresh sandbox
  // they wait for the next sync, and they never start in a pod that is done.
  if (!pod.metadata?.deletionTimestamp) {
    a.ephemeralToStart = (pod.spec?.ephemeralContainers ?? []).filter((c: Obj) => !latestContainer(rs, c.name));
  }
  const init = initPlan(pod, rs, probes);
  a.sidecarsToStart = init.sidecarsToStart;
  if (!init.done) {
    if (init.failed) {
      a.killPod = true;
      a.ephemeralToStart = [];
    }
    else {
      if (init.killFirst) a.containersToKill.push({ id: init.killFirst.id, name: init.killFirst.name, message: `Init container is in "${init.killFirst.state}" state, try killing it before restart`, reason: 'unknown' });
      a.nextInit = init.next;
    }
    return a;
  }

  let keep = 0;
  for (const c of containers) {
    const s = latestContainer(rs, c.name);
    if (!s || s.state !== 'running') {
      if (shouldRestart(pod, s)) {
        a.containersToStart.push(c);
        if (s?.state === 'unknown') a.containersToKill.push({ id: s.id, name: s.name, message: `Container is in "unknown" state, try killing it before restart`, reason: 'unknown' });
      }
      continue;
    }
    let message: string;
    let reason: KillReason;
    let restart = restartsOnFailure(pod);
    const failure = probes.livenessFailure(rs.uid, c.name);
    if (s.info.hash && s.info.hash !== containerHash(c)) {
      message = `Container ${c.name} definition changed`;
      reason = 'changed';
      restart = true; // a new definition runs whatever the restart policy
    } else if (failure !== undefined) {
      reason = /startup/i.test(failure) ? 'startup' : 'liveness';
      message = `Container ${c.name} failed ${reason} probe`;
    } else {
      keep++;
      continue;
    }
    if (restart) {
      message = `${message}, will be restarted`;
      a.containersToStart.push(c);
    }
    a.containersToKill.push({ id: s.id, name: c.name, message, reason });
  }
  if (keep === 0 && a.containersToStart.length === 0) {
    a.killPod = true;
    a.ephemeralToStart = [];
  }
  return a;
}

function succeeded(rs: RuntimePodStatus, name: string): boolean {
  const s = latestContainer(rs, name);
  return !!s && s.state === 'exited' && s.exitCode === 0;
}
