// The kubelet's resource statistics: the Summary API (/stats/summary) from CRI and the host.
export { StatsProvider, realHost, nsToTime, type StatsProviderOptions, type StatsRuntime, type HostReader } from './summary.js';
export { CpuRates } from './rates.js';
export type { Summary, NodeStats, PodStats, ContainerStats, CPUStats, MemoryStats, NetworkStats, FsStats, VolumeStats, InterfaceStats } from './types.js';
