// fieldValidation (Strict / Warn / Ignore) as kube-apiserver reports it. Its strict JSON
// decoder collects "unknown field" and "duplicate field" errors; with Strict the request fails
// with 400 BadRequest:
//   Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.x", unknown field "spec.y"
// with Warn each error becomes one Warning header (`unknown field "spec.x"`) and the fields are
// dropped; with Ignore they are dropped silently.

import { findUnknownFields, MAX_STRICT_ERRORS } from './schema.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Go's %q for the strings that occur here (field paths, versions). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export const unknownFieldError = (path: string): string => `unknown field ${goQuote(path)}`;
export const duplicateFieldError = (path: string): string => `duplicate field ${goQuote(path)}`;

/** "strict decoding error: <e1>, <e2>" */
export function strictDecodingError(errors: string[]): string {
  return `strict decoding error: ${errors.join(', ')}`;
}

/** The BadRequest message for a body that failed to decode into a known kind. */
export function cannotBeHandledMessage(kind: string, version: string, intoKind: string, cause: string): string {
  return `${kind} in version ${goQuote(version)} cannot be handled as a ${intoKind}: ${cause}`;
}

/** The full 400 BadRequest message for fieldValidation=Strict. */
export function strictDecodingMessage(kind: string, version: string, errors: string[]): string {
  return cannotBeHandledMessage(kind, version, kind, strictDecodingError(errors));
}

/** The Warning texts for fieldValidation=Warn: one per strict error, as the errors read. */
export function strictDecodingWarnings(errors: string[]): string[] {
  return [...errors];
}

/**
 * Every strict decoding error for a body: unknown fields (from the parsed object), then
 * duplicate keys (only detectable in the raw JSON text, when given). At most 100, deduplicated.
 */
export function strictDecodingErrors(group: string, version: string, kind: string, obj: unknown, rawJson?: string): string[] {
  const errs = findUnknownFields(group, version, kind, obj).map(unknownFieldError);
  if (rawJson !== undefined) for (const p of findDuplicateFields(rawJson)) errs.push(duplicateFieldError(p));
  return [...new Set(errs)].slice(0, MAX_STRICT_ERRORS);
}

/**
 * Reads the fieldValidation query parameter. Undefined for absent or unrecognised values: the
 * server default (no parameter) is Warn; kubectl sends Strict unless --validate says otherwise.
 */
export function parseFieldValidation(value: string | null | undefined): FieldValidation | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  return value === 'Strict' || value === 'Warn' || value === 'Ignore' ? value : undefined;
}

/**
 * Paths of repeated keys in a JSON text ("metadata.name", "spec.containers[0].image"), in
 * document order. Malformed JSON yields what was found before the error (JSON.parse reports it).
 */
export function findDuplicateFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const str = (): string => {
    if (text[i] !== '"') throw new Error('expected string');
    const start = ++i;
    let simple = true;
    while (i < n && text[i] !== '"') {
      if (text[i] === '\\') { simple = false; i++; }
      i++;
    }
    if (i >= n) throw new Error('unterminated string');
    const raw = text.slice(start, i++);
    return simple ? raw : (JSON.parse(`"${raw}"`) as string);
  };
  const value = (path: string, depth: number): void => {
    if (depth > 10000) throw new Error('too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        const key = str();
        const p = path ? `${path}.${key}` : key;
        if (seen.has(key)) { if (!out.includes(p)) out.push(p); } else seen.add(key);
        ws();
        if (text[i++] !== ':') throw new Error('expected colon');
        value(p, depth + 1);
        ws();
        const d = text[i++];
        if (d === '}') return;
        if (d !== ',') throw new Error('expected comma');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') { i++; return; }
      for (let k = 0; ; k++) {
        value(`${path}[${k}]`, depth + 1);
        ws();
        const d = text[i++];
        if (d === ']') return;
        if (d !== ',') throw new Error('expected comma');
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < n && !',}] \t\r\n'.includes(text[i])) i++;
    }
  };
  try {
    value('', 0);
  } catch {
    // keep what was found
  }
  return out;
}
