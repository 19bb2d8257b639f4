import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertKey, compareKeys, prefixEnd } from './keys.js';

test('prefixEnd bounds exactly the keys that start with the prefix', () => {
  assert.equal(prefixEnd('/registry/pods/'), '/registry/pods0');
  assert.equal(prefixEnd(''), '\u{10FFFF}');
  const weird = 'a\uffff';
  assert.equal(prefixEnd(weird), weird + '\u{10FFFF}');
  const keys = ['/a/b', '/a/b/', '/a/b/c', '/a/b0', '/a/bc', '/a/b/\u{1F600}', '/a/b/\uffff', '/a/c'];
  for (const prefix of ['/a/b/', '/a/', '', weird]) {
    const end = prefixEnd(prefix);
    for (const k of keys) {
      const inRange = compareKeys(k, prefix) >= 0 && compareKeys(k, end) < 0;
      assert.equal(inRange, k.startsWith(prefix), `${k} vs ${prefix}`);
    }
  }
});

test('compareKeys is code-point order (what SQLite and etcd use)', () => {
  assert.ok(compareKeys('a', 'b') < 0);
  assert.ok(compareKeys('ab', 'a') > 0);
  assert.equal(compareKeys('x', 'x'), 0);
  // U+FFFF < U+1F600, although the UTF-16 code unit 0xD83D is smaller than 0xFFFF.
  assert.ok(compareKeys('\uffff', '\u{1F600}') < 0);
  assert.ok('\uffff' > '\u{1F600}', 'JavaScript disagrees, which is why compareKeys exists');
  const sorted = ['\u{1F600}', 'z', '\uffff', 'é'].sort(compareKeys);
  assert.deepEqual(sorted, ['z', 'é', '\uffff', '\u{1F600}']);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
});

test('assertKey rejects keys no backend can store', () => {
  assert.throws(() => assertKey(''), TypeError);
  assert.throws(() => assertKey('/a/\ud800'), TypeError);
  assert.throws(() => assertKey('/a/\u{10FFFF}'), TypeError);
  assertKey('/registry/pods/default/nginx-\u{1F600}');
});
