import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from '../../client/clock.js';
import { TimerQueue } from './timerqueue.js';

function setup(batchMs = 0) {
  const clock = new FakeClock(0);
  const fired: [string, number][] = [];
  const ac = new AbortController();
  const q = new TimerQueue<string>((k) => fired.push([k, clock.now()]), { clock, batchMs, signal: ac.signal });
  return { clock, fired, q, ac };
}

describe('TimerQueue', () => {
  const cases: { name: string; ops: (q: TimerQueue<string>) => void; advance: number; want: [string, number][]; batch?: number }[] = [
    { name: 'fires in deadline order', ops: (q) => { q.schedule('b', 20); q.schedule('a', 10); q.schedule('c', 30); }, advance: 100, want: [['a', 10], ['b', 20], ['c', 30]] },
    { name: 'schedule replaces an earlier deadline', ops: (q) => { q.schedule('a', 10); q.schedule('a', 50); }, advance: 100, want: [['a', 50]] },
    { name: 'schedule replaces a later deadline', ops: (q) => { q.schedule('a', 50); q.schedule('a', 5); }, advance: 100, want: [['a', 5]] },
    { name: 'scheduleEarliest keeps the earlier one', ops: (q) => { q.schedule('a', 10); q.scheduleEarliest('a', 50); }, advance: 100, want: [['a', 10]] },
    { name: 'cancel drops the key', ops: (q) => { q.schedule('a', 10); q.schedule('b', 20); q.cancel('a'); }, advance: 100, want: [['b', 20]] },
    { name: 'nothing fires before its time', ops: (q) => { q.schedule('a', 10); q.schedule('b', 200); }, advance: 100, want: [['a', 10]] },
    { name: 'deadlines within the batch window fire in one wakeup', ops: (q) => { q.schedule('a', 10); q.schedule('b', 14); q.schedule('c', 40); }, advance: 100, batch: 5, want: [['a', 10], ['b', 10], ['c', 40]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { clock, fired, q, ac } = setup(c.batch ?? 0);
      c.ops(q);
      clock.advance(c.advance);
      assert.deepEqual(fired, c.want);
      ac.abort();
      assert.equal(clock.pending(), 0);
    });
  }

  it('uses one armed timer for many keys and none when empty', () => {
    const { clock, q, ac } = setup();
    for (let i = 0; i < 1000; i++) q.schedule(`k${i}`, 1000 + i);
    assert.equal(clock.pending(), 1);
    assert.equal(q.size, 1000);
    clock.advance(5000);
    assert.equal(q.size, 0);
    assert.equal(clock.pending(), 0);
    ac.abort();
  });

  it('a key rescheduled from its own callback fires again', () => {
    const clock = new FakeClock(0);
    let n = 0;
    const q: TimerQueue<string> = new TimerQueue<string>((k) => { n++; if (n < 3) q.schedule(k, clock.now() + 10); }, { clock, batchMs: 0 });
    q.schedule('x', 10);
    clock.advance(1000);
    assert.equal(n, 3);
    q.stop();
  });

  it('stops on abort: no timers, no more schedules', () => {
    const { clock, fired, q, ac } = setup();
    q.schedule('a', 10);
    ac.abort();
    q.schedule('b', 20);
    clock.advance(100);
    assert.deepEqual(fired, []);
    assert.equal(clock.pending(), 0);
  });

  it('stale entries are compacted', () => {
    const { clock, q, ac } = setup();
    for (let i = 0; i < 5000; i++) q.schedule('same', 100 + i);
    assert.equal(q.size, 1);
    assert.ok((q as unknown as { heap: unknown[] }).heap.length < 2100, 'heap compacted');
    clock.advance(10_000);
    assert.equal(q.size, 0);
    ac.abort();
  });
});
