// Acknowledged writes survive kill -9: a child process writes in a loop and reports each
// write only after its promise resolved; we SIGKILL it mid-stream, reopen the file and
// require every reported write (and no corruption).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteStore } from './sqlite.js';

// Creates /crash/<i>, and every third write also updates /crash/counter, so both appends of
// new keys and replacements of a key's value are checked. One line per acknowledged write.
const CHILD = `
const [moduleUrl, path] = process.argv.slice(1);
const { SqliteStore } = await import(moduleUrl);
const s = await SqliteStore.open(path);
await s.create('/crash/counter', '0');
process.stdout.write('ready\\n');
for (let i = 0; ; i++) {
  const kv = await s.create('/crash/' + i, JSON.stringify({ i }));
  process.stdout.write('c ' + i + ' ' + kv.modRevision + '\\n');
  if (i % 3 === 0) {
    const u = await s.update('/crash/counter', String(i));
    process.stdout.write('u ' + i + ' ' + u.modRevision + '\\n');
  }
}
`;

test('every acknowledged write survives kill -9', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-crash-'));
  try {
    const path = join(dir, 'state.db');
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, new URL('./sqlite.js', import.meta.url).href, path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.startsWith('ready\n')) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited early: ${out.slice(0, 200)}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    process.kill(child.pid!, 'SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    // Only complete lines: the last one may have been cut by the kill.
    const acked = out.split('\n').slice(1, -1).map((l) => l.split(' '));
    const creates = acked.filter((a) => a[0] === 'c').map((a) => ({ i: Number(a[1]), rev: Number(a[2]) }));
    const updates = acked.filter((a) => a[0] === 'u').map((a) => ({ i: Number(a[1]), rev: Number(a[2]) }));
    assert.ok(creates.length > 100, `only ${creates.length} writes in a second`);

    const db = new Database(path);
    assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }], 'recovered file is consistent');
    db.close();

    const s = await SqliteStore.open(path);
    try {
      for (const { i, rev } of creates) {
        const kv = await s.get(`/crash/${i}`);
        assert.ok(kv, `acknowledged key /crash/${i} is missing`);
        assert.equal(kv.value, JSON.stringify({ i }));
        assert.equal(kv.modRevision, rev);
      }
      const last = updates[updates.length - 1];
      const counter = (await s.get('/crash/counter'))!;
      // The counter may be newer than the last acknowledgement (written, not yet reported), never older.
      assert.ok(counter.modRevision >= last.rev && Number(counter.value) >= last.i, `counter ${counter.value}@${counter.modRevision} older than acked ${last.i}@${last.rev}`);
      const lastRev = Math.max(creates[creates.length - 1].rev, last.rev);
      assert.ok((await s.currentRevision()) >= lastRev);
      assert.ok((await s.create('/crash/after', '{}')).modRevision > lastRev, 'revisions continue after recovery');
      t.diagnostic(`${creates.length} creates + ${updates.length} updates acknowledged, all recovered`);
    } finally {
      await s.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
