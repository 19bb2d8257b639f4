// Exec probes (pkg/probe/exec with the kubelet's RunInContainer): the command runs through
// CRI ExecSync with the probe's timeout; stdout followed by stderr, cut at 10 KiB, is the
// output; exit code 0 succeeds, anything else fails; a timeout fails with
// `command "<cmd>" timed out`; any other runtime error errors the probe.

import type { Obj } from '../../api/types.js';
import { expandStatic } from './expand.js';
import { MAX_PROBE_OUTPUT, type ProbeContext, type ProbeOutcome, type ProbeRuntime } from './types.js';
import { withDeadline } from './util.js';

/** The kubelet waits this long past the probe timeout for the runtime to answer (its CRI request timeout). */
export const EXEC_GRACE_MS = 120_000;

const GRPC_DEADLINE_EXCEEDED = 4;

export function isTimeoutError(err: unknown): boolean {
  const e = err as { code?: unknown; timedOut?: unknown } | null;
  return !!e && (e.code === GRPC_DEADLINE_EXCEEDED || e.timedOut === true);
}

export async function execProbe(
  runtime: ProbeRuntime, containerId: string, action: Obj, container: Obj, timeoutSeconds: number, ctx: ProbeContext,
): Promise<ProbeOutcome> {
  const cmd = expandStatic(action.command ?? [], container.env);
  const timedOutText = `command ${JSON.stringify(cmd.join(' '))} timed out`;
  return withDeadline(ctx.clock, timeoutSeconds * 1000 + EXEC_GRACE_MS, ctx.signal, (signal) => new Promise<ProbeOutcome>((resolve) => {
    // The runtime enforces the timeout itself; the local deadline only guards a hung runtime.
    const onAbort = (): void => resolve(ctx.signal.aborted
      ? { result: 'unknown', output: '', error: new Error('probe cancelled') }
      : { result: 'failure', output: timedOutText });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    runtime.execSync(containerId, cmd, timeoutSeconds).then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        const output = limitOutput(r.stdout, r.stderr);
        resolve({ result: r.exitCode === 0 ? 'success' : 'failure', output });
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (isTimeoutError(err)) resolve({ result: 'failure', output: timedOutText });
        else resolve({ result: 'unknown', output: '', error: err instanceof Error ? err : new Error(String(err)) });
      },
    );
  }));
}

/** stdout then stderr (RunInContainer does not interleave them), at most 10 KiB. */
export function limitOutput(stdout: Buffer | undefined, stderr: Buffer | undefined): string {
  const all = Buffer.concat([stdout ?? Buffer.alloc(0), stderr ?? Buffer.alloc(0)]);
  return all.subarray(0, MAX_PROBE_OUTPUT).toString('utf8');
}
