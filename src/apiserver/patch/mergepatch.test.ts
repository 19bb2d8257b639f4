import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { mergePatch, mergePatchObject } from './mergepatch.js';

test('RFC 7386 appendix A examples', () => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [doc, patch, want] of cases) {
    assert.deepEqual(mergePatch(doc, patch), want, JSON.stringify({ doc, patch }));
  }
});

test('merge patch of a deployment label and replicas', () => {
  const live = { metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'a' }, { name: 'b' }] } } } };
  const got = mergePatchObject(live, '{"metadata":{"labels":{"team":"a"}},"spec":{"template":{"spec":{"containers":[{"name":"c"}]}}}}');
  assert.deepEqual(got, { metadata: { name: 'web', labels: { app: 'web', team: 'a' } }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c' }] } } } });
  assert.deepEqual(live.metadata.labels, { app: 'web' }, 'input untouched');
});

test('bad merge patch bodies', () => {
  for (const body of ['{', 'null', '"x"', '3', 'true']) {
    assert.throws(() => mergePatchObject({ a: 1 }, body), (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'Invalid JSON Patch', body);
  }
  assert.throws(() => mergePatchObject({ a: 1 }, '[1]'), (e: unknown) => e instanceof ApiError && e.code === 422 && e.reason === 'Invalid'
    && e.message.startsWith(' "" is invalid: patch: Invalid value: "[1]": couldn\'t get version/kind; json parse error'));
});
