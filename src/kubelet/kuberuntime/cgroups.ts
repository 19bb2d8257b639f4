// Pod-level cgroups under the cgroupfs driver, as the kubelet's QoS and pod container
// managers keep them:
//  - at start the QoS tiers exist: <root> (the node's pods: CPU shares of the node's CPUs,
//    its allocatable memory), <root>/burstable and <root>/besteffort (CPU shares 2);
//  - before a pod's sandbox is created its cgroup <root>[/burstable|/besteffort]/pod<uid>
//    is made with the pod's limits (podresources.ts); the containers nest below it (their
//    cgroup parent), so the pod as a whole never exceeds them;
//  - burstable's CPU shares follow the sum of the Burstable pods' CPU requests;
//  - once the pod's containers and sandbox are gone its directories are removed.
// cgroup v1 has one tree per controller (a hybrid host also has a v2 tree for systemd);
// v2 one unified tree where controllers are enabled per level through cgroup.subtree_control.
// Every path is relative to a file system root, a parameter so tests can use a temp dir.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { errMsg, silentLogger, type Logger } from '../../client/log.js';
import { MIN_SHARES, podRequests, resourceConfigForPod, sharesToWeight, type PodResourceConfig, type PodResourceOptions } from './podresources.js';
import { milliCPUToShares, podCgroupParent, podQOSClass } from './resources.js';

export const CGROUP_FS = '/sys/fs/cgroup';
export const DEFAULT_CGROUP_ROOT = '/kubepods';

/** Every hierarchy root: [/sys/fs/cgroup] on v2, /sys/fs/cgroup/<controller> on v1. */
export function cgroupHierarchies(root = CGROUP_FS): string[] {
  if (!existsSync(root)) return [];
  if (existsSync(join(root, 'cgroup.controllers'))) return [root];
  try {
    return readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(root, e.name));
  } catch {
    return [];
  }
}

export function cgroupVersion(root = CGROUP_FS): 'v1' | 'v2' | undefined {
  if (existsSync(join(root, 'cgroup.controllers'))) return 'v2';
  return cgroupHierarchies(root).length ? 'v1' : undefined;
}

/**
 * Removes the pod's cgroup directories (children first) in every QoS tier; busy ones stay.
 * `rmdir` removes one directory (a cgroup's interface files do not keep it; a test's do).
 */
export function removePodCgroups(uid: string, cgroupRoot = DEFAULT_CGROUP_ROOT, root = CGROUP_FS, rmdir: (dir: string) => void = rmdirSync): void {
  for (const h of cgroupHierarchies(root)) {
    for (const tier of ['', '/burstable', '/besteffort']) {
      const dir = join(h, `${cgroupRoot}${tier}/pod${uid}`);
      if (!existsSync(dir)) continue;
      removeTree(dir, rmdir);
    }
  }
}

function removeTree(dir: string, rmdir: (dir: string) => void): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name), rmdir);
    rmdir(dir);
  } catch { /* still in use, or gone */ }
}

const read = (file: string): string => {
  try { return readFileSync(file, 'utf8').trim(); } catch { return ''; }
};

function write(file: string, value: string | number): void {
  try {
    writeFileSync(file, String(value));
  } catch (e) {
    throw new Error(`failed to write "${value}" to "${file}": ${errMsg(e)}`);
  }
}

/** The path's levels from the top: "/a/b/c" → ["/a", "/a/b", "/a/b/c"]. */
const levels = (path: string): string[] => {
  const parts = path.split('/').filter(Boolean);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
};

/** Controllers a pod cgroup needs on v2 (enabled down the tree when the host offers them). */
const V2_CONTROLLERS = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'];
/** v1 hierarchies that must hold the pod for it to count as existing (upstream's required subsystems). */
const V1_REQUIRED = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids'];

export interface PodCgroupsOptions {
  /** The cgroup file system (default /sys/fs/cgroup). */
  fsRoot?: string;
  /** The node's pods' cgroup (default /kubepods). */
  cgroupRoot?: string;
  /** cpuCFSQuota and podPidsLimit of the KubeletConfiguration. */
  resources?: PodResourceOptions;
  /** The pods the node runs (Burstable CPU shares); none: the burstable tier is not resized. */
  activePods?: () => Obj[];
  /** How one cgroup directory is removed (tests: a plain directory with files). */
  rmdir?: (dir: string) => void;
  log?: Logger;
}

/** Cgroup resource settings (ResourceConfig) for one cgroup. */
type Limits = Omit<PodResourceConfig, 'cpuShares'> & { cpuShares?: number };

export class PodCgroups {
  readonly fsRoot: string;
  readonly cgroupRoot: string;
  private readonly log: Logger;

  constructor(readonly o: PodCgroupsOptions = {}) {
    this.fsRoot = o.fsRoot ?? CGROUP_FS;
    this.cgroupRoot = o.cgroupRoot ?? DEFAULT_CGROUP_ROOT;
    this.log = o.log ?? silentLogger;
  }

  private detected?: 'v1' | 'v2';

  /** The host's cgroup version (found once; none yet: looked for again next time). */
  get version(): 'v1' | 'v2' | undefined {
    return (this.detected ??= cgroupVersion(this.fsRoot));
  }

  /** The pod's cgroup (the containers' cgroup parent). */
  podPath(pod: Obj): string {
    return podCgroupParent(pod, this.cgroupRoot);
  }

  /** The QoS tiers (qosContainerManager.Start): created, or brought back to their settings. */
  ensureQOS(node: { milliCPU: number; memoryBytes?: number }): void {
    const tiers: [string, Limits][] = [
      [this.cgroupRoot, { cpuShares: milliCPUToShares(node.milliCPU), ...(node.memoryBytes ? { memoryLimitBytes: node.memoryBytes } : {}) }],
      [`${this.cgroupRoot}/burstable`, {}],
      [`${this.cgroupRoot}/besteffort`, { cpuShares: MIN_SHARES }],
    ];
    for (const [path, limits] of tiers) {
      try {
        this.create(path, limits);
      } catch (e) {
        this.log.warn(`QoS cgroup ${path}: ${errMsg(e)}`);
      }
    }
    this.updateQOS();
  }

  /** Burstable's CPU shares from its pods' CPU requests (setCPUCgroupConfig). */
  updateQOS(): void {
    if (!this.o.activePods) return;
    let milli = 0;
    for (const p of this.o.activePods()) {
      if ((p.status?.qosClass ?? podQOSClass(p)) === 'Burstable') milli += podRequests(p).cpu ?? 0;
    }
    try {
      this.set(`${this.cgroupRoot}/burstable`, { cpuShares: milliCPUToShares(milli) });
    } catch (e) {
      this.log.warn(`QoS cgroup ${this.cgroupRoot}/burstable: ${errMsg(e)}`);
    }
  }

  /** Whether the pod's cgroup exists in every hierarchy that must hold it. */
  exists(pod: Obj): boolean {
    const path = this.podPath(pod);
    if (this.version === 'v2') return existsSync(join(this.fsRoot, path));
    const dirs = V1_REQUIRED.map((c) => join(this.fsRoot, c)).filter((h) => existsSync(h));
    return dirs.length > 0 && dirs.every((h) => existsSync(join(h, path)));
  }

  /**
   * EnsureExists: a pod cgroup that does not exist yet is created with the pod's limits
   * (true); an existing one is left as it is (false). Throws saying what failed.
   */
  ensurePod(pod: Obj): boolean {
    if (!this.version || this.exists(pod)) return false;
    this.updateQOS();
    this.create(this.podPath(pod), resourceConfigForPod(pod, this.o.resources));
    return true;
  }

  /** Removes the pod's cgroups (after its containers and sandbox are gone). */
  removePod(uid: string): void {
    removePodCgroups(uid, this.cgroupRoot, this.fsRoot, this.o.rmdir);
    this.updateQOS();
  }

  /** Makes the cgroup (and its parents) in every hierarchy, then applies the limits. */
  create(path: string, limits: Limits): void {
    if (this.version === 'v2') this.mkdirV2(path);
    else for (const h of cgroupHierarchies(this.fsRoot)) this.mkdirV1(h, path);
    this.set(path, limits);
  }

  private mkdirV1(hierarchy: string, path: string): void {
    const cpuset = existsSync(join(hierarchy, 'cpuset.cpus'));
    let parent = hierarchy;
    for (const level of levels(path)) {
      const dir = join(hierarchy, level);
      if (!existsSync(dir)) mkdirSync(dir);
      // a new cpuset cgroup starts with no CPUs and memory nodes: it takes its parent's
      if (cpuset) {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          if (!read(join(dir, f))) write(join(dir, f), read(join(parent, f)));
        }
      }
      parent = dir;
    }
  }

  private mkdirV2(path: string): void {
    const offered = read(join(this.fsRoot, 'cgroup.controllers')).split(/\s+/);
    const enable = V2_CONTROLLERS.filter((c) => offered.includes(c));
    let parent = this.fsRoot;
    for (const level of levels(path)) {
      this.enableControllers(parent, enable);
      const dir = join(this.fsRoot, level);
      if (!existsSync(dir)) mkdirSync(dir);
      parent = dir;
    }
  }

  /** Turns the controllers on for the cgroup's children (one write, else one at a time). */
  private enableControllers(dir: string, controllers: string[]): void {
    const file = join(dir, 'cgroup.subtree_control');
    const on = read(file).split(/\s+/);
    const missing = controllers.filter((c) => !on.includes(c));
    if (!missing.length) return;
    try {
      write(file, missing.map((c) => `+${c}`).join(' '));
    } catch {
      for (const c of missing) {
        try { write(file, `+${c}`); } catch (e) { this.log.warn(`cgroup ${dir}: cannot enable ${c}: ${errMsg(e)}`); }
      }
    }
  }

  /** Writes the limits that are set (cgroupManager.Update). */
  set(path: string, l: Limits): void {
    const f = this.fsRoot;
    if (this.version === 'v2') {
      const dir = join(f, path);
      if (l.cpuShares !== undefined) write(join(dir, 'cpu.weight'), sharesToWeight(l.cpuShares));
      if (l.cpuQuota !== undefined || l.cpuPeriod !== undefined) {
        const quota = l.cpuQuota === undefined || l.cpuQuota <= 0 ? 'max' : String(l.cpuQuota);
        write(join(dir, 'cpu.max'), `${quota} ${l.cpuPeriod ?? 100_000}`);
      }
      if (l.memoryLimitBytes !== undefined) write(join(dir, 'memory.max'), l.memoryLimitBytes > 0 ? l.memoryLimitBytes : 'max');
      if (l.pidsLimit !== undefined) write(join(dir, 'pids.max'), l.pidsLimit > 0 ? l.pidsLimit : 'max');
      return;
    }
    const cpu = join(f, 'cpu', path), memory = join(f, 'memory', path), pids = join(f, 'pids', path);
    if (l.cpuShares !== undefined && existsSync(cpu)) write(join(cpu, 'cpu.shares'), l.cpuShares);
    // the period first: a quota is checked against the period in force
    if (l.cpuPeriod !== undefined && existsSync(cpu)) write(join(cpu, 'cpu.cfs_period_us'), l.cpuPeriod);
    if (l.cpuQuota !== undefined && existsSync(cpu)) write(join(cpu, 'cpu.cfs_quota_us'), l.cpuQuota > 0 ? l.cpuQuota : -1);
    if (l.memoryLimitBytes !== undefined && existsSync(memory)) write(join(memory, 'memory.limit_in_bytes'), l.memoryLimitBytes > 0 ? l.memoryLimitBytes : -1);
    if (l.pidsLimit !== undefined && existsSync(pids)) write(join(pids, 'pids.max'), l.pidsLimit > 0 ? l.pidsLimit : 'max');
  }
}
