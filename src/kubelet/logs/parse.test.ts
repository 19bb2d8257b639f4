import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat, formatLogTime, parseCriLog, parseDockerJsonLog, parseLogTime } from './parse.js';

test('CRI records: timestamp, stream, full and partial tags', () => {
  const full = parseCriLog(Buffer.from('2016-10-06T00:17:09.669794202Z stdout F log content 1\n'));
  assert.equal(full.stream, 'stdout');
  assert.equal(full.content.toString(), 'log content 1\n');
  assert.equal(full.time.ns, 1475713029669794202n);
  const partial = parseCriLog(Buffer.from('2016-10-06T00:17:09.669794203Z stderr P part\n'));
  assert.equal(partial.stream, 'stderr');
  assert.equal(partial.content.toString(), 'part', 'a partial record loses the newline the file format added');
  // forward-compatible tags ("P:extra") and an empty line
  assert.equal(parseCriLog(Buffer.from('2016-10-06T00:17:09Z stdout P:x y\n')).content.toString(), 'y');
  assert.equal(parseCriLog(Buffer.from('2016-10-06T00:17:09Z stdout F \n')).content.toString(), '\n');
  // content keeps its own spaces and bytes
  assert.equal(parseCriLog(Buffer.from('2016-10-06T00:17:09Z stdout F  a  b\n')).content.toString(), ' a  b\n');
});

test('CRI parse errors name what is missing', () => {
  assert.throws(() => parseCriLog(Buffer.from('nospace')), /timestamp is not found/);
  assert.throws(() => parseCriLog(Buffer.from('garbage stdout F x')), /unexpected timestamp format/);
  assert.throws(() => parseCriLog(Buffer.from('2016-10-06T00:17:09Z stdout')), /stream type is not found/);
  assert.throws(() => parseCriLog(Buffer.from('2016-10-06T00:17:09Z stdin F x')), /unexpected stream type "stdin"/);
  assert.throws(() => parseCriLog(Buffer.from('2016-10-06T00:17:09Z stdout F')), /log tag is not found/);
});

test('timestamps: lenient in, nine fraction digits and the written offset out', () => {
  assert.equal(formatLogTime(parseLogTime('2016-10-06T00:17:09.5Z')), '2016-10-06T00:17:09.500000000Z');
  assert.equal(formatLogTime(parseLogTime('2016-10-06T00:17:09Z')), '2016-10-06T00:17:09.000000000Z');
  assert.equal(formatLogTime(parseLogTime('2016-10-06T02:17:09.123456789+02:00')), '2016-10-06T02:17:09.123456789+02:00');
  assert.equal(formatLogTime(parseLogTime('2016-10-06T00:17:09.1+00:00')), '2016-10-06T00:17:09.100000000Z');
  // the same instant in two offsets compares equal
  assert.equal(parseLogTime('2016-10-06T02:17:09.123456789+02:00').ns, parseLogTime('2016-10-06T00:17:09.123456789Z').ns);
  assert.equal(parseLogTime('2016-10-05T20:47:09.000000001-03:30').ns, parseLogTime('2016-10-06T00:17:09.000000001Z').ns);
  assert.throws(() => parseLogTime('2016-10-06 00:17:09Z'));
});

test('Docker JSON records and format detection from the first record', () => {
  const j = parseDockerJsonLog(Buffer.from('{"log":"content 1\\n","stream":"stderr","time":"2016-10-20T18:39:20.57606443Z"}\n'));
  assert.equal(j.stream, 'stderr');
  assert.equal(j.content.toString(), 'content 1\n');
  assert.equal(formatLogTime(j.time), '2016-10-20T18:39:20.576064430Z');
  assert.equal(detectFormat(Buffer.from('2016-10-06T00:17:09Z stdout F x\n')), parseCriLog);
  assert.equal(detectFormat(Buffer.from('{"log":"x","stream":"stdout","time":"2016-10-20T18:39:20Z"}')), parseDockerJsonLog);
  assert.throws(() => detectFormat(Buffer.from('plain text\n')), /unsupported log format/);
});
