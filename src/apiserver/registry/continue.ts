// Continue tokens carry the revision of the first page and the last key returned, like
// kube-apiserver's (base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key\u0000"}), so every
// page of one list reads the same snapshot.
import { ApiError } from '../../api/errors.js';

export interface ContinueToken { rv: number; start: string }

const invalidToken = (why: string) =>
  new ApiError(400, 'BadRequest', `continue key is not valid: ${why}`);

export function encodeContinue(rv: number, lastKey: string, prefix: string): string {
  const start = lastKey.slice(prefix.length) + '\u0000';
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}

/** Returns the revision and the absolute key after which the next page starts. */
export function decodeContinue(token: string, prefix: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalidToken('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  const p = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (!p || typeof p !== 'object' || p.v !== 'meta.k8s.io/v1') throw invalidToken('server does not recognize this encoded version');
  if (typeof p.rv !== 'number' || !Number.isInteger(p.rv) || p.rv <= 0) throw invalidToken('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof p.start !== 'string' || p.start === '' || p.start.includes('..') || p.start.startsWith('/')) throw invalidToken('path traversal attempt detected or start key empty');
  // the token stores the key with a trailing NUL meaning "strictly after"
  const rel = p.start.endsWith('\u0000') ? p.start.slice(0, -1) : p.start;
  return { rv: p.rv, start: prefix + rel };
}
