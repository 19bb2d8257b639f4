import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  findDuplicateFields, goQuote, parseFieldValidation, strictDecodingErrors, strictDecodingMessage, strictDecodingWarnings,
  unknownFieldError,
} from './validation.js';

test('the Strict BadRequest message matches kube-apiserver', () => {
  const errs = strictDecodingErrors('', 'v1', 'Pod', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'typo' }, spec: { containers: [{ name: 'c', image: 'nginx', commnd: ['sleep', '1'] }] },
  });
  assert.equal(strictDecodingMessage('Pod', 'v1', errs),
    'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].commnd"');
  assert.equal(strictDecodingMessage('Deployment', 'v1', [unknownFieldError('spec.replica'), unknownFieldError('spec.template.spec.containers[0].imag')]),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imag"');
});

test('Warn produces one warning per field, as the error reads', () => {
  assert.deepEqual(strictDecodingWarnings([unknownFieldError('spec.foo'), unknownFieldError('metadata.labelz')]),
    ['unknown field "spec.foo"', 'unknown field "metadata.labelz"']);
});

test('duplicate keys are found in the raw JSON, with their paths', () => {
  assert.deepEqual(findDuplicateFields('{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"c","image":"x","image":"y"}]}}'),
    ['metadata.name', 'spec.containers[0].image']);
  assert.deepEqual(findDuplicateFields('{"a":"x\\"y","b":[1,2,{"c":true,"c":null}],"a":1}'), ['b[2].c', 'a']);
  assert.deepEqual(findDuplicateFields(' { "a" : { } , "b" : [ ] } '), []);
  assert.deepEqual(findDuplicateFields('{"a":1,"a":'), ['a']);
  const errs = strictDecodingErrors('', 'v1', 'ConfigMap', { metadata: { name: 'b' }, dat: {} }, '{"metadata":{"name":"a","name":"b"},"dat":{}}');
  assert.deepEqual(errs, ['unknown field "dat"', 'duplicate field "metadata.name"']);
});

test('quoting follows Go %q for odd field names', () => {
  assert.equal(goQuote('a"b\\c\n'), '"a\\"b\\\\c\\n"');
  assert.equal(goQuote('\u0001é'), '"\\x01é"');
});

test('fieldValidation values', () => {
  assert.equal(parseFieldValidation('Strict'), 'Strict');
  assert.equal(parseFieldValidation('Warn'), 'Warn');
  assert.equal(parseFieldValidation('Ignore'), 'Ignore');
  assert.equal(parseFieldValidation(null), undefined);
  assert.equal(parseFieldValidation('strict'), undefined);
});
