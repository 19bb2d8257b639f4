import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepEqual, specChanged, stableStringify } from './objectmeta.js';

// A small deterministic generator of JSON-ish values, undefined members and nulls included.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}
function value(r: () => number, depth: number): unknown {
  const pick = r();
  if (depth <= 0 || pick < 0.35) return [null, undefined, 0, 1, -1, 'a', 'b', '', true, false][Math.floor(r() * 10)];
  if (pick < 0.6) return Array.from({ length: Math.floor(r() * 3) }, () => value(r, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 4); i > 0; i--) o[['x', 'y', 'z', 'w'][Math.floor(r() * 4)]] = value(r, depth - 1);
  return o;
}

test('deepEqual agrees with comparing sorted-key JSON texts', () => {
  const r = rng(42);
  let equalPairs = 0;
  for (let i = 0; i < 20_000; i++) {
    const a = value(r, 3);
    const b = r() < 0.5 ? structuredClone(a) : value(r, 3);
    const want = stableStringify(a) === stableStringify(b);
    if (want) equalPairs++;
    assert.equal(deepEqual(a, b), want, `${stableStringify(a)} vs ${stableStringify(b)}`);
  }
  assert.ok(equalPairs > 1000, 'the generator produces equal pairs too');
  // member order and undefined members do not matter; a null member does
  assert.ok(deepEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1, d: undefined }));
  assert.ok(!deepEqual({ a: null }, {}));
  assert.ok(!deepEqual([1, 2], [2, 1]));
});

test('specChanged looks at everything but metadata, status, apiVersion and kind', () => {
  const base = { apiVersion: 'v1', kind: 'X', metadata: { name: 'a' }, spec: { r: 1 }, status: { s: 1 } };
  assert.equal(specChanged(base, { ...base, metadata: { name: 'b' }, status: { s: 2 }, apiVersion: 'v2' }), false);
  assert.equal(specChanged(base, { ...base, spec: { r: 2 } }), true);
  assert.equal(specChanged(base, { ...base, data: {} }), true);
  assert.equal(specChanged({ ...base, data: undefined }, base), false);
});
