// JSON object -> Kubernetes protobuf, byte for byte what the gogo-generated Go Marshal of the
// same struct writes: fields in ascending number order; non-pointer scalars and structs are
// always written (zero when absent), pointers/slices/maps/[]byte only when non-nil; map
// entries sorted by key; repeated scalars unpacked (proto2).
import { canonicalize } from '../quantity.js';
import { MAGIC } from './decode.js';
import { message, messageForKind, type Field, type GoType, type Message, type Scalar, type Special } from './schema.js';
import { parseDuration, parseTime } from './special.js';
import { ProtobufError, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, Writer } from './wire.js';

type Obj = Record<string, any>;
const MAX_DEPTH = 100;

export function encodeEnvelope(obj: Obj): Buffer {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new ProtobufError('only objects can be encoded');
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== 'string' || !apiVersion || typeof kind !== 'string' || !kind) {
    throw new ProtobufError('an object needs apiVersion and kind to be encoded as protobuf');
  }
  const m = messageForKind(apiVersion, kind);
  if (!m) throw new ProtobufError(`no protobuf encoding for kind "${kind}" in version "${apiVersion}"`);
  const typeMeta = new Writer();
  typeMeta.tag(1, WIRE_BYTES); typeMeta.lenBytes(Buffer.from(apiVersion));
  typeMeta.tag(2, WIRE_BYTES); typeMeta.lenBytes(Buffer.from(kind));
  const w = new Writer();
  w.bytes(MAGIC);
  w.tag(1, WIRE_BYTES); w.lenBytes(typeMeta.finish());
  w.tag(2, WIRE_BYTES); w.lenBytes(encodeMessage(m, obj, 0));
  w.tag(3, WIRE_BYTES); w.uvarint(0); // contentEncoding ""
  w.tag(4, WIRE_BYTES); w.uvarint(0); // contentType ""
  return w.finish();
}

function encodeMessage(m: Message, obj: unknown, depth: number): Buffer {
  if (depth > MAX_DEPTH) throw new ProtobufError(`objects nested deeper than ${MAX_DEPTH} levels`);
  if (obj !== undefined && obj !== null && (typeof obj !== 'object' || Array.isArray(obj))) {
    throw new ProtobufError(`${m.name}: expected an object, got ${Array.isArray(obj) ? 'an array' : typeof obj}`);
  }
  const o = (obj ?? {}) as Obj;
  const w = new Writer();
  for (const f of m.sorted) writeField(w, m, f, f.inline ? o : o[f.json], depth);
  return w.finish();
}

function where(m: Message, f: Field): string {
  return `${m.name}.${f.json || '(inline)'}`;
}

function writeField(w: Writer, m: Message, f: Field, v: any, depth: number): void {
  const t = f.t;
  switch (t.k) {
    case 'scalar':
      if (t.s === 'y' && (v === undefined || v === null)) return; // nil []byte
      writeScalar(w, f.num, t.s, v ?? zero(t.s), where(m, f));
      return;
    case 'ptr':
      if (v === undefined || v === null) return;
      writeValue(w, f.num, t.e, v, depth, where(m, f));
      return;
    case 'list':
      if (v === undefined || v === null) return;
      if (!Array.isArray(v)) throw new ProtobufError(`${where(m, f)}: expected an array`);
      for (const x of v) writeValue(w, f.num, t.e.k === 'ptr' ? t.e.e : t.e, x, depth, where(m, f));
      return;
    case 'wrap':
      if (v === undefined || v === null) return;
      writeValue(w, f.num, t, v, depth, where(m, f));
      return;
    case 'map': {
      if (v === undefined || v === null) return;
      if (typeof v !== 'object' || Array.isArray(v)) throw new ProtobufError(`${where(m, f)}: expected an object`);
      const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const k of keys) {
        const e = new Writer();
        if (t.key.k !== 'scalar') throw new ProtobufError(`${where(m, f)}: unsupported map key`);
        writeScalar(e, 1, t.key.s, t.key.s === 's' ? k : Number(k), where(m, f));
        const val = v[k];
        const vt = t.val;
        // gogo: nil []byte and nil pointer values are left out of the entry; others always written.
        if (!((vt.k === 'ptr' || (vt.k === 'scalar' && vt.s === 'y')) && (val === null || val === undefined))) {
          writeValue(e, 2, vt.k === 'ptr' ? vt.e : vt, val ?? (vt.k === 'scalar' ? zero(vt.s) : undefined), depth, where(m, f));
        }
        w.tag(f.num, WIRE_BYTES);
        w.lenBytes(e.finish());
      }
      return;
    }
    case 'msg':
    case 'special':
      writeValue(w, f.num, t, v, depth, where(m, f));
      return;
  }
}

/** One value of a field (never nil here): a scalar, or a length-delimited message. */
function writeValue(w: Writer, num: number, t: GoType, v: any, depth: number, at: string): void {
  switch (t.k) {
    case 'scalar': writeScalar(w, num, t.s, v ?? zero(t.s), at); return;
    case 'ptr': writeValue(w, num, t.e, v, depth, at); return;
    case 'msg': w.tag(num, WIRE_BYTES); w.lenBytes(encodeMessage(message(t.name), v, depth + 1)); return;
    case 'special': w.tag(num, WIRE_BYTES); w.lenBytes(encodeSpecial(t.n, v, at)); return;
    case 'wrap': {
      const items = v ?? [];
      if (!Array.isArray(items)) throw new ProtobufError(`${at}: expected an array`);
      const e = new Writer();
      if (t.e.k !== 'scalar') throw new ProtobufError(`${at}: unsupported wrapper`);
      for (const x of items) writeScalar(e, 1, t.e.s, x ?? zero(t.e.s), at);
      w.tag(num, WIRE_BYTES);
      w.lenBytes(e.finish());
      return;
    }
    default: throw new ProtobufError(`${at}: unsupported nested ${t.k}`);
  }
}

function zero(s: Scalar): any {
  return s === 's' ? '' : s === 'b' ? false : s === 'y' ? '' : 0;
}

function writeScalar(w: Writer, num: number, s: Scalar, v: any, at: string): void {
  switch (s) {
    case 's':
      if (typeof v !== 'string') throw new ProtobufError(`${at}: expected a string, got ${typeof v}`);
      w.tag(num, WIRE_BYTES); w.lenBytes(Buffer.from(v, 'utf8'));
      return;
    case 'y':
      if (typeof v !== 'string') throw new ProtobufError(`${at}: expected base64 text, got ${typeof v}`);
      w.tag(num, WIRE_BYTES); w.lenBytes(Buffer.from(v, 'base64'));
      return;
    case 'b':
      if (typeof v !== 'boolean') throw new ProtobufError(`${at}: expected a boolean, got ${typeof v}`);
      w.tag(num, WIRE_VARINT); w.byte(v ? 1 : 0);
      return;
    case 'f64': case 'f32': {
      if (typeof v !== 'number') throw new ProtobufError(`${at}: expected a number, got ${typeof v}`);
      const b = Buffer.alloc(s === 'f64' ? 8 : 4);
      if (s === 'f64') b.writeDoubleLE(v); else b.writeFloatLE(v);
      w.tag(num, s === 'f64' ? WIRE_FIXED64 : WIRE_FIXED32); w.bytes(b);
      return;
    }
    default:
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtobufError(`${at}: expected an integer, got ${typeof v === 'number' ? v : typeof v}`);
      w.tag(num, WIRE_VARINT);
      if (s === 'i32') w.svarint(Math.trunc(v) | 0);
      else if (s === 'u32') w.uvarint(Math.trunc(v) >>> 0);
      else w.svarint(Math.trunc(v));
  }
}

function encodeSpecial(n: Special, v: any, at: string): Buffer {
  const w = new Writer();
  try {
    switch (n) {
      case 'Time':
      case 'MicroTime': {
        const t = parseTime(v);
        if (!t) break; // zero time: no bytes
        w.tag(1, WIRE_VARINT); w.svarint(t[0]);
        w.tag(2, WIRE_VARINT); w.svarint(n === 'Time' ? t[1] : t[1] - (t[1] % 1000));
        break;
      }
      case 'Duration':
        w.tag(1, WIRE_VARINT); w.svarint(v === undefined || v === null ? 0 : parseDuration(v));
        break;
      case 'Quantity':
        w.tag(1, WIRE_BYTES); w.lenBytes(Buffer.from(v === undefined || v === null ? '0' : canonicalize(v)));
        break;
      case 'IntOrString': {
        const isStr = typeof v === 'string';
        if (!isStr && v !== undefined && v !== null && (typeof v !== 'number' || !Number.isInteger(v))) throw new ProtobufError('expected an integer or a string');
        w.tag(1, WIRE_VARINT); w.uvarint(isStr ? 1 : 0);
        w.tag(2, WIRE_VARINT); w.svarint(isStr ? 0 : (v ?? 0) | 0);
        w.tag(3, WIRE_BYTES); w.lenBytes(Buffer.from(isStr ? v : ''));
        break;
      }
      case 'RawExtension':
      case 'FieldsV1':
        if (v === undefined || v === null) break; // nil Raw
        w.tag(1, WIRE_BYTES); w.lenBytes(Buffer.from(JSON.stringify(v)));
        break;
    }
  } catch (e) {
    throw new ProtobufError(`${at}: ${(e as Error).message}`);
  }
  return w.finish();
}
