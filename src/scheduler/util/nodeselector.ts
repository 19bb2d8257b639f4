// Node selectors as component-helpers' nodeaffinity package evaluates them: terms are ORed,
// a term's matchExpressions (on labels) and matchFields (only metadata.name) are ANDed, an
// empty term matches nothing, Gt/Lt compare integers. Compiled once per pod so the filter
// loop does no parsing.

import type { Obj } from '../../api/types.js';
import { parseInt64 } from '../../api/selectors/index.js';

type Op = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

interface Req { key: string; op: Op; values: string[]; num?: bigint }

export interface CompiledTerm {
  labels: Req[];
  /** matchFields on metadata.name. */
  fields: Req[];
  /** False when the term can never match (empty, or an invalid requirement). */
  valid: boolean;
}

function compileReq(r: Obj, field: boolean): Req | undefined {
  const op = r?.operator as Op;
  const values: string[] = Array.isArray(r?.values) ? r.values.map(String) : [];
  switch (op) {
    case 'In': case 'NotIn':
      if (values.length === 0) return undefined;
      break;
    case 'Exists': case 'DoesNotExist':
      if (field || values.length !== 0) return undefined;
      break;
    case 'Gt': case 'Lt': {
      if (field || values.length !== 1) return undefined;
      const num = parseInt64(values[0]);
      if (num === undefined) return undefined;
      return { key: String(r.key ?? ''), op, values, num };
    }
    default:
      return undefined;
  }
  if (field && r.key !== 'metadata.name') return undefined;
  return { key: String(r.key ?? ''), op, values };
}

export function compileTerm(term: Obj): CompiledTerm {
  const exprs: Obj[] = term?.matchExpressions ?? [];
  const fields: Obj[] = term?.matchFields ?? [];
  const out: CompiledTerm = { labels: [], fields: [], valid: exprs.length + fields.length > 0 };
  for (const e of exprs) {
    const r = compileReq(e, false);
    if (!r) out.valid = false; else out.labels.push(r);
  }
  for (const f of fields) {
    const r = compileReq(f, true);
    if (!r) out.valid = false; else out.fields.push(r);
  }
  return out;
}

function reqMatches(r: Req, has: boolean, v: string | undefined): boolean {
  switch (r.op) {
    case 'In': return has && r.values.includes(v!);
    case 'NotIn': return !has || !r.values.includes(v!);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      if (!has) return false;
      const n = parseInt64(v!);
      if (n === undefined) return false;
      return r.op === 'Gt' ? n > r.num! : n < r.num!;
    }
  }
}

export function termMatches(t: CompiledTerm, labels: Record<string, string>, nodeName: string): boolean {
  if (!t.valid) return false;
  for (const r of t.labels) {
    const v = labels[r.key];
    if (!reqMatches(r, v !== undefined, v)) return false;
  }
  for (const r of t.fields) if (!reqMatches(r, true, nodeName)) return false;
  return true;
}

/** A compiled v1.NodeSelector (terms ORed). */
export class CompiledNodeSelector {
  readonly terms: CompiledTerm[];
  constructor(sel: Obj) {
    this.terms = (sel?.nodeSelectorTerms ?? []).map(compileTerm);
  }

  matches(labels: Record<string, string>, nodeName: string): boolean {
    for (const t of this.terms) if (termMatches(t, labels, nodeName)) return true;
    return false;
  }
}

/** A compiled list of v1.PreferredSchedulingTerm. */
export interface WeightedTerm { weight: number; term: CompiledTerm }

export function compilePreferred(list: unknown): WeightedTerm[] {
  if (!Array.isArray(list)) return [];
  const out: WeightedTerm[] = [];
  for (const p of list) {
    const weight = Number(p?.weight ?? 0);
    if (weight === 0) continue;
    out.push({ weight, term: compileTerm(p?.preference ?? {}) });
  }
  return out;
}

/** Node names a required node selector pins the pod to (every term must name nodes by metadata.name In), else undefined. */
export function nodeNamesFromSelector(sel: Obj | undefined): Set<string> | undefined {
  const terms: Obj[] = sel?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    let termNames: Set<string> | undefined;
    for (const f of t?.matchFields ?? []) {
      if (f?.key !== 'metadata.name' || f.operator !== 'In') continue;
      const vals = new Set<string>((f.values ?? []).map(String));
      termNames = termNames ? new Set([...termNames].filter((n) => vals.has(n))) : vals;
    }
    // A term without a name restriction can match any node: no narrowing possible.
    if (!termNames) return undefined;
    for (const n of termNames) names.add(n);
  }
  return names;
}

/**
 * nodeaffinity.RequiredNodeAffinity: spec.nodeSelector (exact labels) AND the required node
 * affinity. Compiled once per pod object.
 */
export class RequiredNodeAffinity {
  private readonly selector: [string, string][];
  private readonly required: CompiledNodeSelector | null;

  constructor(pod: Obj) {
    const ns: Record<string, string> = pod?.spec?.nodeSelector ?? {};
    this.selector = Object.entries(ns).map(([k, v]) => [k, String(v)]);
    const req = pod?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.required = req != null ? new CompiledNodeSelector(req) : null;
  }

  /** True when the pod restricts nodes at all. */
  get restricts(): boolean {
    return this.selector.length > 0 || this.required !== null;
  }

  matches(labels: Record<string, string>, nodeName: string): boolean {
    for (const [k, v] of this.selector) if (labels[k] !== v) return false;
    return this.required === null || this.required.matches(labels, nodeName);
  }
}

const requiredCache = new WeakMap<object, RequiredNodeAffinity>();

export function requiredNodeAffinityOf(pod: Obj): RequiredNodeAffinity {
  let r = requiredCache.get(pod);
  if (!r) requiredCache.set(pod, (r = new RequiredNodeAffinity(pod)));
  return r;
}
