// Go's `omitempty`: kube-apiserver decodes into Go structs and encodes back, so empty
// optional lists and maps never survive a write (`finalizers: []` is stored as absent).
// Structs are never omitted by Go, so `resources: {}` stays. OpenAPI's `required` marks
// the fields without omitempty.
import type { Obj } from '../types.js';
import { schemaNodeFor, type SchemaNode } from './schema.js';

export function dropEmptyOptional(group: string, version: string, kind: string, obj: Obj): void {
  const root = schemaNodeFor(group, version, kind);
  if (root) walk(root, obj, 0);
}

function walk(node: SchemaNode, v: unknown, depth: number): void {
  if (depth > 64 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    const items = node.items();
    if (items) for (const x of v) walk(items, x, depth + 1);
    return;
  }
  const o = v as Obj;
  const kind = node.kind;
  if (kind === 'map') {
    const vals = node.mapValues();
    if (vals) for (const k of Object.keys(o)) walk(vals, o[k], depth + 1);
    return;
  }
  if (kind !== 'object') return;
  const required = new Set<string>(node.resolved.required ?? []);
  for (const k of Object.keys(o)) {
    const child = node.field(k);
    if (!child) continue;
    const x = o[k];
    if (x !== null && typeof x === 'object' && !required.has(k)) {
      const empty = Array.isArray(x) ? x.length === 0 : child.kind === 'map' && Object.keys(x).length === 0;
      if (empty) { delete o[k]; continue; }
    }
    walk(child, x, depth + 1);
  }
}
