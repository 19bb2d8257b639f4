// Pod status as the kubelet computes it from container statuses, shared by the simulated agent
// and the real kubelet: the phase (kubelet getPhase), the kubelet-owned conditions
// (PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled) with
// upstream's reasons and messages, readiness gates, and the merge with the previous status
// (conditions the kubelet does not own are kept first; lastTransitionTime moves only when a
// condition's status changes).

import { nowRFC3339, type Obj } from '../../api/types.js';

/** Conditions the kubelet owns on a pod (kubetypes.PodConditionByKubelet). */
export const KUBELET_POD_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

/** Go's %s of a []string: "[a b]". */
const goList = (names: string[]): string => `[${names.join(' ')}]`;

export function isRestartableInitContainer(c: Obj): boolean {
  return c?.restartPolicy === 'Always';
}

function statusOf(statuses: Obj[], name: string): Obj | undefined {
  return statuses.find((s) => s?.name === name);
}

function hasAnyRegularContainerStarted(spec: Obj, statuses: Obj[]): boolean {
  for (const c of spec.containers ?? []) {
    const s = statusOf(statuses, c.name);
    if (s && (s.state?.running || s.state?.terminated)) return true;
  }
  return false;
}

/**
 * The pod phase from its container statuses (kubelet getPhase). `statuses` holds init and
 * regular containers' statuses; `podIsTerminal`: the kubelet will run nothing more for this pod.
 */
export function podPhase(spec: Obj, statuses: Obj[], podIsTerminal: boolean): string {
  let pendingRegularInit = 0, pendingRestartableInit = 0, failedInit = 0;
  let unknown = 0, running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of spec.initContainers ?? []) {
    const s = statusOf(statuses, c.name);
    if (isRestartableInitContainer(c)) {
      if (!s) { unknown++; continue; }
      if (s.state?.running) {
        if (!s.started) pendingRestartableInit++;
        running++;
      } else if (s.state?.terminated) {
        // terminated sidecars do not count towards the phase
      } else if (s.state?.waiting) {
        if (!s.lastState?.terminated) { pendingRestartableInit++; waiting++; }
      } else { pendingRestartableInit++; unknown++; }
      continue;
    }
    if (!s) { pendingRegularInit++; continue; }
    if (s.state?.running) pendingRegularInit++;
    else if (s.state?.terminated) { if (s.state.terminated.exitCode !== 0) failedInit++; }
    else if (s.state?.waiting) {
      if (s.lastState?.terminated) { if (s.lastState.terminated.exitCode !== 0) failedInit++; }
      else pendingRegularInit++;
    } else pendingRegularInit++;
  }
  for (const c of spec.containers ?? []) {
    const s = statusOf(statuses, c.name);
    if (!s) { unknown++; continue; }
    if (s.state?.running) running++;
    else if (s.state?.terminated) { stopped++; if (s.state.terminated.exitCode === 0) succeeded++; }
    else if (s.state?.waiting) { if (s.lastState?.terminated) stopped++; else waiting++; }
    else unknown++;
  }
  const restartPolicy = spec.restartPolicy ?? 'Always';
  if (failedInit > 0 && restartPolicy === 'Never') return 'Failed';
  if (pendingRegularInit > 0 || (pendingRestartableInit > 0 && !hasAnyRegularContainerStarted(spec, statuses)) || waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function terminalReason(phase: string): Obj {
  return phase === 'Failed' ? { reason: 'PodFailed' } : { reason: 'PodCompleted' };
}

/** ContainersReady: every regular container and sidecar is ready (GenerateContainersReadyCondition). */
export function containersReadyCondition(spec: Obj, statuses: Obj[] | undefined, phase: string): Obj {
  if (!statuses) return { type: 'ContainersReady', status: 'False', reason: 'UnknownContainerStatuses' };
  const unknown: string[] = [], unready: string[] = [];
  const check = (c: Obj): void => {
    const s = statusOf(statuses, c.name);
    if (!s) unknown.push(c.name);
    else if (!s.ready) unready.push(c.name);
  };
  for (const c of spec.initContainers ?? []) if (isRestartableInitContainer(c)) check(c);
  for (const c of spec.containers ?? []) check(c);
  if ((phase === 'Succeeded' && unknown.length === 0) || phase === 'Failed') return { type: 'ContainersReady', status: 'False', ...terminalReason(phase) };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) msgs.push(`containers with unready status: ${goList(unready)}`);
  if (msgs.length) return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: msgs.join(', ') };
  return { type: 'ContainersReady', status: 'True' };
}

/** Ready: containers ready and every readiness gate's condition True (GeneratePodReadyCondition). */
export function podReadyCondition(spec: Obj, conditions: Obj[], statuses: Obj[] | undefined, phase: string): Obj {
  const cr = containersReadyCondition(spec, statuses, phase);
  if (cr.status !== 'True') {
    const out: Obj = { type: 'Ready', status: cr.status };
    if (cr.reason) out.reason = cr.reason;
    if (cr.message) out.message = cr.message;
    return out;
  }
  const msgs: string[] = [];
  for (const gate of spec.readinessGates ?? []) {
    const c = conditions.find((x) => x?.type === gate.conditionType);
    if (!c) msgs.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') msgs.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (msgs.length) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: msgs.join(', ') };
  return { type: 'Ready', status: 'True' };
}

/** Initialized: every init container finished (sidecars: started) (GeneratePodInitializedCondition). */
export function initializedCondition(spec: Obj, statuses: Obj[] | undefined, phase: string): Obj {
  const inits: Obj[] = spec.initContainers ?? [];
  if (!statuses && inits.length) return { type: 'Initialized', status: 'False', reason: 'UnknownContainerStatuses' };
  const all = statuses ?? [];
  const unknown: string[] = [], incomplete: string[] = [];
  for (const c of inits) {
    const s = statusOf(all, c.name);
    if (!s) { unknown.push(c.name); continue; }
    const done = isRestartableInitContainer(c) ? !!s.started : !!s.ready;
    if (!done) incomplete.push(c.name);
  }
  if (phase === 'Succeeded' && unknown.length === 0) return { type: 'Initialized', status: 'True', reason: 'PodCompleted' };
  if (hasAnyRegularContainerStarted(spec, all)) return { type: 'Initialized', status: 'True' };
  const msgs: string[] = [];
  if (unknown.length) msgs.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) msgs.push(`containers with incomplete status: ${goList(incomplete)}`);
  if (msgs.length) return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: msgs.join(', ') };
  return { type: 'Initialized', status: 'True' };
}

export interface PodConditionsInput {
  spec: Obj;
  /** The pod's current conditions (those not owned by the kubelet are kept, readiness gates read them). */
  current: Obj[] | undefined;
  /** Init and regular container statuses together. */
  statuses: Obj[] | undefined;
  phase: string;
  /** The sandbox exists with networking (PodReadyToStartContainers). */
  sandboxReady: boolean;
  now: Date;
}

/**
 * The pod's full conditions list: foreign conditions first, then the kubelet's in its order,
 * each kubelet condition keeping the old lastTransitionTime unless its status changed.
 */
export function podConditions(i: PodConditionsInput): Obj[] {
  const current = i.current ?? [];
  const out: Obj[] = current.filter((c) => !KUBELET_POD_CONDITIONS.has(c?.type));
  const generated: Obj[] = [{ type: 'PodReadyToStartContainers', status: i.sandboxReady ? 'True' : 'False' }];
  generated.push(initializedCondition(i.spec, i.statuses, i.phase));
  generated.push(podReadyCondition(i.spec, [...out, ...generated], i.statuses, i.phase));
  generated.push(containersReadyCondition(i.spec, i.statuses, i.phase));
  generated.push({ type: 'PodScheduled', status: 'True' });
  const ts = nowRFC3339(i.now);
  for (const g of generated) {
    const old = current.find((c) => c?.type === g.type);
    const cond: Obj = { type: g.type, status: g.status, lastProbeTime: null, lastTransitionTime: old && old.status === g.status && old.lastTransitionTime ? old.lastTransitionTime : ts };
    if (g.reason) cond.reason = g.reason;
    if (g.message) cond.message = g.message;
    out.push(cond);
  }
  return out;
}

/**
 * The image reference a CRI runtime reports for a pulled image: registry and repository made
 * explicit, ":latest" when neither tag nor digest is given ("busybox" →
 * "docker.io/library/busybox:latest").
 */
export function normalizeImage(image: string): string {
  let ref = String(image ?? '').trim();
  if (!ref) return ref;
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasRegistry) ref = `docker.io/${slash < 0 ? `library/${ref}` : ref}`;
  const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
  if (!ref.includes('@') && !lastPart.includes(':')) ref += ':latest';
  return ref;
}

/** The repository part of a normalized image reference (no tag or digest). */
export function imageRepository(normalized: string): string {
  const at = normalized.indexOf('@');
  const base = at >= 0 ? normalized.slice(0, at) : normalized;
  const slash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  return colon > slash ? base.slice(0, colon) : base;
}

/** status.volumeMounts of a container as the kubelet reports them (RecursiveReadOnlyMounts). */
export function volumeMountStatuses(c: Obj): Obj[] | undefined {
  const mounts: Obj[] = c?.volumeMounts ?? [];
  if (!mounts.length) return undefined;
  return mounts.map((m) => {
    const out: Obj = { name: m.name, mountPath: m.mountPath };
    if (m.readOnly) {
      out.readOnly = true;
      out.recursiveReadOnly = m.recursiveReadOnly === 'Enabled' ? 'Enabled' : 'Disabled';
    }
    return out;
  });
}

/** True for Succeeded and Failed. */
export function isTerminalPhase(phase: unknown): boolean {
  return phase === 'Succeeded' || phase === 'Failed';
}
