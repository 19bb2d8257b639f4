// A pod's state as the runtime sees it (the kubelet's kubecontainer.PodStatus): its sandboxes
// and containers found by the io.kubernetes.pod.uid label, newest first, with exit codes,
// reasons and termination messages. Exited containers never change, so their statuses are
// cached by id; running ones are asked again on every read.

import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { isNotFound, nanosToDate } from '../cri/client.js';
import type { ContainerState, ContainerStatus, PodSandboxStatus } from '../cri/types.js';
import type { CriRuntime } from './cri.js';
import { LABEL_POD_UID, containerInfo, type LabeledContainerInfo } from './labels.js';

export type CState = 'created' | 'running' | 'exited' | 'unknown';

export interface RuntimeContainer {
  id: string;
  name: string;
  sandboxId: string;
  state: CState;
  /** ms since the epoch */
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode: number;
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  /** Absolute path of the CRI log file. */
  logPath: string;
  info: LabeledContainerInfo;
}

export interface RuntimeSandbox {
  id: string;
  attempt: number;
  ready: boolean;
  createdAt: number;
  ips: string[];
  hostNetwork: boolean;
}

export interface RuntimePodStatus {
  uid: string;
  /** Newest first. */
  sandboxes: RuntimeSandbox[];
  /** Newest first. */
  containers: RuntimeContainer[];
}

/** Upstream's kubecontainer.MaxContainerTerminationMessageLength and the log fallback's limits. */
export const MAX_TERMINATION_MESSAGE_BYTES = 4096;
export const MAX_TERMINATION_LOG_BYTES = 2048;
export const MAX_TERMINATION_LOG_LINES = 80;

const STATE: Record<ContainerState, CState> = {
  CONTAINER_CREATED: 'created', CONTAINER_RUNNING: 'running', CONTAINER_EXITED: 'exited', CONTAINER_UNKNOWN: 'unknown',
};

const ms = (ns: string | undefined): number | undefined => nanosToDate(ns)?.getTime();

/** The last `max` bytes of a file (tail.ReadAtMost); throws ENOENT and friends. */
export function readTail(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    let off = 0;
    while (off < len) {
      const n = readSync(fd, buf, off, len - off, size - len + off);
      if (n <= 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

/** The text of the last lines of a CRI log file (`<time> <stream> <P|F> <text>`), partial lines joined. */
export function lastLogText(path: string, maxLines = MAX_TERMINATION_LOG_LINES, maxBytes = MAX_TERMINATION_LOG_BYTES): string {
  let raw: string;
  try { raw = readTail(path, 256 * 1024).toString('utf8'); } catch { return ''; }
  const lines: string[] = [];
  let partial = '';
  for (const rec of raw.split('\n')) {
    const m = /^\S+ (?:stdout|stderr) ([PF]) ?(.*)$/.exec(rec);
    if (!m) continue;
    partial += m[2];
    if (m[1] === 'F') { lines.push(partial); partial = ''; }
  }
  const text = lines.slice(-maxLines).map((l) => `${l}\n`).join('');
  const b = Buffer.from(text);
  return b.length > maxBytes ? b.subarray(b.length - maxBytes).toString('utf8') : text;
}

/** The termination message of an exited container (getTerminationMessage + the log fallback). */
export function terminationMessage(st: ContainerStatus, info: LabeledContainerInfo): string {
  const fallback = info.terminationMessagePolicy === 'FallbackToLogsOnError' && st.exitCode !== 0 && st.reason !== 'ContainerCannotRun';
  let msg = '';
  let checkLogs = fallback;
  if (info.terminationMessagePath) {
    const mount = (st.mounts ?? []).find((m) => m.containerPath === info.terminationMessagePath);
    if (mount?.hostPath) {
      try {
        msg = readTail(mount.hostPath, MAX_TERMINATION_MESSAGE_BYTES).toString('utf8');
        checkLogs = fallback && msg.length === 0;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
          msg = `Error on reading termination log ${mount.hostPath}: ${(e as Error).message}`;
          checkLogs = false;
        }
      }
    }
  }
  if (checkLogs && st.logPath) msg = lastLogText(st.logPath);
  return msg;
}

export function toRuntimeContainer(st: ContainerStatus, sandboxId: string): RuntimeContainer {
  const info = containerInfo(st.labels, st.annotations);
  const state = STATE[st.state] ?? 'unknown';
  const c: RuntimeContainer = {
    id: st.id,
    name: info.containerName || st.metadata?.name || '',
    sandboxId,
    state,
    createdAt: ms(st.createdAt) ?? 0,
    exitCode: 0,
    reason: '',
    message: '',
    image: st.image?.image ?? '',
    imageRef: st.imageRef ?? '',
    logPath: st.logPath ?? '',
    info,
  };
  if (state !== 'created') c.startedAt = ms(st.startedAt);
  if (state === 'exited') {
    c.exitCode = st.exitCode;
    c.reason = st.reason;
    c.message = st.message;
    c.finishedAt = ms(st.finishedAt);
    const t = terminationMessage(st, info);
    if (t) c.message = c.message ? `${c.message}: ${t}` : t;
  }
  return c;
}

function toRuntimeSandbox(s: PodSandboxStatus): RuntimeSandbox {
  const ips = s.network?.ip ? [s.network.ip, ...(s.network.additionalIps ?? []).map((x) => x.ip)] : [];
  return {
    id: s.id,
    attempt: s.metadata?.attempt ?? 0,
    ready: s.state === 'SANDBOX_READY',
    createdAt: ms(s.createdAt) ?? 0,
    ips,
    hostNetwork: s.linux?.namespaces?.options?.network === 'NODE',
  };
}

/** Reads pods' runtime state; exited containers' statuses are cached until forgotten. */
export class RuntimeStatusReader {
  private readonly exited = new Map<string, RuntimeContainer>();

  constructor(private readonly cri: CriRuntime) {}

  async podStatus(uid: string, signal?: AbortSignal): Promise<RuntimePodStatus> {
    const selector = { labelSelector: { [LABEL_POD_UID]: uid } };
    const [sbList, cList] = await Promise.all([
      this.cri.listPodSandbox({ filter: selector }, { signal }),
      this.cri.listContainers({ filter: selector }, { signal }),
    ]);
    const sandboxes: RuntimeSandbox[] = [];
    for (const item of sbList.items) {
      try {
        const st = (await this.cri.podSandboxStatus({ podSandboxId: item.id }, { signal })).status;
        if (st) sandboxes.push(toRuntimeSandbox(st));
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const containers: RuntimeContainer[] = [];
    for (const item of cList.containers) {
      const cached = this.exited.get(item.id);
      if (cached) { containers.push(cached); continue; }
      try {
        const st = (await this.cri.containerStatus({ containerId: item.id }, { signal })).status;
        if (!st) continue;
        const c = toRuntimeContainer(st, item.podSandboxId);
        if (c.state === 'exited') this.exited.set(c.id, c);
        containers.push(c);
      } catch (e) {
        // removed between the list and the status call: as if the list had not had it
        if (!isNotFound(e)) throw e;
      }
    }
    sandboxes.sort((a, b) => b.createdAt - a.createdAt || b.attempt - a.attempt);
    containers.sort(newestFirst);
    return { uid, sandboxes, containers };
  }

  /** Drops cached statuses of removed containers. */
  forget(ids: Iterable<string>): void {
    for (const id of ids) this.exited.delete(id);
  }
}

/** Newest first; containers created within the same millisecond order by restart count. */
export function newestFirst(a: RuntimeContainer, b: RuntimeContainer): number {
  return b.createdAt - a.createdAt || b.info.restartCount - a.info.restartCount;
}

/** The newest status of a container by name (FindContainerStatusByName). */
export function latestContainer(rs: RuntimePodStatus, name: string): RuntimeContainer | undefined {
  return rs.containers.find((c) => c.name === name);
}
