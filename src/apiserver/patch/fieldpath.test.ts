import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePE, fieldPath, FieldSet, keyPE, pathString, valuePE, indexPE, fieldPE } from './fieldpath.js';

const containerKey = keyPE([['name', 'nginx']]);
const portKey = keyPE([['containerPort', 80], ['protocol', 'TCP']]);

test('path elements encode as FieldsV1 keys', () => {
  assert.equal(fieldPE('spec'), 'f:spec');
  assert.equal(containerKey, 'k:{"name":"nginx"}');
  assert.equal(portKey, 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(valuePE('example.com/finalizer'), 'v:"example.com/finalizer"');
  assert.equal(indexPE(3), 'i:3');
});

test('paths print as structured-merge-diff prints them', () => {
  assert.equal(pathString(fieldPath('data', 'color')), '.data.color');
  assert.equal(pathString([...fieldPath('spec', 'containers'), containerKey, fieldPE('image')]), '.spec.containers[name="nginx"].image');
  assert.equal(pathString([fieldPE('ports'), portKey]), '.ports[containerPort=80,protocol="TCP"]');
  assert.equal(pathString([...fieldPath('metadata', 'finalizers'), valuePE('a')]), '.metadata.finalizers[="a"]');
  assert.equal(pathString([fieldPE('args'), indexPE(0)]), '.args[0]');
});

test('element order: fields, then keys, values, indices', () => {
  const els = ['i:1', 'v:"b"', 'k:{"name":"b"}', 'f:b', 'i:0', 'v:"a"', 'v:1', 'k:{"name":"a"}', 'f:a', 'f:B'];
  assert.deepEqual([...els].sort(comparePE), ['f:B', 'f:a', 'f:b', 'k:{"name":"a"}', 'k:{"name":"b"}', 'v:1', 'v:"a"', 'v:"b"', 'i:0', 'i:1']);
});

test('FieldsV1 encoding and decoding', () => {
  const s = FieldSet.of(
    fieldPath('data', 'color'),
    fieldPath('data'),
    fieldPath('metadata', 'labels', 'app'),
    [...fieldPath('spec', 'containers'), containerKey],
    [...fieldPath('spec', 'containers'), containerKey, fieldPE('image')],
    [...fieldPath('spec', 'containers'), containerKey, fieldPE('name')],
  );
  const v1 = s.toFieldsV1();
  assert.equal(JSON.stringify(v1), JSON.stringify({
    'f:data': { '.': {}, 'f:color': {} },
    'f:metadata': { 'f:labels': { 'f:app': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {} } } },
  }));
  const back = FieldSet.fromFieldsV1(v1);
  assert.deepEqual(back.paths(), s.paths());
  assert.deepEqual(FieldSet.fromFieldsV1({ 'f:a': {}, 'x:unknown': {} }).paths(), [['f:a']], 'unknown element kinds are skipped');
  assert.throws(() => FieldSet.fromFieldsV1({ 'f:a': 1 }));
});

test('set algebra', () => {
  const a = FieldSet.of(fieldPath('a', 'b'), fieldPath('a', 'c'), fieldPath('d'));
  const b = FieldSet.of(fieldPath('a', 'c'), fieldPath('e'));
  assert.deepEqual(a.union(b).paths(), [['f:d'], ['f:e'], ['f:a', 'f:b'], ['f:a', 'f:c']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:a', 'f:c']]);
  assert.deepEqual(a.difference(b).paths(), [['f:d'], ['f:a', 'f:b']]);
  assert.deepEqual(a.recursiveDifference(FieldSet.of(fieldPath('a'))).paths(), [['f:d']]);
  assert.equal(a.has(fieldPath('a', 'b')), true);
  assert.equal(a.has(fieldPath('a')), false);
  assert.equal(new FieldSet().empty(), true);
  assert.equal(a.difference(a).empty(), true);
  assert.equal(a.size(), 3);
});
