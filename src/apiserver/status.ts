// The one place where errors become metav1.Status responses (design.md convention 6).
import type { ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { Obj } from '../api/types.js';

export function statusObject(err: ApiError): Obj {
  const s: Obj = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    code: err.code,
  };
  if (err.details) {
    const d: Obj = {};
    for (const [k, v] of Object.entries(err.details)) if (v !== undefined && v !== '') d[k] = v;
    if (Object.keys(d).length) s.details = d;
  }
  if (!s.reason) delete s.reason;
  return s;
}

/** Any thrown value → ApiError. Non-API errors are server bugs: log them, answer 500. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  console.error('skiff: internal error:', e instanceof Error ? e.stack : e);
  return new ApiError(500, 'InternalError', `Internal error occurred: ${msg}`, { causes: [{ message: msg }] });
}

export function sendError(res: ServerResponse, e: unknown): void {
  const err = asApiError(e);
  if (res.headersSent) { res.destroy(); return; }
  const body = JSON.stringify(statusObject(err));
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  if (err.details?.retryAfterSeconds) headers['Retry-After'] = err.details.retryAfterSeconds;
  res.writeHead(err.code, headers);
  res.end(body);
}
