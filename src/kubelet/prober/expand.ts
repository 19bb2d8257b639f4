// Exec probe commands see only the container's literal env values
// (ExpandContainerCommandOnlyStatic): $(VAR) becomes the value of an `env` entry with a plain
// `value` (entries using valueFrom count as ""), `$$` is a literal `$`, and unknown or
// unterminated references stay as written — the expansion of ../env/expansion.ts.

import type { Obj } from '../../api/types.js';
import { expand, mappingFuncFor } from '../env/expansion.js';

export function expandStatic(command: string[], env: Obj[] | undefined): string[] {
  const vars = new Map<string, string>();
  for (const e of env ?? []) vars.set(e.name, e.value ?? '');
  const mapping = mappingFuncFor(vars);
  return command.map((c) => expand(c, mapping));
}
