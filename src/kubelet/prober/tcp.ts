// TCP probes (pkg/probe/tcp): success when a connection opens within the timeout. The socket
// is then reset rather than closed, as the kubelet's probe dialer (SO_LINGER 0) does, so
// frequent probes leave no TIME_WAIT sockets behind.

import net from 'node:net';
import type { ProbeContext, ProbeOutcome } from './types.js';
import { dialErrorText, joinHostPort, withDeadline } from './util.js';

export async function tcpProbe(host: string, port: number, timeoutSeconds: number, ctx: ProbeContext): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return withDeadline(ctx.clock, timeoutSeconds * 1000, ctx.signal, (signal) => new Promise<ProbeOutcome>((resolve) => {
    const sock = net.connect({ host: host || undefined, port });
    let settled = false;
    const done = (o: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // Connected: reset. Still connecting (timeout, cancel): just drop it.
      if (!sock.destroyed) o.result === 'success' ? sock.resetAndDestroy() : sock.destroy();
      resolve(o);
    };
    const onAbort = (): void => done(ctx.signal.aborted
      ? { result: 'unknown', output: '', error: new Error('probe cancelled') }
      : { result: 'failure', output: `dial tcp ${addr}: i/o timeout` });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => done({ result: 'success', output: '' }));
    sock.on('error', (err) => done({ result: 'failure', output: dialErrorText(addr, err) }));
  }));
}
