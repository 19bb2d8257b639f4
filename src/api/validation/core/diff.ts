// A go-cmp style diff for "may not change fields" messages. Upstream appends cmp.Diff of
// the internal structs; go-cmp deliberately makes its output unstable, so clients never
// parse it. This renders the same shape: changed fields as -/+ lines, the rest elided.

import type { Obj } from '../../types.js';
import { semanticEqual } from '../util.js';

const goName = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);

export function specDiff(typeName: string, oldObj: Obj, newObj: Obj): string {
  const keys = [...new Set([...Object.keys(oldObj), ...Object.keys(newObj)])];
  const lines = [`  ${typeName}{`];
  let same = 0;
  const flush = () => {
    if (same) lines.push(`  \t... // ${same} identical field${same === 1 ? '' : 's'}`);
    same = 0;
  };
  for (const k of keys) {
    if (semanticEqual(oldObj[k], newObj[k])) {
      same++;
      continue;
    }
    flush();
    if (oldObj[k] !== undefined) lines.push(`- \t${goName(k)}: ${JSON.stringify(oldObj[k])},`);
    if (newObj[k] !== undefined) lines.push(`+ \t${goName(k)}: ${JSON.stringify(newObj[k])},`);
  }
  flush();
  lines.push('  }');
  return lines.join('\n');
}
