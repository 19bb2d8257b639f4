import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from './log.js';
import {
  BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, WorkQueue, defaultControllerRateLimiter,
  runWorkers, type RateLimiter,
} from './workqueue.js';

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A limiter with a fixed delay, counting calls. */
function fixed(ms: number): RateLimiter<string> & { calls: number } {
  const counts = new Map<string, number>();
  return {
    calls: 0,
    when(item) {
      this.calls++;
      counts.set(item, (counts.get(item) ?? 0) + 1);
      return ms;
    },
    forget: (item) => void counts.delete(item),
    numRequeues: (item) => counts.get(item) ?? 0,
  };
}

describe('WorkQueue basics', () => {
  it('dedupes items waiting in the queue', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
    q.shutdown();
  });

  it('keeps FIFO order across many items', async () => {
    const q = new WorkQueue<number>();
    for (let i = 0; i < 3000; i++) q.add(i);
    for (let i = 0; i < 3000; i++) {
      assert.equal(await q.get(), i);
      q.done(i);
    }
    assert.equal(q.len(), 0);
    q.shutdown();
  });

  it('never hands out an item that is processing; a re-add is delivered after done()', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const item = await q.get();
    assert.equal(item, 'a');
    q.add('a'); // while processing: marked dirty, not queued
    q.add('a');
    assert.equal(q.len(), 0);
    let second: string | undefined;
    const pending = q.get().then((v) => (second = v));
    await tick();
    assert.equal(second, undefined, 'a second worker must not get "a" while it is processing');
    q.done('a');
    await pending;
    assert.equal(second, 'a', 'the re-add is kept and delivered once');
    q.done('a');
    assert.equal(q.len(), 0);
    q.shutdown();
  });

  it('done() without a re-add does not queue again', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.done((await q.get())!);
    assert.equal(q.len(), 0);
    q.shutdown();
  });

  it('a waiting get() receives the next add', async () => {
    const q = new WorkQueue<string>();
    const p = q.get();
    q.add('x');
    assert.equal(await p, 'x');
    q.add('x'); // processing → dirty only
    assert.equal(q.len(), 0);
    q.done('x');
    assert.equal(q.len(), 1);
    q.shutdown();
  });

  it('shutdown resolves waiting gets with undefined and drops queued items', async () => {
    const q = new WorkQueue<string>();
    const waiting = [q.get(), q.get()];
    q.shutdown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
    q.add('late');
    assert.equal(q.len(), 0);
    assert.equal(await q.get(), undefined);
    assert.equal(q.isShuttingDown(), true);
  });

  it('aborting its signal shuts the queue down and clears delayed timers', async () => {
    const ac = new AbortController();
    const q = new WorkQueue<string>({ signal: ac.signal });
    q.addAfter('later', 60_000); // would keep the test process alive if leaked
    const p = q.get();
    ac.abort();
    assert.equal(await p, undefined);
    assert.equal(q.isShuttingDown(), true);
  });

  it('shutdownWithDrain lets processing items finish', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    const a = await q.get();
    let drained = false;
    const d = q.shutdownWithDrain().then(() => (drained = true));
    q.add('c'); // refused while draining
    const b = await q.get();
    assert.equal(b, 'b');
    assert.equal(await q.get(), undefined, 'nothing else is handed out while draining');
    q.done(a!);
    await tick();
    assert.equal(drained, false, 'still processing b');
    q.done(b!);
    await d;
    assert.equal(drained, true);
  });
});

describe('WorkQueue delays', () => {
  it('addAfter delivers after the delay; the earliest requested time wins', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('a', 60_000);
    q.addAfter('a', 5); // earlier: replaces
    q.addAfter('b', 5);
    q.addAfter('b', 60_000); // later: ignored
    assert.equal(q.len(), 0);
    const got = [await q.get(), await q.get()].sort();
    assert.deepEqual(got, ['a', 'b']);
    assert.equal(q.len(), 0);
    q.shutdown(); // clears nothing left, but must not throw
  });

  it('addAfter with no delay adds at once', () => {
    const q = new WorkQueue<string>();
    q.addAfter('a', 0);
    assert.equal(q.len(), 1);
    q.shutdown();
  });

  it('addRateLimited waits the limiter delay and counts requeues; forget resets', async () => {
    const lim = fixed(10);
    const q = new WorkQueue<string>({ rateLimiter: lim });
    q.addRateLimited('a');
    assert.equal(q.len(), 0, 'not available before the delay');
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.numRequeues('a'), 1);
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 2);
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    q.shutdown(); // clears the pending timer of the second addRateLimited
  });

  it('a long rate-limited delay does not leak past shutdown', () => {
    const q = new WorkQueue<string>({ rateLimiter: fixed(3_600_000) });
    q.addRateLimited('x');
    assert.equal(q.len(), 0);
    q.shutdown();
  });
});

describe('rate limiters', () => {
  it('item exponential: 5 ms doubling to the cap, per item, reset by forget', () => {
    const r = new ItemExponentialFailureRateLimiter<string>(5, 1000_000);
    assert.deepEqual([r.when('a'), r.when('a'), r.when('a'), r.when('a')], [5, 10, 20, 40]);
    assert.equal(r.when('b'), 5, 'items are independent');
    assert.equal(r.numRequeues('a'), 4);
    for (let i = 0; i < 40; i++) r.when('a');
    assert.equal(r.when('a'), 1000_000, 'capped at 1000 s');
    r.forget('a');
    assert.equal(r.numRequeues('a'), 0);
    assert.equal(r.when('a'), 5);
  });

  it('token bucket: burst free, then 1/qps apart, refilled over time', () => {
    let now = 0;
    const r = new BucketRateLimiter<string>(10, 100, () => now);
    for (let i = 0; i < 100; i++) assert.equal(r.when(`i${i}`), 0, `burst token ${i}`);
    assert.equal(Math.round(r.when('x')), 100);
    assert.equal(Math.round(r.when('y')), 200);
    now += 1000; // 10 tokens back; debt of 2 repaid, 8 left
    for (let i = 0; i < 8; i++) assert.equal(r.when(`j${i}`), 0);
    assert.equal(Math.round(r.when('z')), 100);
  });

  it('default controller limiter is the max of both', () => {
    let now = 0;
    const r = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter(5, 1000_000), new BucketRateLimiter(10, 100, () => now));
    assert.equal(r.when('a'), 5);
    assert.equal(r.when('a'), 10);
    for (let i = 0; i < 98; i++) r.when(`k${i}`); // bucket empty now
    assert.equal(Math.round(r.when('fresh')), 100, 'bucket delay dominates a first failure');
    r.forget('a');
    assert.equal(r.numRequeues('a'), 0);
    // the real default is wired the same way
    const d = defaultControllerRateLimiter<string>();
    assert.equal(d.when('q'), 5);
    assert.equal(d.numRequeues('q'), 1);
  });
});

describe('runWorkers', () => {
  it('never runs one key in two workers at once, and processes every re-add', async () => {
    const ac = new AbortController();
    const q = new WorkQueue<string>({ rateLimiter: fixed(1) });
    const active = new Set<string>();
    let overlaps = 0;
    const runs = new Map<string, number>();
    const done = runWorkers(q, 8, async (key) => {
      if (active.has(key)) overlaps++;
      active.add(key);
      runs.set(key, (runs.get(key) ?? 0) + 1);
      await tick(2);
      active.delete(key);
    }, ac.signal, { log: silentLogger });
    for (let round = 0; round < 5; round++) {
      for (const k of ['a', 'b', 'c']) q.add(k);
      await tick(1);
    }
    await tick(30);
    ac.abort();
    await done;
    assert.equal(overlaps, 0);
    for (const k of ['a', 'b', 'c']) assert.ok((runs.get(k) ?? 0) >= 2, `${k} re-added while processing ran again`);
  });

  it('throw → rate-limited requeue; success → forget; requeueAfterMs → delayed add', async () => {
    const ac = new AbortController();
    const lim = fixed(1);
    const q = new WorkQueue<string>({ rateLimiter: lim });
    let failsLeft = 3;
    const seen: string[] = [];
    let afterDone!: () => void;
    const allDone = new Promise<void>((r) => (afterDone = r));
    let delayedRuns = 0;
    let requeuesAtSuccess = -1;
    const done = runWorkers(q, 2, async (key) => {
      seen.push(key);
      if (key === 'flaky' && failsLeft-- > 0) throw new Error('boom');
      if (key === 'flaky') requeuesAtSuccess = q.numRequeues('flaky');
      if (key === 'later') {
        delayedRuns++;
        if (delayedRuns === 1) return { requeueAfterMs: 5 };
        afterDone();
      }
    }, ac.signal, { log: silentLogger });
    q.add('flaky');
    q.add('later');
    await allDone;
    await tick(5);
    ac.abort();
    await done;
    assert.equal(seen.filter((k) => k === 'flaky').length, 4);
    assert.equal(requeuesAtSuccess, 3, 'three failures counted before the success');
    assert.equal(q.numRequeues('flaky'), 0, 'success forgets the failures');
    assert.equal(delayedRuns, 2);
    assert.equal(lim.calls, 3, 'only failures hit the rate limiter');
  });

  it('resolves once the signal aborts, even with idle workers', async () => {
    const ac = new AbortController();
    const q = new WorkQueue<string>();
    const done = runWorkers(q, 3, async () => undefined, ac.signal, { log: silentLogger });
    ac.abort();
    await done;
    assert.equal(q.isShuttingDown(), true);
  });
});
