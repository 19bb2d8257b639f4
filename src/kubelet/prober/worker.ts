// A probe worker (pkg/kubelet/prober/worker.go): one per container instance and probe type.
// It ticks every periodSeconds (the first tick at a random point of the first period while
// the kubelet has only just started, so a restart does not probe everything at once), skips
// ticks during initialDelaySeconds, keeps liveness and readiness quiet until the container
// has started (startup probe passed) and the startup probe quiet afterwards, and turns runs
// of successThreshold successes / failureThreshold failures into a result. A liveness or
// startup failure puts the worker on hold: the container is going to be killed, and the next
// instance gets a fresh worker. Probes of one worker never overlap; a tick that falls due
// while a probe is still running starts the next probe as soon as it ends (Go's buffered tick).

import type { Obj } from '../../api/types.js';
import type { Clock, TimerHandle } from '../../client/clock.js';
import { positive, probeOnce, type ProbeEventSink } from './prober.js';
import type { ProbeRuntime, ProbeType } from './types.js';

/** A results-manager value: 'unknown' is the startup probe's value before its first verdict. */
export type CachedResult = 'success' | 'failure' | 'unknown';

/** One running container instance as the manager tracks it. */
export interface Instance {
  podUID: string;
  name: string;
  pod: Obj;
  container: Obj;
  id: string;
  podIP: string | undefined;
  startedAt: number;
  /** Aborted when this instance stops being probed: in-flight probes drop their sockets. */
  abort: AbortController;
  workers: Map<ProbeType, Worker>;
}

export interface WorkerHost {
  clock: Clock;
  runtime: ProbeRuntime;
  events: ProbeEventSink;
  random: () => number;
  /** When the manager was created (the jitter applies within one period of it). */
  startedAt: number;
  isStarted(inst: Instance): boolean;
  setResult(w: Worker, r: CachedResult): void;
  logError(msg: string): void;
}

const INITIAL: Record<ProbeType, CachedResult> = { Readiness: 'failure', Liveness: 'success', Startup: 'unknown' };

export class Worker {
  /** The value the rest of the kubelet sees (results manager). */
  result: CachedResult;
  /** Stopped for good with its result withdrawn (pod terminating). */
  done = false;
  /** At least one probe ran against this instance (readiness: no more manual triggers needed). */
  probed = false;
  onHold = false;
  private lastResult: 'success' | 'failure' | undefined;
  private resultRun = 0;
  private stopped = false;
  private timer: TimerHandle | undefined;
  private triggerTimer: TimerHandle | undefined;
  private nextAt = 0;
  private inFlight = false;
  private pending = false;
  private readonly periodMs: number;

  constructor(private readonly host: WorkerHost, readonly inst: Instance, readonly type: ProbeType, readonly probe: Obj) {
    this.result = INITIAL[type];
    this.periodMs = positive(probe.periodSeconds, 10) * 1000;
  }

  start(): void {
    const { clock } = this.host;
    const now = clock.now();
    const delay = this.periodMs > now - this.host.startedAt ? Math.floor(this.host.random() * this.periodMs) : 0;
    this.nextAt = now + delay;
    this.timer = clock.setTimer(this.tick, delay);
  }

  /** Stops probing; a probe in flight finishes but its verdict is dropped. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.host.clock.clearTimer(this.timer);
    if (this.triggerTimer !== undefined) this.host.clock.clearTimer(this.triggerTimer);
    this.timer = this.triggerTimer = undefined;
  }

  /** Stops probing and withdraws the result (StopLivenessAndStartup, pod deletion). */
  finish(): void {
    this.stop();
    this.done = true;
  }

  /** Probe now (readiness asked for before its first probe), without disturbing the ticker. */
  trigger(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    if (this.triggerTimer !== undefined) return;
    this.triggerTimer = this.host.clock.setTimer(() => {
      this.triggerTimer = undefined;
      this.run();
    }, 0);
  }

  private readonly tick = (): void => {
    this.timer = undefined;
    if (this.stopped) return;
    const now = this.host.clock.now();
    // Fixed rate like a Go ticker; ticks missed while the process stalled are dropped.
    this.nextAt += this.periodMs * Math.max(1, Math.ceil((now - this.nextAt) / this.periodMs));
    this.timer = this.host.clock.setTimer(this.tick, this.nextAt - now);
    this.run();
  };

  private run(): void {
    if (this.stopped) return;
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = true;
    this.doProbe()
      .catch((err: unknown) => this.host.logError(`${this.type} probe of ${this.inst.podUID}/${this.inst.name}: ${String(err)}`))
      .finally(() => {
        this.inFlight = false;
        if (this.pending && !this.stopped) {
          this.pending = false;
          this.run();
        }
      });
  }

  private async doProbe(): Promise<void> {
    if (this.onHold) return;
    const { inst, type, host } = this;
    if (inst.pod.metadata?.deletionTimestamp && (type === 'Liveness' || type === 'Startup')) {
      // A terminating pod is not restarted by its probes: settle quietly and stop.
      host.setResult(this, 'success');
      this.finish();
      return;
    }
    if (Math.trunc((host.clock.now() - inst.startedAt) / 1000) < positive(this.probe.initialDelaySeconds, 0)) return;
    const started = host.isStarted(inst);
    if (type === 'Startup' ? started : !started) return;

    this.probed = true;
    const res = await probeOnce(host.runtime, host.events, type, this.probe,
      { pod: inst.pod, container: inst.container, containerId: inst.id, podIP: inst.podIP },
      { clock: host.clock, signal: inst.abort.signal });
    if (this.stopped || res === undefined) return; // errored probes leave the state as it was

    if (this.lastResult === res) this.resultRun++;
    else {
      this.lastResult = res;
      this.resultRun = 1;
    }
    if ((res === 'failure' && this.resultRun < positive(this.probe.failureThreshold, 3))
      || (res === 'success' && this.resultRun < positive(this.probe.successThreshold, 1))) return;

    host.setResult(this, res);
    if ((type === 'Liveness' || type === 'Startup') && res === 'failure') {
      this.onHold = true;
      this.resultRun = 0;
    }
  }
}
