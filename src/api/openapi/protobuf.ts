// A protobuf encoder for gnostic's openapi_v2.Document (github.com/google/gnostic-models,
// openapiv2/OpenAPIv2.proto), the form client-go's OpenAPISchema() requests from /openapi/v2.
// Field numbers follow that .proto. Vendor extensions and other free-form values travel as
// Any{yaml}; JSON text is valid YAML, which is what kube-openapi's readers parse it with.
//
// Only the parts of swagger 2.0 that Kubernetes documents use are mapped: info, paths and
// operations with body/query/path/header parameters, responses, definitions, security.

type Json = Record<string, unknown>;

/**
 * Protobuf wire writer over one growable buffer. A nested message reserves one byte for its
 * length and moves its body right in place if the length needs more, so encoding a large
 * document allocates almost nothing beyond the output.
 */
class Writer {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private varint(n: number): void {
    // Non-negative integers below 2^53 (lengths, tags, counts); negative int64 below.
    this.ensure(8);
    while (n > 0x7f) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private text(field: number, s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.tag(field, 2);
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  string(field: number, s: unknown): void {
    if (typeof s === 'string' && s !== '') this.text(field, s);
  }

  strings(field: number, list: unknown): void {
    if (Array.isArray(list)) for (const s of list) if (typeof s === 'string') this.text(field, s);
  }

  bool(field: number, b: unknown): void {
    if (b === true) {
      this.tag(field, 0);
      this.varint(1);
    }
  }

  int64(field: number, n: unknown): void {
    if (typeof n !== 'number' || !Number.isInteger(n) || n === 0) return;
    this.tag(field, 0);
    if (n > 0) { this.varint(n); return; }
    // Two's complement, ten bytes.
    this.ensure(10);
    let v = BigInt.asUintN(64, BigInt(n));
    for (let i = 0; i < 9; i++) { this.buf[this.pos++] = Number(v & 0x7fn) | 0x80; v >>= 7n; }
    this.buf[this.pos++] = Number(v);
  }

  double(field: number, n: unknown): void {
    if (typeof n !== 'number' || n === 0) return;
    this.tag(field, 1);
    this.ensure(8);
    this.pos = this.buf.writeDoubleLE(n, this.pos);
  }

  /** A nested message, always written (presence matters for oneofs and empty messages). */
  message(field: number, build: (w: Writer) => void): void {
    this.tag(field, 2);
    this.ensure(1);
    const lenAt = this.pos++;
    const start = this.pos;
    build(this);
    const len = this.pos - start;
    let size = 1;
    for (let v = len; v > 0x7f; v = Math.floor(v / 0x80)) size++;
    if (size > 1) {
      this.ensure(size - 1);
      this.buf.copyWithin(start + size - 1, start, this.pos);
      this.pos += size - 1;
    }
    let v = len;
    let at = lenAt;
    while (v > 0x7f) {
      this.buf[at++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[at] = v;
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

const isObj = (v: unknown): v is Json => !!v && typeof v === 'object' && !Array.isArray(v);

/** Any { yaml = 2 } */
function any(w: Writer, field: number, value: unknown): void {
  w.message(field, (a) => a.string(2, JSON.stringify(value)));
}

/** repeated NamedAny vendor_extension: every "x-" key of obj, in key order. */
function vendorExtensions(w: Writer, field: number, obj: Json): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!k.startsWith('x-')) continue;
    w.message(field, (n) => { n.string(1, k); any(n, 2, v); });
  }
}

// message Schema
function schema(w: Writer, s: Json): void {
  w.string(1, s.$ref);
  w.string(2, s.format);
  w.string(3, s.title);
  w.string(4, s.description);
  if (s.default !== undefined) any(w, 5, s.default);
  w.double(6, s.multipleOf);
  w.double(7, s.maximum);
  w.bool(8, s.exclusiveMaximum);
  w.double(9, s.minimum);
  w.bool(10, s.exclusiveMinimum);
  w.int64(11, s.maxLength);
  w.int64(12, s.minLength);
  w.string(13, s.pattern);
  w.int64(14, s.maxItems);
  w.int64(15, s.minItems);
  w.bool(16, s.uniqueItems);
  w.int64(17, s.maxProperties);
  w.int64(18, s.minProperties);
  w.strings(19, s.required);
  if (Array.isArray(s.enum)) for (const e of s.enum) any(w, 20, e);
  const ap = s.additionalProperties;
  if (isObj(ap)) w.message(21, (m) => m.message(1, (x) => schema(x, ap)));
  else if (typeof ap === 'boolean') w.message(21, (m) => { m.bool(2, ap); });
  if (typeof s.type === 'string') w.message(22, (t) => t.string(1, s.type));
  else if (Array.isArray(s.type)) w.message(22, (t) => t.strings(1, s.type));
  const items = s.items;
  if (isObj(items)) w.message(23, (m) => m.message(1, (x) => schema(x, items)));
  else if (Array.isArray(items)) w.message(23, (m) => { for (const it of items) if (isObj(it)) m.message(1, (x) => schema(x, it)); });
  if (Array.isArray(s.allOf)) for (const sub of s.allOf) if (isObj(sub)) w.message(24, (x) => schema(x, sub));
  const props = s.properties;
  if (isObj(props)) {
    w.message(25, (m) => {
      for (const [name, p] of Object.entries(props)) if (isObj(p)) m.message(1, (n) => { n.string(1, name); n.message(2, (x) => schema(x, p)); });
    });
  }
  w.string(26, s.discriminator);
  w.bool(27, s.readOnly);
  if (isObj(s.externalDocs)) externalDocs(w, 29, s.externalDocs);
  if (s.example !== undefined) any(w, 30, s.example);
  vendorExtensions(w, 31, s);
}

function externalDocs(w: Writer, field: number, d: Json): void {
  w.message(field, (m) => { m.string(1, d.description); m.string(2, d.url); vendorExtensions(m, 3, d); });
}

// message PrimitivesItems
function primitivesItems(w: Writer, field: number, it: Json): void {
  w.message(field, (m) => {
    m.string(1, it.type);
    m.string(2, it.format);
    if (isObj(it.items)) primitivesItems(m, 3, it.items);
    m.string(4, it.collectionFormat);
    if (it.default !== undefined) any(m, 5, it.default);
    vendorExtensions(m, 18, it);
  });
}

/**
 * Non-body parameter sub-schemas. Query and formData share one layout (with
 * allow_empty_value = 5); header and path share another (without it).
 */
function nonBody(w: Writer, p: Json): void {
  const withAllowEmpty = p.in === 'query' || p.in === 'formData';
  const oneof = { header: 1, formData: 2, query: 3, path: 4 }[p.in as string];
  if (!oneof) return;
  const o = withAllowEmpty ? 1 : 0; // field-number offset after `name`
  w.message(oneof, (m) => {
    m.bool(1, p.required);
    m.string(2, p.in);
    m.string(3, p.description);
    m.string(4, p.name);
    if (withAllowEmpty) m.bool(5, p.allowEmptyValue);
    m.string(5 + o, p.type);
    m.string(6 + o, p.format);
    if (isObj(p.items)) primitivesItems(m, 7 + o, p.items);
    m.string(8 + o, p.collectionFormat);
    if (p.default !== undefined) any(m, 9 + o, p.default);
    m.double(10 + o, p.maximum);
    m.bool(11 + o, p.exclusiveMaximum);
    m.double(12 + o, p.minimum);
    m.bool(13 + o, p.exclusiveMinimum);
    m.int64(14 + o, p.maxLength);
    m.int64(15 + o, p.minLength);
    m.string(16 + o, p.pattern);
    m.int64(17 + o, p.maxItems);
    m.int64(18 + o, p.minItems);
    m.bool(19 + o, p.uniqueItems);
    if (Array.isArray(p.enum)) for (const e of p.enum) any(m, 20 + o, e);
    m.double(21 + o, p.multipleOf);
    vendorExtensions(m, 22 + o, p);
  });
}

// message Parameter (oneof body_parameter = 1, non_body_parameter = 2)
function parameter(w: Writer, p: Json): void {
  if (p.in === 'body') {
    w.message(1, (b) => {
      b.string(1, p.description);
      b.string(2, p.name);
      b.string(3, p.in);
      b.bool(4, p.required);
      if (isObj(p.schema)) b.message(5, (x) => schema(x, p.schema as Json));
      vendorExtensions(b, 6, p);
    });
  } else {
    w.message(2, (nb) => nonBody(nb, p));
  }
}

// repeated ParametersItem (oneof parameter = 1, json_reference = 2)
function parametersItems(w: Writer, field: number, list: unknown): void {
  if (!Array.isArray(list)) return;
  for (const p of list) {
    if (!isObj(p)) continue;
    w.message(field, (pi) => {
      if (typeof p.$ref === 'string') pi.message(2, (r) => { r.string(1, p.$ref); r.string(2, p.description); });
      else pi.message(1, (x) => parameter(x, p));
    });
  }
}

// message Responses
function responses(w: Writer, field: number, rs: Json): void {
  w.message(field, (m) => {
    for (const [code, r] of Object.entries(rs)) {
      if (code.startsWith('x-') || !isObj(r)) continue;
      m.message(1, (n) => {
        n.string(1, code);
        n.message(2, (rv) => {
          if (typeof r.$ref === 'string') rv.message(2, (j) => j.string(1, r.$ref));
          else rv.message(1, (x) => response(x, r));
        });
      });
    }
    vendorExtensions(m, 2, rs);
  });
}

function response(w: Writer, r: Json): void {
  w.string(1, r.description);
  if (isObj(r.schema)) w.message(2, (si) => si.message(1, (x) => schema(x, r.schema as Json)));
  vendorExtensions(w, 5, r);
}

// message Operation
function operation(w: Writer, field: number, op: Json): void {
  w.message(field, (m) => {
    m.strings(1, op.tags);
    m.string(2, op.summary);
    m.string(3, op.description);
    if (isObj(op.externalDocs)) externalDocs(m, 4, op.externalDocs);
    m.string(5, op.operationId);
    m.strings(6, op.produces);
    m.strings(7, op.consumes);
    parametersItems(m, 8, op.parameters);
    if (isObj(op.responses)) responses(m, 9, op.responses);
    m.strings(10, op.schemes);
    m.bool(11, op.deprecated);
    if (Array.isArray(op.security)) for (const s of op.security) if (isObj(s)) securityRequirement(m, 12, s);
    vendorExtensions(m, 13, op);
  });
}

const METHODS: [string, number][] = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

function pathItem(w: Writer, pi: Json): void {
  w.string(1, pi.$ref);
  for (const [m, f] of METHODS) if (isObj(pi[m])) operation(w, f, pi[m] as Json);
  parametersItems(w, 9, pi.parameters);
  vendorExtensions(w, 10, pi);
}

// message SecurityRequirement { repeated NamedStringArray additional_properties = 1; }
function securityRequirement(w: Writer, field: number, req: Json): void {
  w.message(field, (m) => {
    for (const [name, scopes] of Object.entries(req)) {
      m.message(1, (n) => { n.string(1, name); n.message(2, (sa) => sa.strings(1, scopes)); });
    }
  });
}

// message SecurityDefinitionsItem: only the kinds Kubernetes publishes (basic, apiKey).
function securityDefinition(w: Writer, d: Json): void {
  if (d.type === 'basic') {
    w.message(1, (b) => { b.string(1, d.type); b.string(2, d.description); vendorExtensions(b, 3, d); });
  } else if (d.type === 'apiKey') {
    w.message(2, (k) => { k.string(1, d.type); k.string(2, d.name); k.string(3, d.in); k.string(4, d.description); vendorExtensions(k, 5, d); });
  }
}

/** Encodes a swagger 2.0 document (as JSON-shaped data) to openapi_v2.Document protobuf. */
export function encodeOpenAPIV2Protobuf(doc: Json): Buffer {
  const w = new Writer();
  w.string(1, doc.swagger);
  if (isObj(doc.info)) {
    const info = doc.info;
    w.message(2, (m) => {
      m.string(1, info.title);
      m.string(2, info.version);
      m.string(3, info.description);
      m.string(4, info.termsOfService);
      vendorExtensions(m, 7, info);
    });
  }
  w.string(3, doc.host);
  w.string(4, doc.basePath);
  w.strings(5, doc.schemes);
  w.strings(6, doc.consumes);
  w.strings(7, doc.produces);
  if (isObj(doc.paths)) {
    const paths = doc.paths;
    w.message(8, (m) => {
      vendorExtensions(m, 1, paths);
      for (const [p, pi] of Object.entries(paths)) {
        if (p.startsWith('x-') || !isObj(pi)) continue;
        m.message(2, (n) => { n.string(1, p); n.message(2, (x) => pathItem(x, pi)); });
      }
    });
  }
  if (isObj(doc.definitions)) {
    const defs = doc.definitions;
    w.message(9, (m) => {
      for (const [name, s] of Object.entries(defs)) if (isObj(s)) m.message(1, (n) => { n.string(1, name); n.message(2, (x) => schema(x, s)); });
    });
  }
  if (isObj(doc.parameters)) {
    const params = doc.parameters;
    w.message(10, (m) => {
      for (const [name, p] of Object.entries(params)) if (isObj(p)) m.message(1, (n) => { n.string(1, name); n.message(2, (x) => parameter(x, p)); });
    });
  }
  if (Array.isArray(doc.security)) for (const s of doc.security) if (isObj(s)) securityRequirement(w, 12, s);
  if (isObj(doc.securityDefinitions)) {
    const sd = doc.securityDefinitions;
    w.message(13, (m) => {
      for (const [name, d] of Object.entries(sd)) if (isObj(d)) m.message(1, (n) => { n.string(1, name); n.message(2, (x) => securityDefinition(x, d)); });
    });
  }
  if (isObj(doc.externalDocs)) externalDocs(w, 15, doc.externalDocs);
  vendorExtensions(w, 16, doc);
  return w.finish();
}
