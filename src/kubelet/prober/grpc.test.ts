import * as grpc from '@grpc/grpc-js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../../client/clock.js';
import {
  decodeHealthCheckRequest, decodeHealthCheckResponse, encodeHealthCheckRequest, encodeHealthCheckResponse, grpcProbe, HEALTH_CHECK_METHOD,
} from './grpc.js';
import type { ProbeOutcome } from './types.js';

/** A grpc.health.v1 server: status per service name; unknown services answer NOT_FOUND. */
function healthServer(statuses: Record<string, number>, seenAgents: string[]): grpc.Server {
  const server = new grpc.Server();
  const def: grpc.ServiceDefinition = {
    Check: {
      path: HEALTH_CHECK_METHOD, requestStream: false, responseStream: false,
      requestSerialize: encodeHealthCheckRequest, requestDeserialize: decodeHealthCheckRequest,
      responseSerialize: encodeHealthCheckResponse, responseDeserialize: decodeHealthCheckResponse,
    },
  };
  server.addService(def, {
    Check: (call: grpc.ServerUnaryCall<{ service: string }, { status: number }>, cb: grpc.sendUnaryData<{ status: number }>) => {
      seenAgents.push(String(call.metadata.get('user-agent')[0] ?? ''));
      const s = statuses[call.request.service];
      if (s === undefined) return cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
      if (s === -1) return; // never answers
      cb(null, { status: s });
    },
  });
  return server;
}

function bind(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
}

describe('protobuf encoding', () => {
  it('round-trips requests and responses', () => {
    for (const service of ['', 'a', 'x'.repeat(300), 'ünï']) assert.deepEqual(decodeHealthCheckRequest(encodeHealthCheckRequest({ service })), { service });
    for (const status of [0, 1, 2, 3]) assert.deepEqual(decodeHealthCheckResponse(encodeHealthCheckResponse({ status })), { status });
  });
  it('skips unknown fields', () => {
    // field 2 (varint 7), field 3 (bytes "zz"), then field 1 = 1
    assert.deepEqual(decodeHealthCheckResponse(Buffer.from([0x10, 0x07, 0x1a, 0x02, 0x7a, 0x7a, 0x08, 0x01])), { status: 1 });
  });
});

describe('grpcProbe', () => {
  const agents: string[] = [];
  const health = healthServer({ '': 1, down: 2, unknown: 3, hang: -1 }, agents);
  const bare = new grpc.Server(); // no health service at all
  let port = 0;
  let barePort = 0;
  let closedPort = 0;
  before(async () => {
    port = await bind(health);
    barePort = await bind(bare);
    const tmp = new grpc.Server();
    closedPort = await bind(tmp);
    tmp.forceShutdown();
  });
  after(() => {
    health.forceShutdown();
    bare.forceShutdown();
  });

  const ctx = (clock = new FakeClock()) => ({ clock, signal: new AbortController().signal });

  const cases: { name: string; service: string; port: () => number; want: ProbeOutcome }[] = [
    { name: 'SERVING succeeds', service: '', port: () => port, want: { result: 'success', output: 'service healthy' } },
    { name: 'NOT_SERVING fails', service: 'down', port: () => port, want: { result: 'failure', output: 'service unhealthy (responded with "NOT_SERVING")' } },
    { name: 'SERVICE_UNKNOWN fails', service: 'unknown', port: () => port, want: { result: 'failure', output: 'service unhealthy (responded with "SERVICE_UNKNOWN")' } },
    { name: 'an RPC error fails with its status', service: 'other', port: () => port, want: { result: 'failure', output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' } },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const c = ctx();
      assert.deepEqual(await grpcProbe('127.0.0.1', tc.service, tc.port(), 5, c), tc.want);
      assert.equal(c.clock.pending(), 0);
    });
  }

  it('sends the kube-probe User-Agent', async () => {
    agents.length = 0;
    await grpcProbe('127.0.0.1', '', port, 5, ctx());
    assert.match(agents[0], /^kube-probe\/1\.32( |$)/);
  });

  it('a server without the health service', async () => {
    const out = await grpcProbe('127.0.0.1', '', barePort, 5, ctx());
    assert.equal(out.result, 'failure');
    assert.match(out.output, /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /);
  });

  it('nothing listening: the connection times out', async () => {
    const c = ctx();
    const p = grpcProbe('127.0.0.1', '', closedPort, 1, c);
    await new Promise((r) => setTimeout(r, 20));
    c.clock.advance(1000);
    assert.deepEqual(await p, { result: 'failure', output: `timeout: failed to connect service "127.0.0.1:${closedPort}" within 1s: context deadline exceeded` });
  });

  it('a Check that never answers times out', async () => {
    const c = ctx();
    agents.length = 0;
    const p = grpcProbe('127.0.0.1', 'hang', port, 2, c);
    // once the server has the call, let the probe deadline pass
    while (agents.length === 0) await new Promise((r) => setTimeout(r, 5));
    c.clock.advance(2000);
    assert.deepEqual(await p, { result: 'failure', output: 'timeout: health rpc did not complete within 2s' });
  });
});
