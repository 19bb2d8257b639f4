// Exec probe commands see only the container's literal env values
// (ExpandContainerCommandOnlyStatic): $(VAR) becomes the value of an `env` entry with a plain
// `value` (entries using valueFrom count as ""), `$$` is a literal `$`, and unknown or
// unterminated references stay as written.

import type { Obj } from '../../api/types.js';

export function expandStatic(command: string[], env: Obj[] | undefined): string[] {
  const vars = new Map<string, string>();
  for (const e of env ?? []) vars.set(e.name, e.value ?? '');
  return command.map((c) => expand(c, vars));
}

export function expand(input: string, vars: Map<string, string>): string {
  let out = '';
  let checkpoint = 0;
  for (let i = 0; i < input.length; i++) {
    if (input[i] !== '$' || i + 1 >= input.length) continue;
    out += input.slice(checkpoint, i);
    const next = input[i + 1];
    let advance = 1;
    if (next === '$') {
      out += '$';
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
      } else {
        const name = input.slice(i + 2, close);
        out += vars.has(name) ? vars.get(name) : `$(${name})`;
        advance = close - i;
      }
    } else {
      out += `$${next}`;
    }
    i += advance;
    checkpoint = i + 1;
  }
  return out + input.slice(checkpoint);
}
