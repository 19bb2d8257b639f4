import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, formatMicroTime, formatTime, GO_ZERO_TIME_SECONDS, parseDuration, parseTime } from './special.js';

describe('metav1.Duration text (Go time.Duration)', () => {
  const cases: [bigint, string][] = [
    [0n, '0s'], [1n, '1ns'], [999n, '999ns'], [1500n, '1.5µs'], [1_500_000n, '1.5ms'], [1_000_000_000n, '1s'],
    [90_000_000_000n, '1m30s'], [3_600_000_000_000n, '1h0m0s'], [3_600_500_000_000n, '1h0m0.5s'], [-2_000_000_000n, '-2s'],
    [9223372036854775807n, '2562047h47m16.854775807s'], [100_000_000n, '100ms'],
  ];
  it('formats like Duration.String()', () => {
    for (const [ns, s] of cases) assert.equal(formatDuration(ns), s, String(ns));
  });
  it('parses like time.ParseDuration', () => {
    for (const [ns, s] of cases) assert.equal(parseDuration(s), ns, s);
    assert.equal(parseDuration('1.5h'), 5_400_000_000_000n);
    assert.equal(parseDuration('1h2m3s4ms5us6ns'), 3_723_004_005_006n);
    assert.equal(parseDuration('+0'), 0n);
    assert.equal(parseDuration('.5s'), 500_000_000n);
    for (const bad of ['', '1', '1x', 's', '.s', '1h-2m', 5]) assert.throws(() => parseDuration(bad), /invalid duration/, String(bad));
  });
});

describe('metav1.Time / MicroTime text', () => {
  it('formats whole seconds in UTC; the Go zero time is null', () => {
    assert.equal(formatTime(0), '1970-01-01T00:00:00Z');
    assert.equal(formatTime(1704164645), '2024-01-02T03:04:05Z');
    assert.equal(formatTime(GO_ZERO_TIME_SECONDS), null);
    assert.equal(formatTime(GO_ZERO_TIME_SECONDS + 1), '0001-01-01T00:00:01Z');
    assert.throws(() => formatTime(1e13), /outside years/);
  });
  it('formats microseconds, truncating, normalizing nanos like time.Unix', () => {
    assert.equal(formatMicroTime(0, 123456789), '1970-01-01T00:00:00.123456Z');
    assert.equal(formatMicroTime(10, -1), '1970-01-01T00:00:09.999999Z');
    assert.equal(formatMicroTime(0, 2_000_000_001), '1970-01-01T00:00:02.000000Z');
    assert.equal(formatMicroTime(GO_ZERO_TIME_SECONDS, 0), null);
  });
  it('parses RFC 3339 with fractions and offsets', () => {
    assert.deepEqual(parseTime('2024-01-02T03:04:05Z'), [1704164645, 0]);
    assert.deepEqual(parseTime('2024-01-02T04:04:05.5+01:00'), [1704164645, 500000000]);
    assert.deepEqual(parseTime('0001-01-01T00:00:00Z'), [GO_ZERO_TIME_SECONDS, 0]);
    assert.deepEqual(parseTime('0050-01-01T00:00:00Z'), [Date.UTC(2050, 0, 1) / 1000 - 2000 * 365.2425 * 86400, 0]);
    assert.equal(parseTime(null), null);
    assert.throws(() => parseTime('2024-01-02 03:04:05'), /invalid RFC 3339/);
  });
});
