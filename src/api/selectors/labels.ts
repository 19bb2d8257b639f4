// Label selectors as k8s.io/apimachinery/pkg/labels parses and evaluates them: the same
// lexer (so `x in (in)` and `a!=b` tokenise identically), the same validation and the same
// error texts, which kube-apiserver returns verbatim as 400 BadRequest messages.

import { badRequest } from '../errors.js';
import { goQuote, isQualifiedName, isValidLabelValue } from './validation.js';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

/** Order matters: upstream lists binary operators in this order in its "expected:" message. */
const BINARY_OPERATORS: LabelOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const UNARY_OPERATORS: LabelOperator[] = ['exists', '!'];

export interface Requirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** As given; string forms sort them, matching compares membership. */
  readonly values: readonly string[];
}

export type Labels = Record<string, string> | null | undefined;

// ---- field.Error / aggregate formatting, as the label package produces it ----

interface FieldErr { field: string; value?: unknown; detail: string; type?: 'Invalid' | 'NotSupported' }

function formatBadValue(v: unknown): string {
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return v.length === 0 ? '[]string(nil)' : `[]string{${v.map((s) => goQuote(String(s))).join(', ')}}`;
  return String(v);
}

function fieldErrString(e: FieldErr): string {
  if (e.type === 'NotSupported') return `${e.field}: Unsupported value: ${formatBadValue(e.value)}: ${e.detail}`;
  return `${e.field}: Invalid value: ${formatBadValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
}

/** utilerrors.Aggregate: one error prints bare, several as "[a, b]" with duplicates dropped. */
function aggregate(msgs: string[]): string {
  const seen: string[] = [];
  for (const m of msgs) if (!seen.includes(m)) seen.push(m);
  return seen.length === 1 ? seen[0] : `[${seen.join(', ')}]`;
}

/** Go's strconv.ParseInt(s, 10, 64). */
export function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const v = BigInt(s);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}

function keyErrors(key: string, field: string): FieldErr[] {
  const errs = isQualifiedName(key);
  return errs.length ? [{ field, value: key, detail: errs.join('; ') }] : [];
}

/**
 * labels.NewRequirement: validates and builds one requirement. Throws ApiError 400 with the
 * aggregated field errors, exactly the text kube-apiserver would answer with.
 */
export function newRequirement(key: string, operator: LabelOperator, values: readonly string[]): Requirement {
  const errs: FieldErr[] = [...keyErrors(key, 'key')];
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push({ field: 'values', value: values, detail: "for 'in', 'notin' operators, values set can't be empty" });
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push({ field: 'values', value: values, detail: 'exact-match compatibility requires one single value' });
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push({ field: 'values', value: values, detail: 'values set must be empty for exists and does not exist' });
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push({ field: 'values', value: values, detail: "for 'Gt', 'Lt' operators, exactly one value is required" });
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push({ field: `values[${i}]`, value: v, detail: "for 'Gt', 'Lt' operators, the value must be an integer" });
      });
      break;
    default:
      errs.push({
        type: 'NotSupported', field: 'operator', value: operator,
        detail: `supported values: ${[...BINARY_OPERATORS, ...UNARY_OPERATORS].map((o) => goQuote(o)).join(', ')}`,
      });
  }
  values.forEach((v, i) => {
    const ve = isValidLabelValue(v);
    if (ve.length) errs.push({ field: `values[${i}][${key}]`, value: v, detail: ve.join('; ') });
  });
  if (errs.length) throw badRequest(aggregate(errs.map(fieldErrString)));
  return { key, operator, values: [...values] };
}

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const has = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const val = has ? labels![r.key] : undefined;
  switch (r.operator) {
    case 'in': case '=': case '==':
      return has && r.values.includes(val!);
    case 'notin': case '!=':
      return !has || !r.values.includes(val!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt': case 'lt': {
      if (!has || r.values.length !== 1) return false;
      const lv = parseInt64(val!);
      const rv = parseInt64(r.values[0]);
      if (lv === undefined || rv === undefined) return false;
      return r.operator === 'gt' ? lv > rv : lv < rv;
    }
    default:
      return false;
  }
}

const sortedCopy = (vs: readonly string[]): string[] => [...vs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

export function requirementString(r: Requirement): string {
  let s = r.operator === '!' ? '!' : '';
  s += r.key;
  switch (r.operator) {
    case 'exists': case '!': return s;
    case '=': case '==': case '!=': s += r.operator; break;
    case 'in': s += ' in '; break;
    case 'notin': s += ' notin '; break;
    case 'gt': s += '>'; break;
    case 'lt': s += '<'; break;
  }
  const vals = r.values.length === 1 ? r.values[0] : sortedCopy(r.values).join(',');
  return r.operator === 'in' || r.operator === 'notin' ? `${s}(${vals})` : s + vals;
}

/** Requirements are kept sorted by key (stably), as upstream's Add/parse do. */
function sortByKey(reqs: Requirement[]): Requirement[] {
  return reqs
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (a.r.key < b.r.key ? -1 : a.r.key > b.r.key ? 1 : a.i - b.i))
    .map((x) => x.r);
}

export class LabelSelector {
  private constructor(
    readonly requirements: readonly Requirement[],
    /** labels.Nothing(): what a null metav1.LabelSelector converts to. */
    private readonly nothing: boolean,
  ) {}

  static everything(): LabelSelector {
    return new LabelSelector([], false);
  }

  static nothing(): LabelSelector {
    return new LabelSelector([], true);
  }

  static of(reqs: Requirement[]): LabelSelector {
    return new LabelSelector(sortByKey(reqs), false);
  }

  matches(labels: Labels): boolean {
    if (this.nothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  /** True when the selector does not restrict anything (Everything). Nothing is not empty. */
  isEmpty(): boolean {
    return !this.nothing && this.requirements.length === 0;
  }

  matchesNothing(): boolean {
    return this.nothing;
  }

  add(...reqs: Requirement[]): LabelSelector {
    if (this.nothing) return this;
    return LabelSelector.of([...this.requirements, ...reqs]);
  }

  /** If the selector pins `key` to exactly one value (=, ==, or in with one value), that value. */
  requiresExactMatch(key: string): string | undefined {
    for (const r of this.requirements) {
      if (r.key !== key) continue;
      if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return r.values[0];
      return undefined;
    }
    return undefined;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}

// ---- lexer ----

const enum Tok {
  Error, EndOfString, ClosedPar, Comma, DoesNotExist, DoubleEquals, Equals, GreaterThan,
  Identifier, In, LessThan, NotEquals, NotIn, OpenPar,
}

const STRING_TO_TOKEN: Record<string, Tok> = {
  ')': Tok.ClosedPar, ',': Tok.Comma, '!': Tok.DoesNotExist, '==': Tok.DoubleEquals, '=': Tok.Equals,
  '>': Tok.GreaterThan, in: Tok.In, '<': Tok.LessThan, '!=': Tok.NotEquals, notin: Tok.NotIn, '(': Tok.OpenPar,
};
const tokenFor = (s: string): Tok | undefined => (Object.prototype.hasOwnProperty.call(STRING_TO_TOKEN, s) ? STRING_TO_TOKEN[s] : undefined);

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch) && ch !== '';

interface Item { tok: Tok; lit: string }

class Lexer {
  private pos = 0;
  constructor(private readonly s: string) {}

  // Upstream reads bytes and treats NUL as the end of input; so do we.
  private read(): string {
    if (this.pos < this.s.length) return this.s[this.pos++];
    return '\0';
  }

  private unread(): void {
    this.pos--;
  }

  private scanIdOrKeyword(): Item {
    let buf = '';
    for (;;) {
      const ch = this.read();
      if (ch === '\0') break;
      if (isSpecial(ch) || isWhitespace(ch)) { this.unread(); break; }
      buf += ch;
    }
    const t = tokenFor(buf);
    return t !== undefined ? { tok: t, lit: buf } : { tok: Tok.Identifier, lit: buf };
  }

  private scanSpecial(): Item {
    let buf = '';
    let last: Item | undefined;
    for (;;) {
      const ch = this.read();
      if (ch === '\0') break;
      if (!isSpecial(ch)) { this.unread(); break; }
      buf += ch;
      const t = tokenFor(buf);
      if (t !== undefined) last = { tok: t, lit: buf };
      else if (last) { this.unread(); break; }
    }
    return last ?? { tok: Tok.Error, lit: `error expected: keyword found '${buf}'` };
  }

  lex(): Item {
    let ch = this.read();
    while (isWhitespace(ch)) ch = this.read();
    if (ch === '\0') return { tok: Tok.EndOfString, lit: '' };
    this.unread();
    return isSpecial(ch) ? this.scanSpecial() : this.scanIdOrKeyword();
  }
}

// ---- parser ----

class ParseError extends Error {}

class Parser {
  private items: Item[] = [];
  private position = 0;

  constructor(input: string) {
    const l = new Lexer(input);
    for (;;) {
      const it = l.lex();
      this.items.push(it);
      if (it.tok === Tok.EndOfString) break;
    }
  }

  // In a values context, the keywords `in`/`notin` are ordinary identifiers.
  private lookahead(values: boolean): Item {
    const it = this.items[this.position];
    return values && (it.tok === Tok.In || it.tok === Tok.NotIn) ? { tok: Tok.Identifier, lit: it.lit } : it;
  }

  private consume(values: boolean): Item {
    const it = this.lookahead(values);
    this.position++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      switch (tok) {
        case Tok.Identifier: case Tok.DoesNotExist: {
          let r: Requirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            throw new ParseError(`unable to parse requirement: ${(e as Error).message}`);
          }
          reqs.push(r);
          const next = this.consume(true);
          if (next.tok === Tok.EndOfString) return reqs;
          if (next.tok === Tok.Comma) {
            const after = this.lookahead(true);
            if (after.tok !== Tok.Identifier && after.tok !== Tok.DoesNotExist) {
              throw new ParseError(`found '${after.lit}', expected: identifier after ','`);
            }
            break;
          }
          throw new ParseError(`found '${next.lit}', expected: ',' or 'end of string'`);
        }
        case Tok.EndOfString:
          return reqs;
        default:
          throw new ParseError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, op } = this.parseKeyAndInferOperator();
    if (op === 'exists' || op === '!') return wrapRequirement(key, op, []);
    const operator = this.parseOperator();
    let values: string[];
    if (operator === 'in' || operator === 'notin') values = this.parseValues();
    else values = this.parseExactValue();
    return wrapRequirement(key, operator, uniqueSorted(values));
  }

  private parseKeyAndInferOperator(): { key: string; op?: LabelOperator } {
    let op: LabelOperator | undefined;
    let it = this.consume(true);
    if (it.tok === Tok.DoesNotExist) {
      op = '!';
      it = this.consume(true);
    }
    if (it.tok !== Tok.Identifier) throw new Error(`found '${it.lit}', expected: identifier`);
    // The parser validates the key with a nil field path, hence upstream's "<nil>" prefix.
    const ke = keyErrors(it.lit, '<nil>');
    if (ke.length) throw new Error(fieldErrString(ke[0]));
    const t = this.lookahead(true).tok;
    if ((t === Tok.EndOfString || t === Tok.Comma) && op !== '!') op = 'exists';
    return { key: it.lit, op };
  }

  private parseOperator(): LabelOperator {
    const it = this.consume(false);
    switch (it.tok) {
      case Tok.In: return 'in';
      case Tok.Equals: return '=';
      case Tok.DoubleEquals: return '==';
      case Tok.GreaterThan: return 'gt';
      case Tok.LessThan: return 'lt';
      case Tok.NotIn: return 'notin';
      case Tok.NotEquals: return '!=';
      default: throw new Error(`found '${it.lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): string[] {
    let it = this.consume(true);
    if (it.tok !== Tok.OpenPar) throw new Error(`found '${it.lit}' expected: '('`);
    it = this.lookahead(true);
    switch (it.tok) {
      case Tok.Identifier: case Tok.Comma: {
        const s = this.parseIdentifiersList();
        // Upstream reports the token seen before the list here, not the offending one.
        if (this.consume(true).tok !== Tok.ClosedPar) throw new Error(`found '${it.lit}', expected: ')'`);
        return s;
      }
      case Tok.ClosedPar:
        this.consume(true);
        return [''];
      default:
        throw new Error(`found '${it.lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): string[] {
    const s = new Set<string>();
    for (;;) {
      const it = this.consume(true);
      if (it.tok === Tok.Identifier) {
        s.add(it.lit);
        const next = this.lookahead(true);
        if (next.tok === Tok.Comma) continue;
        if (next.tok === Tok.ClosedPar) return [...s];
        throw new Error(`found '${next.lit}', expected: ',' or ')'`);
      } else if (it.tok === Tok.Comma) {
        if (s.size === 0) s.add(''); // "(," starts with an empty value
        const next = this.lookahead(true);
        if (next.tok === Tok.ClosedPar) { s.add(''); return [...s]; } // ",)"
        if (next.tok === Tok.Comma) s.add(''); // ",,"
      } else {
        throw new Error(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const t = this.lookahead(true).tok;
    if (t === Tok.EndOfString || t === Tok.Comma) return [''];
    const it = this.consume(true);
    if (it.tok === Tok.Identifier) return [it.lit];
    throw new Error(`found '${it.lit}', expected: identifier`);
  }
}

function uniqueSorted(vs: string[]): string[] {
  return sortedCopy([...new Set(vs)]);
}

/** newRequirement, but surfacing its message as a plain Error for the parser to prefix. */
function wrapRequirement(key: string, op: LabelOperator, values: string[]): Requirement {
  try {
    return newRequirement(key, op, values);
  } catch (e) {
    throw new Error((e as Error).message);
  }
}

/**
 * labels.Parse. An empty (or all-blank) string selects everything. Throws ApiError 400
 * BadRequest with upstream's message (e.g. "unable to parse requirement: ...").
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return LabelSelector.of(new Parser(s).parse());
  } catch (e) {
    if (e instanceof ParseError) throw badRequest(e.message);
    throw e;
  }
}

export interface LabelSelectorRequirementObject { key: string; operator: string; values?: string[] | null }
export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementObject[] | null;
}

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, {} selects everything.
 * Throws ApiError 400 for invalid keys/values or an unknown operator.
 */
export function fromLabelSelectorObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel == null) return LabelSelector.nothing();
  const ml = sel.matchLabels ?? {};
  const me = sel.matchExpressions ?? [];
  if (Object.keys(ml).length + me.length === 0) return LabelSelector.everything();
  const reqs: Requirement[] = [];
  for (const k of Object.keys(ml).sort()) reqs.push(newRequirement(k, '=', [ml[k]]));
  for (const expr of me) {
    let op: LabelOperator;
    switch (expr.operator) {
      case 'In': op = 'in'; break;
      case 'NotIn': op = 'notin'; break;
      case 'Exists': op = 'exists'; break;
      case 'DoesNotExist': op = '!'; break;
      default: throw badRequest(`${goQuote(String(expr.operator))} is not a valid label selector operator`);
    }
    reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
  }
  return LabelSelector.of(reqs);
}

/** labels.SelectorFromSet: an exact-match selector for a map (nil/empty selects everything). */
export function selectorFromSet(set: Record<string, string> | null | undefined): LabelSelector {
  const keys = Object.keys(set ?? {}).sort();
  return LabelSelector.of(keys.map((k) => ({ key: k, operator: '=' as const, values: [set![k]] })));
}

/** metav1.FormatLabelSelector: "<none>" for nothing/everything, "<error>" when invalid. */
export function formatLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  let s: string;
  try {
    s = fromLabelSelectorObject(sel).toString();
  } catch {
    return '<error>';
  }
  return s === '' ? '<none>' : s;
}

/** labels.FormatLabels: "k=v" pairs sorted by key, or "<none>". */
export function formatLabels(m: Record<string, string> | null | undefined): string {
  const s = selectorFromSet(m).toString();
  return s === '' ? '<none>' : s;
}

/** Convenience for list/watch filtering: does obj.metadata.labels satisfy `s`? */
export function labelMatcher(s: string): (obj: { metadata?: { labels?: Record<string, string> } }) => boolean {
  const sel = parseLabelSelector(s);
  if (sel.isEmpty()) return () => true;
  return (obj) => sel.matches(obj?.metadata?.labels);
}
