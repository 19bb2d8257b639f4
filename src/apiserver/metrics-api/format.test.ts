import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuQuantity, goDuration, memoryQuantity, metaTime } from './format.js';

test('CPU as resource.Quantity writes nanocores: the largest exact suffix', () => {
  assert.equal(cpuQuantity(0), '0');
  assert.equal(cpuQuantity(1234567), '1234567n');
  assert.equal(cpuQuantity(5_000), '5u');
  assert.equal(cpuQuantity(250_000_000), '250m');
  assert.equal(cpuQuantity(1_500_000_000), '1500m');
  assert.equal(cpuQuantity(2_000_000_000), '2');
  assert.equal(cpuQuantity(12.9), '12n');
  assert.equal(cpuQuantity(-5), '0');
});

test('memory as BinarySI bytes: Ki/Mi/Gi when exact, plain bytes otherwise, DecimalSI below 1 Ki', () => {
  assert.equal(memoryQuantity(0), '0');
  assert.equal(memoryQuantity(512), '512');
  assert.equal(memoryQuantity(1000), '1k');
  assert.equal(memoryQuantity(1024), '1Ki');
  assert.equal(memoryQuantity(12345 * 1024), '12345Ki');
  assert.equal(memoryQuantity(1536), '1536');
  assert.equal(memoryQuantity(64 * 1024 * 1024), '64Mi');
  assert.equal(memoryQuantity(3 * 1024 ** 3), '3Gi');
  assert.equal(memoryQuantity(12345678), '12345678');
});

test('times in whole seconds and windows as Go prints durations', () => {
  assert.equal(metaTime(Date.UTC(2026, 11, 1, 0, 30, 15, 999)), '2026-12-01T00:30:15Z');
  assert.equal(goDuration(0), '0s');
  assert.equal(goDuration(500), '500ms');
  assert.equal(goDuration(1000), '1s');
  assert.equal(goDuration(15_003), '15.003s');
  assert.equal(goDuration(15_500), '15.5s');
  assert.equal(goDuration(60_500), '1m0.5s');
  assert.equal(goDuration(3_723_000), '1h2m3s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
});
