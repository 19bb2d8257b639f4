// Host-side readings for the node's stats: cgroup accounting (v1: cpuacct.usage,
// memory.usage_in_bytes, memory.stat; v2: cpu.stat, memory.current, memory.stat), /proc for
// what cgroups do not give (memory capacity, network devices, process counts), statfs for
// file systems. Parsers are pure; readers take the root paths so tests can point them at a
// fake tree. Every reader returns undefined rather than throwing when a file is missing.

import { readFileSync, readdirSync, lstatSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { InterfaceStats } from './types.js';

export const CGROUP_ROOT = '/sys/fs/cgroup';

function read(file: string): string | undefined {
  try { return readFileSync(file, 'utf8'); } catch { return undefined; }
}

/** "key value" lines (memory.stat, cpu.stat) → map of bigints. */
export function parseKeyValues(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v && /^\d+$/.test(v)) out.set(k, BigInt(v));
  }
  return out;
}

export interface CgroupSample {
  /** Cumulative CPU time, ns. */
  cpuUsageNs?: bigint;
  usageBytes?: bigint;
  workingSetBytes?: bigint;
  rssBytes?: bigint;
  pageFaults?: bigint;
  majorPageFaults?: bigint;
  /** The memory limit when one is set (not the "unlimited" sentinel). */
  limitBytes?: bigint;
}

/** cgroup v1 reports "no limit" as a huge page-aligned number; anything above 2^62 is that. */
const UNLIMITED = 1n << 62n;

/**
 * A cgroup's CPU and memory accounting. `path` is the cgroup's path inside the hierarchy
 * ("/" for the root, "/kubepods" for the pods' parent). Working set as cAdvisor computes it:
 * usage minus inactive file pages (never below 0).
 */
export function readCgroup(at: string | CgroupPaths, root = CGROUP_ROOT): CgroupSample | undefined {
  const v2 = read(join(root, 'cgroup.controllers')) !== undefined;
  const paths = typeof at === 'string' ? { cpu: at, memory: at } : at;
  const path = paths.memory;
  const s: CgroupSample = {};
  if (v2) {
    const dir = join(root, path);
    const cpu = read(join(dir, 'cpu.stat'));
    if (cpu) { const usec = parseKeyValues(cpu).get('usage_usec'); if (usec !== undefined) s.cpuUsageNs = usec * 1000n; }
    const stat = read(join(dir, 'memory.stat'));
    const cur = read(join(dir, 'memory.current'));
    const m = stat ? parseKeyValues(stat) : new Map<string, bigint>();
    if (cur && /^\d+/.test(cur)) s.usageBytes = BigInt(cur.trim());
    else if (path === '/' && stat) s.usageBytes = (m.get('anon') ?? 0n) + (m.get('file') ?? 0n) + (m.get('kernel') ?? 0n); // the root has no memory.current
    if (stat) {
      s.rssBytes = m.get('anon');
      s.pageFaults = m.get('pgfault');
      s.majorPageFaults = m.get('pgmajfault');
    }
    const max = read(join(dir, 'memory.max'))?.trim();
    if (max && /^\d+$/.test(max)) s.limitBytes = BigInt(max);
    if (s.usageBytes !== undefined) { const ws = s.usageBytes - (m.get('inactive_file') ?? 0n); s.workingSetBytes = ws > 0n ? ws : 0n; }
  } else {
    const cpu = read(join(root, 'cpuacct', paths.cpu, 'cpuacct.usage'))?.trim();
    if (cpu && /^\d+$/.test(cpu)) s.cpuUsageNs = BigInt(cpu);
    const mdir = join(root, 'memory', path);
    const usage = read(join(mdir, 'memory.usage_in_bytes'))?.trim();
    if (usage && /^\d+$/.test(usage)) s.usageBytes = BigInt(usage);
    const stat = read(join(mdir, 'memory.stat'));
    const m = stat ? parseKeyValues(stat) : new Map<string, bigint>();
    if (stat) {
      // total_* include descendants: the hierarchy's view, as cAdvisor reads it
      s.rssBytes = m.get('total_rss');
      s.pageFaults = m.get('total_pgfault');
      s.majorPageFaults = m.get('total_pgmajfault');
    }
    const limit = read(join(mdir, 'memory.limit_in_bytes'))?.trim();
    if (limit && /^\d+$/.test(limit) && BigInt(limit) < UNLIMITED) s.limitBytes = BigInt(limit);
    if (s.usageBytes !== undefined) { const ws = s.usageBytes - (m.get('total_inactive_file') ?? 0n); s.workingSetBytes = ws > 0n ? ws : 0n; }
  }
  return s.cpuUsageNs === undefined && s.usageBytes === undefined ? undefined : s;
}

/** A cgroup's path in the CPU accounting and memory hierarchies (the same path on v2). */
export interface CgroupPaths { cpu: string; memory: string }

/** A process's cgroups (/proc/PID/cgroup): cpuacct and memory on v1, the unified path on v2. */
export function parseProcCgroup(text: string): CgroupPaths | undefined {
  let cpu: string | undefined, memory: string | undefined, unified: string | undefined;
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const ctrls = m[1].split(',');
    if (ctrls.includes('cpuacct')) cpu = m[2];
    if (ctrls.includes('memory')) memory = m[2];
    if (m[1] === '') unified = m[2];
  }
  if (cpu !== undefined || memory !== undefined) return { cpu: cpu ?? '/', memory: memory ?? '/' };
  return unified !== undefined ? { cpu: unified, memory: unified } : undefined;
}

export function processCgroup(pid: number | 'self' = 'self', proc = '/proc'): CgroupPaths | undefined {
  const text = read(join(proc, String(pid), 'cgroup'));
  return text ? parseProcCgroup(text) : undefined;
}

/** /proc/stat's aggregate "cpu" line → cumulative busy time, ns (USER_HZ 100). */
export function parseProcStatCpu(text: string, userHz = 100): bigint | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map((x) => BigInt(x));
  // user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait
  const busy = f.reduce((a, b) => a + b, 0n) - (f[3] ?? 0n) - (f[4] ?? 0n);
  return (busy * 1_000_000_000n) / BigInt(userHz);
}

export function procStatCpu(proc = '/proc'): bigint | undefined {
  const t = read(join(proc, 'stat'));
  return t ? parseProcStatCpu(t) : undefined;
}

/** /proc/meminfo → bytes per key (values are in kB). */
export function parseMeminfo(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const m of text.matchAll(/^(\w+(?:\(\w+\))?):\s+(\d+)(?:\s+kB)?$/gm)) out.set(m[1], BigInt(m[2]) * 1024n);
  return out;
}

export function memoryCapacity(proc = '/proc'): bigint | undefined {
  const t = read(join(proc, 'meminfo'));
  return t ? parseMeminfo(t).get('MemTotal') : undefined;
}

/** Interfaces cAdvisor leaves out of a machine's network stats. */
const IGNORED_PREFIXES = ['lo', 'veth', 'docker', 'nerdctl'];

/** /proc/net/dev → per-interface counters, minus loopback and veth pairs. */
export function parseNetDev(text: string): InterfaceStats[] {
  const out: InterfaceStats[] = [];
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1];
    if (IGNORED_PREFIXES.some((p) => name.startsWith(p))) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets errs ...
    out.push({ name, rxBytes: f[0], rxErrors: f[2], txBytes: f[8], txErrors: f[10] });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

export function netDev(proc = '/proc'): InterfaceStats[] {
  const t = read(join(proc, 'net', 'dev'));
  return t ? parseNetDev(t) : [];
}

/** The interface the kubelet reports inline: eth0 when present, else the first. */
export function defaultInterface(list: InterfaceStats[]): InterfaceStats | undefined {
  return list.find((i) => i.name === 'eth0') ?? list[0];
}

export interface FsUsage { capacityBytes: number; availableBytes: number; usedBytes: number; inodes: number; inodesFree: number; inodesUsed: number }

/** statfs(2) of the file system holding `path`, as cAdvisor reports it. */
export function fsUsage(path: string): FsUsage | undefined {
  try {
    const s = statfsSync(path, { bigint: true });
    const bs = s.bsize;
    return {
      capacityBytes: Number(s.blocks * bs),
      availableBytes: Number(s.bavail * bs),
      usedBytes: Number((s.blocks - s.bfree) * bs),
      inodes: Number(s.files),
      inodesFree: Number(s.ffree),
      inodesUsed: Number(s.files - s.ffree),
    };
  } catch {
    return undefined;
  }
}

/** Bytes and inodes used under a directory (like `du`), not following symlinks; capped at `maxEntries`. */
export function diskUsage(dir: string, maxEntries = 100_000): { bytes: number; inodes: number } | undefined {
  let bytes = 0, inodes = 0, budget = maxEntries;
  const walk = (p: string): void => {
    if (budget-- <= 0) return;
    let st;
    try { st = lstatSync(p); } catch { return; }
    bytes += st.blocks * 512;
    inodes++;
    if (!st.isDirectory()) return;
    let names: string[];
    try { names = readdirSync(p); } catch { return; }
    for (const n of names) walk(join(p, n));
  };
  try { lstatSync(dir); } catch { return undefined; }
  walk(dir);
  return { bytes, inodes };
}

/** /proc/sys/kernel/pid_max and the number of threads (from /proc/loadavg's "running/total"). */
export function rlimit(proc = '/proc'): { maxpid?: number; curproc?: number } {
  const max = read(join(proc, 'sys', 'kernel', 'pid_max'))?.trim();
  const load = read(join(proc, 'loadavg'));
  const total = load ? /\d+\/(\d+)/.exec(load)?.[1] : undefined;
  return { maxpid: max ? Number(max) : undefined, curproc: total ? Number(total) : undefined };
}

/** Boot time (ms since the epoch) from /proc/stat's btime. */
export function bootTime(proc = '/proc'): number | undefined {
  const m = /^btime (\d+)$/m.exec(read(join(proc, 'stat')) ?? '');
  return m ? Number(m[1]) * 1000 : undefined;
}
