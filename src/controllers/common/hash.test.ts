import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJSON, computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from './hash.js';

const tpl = (image = 'busybox', extra: object = {}) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image }], ...extra },
});

describe('hash', () => {
  it('fnv32a matches the reference vectors', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.equal(fnv32a(enc('')), 0x811c9dc5);
    assert.equal(fnv32a(enc('a')), 0xe40c292c);
    assert.equal(fnv32a(enc('foobar')), 0xbf9cf968);
  });

  it('safeEncodeString maps digits as rand.SafeEncodeString', () => {
    // '0'..'9' are code points 48..57: 48 % 27 = 21 → '4' ... 57 % 27 = 3 → 'f'
    assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  });

  const cases: { name: string; a: object; b: object; ca?: number; cb?: number; same: boolean }[] = [
    { name: 'equal templates hash equally', a: tpl(), b: tpl(), same: true },
    { name: 'key order is irrelevant', a: { spec: { b: 1, a: 2 } }, b: { spec: { a: 2, b: 1 } }, same: true },
    { name: 'empty lists equal missing ones', a: tpl('busybox', { volumes: [] }), b: tpl(), same: true },
    { name: 'empty maps equal missing ones', a: { metadata: { labels: { a: 'b' }, annotations: {} } }, b: { metadata: { labels: { a: 'b' } } }, same: true },
    { name: 'empty structs are meaningful', a: { spec: { volumes: [{ name: 'v', emptyDir: {} }] } }, b: { spec: { volumes: [{ name: 'v' }] } }, same: false },
    { name: 'images differ', a: tpl('a'), b: tpl('b'), same: false },
    { name: 'collisionCount changes the hash', a: tpl(), b: tpl(), ca: 0, cb: 1, same: false },
    { name: 'collisionCount 0 differs from none', a: tpl(), b: tpl(), ca: 0, same: false },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ha = computeHash(c.a, c.ca);
      const hb = computeHash(c.b, c.cb);
      assert.match(ha, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
      assert.equal(ha === hb, c.same, `${ha} vs ${hb}`);
    });
  }

  it('canonical JSON sorts keys and drops nulls', () => {
    assert.equal(canonicalJSON({ b: null, a: [1, { d: 1, c: 2 }] }), '{"a":[1,{"c":2,"d":1}]}');
  });

  it('equalIgnoreHash ignores only the pod-template-hash label', () => {
    const withHash = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
    assert.equal(equalIgnoreHash(withHash, { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }), true);
    assert.equal(equalIgnoreHash(withHash, { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c', image: 'x' }] } }), false);
    assert.equal(equalIgnoreHash({ metadata: { labels: { 'pod-template-hash': 'x' } } }, {}), true);
  });
});
