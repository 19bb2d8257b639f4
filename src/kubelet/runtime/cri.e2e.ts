// The node agent's real runtime, end to end on this machine: skiff's own containerd (under a
// temp data dir), the CNI bridge config, the offline pause and busybox images, then a pod
// sandbox and busybox containers through the CRI client — `echo hello` to its log file and
// an exec in a running container — and a full clean-up that leaves no container, sandbox,
// network namespace, IP allocation or cgroup behind.
//
// Skips (saying why) only where containers cannot run at all: not root, not Linux, or the
// runtime missing without apt-get to install it. A failed apt install is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../cri/client.js';
import type { PodSandboxConfig } from '../cri/types.js';
import { cgroupDirs, containersCanRun, subdirs, tearDownRuntime, until } from './e2e-support.js';
import { containerdLayout, ensureOfflineImages, ensureRuntimePackages, listImages, startRuntime, type ContainerdHandle } from './index.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE } from './names.js';

test('a busybox pod runs through skiff\'s containerd over CRI with CNI networking, and leaves nothing behind', { timeout: 600_000 }, async (t) => {
  if (!(await containersCanRun(t))) return;
  const log = (m: string) => t.diagnostic(m);

  const dataDir = mkdtempSync('/tmp/skiff-cri-e2e-');
  const third = Math.floor(Math.random() * 200) + 20;
  const subnet = `10.251.${third}`;
  const bridge = `ske2e${process.pid % 100000}`;
  const cgroupParent = `skiff-cri-e2e-${process.pid}`;
  const ac = new AbortController();
  let rt: ContainerdHandle | null = null;
  let cri: CriClient | null = null;
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try { return await fn(); } finally { timings[name] = Math.round(performance.now() - t0); }
  };
  try {
    // The set-up `skiff server` runs: CNI config, containerd, offline images (built and imported).
    const started = await time('runtime set-up (containerd + images)', () => startRuntime({ dataDir, podCIDR: `${subnet}.0/24`, bridge, signal: ac.signal, log }));
    assert.ok(started.ok, started.ok ? '' : started.reason);
    rt = started.containerd;
    assert.deepEqual(started.images.map((i) => i.name), [PAUSE_IMAGE, BUSYBOX_IMAGE]);
    assert.ok(existsSync(join(containerdLayout(dataDir).cniConfDir, '10-skiff.conflist')));
    // A second call finds both images present and imports nothing.
    assert.deepEqual((await ensureOfflineImages({ socket: rt.socket, dataDir })).map((i) => i.imported), [false, false]);
    const listed = await listImages(rt.socket);
    assert.ok(listed.some((i) => i.repoTags.includes(BUSYBOX_IMAGE)), JSON.stringify(listed));

    cri = new CriClient(rt.socket);
    const c = cri;
    const status = await c.status();
    const cond = Object.fromEntries((status.status?.conditions ?? []).map((x) => [x.type, x]));
    assert.equal(cond.RuntimeReady?.status, true, JSON.stringify(cond));
    assert.equal(cond.NetworkReady?.status, true, JSON.stringify(cond));
    // CRI normalises the short name the way the kubelet passes it.
    const short = await c.imageStatus({ image: { image: 'busybox' } });
    assert.ok(short.image?.repoTags.includes(BUSYBOX_IMAGE), JSON.stringify(short.image));

    const uid = randomUUID();
    const logDirectory = join(dataDir, 'pods', `default_cri-e2e_${uid}`);
    mkdirSync(logDirectory, { recursive: true });
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'cri-e2e', namespace: 'default', uid, attempt: 0 },
      hostname: 'cri-e2e',
      logDirectory,
      dnsConfig: { servers: ['10.43.0.10'], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: ['ndots:5'] },
      labels: { 'io.kubernetes.pod.name': 'cri-e2e', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid },
      linux: { cgroupParent: `/${cgroupParent}`, securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
    };
    const { podSandboxId } = await time('RunPodSandbox', () => c.runPodSandbox({ config: sandboxConfig }));
    const sb = await c.podSandboxStatus({ podSandboxId, verbose: true });
    assert.equal(sb.status?.state, 'SANDBOX_READY');
    const podIP = sb.status?.network?.ip ?? '';
    assert.match(podIP, new RegExp(`^${subnet.replace(/\./g, '\\.')}\\.\\d+$`), `pod IP ${podIP} is in ${subnet}.0/24`);
    const info = JSON.parse(sb.info.info ?? '{}') as { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
    const netns = info.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network')?.path ?? '';
    assert.ok(netns && existsSync(netns), `the sandbox's network namespace ${netns} exists`);
    const natRules = () => execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`${podIP}/32`));
    assert.ok(natRules().length > 0, 'the bridge plugin masquerades the pod\'s outgoing traffic');

    const container = (name: string, command: string[]) => ({
      podSandboxId,
      sandboxConfig,
      config: { metadata: { name, attempt: 0 }, image: { image: 'busybox' }, command, logPath: `${name}/0.log`, labels: { 'io.kubernetes.container.name': name } },
    });
    mkdirSync(join(logDirectory, 'hello'));
    mkdirSync(join(logDirectory, 'sleeper'));
    const hello = (await time('CreateContainer', () => c.createContainer(container('hello', ['echo', 'hello'])))).containerId;
    await time('StartContainer', () => c.startContainer({ containerId: hello }));
    const done = await time('hello runs to completion', () => until('hello to exit', async () => {
      const s = (await c.containerStatus({ containerId: hello })).status;
      return s?.state === 'CONTAINER_EXITED' ? s : undefined;
    }));
    assert.equal(done.exitCode, 0);
    assert.equal(done.reason, 'Completed');
    const logText = readFileSync(join(logDirectory, 'hello', '0.log'), 'utf8');
    assert.match(logText, /^\S+ stdout F hello$/m, `CRI log format with the container's output: ${logText}`);

    // A long-running container in the same pod: exec sees the pod's hostname and IP.
    const sleeper = (await c.createContainer(container('sleeper', ['sleep', '3600']))).containerId;
    await c.startContainer({ containerId: sleeper });
    const ex = await time('ExecSync', () => c.execSync({ containerId: sleeper, cmd: ['sh', '-c', 'hostname; ip -4 -o addr show eth0; id -un'], timeout: 10 }));
    const exOut = ex.stdout.toString();
    assert.equal(ex.exitCode, 0, ex.stderr.toString());
    assert.match(exOut, /^cri-e2e$/m);
    assert.ok(exOut.includes(`${podIP}/24`), exOut);
    assert.match(exOut, /^root$/m, 'busybox resolves uid 0 through the image\'s /etc/passwd');
    const failing = await c.execSync({ containerId: sleeper, cmd: ['sh', '-c', 'exit 3'], timeout: 10 });
    assert.equal(failing.exitCode, 3);

    // Tear down the way the kubelet does: stop and remove containers, then the sandbox.
    await time('StopContainer (SIGKILL after 1 s)', () => c.stopContainer({ containerId: sleeper, timeout: 1 }));
    for (const id of [hello, sleeper]) await c.removeContainer({ containerId: id });
    await time('StopPodSandbox', () => c.stopPodSandbox({ podSandboxId }));
    await c.removePodSandbox({ podSandboxId });
    assert.deepEqual((await c.listContainers()).containers, []);
    assert.deepEqual((await c.listPodSandbox()).items, []);
    assert.equal(existsSync(netns), false, `network namespace ${netns} removed`);
    const ipam = join(dataDir, 'cni', 'ipam', 'skiff');
    const allocated = readdirSync(ipam).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
    assert.deepEqual(allocated, [], 'host-local released the pod IP');
    assert.deepEqual(natRules(), [], 'no NAT rule for the pod IP is left');
    for (const dir of cgroupDirs(cgroupParent)) assert.deepEqual(subdirs(dir), [], `no container cgroup left under ${dir}`);
    t.diagnostic(`containerd ${rt.version.runtimeVersion}, ${execFileSync('runc', ['--version'], { encoding: 'utf8' }).split('\n')[0]}, snapshotter ${rt.snapshotter}, pod IP ${podIP}`);
  } finally {
    cri?.close();
    await tearDownRuntime({ rt, cgroupParent, bridge, dataDir });
    ac.abort();
    t.diagnostic(`timings (ms): ${JSON.stringify(timings)}`);
  }
  assert.equal(rt?.pid !== undefined && existsSync(`/proc/${rt.pid}`) && readFileSync(`/proc/${rt.pid}/cmdline`, 'utf8').includes('containerd'), false, 'containerd stopped');
});
