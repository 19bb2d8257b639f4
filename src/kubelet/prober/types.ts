// Shared vocabulary of the prober: what a single probe run yields and what the probers need
// from the rest of the kubelet. Result names are the kubelet's probe.Result strings, which
// appear verbatim in "... probe errored and resulted in <result> state" events.

import type { Clock } from '../../client/clock.js';

export type ProbeType = 'Liveness' | 'Readiness' | 'Startup';

/** One probe run's verdict (pkg/probe Result). warning counts as success but is reported. */
export type ProbeResult = 'success' | 'warning' | 'failure' | 'unknown';

export interface ProbeOutcome {
  result: ProbeResult;
  /** Text for events: the command output, the HTTP failure line, the dial error, ... */
  output: string;
  /** Set when the probe could not be run at all; the kubelet retries and then discards it. */
  error?: Error;
}

/** How exec probes reach the container (the core adapts CRI ExecSync to this). */
export interface ProbeRuntime {
  /**
   * Runs cmd in the container with a timeout in seconds. Resolves with the exit code and
   * output; rejects when the command could not be run. A rejection whose `code` is 4 (gRPC
   * DEADLINE_EXCEEDED, as CriError carries it) or that has `timedOut: true` means the command
   * timed out, which fails the probe instead of erroring it.
   */
  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }>;
}

/** What a probe handler gets for one run. */
export interface ProbeContext {
  clock: Clock;
  /** Aborted when the container or manager goes away: in-flight probes drop their sockets. */
  signal: AbortSignal;
}

/** Probe output (exec output, HTTP body) is read up to 10 KiB, as the kubelet does. */
export const MAX_PROBE_OUTPUT = 10 * 1024;

/** The kubelet's User-Agent for HTTP and gRPC probes (kube-probe/<major>.<minor>). */
export const PROBE_USER_AGENT = 'kube-probe/1.32';
