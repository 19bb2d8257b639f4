// Opens the configured storage backend. Everything above storage sees only the Store
// interface (store.ts); this is the one place that knows which backends exist.

import { MemoryStore } from './memory/memory.js';
import { SqliteStore, type SqliteOptions } from './sqlite/sqlite.js';
import type { Store } from './store.js';

export type StoreSpec =
  | ({ backend: 'sqlite'; path?: string } & SqliteOptions)
  | { backend: 'memory'; path?: string };
// The etcd backend joins here as { backend: 'etcd'; endpoints: string[]; prefix?: string; tls?: … }.

export async function openStore(spec: StoreSpec): Promise<Store> {
  switch (spec.backend) {
    case 'sqlite':
      // No default file: silently writing state to the working directory would surprise.
      if (!spec.path) throw new Error('the sqlite storage backend needs a path (or ":memory:")');
      return SqliteStore.open(spec.path, { synchronous: spec.synchronous, lockTimeoutMs: spec.lockTimeoutMs });
    case 'memory':
      return new MemoryStore();
    // case 'etcd': return EtcdStore.open(spec);
    default:
      throw new Error(`unknown storage backend: ${(spec as { backend: string }).backend}`);
  }
}

export { startCompactor, type CompactorOptions } from './compactor.js';
export * from './store.js';
