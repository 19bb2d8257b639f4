import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { applyJsonPatch, decodeJsonPatch, escapePointerToken, unescapePointerToken } from './jsonpatch.js';

const doc = () => ({
  metadata: { name: 'web', labels: { app: 'web', 'a/b': 'slash', 'm~n': 'tilde' } },
  spec: { replicas: 1, list: ['a', 'b', 'c'], nested: [{ x: 1 }, { x: 2 }] },
});

test('RFC 6902 operations (table)', () => {
  const cases: { name: string; ops: unknown[]; want: (d: ReturnType<typeof doc>) => unknown }[] = [
    { name: 'add member', ops: [{ op: 'add', path: '/spec/paused', value: true }], want: (d) => ({ ...d, spec: { ...d.spec, paused: true } }) },
    { name: 'add replaces existing member', ops: [{ op: 'add', path: '/spec/replicas', value: 3 }], want: (d) => ({ ...d, spec: { ...d.spec, replicas: 3 } }) },
    { name: 'add at index', ops: [{ op: 'add', path: '/spec/list/1', value: 'z' }], want: (d) => ({ ...d, spec: { ...d.spec, list: ['a', 'z', 'b', 'c'] } }) },
    { name: 'add at end with -', ops: [{ op: 'add', path: '/spec/list/-', value: 'z' }], want: (d) => ({ ...d, spec: { ...d.spec, list: ['a', 'b', 'c', 'z'] } }) },
    { name: 'add at index == length', ops: [{ op: 'add', path: '/spec/list/3', value: 'z' }], want: (d) => ({ ...d, spec: { ...d.spec, list: ['a', 'b', 'c', 'z'] } }) },
    { name: 'add at negative index (evanphx extension)', ops: [{ op: 'add', path: '/spec/list/-1', value: 'z' }], want: (d) => ({ ...d, spec: { ...d.spec, list: ['a', 'b', 'c', 'z'] } }) },
    { name: 'add without value adds null', ops: [{ op: 'add', path: '/spec/x' }], want: (d) => ({ ...d, spec: { ...d.spec, x: null } }) },
    { name: 'escaped ~1 and ~0', ops: [{ op: 'replace', path: '/metadata/labels/a~1b', value: 's2' }, { op: 'remove', path: '/metadata/labels/m~0n' }], want: (d) => ({ ...d, metadata: { ...d.metadata, labels: { app: 'web', 'a/b': 's2' } } }) },
    { name: 'remove array item', ops: [{ op: 'remove', path: '/spec/list/0' }], want: (d) => ({ ...d, spec: { ...d.spec, list: ['b', 'c'] } }) },
    { name: 'remove negative index', ops: [{ op: 'remove', path: '/spec/list/-1' }], want: (d) => ({ ...d, spec: { ...d.spec, list: ['a', 'b'] } }) },
    { name: 'replace nested', ops: [{ op: 'replace', path: '/spec/nested/1/x', value: 9 }], want: (d) => ({ ...d, spec: { ...d.spec, nested: [{ x: 1 }, { x: 9 }] } }) },
    { name: 'replace of a missing key adds it (as kube-apiserver does)', ops: [{ op: 'replace', path: '/metadata/labels/new', value: 'v' }], want: (d) => ({ ...d, metadata: { ...d.metadata, labels: { ...d.metadata.labels, new: 'v' } } }) },
    { name: 'move', ops: [{ op: 'move', from: '/spec/replicas', path: '/spec/count' }], want: (d) => ({ ...d, spec: { list: d.spec.list, nested: d.spec.nested, count: 1 } }) },
    { name: 'copy', ops: [{ op: 'copy', from: '/spec/nested/0', path: '/spec/first' }], want: (d) => ({ ...d, spec: { ...d.spec, first: { x: 1 } } }) },
    { name: 'test passes then replace', ops: [{ op: 'test', path: '/spec/nested', value: [{ x: 1 }, { x: 2 }] }, { op: 'replace', path: '/spec/replicas', value: 2 }], want: (d) => ({ ...d, spec: { ...d.spec, replicas: 2 } }) },
    { name: 'test null matches a missing member', ops: [{ op: 'test', path: '/spec/missing', value: null }], want: (d) => d },
  ];
  for (const c of cases) {
    const input = doc();
    const got = applyJsonPatch(input, c.ops as Record<string, unknown>[]);
    assert.deepEqual(got, c.want(doc()), c.name);
    assert.deepEqual(input, doc(), `${c.name}: input untouched`);
  }
});

test('failing operations answer 422 Invalid with the generic message', () => {
  const failing: [string, unknown[]][] = [
    ['test of a different value', [{ op: 'test', path: '/spec/replicas', value: 9 }]],
    ['test of a missing member', [{ op: 'test', path: '/spec/nope', value: 1 }]],
    ['remove of a missing member', [{ op: 'remove', path: '/spec/nope' }]],
    ['add below a missing parent', [{ op: 'add', path: '/spec/nope/x', value: 1 }]],
    ['replace of an array index out of range', [{ op: 'replace', path: '/spec/list/5', value: 1 }]],
    ['add past the end', [{ op: 'add', path: '/spec/list/9', value: 1 }]],
    ['non-numeric index', [{ op: 'add', path: '/spec/list/x', value: 1 }]],
    ['unknown op', [{ op: 'frobnicate', path: '/spec' }]],
    ['missing op', [{ path: '/spec' }]],
    ['missing path', [{ op: 'remove' }]],
    ['empty path', [{ op: 'replace', path: '', value: {} }]],
    ['move from missing', [{ op: 'move', from: '/nope', path: '/spec/x' }]],
  ];
  for (const [name, ops] of failing) {
    assert.throws(() => applyJsonPatch(doc(), ops as Record<string, unknown>[]), (e: unknown) => {
      assert.ok(e instanceof ApiError, name);
      assert.equal(e.code, 422, name);
      assert.equal(e.reason, 'Invalid', name);
      assert.equal(e.message, 'the server rejected our request due to an error in our request', name);
      return true;
    }, name);
  }
});

test('a failing operation leaves nothing applied', () => {
  const d = doc();
  assert.throws(() => applyJsonPatch(d, [{ op: 'replace', path: '/spec/replicas', value: 5 }, { op: 'test', path: '/spec/replicas', value: 1 }]));
  assert.equal(d.spec.replicas, 1);
});

test('decodeJsonPatch: malformed bodies are 400 with encoding/json text, too many ops 413', () => {
  const bad: [string, string][] = [
    ['[{"op":', 'unexpected end of JSON input'],
    ['{"op":"add"}', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
    ['["x"]', 'json: cannot unmarshal string into Go value of type jsonpatch.Operation'],
    ['nope', "invalid character 'o' in literal null (expecting 'u')"],
  ];
  for (const [body, msg] of bad) {
    assert.throws(() => decodeJsonPatch(body), (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && e.message === msg, body);
  }
  assert.deepEqual(decodeJsonPatch('null'), []);
  const many = JSON.stringify(Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 })));
  assert.throws(() => decodeJsonPatch(many), (e: unknown) => e instanceof ApiError && e.code === 413
    && e.message === 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001');
});

test('pointer token escaping round-trips', () => {
  for (const s of ['a/b', 'm~n', '~1', '~01', 'plain', '']) assert.equal(unescapePointerToken(escapePointerToken(s)), s);
  assert.equal(unescapePointerToken('~01'), '~1');
});
