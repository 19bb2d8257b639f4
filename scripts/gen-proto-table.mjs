#!/usr/bin/env node
// Generates src/api/protobuf/generated/table.ts: the wire shape of every Kubernetes protobuf
// message (k8s.io/api/**, meta/v1) together with the Go JSON facts the decoder needs to
// produce exactly what kube-apiserver's json.Marshal of the decoded struct would produce:
// field number, JSON name, `omitempty`, pointer-ness, inline embedding, slices and maps.
//
// Source: the Go runtime type information (abi.Type) that every Go binary carries for
// reflection, read out of real kubectl binaries. Struct field tags there hold the json tag
// and the protobuf field number; the Go field types give the wire types (the `protobuf:"..."`
// wire-type words in upstream tags are hand-written and sometimes wrong, e.g. GRPCAction.port
// says "bytes" but is an int32 varint, so only the field number is taken from them; the Go
// type decides the wire type, which is what go-to-protobuf does when it writes generated.proto).
// Field numbers were cross-checked against upstream generated.proto files.
//
// The output is committed; rerun only to pick up a newer Kubernetes API:
//   node scripts/gen-proto-table.mjs [kubectl-binary ...]
// (defaults to the kubectl 1.31/1.32/1.33 binaries of the Google Cloud SDK; the union of
// their messages is written, the newest binary winning where they differ). linux/amd64
// static Go binaries built with Go 1.20 .. 1.24 are understood.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'src', 'api', 'protobuf', 'generated', 'table.ts');
const SDK = '/usr/lib/google-cloud-sdk/bin';
const DEFAULT_BINARIES = ['kubectl.1.31', 'kubectl.1.32', 'kubectl.1.33'].map((b) => join(SDK, b));

// ---------------------------------------------------------------------------------------
// Go runtime type reader (linux/amd64 ELF, internal/abi layout of Go 1.20+).

const KINDS = ['invalid', 'bool', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32',
  'uint64', 'uintptr', 'float32', 'float64', 'complex64', 'complex128', 'array', 'chan', 'func', 'interface', 'map',
  'ptr', 'slice', 'string', 'struct', 'unsafe.Pointer'];

function loadGoTypes(path) {
  const f = readFileSync(path);
  if (f.readUInt32BE(0) !== 0x7f454c46 || f[4] !== 2) throw new Error(`${path}: not a 64-bit ELF file`);
  const shoff = Number(f.readBigUInt64LE(0x28)), shentsize = f.readUInt16LE(0x3a), shnum = f.readUInt16LE(0x3c);
  const secs = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    secs.push({ nameOff: f.readUInt32LE(o), type: f.readUInt32LE(o + 4), addr: Number(f.readBigUInt64LE(o + 16)),
      off: Number(f.readBigUInt64LE(o + 24)), size: Number(f.readBigUInt64LE(o + 32)) });
  }
  const strtab = secs[f.readUInt16LE(0x3e)];
  for (const s of secs) { let e = strtab.off + s.nameOff; let n = ''; while (f[e]) n += String.fromCharCode(f[e++]); s.name = n; }
  const S = Object.fromEntries(secs.map((s) => [s.name, s]));
  for (const n of ['.rodata', '.typelink', '.noptrdata', '.gopclntab']) if (!S[n]) throw new Error(`${path}: no ${n} section`);
  const off = (addr) => {
    for (const s of secs) if (s.type !== 8 /* NOBITS */ && s.addr && addr >= s.addr && addr < s.addr + s.size) return s.off + addr - s.addr;
    throw new Error(`${path}: address 0x${addr.toString(16)} is in no section`);
  };
  const u64 = (a) => Number(f.readBigUInt64LE(off(a)));
  const i32 = (a) => f.readInt32LE(off(a));
  const u8 = (a) => f[off(a)];

  // runtime.firstmoduledata starts with a pointer to the pclntab header.
  const nd = S['.noptrdata'], rod = S['.rodata'], tl = S['.typelink'];
  let md = -1;
  for (let o = nd.off; o + 8 <= nd.off + nd.size; o += 8) if (Number(f.readBigUInt64LE(o)) === S['.gopclntab'].addr) { md = nd.addr + o - nd.off; break; }
  if (md < 0) throw new Error(`${path}: runtime.firstmoduledata not found`);
  let types = -1, tlen = 0;
  for (let k = 0; k < 96; k++) {
    const w = u64(md + k * 8), next = u64(md + k * 8 + 8);
    if (types < 0 && w === rod.addr && next > w && next <= rod.addr + rod.size) types = w;
    if (w === tl.addr) tlen = next;
  }
  if (types < 0 || !tlen) throw new Error(`${path}: moduledata.types/typelinks not found`);

  const varint = (a) => { let v = 0, sh = 0; for (;;) { const b = u8(a++); v += (b & 0x7f) * 2 ** sh; sh += 7; if (!(b & 0x80)) return [v, a]; } };
  const readName = (a) => {
    const flags = u8(a);
    let [n, p] = varint(a + 1);
    const name = f.toString('utf8', off(p), off(p) + n);
    p += n;
    let tag = '';
    if (flags & 2) { const [tn, q] = varint(p); tag = f.toString('utf8', off(q), off(q) + tn); }
    return { name, tag, embedded: !!(flags & 8) };
  };
  const cache = new Map();
  const type = (a) => {
    let t = cache.get(a);
    if (t) return t;
    t = { addr: a };
    cache.set(a, t);
    const tflag = u8(a + 20);
    t.kind = KINDS[u8(a + 23) & 31];
    const str = readName(types + i32(a + 40)).name;
    t.str = tflag & 2 ? str.slice(1) : str;
    t.named = !!(tflag & 4);
    let size = 48; // sizeof(abi.Type)
    if (t.kind === 'ptr' || t.kind === 'slice') { const e = u64(a + 48); t.elem = () => type(e); size = 56; }
    else if (t.kind === 'array') { const e = u64(a + 48); t.elem = () => type(e); size = 72; }
    else if (t.kind === 'map') { const k = u64(a + 48), e = u64(a + 56); t.key = () => type(k); t.elem = () => type(e); size = -1; }
    else if (t.kind === 'struct') {
      size = 80;
      const fp = u64(a + 56), fl = u64(a + 64);
      t.fields = () => Array.from({ length: fl }, (_, i) => ({ ...readName(u64(fp + i * 24)), type: type(u64(fp + i * 24 + 8)) }));
    } else if (t.kind === 'interface') size = 80;
    else if (t.kind === 'chan') size = 64;
    else if (t.kind === 'func') size = 56;
    t.pkgPath = (tflag & 1) && size > 0 ? readName(types + i32(a + size)).name : '';
    return t;
  };
  const roots = [];
  for (let i = 0; i < tlen; i++) roots.push(type(types + i32(tl.addr + i * 4)));
  return roots;
}

// ---------------------------------------------------------------------------------------
// Go types -> table

/** Go package path -> OpenAPI-style name prefix (k8s.io/api/core/v1 -> io.k8s.api.core.v1). */
function pkgName(pkgPath) {
  const [host, ...rest] = pkgPath.split('/');
  return [...host.split('.').reverse(), ...rest].join('.');
}
const typeName = (t) => `${pkgName(t.pkgPath)}.${t.str.slice(t.str.lastIndexOf('.') + 1)}`;

/** Types with their own protobuf and JSON encodings (custom Marshal/MarshalJSON methods). */
const SPECIAL = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': '#Time',
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': '#MicroTime',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Duration': '#Duration',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1': '#FieldsV1',
  'io.k8s.apimachinery.pkg.api.resource.Quantity': '#Quantity',
  'io.k8s.apimachinery.pkg.util.intstr.IntOrString': '#IntOrString',
  'io.k8s.apimachinery.pkg.runtime.RawExtension': '#RawExtension',
};
const SCALAR = { bool: 'b', string: 's', int32: 'i32', int64: 'i64', int: 'i64', uint32: 'u32', uint64: 'u64', uint: 'u64', float64: 'f64', float32: 'f32' };
const WANTED = (p) => p.startsWith('k8s.io/api/') || p === 'k8s.io/apimachinery/pkg/apis/meta/v1';

function buildTable(roots, label) {
  const messages = new Map(); // name -> fields
  const pending = [];
  const seen = new Set();
  const walk = (t) => {
    if (seen.has(t.addr)) return;
    seen.add(t.addr);
    if (t.kind === 'struct' && t.named && WANTED(t.pkgPath)) pending.push(t);
    if (t.kind === 'struct') for (const fl of t.fields()) walk(fl.type);
    else if (t.elem) { walk(t.elem()); if (t.key) walk(t.key()); }
  };
  for (const r of roots) walk(r);

  const code = (t, where) => {
    if (t.kind === 'ptr') return '*' + code(t.elem(), where);
    if (t.kind === 'slice') {
      const e = t.elem();
      if (e.kind === 'uint8') return 'y';
      // Named string slices (metav1.Verbs, ExtraValue) are `+protobuf.nullable` wrapper
      // messages on the wire: message X { repeated string items = 1; }.
      return (t.named ? '~[' : '[') + code(e, where);
    }
    if (t.kind === 'map') return `{${code(t.key(), where)}}${code(t.elem(), where)}`;
    if (t.kind === 'struct') {
      const n = typeName(t);
      if (SPECIAL[n]) return SPECIAL[n];
      if (!WANTED(t.pkgPath)) throw new Error(`${label}: ${where}: struct ${n} outside the wanted packages`);
      return n;
    }
    const s = SCALAR[t.kind];
    if (!s) throw new Error(`${label}: ${where}: unsupported Go kind ${t.kind} (${t.str})`);
    return s;
  };

  const skipped = [];
  for (const t of pending) {
    const name = typeName(t);
    if (SPECIAL[name] || messages.has(name)) continue;
    const fields = [];
    const all = t.fields();
    for (const fl of all) {
      const pm = /(?:^| )protobuf:"([^"]*)"/.exec(fl.tag);
      const jm = /(?:^| )json:"([^"]*)"/.exec(fl.tag);
      if (!pm || pm[1] === '-') { if (!(fl.embedded && fl.type.str.endsWith('.TypeMeta'))) skipped.push(`${name}.${fl.name}`); continue; }
      const parts = pm[1].split(',');
      const num = Number(parts[1]);
      if (!Number.isInteger(num) || num < 1) throw new Error(`${label}: ${name}.${fl.name}: bad protobuf tag ${pm[1]}`);
      const [jname = '', ...opts] = (jm ? jm[1] : '').split(',');
      if (jname === '-') { skipped.push(`${name}.${fl.name}`); continue; }
      const inline = fl.embedded && jname === '';
      let flags = 0;
      if (opts.includes('omitempty')) flags |= 1;
      if (inline) flags |= 2;
      const c = code(fl.type, `${name}.${fl.name}`);
      if (inline && (c.startsWith('#') || !/^[a-z]+\./.test(c))) throw new Error(`${label}: ${name}.${fl.name}: inline field of type ${c}`);
      fields.push(flags ? [inline ? '' : (jname || fl.name), num, c, flags] : [jname || fl.name, num, c]);
    }
    // Empty structs (StorageVersionSpec) are empty messages; structs none of whose fields has
    // a protobuf number (metav1.Table) are not protobuf types at all.
    if (fields.length || !all.some((fl) => !fl.embedded)) messages.set(name, fields);
  }
  return { messages, skipped };
}

function merge(tables) {
  // Newest last: its fields and their order win; fields only older binaries know are appended.
  const out = new Map();
  for (const { messages } of tables) {
    for (const [name, fields] of messages) {
      const old = out.get(name);
      if (!old) { out.set(name, fields); continue; }
      const nums = new Set(fields.map((f) => f[1]));
      for (const f of fields) {
        const o = old.find((x) => x[1] === f[1]);
        if (o && (o[0] !== f[0] || o[2] !== f[2])) console.warn(`note: ${name} field ${f[1]} changed: ${o[0]} ${o[2]} -> ${f[0]} ${f[2]}`);
      }
      out.set(name, [...fields, ...old.filter((f) => !nums.has(f[1]))]);
    }
  }
  return out;
}

function main() {
  const bins = process.argv.slice(2).length ? process.argv.slice(2) : DEFAULT_BINARIES.filter((b) => existsSync(b));
  if (!bins.length) throw new Error('no kubectl binary given and none found in ' + SDK);
  const tables = bins.map((b) => { const t = buildTable(loadGoTypes(b), b); console.log(`${b}: ${t.messages.size} messages`); return t; });
  const messages = merge(tables);
  // Every referenced message must be defined.
  for (const [name, fields] of messages) {
    for (const f of fields) {
      const m = /([a-z][\w]*(?:\.[\w]+)+)$/.exec(f[2]);
      if (m && !messages.has(m[1])) throw new Error(`${name}.${f[0]} refers to unknown message ${m[1]}`);
    }
  }
  // Group by package; refs within the same package are written without the package prefix.
  const byPkg = {};
  for (const name of [...messages.keys()].sort()) {
    const pkg = name.slice(0, name.lastIndexOf('.'));
    const short = name.slice(pkg.length + 1);
    byPkg[pkg] ??= {};
    byPkg[pkg][short] = messages.get(name).map((f) => {
      const g = [...f];
      g[2] = g[2].replace(/([a-z][\w]*(?:\.[\w]+)+)$/, (full) => (full.startsWith(pkg + '.') && !full.slice(pkg.length + 1).includes('.') ? full.slice(pkg.length + 1) : full));
      return g;
    });
  }
  const json = JSON.stringify(byPkg);
  const header = `// GENERATED by scripts/gen-proto-table.mjs from the Go type information of kubectl ${bins.map((b) => b.replace(/.*kubectl\.?/, '') || 'default').join(', ')}. Do not edit.
// Per package, per message: [jsonName, fieldNumber, type, flags?] in Go struct order.
// type: s string, b bool, i32/i64/u32/u64 varint, f64/f32, y bytes, *T Go pointer, [T repeated,
// ~[T wrapper message {repeated T items = 1}, {K}V map, #Name special (Time, Quantity, ...),
// Name / pkg.Name message. flags: 1 omitempty, 2 inline (embedded, JSON-flattened).
`;
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${header}export const TABLE_JSON = ${JSON.stringify(json)};\n`);
  console.log(`wrote ${OUT}: ${messages.size} messages, ${json.length} bytes of JSON`);
  const skipped = [...new Set(tables.flatMap((t) => t.skipped))];
  if (skipped.length) console.log(`fields without a protobuf number (not on the wire): ${skipped.join(', ')}`);
}

main();
