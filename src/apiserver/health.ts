// /healthz, /livez, /readyz with their named checks, ?verbose and ?exclude, as
// kube-apiserver's healthz package answers them.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import { sendText } from './http.js';

const LIVEZ = ['ping', 'log', 'etcd', 'poststarthook/start-apiextensions-controllers', 'poststarthook/bootstrap-controller', 'poststarthook/rbac/bootstrap-roles', 'poststarthook/scheduling/bootstrap-system-priority-classes'];
const READYZ = [...LIVEZ, 'etcd-readiness', 'informer-sync', 'poststarthook/skiff-bootstrap', 'shutdown'];

export function serveHealth(res: ServerResponse, path: string, q: URLSearchParams, ready: boolean): void {
  const [kind, ...rest] = path.slice(1).split('/').filter(Boolean);
  const checks = kind === 'readyz' ? READYZ : LIVEZ;
  // checks that only pass once bootstrap is done
  const pending = (c: string) => !ready && (c.startsWith('poststarthook/') || c === 'informer-sync') && kind !== 'livez';
  if (rest.length) {
    const name = rest.join('/');
    if (!checks.includes(name)) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    sendText(res, pending(name) ? 500 : 200, pending(name) ? `internal server error: ${name} not finished\n` : 'ok');
    return;
  }
  const excluded = new Set(q.getAll('exclude'));
  const lines: string[] = [];
  let failed = false;
  for (const c of checks) {
    if (excluded.has(c)) { lines.push(`[+]${c} excluded: ok`); continue; }
    if (pending(c)) { failed = true; lines.push(`[-]${c} failed: reason withheld`); } else lines.push(`[+]${c} ok`);
  }
  for (const e of excluded) if (!checks.includes(e)) lines.push(`warn: some health checks cannot be excluded: no matches for "${e}"`);
  if (q.has('verbose') || failed) {
    lines.push(`${kind} check ${failed ? 'failed' : 'passed'}`);
    sendText(res, failed ? 500 : 200, lines.join('\n') + '\n');
  } else {
    sendText(res, 200, 'ok');
  }
}
