import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.js';
import { Backoff } from './backoff.js';

test('crash-loop back-off: none at first, then 10 s doubling to 5 min', () => {
  const clock = new FakeClock(0);
  const b = new Backoff(clock);
  const delays: number[] = [];
  let t = 0;
  for (let i = 0; i < 8; i++) {
    // the container exits at t; a restart is allowed once it is out of back-off
    assert.equal(b.isInBackOffSince('k', t), i > 0, `exit ${i}`);
    if (i > 0) {
      const until = b.endsAt('k', t)!;
      delays.push(until - t);
      clock.set(until);
      assert.equal(b.isInBackOffSince('k', t), false);
    }
    b.next('k', t);
    t = clock.now() + 1000; // it runs for a second, then exits again
    clock.set(t);
  }
  assert.deepEqual(delays, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test('back-off starts over after running for more than 10 minutes', () => {
  const clock = new FakeClock(0);
  const b = new Backoff(clock);
  b.next('k', 0);
  b.next('k', 20_000);
  assert.equal(b.get('k'), 20_000);
  // the next exit comes 10 min + 1 s after the last update: the entry expired
  const t = 20_000 + 601_000;
  clock.set(t);
  assert.equal(b.isInBackOffSince('k', t), false);
  b.next('k', t);
  assert.equal(b.get('k'), 10_000);
});

test('pull back-off counts from the last failure; forgetPrefix drops a pod\'s keys', () => {
  const clock = new FakeClock(0);
  const b = new Backoff(clock);
  b.next('uid1_img', 0);
  b.next('uid2_img', 0);
  clock.set(9_999);
  assert.equal(b.isInBackOffSinceUpdate('uid1_img'), true);
  assert.equal(b.updateEndsAt('uid1_img'), 10_000);
  clock.set(10_000);
  assert.equal(b.isInBackOffSinceUpdate('uid1_img'), false);
  b.forgetPrefix('uid1_');
  assert.equal(b.get('uid1_img'), 0);
  assert.equal(b.get('uid2_img'), 10_000);
});
