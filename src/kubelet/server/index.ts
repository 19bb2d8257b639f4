// The kubelet's HTTPS server: health, container logs, and exec/attach/port-forward streams
// proxied to the runtime's streaming server.
export { startKubeletServer, route, type KubeletServer, type KubeletServerOptions } from './server.js';
export { kubeletServingCert } from './cert.js';
export { proxyUpgrade, upstreamHead } from './proxy.js';
export type { ContainerLocator, LocatedContainer, StatsSource, StreamingRuntime } from './types.js';
