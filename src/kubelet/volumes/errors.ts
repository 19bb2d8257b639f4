// Errors of the volume module, and Go-style texts for filesystem failures (the kubelet's
// messages embed os errors such as "mkdir /x: not a directory").

/** One or more volumes could not be set up; the core records a FailedMount event per failure. */
export class VolumeError extends Error {
  readonly reason = 'FailedMount' as const;
  /** Every failed volume with its event message (the error's message is the first one). */
  readonly failures: { volume: string; message: string }[];
  constructor(failures: { volume: string; message: string }[]) {
    super(failures[0]?.message ?? 'volume set-up failed');
    this.name = 'VolumeError';
    this.failures = failures;
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'file exists',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  ELOOP: 'too many levels of symbolic links',
  EBUSY: 'device or resource busy',
};

/** A Node fs error as Go's *PathError prints: "<op> <path>: <text>". */
export function goPathError(op: string, path: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException)?.code;
  const text = (code && ERRNO_TEXT[code]) ?? (err instanceof Error ? err.message : String(err));
  return new Error(`${op} ${path}: ${text}`);
}

/** utilerrors.NewAggregate's message: one error as is, several as "[a, b]". */
export function aggregate(errs: Error[]): Error | undefined {
  if (errs.length === 0) return undefined;
  if (errs.length === 1) return errs[0];
  return new Error(`[${errs.map((e) => e.message).join(', ')}]`);
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
