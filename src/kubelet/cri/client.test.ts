import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CriClient, CriError, isNotFound, nanosToDate } from './client.js';
import { criPackage } from './load.js';

type Handler = (call: grpc.ServerUnaryCall<Record<string, unknown>, unknown>, cb: grpc.sendUnaryData<unknown>) => void;

/** A fake CRI runtime on a unix socket, answering with the given handlers. */
async function fakeRuntime(runtime: Record<string, Handler>, images: Record<string, Handler> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cri-test-'));
  const socket = join(dir, 'cri.sock');
  const server = new grpc.Server();
  const pkg = criPackage();
  server.addService(pkg.RuntimeService.service, runtime as grpc.UntypedServiceImplementation);
  server.addService(pkg.ImageService.service, images as grpc.UntypedServiceImplementation);
  await new Promise<void>((resolve, reject) => server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  const client = new CriClient(socket);
  return {
    client,
    async close() {
      client.close();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('calls reach both services over one unix socket with typed, defaulted answers', async () => {
  let seen: Record<string, unknown> | null = null;
  const f = await fakeRuntime({
    Version: (call, cb) => cb(null, { version: call.request.version, runtimeName: 'fake', runtimeVersion: '1.0', runtimeApiVersion: 'v1' }),
    ContainerStatus: (call, cb) => {
      seen = call.request;
      cb(null, { status: { id: call.request.containerId, state: 'CONTAINER_EXITED', createdAt: '1700000000123456789', exitCode: 3, reason: 'Error' } });
    },
  }, {
    ImageStatus: (_call, cb) => cb(null, {}),
  });
  try {
    assert.deepEqual(await f.client.version(), { version: 'v1', runtimeName: 'fake', runtimeVersion: '1.0', runtimeApiVersion: 'v1' });
    const st = await f.client.containerStatus({ containerId: 'abc', verbose: true });
    assert.deepEqual(seen, { containerId: 'abc', verbose: true });
    assert.equal(st.status?.state, 'CONTAINER_EXITED');
    assert.equal(st.status?.exitCode, 3);
    assert.equal(st.status?.createdAt, '1700000000123456789');
    assert.equal(st.status?.finishedAt, '0', 'unset int64 decodes as "0"');
    assert.deepEqual(st.status?.mounts, [], 'unset lists decode as []');
    assert.equal(nanosToDate(st.status!.createdAt)!.toISOString(), '2023-11-14T22:13:20.123Z');
    assert.equal(nanosToDate(st.status!.finishedAt), null);
    const img = await f.client.imageStatus({ image: { image: 'busybox' } });
    assert.equal(img.image, null, 'an absent image is null, not an error');
  } finally {
    await f.close();
  }
});

test('gRPC errors become CriError with the status code', async () => {
  const f = await fakeRuntime({
    ContainerStatus: (_call, cb) => cb({ code: grpc.status.NOT_FOUND, details: 'an error occurred when try to find container "nope": not found' }),
  });
  try {
    await assert.rejects(f.client.containerStatus({ containerId: 'nope' }), (e: unknown) => {
      assert.ok(e instanceof CriError);
      assert.equal(e.codeName, 'NOT_FOUND');
      assert.equal(e.method, 'ContainerStatus');
      assert.match(e.message, /^CRI ContainerStatus: NOT_FOUND: an error occurred .* not found$/);
      assert.ok(isNotFound(e));
      return true;
    });
    // Methods the fake does not implement answer UNIMPLEMENTED.
    await assert.rejects(f.client.listImages(), (e: unknown) => e instanceof CriError && e.codeName === 'UNIMPLEMENTED');
  } finally {
    await f.close();
  }
});

test('deadlines and abort signals end a call that does not answer', async () => {
  const pending: grpc.sendUnaryData<unknown>[] = [];
  const f = await fakeRuntime({ ListContainers: (_call, cb) => { pending.push(cb); } });
  try {
    await assert.rejects(f.client.listContainers({}, { timeoutMs: 50 }), (e: unknown) => e instanceof CriError && e.codeName === 'DEADLINE_EXCEEDED');
    const ac = new AbortController();
    const p = f.client.listContainers({}, { signal: ac.signal, timeoutMs: 0 });
    setTimeout(() => ac.abort(), 20);
    await assert.rejects(p, (e: unknown) => e instanceof CriError && e.codeName === 'CANCELLED');
    await assert.rejects(f.client.listContainers({}, { signal: ac.signal }), /aborted before the call/);
  } finally {
    for (const cb of pending) cb(null, { containers: [] });
    await f.close();
  }
});

test('an absent socket fails fast as UNAVAILABLE within the deadline', async () => {
  const c = new CriClient('/nonexistent/skiff/cri.sock');
  try {
    await assert.rejects(c.version({ timeoutMs: 2_000 }), (e: unknown) => e instanceof CriError && ['UNAVAILABLE', 'DEADLINE_EXCEEDED'].includes(e.codeName));
  } finally {
    c.close();
  }
});
