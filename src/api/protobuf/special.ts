// Text forms of the apimachinery types whose Go JSON encoding is custom: metav1.Time
// (RFC 3339, whole seconds, UTC), metav1.MicroTime (6 fraction digits, truncated),
// metav1.Duration (Go's time.Duration String/ParseDuration).
import { ProtobufError } from './wire.js';

/** Seconds of Go's zero time.Time (0001-01-01T00:00:00Z) since the Unix epoch. */
export const GO_ZERO_TIME_SECONDS = -62135596800;
const MAX_SECONDS = 253402300799; // 9999-12-31T23:59:59Z: RFC 3339 has four-digit years

function isoSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < GO_ZERO_TIME_SECONDS || seconds > MAX_SECONDS) {
    throw new ProtobufError(`time ${seconds}s since the epoch is outside years 0001-9999`);
  }
  const s = new Date(seconds * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return s.slice(0, 19);
}

/** metav1.Time's JSON: null for the zero time, else RFC 3339 in UTC with whole seconds. */
export function formatTime(seconds: number): string | null {
  if (seconds === GO_ZERO_TIME_SECONDS) return null;
  return isoSeconds(seconds) + 'Z';
}

/** metav1.MicroTime's JSON; nanos may be outside [0, 1e9) (Go's time.Unix normalizes). */
export function formatMicroTime(seconds: number, nanos: number): string | null {
  const carry = Math.floor(nanos / 1e9);
  seconds += carry;
  nanos -= carry * 1e9;
  if (seconds === GO_ZERO_TIME_SECONDS && nanos === 0) return null;
  return `${isoSeconds(seconds)}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Parses an RFC 3339 time into [seconds since the epoch, nanos]; null/'' is Go's zero time. */
export function parseTime(v: unknown): [number, number] | null {
  if (v === null || v === undefined || v === '') return null;
  const m = typeof v === 'string' ? RFC3339.exec(v) : null;
  if (!m) throw new ProtobufError(`invalid RFC 3339 time ${JSON.stringify(v)}`);
  const d = new Date(0);
  d.setUTCFullYear(+m[1], +m[2] - 1, +m[3]); // not Date.UTC: that maps years 0-99 to 19xx
  d.setUTCHours(+m[4], +m[5], +m[6], 0);
  let secs = d.getTime() / 1000;
  if (m[9]) secs -= (m[9] === '-' ? -1 : 1) * (+m[10] * 3600 + +m[11] * 60);
  const nanos = m[7] ? Number(m[7].slice(1, 10).padEnd(9, '0')) : 0;
  return [secs, nanos];
}

// ----- time.Duration -----

const UNITS: Record<string, bigint> = { ns: 1n, us: 1000n, 'µs': 1000n, 'μs': 1000n, ms: 1000000n, s: 1000000000n, m: 60000000000n, h: 3600000000000n };

/** Go's time.Duration.String() of a nanosecond count ("1h0m0s", "1.5s", "300ms", "0s"). */
export function formatDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  let out: string;
  if (u < 1000000000n) {
    // under a second: the largest unit below it, with a fraction
    const [unit, scale] = u < 1000n ? ['ns', 1n] : u < 1000000n ? ['µs', 1000n] : ['ms', 1000000n];
    out = withFraction(u, scale) + unit;
  } else {
    const secs = withFraction(u % 60000000000n, 1000000000n);
    u /= 60000000000n; // whole minutes
    out = `${secs}s`;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? '-' + out : out;
}

/** v / scale with the fraction's trailing zeros (and a bare point) dropped. */
function withFraction(v: bigint, scale: bigint): string {
  const whole = v / scale, frac = v % scale;
  if (frac === 0n) return String(whole);
  const digits = String(scale).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

/** Go's time.ParseDuration, to nanoseconds. */
export function parseDuration(s: unknown): bigint {
  if (typeof s !== 'string') throw new ProtobufError(`invalid duration ${JSON.stringify(s)}`);
  let rest = s, neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) { neg = rest[0] === '-'; rest = rest.slice(1); }
  if (rest === '0') return 0n;
  if (rest === '') throw new ProtobufError(`invalid duration ${JSON.stringify(s)}`);
  let total = 0n;
  const re = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/;
  while (rest) {
    const m = re.exec(rest);
    if (!m || (m[1] === '' && !m[2])) throw new ProtobufError(`invalid duration ${JSON.stringify(s)}`);
    const unit = UNITS[m[3]];
    total += BigInt(m[1] || '0') * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    rest = rest.slice(m[0].length);
  }
  if (total > 0x7fffffffffffffffn) throw new ProtobufError(`invalid duration ${JSON.stringify(s)}`);
  return neg ? -total : total;
}
