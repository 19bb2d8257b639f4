// Parsing one record of a container log file, the two formats the kubelet reads:
//   CRI (containerd):  2016-10-06T00:17:09.669794202Z stdout P log content 1
//   Docker JSON:       {"log":"content 1\n","stream":"stdout","time":"2016-10-20T18:39:20.57606443Z"}
// A CRI record tagged P is a partial line: its content is continued by the stream's next
// record, so its trailing newline (added by the file format, not the program) is dropped.

export type LogStream = 'stdout' | 'stderr';

/** A point in time with the nanosecond precision of the log file, and its offset as written. */
export interface LogTime {
  /** Nanoseconds since the epoch. */
  ns: bigint;
  /** Minutes east of UTC, as written in the record (0 for "Z"). */
  offsetMin: number;
  /** The wall-clock part as written, "YYYY-MM-DDTHH:MM:SS". */
  wall: string;
  /** Exactly nine fraction digits. */
  frac: string;
}

export interface LogRecord {
  time: LogTime;
  stream: LogStream;
  /** The program's bytes (with its newline for a complete line; none for a partial one). */
  content: Buffer;
}

export type ParseFn = (line: Buffer) => LogRecord;

const TS_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 timestamp with 0–9 fraction digits (Go's RFC3339NanoLenient).
 * Throws on anything else.
 */
export function parseLogTime(text: string): LogTime {
  const m = TS_RE.exec(text);
  if (!m) throw new Error(`unexpected timestamp format: ${JSON.stringify(text)}`);
  const [, wall, fracRaw = '', zone] = m;
  const ms = Date.parse(`${wall}Z`);
  if (Number.isNaN(ms)) throw new Error(`unexpected timestamp format: ${JSON.stringify(text)}`);
  const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const frac = fracRaw.padEnd(9, '0');
  const ns = (BigInt(ms) - BigInt(offsetMin) * 60_000n) * 1_000_000n + BigInt(frac);
  return { ns, offsetMin, wall, frac };
}

/**
 * The kubelet's output format (Go's RFC3339NanoFixed, "2006-01-02T15:04:05.000000000Z07:00"):
 * always nine fraction digits, the offset the record was written with ("Z" for zero).
 */
export function formatLogTime(t: LogTime): string {
  if (t.offsetMin === 0) return `${t.wall}.${t.frac}Z`;
  const a = Math.abs(t.offsetMin);
  const hh = String(Math.floor(a / 60)).padStart(2, '0');
  const mm = String(a % 60).padStart(2, '0');
  return `${t.wall}.${t.frac}${t.offsetMin < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** A Date (millisecond precision) as nanoseconds since the epoch. */
export function dateToNs(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}

const SPACE = 0x20;
const NL = 0x0a;

/** One CRI-format record; `line` may end with its newline. */
export function parseCriLog(line: Buffer): LogRecord {
  const i1 = line.indexOf(SPACE);
  if (i1 < 0) throw new Error('timestamp is not found');
  const time = parseLogTime(line.toString('latin1', 0, i1));
  const i2 = line.indexOf(SPACE, i1 + 1);
  if (i2 < 0) throw new Error('stream type is not found');
  const stream = line.toString('latin1', i1 + 1, i2);
  if (stream !== 'stdout' && stream !== 'stderr') throw new Error(`unexpected stream type ${JSON.stringify(stream)}`);
  const i3 = line.indexOf(SPACE, i2 + 1);
  if (i3 < 0) throw new Error('log tag is not found');
  // Tags are ":"-separated for forward compatibility; the first says full or partial.
  const partial = line.toString('latin1', i2 + 1, i3).split(':')[0] === 'P';
  let end = line.length;
  if (partial && end > i3 + 1 && line[end - 1] === NL) end--;
  return { time, stream, content: line.subarray(i3 + 1, end) };
}

/** One Docker json-file record. */
export function parseDockerJsonLog(line: Buffer): LogRecord {
  let v: unknown;
  try {
    v = JSON.parse(line.toString('utf8'));
  } catch (e) {
    throw new Error(`failed to unmarshal log: ${(e as Error).message}`);
  }
  const o = (v && typeof v === 'object' ? v : {}) as { log?: unknown; stream?: unknown; time?: unknown };
  if (typeof o.time !== 'string') throw new Error('log time is not found');
  const stream = o.stream;
  if (stream !== 'stdout' && stream !== 'stderr') throw new Error(`unexpected stream type ${JSON.stringify(stream)}`);
  return { time: parseLogTime(o.time), stream, content: Buffer.from(typeof o.log === 'string' ? o.log : '', 'utf8') };
}

/** The parser the first record of a file fits (the kubelet decides once per file). */
export function detectFormat(line: Buffer): ParseFn {
  for (const p of [parseCriLog, parseDockerJsonLog]) {
    try {
      p(line);
      return p;
    } catch { /* try the next format */ }
  }
  throw new Error(`unsupported log format: ${JSON.stringify(line.toString('utf8'))}`);
}
