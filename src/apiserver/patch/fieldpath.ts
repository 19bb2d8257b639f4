// Field paths and sets of them, as structured-merge-diff's fieldpath package has them, with
// the FieldsV1 wire encoding managedFields use:
//   f:<name>            a field of a struct or a key of a map
//   k:{"name":"x"}      an item of a list-map, by its key fields (sorted, JSON-encoded)
//   v:"x"               an item of a set, by its value
//   i:3                 an item of an atomic list position (rarely seen)
// A set is a trie: at each level, `members` are the paths that end here and `children` lead
// further. In FieldsV1, {"f:a": {}} says .a is a member, {"f:a": {".": {}, "f:b": {}}} says .a
// and .a.b are, {"f:a": {"f:b": {}}} says only .a.b is.

import { compareGoStrings, goMarshal } from './gojson.js';
import { isObj } from './util.js';

export type PathElement =
  | { field: string }
  | { key: [string, unknown][] }
  | { value: unknown }
  | { index: number };

/** A path: encoded path elements ("f:spec", `k:{"name":"a"}`, ...). */
export type Path = string[];

export function fieldPE(name: string): string {
  return `f:${name}`;
}

/** A list-map item's element: key fields sorted by name. */
export function keyPE(fields: [string, unknown][]): string {
  const o: Record<string, unknown> = {};
  for (const [k, v] of fields) o[k] = v;
  return `k:${goMarshal(o)}`;
}

export function valuePE(v: unknown): string {
  return `v:${goMarshal(v)}`;
}

export function indexPE(i: number): string {
  return `i:${i}`;
}

const decoded = new Map<string, PathElement>();

/** Parses an encoded path element; throws on an unknown prefix or malformed key. */
export function parsePE(s: string): PathElement {
  const hit = decoded.get(s);
  if (hit) return hit;
  let pe: PathElement;
  const body = s.slice(2);
  switch (s.slice(0, 2)) {
    case 'f:': pe = { field: body }; break;
    case 'k:': {
      const o = JSON.parse(body) as unknown;
      if (!isObj(o)) throw new Error(`invalid key path element: ${s}`);
      pe = { key: Object.keys(o).sort(compareGoStrings).map((k) => [k, o[k]] as [string, unknown]) };
      break;
    }
    case 'v:': pe = { value: JSON.parse(body) as unknown }; break;
    case 'i:': {
      if (!/^-?[0-9]+$/.test(body)) throw new Error(`invalid index path element: ${s}`);
      pe = { index: Number(body) };
      break;
    }
    default: throw new UnknownPathElementError(s);
  }
  if (decoded.size > 100000) decoded.clear();
  decoded.set(s, pe);
  return pe;
}

export class UnknownPathElementError extends Error {
  constructor(s: string) { super(`unknown path element type: ${s}`); }
}

function typeRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isObj(v)) return 4;
  return 5; // null
}

/** structured-merge-diff's total order of values: numbers < strings < bools < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a), rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1: return compareGoStrings(a as string, b as string);
    case 2: return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const la = a as unknown[], lb = b as unknown[];
      for (let i = 0; i < la.length && i < lb.length; i++) {
        const c = compareValues(la[i], lb[i]);
        if (c) return c;
      }
      return la.length - lb.length < 0 ? -1 : la.length > lb.length ? 1 : 0;
    }
    case 4: return compareGoStrings(goMarshal(a), goMarshal(b));
    default: return 0;
  }
}

const PE_RANK = (pe: PathElement): number => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);

/** PathElement.Compare: fields < keys < values < indices, each in its own order. */
export function comparePE(a: string, b: string): number {
  if (a === b) return 0;
  const pa = parsePE(a), pb = parsePE(b);
  const ra = PE_RANK(pa), rb = PE_RANK(pb);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in pa) return compareGoStrings(pa.field, (pb as { field: string }).field);
  if ('key' in pa) {
    const ka = pa.key, kb = (pb as { key: [string, unknown][] }).key;
    for (let i = 0; i < ka.length && i < kb.length; i++) {
      const c = compareGoStrings(ka[i][0], kb[i][0]) || compareValues(ka[i][1], kb[i][1]);
      if (c) return c;
    }
    return ka.length < kb.length ? -1 : ka.length > kb.length ? 1 : 0;
  }
  if ('value' in pa) return compareValues(pa.value, (pb as { value: unknown }).value);
  const ia = pa.index, ib = (pb as { index: number }).index;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** value.ToString: how a value appears inside a printed path. */
function valueString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${valueString(x)}`).join('');
}

/** A path as structured-merge-diff prints it: .spec.containers[name="a"].image */
export function pathString(path: Path): string {
  let out = '';
  for (const s of path) {
    const pe = parsePE(s);
    if ('field' in pe) out += `.${pe.field}`;
    else if ('key' in pe) out += `[${pe.key.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
    else if ('value' in pe) out += `[=${valueString(pe.value)}]`;
    else out += `[${pe.index}]`;
  }
  return out;
}

/** Parses a dotted field path ("metadata.labels") into a Path of fields. */
export function fieldPath(...names: string[]): Path {
  return names.map(fieldPE);
}

const sorted = (keys: Iterable<string>): string[] => [...keys].sort(comparePE);

export class FieldSet {
  readonly members = new Set<string>();
  readonly children = new Map<string, FieldSet>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: readonly string[]): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      let c = s.children.get(path[i]);
      if (!c) { c = new FieldSet(); s.children.set(path[i], c); }
      s = c;
    }
    s.members.add(path[path.length - 1]);
  }

  has(path: readonly string[]): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++) s = s.children.get(path[i]);
    return !!s && s.members.has(path[path.length - 1]);
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.empty()) return false;
    return true;
  }

  /** The paths below pe (relative to it). */
  withPrefix(pe: string): FieldSet {
    return this.children.get(pe) ?? EMPTY;
  }

  clone(): FieldSet {
    const s = new FieldSet();
    for (const m of this.members) s.members.add(m);
    for (const [k, c] of this.children) s.children.set(k, c.clone());
    return s;
  }

  union(o: FieldSet): FieldSet {
    const s = this.clone();
    for (const m of o.members) s.members.add(m);
    for (const [k, c] of o.children) {
      const mine = s.children.get(k);
      s.children.set(k, mine ? mine.union(c) : c.clone());
    }
    return s;
  }

  intersection(o: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const m of this.members) if (o.members.has(m)) s.members.add(m);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (!oc) continue;
      const x = c.intersection(oc);
      if (!x.empty()) s.children.set(k, x);
    }
    return s;
  }

  difference(o: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) s.members.add(m);
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const x = oc ? c.difference(oc) : c.clone();
      if (!x.empty()) s.children.set(k, x);
    }
    return s;
  }

  /** Removes every path that has a member of o as a prefix (o's members remove whole subtrees). */
  recursiveDifference(o: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const m of this.members) if (!o.members.has(m)) s.members.add(m);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const oc = o.children.get(k);
      const x = oc ? c.recursiveDifference(oc) : c.clone();
      if (!x.empty()) s.children.set(k, x);
    }
    return s;
  }

  /** Every path, in structured-merge-diff's order (members first, then children, sorted). */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const m of sorted(this.members)) out.push([...prefix, m]);
    for (const k of sorted(this.children.keys())) out.push(...this.children.get(k)!.paths([...prefix, k]));
    return out;
  }

  size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.size();
    return n;
  }

  /** The FieldsV1 object (keys in upstream's serialization order). */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const k of sorted(new Set([...this.members, ...this.children.keys()]))) {
      const c = this.children.get(k);
      const child = c && !c.empty() ? c.toFieldsV1() : undefined;
      if (child) {
        out[k] = this.members.has(k) ? { '.': {}, ...child } : child;
      } else if (this.members.has(k)) {
        out[k] = {};
      }
    }
    return out;
  }

  /** Decodes FieldsV1; unknown element kinds are skipped, as upstream does. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (v === undefined || v === null) return s;
    if (!isObj(v)) throw new Error('FieldsV1 must be an object');
    readInto(s, v);
    return s;
  }
}

const EMPTY = new FieldSet();

/** Reads the entries of one FieldsV1 level into s. */
function readInto(s: FieldSet, v: Record<string, unknown>): void {
  for (const [k, child] of Object.entries(v)) {
    if (k === '.') continue;
    try {
      parsePE(k);
    } catch (e) {
      if (e instanceof UnknownPathElementError) continue;
      throw e;
    }
    if (!isObj(child)) throw new Error(`FieldsV1 entry ${k} must be an object`);
    const keys = Object.keys(child);
    const isMember = keys.length === 0 || Object.prototype.hasOwnProperty.call(child, '.');
    if (isMember) s.members.add(k);
    if (keys.some((x) => x !== '.')) {
      const c = new FieldSet();
      readInto(c, child);
      if (!c.empty()) s.children.set(k, c);
    }
  }
}
