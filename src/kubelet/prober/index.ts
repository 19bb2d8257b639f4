// The kubelet's prober: liveness, readiness and startup probes (exec, httpGet, tcpSocket,
// grpc) per container instance, with the kubelet's timing, thresholds, results and events.

export { ProbeManager, type ProbeFailure, type ProbeManagerOptions } from './manager.js';
export type { ProbeEventSink } from './prober.js';
export { PROBE_USER_AGENT, type ProbeRuntime, type ProbeType } from './types.js';
