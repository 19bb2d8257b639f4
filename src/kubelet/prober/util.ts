// Small helpers shared by the probe handlers: Go-formatted durations and addresses, Go-style
// network error texts (events show what the kubelet, a Go program, would print), and a
// clock-driven deadline.

import type { Clock } from '../../client/clock.js';

export { goDuration } from '../../api/duration.js';

/** net.JoinHostPort: IPv6 literals in brackets. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EPIPE: 'broken pipe',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EINVAL: 'invalid argument',
};

interface SysError extends Error { code?: string; syscall?: string; hostname?: string }

/** The strerror text Go prints for a Node system error (falls back to Node's message). */
export function errnoText(err: SysError): string {
  return (err.code && ERRNO_TEXT[err.code]) || err.message;
}

/**
 * A failed dial as Go's net package words it: `dial tcp 10.42.0.5:8080: connect: connection
 * refused`, `dial tcp: lookup web on ...: no such host`.
 */
export function dialErrorText(addr: string, err: SysError): string {
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return `dial tcp: lookup ${err.hostname ?? addr}: no such host`;
  return `dial tcp ${addr}: connect: ${errnoText(err)}`;
}

/**
 * Runs `work` with a deadline on `clock`. `work` gets an AbortSignal that fires at the
 * deadline (or when `outer` aborts); whatever it resolves with wins, so handlers decide what a
 * timeout means. The timer is always cleared.
 */
export async function withDeadline<T>(clock: Clock, ms: number, outer: AbortSignal, work: (signal: AbortSignal, timedOut: () => boolean) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let expired = false;
  const onOuter = (): void => ac.abort(outer.reason);
  if (outer.aborted) ac.abort(outer.reason);
  else outer.addEventListener('abort', onOuter, { once: true });
  const timer = clock.setTimer(() => {
    expired = true;
    ac.abort(new Error('deadline exceeded'));
  }, ms);
  try {
    return await work(ac.signal, () => expired);
  } finally {
    clock.clearTimer(timer);
    outer.removeEventListener('abort', onOuter);
  }
}
