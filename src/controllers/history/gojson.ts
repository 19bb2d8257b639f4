// Go's encoding/json output for a value decoded into interface{} (maps sorted by key, HTML
// characters escaped, float64 numbers). ControllerRevision data is such a re-marshalled map in
// upstream controllers, and both revision names (a hash of these bytes) and "is this revision
// the current template" (a byte comparison) depend on producing the very same bytes.

const HEX = '0123456789abcdef';

/** Byte-wise UTF-8 order, as Go sorts map[string]interface{} keys. */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function escapeString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      // A valid surrogate pair passes through; a lone surrogate is invalid UTF-8 → U+FFFD.
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + s[i + 1];
        i++;
      } else out += '\ufffd';
      continue;
    }
    switch (c) {
      case 0x22: out += '\\"'; continue;
      case 0x5c: out += '\\\\'; continue;
      case 0x08: out += '\\b'; continue;
      case 0x0c: out += '\\f'; continue;
      case 0x0a: out += '\\n'; continue;
      case 0x0d: out += '\\r'; continue;
      case 0x09: out += '\\t'; continue;
      default:
    }
    // Control characters, the HTML-significant <, > and &, and the JS line separators.
    if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029) {
      out += `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
      continue;
    }
    out += s[i];
  }
  return `${out}"`;
}

/** strconv.FormatFloat as encoding/json uses it ('f' in [1e-6, 1e21), otherwise 'e' with a 2+ digit exponent). */
function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`json: unsupported value: ${n}`);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) {
    // JS gives e.g. "1e-7" / "1.5e+21"; Go writes "1e-07" / "1.5e+21".
    return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

/** Marshals a JSON value exactly as Go's json.Marshal marshals the same value held in interface{}. */
export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string': return escapeString(v);
    case 'number': return formatNumber(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x) => goJSON(x === undefined ? null : x)).join(',')}]`;
      const rec = v as Record<string, unknown>;
      const keys = Object.keys(rec).filter((k) => rec[k] !== undefined).sort(compareUtf8);
      return `{${keys.map((k) => `${escapeString(k)}:${goJSON(rec[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`json: unsupported type: ${typeof v}`);
  }
}
