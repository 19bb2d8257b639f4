// Opens the configured storage backend. Everything above storage sees only the Store
// interface (store.ts); this is the one place that knows which backends exist.

import { startCompactor, type CompactorOptions } from './compactor.js';
import { MemoryStore } from './memory/memory.js';
import { SqliteStore, type SqliteOptions } from './sqlite/sqlite.js';
import type { Store } from './store.js';

interface CommonSpec {
  /**
   * Periodic compaction (compactor.ts), stopped by store.close(). On by default (every
   * 5 minutes, keeping at least 1000 revisions) so history cannot grow without bound; false
   * turns it off (e.g. when another process compacts a shared etcd).
   */
  compaction?: CompactorOptions | false;
}

export type StoreSpec = CommonSpec & (
  | ({ backend: 'sqlite'; path?: string } & SqliteOptions)
  | { backend: 'memory'; path?: string }
  // The etcd backend joins here: { backend: 'etcd'; endpoints: string[]; prefix?: string; tls?: … }
);

export async function openStore(spec: StoreSpec): Promise<Store> {
  const store = await openBackend(spec);
  if (spec.compaction !== false) withCompactor(store, spec.compaction ?? {});
  return store;
}

async function openBackend(spec: StoreSpec): Promise<Store> {
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

/** Runs a compactor for the store's lifetime: closing the store stops it. */
function withCompactor(store: Store, opts: CompactorOptions): void {
  const ac = new AbortController();
  startCompactor(store, ac.signal, opts);
  const close = store.close.bind(store);
  store.close = () => {
    ac.abort();
    return close();
  };
}

export { startCompactor, type CompactorOptions } from './compactor.js';
export * from './store.js';
