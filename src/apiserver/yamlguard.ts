// The yaml package builds parser state per nesting level; a body of 100,000 "[" makes V8 run
// out of memory compiling a regular expression and kills the process. Go's yaml refuses deep
// documents too ("exceeded max depth"), so bodies nested deeper than this are a 400.
import { badRequest } from '../api/errors.js';

export const MAX_YAML_DEPTH = 1000;

/** Throws 400 when flow collections ([ {) or block indentation nest beyond MAX_YAML_DEPTH. */
export function checkYamlDepth(text: string): void {
  let depth = 0, max = 0, indent = 0, lineStart = true;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) { lineStart = true; indent = 0; continue; }
    if (lineStart) {
      if (c === 32) { indent++; if (indent > MAX_YAML_DEPTH * 2) fail(); continue; }
      lineStart = false;
    }
    if (quote) { if (text[i] === quote && text[i - 1] !== '\\') quote = ''; continue; }
    if (c === 34 || c === 39) { quote = text[i]; continue; }
    if (c === 91 || c === 123) { depth++; if (depth > max) max = depth; if (max > MAX_YAML_DEPTH) fail(); } else if (c === 93 || c === 125) depth--;
  }
}

function fail(): never {
  throw badRequest(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_YAML_DEPTH}`);
}

/**
 * JSON bodies nested deeper than MAX_JSON_DEPTH are a 400 before anything walks them: the
 * patch engines and schema walks recurse per level (Go's decoder also stops at a maximum
 * depth, "exceeded max depth"). Strings, escapes included, are skipped.
 */
export const MAX_JSON_DEPTH = 1000;

export function jsonTooDeep(text: string): boolean {
  // nesting deeper than the limit takes more opening brackets than a shorter text has
  if (text.length <= MAX_JSON_DEPTH) return false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) { // a string: skip to its closing quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++; else if (d === 34) break;
      }
    } else if (c === 91 || c === 123) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}
