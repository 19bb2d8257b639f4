// Go's JSON decoding refuses values of the wrong type ("json: cannot unmarshal string into Go
// struct field DeploymentSpec.spec.replicas of type int32"), whatever fieldValidation says.
// This finds the first such value in an object of a built-in kind, with Go's wording.
import { definitionNameOf, refTarget, type Schema } from './defs.js';
import { resolve } from './schema.js';

/** The Go type a schema decodes into, as encoding/json names it in its errors. */
function goType(field: Schema, s: Schema): string {
  const ref = typeof field.$ref === 'string' ? refTarget(field.$ref) : undefined;
  if (ref) {
    const parts = ref.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  if (s.type === 'integer') return s.format === 'int32' ? 'int32' : 'int64';
  if (s.type === 'number') return 'float64';
  if (s.type === 'boolean') return 'bool';
  if (s.type === 'string') return s.format === 'byte' ? '[]uint8' : 'string';
  if (s.type === 'array') {
    const items = s.items ? resolve(s.items) : undefined;
    return `[]${s.items && items ? goType(s.items, items) : 'interface {}'}`;
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    const v = resolve(s.additionalProperties);
    return `map[string]${v ? goType(s.additionalProperties, v) : 'interface {}'}`;
  }
  return 'interface {}';
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/** Whether v fits schema s at this level (null always fits: Go leaves the zero value). */
function fits(s: Schema, v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-int-or-string']) return typeof v !== 'object' || s['x-kubernetes-preserve-unknown-fields'] === true;
  if (s.properties || (s.additionalProperties && typeof s.additionalProperties === 'object')) return typeof v === 'object' && !Array.isArray(v);
  switch (s.type) {
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    case 'string': return typeof v === 'string' || (s.format === 'quantity' && typeof v === 'number');
    case 'array': return Array.isArray(v);
    default: return true;
  }
}

interface Found { message: string }

/** "PodSpec" from a $ref to io.k8s.api.core.v1.PodSpec (memoized: refs are few and hot). */
const structNames = new Map<string, string>();
function structName(ref: string): string {
  let n = structNames.get(ref);
  if (n === undefined) structNames.set(ref, (n = refTarget(ref).split('.').pop()!));
  return n;
}

/** The root reference of each kind: one object per kind, so resolve() memoizes it. */
const rootRefs = new Map<string, Schema>();

function walk(field: Schema, value: unknown, struct: string, path: string[], depth: number): Found | undefined {
  const s = resolve(field);
  if (!s || depth > 100) return undefined;
  if (!fits(s, value)) {
    // quantities and int-or-string have their own decoders with their own texts
    if (typeof field.$ref === 'string' && /resource\.Quantity$/.test(field.$ref)) {
      return typeof value === 'string' || typeof value === 'number' ? undefined : { message: `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'` };
    }
    const where = path.length ? `Go struct field ${struct}.${path.join('.')}` : 'Go value';
    const what = typeof value === 'number' && s.type === 'integer' ? `number ${value}` : jsonKind(value);
    return { message: `json: cannot unmarshal ${what} into ${where} of type ${goType(field, s)}` };
  }
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    if (!s.items) return undefined;
    for (const x of value) { const f = walk(s.items, x, struct, path, depth + 1); if (f) return f; }
    return undefined;
  }
  const o = value as Record<string, unknown>;
  if (s.properties) {
    const name = typeof field.$ref === 'string' ? structName(field.$ref) : struct;
    for (const k of Object.keys(o)) {
      const p = Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
      if (!p) continue;
      path.push(k);
      const f = walk(p, o[k], name, path, depth + 1);
      path.pop();
      if (f) return f;
    }
  } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const k of Object.keys(o)) {
      path.push(k);
      const f = walk(s.additionalProperties, o[k], struct, path, depth + 1);
      path.pop();
      if (f) return f;
    }
  }
  return undefined;
}

/** The first value of the wrong JSON type, as Go's decoder words it, or undefined. */
export function findTypeError(group: string, version: string, kind: string, obj: unknown): string | undefined {
  const name = definitionNameOf(group, version, kind);
  if (!name) return undefined;
  let ref = rootRefs.get(name);
  if (!ref) rootRefs.set(name, (ref = { $ref: `#/definitions/${name}` }));
  return walk(ref, obj, kind, [], 0)?.message;
}
