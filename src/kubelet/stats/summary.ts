// The Summary API (/stats/summary) the way the kubelet's CRI stats provider builds it:
// pods and containers from the runtime (ListPodSandbox, ListContainers, and the stats in
// ListPodSandboxStats — containerd 1.6 has it; ListContainerStats where it does not), the
// node from the host's cgroups and /proc, file systems from statfs, logs and volumes from
// the kubelet's directories. usageNanoCores comes from this provider's own previous sample
// of each container, pod and the node (CpuRates), so it appears from the second request on.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CallOptions } from '../cri/client.js';
import type {
  ContainerStats as CriContainerStats, FilesystemUsage, ImageFsInfoResponse, ListContainerStatsRequest, ListContainerStatsResponse,
  ListContainersRequest, ListContainersResponse, ListPodSandboxRequest, ListPodSandboxResponse, ListPodSandboxStatsRequest,
  ListPodSandboxStatsResponse, NetworkInterfaceUsage, PodSandboxStats, UInt64Value,
} from '../cri/types.js';
import * as host from './host.js';
import { CpuRates } from './rates.js';
import {
  SYSTEM_CONTAINER_KUBELET, SYSTEM_CONTAINER_PODS, SYSTEM_CONTAINER_RUNTIME,
  type CPUStats, type ContainerStats, type FsStats, type InterfaceStats, type MemoryStats, type NetworkStats, type PodStats, type Summary, type VolumeStats,
} from './types.js';

/** The CRI calls the provider makes (CriClient has them). */
export interface StatsRuntime {
  listPodSandbox(req?: ListPodSandboxRequest, opts?: CallOptions): Promise<ListPodSandboxResponse>;
  listContainers(req?: ListContainersRequest, opts?: CallOptions): Promise<ListContainersResponse>;
  listContainerStats(req?: ListContainerStatsRequest, opts?: CallOptions): Promise<ListContainerStatsResponse>;
  listPodSandboxStats?(req?: ListPodSandboxStatsRequest, opts?: CallOptions): Promise<ListPodSandboxStatsResponse>;
  imageFsInfo(opts?: CallOptions): Promise<ImageFsInfoResponse>;
}

/** What the host gives; replaceable in tests. */
export interface HostReader {
  cgroup(at: string | host.CgroupPaths): host.CgroupSample | undefined;
  processCgroup(pid: number | 'self'): host.CgroupPaths | undefined;
  procStatCpuNs(): bigint | undefined;
  memoryCapacity(): bigint | undefined;
  netDev(): InterfaceStats[];
  fsUsage(path: string): host.FsUsage | undefined;
  diskUsage(dir: string): { bytes: number; inodes: number } | undefined;
  rlimit(): { maxpid?: number; curproc?: number };
  bootTime(): number | undefined;
  listDir(dir: string): string[];
}

export const realHost: HostReader = {
  cgroup: (at) => host.readCgroup(at),
  processCgroup: (pid) => host.processCgroup(pid),
  procStatCpuNs: () => host.procStatCpu(),
  memoryCapacity: () => host.memoryCapacity(),
  netDev: () => host.netDev(),
  fsUsage: (p) => host.fsUsage(p),
  diskUsage: (d) => host.diskUsage(d),
  rlimit: () => host.rlimit(),
  bootTime: () => host.bootTime(),
  listDir: (d) => { try { return readdirSync(d); } catch { return []; } },
};

export interface StatsProviderOptions {
  nodeName: string;
  /** The server's data dir: DATA_DIR/kubelet/pods (volumes), DATA_DIR/logs/pods (container logs). */
  dataDir: string;
  cri: StatsRuntime;
  /** The pods' parent cgroup (default /kubepods). */
  cgroupRoot?: string;
  /** containerd's pid, for the "runtime" system container. */
  runtimePid?: () => number | undefined;
  host?: HostReader;
  /** ns since the epoch (tests). */
  nowNs?: () => bigint;
  /** When this kubelet started (the "kubelet" system container's startTime). */
  startedAt?: Date;
}

const num = (v: UInt64Value | null | undefined): number | undefined => (v ? Number(v.value) : undefined);
const big = (v: UInt64Value | null | undefined): bigint | undefined => (v ? BigInt(v.value) : undefined);
/** ns since the epoch (a CRI timestamp) → RFC 3339 with the precision Go's metav1.Time keeps (seconds). */
export function nsToTime(ns: string | bigint): string {
  return new Date(Number(BigInt(ns) / 1_000_000n)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
const drop = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** Volume plugins the kubelet counts into a pod's ephemeral storage (its IsLocalEphemeralVolume; secrets and projected tokens are tmpfs). */
const EPHEMERAL_PLUGINS = new Set(['kubernetes.io~empty-dir', 'kubernetes.io~configmap', 'kubernetes.io~downward-api']);

export class StatsProvider {
  private readonly rates = new CpuRates();
  private readonly host: HostReader;
  private readonly nowNs: () => bigint;
  private readonly startedAt: Date;
  private sandboxStatsUnsupported = false;

  constructor(private readonly o: StatsProviderOptions) {
    this.host = o.host ?? realHost;
    this.nowNs = o.nowNs ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.startedAt = o.startedAt ?? new Date();
  }

  private cpu(key: string, usageNs: bigint | undefined, atNs: bigint): CPUStats {
    const out: CPUStats = { time: nsToTime(atNs) };
    if (usageNs === undefined) return out;
    out.usageNanoCores = this.rates.rate(key, usageNs, atNs);
    out.usageCoreNanoSeconds = Number(usageNs);
    return drop(out);
  }

  /** A cgroup's CPU and memory; `capacity` (the node's memory) stands in for a missing limit when given. */
  private cgroupStats(key: string, at: string | host.CgroupPaths, atNs: bigint, capacity?: bigint): { cpu: CPUStats; memory: MemoryStats } | undefined {
    const s = this.host.cgroup(at);
    if (!s) return undefined;
    const limit = s.limitBytes ?? capacity;
    const memory: MemoryStats = drop({
      time: nsToTime(atNs),
      availableBytes: limit !== undefined && s.workingSetBytes !== undefined ? Number(limit > s.workingSetBytes ? limit - s.workingSetBytes : 0n) : undefined,
      usageBytes: s.usageBytes !== undefined ? Number(s.usageBytes) : undefined,
      workingSetBytes: s.workingSetBytes !== undefined ? Number(s.workingSetBytes) : undefined,
      rssBytes: s.rssBytes !== undefined ? Number(s.rssBytes) : undefined,
      pageFaults: s.pageFaults !== undefined ? Number(s.pageFaults) : undefined,
      majorPageFaults: s.majorPageFaults !== undefined ? Number(s.majorPageFaults) : undefined,
    });
    return { cpu: this.cpu(key, s.cpuUsageNs, atNs), memory };
  }

  private fs(u: host.FsUsage | undefined, time: string, used?: { bytes?: number; inodes?: number }): FsStats {
    return drop({
      time,
      availableBytes: u?.availableBytes, capacityBytes: u?.capacityBytes,
      usedBytes: used ? used.bytes : u?.usedBytes,
      inodesFree: u?.inodesFree, inodes: u?.inodes,
      inodesUsed: used ? used.inodes : u?.inodesUsed,
    });
  }

  private criCpu(key: string, c: CriContainerStats['cpu']): CPUStats | undefined {
    if (!c) return undefined;
    return this.cpu(key, big(c.usageCoreNanoSeconds), BigInt(c.timestamp || this.nowNs()));
  }

  private criMemory(m: CriContainerStats['memory']): MemoryStats | undefined {
    if (!m) return undefined;
    const available = num(m.availableBytes);
    return drop({
      time: nsToTime(m.timestamp || this.nowNs()),
      // containerd reports 0 when there is no limit; the Summary API omits it then
      availableBytes: available ? available : undefined,
      usageBytes: num(m.usageBytes), workingSetBytes: num(m.workingSetBytes), rssBytes: num(m.rssBytes),
      pageFaults: num(m.pageFaults), majorPageFaults: num(m.majorPageFaults),
    });
  }

  private network(n: NonNullable<PodSandboxStats['linux']>['network'], atNs: bigint): NetworkStats | undefined {
    if (!n) return undefined;
    const iface = (i: NetworkInterfaceUsage): InterfaceStats => drop({ name: i.name, rxBytes: num(i.rxBytes), rxErrors: num(i.rxErrors), txBytes: num(i.txBytes), txErrors: num(i.txErrors) });
    const all = [...(n.defaultInterface ? [n.defaultInterface] : []), ...n.interfaces].map(iface);
    const def = n.defaultInterface ? iface(n.defaultInterface) : undefined;
    return drop({ time: nsToTime(n.timestamp && n.timestamp !== '0' ? n.timestamp : atNs), ...def, interfaces: all.length ? all : undefined });
  }

  /** The whole summary; `onlyCpuAndMemory` (the kubelet's only_cpu_and_memory) skips network, fs and volumes. */
  async summary(opts: { onlyCpuAndMemory?: boolean } = {}): Promise<Summary> {
    const callOpts = { timeoutMs: 30_000 };
    const [sandboxes, containers] = await Promise.all([
      this.o.cri.listPodSandbox({ filter: { state: { state: 'SANDBOX_READY' } } }, callOpts),
      this.o.cri.listContainers({ filter: { state: { state: 'CONTAINER_RUNNING' } } }, callOpts),
    ]);
    let podStats: PodSandboxStats[] | undefined;
    if (this.o.cri.listPodSandboxStats && !this.sandboxStatsUnsupported) {
      try {
        podStats = (await this.o.cri.listPodSandboxStats({}, callOpts)).stats;
      } catch (e) {
        if ((e as { code?: number }).code !== 12 /* UNIMPLEMENTED */) throw e;
        this.sandboxStatsUnsupported = true;
      }
    }
    const containerStats = podStats ? podStats.flatMap((p) => p.linux?.containers ?? []) : (await this.o.cri.listContainerStats({}, callOpts)).stats;
    const byPodStats = new Map((podStats ?? []).map((p) => [p.attributes?.id ?? '', p]));
    const cStatsById = new Map(containerStats.map((c) => [c.attributes?.id ?? '', c]));
    let imageFs: ImageFsInfoResponse | undefined;
    if (!opts.onlyCpuAndMemory) imageFs = await this.o.cri.imageFsInfo(callOpts).catch(() => undefined);

    const nowNs = this.nowNs();
    const now = nsToTime(nowNs);
    const nodeFsUsage = this.host.fsUsage(this.o.dataDir);
    const imgUsage: FilesystemUsage | undefined = imageFs?.imageFilesystems[0];
    const imageFsUsage = imgUsage?.fsId?.mountpoint ? this.host.fsUsage(imgUsage.fsId.mountpoint) : nodeFsUsage;
    const podsDir = join(this.o.dataDir, 'kubelet', 'pods');
    const logsDir = join(this.o.dataDir, 'logs', 'pods');

    const pods: PodStats[] = [];
    for (const sb of sandboxes.items) {
      const md = sb.metadata;
      if (!md?.uid) continue;
      const ps = byPodStats.get(sb.id);
      const mine = containers.containers.filter((c) => c.podSandboxId === sb.id);
      // one entry per container name: the newest running instance
      const newest = new Map<string, typeof mine[number]>();
      for (const c of mine) {
        const name = c.metadata?.name ?? '';
        const prev = newest.get(name);
        if (!prev || BigInt(c.createdAt) > BigInt(prev.createdAt)) newest.set(name, c);
      }
      const podLogDir = join(logsDir, `${md.namespace}_${md.name}_${md.uid}`);
      const cs: ContainerStats[] = [];
      let ephUsed = 0, ephInodes = 0;
      for (const [name, c] of [...newest].sort(([a], [b]) => a.localeCompare(b))) {
        const st = cStatsById.get(c.id);
        const out: ContainerStats = { name, startTime: nsToTime(c.createdAt) };
        const cpu = this.criCpu(`c/${c.id}`, st?.cpu ?? null);
        if (cpu) out.cpu = cpu;
        const mem = this.criMemory(st?.memory ?? null);
        if (mem) out.memory = mem;
        if (!opts.onlyCpuAndMemory) {
          const wl = st?.writableLayer;
          out.rootfs = this.fs(imageFsUsage, wl?.timestamp ? nsToTime(wl.timestamp) : now, { bytes: num(wl?.usedBytes) ?? 0, inodes: num(wl?.inodesUsed) ?? 0 });
          const logs = this.host.diskUsage(join(podLogDir, name)) ?? { bytes: 0, inodes: 0 };
          out.logs = this.fs(nodeFsUsage, now, logs);
          ephUsed += (out.rootfs.usedBytes ?? 0) + logs.bytes;
          ephInodes += (out.rootfs.inodesUsed ?? 0) + logs.inodes;
        }
        cs.push(out);
      }
      const pod: PodStats = { podRef: { name: md.name, namespace: md.namespace, uid: md.uid }, startTime: nsToTime(sb.createdAt), containers: cs };
      const lx = ps?.linux;
      const pcpu = lx?.cpu ? this.criCpu(`p/${sb.id}`, lx.cpu) : undefined;
      const pmem = lx?.memory ? this.criMemory(lx.memory) : undefined;
      if (pcpu) pod.cpu = pcpu; else if (cs.some((c) => c.cpu)) pod.cpu = sumCpu(cs, now);
      if (pmem) pod.memory = pmem; else if (cs.some((c) => c.memory)) pod.memory = sumMemory(cs, now);
      if (!opts.onlyCpuAndMemory) {
        const net = lx?.network ? this.network(lx.network, nowNs) : undefined;
        if (net) pod.network = net;
        const volumes = this.volumes(join(podsDir, md.uid, 'volumes'), nodeFsUsage, now);
        if (volumes.length) pod.volume = volumes;
        for (const v of volumes) if (v.ephemeral) { ephUsed += v.usedBytes ?? 0; ephInodes += v.inodesUsed ?? 0; }
        const hosts = this.host.diskUsage(join(podsDir, md.uid, 'etc-hosts'));
        if (hosts) { ephUsed += hosts.bytes; ephInodes += hosts.inodes; }
        for (const v of volumes) delete v.ephemeral;
        pod['ephemeral-storage'] = this.fs(nodeFsUsage, now, { bytes: ephUsed, inodes: ephInodes });
        const procs = num(lx?.process?.processCount);
        if (procs !== undefined) pod.process_stats = { process_count: procs };
      }
      pods.push(pod);
    }

    const node = this.nodeStats(nowNs, !!opts.onlyCpuAndMemory, nodeFsUsage, imageFsUsage, imgUsage);
    this.rates.prune();
    return { node, pods };
  }

  /** Volume dirs (kubernetes.io~<plugin>/<name>) with their usage; emptyDir, configMap and downwardAPI count as ephemeral storage. */
  private volumes(dir: string, nodeFs: host.FsUsage | undefined, time: string): (VolumeStats & { ephemeral?: boolean })[] {
    const out: (VolumeStats & { ephemeral?: boolean })[] = [];
    for (const plugin of this.host.listDir(dir).sort()) {
      for (const name of this.host.listDir(join(dir, plugin)).sort()) {
        const path = join(dir, plugin, name);
        const used = this.host.diskUsage(path);
        if (!used) continue;
        const fsu = this.host.fsUsage(path) ?? nodeFs;
        out.push({ ...this.fs(fsu, time, used), name, ephemeral: EPHEMERAL_PLUGINS.has(plugin) });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private nodeStats(nowNs: bigint, only: boolean, nodeFs: host.FsUsage | undefined, imageFs: host.FsUsage | undefined, img: FilesystemUsage | undefined): Summary['node'] {
    const now = nsToTime(nowNs);
    const capacity = this.host.memoryCapacity();
    const root = this.cgroupStats('node', '/', nowNs, capacity);
    const boot = this.host.bootTime();
    const node: Summary['node'] = { nodeName: this.o.nodeName, startTime: boot ? nsToTime(BigInt(boot) * 1_000_000n) : now };
    if (root) { node.cpu = root.cpu; node.memory = root.memory; }
    if (!node.cpu?.usageCoreNanoSeconds) {
      const ns = this.host.procStatCpuNs();
      if (ns !== undefined) node.cpu = this.cpu('node', ns, nowNs);
    }
    const sys: ContainerStats[] = [];
    const addSys = (name: string, at: string | host.CgroupPaths | undefined, startTime: string) => {
      if (at === undefined) return;
      const s = this.cgroupStats(`sys/${name}`, at, nowNs);
      if (s) sys.push({ name, startTime, cpu: s.cpu, memory: s.memory });
    };
    addSys(SYSTEM_CONTAINER_KUBELET, this.host.processCgroup('self'), this.startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const rpid = this.o.runtimePid?.();
    addSys(SYSTEM_CONTAINER_RUNTIME, rpid ? this.host.processCgroup(rpid) : undefined, node.startTime);
    addSys(SYSTEM_CONTAINER_PODS, this.o.cgroupRoot ?? '/kubepods', node.startTime);
    if (sys.length) node.systemContainers = sys;
    if (only) return node;
    const ifaces = this.host.netDev();
    if (ifaces.length) node.network = { time: now, ...host.defaultInterface(ifaces), interfaces: ifaces };
    node.fs = this.fs(nodeFs, now);
    const imageFsStats = this.fs(imageFs, img?.timestamp ? nsToTime(img.timestamp) : now, img ? { bytes: num(img.usedBytes), inodes: num(img.inodesUsed) } : undefined);
    node.runtime = { imageFs: imageFsStats, containerFs: imageFsStats };
    const rl = this.host.rlimit();
    node.rlimit = drop({ time: now, maxpid: rl.maxpid, curproc: rl.curproc });
    return node;
  }
}

function sumCpu(cs: ContainerStats[], time: string): CPUStats {
  const have = cs.filter((c) => c.cpu);
  const total = (k: 'usageNanoCores' | 'usageCoreNanoSeconds') => (have.every((c) => c.cpu![k] !== undefined) ? have.reduce((a, c) => a + c.cpu![k]!, 0) : undefined);
  return drop({ time, usageNanoCores: total('usageNanoCores'), usageCoreNanoSeconds: total('usageCoreNanoSeconds') });
}

function sumMemory(cs: ContainerStats[], time: string): MemoryStats {
  const have = cs.filter((c) => c.memory);
  const total = (k: 'usageBytes' | 'workingSetBytes' | 'rssBytes' | 'pageFaults' | 'majorPageFaults') => (have.every((c) => c.memory![k] !== undefined) ? have.reduce((a, c) => a + c.memory![k]!, 0) : undefined);
  return drop({ time, usageBytes: total('usageBytes'), workingSetBytes: total('workingSetBytes'), rssBytes: total('rssBytes'), pageFaults: total('pageFaults'), majorPageFaults: total('majorPageFaults') });
}
