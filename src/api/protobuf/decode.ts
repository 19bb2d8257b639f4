// Kubernetes protobuf -> the JSON object kube-apiserver would hold: the wire is decoded the
// way the gogo-generated Go Unmarshal fills the Go struct, and the result is what Go's
// encoding/json makes of that struct:
//   - fields absent from the wire keep Go zero values; non-pointer scalars and slices/maps
//     without `omitempty` therefore appear anyway ("" / 0 / false / null);
//   - `omitempty` drops false, 0, "", nil pointers and empty slices/maps, never structs
//     (so "spec": {}, "status": {}, "resources": {} stay, and a zero metav1.Time is null);
//   - a pointer that was on the wire is kept even when it holds zero (replicas: 0,
//     gracePeriodSeconds: 0, automountServiceAccountToken: false);
//   - a repeated field with no element is a nil slice (omitted, or null without omitempty);
//   - special types: Time/MicroTime -> RFC 3339 text, Duration -> "1h0m0s", Quantity ->
//     canonical text, IntOrString -> number or string, RawExtension/FieldsV1 -> embedded
//     JSON, []byte -> base64; map keys come out sorted; embedded inline structs flatten.
// Unknown field numbers are skipped (newer clients), wrong wire types are errors, like Go.
import { canonicalize } from '../quantity.js';
import { message, messageForKind, type Field, type GoType, type Message, type Scalar, type Special } from './schema.js';
import { formatDuration, formatMicroTime, formatTime } from './special.js';
import { int32Of, int64Of, ProtobufError, Reader, uint32Of, uint64Of, WIRE_BYTES, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT } from './wire.js';

type Obj = Record<string, any>;
type Range = [number, number];

export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAX_DEPTH = 100;
const MAX_NODES = 2_000_000; // output values; bounds memory for tiny inputs that expand (zero-filled structs)

interface Ctx { buf: Buffer; depth: number; nodes: number }

/** A top-level object: "k8s\0" + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}. */
export function decodeEnvelope(buf: Buffer, start: number, end: number, ctx?: Ctx): Obj {
  const c = ctx ?? { buf, depth: 0, nodes: 0 };
  if (end - start < 4 || !buf.subarray(start, start + 4).equals(MAGIC)) throw new ProtobufError('data does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  let apiVersion = '', kind = '', raw: Range | undefined, encoding = '', ctype = '';
  const r = new Reader(buf, start + 4, end);
  while (!r.done()) {
    const [num, wire] = r.tag();
    if (num > 4) { r.skip(wire); continue; }
    if (wire !== WIRE_BYTES) throw new ProtobufError(`runtime.Unknown field ${num}: wrong wire type ${wire}`);
    const [s, e] = r.lengthDelimited();
    if (num === 1) {
      const t = new Reader(buf, s, e);
      while (!t.done()) {
        const [n, w] = t.tag();
        if (n > 2) { t.skip(w); continue; }
        if (w !== WIRE_BYTES) throw new ProtobufError(`runtime.TypeMeta field ${n}: wrong wire type ${w}`);
        const [a, b] = t.lengthDelimited();
        if (n === 1) apiVersion = buf.toString('utf8', a, b); else kind = buf.toString('utf8', a, b);
      }
    } else if (num === 2) raw = [s, e];
    else if (num === 3) encoding = buf.toString('utf8', s, e);
    else ctype = buf.toString('utf8', s, e);
  }
  if (encoding) throw new ProtobufError(`unsupported contentEncoding ${JSON.stringify(encoding)}`);
  if (ctype && ctype !== PROTOBUF_CONTENT_TYPE) throw new ProtobufError(`unsupported embedded contentType ${JSON.stringify(ctype)}`);
  if (!kind) throw new ProtobufError('Object \'Kind\' is missing in the protobuf envelope');
  if (!apiVersion) throw new ProtobufError('Object \'apiVersion\' is missing in the protobuf envelope');
  const m = messageForKind(apiVersion, kind);
  if (!m) throw new ProtobufError(`no kind "${kind}" is registered for version "${apiVersion}" with a protobuf encoding`);
  return { kind, apiVersion, ...decodeMessage(m, raw ? [raw] : [], c) };
}

/** Decodes one message from byte ranges (several when a field occurred more than once: merge). */
function decodeMessage(m: Message, ranges: Range[], ctx: Ctx): Obj {
  if (++ctx.depth > MAX_DEPTH) throw new ProtobufError(`objects nested deeper than ${MAX_DEPTH} levels`);
  const st = new Map<Field, any>();
  for (const [s, e] of ranges) {
    const r = new Reader(ctx.buf, s, e);
    while (!r.done()) {
      const [num, wire] = r.tag();
      const f = m.byNum.get(num);
      if (f) readField(m, f, r, wire, st, ctx);
      else r.skip(wire);
    }
  }
  const out: Obj = {};
  for (const f of m.fields) {
    if (f.inline) { Object.assign(out, decodeMessage(msgOf(f.t), st.get(f) ?? [], ctx)); continue; }
    const v = emit(f.t, st.has(f), st.get(f), f.omitempty, ctx);
    if (v !== OMIT) out[f.json] = v;
  }
  ctx.depth--;
  return out;
}

const msgOf = (t: GoType): Message => {
  if (t.k !== 'msg') throw new ProtobufError('internal: inline field is not a message');
  return message(t.name);
};

const NUMERIC = new Set<Scalar>(['b', 'i32', 'i64', 'u32', 'u64', 'f64', 'f32']);
const WIRE_OF: Record<Scalar, number> = { s: WIRE_BYTES, y: WIRE_BYTES, b: WIRE_VARINT, i32: WIRE_VARINT, i64: WIRE_VARINT, u32: WIRE_VARINT, u64: WIRE_VARINT, f64: WIRE_FIXED64, f32: WIRE_FIXED32 };

function wrongWire(m: Message, f: Field, wire: number): ProtobufError {
  return new ProtobufError(`${m.name}.${f.json || '(inline)'} (field ${f.num}): wrong wire type ${wire}`);
}

function readScalar(r: Reader, s: Scalar): any {
  switch (s) {
    case 's': { const [a, b] = r.lengthDelimited(); return r.buf.toString('utf8', a, b); }
    case 'y': return r.lengthDelimited();
    case 'b': { const [lo, hi] = r.varint(); return lo !== 0 || hi !== 0; }
    case 'i32': return int32Of(r.varint());
    case 'u32': return uint32Of(r.varint());
    case 'i64': return int64Of(r.varint());
    case 'u64': return uint64Of(r.varint());
    case 'f64': return r.fixed64().readDoubleLE(0);
    case 'f32': return r.fixed32().readFloatLE(0);
  }
}

/** Accumulates one occurrence of a field into the message state, the way gogo's Unmarshal does. */
function readField(m: Message, f: Field, r: Reader, wire: number, st: Map<Field, any>, ctx: Ctx): void {
  let t = f.t;
  if (t.k === 'ptr') t = t.e; // presence is "has a state entry"
  switch (t.k) {
    case 'scalar':
      if (wire !== WIRE_OF[t.s]) throw wrongWire(m, f, wire);
      st.set(f, readScalar(r, t.s));
      return;
    case 'list': {
      const list: any[] = st.get(f) ?? [];
      st.set(f, list);
      const e = t.e.k === 'ptr' ? t.e.e : t.e;
      if (e.k === 'scalar') {
        if (wire === WIRE_BYTES && NUMERIC.has(e.s)) { // packed
          const [a, b] = r.lengthDelimited();
          const p = new Reader(r.buf, a, b);
          while (!p.done()) { list.push(readScalar(p, e.s)); count(ctx, 1); }
          return;
        }
        if (wire !== WIRE_OF[e.s]) throw wrongWire(m, f, wire);
        list.push(readScalar(r, e.s));
      } else {
        if (wire !== WIRE_BYTES) throw wrongWire(m, f, wire);
        list.push([r.lengthDelimited()]); // each element its own message: Range[]
      }
      count(ctx, 1);
      return;
    }
    case 'map': {
      if (wire !== WIRE_BYTES) throw wrongWire(m, f, wire);
      const [a, b] = r.lengthDelimited();
      const map: Map<any, any> = st.get(f) ?? new Map();
      st.set(f, map);
      const er = new Reader(r.buf, a, b);
      let key: any, val: any;
      const valType = t.val.k === 'ptr' ? t.val.e : t.val;
      while (!er.done()) {
        const [n, w] = er.tag();
        if (n === 1 && t.key.k === 'scalar') {
          if (w !== WIRE_OF[t.key.s]) throw wrongWire(m, f, w);
          key = readScalar(er, t.key.s);
        } else if (n === 2) {
          if (valType.k === 'scalar') {
            if (w !== WIRE_OF[valType.s]) throw wrongWire(m, f, w);
            val = readScalar(er, valType.s);
          } else {
            if (w !== WIRE_BYTES) throw wrongWire(m, f, w);
            val = [er.lengthDelimited()]; // a fresh value per entry: the last occurrence wins
          }
        } else er.skip(w);
      }
      if (key === undefined) key = t.key.k === 'scalar' ? zeroScalar(t.key.s) : '';
      map.set(key, val);
      count(ctx, 1);
      return;
    }
    case 'special': // custom Unmarshal methods reset the value: the last occurrence wins
      if (wire !== WIRE_BYTES) throw wrongWire(m, f, wire);
      st.set(f, [r.lengthDelimited()]);
      return;
    case 'msg':
    case 'wrap': { // generated Unmarshal merges into the existing value
      if (wire !== WIRE_BYTES) throw wrongWire(m, f, wire);
      const ranges: Range[] = st.get(f) ?? [];
      ranges.push(r.lengthDelimited());
      st.set(f, ranges);
      return;
    }
    default:
      throw new ProtobufError(`internal: unsupported field type ${t.k}`);
  }
}

function count(ctx: Ctx, n: number): void {
  ctx.nodes += n;
  if (ctx.nodes > MAX_NODES) throw new ProtobufError(`object has more than ${MAX_NODES} values`);
}

const OMIT = Symbol('omit');

function zeroScalar(s: Scalar): any {
  return s === 's' ? '' : s === 'b' ? false : s === 'y' ? null : 0;
}

/** Go JSON of a field given what the wire said (present, accumulated state). */
function emit(t: GoType, present: boolean, acc: any, omitempty: boolean, ctx: Ctx): any {
  count(ctx, 1);
  switch (t.k) {
    case 'scalar': {
      if (t.s === 'y') {
        if (!present) return omitempty ? OMIT : null; // nil []byte
        const [a, b] = acc as Range;
        return omitempty && a === b ? OMIT : ctx.buf.toString('base64', a, b);
      }
      const v = present ? acc : zeroScalar(t.s);
      return omitempty && (v === '' || v === 0 || v === false) ? OMIT : v;
    }
    case 'ptr':
      if (!present) return omitempty ? OMIT : null;
      return emit(t.e, true, acc, false, ctx);
    case 'list': {
      const list: any[] | undefined = acc;
      if (!list || list.length === 0) return omitempty ? OMIT : null;
      const e = t.e.k === 'ptr' ? t.e.e : t.e;
      return list.map((x) => emit(e, true, x, false, ctx));
    }
    case 'wrap': {
      if (!present) return omitempty ? OMIT : null;
      const items = decodeWrapper(t.e, acc as Range[], ctx);
      return omitempty && items.length === 0 ? OMIT : items;
    }
    case 'map': {
      const map: Map<any, any> | undefined = acc;
      if (!map || map.size === 0) return omitempty ? OMIT : null;
      const out: Obj = {};
      for (const k of [...map.keys()].sort(compareKeys)) {
        const v = map.get(k), vt = t.val;
        // An entry without a value holds the Go zero value (gogo: []byte{} for bytes, nil for
        // pointers and named slices, a zero struct for messages).
        if (v === undefined && vt.k === 'scalar') setKey(out, String(k), vt.s === 'y' ? '' : zeroScalar(vt.s));
        else setKey(out, String(k), emit(vt, vt.k === 'ptr' || vt.k === 'wrap' ? v !== undefined : true, v, false, ctx));
      }
      return out;
    }
    case 'msg':
      return decodeMessage(message(t.name), acc ?? [], ctx);
    case 'special':
      return special(t.n, acc?.[0], ctx);
  }
}

/** out[k] = v, also for the key "__proto__" (a plain assignment would set the prototype). */
function setKey(out: Obj, k: string, v: any): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

function compareKeys(a: any, b: any): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Items of a named-slice wrapper message: message X { repeated T items = 1; }. */
function decodeWrapper(e: GoType, ranges: Range[], ctx: Ctx): any[] {
  const out: any[] = [];
  for (const [s, end] of ranges) {
    const r = new Reader(ctx.buf, s, end);
    while (!r.done()) {
      const [n, w] = r.tag();
      if (n !== 1) { r.skip(w); continue; }
      if (e.k !== 'scalar' || (w !== WIRE_OF[e.s] && !(w === WIRE_BYTES && NUMERIC.has(e.s)))) {
        if (e.k !== 'scalar') throw new ProtobufError('internal: wrapper of non-scalars');
        throw new ProtobufError(`wrapper items: wrong wire type ${w}`);
      }
      out.push(emit(e, true, readScalar(r, e.s), false, ctx));
    }
  }
  return out;
}

/** Calls fn for each field of a small nested message; fields fn does not take are skipped. */
function eachField(ctx: Ctx, range: Range | undefined, fn: (num: number, wire: number, r: Reader) => boolean): void {
  if (!range) return;
  const r = new Reader(ctx.buf, range[0], range[1]);
  while (!r.done()) {
    const [num, wire] = r.tag();
    if (!fn(num, wire, r)) r.skip(wire);
  }
}

function expectWire(what: string, num: number, wire: number, want: number): void {
  if (wire !== want) throw new ProtobufError(`${what} field ${num}: wrong wire type ${wire}`);
}

function special(n: Special, range: Range | undefined, ctx: Ctx): any {
  switch (n) {
    case 'Time':
    case 'MicroTime': {
      if (!range || range[0] === range[1]) return null; // Go: no bytes -> zero time -> null
      let seconds = 0, nanos = 0;
      eachField(ctx, range, (num, wire, r) => {
        if (num !== 1 && num !== 2) return false;
        expectWire(`meta.v1.${n}`, num, wire, WIRE_VARINT);
        if (num === 1) seconds = int64Of(r.varint()); else nanos = int32Of(r.varint());
        return true;
      });
      return n === 'Time' ? formatTime(seconds) : formatMicroTime(seconds, nanos);
    }
    case 'Duration': {
      let ns = 0n;
      eachField(ctx, range, (num, wire, r) => {
        if (num !== 1) return false;
        expectWire('meta.v1.Duration', num, wire, WIRE_VARINT);
        const [lo, hi] = r.varint();
        ns = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
        return true;
      });
      return formatDuration(ns);
    }
    case 'Quantity': {
      let s: string | undefined;
      eachField(ctx, range, (num, wire, r) => {
        if (num !== 1) return false;
        expectWire('resource.Quantity', num, wire, WIRE_BYTES);
        s = readScalar(r, 's');
        return true;
      });
      if (s === undefined) return '0';
      try {
        return canonicalize(s);
      } catch (e) {
        throw new ProtobufError(`quantity ${JSON.stringify(s)}: ${(e as Error).message}`);
      }
    }
    case 'IntOrString': {
      let type = 0, intVal = 0, strVal = '';
      eachField(ctx, range, (num, wire, r) => {
        if (num < 1 || num > 3) return false;
        expectWire('intstr.IntOrString', num, wire, num === 3 ? WIRE_BYTES : WIRE_VARINT);
        if (num === 1) type = int64Of(r.varint()); else if (num === 2) intVal = int32Of(r.varint()); else strVal = readScalar(r, 's');
        return true;
      });
      if (type === 0) return intVal;
      if (type === 1) return strVal;
      throw new ProtobufError(`impossible IntOrString.Type ${type}`);
    }
    case 'RawExtension':
    case 'FieldsV1': {
      let raw: Range | undefined;
      eachField(ctx, range, (num, wire, r) => {
        if (num !== 1) return false;
        expectWire(n, num, wire, WIRE_BYTES);
        raw = r.lengthDelimited();
        return true;
      });
      if (!raw || raw[0] === raw[1]) return null;
      if (n === 'RawExtension' && raw[1] - raw[0] >= 4 && ctx.buf.subarray(raw[0], raw[0] + 4).equals(MAGIC)) {
        return decodeEnvelope(ctx.buf, raw[0], raw[1], ctx); // an embedded protobuf object
      }
      try {
        return JSON.parse(ctx.buf.toString('utf8', raw[0], raw[1]));
      } catch (e) {
        throw new ProtobufError(`${n} does not hold JSON: ${(e as Error).message}`);
      }
    }
  }
}

