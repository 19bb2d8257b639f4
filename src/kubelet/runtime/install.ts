// Makes sure the node can run containers before skiff starts its containerd. On
// Debian/Ubuntu as root, missing pieces are installed with apt-get (saying so); anywhere
// else the answer says exactly why containers cannot run, so the caller can keep the
// control plane up without a container node.

import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CNI_BIN_DIR, REQUIRED_CNI_PLUGINS } from './cni.js';
import { BUSYBOX_CANDIDATES, CATATONIT_CANDIDATES, findStatic } from './images.js';

export type Log = (msg: string) => void;

export interface Requirement {
  /** What is checked, for messages ("containerd", "CNI plugin bridge", ...). */
  what: string;
  /** The Debian/Ubuntu package providing it. */
  pkg: string;
}

/** Everything the runtime needs, and the optional catatonit (a better pause process). */
export const REQUIRED_PACKAGES = ['containerd', 'runc', 'containernetworking-plugins', 'busybox-static', 'iptables'];
export const OPTIONAL_PACKAGES = ['catatonit'];

export interface Facts {
  platform: string;
  uid: number;
  hasApt: boolean;
  missing: Requirement[];
  optionalMissing: Requirement[];
}

export type Plan =
  | { action: 'ready' }
  | { action: 'install'; packages: string[]; optional: string[] }
  | { action: 'unavailable'; reason: string };

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable command, or null. */
export function which(cmd: string, pathEnv = process.env.PATH ?? ''): string | null {
  for (const dir of [...pathEnv.split(':').filter(Boolean), ...SEARCH_PATH]) {
    const f = join(dir, cmd);
    try {
      accessSync(f, constants.X_OK);
      return f;
    } catch { /* next */ }
  }
  return null;
}

/** What is missing on this machine (no side effects). */
export function checkRequirements(cniBinDir = DEFAULT_CNI_BIN_DIR): { missing: Requirement[]; optionalMissing: Requirement[] } {
  const missing: Requirement[] = [];
  for (const c of ['containerd', 'ctr']) if (!which(c)) missing.push({ what: c, pkg: 'containerd' });
  if (!which('runc')) missing.push({ what: 'runc', pkg: 'runc' });
  for (const p of REQUIRED_CNI_PLUGINS) if (!existsSync(join(cniBinDir, p))) missing.push({ what: `CNI plugin ${join(cniBinDir, p)}`, pkg: 'containernetworking-plugins' });
  if (!findStatic(BUSYBOX_CANDIDATES)) missing.push({ what: 'a static busybox (for the busybox and pause images)', pkg: 'busybox-static' });
  if (!which('iptables')) missing.push({ what: 'iptables', pkg: 'iptables' });
  const optionalMissing = findStatic(CATATONIT_CANDIDATES) ? [] : [{ what: 'catatonit (pause process)', pkg: 'catatonit' }];
  return { missing, optionalMissing };
}

const uniq = (xs: string[]) => [...new Set(xs)];

/** The decision, from facts alone (pure, so every branch is testable). */
export function planRuntimeInstall(f: Facts): Plan {
  const pkgs = uniq(f.missing.map((m) => m.pkg));
  const list = f.missing.map((m) => m.what).join(', ');
  if (f.platform !== 'linux') return { action: 'unavailable', reason: `containers need Linux (containerd, runc and CNI); this is ${f.platform}` };
  if (f.uid !== 0) {
    return {
      action: 'unavailable',
      reason: `containers need root (containerd, runc, CNI bridge and cgroups) and skiff runs as uid ${f.uid}; run skiff as root to get a container node`
        + (pkgs.length ? ` (also missing: ${list}; as root on Debian/Ubuntu skiff installs them: apt-get install ${pkgs.join(' ')})` : ''),
    };
  }
  if (!pkgs.length) return f.hasApt && f.optionalMissing.length ? { action: 'install', packages: [], optional: uniq(f.optionalMissing.map((m) => m.pkg)) } : { action: 'ready' };
  if (!f.hasApt) {
    return {
      action: 'unavailable',
      reason: `missing ${list}, and this system has no apt-get (skiff installs them itself only on Debian/Ubuntu): install containerd (with ctr), runc, the CNI plugins ${REQUIRED_CNI_PLUGINS.join('/')} in ${DEFAULT_CNI_BIN_DIR}, a static busybox and iptables, then restart skiff`,
    };
  }
  return { action: 'install', packages: pkgs, optional: uniq(f.optionalMissing.map((m) => m.pkg)) };
}

function runApt(args: string[], timeoutMs: number, cmd = 'apt-get'): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', PATH: `${process.env.PATH ?? ''}:${SEARCH_PATH.join(':')}` }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out = (out + d).slice(-8000); });
    child.stderr.on('data', (d) => { out = (out + d).slice(-8000); });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); resolve({ ok: false, out: e.message }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ ok: code === 0, out }); });
  });
}

async function aptInstall(pkgs: string[], log: Log): Promise<{ ok: boolean; out: string }> {
  const args = ['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=120', ...pkgs];
  let r = await runApt(args, 15 * 60_000);
  if (!r.ok) {
    // Usually stale or absent package lists (fresh images ship none).
    log('runtime: apt-get install failed; running apt-get update and trying again');
    await runApt(['update', '-o', 'DPkg::Lock::Timeout=120'], 10 * 60_000);
    r = await runApt(args, 15 * 60_000);
  }
  return r;
}

export interface RuntimePackagesResult {
  /** Containers can run (everything required is present now). */
  ok: boolean;
  /** When !ok: 'unavailable' (not Linux, not root, or missing without apt) or 'install-failed'. */
  cause?: 'unavailable' | 'install-failed';
  /** When !ok: why, in words for the operator. */
  reason: string;
  /** Packages apt-get installed in this call. */
  installed: string[];
}

/**
 * Checks the container runtime's prerequisites and, as root on Debian/Ubuntu, installs
 * missing ones with apt-get (containerd runc containernetworking-plugins busybox-static
 * iptables, plus catatonit when the distribution has it).
 */
export async function ensureRuntimePackages({ log = () => {} }: { log?: Log } = {}): Promise<RuntimePackagesResult> {
  const facts: Facts = {
    platform: process.platform,
    uid: process.getuid?.() ?? -1,
    hasApt: which('apt-get') !== null && existsSync('/etc/debian_version'),
    ...checkRequirements(),
  };
  const plan = planRuntimeInstall(facts);
  if (plan.action === 'ready') return { ok: true, reason: '', installed: [] };
  if (plan.action === 'unavailable') return { ok: false, cause: 'unavailable', reason: plan.reason, installed: [] };

  const installed: string[] = [];
  if (plan.packages.length) {
    log(`runtime: missing ${facts.missing.map((m) => m.what).join(', ')}; installing with apt-get: ${plan.packages.join(' ')}`);
    const t0 = Date.now();
    const r = await aptInstall(plan.packages, log);
    const after = checkRequirements();
    if (!r.ok || after.missing.length) {
      const still = after.missing.map((m) => m.what).join(', ') || 'nothing';
      return { ok: false, cause: 'install-failed', reason: `apt-get install ${plan.packages.join(' ')} failed (still missing: ${still}):\n${r.out.trim().split('\n').slice(-12).join('\n')}`, installed };
    }
    installed.push(...plan.packages);
    log(`runtime: installed ${plan.packages.join(' ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  for (const pkg of plan.optional) {
    // Optional: only when the distribution has it; a failure keeps the fallback.
    const known = await runApt(['show', pkg], 60_000, 'apt-cache');
    if (!known.ok) continue;
    const r = await runApt(['install', '-y', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=120', pkg], 5 * 60_000);
    if (r.ok) {
      installed.push(pkg);
      log(`runtime: installed ${pkg} with apt-get (the pause image's process)`);
    } else {
      log(`runtime: ${pkg} is not installable here (${r.out.trim().split('\n').pop()}); the pause image uses busybox instead`);
    }
  }
  return { ok: true, reason: '', installed };
}
