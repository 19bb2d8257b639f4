// resource.Quantity as k8s.io/apimachinery/pkg/api/resource implements it: the same parser
// (sign, digits, fraction, SI/binary/exponent suffix), the same rounding to nano precision,
// and the same canonical string form, because clients compare what they sent with what the
// server echoes back ("1000m" comes back as "1", "1024Mi" as "1Gi", "0.5" as "500m").
//
// A value is `unscaled * 10^scale` held in a bigint, so nothing is lost to floating point.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export const QUANTITY_FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix";
export const QUANTITY_NUMERIC_ERROR = 'unable to parse numeric part of quantity';

/** Thrown for text that is not a quantity; the message is upstream's error text. */
export class QuantityError extends Error {}

const DEC_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BIN_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DEC_BY_EXP = new Map(Object.entries(DEC_SUFFIXES).map(([s, e]) => [e, s]));
const BIN_BY_EXP = new Map(Object.entries(BIN_SUFFIXES).map(([s, e]) => [e, s]));

const NANO = -9;
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** a / 10^n rounded away from zero. */
function divRoundUp(a: bigint, n: number): { v: bigint; exact: boolean } {
  if (n <= 0) return { v: a * pow10(-n), exact: true };
  const d = pow10(n);
  const q = a / d;
  const r = a % d;
  if (r === 0n) return { v: q, exact: true };
  return { v: a < 0n ? q - 1n : q + 1n, exact: false };
}

interface Parsed { positive: boolean; num: string; denom: string; suffix: string }

// Mirrors parseQuantityString: strict about where digits, the dot and the suffix may appear.
function splitQuantity(str: string): Parsed {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end) {
    if (str[0] === '-') { positive = false; pos++; } else if (str[0] === '+') pos++;
  }
  // leading zeros
  for (;;) {
    if (pos >= end) return { positive, num: '0', denom: '', suffix: '' };
    if (str[pos] === '0') pos++; else break;
  }
  const isDigit = (c: string) => c >= '0' && c <= '9';
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, num: num || '0', denom: '', suffix: '' };
  pos = i;
  if (num.length === 0) num = '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (i < end && isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { positive, num, denom, suffix: '' };
    pos = i;
  }
  const suffixStart = pos;
  i = pos;
  while (i < end && 'eEinumkKMGTP'.includes(str[i])) i++;
  if (i >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  if (str[i] === '-' || str[i] === '+') i++;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, num, denom, suffix: str.slice(suffixStart) };
  throw new QuantityError(QUANTITY_FORMAT_ERROR);
}

function interpretSuffix(s: string): { base: 10 | 2; exponent: number; format: QuantityFormat } {
  if (s in DEC_SUFFIXES) return { base: 10, exponent: DEC_SUFFIXES[s], format: 'DecimalSI' };
  if (s in BIN_SUFFIXES) return { base: 2, exponent: BIN_SUFFIXES[s], format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[-+]?[0-9]+$/.test(s.slice(1))) {
    const e = Number(s.slice(1));
    if (Number.isSafeInteger(e) && Math.abs(e) < 2 ** 31) return { base: 10, exponent: e, format: 'DecimalExponent' };
  }
  throw new QuantityError(QUANTITY_SUFFIX_ERROR);
}

export class Quantity {
  /** value = unscaled * 10^scale */
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
    readonly format: QuantityFormat,
    /** The input text, kept when it already was canonical (as upstream caches it). */
    private readonly cached?: string,
  ) {}

  static parse(input: string | number): Quantity {
    const str = typeof input === 'number' ? String(input) : input;
    if (typeof str !== 'string' || str.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
    if (str === '0') return new Quantity(0n, 0, 'DecimalSI', '0');
    const { positive, num, denom, suffix } = splitQuantity(str);
    const { base, exponent, format } = interpretSuffix(suffix);

    // Fast path (upstream's int64 path): small enough numbers keep the original text
    // when it is already in canonical form.
    let precision: number;
    let scale = 0;
    let mantissa = 1n;
    if (base === 10) {
      scale = exponent;
      precision = 18 - (num.length + denom.length);
    } else if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc(Math.fround(exponent * 3 / 10)) - 1;
    } else {
      precision = -1;
    }
    if (precision >= 0) {
      scale -= denom.length;
      if (scale >= NANO) {
        const shifted = num + denom;
        let result = BigInt(shifted) * mantissa;
        if (result <= INT64_MAX) {
          if (!positive) result = -result;
          let keep = false;
          if (format === 'BinarySI') keep = exponent % 10 === 0 && (BigInt(shifted) & 7n) !== 0n;
          else keep = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
          return new Quantity(result, scale, format, keep ? str : undefined);
        }
      }
    }

    // Slow path: exact decimal arithmetic, rounded up to nano precision.
    let unscaled = BigInt(num + denom);
    let sc = -denom.length;
    if (base === 10) sc += exponent;
    else unscaled *= 1n << BigInt(exponent);
    if (unscaled !== 0n && sc < NANO) {
      unscaled = divRoundUp(unscaled, NANO - sc).v;
      sc = NANO;
    }
    // Binary quantities are capped at the int64 range (the sign is applied afterwards).
    if (format === 'BinarySI' && new Quantity(unscaled, sc, format).cmp(Quantity.fromInt(INT64_MAX)) > 0) {
      unscaled = INT64_MAX;
      sc = 0;
    }
    if (!positive) unscaled = -unscaled;
    return new Quantity(unscaled, sc, format);
  }

  static fromMilli(milli: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(milli), -3, format);
  }

  static fromInt(v: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(BigInt(v), 0, format);
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  sign(): number {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  /** -1, 0 or 1 as this is less than, equal to or greater than other. */
  cmp(other: Quantity): number {
    const s = Math.min(this.scale, other.scale);
    const a = this.unscaled * pow10(this.scale - s);
    const b = other.unscaled * pow10(other.scale - s);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  add(other: Quantity): Quantity {
    const s = Math.min(this.scale, other.scale);
    return new Quantity(this.unscaled * pow10(this.scale - s) + other.unscaled * pow10(other.scale - s), s, this.format);
  }

  sub(other: Quantity): Quantity {
    return this.add(other.neg());
  }

  neg(): Quantity {
    return new Quantity(-this.unscaled, this.scale, this.format);
  }

  /** The value scaled to 10^scale, rounded away from zero (ScaledValue). */
  scaledValue(scale: number): bigint {
    return divRoundUp(this.unscaled, scale - this.scale).v;
  }

  /** Integer value rounded up (Value()). Exact as bigint; see value() for a number. */
  valueBig(): bigint {
    return this.scaledValue(0);
  }

  value(): number {
    return Number(this.valueBig());
  }

  milliValue(): number {
    return Number(this.scaledValue(-3));
  }

  /** Bytes-ish numeric value for comparisons and arithmetic that tolerate float. */
  asApproximateFloat64(): number {
    return Number(this.unscaled) * 10 ** this.scale;
  }

  /** RoundUp(scale): round away from zero to at most `scale` decimal places. */
  roundUp(scale: number): Quantity {
    if (this.scale >= scale) return this;
    const { v } = divRoundUp(this.unscaled, scale - this.scale);
    return new Quantity(v, scale, this.format);
  }

  /** The canonical string (Quantity.String()). */
  toString(): string {
    if (this.cached !== undefined) return this.cached;
    if (this.unscaled === 0n) return '0';
    let format = this.format;
    let intValue = 0n;
    if (format === 'BinarySI') {
      if (this.cmp(Quantity.fromInt(-1024)) > 0 && this.cmp(Quantity.fromInt(1024)) < 0) {
        format = 'DecimalSI';
      } else {
        const r = divRoundUp(this.unscaled, -this.scale);
        if (!r.exact) format = 'DecimalSI';
        else intValue = r.v;
      }
    }
    if (format === 'BinarySI') {
      let v = intValue;
      const neg = v < 0n;
      if (neg) v = -v;
      let exp = 0;
      while (v >= 1024n && v % 1024n === 0n) { v /= 1024n; exp += 10; }
      return `${neg ? '-' : ''}${v}${BIN_BY_EXP.get(exp) ?? ''}`;
    }
    let m = this.unscaled;
    let exp = this.scale;
    const neg = m < 0n;
    if (neg) m = -m;
    while (m >= 10n && m % 10n === 0n) { m /= 10n; exp++; }
    while (((exp % 3) + 3) % 3 !== 0) { m *= 10n; exp--; }
    let suffix: string;
    if (format === 'DecimalExponent') suffix = exp === 0 ? '' : `e${exp}`;
    else suffix = DEC_BY_EXP.get(exp) ?? `e${exp}`;
    return `${neg ? '-' : ''}${m}${suffix}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Parse a quantity (string, or a bare JSON number as upstream accepts). Throws QuantityError. */
export function parseQuantity(s: string | number): Quantity {
  return Quantity.parse(s);
}

/** The text upstream stores and echoes for this quantity. Throws QuantityError. */
export function canonicalize(s: string | number): string {
  return Quantity.parse(s).toString();
}

/** Like parseQuantity but undefined instead of throwing. */
export function tryParseQuantity(s: unknown): Quantity | undefined {
  if (typeof s !== 'string' && typeof s !== 'number') return undefined;
  try {
    return Quantity.parse(s);
  } catch {
    return undefined;
  }
}

export function compareQuantities(a: string | number, b: string | number): number {
  return Quantity.parse(a).cmp(Quantity.parse(b));
}

export function addQuantities(a: string | number, b: string | number): string {
  return Quantity.parse(a).add(Quantity.parse(b)).toString();
}

/** Milli-units, rounded up (MilliValue). */
export function toMilli(s: string | number): number {
  return Quantity.parse(s).milliValue();
}

/** Integer units (bytes for memory), rounded up (Value). */
export function toValue(s: string | number): number {
  return Quantity.parse(s).value();
}

export const INT64 = { MAX: INT64_MAX, MIN: INT64_MIN };
