// gRPC probes (pkg/probe/grpc): grpc.health.v1.Health/Check over plaintext HTTP/2 to the pod
// IP, waiting for the connection like grpc-go's WithBlock dial, everything within the probe
// timeout. SERVING succeeds; every other answer fails with the upstream texts. The two tiny
// messages are encoded by hand (field 1 in each), so no .proto file is needed.

import * as grpc from '@grpc/grpc-js';
import { PROBE_USER_AGENT, type ProbeContext, type ProbeOutcome } from './types.js';
import { goDuration, joinHostPort, withDeadline } from './util.js';

export const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';

/** grpc.health.v1.HealthCheckResponse.ServingStatus names by number. */
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** Go's codes.Code String() by number: what `rpc error: code = X desc = ...` shows. */
const GO_CODE_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal',
  'Unavailable', 'DataLoss', 'Unauthenticated'];

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

function readVarint(b: Buffer, pos: number): [number, number] {
  let n = 0;
  let mul = 1;
  for (;;) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++];
    n += (byte & 0x7f) * mul;
    if (!(byte & 0x80)) return [n, pos];
    mul *= 128;
  }
}

/** Walks a protobuf message, returning field 1's value (varint or bytes) and skipping the rest. */
function field1(b: Buffer): number | Buffer | undefined {
  let pos = 0;
  let found: number | Buffer | undefined;
  while (pos < b.length) {
    let key: number;
    [key, pos] = readVarint(b, pos);
    const wire = key & 7;
    const num = Math.floor(key / 8);
    if (wire === 0) {
      let v: number;
      [v, pos] = readVarint(b, pos);
      if (num === 1) found = v;
    } else if (wire === 2) {
      let len: number;
      [len, pos] = readVarint(b, pos);
      if (num === 1) found = b.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return found;
}

export function encodeHealthCheckRequest(r: { service: string }): Buffer {
  if (!r.service) return Buffer.alloc(0);
  const s = Buffer.from(r.service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
}

export function decodeHealthCheckRequest(b: Buffer): { service: string } {
  const f = field1(b);
  return { service: Buffer.isBuffer(f) ? f.toString('utf8') : '' };
}

export function encodeHealthCheckResponse(r: { status: number }): Buffer {
  return r.status ? Buffer.concat([Buffer.from([0x08]), varint(r.status)]) : Buffer.alloc(0);
}

export function decodeHealthCheckResponse(b: Buffer): { status: number } {
  const f = field1(b);
  return { status: typeof f === 'number' ? f : 0 };
}

function statusName(n: number): string {
  return SERVING_STATUS[n] ?? String(n);
}

export async function grpcProbe(host: string, service: string, port: number, timeoutSeconds: number, ctx: ProbeContext): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  const timeout = goDuration(timeoutSeconds * 1000);
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': PROBE_USER_AGENT,
    'grpc.enable_http_proxy': 0, // probes never go through the node's proxy
    'grpc.use_local_subchannel_pool': 1, // closing the client closes its connection
    'grpc.enable_retries': 0,
  });
  try {
    return await withDeadline(ctx.clock, timeoutSeconds * 1000, ctx.signal, (signal, timedOut) => new Promise<ProbeOutcome>((resolve) => {
      const realDeadline = Date.now() + timeoutSeconds * 1000;
      let call: grpc.ClientUnaryCall | undefined;
      let settled = false;
      const done = (o: ProbeOutcome): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(o);
      };
      const onAbort = (): void => {
        if (!timedOut()) return done({ result: 'unknown', output: '', error: new Error('probe cancelled') });
        done(call
          ? { result: 'failure', output: `timeout: health rpc did not complete within ${timeout}` }
          : { result: 'failure', output: `timeout: failed to connect service ${JSON.stringify(addr)} within ${timeout}: context deadline exceeded` });
        call?.cancel();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      // No deadline of grpc-js's own here: its timers outlive close(); the clock timer decides.
      client.waitForReady(Infinity, (err) => {
        if (settled) return;
        if (err) return done({ result: 'failure', output: `error: failed to connect service at ${JSON.stringify(addr)}: ${err.message}` });
        call = client.makeUnaryRequest(HEALTH_CHECK_METHOD, encodeHealthCheckRequest, decodeHealthCheckResponse, { service }, new grpc.Metadata(), { deadline: realDeadline }, (e, resp) => {
          if (e) {
            if (e.code === grpc.status.UNIMPLEMENTED) return done({ result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${e.details}` });
            if (e.code === grpc.status.DEADLINE_EXCEEDED) return done({ result: 'failure', output: `timeout: health rpc did not complete within ${timeout}` });
            return done({ result: 'failure', output: `error: health rpc probe failed: rpc error: code = ${GO_CODE_NAMES[e.code] ?? `Code(${e.code})`} desc = ${e.details}` });
          }
          const status = resp?.status ?? 0;
          if (status !== 1) return done({ result: 'failure', output: `service unhealthy (responded with ${JSON.stringify(statusName(status))})` });
          done({ result: 'success', output: 'service healthy' });
        });
      });
    }));
  } finally {
    client.close();
  }
}
