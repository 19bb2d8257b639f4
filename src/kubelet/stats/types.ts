// The kubelet's Summary API (stats/v1alpha1), served at /stats/summary: the shape
// metrics-server, `kubectl top` pipelines and eviction read. Field names and omitempty rules
// as the upstream Go types; times are RFC 3339 strings, counters plain numbers.

export interface CPUStats { time: string; usageNanoCores?: number; usageCoreNanoSeconds?: number }

export interface MemoryStats {
  time: string;
  /** Limit (or node capacity) minus working set; omitted when there is no limit. */
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface InterfaceStats { name: string; rxBytes?: number; rxErrors?: number; txBytes?: number; txErrors?: number }

/** The default interface's counters inline, every interface under `interfaces`. */
export interface NetworkStats extends Partial<InterfaceStats> { time: string; interfaces?: InterfaceStats[] }

export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

export interface VolumeStats extends FsStats { name: string; pvcRef?: { name: string; namespace: string } }

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  rootfs?: FsStats;
  logs?: FsStats;
}

export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: ContainerStats[];
  cpu?: CPUStats;
  memory?: MemoryStats;
  network?: NetworkStats;
  volume?: VolumeStats[];
  'ephemeral-storage'?: FsStats;
  process_stats?: { process_count?: number };
}

export interface NodeStats {
  nodeName: string;
  systemContainers?: ContainerStats[];
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  network?: NetworkStats;
  fs?: FsStats;
  runtime?: { imageFs?: FsStats; containerFs?: FsStats };
  rlimit?: { time: string; maxpid?: number; curproc?: number };
}

export interface Summary { node: NodeStats; pods: PodStats[] }

/** Container names under node.systemContainers, as the kubelet names them. */
export const SYSTEM_CONTAINER_KUBELET = 'kubelet';
export const SYSTEM_CONTAINER_RUNTIME = 'runtime';
export const SYSTEM_CONTAINER_PODS = 'pods';
