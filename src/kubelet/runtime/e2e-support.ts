// Shared by the runtime end-to-end tests (*.e2e.ts under src/kubelet): whether containers
// can run here, polling, and where cgroups live.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { CriClient } from '../cri/client.js';
import type { ContainerdHandle } from './containerd.js';
import { ensureRuntimePackages } from './install.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** Every cgroup directory named `name` directly under a hierarchy root (v1: one per controller; v2: one). */
export function cgroupDirs(name: string): string[] {
  if (!existsSync(CGROUP_ROOT)) return [];
  const roots = existsSync(join(CGROUP_ROOT, 'cgroup.controllers')) ? [CGROUP_ROOT] : readdirSync(CGROUP_ROOT).map((d) => join(CGROUP_ROOT, d));
  return roots.map((r) => join(r, name)).filter((d) => existsSync(d));
}

export function subdirs(dir: string): string[] {
  try { return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name); } catch { return []; }
}

/** Polls fn until it returns a value (errors count as "not yet"), failing after ms. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Whether this test can run containers: skips it (saying why) only where they cannot run at
 * all — not root, not Linux, or the runtime missing without apt-get. A failed install fails.
 */
export async function containersCanRun(t: TestContext): Promise<boolean> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    t.skip(`containers need root on Linux; this run is ${process.platform} uid ${process.getuid?.()}`);
    return false;
  }
  const pre = await ensureRuntimePackages({ log: (m) => t.diagnostic(m) });
  if (!pre.ok && pre.cause === 'unavailable') {
    t.skip(`containers cannot run here: ${pre.reason}`);
    return false;
  }
  if (!pre.ok) throw new Error(pre.reason);
  return true;
}

/**
 * Tears down what a runtime test set up, whatever state a failed assertion left: every
 * sandbox (so containerd cleans up its containers and network), containerd itself, the
 * test's cgroups, its bridge, mounts under the data dir, and the data dir.
 */
export async function tearDownRuntime(o: { rt: ContainerdHandle | null; cgroupParent: string; bridge: string; dataDir: string }): Promise<void> {
  if (o.rt) {
    const c = new CriClient(o.rt.socket);
    try {
      for (const s of (await c.listPodSandbox()).items) {
        await c.stopPodSandbox({ podSandboxId: s.id }).catch(() => {});
        await c.removePodSandbox({ podSandboxId: s.id }).catch(() => {});
      }
    } catch { /* containerd gone */ } finally { c.close(); }
    await o.rt.stop();
  }
  for (const dir of cgroupDirs(o.cgroupParent)) {
    for (const sub of subdirs(dir)) try { rmdirSync(join(dir, sub)); } catch { /* busy */ }
    try { rmdirSync(dir); } catch { /* busy */ }
  }
  try { execFileSync('ip', ['link', 'del', o.bridge], { stdio: 'ignore' }); } catch { /* never created */ }
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1]).filter((m) => m?.startsWith(o.dataDir));
  for (const m of mounts.reverse()) try { execFileSync('umount', ['-l', m]); } catch { /* gone */ }
  rmSync(o.dataDir, { recursive: true, force: true });
}
