// The smallest logger client machinery needs. Components pass their own; the default writes
// warnings and errors to stderr and info only when SKIFF_VERBOSE is set.

export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function stderrLogger(prefix: string): Logger {
  const verbose = !!process.env.SKIFF_VERBOSE;
  const line = (level: string, msg: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${level} [${prefix}] ${msg}\n`);
  };
  return {
    info: (msg) => { if (verbose) line('I', msg); },
    warn: (msg) => line('W', msg),
    error: (msg) => line('E', msg),
  };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
