import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeRuntimeSocket } from './images.js';

test('no containerd for the data dir: the error asks whether skiff server runs with it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-images-cli-'));
  try {
    await assert.rejects(nodeRuntimeSocket(dir), (e: Error) => e.message === `no containerd is running for data dir ${dir} (no socket ${join(dir, 'containerd', 'containerd.sock')}): is \`skiff server\` running with this --data-dir?`);
    // a socket that is there but does not speak CRI (a stale or foreign one)
    mkdirSync(join(dir, 'containerd'));
    const srv = createServer((s) => s.destroy());
    await new Promise<void>((r) => srv.listen(join(dir, 'containerd', 'containerd.sock'), r));
    try {
      await assert.rejects(nodeRuntimeSocket(dir), /^Error: no containerd answers on .*containerd\.sock for data dir .*: is `skiff server` running with this --data-dir\?$/);
    } finally {
      await new Promise((r) => srv.close(r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
