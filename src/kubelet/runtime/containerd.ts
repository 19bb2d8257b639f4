// Skiff's own containerd: config, root, state, socket and log under DATA_DIR/containerd/,
// run as a child process tied to an AbortSignal, ready once its CRI endpoint answers
// Version. It never touches the system containerd (/etc/containerd, /run/containerd).
//
// Config decisions (containerd 1.6, config version 2):
// - restrict_oom_score_adj: containers may not get a lower OOM score than containerd itself;
//   without CAP_SYS_RESOURCE (this VM) a negative score makes every container start fail.
// - cgroupfs (SystemdCgroup = false): skiff manages pod cgroups itself, like the kubelet's
//   cgroupfs driver.
// - overlayfs snapshotter when the kernel can mount overlay on the data dir's file system
//   (probed here: containerd would just skip the plugin and CRI would then fail to load),
//   otherwise native (full copies: slower, works everywhere).
// - sandbox_image is the offline pause image (images.ts), so a pod never needs a registry.
// - streaming (exec/attach/port-forward URLs) on 127.0.0.1 with a random port.
// - registry hosts from DATA_DIR/containerd/certs.d/<host[:port]>/hosts.toml (containerd's
//   hosts directory): mirrors, CAs, or a plain-HTTP registry (`server = "http://..."`).

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriClient } from '../cri/client.js';
import type { VersionResponse } from '../cri/types.js';
import { DEFAULT_CNI_BIN_DIR } from './cni.js';
import { PAUSE_IMAGE } from './names.js';

export type Log = (msg: string) => void;
export type Snapshotter = 'overlayfs' | 'native';

/** sun_path holds 108 bytes; containerd also binds SOCKET.ttrpc, so keep 8 spare. */
const MAX_SOCKET_PATH = 99;
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ContainerdLayout {
  dir: string;
  config: string;
  root: string;
  state: string;
  socket: string;
  log: string;
  pidFile: string;
  /** CNI config dir containerd reads (writeCniConfig writes it). */
  cniConfDir: string;
  /** Registry host configs (<host[:port]>/hosts.toml) CRI pulls read. */
  registryConfigPath: string;
}

/** Where everything lives for a data dir. The socket moves to /run/skiff/HASH/ when the path would be too long. */
export function containerdLayout(dataDir: string): ContainerdLayout {
  const dir = join(dataDir, 'containerd');
  let socket = join(dir, 'containerd.sock');
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    const h = createHash('sha256').update(dir).digest('hex').slice(0, 12);
    socket = join('/run/skiff', h, 'containerd.sock');
  }
  return {
    dir,
    config: join(dir, 'config.toml'),
    root: join(dir, 'root'),
    state: join(dir, 'state'),
    socket,
    log: join(dir, 'containerd.log'),
    pidFile: join(dir, 'containerd.pid'),
    cniConfDir: join(dataDir, 'cni', 'net.d'),
    registryConfigPath: join(dir, 'certs.d'),
  };
}

export interface ContainerdConfigInput {
  root: string;
  state: string;
  socket: string;
  snapshotter: Snapshotter;
  sandboxImage?: string;
  cniConfDir: string;
  cniBinDir?: string;
  /** containerd's "opt" plugin directory. */
  optDir?: string;
  /** The hosts.toml directory for image pulls; none: containerd's defaults (HTTPS only). */
  registryConfigPath?: string;
}

const q = (s: string) => JSON.stringify(s); // a JSON string is a valid TOML basic string

/** containerd 1.6 config.toml (version 2). Pure. */
export function renderContainerdConfig(c: ContainerdConfigInput): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `# Written by skiff on every start; edits are overwritten.
version = 2
root = ${q(c.root)}
state = ${q(c.state)}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${q(c.socket)}

[debug]
  level = "info"

[${cri}]
  sandbox_image = ${q(c.sandboxImage ?? PAUSE_IMAGE)}
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  max_container_log_line_size = 16384
  # pod network namespaces under this containerd's state dir, not the host's /run/netns: several
  # skiff nodes on one host (each its own containerd) must not share, and stack mounts on, one dir
  netns_mounts_under_state_dir = true

[${cri}.containerd]
  snapshotter = ${q(c.snapshotter)}
  default_runtime_name = "runc"
  discard_unpacked_layers = false

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

[${cri}.cni]
  bin_dir = ${q(c.cniBinDir ?? DEFAULT_CNI_BIN_DIR)}
  conf_dir = ${q(c.cniConfDir)}
  max_conf_num = 1
${c.registryConfigPath ? `
[${cri}.registry]
  config_path = ${q(c.registryConfigPath)}
` : ''}
[plugins."io.containerd.internal.v1.opt"]
  path = ${q(c.optDir ?? join(c.root, 'opt'))}
`;
}

/** Runs a system command (with the system sbin dirs on PATH); never rejects: ok and its output. */
export function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, env: { ...process.env, PATH: `${process.env.PATH ?? ''}:${SYSTEM_PATH}` } }, (err, stdout, stderr) => {
      resolve({ ok: !err, out: `${stdout}${stderr}`.trim() || (err ? err.message : '') });
    });
  });
}

/**
 * Whether overlayfs (with two lower dirs, as containerd's check) mounts inside `dir`, which
 * must be on the file system of containerd's root. Needs root (mount).
 */
export async function probeOverlay(dir: string): Promise<{ ok: boolean; reason: string }> {
  const base = join(dir, `overlay-probe-${process.pid}`);
  const d = (n: string) => join(base, n);
  rmSync(base, { recursive: true, force: true });
  for (const n of ['l1', 'l2', 'upper', 'work', 'merged']) mkdirSync(d(n), { recursive: true });
  try {
    const m = await run('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${d('l2')}:${d('l1')},upperdir=${d('upper')},workdir=${d('work')}`, d('merged')]);
    if (!m.ok) return { ok: false, reason: m.out };
    const u = await run('umount', [d('merged')]);
    return u.ok ? { ok: true, reason: '' } : { ok: false, reason: `umount: ${u.out}` };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

export interface StartContainerdOptions {
  dataDir: string;
  signal?: AbortSignal;
  log?: Log;
  /** Default: overlayfs if probeOverlay succeeds, else native. */
  snapshotter?: Snapshotter;
  cniBinDir?: string;
  containerdBin?: string;
  /** How long to wait for the CRI endpoint. Default 60 s. */
  readyTimeoutMs?: number;
}

export interface ContainerdHandle {
  socket: string;
  pid: number;
  snapshotter: Snapshotter;
  /** The CRI Version answer (runtimeName "containerd", runtimeVersion e.g. "1.6.20~ds1"). */
  version: VersionResponse;
  layout: ContainerdLayout;
  /** True when a containerd from an earlier skiff run (same config) was still running and is reused. */
  adopted: boolean;
  /** Stops containerd (SIGTERM, then SIGKILL after 10 s). Containers keep running in their shims, as with any containerd restart. Idempotent. */
  stop(): Promise<void>;
  /** Settles when containerd exits for any reason, with a description ("exit code 1", "stopped", ...). */
  exited: Promise<string>;
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** The pid recorded by an earlier start if that process is still containerd with this config. */
function previousContainerd(layout: ContainerdLayout): number | null {
  try {
    const pid = Number(readFileSync(layout.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1 || !alive(pid)) return null;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.some((a) => a.endsWith('containerd')) && cmdline.includes(layout.config) ? pid : null;
  } catch {
    return null;
  }
}

async function waitExit(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !alive(pid);
}

async function killPid(pid: number, log: Log): Promise<void> {
  try { process.kill(pid, 'SIGTERM'); } catch { return; }
  if (await waitExit(pid, 10_000)) return;
  log(`containerd (pid ${pid}) did not stop within 10 s of SIGTERM; sending SIGKILL`);
  try { process.kill(pid, 'SIGKILL'); } catch { return; }
  await waitExit(pid, 5_000);
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startContainerd(opts: StartContainerdOptions): Promise<ContainerdHandle> {
  const log = opts.log ?? (() => {});
  const layout = containerdLayout(opts.dataDir);
  const bin = opts.containerdBin ?? 'containerd';
  for (const d of [layout.dir, layout.root, layout.state, layout.cniConfDir, layout.registryConfigPath, join(layout.socket, '..')]) mkdirSync(d, { recursive: true, mode: 0o711 });

  let snapshotter = opts.snapshotter;
  if (!snapshotter) {
    const p = await probeOverlay(layout.root);
    snapshotter = p.ok ? 'overlayfs' : 'native';
    if (!p.ok) log(`containerd: overlayfs does not mount under ${layout.root} (${p.reason}); using the native snapshotter (slower, full copies)`);
  }
  const config = renderContainerdConfig({ root: layout.root, state: layout.state, socket: layout.socket, snapshotter, cniConfDir: layout.cniConfDir, cniBinDir: opts.cniBinDir, registryConfigPath: layout.registryConfigPath });

  // A containerd left running by an earlier skiff (killed before it could stop it) is reused
  // when its config is unchanged, so its containers stay up; otherwise it is replaced.
  const prev = previousContainerd(layout);
  const same = existsSync(layout.config) && readFileSync(layout.config, 'utf8') === config;
  if (prev && same) {
    const client = new CriClient(layout.socket);
    try {
      const version = await client.version({ timeoutMs: 3_000 });
      log(`containerd: reusing the running containerd (pid ${prev}) from an earlier start`);
      return handle(layout, prev, snapshotter, version, true, null, opts.signal, log);
    } catch {
      log(`containerd: the earlier containerd (pid ${prev}) does not answer; replacing it`);
    } finally {
      client.close();
    }
  }
  if (prev) {
    log(`containerd: stopping containerd pid ${prev} from an earlier start (its config changed)`);
    await killPid(prev, log);
  }

  writeFileSync(layout.config, config);
  rmSync(layout.socket, { force: true });
  rmSync(`${layout.socket}.ttrpc`, { force: true });
  try { if (statSync(layout.log).size > 10 * 1024 * 1024) renameSync(layout.log, `${layout.log}.1`); } catch { /* no log yet */ }
  const logFd = openSync(layout.log, 'a');
  let child: ChildProcess;
  try {
    // Own process group: a terminal's Ctrl-C reaches skiff, which then stops containerd in order.
    child = spawn(bin, ['--config', layout.config], { stdio: ['ignore', logFd, logFd], detached: true, env: { ...process.env, PATH: `${SYSTEM_PATH}:${process.env.PATH ?? ''}` } });
  } finally {
    closeSync(logFd);
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, sig) => resolve(sig ? `signal ${sig}` : `exit code ${code}`));
    child.once('error', (e) => resolve(e.message));
  });
  const started = Date.now();
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', (e) => reject(new Error(`cannot run ${bin}: ${e.message}`)));
  });
  writeFileSync(layout.pidFile, `${pid}\n`);

  const client = new CriClient(layout.socket);
  const deadline = started + (opts.readyTimeoutMs ?? 60_000);
  const state: { gone: string | null } = { gone: null };
  void exited.then((why) => { state.gone = why; });
  try {
    for (;;) {
      if (opts.signal?.aborted) throw new Error('containerd start aborted');
      if (state.gone) throw new Error(`containerd exited during start-up (${state.gone}); last log lines (${layout.log}):\n${tail(layout.log)}`);
      try {
        const version = await client.version({ timeoutMs: 1_000 });
        log(`containerd: ${version.runtimeName} ${version.runtimeVersion} (CRI ${version.runtimeApiVersion}, ${snapshotter}) ready on ${layout.socket} in ${Date.now() - started} ms (pid ${pid})`);
        return handle(layout, pid, snapshotter, version, false, exited, opts.signal, log);
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`containerd's CRI endpoint ${layout.socket} did not answer within ${opts.readyTimeoutMs ?? 60_000} ms (${(e as Error).message}); last log lines:\n${tail(layout.log)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await killPid(pid, log);
    throw e;
  } finally {
    client.close();
  }
}

/** Exit of a process that is not our child (an adopted containerd): polled, with a timer that does not hold the process open. */
function pollExit(pid: number): { exited: Promise<string>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let settle: (why: string) => void = () => {};
  const exited = new Promise<string>((resolve) => {
    settle = resolve;
    timer = setInterval(() => { if (!alive(pid)) { clearInterval(timer); resolve('exited'); } }, 1_000);
    timer.unref();
  });
  return { exited, cancel: () => { clearInterval(timer); settle('stopped'); } };
}

function handle(layout: ContainerdLayout, pid: number, snapshotter: Snapshotter, version: VersionResponse, adopted: boolean, childExit: Promise<string> | null, signal: AbortSignal | undefined, log: Log): ContainerdHandle {
  let stopping: Promise<void> | null = null;
  const poll = childExit ? null : pollExit(pid);
  const exited = childExit ?? poll!.exited;
  void exited.then((why) => { if (!stopping) log(`containerd (pid ${pid}) exited unexpectedly (${why}); see ${layout.log}`); });
  const stop = () => {
    stopping ??= (async () => {
      signal?.removeEventListener('abort', onAbort);
      await killPid(pid, log);
      poll?.cancel();
      rmSync(layout.pidFile, { force: true });
      log('containerd: stopped');
    })();
    return stopping;
  };
  const onAbort = () => void stop();
  if (signal?.aborted) void stop();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return { socket: layout.socket, pid, snapshotter, version, layout, adopted, stop, exited };
}
