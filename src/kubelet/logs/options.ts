// The kubelet's log options: decoded from /containerLogs query parameters (v1.PodLogOptions
// field names), validated as ValidatePodLogOptions does, then turned into what the reader
// needs (NewLogOptions: sinceSeconds becomes an absolute time, the later of it and sinceTime).
import { dateToNs } from './parse.js';

export type StreamSelection = 'All' | 'Stdout' | 'Stderr';

/** v1.PodLogOptions as the kubelet receives them. */
export interface PodLogOptions {
  follow?: boolean;
  previous?: boolean;
  timestamps?: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  tailLines?: number;
  limitBytes?: number;
  stream?: string;
}

/** What the reader does. */
export interface LogOptions {
  follow: boolean;
  timestamps: boolean;
  /** Records older than this (nanoseconds since the epoch) are skipped; 0n = none. */
  sinceNs: bigint;
  /** Lines from the end; -1 = all. */
  tail: number;
  /** Bytes in total; -1 = no limit. */
  limitBytes: number;
  stream: StreamSelection;
}

/** A query the kubelet refuses: its status code and its (exact) body. */
export class LogQueryError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'LogQueryError';
  }
}

const DECODE = '{"message": "Unable to decode query."}';
const INVALID = '{"message": "Invalid request."}';

/** Go's conversion of a query string to bool: only these spellings mean false. */
function queryBool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  return !['0', 'f', 'false', 'n', 'no', 'off'].includes(v.toLowerCase());
}

function queryInt(v: string | null): number | undefined {
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new LogQueryError(400, DECODE);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new LogQueryError(400, DECODE);
  return n;
}

/** Decodes the query like the kubelet (incl. the legacy `tail` parameter, "all" = no limit). */
export function decodeLogQuery(q: URLSearchParams): PodLogOptions {
  const tail = q.get('tail');
  let tailLines = q.get('tailLines');
  if (tail !== null && tail !== '') tailLines = tail === 'all' ? null : tail;
  let sinceTime: Date | undefined;
  const st = q.get('sinceTime');
  if (st) {
    // metav1.Time in a query is RFC 3339 (seconds precision on the wire).
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(st)) throw new LogQueryError(400, DECODE);
    const ms = Date.parse(st);
    if (Number.isNaN(ms)) throw new LogQueryError(400, DECODE);
    sinceTime = new Date(ms);
  }
  return {
    follow: queryBool(q.get('follow')),
    previous: queryBool(q.get('previous')),
    timestamps: queryBool(q.get('timestamps')),
    sinceSeconds: queryInt(q.get('sinceSeconds')),
    sinceTime,
    tailLines: queryInt(tailLines),
    limitBytes: queryInt(q.get('limitBytes')),
    stream: q.get('stream') ?? undefined,
  };
}

/** ValidatePodLogOptions; the kubelet answers any failure with one fixed 422 body. */
export function validatePodLogOptions(o: PodLogOptions): void {
  const bad =
    (o.tailLines !== undefined && o.tailLines < 0) ||
    (o.limitBytes !== undefined && o.limitBytes < 1) ||
    (o.sinceSeconds !== undefined && o.sinceTime !== undefined) ||
    (o.sinceSeconds !== undefined && o.sinceSeconds < 1) ||
    (o.stream !== undefined && !['All', 'Stdout', 'Stderr'].includes(o.stream)) ||
    // "tailLines and specific stream are mutually exclusive for now"
    (o.stream !== undefined && o.stream !== 'All' && o.tailLines !== undefined);
  if (bad) throw new LogQueryError(422, INVALID);
}

/** NewLogOptions: absolute since (the later of sinceSeconds and sinceTime), -1 for "no limit". */
export function toLogOptions(o: PodLogOptions, now: Date = new Date()): LogOptions {
  let sinceNs = 0n;
  if (o.sinceSeconds !== undefined) sinceNs = dateToNs(now) - BigInt(o.sinceSeconds) * 1_000_000_000n;
  if (o.sinceTime !== undefined) {
    const t = dateToNs(o.sinceTime);
    if (t > sinceNs) sinceNs = t;
  }
  return {
    follow: o.follow ?? false,
    timestamps: o.timestamps ?? false,
    sinceNs,
    tail: o.tailLines ?? -1,
    limitBytes: o.limitBytes ?? -1,
    stream: (o.stream as StreamSelection | undefined) ?? 'All',
  };
}

/** Query → reader options, throwing LogQueryError as the kubelet would answer. */
export function logOptionsFromQuery(q: URLSearchParams, now?: Date): { previous: boolean; options: LogOptions } {
  const o = decodeLogQuery(q);
  validatePodLogOptions(o);
  return { previous: o.previous ?? false, options: toLogOptions(o, now) };
}
