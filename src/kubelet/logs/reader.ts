// Reading a container's log file into a log stream, as the kubelet's ReadLogs does: start at
// the last N records (tail), skip records older than `since`, prefix timestamps, stop at
// limitBytes, and in follow mode keep reading what the runtime appends (fs.watch, with a
// one-second poll as the fallback the kubelet also uses) until the container stops and the
// file is drained, or the caller aborts. A log file recreated under the same path (rotation:
// rename + reopen) is switched to once the old one is drained; one truncated in place
// (copytruncate) is read again from its start.
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { detectFormat, formatLogTime, type LogStream, type ParseFn } from './parse.js';
import type { LogOptions } from './options.js';
import { findTailStart } from './tail.js';

/** Where each stream's bytes go; a stream without a writer is left out of the output. */
export type LogWrite = (chunk: Buffer) => void | Promise<void>;
export type LogSink = Partial<Record<LogStream, LogWrite>>;

export interface FollowControl {
  /** Stops reading (the client went away, the server is closing). */
  signal?: AbortSignal;
  /** Whether the container still runs (asked at end of file in follow mode); default: always. */
  isRunning?: () => boolean | Promise<boolean>;
  /** The forced re-check period when no file event arrives (the kubelet's is 1 s). */
  pollMs?: number;
  /** A record that does not parse (it is skipped). */
  onBadRecord?: (err: Error, line: Buffer) => void;
}

/** Opening the log failed; the message is the kubelet's (shown to `kubectl logs`). */
export class LogOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogOpenError';
  }
}

const CHUNK = 64 * 1024;
const NL = 0x0a;

function goFsError(op: string, path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const text: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', ENOTDIR: 'not a directory', ELOOP: 'too many levels of symbolic links' };
  return `${op} ${path}: ${(code && text[code]) ?? (e as Error).message}`;
}

/** An opened log file positioned at the first record to read. */
export class ContainerLog {
  /** The inode of a recreated file seen at end of file, once the old one is drained again. */
  private nextIno: number | undefined;

  private constructor(
    private readonly path: string,
    private fh: FileHandle,
    private ino: number,
    private pos: number,
    private readonly opts: LogOptions,
  ) {}

  /** Resolves symlinks (the runtime may link the file) and finds the tail start. */
  static async open(path: string, opts: LogOptions): Promise<ContainerLog> {
    let real: string;
    try {
      real = await realpath(path);
    } catch (e) {
      throw new LogOpenError(`failed to try resolving symlinks in path ${JSON.stringify(path)}: ${goFsError('lstat', path, e)}`);
    }
    let fh: FileHandle;
    try {
      fh = await open(real, 'r');
    } catch (e) {
      throw new LogOpenError(`failed to open log file ${JSON.stringify(real)}: ${goFsError('open', real, e)}`);
    }
    try {
      const st = await fh.stat();
      const start = await findTailStart(fh, st.size, opts.tail);
      return new ContainerLog(real, fh, st.ino, start, opts);
    } catch (e) {
      await fh.close().catch(() => {});
      throw new LogOpenError(`failed to tail ${opts.tail} lines of log file ${JSON.stringify(real)}: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => {});
  }

  /** Writes the selected records to `sink`; resolves when done (see the file comment). */
  async copyTo(sink: LogSink, ctl: FollowControl = {}): Promise<void> {
    const { opts } = this;
    const signal = ctl.signal;
    const isRunning = ctl.isRunning ?? (() => true);
    const pollMs = ctl.pollMs ?? 1000;
    let remain = opts.limitBytes >= 0 ? opts.limitBytes : Number.POSITIVE_INFINITY;
    // Without follow, tail also caps the records written (the file may grow while we read).
    let left = !opts.follow && opts.tail >= 0 ? opts.tail : Number.POSITIVE_INFINITY;
    let parse: ParseFn | undefined;
    let carry = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(CHUNK);
    let running = true;
    const waker = new Waker(signal);

    /** Handles one record; false = stop (a limit was reached or the caller went away). */
    const emit = async (line: Buffer): Promise<boolean> => {
      if (!parse) {
        try {
          parse = detectFormat(line);
        } catch (e) {
          throw new Error(`failed to get parse function: ${(e as Error).message}`);
        }
      }
      let rec;
      try {
        rec = parse(line);
      } catch (e) {
        ctl.onBadRecord?.(e as Error, line);
        return true;
      }
      left--;
      const write = sink[rec.stream];
      if (rec.time.ns >= opts.sinceNs && write && (opts.stream === 'All' || opts.stream.toLowerCase() === rec.stream)) {
        let out = opts.timestamps ? Buffer.concat([Buffer.from(`${formatLogTime(rec.time)} `), rec.content]) : rec.content;
        if (out.length > remain) out = out.subarray(0, remain);
        await write(out);
        remain -= out.length;
        if (remain <= 0) return false;
      }
      return left > 0 && !signal?.aborted;
    };

    try {
      if (left <= 0) return;
      for (;;) {
        if (signal?.aborted) return;
        let n: number;
        try {
          ({ bytesRead: n } = await this.fh.read(chunk, 0, CHUNK, this.pos));
        } catch (e) {
          throw new Error(`failed to read log file ${JSON.stringify(this.path)}: ${(e as Error).message}`);
        }
        if (n > 0) {
          this.pos += n;
          const data = Buffer.concat([carry, chunk.subarray(0, n)]); // a copy: `chunk` is reused
          let s = 0;
          for (let e = data.indexOf(NL, s); e >= 0; e = data.indexOf(NL, s)) {
            const line = data.subarray(s, e + 1);
            s = e + 1;
            if (!(await emit(line))) return;
          }
          carry = data.subarray(s);
          continue;
        }
        // End of file.
        if (!opts.follow) {
          // The last record has no newline yet: write it as it is, then stop.
          if (carry.length) await emit(carry);
          return;
        }
        if (!running) return; // drained once more after the container stopped
        if (!waker.watching) {
          waker.watch(this.path);
          continue; // an append may have come before the watch: read again first
        }
        const turn = await this.followRotation();
        if (turn === 'drain') continue;
        if (turn === 'switched') {
          carry = Buffer.alloc(0);
          waker.watch(this.path);
          continue;
        }
        running = await isRunning();
        if (!running) continue;
        await waker.wait(pollMs);
      }
    } finally {
      waker.close();
    }
  }

  /**
   * At end of file: notices a recreated file (first drains the old one once more, for what
   * the runtime wrote before it reopened), switches to it, or rewinds a truncated file.
   */
  private async followRotation(): Promise<'none' | 'drain' | 'switched'> {
    let st;
    try {
      st = await stat(this.path);
    } catch {
      return 'none'; // renamed away, not yet recreated: keep the old one until it is
    }
    if (st.ino !== this.ino) {
      if (this.nextIno !== st.ino) {
        this.nextIno = st.ino;
        return 'drain';
      }
      let fh: FileHandle;
      try {
        fh = await open(this.path, 'r');
      } catch {
        return 'none';
      }
      await this.fh.close().catch(() => {});
      this.fh = fh;
      this.ino = (await fh.stat()).ino;
      this.nextIno = undefined;
      this.pos = 0;
      return 'switched';
    }
    if (st.size < this.pos) {
      this.pos = 0;
      return 'switched';
    }
    return 'none';
  }
}

/** Wakes the follow loop on a file event, after the poll period, or on abort. */
class Waker {
  private watcher: FSWatcher | undefined;
  private dirty = false;
  private wakeUp: (() => void) | undefined;
  watching = false;

  constructor(private readonly signal: AbortSignal | undefined) {}

  watch(path: string): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.watching = true;
    try {
      this.watcher = watch(path, { persistent: false }, () => this.poke());
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined; // polling alone from here on
      });
    } catch {
      // no inotify (limits, odd filesystems): the poll period still finds new data
    }
  }

  private poke(): void {
    this.dirty = true;
    this.wakeUp?.();
  }

  wait(ms: number): Promise<void> {
    if (this.dirty || this.signal?.aborted) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', done);
        this.wakeUp = undefined;
        this.dirty = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
      this.signal?.addEventListener('abort', done, { once: true });
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.wakeUp?.();
  }
}

/** Opens `path` and copies it to `sink` (ContainerLog.open + copyTo + close). */
export async function readLogs(path: string, opts: LogOptions, sink: LogSink, ctl: FollowControl = {}): Promise<void> {
  const log = await ContainerLog.open(path, opts);
  try {
    await log.copyTo(sink, ctl);
  } finally {
    await log.close();
  }
}
