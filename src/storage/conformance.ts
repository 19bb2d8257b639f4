// The storage conformance suite: one set of tests, run against every backend, that pins down
// the Store contract (store.ts). A backend is done when this passes unchanged.
//
// Semantics pinned here beyond the interface comments:
// - revisions are compared, never assumed contiguous (an etcd cluster may be shared);
// - expectedModRevision: undefined means unconditional; any number (even 0) is compared;
// - list: limit 0 means no limit; `after` may be any string; reading at exactly the
//   compaction point works, below it throws CompactedError, above current FutureRevisionError;
// - compact: above current throws FutureRevisionError; at or below the compaction point is a
//   no-op; the current value of every key survives;
// - watch: DELETE events carry the deleted value with modRevision = the delete's revision;
//   aborting is silent; closing the store ends watches through onError.
//
// Usage, in a backend's *.test.ts:
//   runConformance('sqlite', () => SqliteStore.open(tmpFile()), { reopen: ... });

import { describe } from 'node:test';
import type { Store } from './store.js';
import { compactionTests } from './conformance/compaction.js';
import { concurrencyTests, reopenTests } from './conformance/concurrency.js';
import { crudTests } from './conformance/crud.js';
import { listTests } from './conformance/list.js';
import { watchTests } from './conformance/watch.js';

export interface ConformanceOptions {
  /** Persistent backends: close the store and open the same data again. */
  reopen?: (store: Store) => Promise<Store>;
}

/** Registers the whole suite (node:test) for one backend; make returns a fresh, empty store. */
export function runConformance(name: string, make: () => Promise<Store>, opts: ConformanceOptions = {}): void {
  describe(`storage conformance: ${name}`, () => {
    describe('reads and writes', () => crudTests(make));
    describe('list and count', () => listTests(make));
    describe('watch', () => watchTests(make));
    describe('compaction', () => compactionTests(make));
    describe('concurrency', () => concurrencyTests(make));
    if (opts.reopen) {
      const reopen = opts.reopen;
      describe('persistence', () => reopenTests(make, reopen));
    }
  });
}
