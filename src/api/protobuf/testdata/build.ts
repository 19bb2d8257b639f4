// Hand-building protobuf bytes for tests, independently of the encoder under test: each
// helper returns the bytes of one field (tag + value) as a plain number array.

export type Bytes = number[];

export function varint(v: number | bigint): Bytes {
  let u = BigInt.asUintN(64, BigInt(v));
  const out: Bytes = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}

/** A varint field (int32/int64/bool/enum); negatives sign-extend to 10 bytes as in Go. */
export const V = (num: number, v: number | bigint | boolean): Bytes => [...varint(num * 8), ...varint(typeof v === 'boolean' ? (v ? 1 : 0) : v)];
/** A length-delimited field holding raw bytes. */
export const L = (num: number, bytes: Bytes | Buffer): Bytes => [...varint(num * 8 + 2), ...varint(bytes.length), ...bytes];
/** A string field. */
export const S = (num: number, s: string): Bytes => L(num, [...Buffer.from(s, 'utf8')]);
/** A message field made of the given fields. */
export const M = (num: number, ...fields: Bytes[]): Bytes => L(num, fields.flat());
/** A map<string, string> entry. */
export const E = (num: number, key: string, value: string): Bytes => M(num, S(1, key), S(2, value));
/** A fixed32 / fixed64 field. */
export const F32 = (num: number, v: number): Bytes => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return [...varint(num * 8 + 5), ...b]; };
export const F64 = (num: number, v: number): Bytes => { const b = Buffer.alloc(8); b.writeDoubleLE(v); return [...varint(num * 8 + 1), ...b]; };

/** "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw} (no contentEncoding/contentType). */
export function envelope(apiVersion: string, kind: string, ...fields: Bytes[]): Buffer {
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...M(1, S(1, apiVersion), S(2, kind)), ...L(2, fields.flat())]);
}
