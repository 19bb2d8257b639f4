// Go's encoding/json as far as clients can see it: the texts of its decode errors (kube-apiserver
// puts them verbatim into 400 responses), its encoding (sorted map keys, HTML escaping: what
// the last-applied annotation and managedFields identifiers look like) and fmt's %v for the
// values that appear inside strategic-merge-patch error messages.

/** A decode error carrying Go's message, e.g. "invalid character 'x' looking for beginning of value". */
export class GoJSONError extends Error {}

/** Go's quoteChar: how the scanner names the offending byte. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const q = JSON.stringify(c);
  return `'${q.slice(1, -1)}'`;
}

const WS = new Set([' ', '\t', '\n', '\r']);

/**
 * Parses JSON exactly as strictly as Go does and throws GoJSONError with Go's message on the
 * first syntax error. Numbers become JS numbers; duplicate keys keep the last value.
 */
export function parseGoJSON(text: string): unknown {
  let i = 0;
  const n = text.length;
  const eof = (): never => { throw new GoJSONError('unexpected end of JSON input'); };
  const bad = (context: string): never => { throw new GoJSONError(`invalid character ${quoteChar(text[i])} ${context}`); };
  const skip = (): void => { while (i < n && WS.has(text[i])) i++; };

  function literal(word: string): void {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= n) eof();
      if (text[i] !== word[k]) bad(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
    i++;
  }

  function str(): string {
    // text[i] === '"'
    i++;
    let out = '';
    for (;;) {
      if (i >= n) eof();
      const c = text[i];
      if (c === '"') { i++; return out; }
      if (c < ' ') bad('in string literal');
      if (c !== '\\') { out += c; i++; continue; }
      i++;
      if (i >= n) eof();
      const e = text[i];
      switch (e) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case '\\': case '/': case '"': out += e; break;
        case 'u': {
          let code = 0;
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= n) eof();
            const h = text[i];
            if (!/[0-9a-fA-F]/.test(h)) bad('in \\u hexadecimal character escape');
            code = code * 16 + parseInt(h, 16);
          }
          out += String.fromCharCode(code);
          break;
        }
        default: bad('in string escape code');
      }
      i++;
    }
  }

  function num(): number {
    const start = i;
    if (text[i] === '-') { i++; if (i >= n) eof(); if (!/[0-9]/.test(text[i])) bad('in numeric literal'); }
    if (text[i] === '0') i++;
    else while (i < n && /[0-9]/.test(text[i])) i++;
    if (i < n && text[i] === '.') {
      i++;
      if (i >= n) eof();
      if (!/[0-9]/.test(text[i])) bad('after decimal point in numeric literal');
      while (i < n && /[0-9]/.test(text[i])) i++;
    }
    if (i < n && (text[i] === 'e' || text[i] === 'E')) {
      i++;
      if (i < n && (text[i] === '+' || text[i] === '-')) i++;
      if (i >= n) eof();
      if (!/[0-9]/.test(text[i])) bad('in exponent of numeric literal');
      while (i < n && /[0-9]/.test(text[i])) i++;
    }
    return Number(text.slice(start, i));
  }

  function value(): unknown {
    skip();
    if (i >= n) eof();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      skip();
      if (i >= n) eof();
      if (text[i] === '}') { i++; return obj; }
      for (;;) {
        skip();
        if (i >= n) eof();
        if (text[i] !== '"') bad('looking for beginning of object key string');
        const k = str();
        skip();
        if (i >= n) eof();
        if (text[i] !== ':') bad('after object key');
        i++;
        const v = value();
        if (k === '__proto__') Object.defineProperty(obj, k, { value: v, enumerable: true, writable: true, configurable: true });
        else obj[k] = v;
        skip();
        if (i >= n) eof();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return obj; }
        bad('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      skip();
      if (i >= n) eof();
      if (text[i] === ']') { i++; return arr; }
      for (;;) {
        arr.push(value());
        skip();
        if (i >= n) eof();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return arr; }
        bad('after array element');
      }
    }
    if (c === '"') return str();
    if (c === '-' || (c >= '0' && c <= '9')) return num();
    if (c === 't') { literal('true'); return true; }
    if (c === 'f') { literal('false'); return false; }
    if (c === 'n') { literal('null'); return null; }
    return bad('looking for beginning of value');
  }

  const v = value();
  skip();
  if (i < n) bad('after top-level value');
  return v;
}

/** The JSON type name Go uses in "json: cannot unmarshal X into Go value of type Y". */
export function goJSONKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v; // "string", "number"
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parses a body that must be a JSON object, as json.Unmarshal into map[string]interface{}. */
export function parseGoJSONObject(text: string): Record<string, unknown> | null {
  const v = parseGoJSON(text);
  if (v === null) return null; // Go leaves the map nil
  if (!isPlainObject(v)) throw new GoJSONError(`json: cannot unmarshal ${goJSONKind(v)} into Go value of type map[string]interface {}`);
  return v;
}

// ---- encoding ----

function goString(s: string): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    const code = s.charCodeAt(k);
    if (c === '"') out += '\\"';
    else if (c === '\\') out += '\\\\';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || c === '<' || c === '>' || c === '&' || code === 0x2028 || code === 0x2029) {
      out += '\\u' + code.toString(16).padStart(4, '0');
    } else if (code >= 0xd800 && code <= 0xdfff) {
      // Lone surrogates are invalid UTF-8 to Go: it writes U+FFFD.
      const next = s.charCodeAt(k + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) { out += c + s[k + 1]; k++; }
      else out += '\\ufffd';
    } else out += c;
  }
  return out + '"';
}

/** json.Marshal of a map[string]interface{}: keys sorted at every level, HTML-safe strings. */
export function goMarshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return `[${v.map(goMarshal).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort(compareGoStrings);
  return `{${keys.map((k) => `${goString(k)}:${goMarshal(o[k])}`).join(',')}}`;
}

/** Go compares strings byte-wise (UTF-8), i.e. by code point. */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.length, lb = b.length;
  for (let k = 0; k < la && k < lb; k++) {
    const ca = a.codePointAt(k)!, cb = b.codePointAt(k)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) k++;
  }
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** Go's strconv.FormatFloat(f, 'g', -1, 64), which is what %v prints for a float64. */
function goFloat(f: number): string {
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : f < 0 ? '-Inf' : 'NaN';
  if (f === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(f)));
  // shortest 'g' switches to an exponent at 1e6 (eprec is 6 when precision is -1)
  if (exp < -4 || exp >= 6) {
    const [m, e] = f.toExponential().split('e');
    const en = Number(e);
    return `${m}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  return String(f);
}

/** fmt's %v for a decoded JSON value (integers were decoded as int64, so print as such). */
export function goFmtV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? String(v) : goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goFmtV).join(' ')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort(compareGoStrings);
  return `map[${keys.map((k) => `${k}:${goFmtV(o[k])}`).join(' ')}]`;
}

/** strconv.Quote for the printable strings managers and keys are made of. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** json.Marshal of a Go struct: fields in declaration order (the order of o's keys). */
export function goMarshalStruct(o: Record<string, unknown>): string {
  return `{${Object.entries(o).filter(([, v]) => v !== undefined).map(([k, v]) => `${goString(k)}:${goMarshal(v)}`).join(',')}}`;
}
