import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ApiError } from '../api/errors.js';
import { LoopbackListener } from './loopback.js';

function get(socketPath: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, path: '/whoami', headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('loopback requests authenticate by their token only, on a socket only the owner can open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-loopback-'));
  const socketPath = join(dir, 'apiserver.sock');
  let l: LoopbackListener | undefined;
  try {
    l = await LoopbackListener.listen({ socketPath, users: { good: { username: 'system:kube-scheduler', groups: ['system:authenticated'] } } },
      (req, res) => {
        try {
          const u = l!.userFor(req);
          res.end(u?.username ?? 'not loopback');
        } catch (e) {
          res.statusCode = (e as ApiError).code;
          res.end((e as Error).message);
        }
      }, (_req, socket) => socket.destroy());
    assert.equal(statSync(socketPath).mode & 0o777, 0o600);
    assert.deepEqual(await get(socketPath, 'good'), { status: 200, body: 'system:kube-scheduler' });
    assert.deepEqual(await get(socketPath, 'bad'), { status: 401, body: 'Unauthorized' });
    assert.deepEqual(await get(socketPath), { status: 401, body: 'Unauthorized' });
    // a request from another listener is not the loopback's business
    const other = { socket: {}, headers: { authorization: 'Bearer good' } } as unknown as http.IncomingMessage;
    assert.equal(l.userFor(other), undefined);
  } finally {
    await l?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a stale socket file left by a killed process does not stop the listener', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-loopback-'));
  const socketPath = join(dir, 'apiserver.sock');
  try {
    writeFileSync(socketPath, ''); // what a kill -9 leaves: the path exists, nobody listens
    const b = await LoopbackListener.listen({ socketPath, users: { t: { username: 'u', groups: [] } } }, (q, s) => s.end(b.userFor(q)?.username), (_q, s) => s.destroy());
    assert.deepEqual(await get(socketPath, 't'), { status: 200, body: 'u' });
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
