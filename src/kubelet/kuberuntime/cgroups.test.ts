// Pod and QoS cgroups written to a temp dir laid out like a cgroup v1 or v2 file system.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { cgroupVersion, PodCgroups } from './cgroups.js';

const MI = 1024 * 1024;

function fsRoot(t: TestContext, version: 'v1' | 'v2'): string {
  const root = mkdtempSync(join(tmpdir(), `cgroupfs-${version}-`));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  if (version === 'v2') {
    writeFileSync(join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    writeFileSync(join(root, 'cgroup.subtree_control'), '');
  } else {
    for (const c of ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'systemd']) mkdirSync(join(root, c));
    writeFileSync(join(root, 'cpuset', 'cpuset.cpus'), '0-1\n');
    writeFileSync(join(root, 'cpuset', 'cpuset.mems'), '0\n');
  }
  return root;
}

/** Removes a fake cgroup directory with the files a real one would not have. */
const rmdir = (dir: string): void => {
  for (const f of readdirSync(dir, { withFileTypes: true })) if (f.isFile()) unlinkSync(join(dir, f.name));
  rmdirSync(dir);
};

const read = (...p: string[]): string => readFileSync(join(...p), 'utf8').trim();

const guaranteed: Obj = {
  metadata: { uid: 'g1', name: 'g', namespace: 'ns' },
  spec: { containers: [{ name: 'c', resources: { limits: { cpu: '250m', memory: '64Mi' } } }] },
  status: { qosClass: 'Guaranteed' },
};
const bestEffort: Obj = { metadata: { uid: 'b1', name: 'b', namespace: 'ns' }, spec: { containers: [{ name: 'c' }] } };
const burstable = (uid: string, cpu: string): Obj => ({ metadata: { uid, name: uid, namespace: 'ns' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu } } }] } });

test('v1: QoS tiers and a Guaranteed pod\'s cgroup with its limits in each controller', (t) => {
  const root = fsRoot(t, 'v1');
  assert.equal(cgroupVersion(root), 'v1');
  const cg = new PodCgroups({ fsRoot: root, resources: { podPidsLimit: 1024 }, rmdir });
  cg.ensureQOS({ milliCPU: 2000, memoryBytes: 1024 * MI });
  assert.equal(read(root, 'cpu/kubepods/cpu.shares'), '2048');
  assert.equal(read(root, 'memory/kubepods/memory.limit_in_bytes'), String(1024 * MI));
  assert.equal(read(root, 'cpu/kubepods/besteffort/cpu.shares'), '2');
  assert.ok(existsSync(join(root, 'pids/kubepods/burstable')));
  assert.ok(existsSync(join(root, 'systemd/kubepods/burstable')), 'every hierarchy holds the tiers');
  // cpuset cgroups start with their parent's CPUs and memory nodes
  assert.equal(read(root, 'cpuset/kubepods/besteffort/cpuset.cpus'), '0-1');
  assert.equal(read(root, 'cpuset/kubepods/besteffort/cpuset.mems'), '0');

  assert.equal(cg.exists(guaranteed), false);
  assert.equal(cg.ensurePod(guaranteed), true);
  assert.equal(cg.exists(guaranteed), true);
  const dir = 'kubepods/podg1';
  assert.equal(read(root, 'cpu', dir, 'cpu.shares'), '256');
  assert.equal(read(root, 'cpu', dir, 'cpu.cfs_quota_us'), '25000');
  assert.equal(read(root, 'cpu', dir, 'cpu.cfs_period_us'), '100000');
  assert.equal(read(root, 'memory', dir, 'memory.limit_in_bytes'), String(64 * MI));
  assert.equal(read(root, 'pids', dir, 'pids.max'), '1024');
  assert.equal(read(root, 'cpuset', dir, 'cpuset.cpus'), '0-1');
  // an existing pod cgroup is left alone
  writeFileSync(join(root, 'cpu', dir, 'cpu.shares'), '999');
  assert.equal(cg.ensurePod(guaranteed), false);
  assert.equal(read(root, 'cpu', dir, 'cpu.shares'), '999');

  cg.ensurePod(bestEffort);
  assert.equal(read(root, 'cpu/kubepods/besteffort/podb1/cpu.shares'), '2');
  assert.equal(existsSync(join(root, 'cpu/kubepods/besteffort/podb1/cpu.cfs_quota_us')), false, 'no CPU limit: no quota written');
  assert.equal(existsSync(join(root, 'memory/kubepods/besteffort/podb1/memory.limit_in_bytes')), false);

  cg.removePod('g1');
  cg.removePod('b1');
  for (const c of ['cpu', 'cpuset', 'memory', 'pids', 'systemd']) {
    assert.equal(existsSync(join(root, c, dir)), false, `${c}: pod cgroup removed`);
    assert.ok(existsSync(join(root, c, 'kubepods')), `${c}: the tiers stay`);
  }
});

test('v2: controllers enabled down the tree; cpu.weight, cpu.max, memory.max, pids.max', (t) => {
  const root = fsRoot(t, 'v2');
  assert.equal(cgroupVersion(root), 'v2');
  const cg = new PodCgroups({ fsRoot: root, cgroupRoot: '/skiff', resources: { podPidsLimit: -1 }, rmdir });
  cg.ensureQOS({ milliCPU: 1000 });
  assert.equal(read(root, 'cgroup.subtree_control'), '+cpuset +cpu +io +memory +pids');
  assert.equal(read(root, 'skiff/cpu.weight'), '39');
  assert.equal(existsSync(join(root, 'skiff/memory.max')), false);
  assert.equal(read(root, 'skiff/besteffort/cpu.weight'), '1');
  cg.ensurePod(guaranteed);
  assert.equal(read(root, 'skiff/cgroup.subtree_control'), '+cpuset +cpu +io +memory +pids');
  assert.equal(read(root, 'skiff/podg1/cpu.weight'), '10');
  assert.equal(read(root, 'skiff/podg1/cpu.max'), '25000 100000');
  assert.equal(read(root, 'skiff/podg1/memory.max'), String(64 * MI));
  assert.equal(existsSync(join(root, 'skiff/podg1/pids.max')), false, 'podPidsLimit -1: unlimited');
  cg.removePod('g1');
  assert.equal(existsSync(join(root, 'skiff/podg1')), false);
});

test('burstable CPU shares follow the Burstable pods\' requests', (t) => {
  const root = fsRoot(t, 'v1');
  let pods: Obj[] = [burstable('a', '500m'), bestEffort];
  const cg = new PodCgroups({ fsRoot: root, activePods: () => pods, rmdir });
  cg.ensureQOS({ milliCPU: 2000 });
  assert.equal(read(root, 'cpu/kubepods/burstable/cpu.shares'), '512');
  pods = [...pods, burstable('c', '1')];
  cg.ensurePod(pods[2]);
  assert.equal(read(root, 'cpu/kubepods/burstable/cpu.shares'), '1536');
  assert.equal(read(root, 'cpu/kubepods/burstable/podc/cpu.shares'), '1024');
  pods = [];
  cg.removePod('c');
  assert.equal(read(root, 'cpu/kubepods/burstable/cpu.shares'), '2');
});

test('no cgroup file system: nothing is made, nothing fails', (t) => {
  const root = join(mkdtempSync(join(tmpdir(), 'nocgroup-')), 'absent');
  t.after(() => rmSync(join(root, '..'), { recursive: true, force: true }));
  const cg = new PodCgroups({ fsRoot: root });
  cg.ensureQOS({ milliCPU: 1000 });
  assert.equal(cg.ensurePod(guaranteed), false);
  cg.removePod('g1');
  assert.equal(existsSync(root), false);
});

test('a limit the kernel refuses fails the pod cgroup with the file and value', (t) => {
  const root = fsRoot(t, 'v1');
  const cg = new PodCgroups({ fsRoot: root });
  mkdirSync(join(root, 'memory/kubepods/podg1/memory.limit_in_bytes'), { recursive: true }); // a directory: the write fails
  assert.throws(() => cg.ensurePod(guaranteed), /failed to write "67108864" to ".*memory\/kubepods\/podg1\/memory.limit_in_bytes": EISDIR/);
});
