import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogQueryError, logOptionsFromQuery } from './options.js';

const q = (s: string) => new URLSearchParams(s);
const NOW = new Date('2024-05-01T12:00:00Z');

test('defaults: everything, once, no timestamps', () => {
  const { previous, options } = logOptionsFromQuery(q(''), NOW);
  assert.equal(previous, false);
  assert.deepEqual(options, { follow: false, timestamps: false, sinceNs: 0n, tail: -1, limitBytes: -1, stream: 'All' });
});

test('the query parameters kubectl and the API server send', () => {
  const { previous, options } = logOptionsFromQuery(q('follow=true&previous=true&timestamps=true&tailLines=5&limitBytes=100&sinceSeconds=10'), NOW);
  assert.equal(previous, true);
  assert.equal(options.follow, true);
  assert.equal(options.timestamps, true);
  assert.equal(options.tail, 5);
  assert.equal(options.limitBytes, 100);
  assert.equal(options.sinceNs, BigInt(NOW.getTime() - 10_000) * 1_000_000n);
  assert.equal(logOptionsFromQuery(q('follow=false'), NOW).options.follow, false);
  assert.equal(logOptionsFromQuery(q('follow=1'), NOW).options.follow, true);
});

test('sinceTime, and the legacy tail parameter', () => {
  const { options } = logOptionsFromQuery(q('sinceTime=2024-05-01T11:00:00Z'), NOW);
  assert.equal(options.sinceNs, BigInt(Date.parse('2024-05-01T11:00:00Z')) * 1_000_000n);
  assert.equal(logOptionsFromQuery(q('tail=3'), NOW).options.tail, 3);
  assert.equal(logOptionsFromQuery(q('tail=all&tailLines=3'), NOW).options.tail, -1);
});

test('stream selection', () => {
  assert.equal(logOptionsFromQuery(q('stream=Stderr'), NOW).options.stream, 'Stderr');
  assert.equal(logOptionsFromQuery(q('stream=All&tailLines=2'), NOW).options.tail, 2);
});

test('bad queries get the kubelet\'s status and body', () => {
  const fails = (s: string, code: number, body: string) => assert.throws(() => logOptionsFromQuery(q(s), NOW), (e: unknown) => {
    assert.ok(e instanceof LogQueryError, String(e));
    assert.equal(e.code, code, s);
    assert.equal(e.message, body, s);
    return true;
  });
  const decode = '{"message": "Unable to decode query."}';
  const invalid = '{"message": "Invalid request."}';
  fails('tailLines=abc', 400, decode);
  fails('sinceTime=yesterday', 400, decode);
  fails('limitBytes=1.5', 400, decode);
  fails('tailLines=-1', 422, invalid);
  fails('limitBytes=0', 422, invalid);
  fails('sinceSeconds=0', 422, invalid);
  fails('sinceSeconds=5&sinceTime=2024-05-01T11:00:00Z', 422, invalid);
  fails('stream=Both', 422, invalid);
  fails('stream=Stdout&tailLines=1', 422, invalid);
});
