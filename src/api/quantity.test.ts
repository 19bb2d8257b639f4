import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addQuantities, canonicalize, compareQuantities, parseQuantity, Quantity, QUANTITY_FORMAT_ERROR, QUANTITY_SUFFIX_ERROR, toMilli, toValue,
} from './quantity.js';

test('canonical forms match resource.Quantity.String()', () => {
  const cases: [string | number, string][] = [
    ['1000m', '1'], ['0.5', '500m'], ['1024Mi', '1Gi'], ['1.5Gi', '1536Mi'], ['100m', '100m'], ['1.0', '1'],
    ['0.1', '100m'], ['1000', '1k'], ['1200m', '1200m'], ['1.2', '1200m'], ['2000', '2k'], ['1500', '1500'],
    ['12Mi', '12Mi'], ['1023Mi', '1023Mi'], ['0.5Gi', '512Mi'], ['0.5Ki', '512'], ['1536', '1536'], ['1Ki', '1Ki'],
    ['0', '0'], ['0m', '0'], ['-0', '0'], ['00', '0'], ['-1.5', '-1500m'], ['1e3', '1e3'], ['1e2', '100'], ['129e7', '1290e6'],
    ['1E6', '1E6'], ['1E', '1E'], ['0.0000000001', '1n'], ['1n', '1n'], ['5u', '5u'], ['1M', '1M'], ['1000k', '1M'],
    ['2048Ki', '2Mi'], ['1Ei', '1Ei'], [1, '1'], [0.5, '500m'], ['01', '01'], ['+1', '+1'], ['.5', '500m'], ['1.', '1.'],
  ];
  for (const [input, want] of cases) assert.equal(canonicalize(input), want, `canonicalize(${JSON.stringify(input)})`);
});

test('the parser, not the regex, decides (as upstream): a bare suffix is zero', () => {
  assert.equal(canonicalize('Gi'), '0');
});

test('binary quantities cap at int64', () => {
  assert.equal(canonicalize('8Ei'), '9223372036854775807');
});

test('malformed quantities carry upstream error texts', () => {
  for (const bad of ['', 'abc', '1x', '1.2.3', '1 Gi']) {
    assert.throws(() => parseQuantity(bad), { message: QUANTITY_FORMAT_ERROR }, JSON.stringify(bad));
  }
  for (const bad of ['1kk', '1mi', '1K', '--1', '1e+', '1e']) {
    assert.throws(() => parseQuantity(bad), { message: QUANTITY_SUFFIX_ERROR }, JSON.stringify(bad));
  }
  assert.equal(QUANTITY_FORMAT_ERROR, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
});

test('comparison, arithmetic and numeric values', () => {
  assert.equal(compareQuantities('1', '1000m'), 0);
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('500m', '0.6'), -1);
  assert.equal(addQuantities('500m', '1'), '1500m');
  assert.equal(addQuantities('1Gi', '1Gi'), '2Gi');
  assert.equal(toMilli('1.5'), 1500);
  assert.equal(toMilli('1n'), 1); // rounded up
  assert.equal(toValue('1Gi'), 1073741824);
  assert.equal(toValue('1500m'), 2); // rounded up
  assert.equal(toValue('-1500m'), -2); // away from zero
  assert.equal(parseQuantity('1k').valueBig(), 1000n);
  assert.equal(parseQuantity('3').sub(parseQuantity('500m')).toString(), '2500m');
});

test('roundUp to milli precision (ResourceList defaulting)', () => {
  assert.equal(parseQuantity('0.0001').roundUp(-3).toString(), '1m');
  assert.equal(parseQuantity('1n').roundUp(-3).toString(), '1m');
  assert.equal(parseQuantity('100m').roundUp(-3).toString(), '100m');
  assert.equal(parseQuantity('1.5Gi').roundUp(-3).toString(), '1536Mi');
  assert.ok(Quantity.fromMilli(1500).cmp(parseQuantity('1.5')) === 0);
});
