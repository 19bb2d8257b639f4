// Schema patch metadata for strategic merge patch and server-side apply, kept behind a small
// interface so the patch engine does not depend on where schemas come from (the generated
// built-in OpenAPI definitions, a CRD's structural schema, or nothing at all).
//
// An undefined node means "unknown": objects are granular maps, lists are atomic (what
// structured-merge-diff deduces for untyped data and what strategic merge does without tags).

export interface SchemaNode {
  /** A declared field of a struct (undefined: not declared / unknown). */
  field(name: string): SchemaNode | undefined;
  /** The element schema of a list. */
  items(): SchemaNode | undefined;
  /** The value schema of a map (additionalProperties). */
  mapValues(): SchemaNode | undefined;
  /** x-kubernetes-patch-merge-key of the field that led here. */
  mergeKey?: string;
  /** x-kubernetes-patch-strategy: "merge", "replace", "retainKeys", "merge,retainKeys". */
  strategy?: string;
  /** x-kubernetes-list-type. */
  listType?: 'atomic' | 'set' | 'map';
  /** x-kubernetes-list-map-keys. */
  listMapKeys?: string[];
  /** x-kubernetes-map-type (on the field or on its struct type). */
  mapType?: 'atomic' | 'granular';
  /** True for objects with declared properties. */
  isStruct: boolean;
  /** The schema default, used for list-map keys an applied item omits (e.g. protocol). */
  defaultValue?: unknown;
}

/** Patch strategies of a node, split ("merge,retainKeys" → merge + retainKeys). */
export function strategiesOf(node: SchemaNode | undefined): { strategy: string; retainKeys: boolean } {
  const parts = (node?.strategy ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const retainKeys = parts.includes('retainKeys');
  const rest = parts.filter((p) => p !== 'retainKeys');
  return { strategy: rest[0] ?? '', retainKeys };
}

/**
 * How server-side apply treats a list (kube-openapi's conversion to structured-merge-diff):
 * x-kubernetes-list-type wins; otherwise patchStrategy merge makes it associative, keyed by
 * the merge key (or a set of scalars without one); everything else is atomic.
 */
export function listShape(node: SchemaNode | undefined): { type: 'atomic' } | { type: 'set' } | { type: 'map'; keys: string[] } {
  if (!node) return { type: 'atomic' };
  let t = node.listType;
  if (!t) {
    if (strategiesOf(node).strategy === 'merge') t = node.mergeKey ? 'map' : 'set';
    else t = 'atomic';
  }
  if (t === 'map') {
    const keys = node.listMapKeys?.length ? node.listMapKeys : node.mergeKey ? [node.mergeKey] : [];
    return keys.length ? { type: 'map', keys } : { type: 'atomic' };
  }
  return t === 'set' ? { type: 'set' } : { type: 'atomic' };
}

// ---- OpenAPI v2 definitions ----

type Def = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXT_KEYS = [
  'x-kubernetes-patch-merge-key', 'x-kubernetes-patch-strategy', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'default',
];

function refName(ref: string): string {
  const i = ref.lastIndexOf('/');
  return i >= 0 ? ref.slice(i + 1) : ref;
}

/**
 * A SchemaNode over an OpenAPI v2-style definitions map ("$ref": "#/definitions/<name>",
 * also "#/components/schemas/<name>" and single-element allOf wrappers), rooted at
 * definitions[rootName] (e.g. "io.k8s.api.apps.v1.Deployment"). Nodes are built lazily, so
 * recursive schemas (JSONSchemaProps) are fine.
 */
export function schemaNodeFromOpenAPI(definitions: Record<string, any>, rootName: string): SchemaNode { // eslint-disable-line @typescript-eslint/no-explicit-any
  const byDef = new Map<string, SchemaNode>();

  function target(s: Def | undefined, hops = 0): { def: Def | undefined; name?: string } {
    if (!s || typeof s !== 'object' || hops > 32) return { def: undefined };
    if (typeof s.$ref === 'string') {
      const name = refName(s.$ref);
      const d = definitions[name];
      return d && typeof d.$ref !== 'string' && !isAllOfWrapper(d) ? { def: d, name } : target(d, hops + 1);
    }
    if (isAllOfWrapper(s)) return target(s.allOf[0], hops + 1);
    return { def: s };
  }

  function isAllOfWrapper(s: Def): boolean {
    return !s.type && !s.properties && Array.isArray(s.allOf) && s.allOf.length === 1;
  }

  function hasExt(s: Def): boolean {
    return EXT_KEYS.some((k) => s[k] !== undefined);
  }

  function build(def: Def, over: Def | undefined): SchemaNode {
    const pick = (k: string): any => over?.[k] ?? def[k]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const fields = new Map<string, SchemaNode | undefined>();
    let itemsNode: SchemaNode | undefined | null = null;
    let valuesNode: SchemaNode | undefined | null = null;
    const props = def.properties && typeof def.properties === 'object' ? def.properties as Record<string, Def> : undefined;
    const node: SchemaNode = {
      isStruct: !!props && Object.keys(props).length > 0,
      field(name) {
        if (!props || !Object.prototype.hasOwnProperty.call(props, name)) return undefined;
        if (!fields.has(name)) fields.set(name, nodeOf(props[name]));
        return fields.get(name);
      },
      items() {
        if (itemsNode === null) itemsNode = def.type === 'array' || def.items ? nodeOf(def.items) : undefined;
        return itemsNode;
      },
      mapValues() {
        if (valuesNode === null) {
          const ap = def.additionalProperties;
          valuesNode = ap && typeof ap === 'object' && !props ? nodeOf(ap) : undefined;
        }
        return valuesNode;
      },
    };
    const mk = pick('x-kubernetes-patch-merge-key');
    const st = pick('x-kubernetes-patch-strategy');
    const lt = pick('x-kubernetes-list-type');
    const lk = pick('x-kubernetes-list-map-keys');
    const mt = pick('x-kubernetes-map-type');
    const dv = pick('default');
    if (typeof mk === 'string') node.mergeKey = mk;
    if (typeof st === 'string') node.strategy = st;
    if (lt === 'atomic' || lt === 'set' || lt === 'map') node.listType = lt;
    if (Array.isArray(lk)) node.listMapKeys = lk.map(String);
    if (mt === 'atomic' || mt === 'granular') node.mapType = mt;
    if (dv !== undefined) node.defaultValue = dv;
    return node;
  }

  function nodeOf(s: Def | undefined): SchemaNode | undefined {
    if (!s || typeof s !== 'object') return undefined;
    const { def, name } = target(s);
    if (!def) return undefined;
    // Extensions written beside a $ref (on the property) belong to that use of the type.
    const over = def !== s && hasExt(s) ? s : undefined;
    if (name && !over) {
      let n = byDef.get(name);
      if (!n) { n = build(def, undefined); byDef.set(name, n); }
      return n;
    }
    return build(def, over);
  }

  const root = nodeOf({ $ref: `#/definitions/${rootName}` });
  if (!root) throw new Error(`no OpenAPI definition named ${rootName}`);
  return root;
}

// ---- default schemas ----

export type SchemaResolver = (apiVersion: string, kind: string) => SchemaNode | undefined;
let resolver: SchemaResolver | undefined;

/**
 * Installs the function managedFields tracking uses when a caller passes no schema (the API
 * server wires the built-in OpenAPI definitions here once at start-up). Without one, objects
 * are treated as untyped.
 */
export function setSchemaResolver(fn: SchemaResolver | undefined): void {
  resolver = fn;
}

export function resolveSchema(apiVersion: string, kind: string): SchemaNode | undefined {
  return resolver?.(apiVersion, kind);
}
