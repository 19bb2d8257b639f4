// Durability: a write that the API server acknowledged (201) survives `kill -9` of the
// server, in three rounds of write loop → SIGKILL mid-loop → restart on the same data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { ServerProcess, tempDir } from './harness.js';

const ROUNDS = 3;
const WRITERS = 8;
const CM_PATH = '/api/v1/namespaces/default/configmaps';

test('every acknowledged ConfigMap survives kill -9 of the server', { timeout: 180_000 }, async (t) => {
  const dir = tempDir('skiff-kill9-');
  let srv = await ServerProcess.start({ dataDir: dir });
  const acked = new Set<string>();
  let done = false;
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const before = acked.size;
      const target = 100 + Math.floor(Math.random() * 200); // kill at a different point each round
      const statuses = new Map<number, number>();
      let seq = 0, stop = false, killed = false;
      const client = srv.client;
      const writer = async (w: number) => {
        while (!stop) {
          const name = `kill9-r${round}-w${w}-${seq++}`;
          try {
            const r = await client.request('POST', CM_PATH, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { round: String(round), payload: 'x'.repeat(200) } });
            statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
            if (r.status === 201) acked.add(name);
          } catch {
            if (killed) return; // the connection died with the server: expected
            throw new Error(`request failed before the kill:\n${srv.log}`);
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
      const deadline = Date.now() + 60_000;
      while (acked.size - before < target) {
        if (Date.now() > deadline) throw new Error(`round ${round}: only ${acked.size - before} writes acknowledged in 60 s: ${[...statuses]}\n${srv.log}`);
        await new Promise((r) => setTimeout(r, 2));
      }
      killed = true;
      await srv.kill9();
      stop = true;
      await Promise.all(writers);
      assert.equal([...statuses.keys()].filter((s) => s !== 201).length, 0, `only 201s expected, got ${JSON.stringify([...statuses])}`);

      srv = await ServerProcess.start({ dataDir: dir });
      assert.match(srv.log, /pki: reused/, 'a restart reuses the PKI');
      const list = await srv.client.request('GET', CM_PATH);
      assert.equal(list.status, 200, list.body.slice(0, 500));
      const names = new Set((JSON.parse(list.body).items as { metadata: { name: string } }[]).map((i) => i.metadata.name));
      const missing = [...acked].filter((n) => !names.has(n));
      t.diagnostic(`round ${round}: killed after ${acked.size - before} acknowledged creates (${seq} sent); ${names.size} ConfigMaps after restart; restart ready in ${Math.round(srv.startupMs)} ms; missing ${missing.length}`);
      assert.deepEqual(missing, [], `acknowledged but lost after kill -9 in round ${round}`);
    }
    done = true;
  } finally {
    const res = await srv.stop();
    rmSync(dir, { recursive: true, force: true });
    if (done) assert.equal(res.code, 0, `server exit after SIGTERM: ${JSON.stringify(res)}\n${srv.log}`);
  }
});
