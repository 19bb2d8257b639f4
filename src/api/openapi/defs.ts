// The generated OpenAPI definitions (scripts/gen-openapi.mjs → generated/definitions.json),
// loaded on first use only: the file is ~1 MB and the API server must start in well under a
// second with a small heap, so nothing here runs at import time.

import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { GROUP_ORDER } from '../resources.js';
import { addMetricsKinds, METRICS_DEFS_TAG } from './metrics.js';

/** An OpenAPI schema object as published (swagger 2.0 form, refs "#/definitions/<name>"). */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  allOf?: Schema[];
  oneOf?: Schema[];
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GVK[];
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-int-or-string'?: boolean;
  [extension: string]: unknown;
}

export interface GVK {
  group: string;
  kind: string;
  version: string;
}

export const DEFINITIONS_PREFIX = '#/definitions/';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Where the generator may have put the file, relative to this compiled module. */
function candidates(): string[] {
  return [
    fileURLToPath(new URL('./generated/definitions.json', import.meta.url)),
    fileURLToPath(new URL('../../../src/api/openapi/generated/definitions.json', import.meta.url)),
    join(process.cwd(), 'src', 'api', 'openapi', 'generated', 'definitions.json'),
  ];
}

let file: string | undefined;
let defs: Record<string, Schema> | undefined;
let hash: string | undefined;
let byGVK: Map<string, string> | undefined;

function definitionsFile(): string {
  if (file) return file;
  file = candidates().find((p) => existsSync(p));
  if (!file) throw new Error('OpenAPI definitions are missing: run `node scripts/gen-openapi.mjs` (part of `npm run build`)');
  return file;
}

/** Every served group-version, core first, in discovery order. */
export function servedGroupVersions(): { group: string; version: string }[] {
  const out = [{ group: '', version: 'v1' }];
  for (const g of GROUP_ORDER) for (const v of g.versions) out.push({ group: g.group, version: v });
  return out;
}

/**
 * Kinds the generator cannot see: meta types whose apiVersion/kind are plain strings in the
 * TypeScript types. DeleteOptions and WatchEvent are accepted/served by every group-version.
 */
function addMetaKinds(d: Record<string, Schema>): void {
  const v1 = (kind: string): GVK[] => [{ group: '', kind, version: 'v1' }];
  for (const kind of ['Status', 'APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions']) {
    const def = d[`${META}.${kind}`];
    if (def) def['x-kubernetes-group-version-kind'] = v1(kind);
  }
  for (const kind of ['DeleteOptions', 'WatchEvent']) {
    const def = d[`${META}.${kind}`];
    if (def) def['x-kubernetes-group-version-kind'] = servedGroupVersions().map(({ group, version }) => ({ group, kind, version }));
  }
}

/** All definitions by upstream name. Loaded once, on first call. Treat as read-only. */
export function definitions(): Record<string, Schema> {
  if (defs) return defs;
  const bytes = readFileSync(definitionsFile());
  hash ??= createHash('sha256').update(bytes).update(METRICS_DEFS_TAG).digest('hex');
  const parsed = JSON.parse(bytes.toString('utf8')) as { definitions: Record<string, Schema> };
  addMetaKinds(parsed.definitions);
  addMetricsKinds(parsed.definitions);
  defs = parsed.definitions;
  return defs;
}

/** A digest of the generated definitions, without parsing them (for cache keys and ETags). */
export function definitionsHash(): string {
  hash ??= createHash('sha256').update(readFileSync(definitionsFile())).update(METRICS_DEFS_TAG).digest('hex');
  return hash;
}

/** The definition name that carries this group/version/kind, e.g. io.k8s.api.core.v1.Pod. */
export function definitionNameOf(group: string, version: string, kind: string): string | undefined {
  if (!byGVK) {
    byGVK = new Map();
    for (const [name, def] of Object.entries(definitions())) {
      for (const g of def['x-kubernetes-group-version-kind'] ?? []) {
        const key = `${g.group}/${g.version}/${g.kind}`;
        // DeleteOptions/WatchEvent list every group-version; a kind's own type wins.
        if (!byGVK.has(key)) byGVK.set(key, name);
      }
    }
  }
  return byGVK.get(`${group}/${version}/${kind}`);
}

/** "io.k8s.api.core.v1.Pod" from "#/definitions/io.k8s.api.core.v1.Pod" (or a v3 ref). */
export function refTarget(ref: string): string {
  const i = ref.lastIndexOf('/');
  return i >= 0 ? ref.slice(i + 1) : ref;
}

/** The names of every definition reachable from the given ones, sorted. */
export function closure(roots: Iterable<string>): string[] {
  const d = definitions();
  const seen = new Set<string>();
  const stack = [...roots].filter((n) => d[n]);
  const visit = (s: unknown): void => {
    if (!s || typeof s !== 'object') return;
    if (Array.isArray(s)) { for (const x of s) visit(x); return; }
    for (const [k, v] of Object.entries(s as Record<string, unknown>)) {
      if (k === '$ref' && typeof v === 'string') {
        const n = refTarget(v);
        if (!seen.has(n) && d[n]) stack.push(n);
      } else if (k !== 'x-kubernetes-group-version-kind' && v && typeof v === 'object') visit(v);
    }
  };
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    visit(d[n]);
  }
  return [...seen].sort();
}
