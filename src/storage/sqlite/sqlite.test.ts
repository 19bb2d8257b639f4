import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { runConformance } from '../conformance.js';
import type { Store } from '../store.js';
import { SqliteStore } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

runConformance('sqlite file', () => SqliteStore.open(join(dir, `t${n++}.db`)), {
  reopen: async (s: Store) => {
    const path = (s as SqliteStore).path;
    await s.close();
    return SqliteStore.open(path);
  },
});

runConformance('sqlite :memory:', () => SqliteStore.open(':memory:'));
