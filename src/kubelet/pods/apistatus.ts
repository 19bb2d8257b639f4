// The pod status the kubelet reports (generateAPIPodStatus + convertToAPIContainerStatuses):
// container states from the runtime's newest and previous instance of each container, the
// waiting reason of a container that could not start (CrashLoopBackOff, ErrImagePull, ...),
// readiness and startedness from the probes, then phase and conditions (node/podstatus.ts),
// IPs, start time and QoS class. Pure: everything comes in as arguments.

import { nowRFC3339, type Obj } from '../../api/types.js';
import { isTerminalPhase, podConditions, podPhase, volumeMountStatuses } from '../node/podstatus.js';
import { isSidecar, shouldRestart } from '../kuberuntime/actions.js';
import { containerIDString } from '../kuberuntime/cri.js';
import type { ProbeProvider } from '../kuberuntime/deps.js';
import { podQOSClass } from '../kuberuntime/resources.js';
import { latestContainer, newestFirst, type RuntimeContainer, type RuntimePodStatus } from '../kuberuntime/status.js';

export const CONTAINER_CREATING = 'ContainerCreating';
export const POD_INITIALIZING = 'PodInitializing';
export const STATUS_UNKNOWN = 'ContainerStatusUnknown';

const UNKNOWN_TERMINATED = (): Obj => ({ terminated: { exitCode: 137, reason: STATUS_UNKNOWN, message: 'The container could not be located when the pod was terminated' } });

export interface WaitingReason { reason: string; message: string }

export interface StatusInput {
  pod: Obj;
  rs: RuntimePodStatus;
  /** Start failures by container name (the kubelet's reason cache). */
  reasons: ReadonlyMap<string, WaitingReason>;
  probes: Pick<ProbeProvider, 'ready' | 'started'>;
  hostIPs: string[];
  /** The kubelet will run nothing more for this pod (deleted and stopped, or finished). */
  podIsTerminal: boolean;
  now: Date;
}

const time = (ms: number | undefined): string | null => (ms ? nowRFC3339(new Date(ms)) : null);

function stateOf(c: RuntimeContainer, old: Obj | undefined): Obj {
  switch (c.state) {
    case 'running': return { running: { startedAt: time(c.startedAt) } };
    case 'created': return { waiting: {} };
    case 'exited': {
      const t: Obj = { exitCode: c.exitCode };
      if (c.reason) t.reason = c.reason;
      if (c.message) t.message = c.message;
      t.startedAt = time(c.startedAt);
      t.finishedAt = time(c.finishedAt);
      t.containerID = containerIDString(c.id);
      return { terminated: t };
    }
    default:
      if (old?.state?.running) return UNKNOWN_TERMINATED();
      return { waiting: {} };
  }
}

/** API statuses of one list of containers (init or regular), without readiness. */
export function convertStatuses(i: StatusInput, specs: Obj[], oldList: Obj[] | undefined, isInit: boolean, ephemeral = false): Obj[] {
  const hasInit = (i.pod.spec?.initContainers ?? []).length > 0;
  const old = new Map<string, Obj>((oldList ?? []).map((s) => [s.name, s]));
  const out = new Map<string, Obj>();
  for (const c of specs) {
    let s: Obj = { name: c.name, state: { waiting: { reason: hasInit ? POD_INITIALIZING : CONTAINER_CREATING } }, lastState: {}, ready: false, restartCount: 0, image: c.image, imageID: '' };
    const o = old.get(c.name);
    if (o) {
      if (o.state?.terminated) s = structuredClone(o);
      else {
        s.restartCount = o.restartCount ?? 0;
        s.lastState = structuredClone(o.lastState ?? {});
      }
    }
    const vm = volumeMountStatuses(c);
    if (vm) s.volumeMounts = vm;
    else delete s.volumeMounts;
    out.set(c.name, s);
  }
  // The newest instance gives state, the one before it lastState.
  const seen = new Map<string, number>();
  for (const rc of [...i.rs.containers].sort(newestFirst)) {
    const base = out.get(rc.name);
    if (!base) continue;
    const n = seen.get(rc.name) ?? 0;
    if (n >= 2) continue;
    seen.set(rc.name, n + 1);
    const st = stateOf(rc, old.get(rc.name));
    if (n === 0) {
      const s: Obj = { name: rc.name, state: st, lastState: {}, ready: false, restartCount: rc.info.restartCount, image: rc.image || base.image, imageID: rc.imageRef, containerID: containerIDString(rc.id) };
      if (base.volumeMounts) s.volumeMounts = base.volumeMounts;
      out.set(rc.name, s);
    } else {
      out.get(rc.name)!.lastState = st;
    }
  }
  // A container that should start again but could not shows why it waits.
  for (const c of specs) {
    const latest = latestContainer(i.rs, c.name);
    if (isInit && latest && latest.state === 'exited' && latest.exitCode === 0 && !isSidecar(c)) continue;
    // an ephemeral container only ever starts once
    const again = ephemeral ? !latest : isInit && isSidecar(c) ? latest?.state !== 'running' : shouldRestart(i.pod, latest);
    if (!again) continue;
    const why = i.reasons.get(c.name);
    if (!why) continue;
    const s = out.get(c.name)!;
    if (s.state?.terminated) s.lastState = s.state;
    s.state = { waiting: { reason: why.reason, ...(why.message ? { message: why.message } : {}) } };
  }
  const list = specs.map((c) => out.get(c.name)!);
  return isInit ? list : list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Readiness and startedness (prober UpdatePodStatus). */
function applyProbes(i: StatusInput, statuses: Obj[], specs: Obj[], isInit: boolean): void {
  const uid = i.pod.metadata.uid;
  for (const s of statuses) {
    const spec = specs.find((c) => c.name === s.name) ?? {};
    const running = !!s.state?.running;
    const started = running && i.probes.started(uid, s.name);
    s.started = started;
    if (isInit && !isSidecar(spec)) {
      s.ready = !!s.state?.terminated && s.state.terminated.exitCode === 0;
      continue;
    }
    s.ready = started && i.probes.ready(uid, s.name);
  }
}

/** hasPodInitialized: a regular container ran, or the last init container completed. */
function hasInitialized(inits: Obj[], initStatuses: Obj[], statuses: Obj[]): boolean {
  if (!inits.length) return true;
  if (statuses.some((s) => s.lastState?.terminated || !s.state?.waiting)) return true;
  const last = initStatuses[initStatuses.length - 1];
  if (!last) return false;
  if (isSidecar(inits[inits.length - 1])) return !!last.state?.running && !!last.started;
  return last.lastState?.terminated?.reason === 'Completed' || last.state?.terminated?.reason === 'Completed';
}

/**
 * TerminatePod: at the end of a pod's life every container that may have run counts as
 * terminated; one without a record failed (ContainerStatusUnknown, 137) rather than succeeded.
 */
function terminatePod(inits: Obj[], initStatuses: Obj[], statuses: Obj[]): void {
  const mark = (s: Obj): void => {
    if (s.state?.terminated) return;
    s.state = UNKNOWN_TERMINATED();
    s.ready = false;
    s.started = false;
  };
  if (hasInitialized(inits, initStatuses, statuses)) statuses.forEach(mark);
  // init containers up to the last one with any sign of a start
  let upTo = -1;
  initStatuses.forEach((s, idx) => { if (!s.state?.waiting || s.lastState?.terminated) upTo = idx; });
  initStatuses.slice(0, upTo + 1).forEach(mark);
}

export function generatePodStatus(i: StatusInput): Obj {
  const pod = i.pod;
  const spec: Obj = pod.spec ?? {};
  const old: Obj = pod.status ?? {};
  const inits: Obj[] = spec.initContainers ?? [];
  const initStatuses = convertStatuses(i, inits, old.initContainerStatuses, true);
  const statuses = convertStatuses(i, spec.containers ?? [], old.containerStatuses, false);
  applyProbes(i, initStatuses, inits, true);
  applyProbes(i, statuses, spec.containers ?? [], false);

  if (i.podIsTerminal) terminatePod(inits, initStatuses, statuses);
  let phase = podPhase(spec, [...initStatuses, ...statuses], i.podIsTerminal);
  if (isTerminalPhase(old.phase)) phase = old.phase;
  else if (i.podIsTerminal && !isTerminalPhase(phase)) phase = 'Failed';

  const sandbox = i.rs.sandboxes[0];
  const sandboxReady = !!sandbox?.ready && (spec.hostNetwork || sandbox.ips.length > 0);
  const st: Obj = { ...old, phase };
  st.conditions = podConditions({ spec, current: old.conditions, statuses: [...initStatuses, ...statuses], phase, sandboxReady, now: i.now });
  if (i.hostIPs.length) {
    st.hostIP = i.hostIPs[0];
    st.hostIPs = i.hostIPs.map((ip) => ({ ip }));
  }
  const podIPs = spec.hostNetwork ? i.hostIPs : (sandbox?.ready ? sandbox.ips : []);
  if (podIPs.length) {
    st.podIP = podIPs[0];
    st.podIPs = podIPs.map((ip) => ({ ip }));
  }
  st.startTime = old.startTime ?? nowRFC3339(i.now);
  if (inits.length) st.initContainerStatuses = initStatuses;
  else delete st.initContainerStatuses;
  // ephemeral containers are never ready and have no probes
  const ephemerals: Obj[] = spec.ephemeralContainers ?? [];
  if (ephemerals.length) st.ephemeralContainerStatuses = convertStatuses(i, ephemerals, old.ephemeralContainerStatuses, false, true);
  else delete st.ephemeralContainerStatuses;
  st.containerStatuses = statuses;
  st.qosClass = old.qosClass ?? podQOSClass(pod);
  return st;
}
