// The probe manager (pkg/kubelet/prober/prober_manager.go plus its results managers), driven
// by the pod workers: they add each container instance when it runs and remove it when it
// stops, and ask for readiness, started and liveness verdicts when they compute status or
// decide what to kill. Whenever a readiness or startup result changes, or a liveness probe
// fails, onChange(podUID) asks the core to sync that pod again.

import type { Obj } from '../../api/types.js';
import { realClock, type Clock } from '../../client/clock.js';
import { stderrLogger, type Logger } from '../../client/log.js';
import type { ProbeEventSink } from './prober.js';
import type { ProbeRuntime, ProbeType } from './types.js';
import { Worker, type CachedResult, type Instance, type WorkerHost } from './worker.js';

export interface ProbeManagerOptions {
  runtime: ProbeRuntime;
  /** src/client's EventRecorder (anything with its event() method). */
  recorder: ProbeEventSink;
  clock?: Clock;
  onChange: (podUID: string) => void;
  /** Source of the start-up jitter (tests pin it). */
  random?: () => number;
  log?: Logger;
}

/** Why a container has to be killed because of a probe. */
export interface ProbeFailure {
  probe: 'Liveness' | 'Startup';
  /** The kubelet's kill reason (metrics label): LivenessProbe or StartupProbe. */
  reason: 'LivenessProbe' | 'StartupProbe';
  /** The Killing event's message, e.g. "Container c failed liveness probe, will be restarted". */
  message: string;
  /** The probe's own terminationGracePeriodSeconds, which overrides the pod's for this kill. */
  terminationGracePeriodSeconds?: number;
}

const ORDER: ProbeType[] = ['Startup', 'Readiness', 'Liveness'];
const FIELD: Record<ProbeType, string> = { Startup: 'startupProbe', Readiness: 'readinessProbe', Liveness: 'livenessProbe' };

export class ProbeManager {
  private readonly pods = new Map<string, Map<string, Instance>>();
  private readonly host: WorkerHost;
  private readonly onChange: (podUID: string) => void;
  private readonly log: Logger;
  private stopped = false;

  constructor(o: ProbeManagerOptions) {
    const clock = o.clock ?? realClock;
    this.onChange = o.onChange;
    this.log = o.log ?? stderrLogger('prober');
    this.host = {
      clock,
      runtime: o.runtime,
      events: o.recorder,
      random: o.random ?? Math.random,
      startedAt: clock.now(),
      isStarted: (inst) => this.isStarted(inst),
      setResult: (w, r) => this.setResult(w, r),
      logError: (msg) => this.log.error(msg),
    };
  }

  /**
   * A container instance is running (just started, or found running after a kubelet
   * restart): start its probes. Calling it again for the same containerId only refreshes the
   * pod object and pod IP; a new containerId replaces the previous instance and resumes
   * probing after a liveness failure.
   */
  addContainer(pod: Obj, containerName: string, containerId: string, podIP: string | undefined, startedAt: Date): void {
    if (this.stopped) return;
    const uid = String(pod.metadata?.uid ?? '');
    let byName = this.pods.get(uid);
    if (!byName) this.pods.set(uid, (byName = new Map()));
    const cur = byName.get(containerName);
    const spec = findContainer(pod, containerName);
    if (cur && cur.id === containerId) {
      cur.pod = pod;
      if (spec) cur.container = spec;
      if (podIP) cur.podIP = podIP;
      return;
    }
    if (cur) dispose(cur);
    const inst: Instance = {
      podUID: uid, name: containerName, pod, container: spec ?? { name: containerName }, id: containerId, podIP,
      startedAt: startedAt.getTime(), abort: new AbortController(), workers: new Map(),
    };
    byName.set(containerName, inst);
    for (const type of ORDER) {
      const probe = spec?.[FIELD[type]];
      if (probe) inst.workers.set(type, new Worker(this.host, inst, type, probe));
    }
    for (const w of inst.workers.values()) w.start();
  }

  /** A newer pod object (deletionTimestamp, pod IP) for every tracked container of the pod. */
  updatePod(pod: Obj, podIP?: string): void {
    for (const inst of this.pods.get(String(pod.metadata?.uid ?? ''))?.values() ?? []) {
      inst.pod = pod;
      if (podIP) inst.podIP = podIP;
    }
  }

  /** The container stopped (or is being replaced): stop probing it and forget its results. */
  removeContainer(podUID: string, containerName: string): void {
    const byName = this.pods.get(podUID);
    const inst = byName?.get(containerName);
    if (!inst) return;
    dispose(inst);
    byName!.delete(containerName);
    if (byName!.size === 0) this.pods.delete(podUID);
  }

  removePod(podUID: string): void {
    for (const inst of this.pods.get(podUID)?.values() ?? []) dispose(inst);
    this.pods.delete(podUID);
  }

  /** The pod is terminating: liveness and startup probes stop and can no longer fail it. */
  stopLivenessAndStartup(podUID: string): void {
    for (const inst of this.pods.get(podUID)?.values() ?? []) {
      inst.workers.get('Liveness')?.finish();
      inst.workers.get('Startup')?.finish();
    }
  }

  /**
   * Whether the running container is ready: started, and its readiness probe has succeeded
   * (always, once started, without a readiness probe). Asking before the first readiness
   * probe has run triggers it at once, as the kubelet's status update does.
   */
  ready(podUID: string, containerName: string): boolean {
    const inst = this.pods.get(podUID)?.get(containerName);
    if (!inst || !this.isStarted(inst)) return false;
    const w = inst.workers.get('Readiness');
    if (!w || w.result === 'success') return true;
    if (!w.probed && !w.onHold) w.trigger();
    return false;
  }

  /** Whether the running container has started: its startup probe passed, or it has none. */
  started(podUID: string, containerName: string): boolean {
    const inst = this.pods.get(podUID)?.get(containerName);
    return !!inst && this.isStarted(inst);
  }

  /** The Killing message when a liveness (or startup) probe has failed the container. */
  livenessFailure(podUID: string, containerName: string): string | undefined {
    return this.probeFailure(podUID, containerName)?.message;
  }

  probeFailure(podUID: string, containerName: string): ProbeFailure | undefined {
    const inst = this.pods.get(podUID)?.get(containerName);
    if (!inst) return undefined;
    const restart = inst.container.restartPolicy === 'Always' || inst.pod.spec?.restartPolicy !== 'Never';
    const suffix = restart ? ', will be restarted' : '';
    for (const type of ['Liveness', 'Startup'] as const) {
      const w = inst.workers.get(type);
      if (!w || w.done || w.result !== 'failure') continue;
      const grace = w.probe.terminationGracePeriodSeconds;
      return {
        probe: type,
        reason: type === 'Liveness' ? 'LivenessProbe' : 'StartupProbe',
        message: `Container ${containerName} failed ${type.toLowerCase()} probe${suffix}`,
        ...(typeof grace === 'number' ? { terminationGracePeriodSeconds: grace } : {}),
      };
    }
    return undefined;
  }

  /** Stops every worker and timer and drops all state. */
  stop(): void {
    this.stopped = true;
    for (const uid of [...this.pods.keys()]) this.removePod(uid);
  }

  private isStarted(inst: Instance): boolean {
    const w = inst.workers.get('Startup');
    return !w || w.done || w.result === 'success';
  }

  private setResult(w: Worker, r: CachedResult): void {
    if (w.result === r) return;
    w.result = r;
    // The kubelet's sync loop reacts to liveness failures only; readiness and startup
    // changes always change the pod's status.
    if (w.type === 'Liveness' && r !== 'failure') return;
    try {
      this.onChange(w.inst.podUID);
    } catch (err) {
      this.log.error(`onChange(${w.inst.podUID}): ${String(err)}`);
    }
  }
}

function dispose(inst: Instance): void {
  for (const w of inst.workers.values()) w.stop();
  inst.abort.abort();
}

/** Regular containers and sidecars (restartable init containers) can have probes. */
function findContainer(pod: Obj, name: string): Obj | undefined {
  const spec = pod.spec ?? {};
  return (spec.containers ?? []).find((c: Obj) => c.name === name)
    ?? (spec.initContainers ?? []).find((c: Obj) => c.name === name);
}
