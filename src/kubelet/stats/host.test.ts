import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultInterface, diskUsage, parseMeminfo, parseNetDev, parseProcCgroup, parseProcStatCpu, readCgroup, rlimit } from './host.js';

function tree(files: Record<string, string>, fn: (root: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'skiff-stats-host-'));
  try {
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), text);
    }
    fn(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('cgroup v1: cpuacct.usage, usage minus total_inactive_file as working set, total_* counters, limit', () => {
  tree({
    'cpuacct/kubepods/cpuacct.usage': '123456789\n',
    'memory/kubepods/memory.usage_in_bytes': '10000\n',
    'memory/kubepods/memory.stat': 'cache 1\nrss 2\ntotal_rss 4000\ntotal_inactive_file 3000\ntotal_pgfault 77\ntotal_pgmajfault 3\n',
    'memory/kubepods/memory.limit_in_bytes': '9223372036854771712\n',
    'memory/limited/memory.usage_in_bytes': '500\n',
    'memory/limited/memory.stat': 'total_inactive_file 900\n',
    'memory/limited/memory.limit_in_bytes': '1048576\n',
  }, (root) => {
    assert.deepEqual(readCgroup('/kubepods', root), {
      cpuUsageNs: 123456789n, usageBytes: 10000n, rssBytes: 4000n, pageFaults: 77n, majorPageFaults: 3n, workingSetBytes: 7000n,
    });
    const lim = readCgroup('/limited', root)!;
    assert.equal(lim.limitBytes, 1048576n);
    assert.equal(lim.workingSetBytes, 0n, 'never below zero');
    assert.equal(lim.cpuUsageNs, undefined);
    assert.equal(readCgroup('/missing', root), undefined);
    // separate paths per hierarchy (a process in / for cpuacct, elsewhere for memory)
    assert.equal(readCgroup({ cpu: '/kubepods', memory: '/limited' }, root)?.cpuUsageNs, 123456789n);
  });
});

test('cgroup v2: cpu.stat usage_usec, memory.current, anon as rss, memory.max', () => {
  tree({
    'cgroup.controllers': 'cpu memory\n',
    'kubepods/cpu.stat': 'usage_usec 2500\nuser_usec 2000\n',
    'kubepods/memory.current': '8192\n',
    'kubepods/memory.stat': 'anon 4096\nfile 4096\ninactive_file 1024\npgfault 10\npgmajfault 1\n',
    'kubepods/memory.max': 'max\n',
    'memory.stat': 'anon 100\nfile 50\nkernel 10\ninactive_file 20\n',
    'cpu.stat': 'usage_usec 1\n',
  }, (root) => {
    assert.deepEqual(readCgroup('/kubepods', root), { cpuUsageNs: 2_500_000n, usageBytes: 8192n, rssBytes: 4096n, pageFaults: 10n, majorPageFaults: 1n, workingSetBytes: 7168n });
    const top = readCgroup('/', root)!;
    assert.equal(top.usageBytes, 160n, 'the root has no memory.current: anon + file + kernel');
    assert.equal(top.workingSetBytes, 140n);
  });
});

test('/proc/PID/cgroup: per-controller paths on v1, the unified path on v2', () => {
  assert.deepEqual(parseProcCgroup('9:name=systemd:/\n4:memory:/svc/a\n2:cpu,cpuacct:/svc/b\n0::/\n'), { cpu: '/svc/b', memory: '/svc/a' });
  assert.deepEqual(parseProcCgroup('0::/system.slice/x.service\n'), { cpu: '/system.slice/x.service', memory: '/system.slice/x.service' });
  assert.equal(parseProcCgroup(''), undefined);
});

test('/proc parsers: stat busy time, meminfo in bytes, net/dev without lo and veths', () => {
  // user nice system idle iowait irq softirq steal: busy = 100+0+50+0+5+5 = 160 ticks
  assert.equal(parseProcStatCpu('cpu  100 0 50 1000 30 5 5 0 0 0\ncpu0 1 2 3 4\n'), 1_600_000_000n);
  assert.equal(parseProcStatCpu('intr 1\n'), undefined);
  const mi = parseMeminfo('MemTotal:       16384 kB\nMemFree:  1024 kB\nHugePages_Total:       0\n');
  assert.equal(mi.get('MemTotal'), 16384n * 1024n);
  assert.equal(mi.get('HugePages_Total'), 0n);
  const dev = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 999 9 0 0 0 0 0 0 999 9 0 0 0 0 0 0
  eth0: 1000 10 1 0 0 0 0 0 2000 20 2 0 0 0 0 0
veth12ab: 5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0
  cni0: 300 3 0 0 0 0 0 0 400 4 0 0 0 0 0 0
`;
  const list = parseNetDev(dev);
  assert.deepEqual(list, [
    { name: 'cni0', rxBytes: 300, rxErrors: 0, txBytes: 400, txErrors: 0 },
    { name: 'eth0', rxBytes: 1000, rxErrors: 1, txBytes: 2000, txErrors: 2 },
  ]);
  assert.equal(defaultInterface(list)?.name, 'eth0');
  assert.equal(defaultInterface(list.slice(0, 1))?.name, 'cni0');
});

test('rlimit from pid_max and loadavg; du counts bytes and inodes', () => {
  tree({ 'sys/kernel/pid_max': '4194304\n', loadavg: '0.10 0.20 0.30 3/512 999\n', 'd/a': 'x'.repeat(10000), 'd/sub/b': 'y' }, (root) => {
    assert.deepEqual(rlimit(root), { maxpid: 4194304, curproc: 512 });
    const du = diskUsage(join(root, 'd'))!;
    assert.equal(du.inodes, 4, 'd, a, sub, b');
    assert.ok(du.bytes >= 10000, `${du.bytes} bytes`);
    assert.equal(diskUsage(join(root, 'nope')), undefined);
  });
});
