// Schema-driven walks over JSON objects, after structured-merge-diff's typed package: the field
// set of an object, the comparison of two objects, the server-side-apply merge and the removal
// of a set of fields. The schema decides what a value is:
//   leaf    scalars, atomic lists and maps (owned and compared as one value)
//   struct  objects with declared fields (known fields are not set members themselves)
//   map     granular maps (labels, data, untyped objects): every key is a member
//   list    associative lists: list-maps keyed by their key fields, sets keyed by value

import { fieldPE, FieldSet, keyPE, pathString, valuePE, type Path } from './fieldpath.js';
import { goMarshal } from './gojson.js';
import { listShape, type SchemaNode } from './meta.js';
import { deepEqual, has, isEmptyObj, isObj, setProp } from './util.js';

export type Shape =
  | { kind: 'leaf' }
  | { kind: 'struct'; node: SchemaNode }
  | { kind: 'map'; elem?: SchemaNode }
  | { kind: 'list'; elem?: SchemaNode; keys?: string[] };

const LEAF: Shape = { kind: 'leaf' };

/**
 * Defaults for list-map key fields the schema does not carry: every "protocol" key in the
 * built-in API defaults to TCP (container, service and endpoint ports), which is what lets an
 * applied `ports: [{containerPort: 80}]` match the live, defaulted item.
 */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

/** What a value is, given its schema node (undefined: deduced from the value). */
export function shapeOf(node: SchemaNode | undefined, v: unknown): Shape {
  if (node) {
    if (node.items()) {
      if (!Array.isArray(v)) return LEAF;
      const ls = listShape(node);
      if (ls.type === 'atomic') return LEAF;
      return { kind: 'list', elem: node.items(), keys: ls.type === 'map' ? ls.keys : undefined };
    }
    if (node.isStruct) {
      if (!isObj(v) || node.mapType === 'atomic') return LEAF;
      return { kind: 'struct', node };
    }
    const values = node.mapValues();
    if (values) {
      if (!isObj(v) || node.mapType === 'atomic') return LEAF;
      return { kind: 'map', elem: values };
    }
    if (node.mapType === 'atomic') return LEAF;
  }
  // Untyped: objects are granular maps, lists are atomic.
  return isObj(v) ? { kind: 'map' } : LEAF;
}

function childNode(sh: Shape, k: string): SchemaNode | undefined {
  if (sh.kind === 'struct') return sh.node.field(k);
  if (sh.kind === 'map') return sh.elem;
  return undefined;
}

/** The schema of the thing an encoded path element leads to, from the schema alone. */
export function schemaChild(node: SchemaNode | undefined, pe: string): SchemaNode | undefined {
  if (!node) return undefined;
  if (pe.startsWith('f:')) return node.isStruct ? node.field(pe.slice(2)) : node.mapValues();
  return node.items();
}

/** Errors collected during a walk, printed as structured-merge-diff's ValidationErrors. */
export class TypedErrors extends Error {
  constructor(readonly errors: string[]) {
    super(errors.length === 1 ? errors[0] : ['errors:', ...errors.map((e) => `  ${e}`)].join('\n'));
  }
}

interface ItemCtx {
  errs?: string[]; // undefined: lenient (live objects: partial keys instead of errors)
  path: Path;
}

/** The path element of a list item (undefined when it has none and errors are collected). */
function itemPE(sh: Extract<Shape, { kind: 'list' }>, item: unknown, i: number, ctx: ItemCtx): string | undefined {
  const fail = (msg: string): string | undefined => {
    if (ctx.errs) { ctx.errs.push(`${pathString(ctx.path)}: element ${i}: ${msg}`); return undefined; }
    return isObj(item) || Array.isArray(item) ? valuePE(goMarshal(item)) : valuePE(item);
  };
  if (sh.keys) {
    if (item === null) return fail('associative list with keys may not have a null element');
    if (!isObj(item)) return fail('associative list with keys may not have non-map elements');
    const fields: [string, unknown][] = [];
    for (const k of sh.keys) {
      if (has(item, k)) { fields.push([k, item[k]]); continue; }
      const def = sh.elem?.field(k)?.defaultValue ?? KEY_DEFAULTS[k];
      if (def !== undefined) fields.push([k, def]);
      else if (ctx.errs) return fail(`associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
    }
    fields.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return keyPE(fields);
  }
  if (isObj(item)) return fail('associative list without keys has an element that\'s a map type');
  if (Array.isArray(item)) return fail('not supported: associative list with lists as elements');
  if (item === null) return fail('associative list without keys has an element that\'s an explicit null');
  return valuePE(item);
}

interface Indexed { pes: string[]; items: unknown[]; byPE: Map<string, unknown>; dups: Set<string> }

/**
 * Indexes a list by path element. With errs, duplicates are errors (applied configurations);
 * without, they are allowed (live objects) and remembered in `dups`.
 */
function indexList(sh: Extract<Shape, { kind: 'list' }>, list: unknown, ctx: ItemCtx): Indexed {
  const out: Indexed = { pes: [], items: [], byPE: new Map(), dups: new Set() };
  if (!Array.isArray(list)) return out;
  list.forEach((item, i) => {
    const pe = itemPE(sh, item, i, ctx);
    if (pe === undefined) return;
    if (out.byPE.has(pe)) {
      if (ctx.errs) { ctx.errs.push(`${pathString(ctx.path)}: duplicate entries for key ${pathString([pe])}`); return; }
      out.dups.add(pe);
    } else out.byPE.set(pe, item);
    out.pes.push(pe);
    out.items.push(item);
  });
  return out;
}

// ---- field sets ----

/**
 * The set of fields an object sets (ToFieldSet): scalars and atomic values, list items, map
 * entries that are not declared struct fields, and fields whose value is null or {}.
 * `strict` collects key errors and duplicates (for applied configurations) and throws them.
 */
export function toFieldSet(v: unknown, node: SchemaNode | undefined, strict = false): FieldSet {
  const out = new FieldSet();
  const errs: string[] = [];
  walkSet(v, node, [], out, strict ? errs : undefined);
  if (errs.length) throw new TypedErrors(errs);
  return out;
}

function walkSet(v: unknown, node: SchemaNode | undefined, path: Path, out: FieldSet, errs: string[] | undefined): void {
  const sh = shapeOf(node, v);
  if (sh.kind === 'leaf') { out.insert(path); return; }
  if (sh.kind === 'list') {
    const idx = indexList(sh, v, { errs, path });
    idx.pes.forEach((pe, i) => {
      const p = [...path, pe];
      walkSet(idx.items[i], sh.elem, p, out, errs);
      out.insert(p);
    });
    return;
  }
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val === undefined) continue;
    const p = [...path, fieldPE(k)];
    const declared = sh.kind === 'struct' && sh.node.field(k) !== undefined;
    const child = childNode(sh, k);
    if (val === null || isEmptyObj(val) || !declared) out.insert(p);
    if (val !== null && !isEmptyObj(val)) {
      // a declared scalar inserts itself; composites insert their insides
      walkSet(val, child, p, out, errs);
    }
  }
}

/** Adds struct fields that lead to members as members themselves (EnsureNamedFieldsAreMembers). */
export function ensureNamedFieldsAreMembers(s: FieldSet, node: SchemaNode | undefined): FieldSet {
  const out = new FieldSet();
  for (const m of s.members) out.members.add(m);
  for (const [k, c] of s.children) {
    if (k.startsWith('f:') && node?.isStruct && node.field(k.slice(2)) !== undefined) out.members.add(k);
    out.children.set(k, ensureNamedFieldsAreMembers(c, schemaChild(node, k)));
  }
  return out;
}

// ---- comparison ----

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

export interface TypedOptions {
  /**
   * Built-in kinds: struct-typed fields behave like Go's non-pointer structs, which exist (as
   * zero values) whenever their parent does, so adding or removing one does not record the
   * struct itself, only its insides. This is why managedFields show `f:spec: {f:replicas: {}}`
   * and not `f:spec: {.: {}, ...}`, while a struct inside a newly added list item does get
   * its ".". (Pointer structs are indistinguishable here and are treated the same way.)
   */
  builtin?: boolean;
}

/** Which fields were added, modified and removed going from lhs to rhs (absent: undefined). */
export function compareTyped(lhs: unknown, rhs: unknown, node: SchemaNode | undefined, opts: TypedOptions = {}): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  cmp(lhs ?? {}, rhs ?? {}, node, [], c, opts);
  return c;
}

function emptyish(v: unknown): boolean {
  return v === undefined || v === null || isEmptyObj(v) || (Array.isArray(v) && v.length === 0);
}

function leafRule(l: unknown, r: unknown, path: Path, c: Comparison): void {
  if (path.length === 0) return;
  if (l === undefined) { if (r !== undefined) c.added.insert(path); }
  else if (r === undefined) c.removed.insert(path);
  else if (!deepEqual(l, r)) c.modified.insert(path);
}

function cmp(l: unknown, r: unknown, node: SchemaNode | undefined, path: Path, c: Comparison, opts: TypedOptions): void {
  if (l === undefined && r === undefined) return;
  const sl = l === undefined ? undefined : shapeOf(node, l);
  const sr = r === undefined ? undefined : shapeOf(node, r);
  let sh: Shape = (sr ?? sl)!;
  if (sl && sr && sl.kind !== sr.kind) {
    // null is a wildcard: it takes the form of the other side
    if (l === null && sr.kind !== 'leaf') sh = sr;
    else if (r === null && sl.kind !== 'leaf') sh = sl;
    else sh = LEAF;
  }
  if (sh.kind === 'leaf' || (emptyish(l) && emptyish(r))) { leafRule(l, r, path, c); return; }

  if (sh.kind === 'list') {
    const li = indexList(sh, l, { path });
    const ri = indexList(sh, r, { path });
    const all = [...li.byPE.keys()];
    for (const pe of ri.byPE.keys()) if (!li.byPE.has(pe)) all.push(pe);
    for (const pe of all) cmp(li.byPE.get(pe), ri.byPE.get(pe), sh.elem, [...path, pe], c, opts);
  } else {
    const lo = isObj(l) ? l : {};
    const ro = isObj(r) ? r : {};
    const keys = [...Object.keys(lo)];
    for (const k of Object.keys(ro)) if (!has(lo, k)) keys.push(k);
    for (const k of keys) {
      const child = childNode(sh, k);
      let lv = has(lo, k) ? lo[k] : undefined;
      let rv = has(ro, k) ? ro[k] : undefined;
      // A Go struct field exists (zero-valued) wherever its parent struct exists.
      if (opts.builtin && sh.kind === 'struct' && child?.isStruct && child.mapType !== 'atomic' && sh.node.field(k)) {
        if (lv === undefined && l !== undefined) lv = {};
        if (rv === undefined && r !== undefined) rv = {};
      }
      cmp(lv, rv, child, [...path, fieldPE(k)], c, opts);
    }
  }
  // The composite itself appeared or disappeared.
  if (path.length) {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  }
}

/**
 * compareTyped({}, rhs, node, opts).added, built straight into the set: a create compares
 * against nothing, so only "added" can come out, and the walk needs no path copies and no
 * insertions from the root. `l` is the left side, which is only ever absent or an empty
 * struct (the zero value at the root and down builtin struct fields).
 */
export function addedFields(
  rhs: unknown, node: SchemaNode | undefined, opts: TypedOptions = {},
  except: { subtrees?: FieldSet; paths?: FieldSet } = {},
): FieldSet {
  const out = new FieldSet();
  addWalk(ZERO, rhs ?? {}, node, new Cursor(out, undefined, except.subtrees, except.paths), opts);
  return out;
}

const ZERO = Object.freeze({}) as Record<string, unknown>;

/**
 * A path into the set being built; its level is created only when something is inserted
 * below. It carries the matching levels of the exclusions: `subtrees` members drop whole
 * subtrees (recursiveDifference), `paths` members drop just those paths (difference).
 */
class Cursor {
  private level?: FieldSet;
  constructor(
    private readonly parentOrRoot: FieldSet | Cursor, readonly pe: string | undefined,
    readonly subtrees?: FieldSet, readonly paths?: FieldSet,
  ) {}
  /** The cursor for child pe, or undefined when pe's subtree is excluded. */
  child(pe: string): Cursor | undefined {
    if (this.subtrees?.members.has(pe)) return undefined;
    return new Cursor(this, pe, this.subtrees?.children.get(pe), this.paths?.children.get(pe));
  }
  /** The set level holding this path's children. */
  below(): FieldSet {
    if (this.level) return this.level;
    if (this.pe === undefined) return (this.level = this.parentOrRoot as FieldSet);
    const up = (this.parentOrRoot as Cursor).below();
    let c = up.children.get(this.pe);
    if (!c) { c = new FieldSet(); up.children.set(this.pe, c); }
    return (this.level = c);
  }
  /** Marks this path itself as a member. */
  add(): void {
    if (this.pe === undefined) return;
    const up = this.parentOrRoot as Cursor;
    if (!up.paths?.members.has(this.pe)) up.below().members.add(this.pe);
  }
}

function addWalk(l: Record<string, unknown> | undefined, r: unknown, node: SchemaNode | undefined, at: Cursor, opts: TypedOptions): void {
  if (l === undefined && r === undefined) return;
  const sl = l === undefined ? undefined : shapeOf(node, l);
  const sr = r === undefined ? undefined : shapeOf(node, r);
  let sh: Shape = (sr ?? sl)!;
  if (sl && sr && sl.kind !== sr.kind) sh = r === null && sl.kind !== 'leaf' ? sl : LEAF;
  if (sh.kind === 'leaf' || (emptyish(l) && emptyish(r))) {
    // leafRule: only an absent left side adds
    if (l === undefined && r !== undefined) at.add();
    return;
  }
  if (sh.kind === 'list') {
    const ri = indexList(sh, r, { path: [] });
    for (const [pe, item] of ri.byPE) { const c = at.child(pe); if (c) addWalk(undefined, item, sh.elem, c, opts); }
  } else if (isObj(r)) {
    const builtinStruct = opts.builtin && sh.kind === 'struct';
    for (const k of Object.keys(r)) {
      const child = childNode(sh, k);
      let lv: Record<string, unknown> | undefined;
      let rv = r[k];
      if (builtinStruct && child?.isStruct && child.mapType !== 'atomic' && (sh as Extract<Shape, { kind: 'struct' }>).node.field(k)) {
        if (l !== undefined) lv = ZERO;
        if (rv === undefined) rv = {};
      }
      const c = at.child(fieldPE(k));
      if (c) addWalk(lv, rv, child, c, opts);
    }
  }
  if (l === undefined) at.add();
}

// ---- merge (server-side apply) ----

/** Drops null members of objects (what decoding into Go types does with them). */
export function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (!isObj(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) setProp(out, k, dropNulls(x));
  return out;
}

/**
 * Merges an applied configuration (rhs) into the live object (lhs): rhs wins on leaves,
 * structs and maps merge by key, associative lists by item key, keeping live-only items where
 * they were and the configuration's order for the rest. Returns undefined for "no value".
 */
export function mergeTyped(l: unknown, r: unknown, node: SchemaNode | undefined): unknown {
  if (r === undefined) return l;
  if (l === undefined || l === null) return r === null ? undefined : dropNulls(r);
  const sl = shapeOf(node, l);
  if (r === null) return sl.kind === 'leaf' ? undefined : l; // null applies nothing to a composite
  const sr = shapeOf(node, r);
  if (sr.kind === 'leaf' || sl.kind !== sr.kind || (emptyish(l) && emptyish(r))) return dropNulls(r);

  if (sr.kind === 'list') return mergeLists(sr, l as unknown[], r as unknown[]);

  const lo = l as Record<string, unknown>, ro = r as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(lo)) {
    const v = has(ro, k) ? mergeTyped(lo[k], ro[k], childNode(sr, k)) : lo[k];
    if (v !== undefined) setProp(out, k, v);
  }
  for (const k of Object.keys(ro)) {
    if (has(lo, k) || ro[k] === null || ro[k] === undefined) continue;
    setProp(out, k, dropNulls(ro[k]));
  }
  return out;
}

function mergeLists(sh: Extract<Shape, { kind: 'list' }>, l: unknown[], r: unknown[]): unknown[] {
  const li = indexList(sh, l, { path: [] });
  const ri = indexList(sh, r, { path: [] });
  const merge = (pe: string): unknown => mergeTyped(li.dups.has(pe) ? undefined : li.byPE.get(pe), ri.byPE.get(pe), sh.elem);
  const shared = ri.pes.filter((pe) => li.byPE.has(pe));
  let nextShared = shared.shift();
  const mergedR = new Set<string>();
  const out: unknown[] = [];
  const push = (v: unknown): void => { if (v !== undefined) out.push(v); };
  let lI = 0, rI = 0;
  while (lI < li.pes.length || rI < ri.pes.length) {
    if (lI < li.pes.length && rI < ri.pes.length) {
      const pe = li.pes[lI];
      if (pe === ri.pes[rI]) {
        mergedR.add(pe);
        push(merge(pe));
        lI++; rI++;
        nextShared = shared.shift();
        continue;
      }
      if (ri.byPE.has(pe) && nextShared !== undefined && nextShared !== pe) { lI++; continue; }
    }
    if (lI < li.pes.length) {
      const pe = li.pes[lI];
      if (!ri.byPE.has(pe)) { push(li.items[lI]); lI++; continue; }
      if (mergedR.has(pe)) { lI++; continue; }
    }
    if (rI < ri.pes.length) {
      const pe = ri.pes[rI];
      mergedR.add(pe);
      push(merge(pe));
      rI++;
      if (nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

// ---- removal ----

/**
 * Removes every member of `set` from v (RemoveItems). A map or list left empty by the removal
 * becomes "no value" (undefined), as the Go walker turns it into null.
 */
export function removeItems(v: unknown, set: FieldSet, node: SchemaNode | undefined): unknown {
  const sh = shapeOf(node, v);
  if (sh.kind === 'leaf') return v;
  if (sh.kind === 'list') {
    const list = v as unknown[];
    if (list.length === 0) return undefined;
    const out: unknown[] = [];
    list.forEach((item, i) => {
      const pe = itemPE(sh, item, i, { path: [] })!;
      if (set.members.has(pe)) return;
      const sub = set.children.get(pe);
      const nv = sub && !sub.empty() ? removeItems(item, sub, sh.elem) : item;
      if (nv !== undefined) out.push(nv);
    });
    return out.length ? out : undefined;
  }
  const o = v as Record<string, unknown>;
  if (Object.keys(o).length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) {
    const pe = fieldPE(k);
    if (set.members.has(pe)) continue;
    const sub = set.children.get(pe);
    const nv = sub && !sub.empty() ? removeItems(val, sub, childNode(sh, k)) : val;
    if (nv !== undefined) setProp(out, k, nv);
  }
  return Object.keys(out).length ? out : undefined;
}

/** A set of whole subtrees given as field-name paths (reset fields: [["status"]]). */
export function subtreeSet(paths: string[][] | undefined): FieldSet {
  const s = new FieldSet();
  for (const p of paths ?? []) s.insert(p.map(fieldPE));
  return s;
}

