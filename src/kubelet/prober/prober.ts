// One probe of one container (pkg/kubelet/prober/prober.go): pick the handler, run it — again,
// up to three times, while it errors — and turn the outcome into a result plus the
// kubelet's Warning events: Unhealthy "<Type> probe failed: <output>", ProbeWarning
// "<Type> probe warning: <output>", Unhealthy "<Type> probe errored and resulted in <result>
// state: <error>". An errored probe yields no result: the worker discards it.

import type { Obj } from '../../api/types.js';
import { containerFieldPath } from '../events/fieldpath.js';
import { execProbe } from './exec.js';
import { grpcProbe } from './grpc.js';
import { httpProbe } from './http.js';
import { resolveContainerPort } from './port.js';
import { tcpProbe } from './tcp.js';
import type { ProbeContext, ProbeOutcome, ProbeRuntime, ProbeType } from './types.js';

const MAX_PROBE_RETRIES = 3;

/** What the prober needs to emit events (src/client's EventRecorder fits). */
export interface ProbeEventSink {
  event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string, annotations?: Record<string, string>, fieldPath?: string): void;
}

export interface ProbeTarget {
  pod: Obj;
  container: Obj;
  containerId: string;
  podIP: string | undefined;
}

/** Runs the probe's handler once. */
export async function runProbe(runtime: ProbeRuntime, probe: Obj, t: ProbeTarget, ctx: ProbeContext): Promise<ProbeOutcome> {
  const timeout = positive(probe.timeoutSeconds, 1);
  const podIP = t.podIP ?? '';
  if (probe.exec) return execProbe(runtime, t.containerId, probe.exec, t.container, timeout, ctx);
  if (probe.httpGet) return httpProbe(probe.httpGet, t.container, podIP, timeout, ctx);
  if (probe.tcpSocket) {
    let port: number;
    try {
      port = resolveContainerPort(probe.tcpSocket.port, t.container);
    } catch (err) {
      return { result: 'unknown', output: '', error: err as Error };
    }
    return tcpProbe(probe.tcpSocket.host || podIP, port, timeout, ctx);
  }
  if (probe.grpc) return grpcProbe(podIP, probe.grpc.service ?? '', Number(probe.grpc.port), timeout, ctx);
  const m = t.pod.metadata ?? {};
  return { result: 'unknown', output: '', error: new Error(`missing probe handler for ${m.name}_${m.namespace}(${m.uid}):${t.container.name}`) };
}

/**
 * Probes and reports. Resolves 'success' or 'failure', or undefined when the probe errored
 * (the caller keeps its state unchanged).
 */
export async function probeOnce(
  runtime: ProbeRuntime, events: ProbeEventSink, type: ProbeType, probe: Obj, t: ProbeTarget, ctx: ProbeContext,
): Promise<'success' | 'failure' | undefined> {
  let out: ProbeOutcome = { result: 'unknown', output: '' };
  for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
    out = await runProbe(runtime, probe, t, ctx);
    if (ctx.signal.aborted) return undefined; // container gone: nothing to report
    if (!out.error) break;
  }
  const ref = podRef(t.pod);
  const fieldPath = containerFieldPath(t.pod, t.container.name);
  if (out.error) {
    events.event(ref, 'Warning', 'Unhealthy', `${type} probe errored and resulted in ${out.result} state: ${out.error.message}`, undefined, fieldPath);
    return undefined;
  }
  switch (out.result) {
    case 'success':
      return 'success';
    case 'warning':
      events.event(ref, 'Warning', 'ProbeWarning', `${type} probe warning: ${out.output}`, undefined, fieldPath);
      return 'success';
    case 'failure':
      events.event(ref, 'Warning', 'Unhealthy', `${type} probe failed: ${out.output}`, undefined, fieldPath);
      return 'failure';
    default:
      return 'failure';
  }
}

/** Pods from list responses may lack apiVersion/kind, which the event's involvedObject needs. */
function podRef(pod: Obj): Obj {
  return { apiVersion: pod.apiVersion ?? 'v1', kind: pod.kind ?? 'Pod', metadata: pod.metadata };
}

export function positive(v: unknown, dflt: number): number {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : dflt;
}
