// Schema utilities over the built-in OpenAPI definitions, for the API server and the patch
// engine: look up a kind's schema, find or drop unknown fields the way kube-apiserver's
// strict decoding does (fieldValidation=Strict/Warn/Ignore), and read strategic-merge-patch
// and server-side-apply list metadata while descending a schema.

import { definitionNameOf, definitions, refTarget, type Schema } from './defs.js';

export type { Schema, GVK } from './defs.js';

/** Merge metadata of one field: patch strategy tags and server-side apply list/map markers. */
export interface PatchMeta {
  /** x-kubernetes-patch-merge-key: list items are matched by this field. */
  mergeKey?: string;
  /** x-kubernetes-patch-strategy: "merge", "replace", "retainKeys", "merge,retainKeys". */
  strategy?: string;
  /** x-kubernetes-list-type. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys (listType "map"). */
  listMapKeys?: string[];
  /** x-kubernetes-map-type (on the field or on its struct type). */
  mapType?: 'atomic' | 'granular';
}

/** kube-apiserver stops collecting strict decoding errors after this many. */
export const MAX_STRICT_ERRORS = 100;

/** The root schema of a built-in kind (e.g. io.k8s.api.core.v1.Pod for ("", "v1", "Pod")). */
export function schemaForKind(group: string, version: string, kind: string): Schema | undefined {
  const name = definitionNameOf(group, version, kind);
  return name ? definitions()[name] : undefined;
}

/**
 * Follows $ref (a schema with "$ref", a "#/definitions/..." string or a bare definition name)
 * and single-element allOf wrappers until a concrete schema is reached.
 */
export function resolve(schemaOrRef: Schema | string | undefined): Schema | undefined {
  if (schemaOrRef === undefined) return undefined;
  if (typeof schemaOrRef === 'string') return follow({ $ref: schemaOrRef });
  // the definitions are read-only: each schema object resolves to the same target for good
  let r = resolved.get(schemaOrRef);
  if (r === undefined) { r = follow(schemaOrRef) ?? null; resolved.set(schemaOrRef, r); }
  return r ?? undefined;
}

const resolved = new WeakMap<Schema, Schema | null>();

function follow(start: Schema): Schema | undefined {
  let s: Schema | undefined = start;
  for (let hops = 0; s && hops < 32; hops++) {
    if (typeof s.$ref === 'string') s = definitions()[refTarget(s.$ref)];
    else if (!s.type && !s.properties && Array.isArray(s.allOf) && s.allOf.length === 1) s = s.allOf[0];
    else return s;
  }
  return s;
}

function metaOf(field: Schema | undefined, target: Schema | undefined): PatchMeta {
  const m: PatchMeta = {};
  if (!field) return m;
  const mergeKey = field['x-kubernetes-patch-merge-key'];
  const strategy = field['x-kubernetes-patch-strategy'];
  const listType = field['x-kubernetes-list-type'];
  const listMapKeys = field['x-kubernetes-list-map-keys'];
  const mapType = field['x-kubernetes-map-type'] ?? target?.['x-kubernetes-map-type'];
  if (mergeKey) m.mergeKey = mergeKey;
  if (strategy) m.strategy = strategy;
  if (listType === 'atomic' || listType === 'set' || listType === 'map') m.listType = listType;
  if (listMapKeys) m.listMapKeys = [...listMapKeys];
  if (mapType === 'atomic' || mapType === 'granular') m.mapType = mapType;
  return m;
}

export type NodeKind = 'object' | 'map' | 'array' | 'scalar' | 'any';

/**
 * A position in a kind's schema, for walkers such as strategic merge patch and server-side
 * apply: descend with field() through structs (and map values), mapValues() through maps and
 * items() into lists. The merge metadata of the field that led here is both in `meta` and
 * flattened onto the node (the shape src/apiserver/patch/meta.ts consumes).
 */
export class SchemaNode implements PatchMeta {
  readonly resolved: Schema;
  readonly meta: PatchMeta;
  /** True for objects with declared properties. */
  readonly isStruct: boolean;
  readonly mergeKey?: string;
  readonly strategy?: string;
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly listMapKeys?: string[];
  readonly mapType?: 'atomic' | 'granular';
  /** The schema default (e.g. "TCP" for a port's protocol, a list-map key). */
  readonly defaultValue?: unknown;

  constructor(readonly schema: Schema) {
    this.resolved = resolve(schema) ?? {};
    this.meta = metaOf(schema, this.resolved);
    Object.assign(this, this.meta);
    this.isStruct = !!this.resolved.properties && Object.keys(this.resolved.properties).length > 0;
    const dv = schema.default ?? this.resolved.default;
    if (dv !== undefined) this.defaultValue = dv;
  }

  get kind(): NodeKind {
    const s = this.resolved;
    if (s['x-kubernetes-preserve-unknown-fields']) return 'any';
    if (s.type === 'array') return 'array';
    if (s.properties) return 'object';
    if (s.additionalProperties && typeof s.additionalProperties === 'object') return 'map';
    if (s.type && s.type !== 'object') return 'scalar';
    if (s.oneOf || s['x-kubernetes-int-or-string']) return 'scalar';
    return 'any';
  }

  // Nodes are immutable, and every write walks the same few schemas several times (type
  // check, unknown fields, defaults, managedFields): children are built once and kept.
  private fieldNodes?: Map<string, SchemaNode | undefined>;
  private valuesNode?: SchemaNode | null;
  private itemsNode?: SchemaNode | null;

  /** A struct field, or the value schema of a map (any key). */
  field(name: string): SchemaNode | undefined {
    const p = this.resolved.properties;
    if (!p) return this.mapValues();
    this.fieldNodes ??= new Map();
    let n = this.fieldNodes.get(name);
    if (n === undefined && !this.fieldNodes.has(name)) {
      n = Object.prototype.hasOwnProperty.call(p, name) ? new SchemaNode(p[name]) : undefined;
      // unknown names (client typos) are not remembered: they are unbounded
      if (n) this.fieldNodes.set(name, n);
    }
    return n;
  }

  /** The value schema of a map (additionalProperties). */
  mapValues(): SchemaNode | undefined {
    if (this.valuesNode === undefined) {
      const s = this.resolved;
      this.valuesNode = !s.properties && s.additionalProperties && typeof s.additionalProperties === 'object'
        ? new SchemaNode(s.additionalProperties) : null;
    }
    return this.valuesNode ?? undefined;
  }

  /** The element schema of a list. */
  items(): SchemaNode | undefined {
    if (this.itemsNode === undefined) {
      const s = this.resolved;
      this.itemsNode = s.type === 'array' && s.items ? new SchemaNode(s.items) : null;
    }
    return this.itemsNode ?? undefined;
  }
}

const roots = new Map<string, SchemaNode>();

/** The root node of a built-in kind's schema, or undefined for unknown kinds. */
export function schemaNode(group: string, version: string, kind: string): SchemaNode | undefined {
  const name = definitionNameOf(group, version, kind);
  if (!name) return undefined;
  let n = roots.get(name);
  if (!n) roots.set(name, (n = new SchemaNode({ $ref: `#/definitions/${name}` })));
  return n;
}

/** Alias of schemaNode, the name the API server's patch handler imports. */
export const schemaNodeFor = schemaNode;

/**
 * Merge metadata for a field path. Segments are field names (or map keys); a list is
 * addressed by its own field name and the next segment names a field of its items, so
 * ["spec", "containers", "ports"] is the ports list of a container.
 */
export function patchMeta(group: string, version: string, kind: string, path: string[]): PatchMeta | undefined {
  let node = schemaNode(group, version, kind);
  for (const seg of path) {
    if (!node) return undefined;
    if (node.kind === 'array') node = node.items();
    node = node?.field(seg);
  }
  return node?.meta;
}

/** A path as strict decoding prints it: fields joined by ".", list indexes as "[i]". */
function pathText(stack: (string | number)[], key: string): string {
  let out = '';
  for (const seg of stack) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out ? `${out}.${key}` : key;
}

/**
 * Walks obj against schema, reporting (and with prune, deleting) fields the schema lacks.
 * The path is a stack of segments, turned into text only for a field that is reported.
 */
function walk(schema: Schema, value: unknown, stack: (string | number)[], out: string[], prune: boolean): void {
  if (value === null || typeof value !== 'object') return;
  const s = resolve(schema);
  if (!s || s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (s.type !== 'array' || !s.items) return;
    for (let i = 0; i < value.length; i++) {
      stack.push(i);
      walk(s.items, value[i], stack, out, prune);
      stack.pop();
    }
    return;
  }
  const obj = value as Record<string, unknown>;
  if (s.properties) {
    for (const key of Object.keys(obj)) {
      const p = Object.prototype.hasOwnProperty.call(s.properties, key) ? s.properties[key] : undefined;
      if (p) {
        stack.push(key);
        walk(p, obj[key], stack, out, prune);
        stack.pop();
      } else {
        if (prune || out.length < MAX_STRICT_ERRORS) out.push(pathText(stack, key));
        if (prune) delete obj[key];
      }
    }
  } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    // Map keys are data (labels, ConfigMap data...), never unknown; only values are checked.
    for (const key of Object.keys(obj)) {
      stack.push(key);
      walk(s.additionalProperties, obj[key], stack, out, prune);
      stack.pop();
    }
  }
  // Anything else (RawExtension, FieldsV1, JSON, scalars given an object) is opaque here.
}

const strictRoots = new Map<string, Schema | undefined>();
function rootOf(group: string, version: string, kind: string): Schema | undefined {
  const key = `${group}/${version}/${kind}`;
  if (strictRoots.has(key)) return strictRoots.get(key);
  const r = buildRoot(group, version, kind);
  strictRoots.set(key, r);
  return r;
}

function buildRoot(group: string, version: string, kind: string): Schema | undefined {
  const root = schemaForKind(group, version, kind);
  if (!root?.properties) return root;
  // apiVersion and kind are type information, never unknown fields.
  return { ...root, properties: { ...root.properties, apiVersion: { type: 'string' }, kind: { type: 'string' } } };
}

/**
 * Paths of the fields in obj that the kind's schema does not know, formatted as kube-apiserver's
 * strict decoding reports them ("spec.containers[0].commnd", "metadata.labelz"), in document
 * order, at most MAX_STRICT_ERRORS. Unknown kinds report nothing.
 */
export function findUnknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  const root = rootOf(group, version, kind);
  const out: string[] = [];
  if (root) walk(root, obj, [], out, false);
  return out;
}

/**
 * Deletes unknown fields from obj in place (what kube-apiserver's decoding does when
 * fieldValidation is Ignore or Warn) and returns the paths it dropped.
 */
export function pruneUnknownFields(group: string, version: string, kind: string, obj: unknown): string[] {
  const root = rootOf(group, version, kind);
  const out: string[] = [];
  if (root) walk(root, obj, [], out, true);
  return out;
}
