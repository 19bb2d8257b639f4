// `$(VAR)` expansion exactly as Kubernetes' forked golang expansion package does it:
//  - `$(NAME)` is replaced by the mapping's value; unknown names stay as `$(NAME)`;
//  - `$$` is an escaped `$` (so `$$(NAME)` yields the literal `$(NAME)`);
//  - a `$` followed by anything else is kept with that character; an unterminated `$(`
//    is kept as written; a trailing `$` is kept.
// Used for env values (referencing earlier variables), command/args and subPathExpr.

import type { Obj } from '../../api/types.js';
import type { EnvVar } from './types.js';

export type Mapping = (name: string) => string;

/** A mapping that looks names up in each context in turn, and leaves unknown names as `$(NAME)`. */
export function mappingFuncFor(...contexts: Map<string, string>[]): Mapping {
  return (name) => {
    for (const ctx of contexts) {
      const v = ctx.get(name);
      if (v !== undefined) return v;
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    let advance = 1;
    if (next === '$') {
      out += '$'; // escaped operator
    } else if (next === '(') {
      const close = input.indexOf(')', cursor + 2);
      if (close >= 0) {
        out += mapping(input.slice(cursor + 2, close));
        advance = close - cursor;
      } else {
        out += '$('; // incomplete reference: kept as written
      }
    } else {
      out += '$' + next;
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

function envMap(env: EnvVar[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env) m.set(e.name, e.value);
  return m;
}

/** The container's command and args with `$(VAR)` references to its environment expanded. */
export function expandCommand(container: Obj, env: EnvVar[]): { command: string[]; args: string[] } {
  const mapping = mappingFuncFor(envMap(env));
  return {
    command: ((container.command as string[] | undefined) ?? []).map((c) => expand(c, mapping)),
    args: ((container.args as string[] | undefined) ?? []).map((a) => expand(a, mapping)),
  };
}

/**
 * A volumeMount's subPathExpr expanded with the container's environment. Every referenced
 * variable must exist and be non-empty; otherwise the kubelet's "missing value for A, B".
 */
export function expandSubPathExpr(expr: string, env: EnvVar[]): string {
  const m = envMap(env);
  const missing = new Set<string>();
  const out = expand(expr, (name) => {
    const v = m.get(name);
    if (!v) missing.add(name);
    return v ?? '';
  });
  if (missing.size > 0) throw new Error(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}
