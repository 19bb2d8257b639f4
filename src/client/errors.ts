// Errors as clients see them: every failed call is an ApiError (src/api/errors.ts) rebuilt from
// the server's Status body, so callers test `code`/`reason` exactly like apimachinery's
// errors.IsNotFound & co. A 410 (an expired resourceVersion) gets its own class because
// informers must react to it by relisting.

import { ApiError, type StatusDetails } from '../api/errors.js';
import type { Obj } from '../api/types.js';

/** The resourceVersion asked for is older than the server keeps ("too old resource version"). */
export class ResourceExpiredError extends ApiError {
  constructor(message: string, reason = 'Expired', details?: StatusDetails) {
    super(410, reason, message, details);
  }
}

/** The cause type kube-apiserver attaches when a namespace is terminating. */
export const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

// Messages client-go uses when a response carries no Status (rest.newUnstructuredResponseError).
const GENERIC: Record<number, [string, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  406: ['NotAcceptable', 'the server was unable to respond with a content type that the client supports'],
  409: ['Conflict', 'the server reported a conflict'],
  410: ['Expired', 'the server reported the requested resource version is too old'],
  413: ['RequestEntityTooLarge', 'the server has rejected the request because it is too large'],
  415: ['UnsupportedMediaType', 'the server was unable to handle the media type requested'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  500: ['InternalError', 'an error on the server has prevented the request from succeeding'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
  504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
};

function make(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  return code === 410 ? new ResourceExpiredError(message, reason, details) : new ApiError(code, reason, message, details);
}

/** A metav1.Status (from a response body or a watch ERROR event) as an ApiError. */
export function statusToError(status: Obj, httpCode?: number): ApiError {
  const code = typeof status.code === 'number' && status.code > 0 ? status.code : httpCode ?? 500;
  const reason = typeof status.reason === 'string' && status.reason ? status.reason : GENERIC[code]?.[0] ?? 'Unknown';
  const message = typeof status.message === 'string' ? status.message : GENERIC[code]?.[1] ?? `unknown error (${code})`;
  return make(code, reason, message, status.details as StatusDetails | undefined);
}

/** An error for a non-2xx response: from its Status body when it has one, else generic. */
export function responseError(code: number, body: string): ApiError {
  try {
    const parsed = JSON.parse(body) as Obj;
    if (parsed && parsed.kind === 'Status') return statusToError(parsed, code);
  } catch { /* not JSON: fall through */ }
  const [reason, msg] = GENERIC[code] ?? [code >= 500 ? 'InternalError' : 'Unknown', `the server responded with the status code ${code} but did not return more information`];
  const text = body.trim();
  return make(code, reason, text && code >= 500 ? `${msg} (${text.slice(0, 200)})` : msg);
}

function isApi(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export const isNotFound = (err: unknown): boolean => isApi(err) && err.code === 404 && err.reason === 'NotFound';
export const isAlreadyExists = (err: unknown): boolean => isApi(err) && err.reason === 'AlreadyExists';
export const isConflict = (err: unknown): boolean => isApi(err) && err.code === 409 && err.reason === 'Conflict';
export const isExpired = (err: unknown): boolean => err instanceof ResourceExpiredError || (isApi(err) && err.code === 410);
export const isForbidden = (err: unknown): boolean => isApi(err) && err.code === 403;
export const isMethodNotSupported = (err: unknown): boolean => isApi(err) && err.code === 405;
export const isTooManyRequests = (err: unknown): boolean => isApi(err) && err.code === 429;
export const isInvalid = (err: unknown): boolean => isApi(err) && err.code === 422;

/** True when the error's Status carries a cause of this type (apierrors.HasStatusCause). */
export function hasStatusCause(err: unknown, type: string): boolean {
  return isApi(err) && !!err.details?.causes?.some((c) => c.reason === type);
}
