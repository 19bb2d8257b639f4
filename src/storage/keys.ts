// Key-space helpers shared by every backend, so that they all agree on which keys a prefix
// covers and in which order keys sort.
//
// Order is Unicode code-point order, which is what SQLite (memcmp of UTF-8) and etcd (bytes)
// use. JavaScript's `<` compares UTF-16 code units and disagrees with that for characters
// above U+FFFF, hence compareKeys.

/** U+10FFFF: the largest code point. A noncharacter, so keys may not contain it (see assertKey). */
const MAX_CHAR = '\u{10FFFF}';

// Lone surrogates cannot be encoded in UTF-8 (SQLite would silently replace them and so
// change the key); U+10FFFF is reserved for the range bound below.
const BAD_KEY_CHARS = /[\p{Cs}\u{10FFFF}]/u;

/** Rejects keys that no backend can store faithfully. A programming error, hence TypeError. */
export function assertKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('storage key must be a non-empty string');
  if (BAD_KEY_CHARS.test(key)) throw new TypeError(`storage key contains an unencodable character: ${JSON.stringify(key)}`);
}

/**
 * The exclusive upper bound of the keys starting with prefix: every key k with
 * prefix <= k < prefixEnd(prefix) starts with prefix, and vice versa.
 */
export function prefixEnd(prefix: string): string {
  const last = prefix.charCodeAt(prefix.length - 1);
  // Common case (prefixes end in "/"): bump the last character.
  if (prefix.length > 0 && last < 0xd7ff) return prefix.slice(0, -1) + String.fromCharCode(last + 1);
  // Otherwise append the largest code point: no stored key contains it, so every
  // extension of prefix sorts below this bound.
  return prefix + MAX_CHAR;
}

/** Code-point order comparison (negative, zero, positive). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) encode code points above FFFF, so they must sort after E000–FFFF.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
