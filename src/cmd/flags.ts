// Flag parsing shared by the subcommands: GNU-style `--flag value` / `--flag=value`,
// strict (an unknown flag or a missing value is a UsageError, never a crash).
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Name of the value in the usage text ("DIR"). */
  arg?: string;
  /** One line for the usage text. */
  help: string;
  default?: string;
}

export type Flags = Record<string, FlagSpec>;
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export function parseFlags(argv: string[], spec: Flags): { values: FlagValues; positionals: string[] } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {};
  for (const [name, s] of Object.entries(spec)) {
    options[name] = { type: s.type, ...(s.multiple ? { multiple: true } : {}), ...(s.short ? { short: s.short } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
    return { values: values as FlagValues, positionals };
  } catch (e) {
    // parseArgs' messages name the flag ("Unknown option '--x'", "Option '--port <value>' argument missing").
    // Keep the first sentence: the rest of Node's text is advice about '--' positionals.
    throw new UsageError((e as Error).message.split('\n')[0].replace(/\. To specify a positional.*$/, ''));
  }
}

export function flagUsage(spec: Flags): string {
  const rows = Object.entries(spec).map(([name, s]) => {
    const val = s.type === 'string' ? ` ${s.arg ?? 'VALUE'}` : '';
    const short = s.short ? `-${s.short}, ` : '    ';
    return [`  ${short}--${name}${val}`, s.help + (s.default ? ` (default ${s.default})` : '')];
  });
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return rows.map(([a, b]) => a.padEnd(w) + b).join('\n');
}

/** An integer flag within [min, max]. */
export function intFlag(name: string, v: string | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`invalid value "${v}" for --${name}: want an integer from ${min} to ${max}`);
  }
  return Number(v);
}
