// Label and field selectors as clients evaluate them locally (fake client, informer filters).
// Label syntax as labels.Parse: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
// Field selectors (fields.ParseSelector): `path=v`, `path==v`, `path!=v` on dotted paths.

import type { Obj } from '../api/types.js';

export type Matcher = (labels: Record<string, string> | undefined) => boolean;

interface Requirement { key: string; op: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!='; values: string[] }

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

function parseRequirement(term: string): Requirement {
  let m = /^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (m) return { key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter((v) => v !== '') };
  m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s,()]*)$/.exec(term);
  if (m) return { key: m[1], op: m[2] === '!=' ? '!=' : '=', values: [m[3]] };
  m = /^!\s*([^\s!=()]+)$/.exec(term);
  if (m) return { key: m[1], op: '!exists', values: [] };
  m = /^([^\s!=()]+)$/.exec(term);
  if (m) return { key: m[1], op: 'exists', values: [] };
  throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
}

function holds(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'exists': return has;
    case '!exists': return !has;
    case '=': return has && labels[r.key] === r.values[0];
    case '!=': return !has || labels[r.key] !== r.values[0];
    case 'in': return has && r.values.includes(labels[r.key]);
    case 'notin': return !has || !r.values.includes(labels[r.key]);
  }
}

/** Parses a label selector; the empty selector matches everything. Throws on bad syntax. */
export function parseLabelSelector(selector: string | undefined): Matcher {
  const reqs = splitTop(selector ?? '').map(parseRequirement);
  return (labels) => reqs.every((r) => holds(r, labels ?? {}));
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as a Matcher. */
export function labelSelectorMatcher(sel: Obj | undefined): Matcher {
  if (!sel) return () => false; // a nil selector selects nothing (labels.Nothing)
  const reqs: Requirement[] = [];
  for (const [key, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>)) reqs.push({ key, op: '=', values: [v] });
  for (const e of (sel.matchExpressions ?? []) as Obj[]) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!exists' } as const)[e.operator as 'In'];
    if (!op) throw new Error(`${e.operator} is not a valid label selector operator`);
    reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return (labels) => reqs.every((r) => holds(r, labels ?? {}));
}

function fieldValue(obj: Obj, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Obj)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

/** Parses a field selector into a predicate over whole objects. */
export function parseFieldSelector(selector: string | undefined): (obj: Obj) => boolean {
  const terms = (selector ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '');
  const reqs = terms.map((t) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(t);
    if (!m) throw new Error(`invalid selector: '${selector}'; can't understand '${t}'`);
    return { path: m[1], neg: m[2] === '!=', value: m[3] };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.path) === r.value) !== r.neg);
}
