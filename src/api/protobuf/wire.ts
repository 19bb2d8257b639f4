// Protocol buffers wire primitives: a bounds-checked reader over untrusted bytes and a small
// writer. Varints are kept as two uint32 halves so int32/int64/bool read without BigInt on
// the hot path (the way protobufjs does it).

/** Thrown for any malformed input; the message says what and where. */
export class ProtobufError extends Error {}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export class Reader {
  pos: number;
  constructor(readonly buf: Buffer, start = 0, readonly end = buf.length) {
    this.pos = start;
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as [low 32 bits, high 32 bits], both unsigned. */
  varint(): [number, number] {
    let lo = 0, hi = 0, i = 0;
    for (;;) {
      if (this.pos >= this.end) throw new ProtobufError('unexpected end of data in a varint');
      const b = this.buf[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) { lo |= (b & 0x0f) << 28; hi |= (b & 0x7f) >>> 4; }
      else if (i < 10) hi |= (b & 0x7f) << (7 * i - 32);
      else throw new ProtobufError('varint longer than 10 bytes');
      i++;
      if (!(b & 0x80)) return [lo >>> 0, hi >>> 0];
    }
  }

  /** A varint that must fit a non-negative safe integer (lengths, tags). */
  uvarint(): number {
    const [lo, hi] = this.varint();
    if (hi >= 0x200000) throw new ProtobufError('varint too large');
    return hi * 0x100000000 + lo;
  }

  /** [field number, wire type] of the next field. */
  tag(): [number, number] {
    const t = this.uvarint();
    const num = Math.floor(t / 8);
    if (num < 1 || num > 0x1fffffff) throw new ProtobufError(`illegal field number ${num}`);
    return [num, t & 7];
  }

  /** The bounds of a length-delimited value: [start, end). */
  lengthDelimited(): [number, number] {
    const n = this.uvarint();
    if (n > this.end - this.pos) throw new ProtobufError(`length ${n} runs past the end of the data`);
    const s = this.pos;
    this.pos += n;
    return [s, this.pos];
  }

  fixed64(): Buffer {
    if (this.end - this.pos < 8) throw new ProtobufError('unexpected end of data in a fixed64');
    this.pos += 8;
    return this.buf.subarray(this.pos - 8, this.pos);
  }

  fixed32(): Buffer {
    if (this.end - this.pos < 4) throw new ProtobufError('unexpected end of data in a fixed32');
    this.pos += 4;
    return this.buf.subarray(this.pos - 4, this.pos);
  }

  /** Skips a field of an unknown number (newer clients may send fields we do not know). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT: this.varint(); return;
      case WIRE_FIXED64: this.fixed64(); return;
      case WIRE_BYTES: this.lengthDelimited(); return;
      case WIRE_FIXED32: this.fixed32(); return;
      default: throw new ProtobufError(`unsupported wire type ${wire}`);
    }
  }
}

const TWO32 = 0x100000000;
export const int32Of = ([lo]: [number, number]): number => lo | 0;
export const uint32Of = ([lo]: [number, number]): number => lo >>> 0;
/** Two's complement int64 as a JS number (exact up to 2^53, nearest double beyond). */
export const int64Of = ([lo, hi]: [number, number]): number => (hi | 0) * TWO32 + lo;
export const uint64Of = ([lo, hi]: [number, number]): number => hi * TWO32 + lo;

export class Writer {
  private chunks: Buffer[] = [];
  private cur = Buffer.allocUnsafe(256);
  private n = 0;
  length = 0;

  private room(k: number): void {
    if (this.n + k <= this.cur.length) return;
    this.chunks.push(this.cur.subarray(0, this.n));
    this.cur = Buffer.allocUnsafe(Math.max(256, k, this.cur.length * 2));
    this.n = 0;
  }

  byte(b: number): void {
    this.room(1);
    this.cur[this.n++] = b;
    this.length++;
  }

  /** An unsigned varint of a non-negative safe integer. */
  uvarint(v: number): void {
    while (v >= 0x80) {
      this.byte((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.byte(v);
  }

  /** A signed integer as Go's uint64(x) varint: negatives take 10 bytes (int32 too). */
  svarint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER) { this.uvarint(v); return; }
    let u = BigInt.asUintN(64, BigInt(v));
    while (u >= 0x80n) {
      this.byte(Number(u & 0x7fn) | 0x80);
      u >>= 7n;
    }
    this.byte(Number(u));
  }

  tag(num: number, wire: number): void {
    this.uvarint(num * 8 + wire);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.cur.set(b, this.n);
    this.n += b.length;
    this.length += b.length;
  }

  /** Length-prefixed bytes. */
  lenBytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.bytes(b);
  }

  finish(): Buffer {
    return Buffer.concat([...this.chunks, this.cur.subarray(0, this.n)]);
  }
}
