// The life of a simulated pod's containers as a pure function of time: given when the pod
// started (and when it was stopped for deletion), what every container's status is at `now`
// and when that will next change by itself. Nothing runs: containers "run" until an
// annotation makes them exit, then restart (back-off 0, 10 s, 20 s, ... 5 min, as the kubelet)
// or stay terminated per restartPolicy. Being a function of time, the agent can rebuild a
// pod's state after a restart from its start time alone.
//
// Annotations (on the pod):
//   skiff.dev/simulate-exit-after: 2s   regular containers exit this long after each start
//   skiff.dev/simulate-exit-code: 1     with this code (default 0)

import { createHash } from 'node:crypto';
import { nowRFC3339, type Obj } from '../../api/types.js';
import { imageRepository, isRestartableInitContainer, normalizeImage, podPhase, volumeMountStatuses } from '../node/podstatus.js';

export const ANNOTATION_EXIT_AFTER = 'skiff.dev/simulate-exit-after';
export const ANNOTATION_EXIT_CODE = 'skiff.dev/simulate-exit-code';

/** Exit code of a container stopped because its pod is being deleted (128 + SIGTERM). */
export const KILLED_EXIT_CODE = 143;
const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration ("1.5s", "2m30s", "300ms"; a bare number is seconds) in ms, or undefined. */
export function parseDuration(s: unknown): number | undefined {
  if (typeof s === 'number') return Number.isFinite(s) && s >= 0 ? s * 1000 : undefined;
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0, matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    matched = re.lastIndex;
  }
  return matched === t.length && t.length > 0 ? total : undefined;
}

export interface SimPodTimes {
  /** When the sandbox came up and the containers started (ms). */
  startAt: number;
  /** When the containers were stopped because the pod is being deleted (ms). */
  killedAt?: number;
}

export interface SimPodResult {
  initContainerStatuses: Obj[];
  containerStatuses: Obj[];
  phase: string;
  /** Nothing will run any more (Succeeded/Failed). */
  terminal: boolean;
  /** The next moment the status changes by itself (ms), if any. */
  nextAt?: number;
}

interface Term { exitCode: number; startedAt: number; finishedAt: number; restart: number }

type Life =
  | { kind: 'running'; startedAt: number; restart: number; last?: Term; nextAt?: number }
  | { kind: 'waiting'; restart: number; last: Term; backoffMs: number; nextAt: number }
  | { kind: 'terminated'; term: Term; last?: Term };

function backoffAfter(exitIndex: number): number {
  return exitIndex === 0 ? 0 : Math.min(BACKOFF_INITIAL_MS * 2 ** (exitIndex - 1), BACKOFF_MAX_MS);
}

/** Where a container's timeline stands at `now`. */
function lifeAt(startAt: number, exitAfterMs: number | undefined, exitCode: number, restarts: boolean, now: number): Life {
  let s = startAt;
  let last: Term | undefined;
  for (let i = 0; ; i++) {
    if (exitAfterMs === undefined) return { kind: 'running', startedAt: s, restart: i, last };
    const e = s + exitAfterMs;
    if (now < e) return { kind: 'running', startedAt: s, restart: i, last, nextAt: e };
    const term: Term = { exitCode, startedAt: s, finishedAt: e, restart: i };
    if (!restarts) return { kind: 'terminated', term, last };
    const b = backoffAfter(i);
    if (now < e + b) return { kind: 'waiting', restart: i, last: term, backoffMs: b, nextAt: e + b };
    last = term;
    s = e + b;
  }
}

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function terminated(t: Term, containerID: string): Obj {
  return {
    terminated: {
      exitCode: t.exitCode, reason: t.exitCode === 0 ? 'Completed' : 'Error',
      startedAt: nowRFC3339(new Date(t.startedAt)), finishedAt: nowRFC3339(new Date(t.finishedAt)), containerID,
    },
  };
}

function probeDelayMs(probe: Obj | undefined): number {
  return probe ? Math.max(0, Number(probe.initialDelaySeconds ?? 0)) * 1000 : 0;
}

/**
 * When the pod's containers first started, from the statuses an earlier run of the agent
 * posted: a container with restartCount R whose current (or last) incarnation started at s
 * began at s − R·exitAfter − the back-offs before restart R. Undefined without statuses.
 */
export function recoverStartAt(pod: Obj): number | undefined {
  const st: Obj = pod.status ?? {};
  const exitAfter = parseDuration(pod.metadata?.annotations?.[ANNOTATION_EXIT_AFTER]) ?? 0;
  let start = Infinity;
  for (const c of st.containerStatuses ?? []) {
    const began = c.state?.running?.startedAt ?? c.state?.terminated?.startedAt ?? c.lastState?.terminated?.startedAt;
    const ms = began ? Date.parse(began) : NaN;
    if (!Number.isFinite(ms)) continue;
    const r = Math.max(0, Number(c.restartCount ?? 0));
    let back = 0;
    for (let i = 0; i < r; i++) back += backoffAfter(i);
    start = Math.min(start, ms - r * exitAfter - back);
  }
  for (const c of st.initContainerStatuses ?? []) {
    const ms = Date.parse(c.state?.running?.startedAt ?? c.state?.terminated?.startedAt ?? '');
    if (Number.isFinite(ms) && !c.restartCount) start = Math.min(start, ms);
  }
  return Number.isFinite(start) ? start : undefined;
}

/** The containers' statuses and the pod phase at `now`. */
export function simulatePod(pod: Obj, t: SimPodTimes, now: number): SimPodResult {
  const spec: Obj = pod.spec ?? {};
  const uid: string = pod.metadata?.uid ?? '';
  const ann: Record<string, string> = pod.metadata?.annotations ?? {};
  const exitAfter = parseDuration(ann[ANNOTATION_EXIT_AFTER]);
  const codeNum = Number(ann[ANNOTATION_EXIT_CODE] ?? 0);
  const exitCode = Number.isInteger(codeNum) && codeNum >= 0 && codeNum <= 255 ? codeNum : 1;
  const policy: string = spec.restartPolicy ?? 'Always';
  const killedAt = t.killedAt !== undefined && t.killedAt <= now ? t.killedAt : undefined;
  const horizon = killedAt ?? now;
  let nextAt: number | undefined;
  const upcoming = (at: number | undefined): void => {
    if (at !== undefined && at > now && (nextAt === undefined || at < nextAt)) nextAt = at;
  };
  if (t.killedAt !== undefined) upcoming(t.killedAt);

  const base = (c: Obj, restart: number): Obj => {
    const image = normalizeImage(c.image ?? '');
    const s: Obj = {
      name: c.name, image, imageID: `${imageRepository(image)}@sha256:${sha(image)}`,
      containerID: `sim://${sha(`${uid}/${c.name}/${restart}`)}`, restartCount: restart, lastState: {},
    };
    const vm = volumeMountStatuses(c);
    if (vm) s.volumeMounts = vm;
    return s;
  };

  /** A container that runs (and maybe exits/restarts) from `startAt`, seen at `horizon`. */
  const timeline = (c: Obj, exitMs: number | undefined, restarts: boolean): { status: Obj; done: boolean } => {
    const life = lifeAt(t.startAt, exitMs, exitCode, restarts, horizon);
    const restart = life.kind === 'terminated' ? life.term.restart : life.restart;
    const s = base(c, restart);
    const last = life.kind === 'terminated' ? life.last : life.last;
    if (last) s.lastState = terminated(last, `sim://${sha(`${uid}/${c.name}/${last.restart}`)}`);
    if (life.kind === 'terminated') {
      Object.assign(s, { ready: false, started: false, state: terminated(life.term, s.containerID) });
      return { status: s, done: true };
    }
    if (killedAt !== undefined) {
      const term: Term = life.kind === 'running'
        ? { exitCode: KILLED_EXIT_CODE, startedAt: life.startedAt, finishedAt: killedAt, restart }
        : life.last;
      Object.assign(s, { ready: false, started: false, state: terminated(term, s.containerID) });
      return { status: s, done: true };
    }
    if (life.kind === 'waiting') {
      const pn = `${pod.metadata?.name}_${pod.metadata?.namespace}(${uid})`;
      Object.assign(s, { ready: false, started: false, state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${life.backoffMs / 1000}s restarting failed container=${c.name} pod=${pn}` } } });
      upcoming(life.nextAt);
      return { status: s, done: false };
    }
    const startedAt = life.startedAt + probeDelayMs(c.startupProbe);
    const readyAt = Math.max(startedAt, life.startedAt + probeDelayMs(c.readinessProbe));
    upcoming(life.nextAt);
    upcoming(startedAt);
    upcoming(readyAt);
    Object.assign(s, { ready: now >= readyAt, started: now >= startedAt, state: { running: { startedAt: nowRFC3339(new Date(life.startedAt)) } } });
    return { status: s, done: false };
  };

  const initStatuses: Obj[] = [];
  const sidecars: { c: Obj; status: Obj }[] = [];
  for (const c of spec.initContainers ?? []) {
    if (isRestartableInitContainer(c)) {
      const r = timeline(c, undefined, true);
      sidecars.push({ c, status: r.status });
      initStatuses.push(r.status);
      continue;
    }
    // Regular init containers complete at once, before the app containers start.
    const s = base(c, 0);
    Object.assign(s, { ready: true, started: false, state: terminated({ exitCode: 0, startedAt: t.startAt, finishedAt: t.startAt, restart: 0 }, s.containerID) });
    initStatuses.push(s);
  }

  const restarts = policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
  const statuses = (spec.containers ?? []).map((c: Obj) => timeline(c, exitAfter, restarts));
  const allDone = statuses.length > 0 && statuses.every((r: { done: boolean }) => r.done);
  const containerStatuses = statuses.map((r: { status: Obj }) => r.status).sort((a: Obj, b: Obj) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (allDone && killedAt === undefined) {
    // The app containers finished on their own: the kubelet stops the sidecars then.
    const finishedAt = Math.max(...containerStatuses.map((s: Obj) => Date.parse(s.state.terminated.finishedAt)));
    for (const sc of sidecars) {
      if (sc.status.state?.terminated) continue;
      const started = sc.status.state?.running?.startedAt ? Date.parse(sc.status.state.running.startedAt) : t.startAt;
      Object.assign(sc.status, { ready: false, started: false, state: terminated({ exitCode: 0, startedAt: started, finishedAt, restart: sc.status.restartCount }, sc.status.containerID) });
    }
  }
  const terminal = allDone || killedAt !== undefined;
  const phase = podPhase(spec, [...initStatuses, ...containerStatuses], terminal);
  return { initContainerStatuses: initStatuses, containerStatuses, phase, terminal: phase === 'Succeeded' || phase === 'Failed', nextAt: terminal ? undefined : nextAt };
}
