// GET /containerLogs/{ns}/{pod}/{container}: the kubelet's getContainerLogs. Errors come
// before any output, with the kubelet's status codes and messages; the log itself streams
// (chunked) and, with follow, lasts until the container stops or the client goes away.
import type { ServerResponse } from 'node:http';
import { ContainerLog, LogOpenError, LogQueryError, logOptionsFromQuery } from '../logs/index.js';
import type { Reply } from './reply.js';
import type { ContainerLocator, Log } from './types.js';

export interface LogsContext {
  locator: ContainerLocator;
  log: Log;
  /** Stops every follow when the server closes. */
  signal: AbortSignal;
  now: () => Date;
  pollMs?: number;
}

const q = (s: string) => JSON.stringify(s);

/** validateContainerLogStatus's message for a container with no instance to read. */
function waitingMessage(container: string, pod: string, reason: string): string {
  const why = reason === 'ErrImagePull' ? "image can't be pulled"
    : reason === 'ImagePullBackOff' ? 'trying and failing to pull image'
    : reason;
  return `container ${q(container)} in pod ${q(pod)} is waiting to start: ${why}`;
}

export async function serveContainerLogs(
  ctx: LogsContext, query: URLSearchParams, res: ServerResponse, reply: Reply,
  ns: string, pod: string, container: string,
): Promise<void> {
  let parsed;
  try {
    parsed = logOptionsFromQuery(query, ctx.now());
  } catch (e) {
    if (e instanceof LogQueryError) return reply.text(e.code, e.message);
    throw e;
  }
  const { previous, options } = parsed;
  if (ctx.locator.hasPod && !ctx.locator.hasPod(ns, pod)) return reply.text(404, `pod ${q(pod)} does not exist`);
  const found = ctx.locator.findContainer(ns, pod, container, { previous });
  if (!found) {
    if (previous) return reply.text(400, `previous terminated container ${q(container)} in pod ${q(pod)} not found`);
    return reply.text(400, waitingMessage(container, pod, ctx.locator.waitingReason?.(ns, pod, container) ?? 'ContainerCreating'));
  }
  let file: ContainerLog;
  try {
    file = await ContainerLog.open(found.logPath, options);
  } catch (e) {
    if (e instanceof LogOpenError) return reply.text(400, e.message);
    throw e;
  }

  const ac = new AbortController();
  const stop = () => ac.abort();
  res.on('close', stop);
  ctx.signal.addEventListener('abort', stop, { once: true });
  // Stays the same instance while running: a restart makes a new id (and a new file).
  const isRunning = () => {
    if (previous) return false;
    const now = ctx.locator.findContainer(ns, pod, container);
    return !!now && now.id === found.id && now.running;
  };
  const write = (b: Buffer): void | Promise<void> => {
    if (res.write(b)) return;
    return new Promise<void>((resolve) => {
      const done = () => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  try {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders(); // a follower sees the 200 before the first line
    await file.copyTo({ stdout: write, stderr: write }, {
      signal: ac.signal,
      isRunning,
      pollMs: ctx.pollMs,
      onBadRecord: (e, line) => ctx.log(`containerLogs ${ns}/${pod}/${container}: skipping a record (${e.message}): ${JSON.stringify(line.toString().slice(0, 200))}`),
    });
  } catch (e) {
    ctx.log(`containerLogs ${ns}/${pod}/${container}: ${(e as Error).message}`);
  } finally {
    await file.close();
    ctx.signal.removeEventListener('abort', stop);
    res.off('close', stop);
    if (!res.destroyed) res.end();
  }
}
