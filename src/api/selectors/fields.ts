// Field selectors as k8s.io/apimachinery/pkg/fields parses them: comma-separated terms
// `field=value`, `field==value`, `field!=value`; in values, `\`, `,` and `=` must be escaped
// with a backslash. Error texts are upstream's (kube-apiserver returns them as 400s).

import { badRequest } from '../errors.js';

export type FieldOperator = '=' | '!=';

export interface FieldTerm {
  readonly field: string;
  /** "==" parses to "=": upstream treats them alike and prints "=". */
  readonly operator: FieldOperator;
  readonly value: string;
}

export type Fields = Record<string, string>;

/** EscapeValue: backslash-escape `\`, `,` and `=` so a value round-trips through a selector. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** UnescapeValue; throws ApiError 400 on an unknown escape or a bare `,`/`=`. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === '\\' || c === ',' || c === '=') out += c;
      else throw badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    // Upstream formats the rune with %v, i.e. as its code point number.
    else if (c === ',' || c === '=') throw badRequest(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    else out += c;
  }
  if (inSlash) throw badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** splitTerms: split on commas that are not escaped; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') { terms.push(s.slice(start, i)); start = i + 1; }
  }
  terms.push(s.slice(start));
  return terms;
}

// "==" is tried before "=" so a value never keeps a leading "=".
const TERM_OPERATORS = ['!=', '==', '='] as const;

function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

export class FieldSelector {
  constructor(readonly terms: readonly FieldTerm[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  /** Missing fields read as "" (fields.Set.Get). */
  matches(fields: Fields): boolean {
    return this.terms.every((t) => {
      const v = Object.prototype.hasOwnProperty.call(fields, t.field) ? fields[t.field] : '';
      return t.operator === '=' ? v === t.value : v !== t.value;
    });
  }

  isEmpty(): boolean {
    return this.terms.length === 0;
  }

  /** The value `field` must equal, when the selector pins it with "=". */
  requiresExactMatch(field: string): string | undefined {
    for (const t of this.terms) if (t.field === field && t.operator === '=') return t.value;
    return undefined;
  }

  /**
   * Rewrites each term's field/value (field label conversion). A term mapped to an empty
   * field is dropped. `fn` may throw to reject a term; the first term (in sorted order) wins.
   */
  transform(fn: (field: string, value: string) => { field: string; value: string }): FieldSelector {
    const out: FieldTerm[] = [];
    for (const t of this.terms) {
      const r = fn(t.field, t.value);
      if (r.field) out.push({ field: r.field, operator: t.operator, value: r.value });
    }
    return new FieldSelector(out);
  }

  toString(): string {
    return this.terms.map((t) => `${t.field}${t.operator}${escapeFieldValue(t.value)}`).join(',');
  }
}

/** fields.ParseSelector. Terms are sorted by their text, as upstream does. Throws ApiError 400. */
export function parseFieldSelector(s: string): FieldSelector {
  const parts = splitTerms(s).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const terms: FieldTerm[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const t = splitTerm(part);
    if (!t) throw badRequest(`invalid selector: '${s}'; can't understand '${part}'`);
    const value = unescapeFieldValue(t.rhs);
    terms.push({ field: t.lhs, operator: t.op === '!=' ? '!=' : '=', value });
  }
  return new FieldSelector(terms);
}
