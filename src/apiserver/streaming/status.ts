// The metav1.Status objects a remote command ends with, shaped as kube-apiserver's stream
// translator marshals them (a StatusError's status: no kind or apiVersion).
import type { Obj } from '../../api/types.js';

export const SUCCESS: Obj = { metadata: {}, status: 'Success' };

/** What apierrors.NewInternalError(err) carries. */
export function internalError(message: string): Obj {
  return {
    metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`,
    reason: 'InternalError', details: { causes: [{ message }] }, code: 500,
  };
}

/** The status for a command that exited non-zero; kubectl exits with `code`. */
export function exitCodeStatus(code: number): Obj {
  return {
    metadata: {}, status: 'Failure',
    message: `command terminated with non-zero exit code: command terminated with exit code ${code}`,
    reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/**
 * The kubelet's error stream turned into the status the client gets, as client-go's SPDY
 * executor decodes it (errorDecoderV4 for v4, plain text before) and the translator wraps it.
 */
export function statusFromErrorStream(bytes: Buffer, version: number): Obj {
  if (bytes.length === 0) return SUCCESS;
  const text = bytes.toString('utf8');
  if (version < 4) return internalError(`error executing remote command: ${text}`);
  let st: Obj;
  try {
    st = JSON.parse(text);
  } catch (e) {
    return internalError(`error stream protocol error: ${(e as Error).message} in ${JSON.stringify(text)}`);
  }
  if (st?.status === 'Success') return SUCCESS;
  if (st?.status !== 'Failure') return internalError('error stream protocol error: unknown error');
  if (st.reason !== 'NonZeroExitCode') return internalError(String(st.message ?? ''));
  if (!st.details) return internalError('error stream protocol error: details must be set');
  const cause = (st.details.causes ?? []).find((c: Obj) => c.reason === 'ExitCode');
  if (!cause) return internalError('error stream protocol error: no ExitCode cause given');
  const rc = String(cause.message ?? '');
  if (!/^\d+$/.test(rc) || Number(rc) > 255) return internalError(`error stream protocol error: invalid exit code value ${JSON.stringify(rc)}`);
  return exitCodeStatus(Number(rc));
}

/**
 * A refused upgrade as client-go's SPDY round tripper reports it: a Status body is the error
 * itself, anything else is "unable to upgrade connection: <body>".
 */
export function statusFromRefusedUpgrade(body: Buffer): Obj {
  const text = body.toString('utf8');
  try {
    const st = JSON.parse(text);
    if (st && typeof st === 'object' && st.kind === 'Status') return st;
  } catch { /* not JSON */ }
  return internalError(`unable to upgrade connection: ${text.trim()}`);
}
