// The informer's local cache (client-go's cache.Indexer): objects by `namespace/name` key plus
// secondary indexes. Objects in it are shared with every reader: treat them as read-only and
// clone() before changing anything.

import type { Obj } from '../api/types.js';

/** Computes index values for an object (e.g. its namespace). */
export type IndexFunc = (obj: Obj) => string[];

export const NAMESPACE_INDEX = 'namespace';

/** `namespace/name`, or `name` for cluster-scoped objects (cache.MetaNamespaceKeyFunc). */
export function metaNamespaceKey(obj: Obj): string {
  const ns = obj?.metadata?.namespace;
  const name = obj?.metadata?.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** The inverse of metaNamespaceKey: `[namespace, name]` ('' namespace when cluster-scoped). */
export function splitMetaNamespaceKey(key: string): [string, string] {
  const parts = key.split('/');
  if (parts.length === 1) return ['', parts[0]];
  if (parts.length === 2) return [parts[0], parts[1]];
  throw new Error(`unexpected key format: ${JSON.stringify(key)}`);
}

export const namespaceIndexFunc: IndexFunc = (obj) => [obj?.metadata?.namespace ?? ''];

export class Indexer {
  private readonly items = new Map<string, Obj>();
  private readonly indexers = new Map<string, IndexFunc>();
  /** index name → index value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  /** The namespace index is always present; `indexers` adds custom ones. */
  constructor(indexers: Record<string, IndexFunc> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc, ...indexers });
  }

  /** Adds indexes; existing objects are indexed at once (client-go refuses after start, we need not). */
  addIndexers(indexers: Record<string, IndexFunc>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer conflict: ${name}`);
      this.indexers.set(name, fn);
      const idx = new Map<string, Set<string>>();
      this.indices.set(name, idx);
      for (const [key, obj] of this.items) this.indexOne(name, fn, idx, key, obj);
    }
  }

  private indexOne(_name: string, fn: IndexFunc, idx: Map<string, Set<string>>, key: string, obj: Obj): void {
    for (const v of fn(obj)) {
      let set = idx.get(v);
      if (!set) idx.set(v, (set = new Set()));
      set.add(key);
    }
  }

  private unindex(key: string, obj: Obj): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(obj)) {
        const set = idx.get(v);
        if (!set) continue;
        set.delete(key);
        if (set.size === 0) idx.delete(v);
      }
    }
  }

  /** Inserts or replaces; returns the previous object. */
  set(obj: Obj): Obj | undefined {
    const key = metaNamespaceKey(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) this.indexOne(name, fn, this.indices.get(name)!, key, obj);
    return old;
  }

  /** Removes by key; returns the removed object. */
  deleteKey(key: string): Obj | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.unindex(key, old);
    this.items.delete(key);
    return old;
  }

  getByKey(key: string): Obj | undefined {
    return this.items.get(key);
  }

  /** get('ns', 'name') or get('', 'name') for cluster-scoped objects. */
  get(namespace: string, name: string): Obj | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): Obj[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  byIndex(indexName: string, value: string): Obj[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index with name ${indexName} does not exist`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  /** Objects of one namespace (through the namespace index). */
  listNamespace(namespace: string): Obj[] {
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }
}
