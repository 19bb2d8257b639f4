import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClient } from './fake.js';
import { LEASES, LeaderElector } from './leaderelection.js';
import { silentLogger } from './log.js';

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Fast timings; the lease itself is recorded in whole seconds (1 s). */
const FAST = { leaseDurationMs: 1000, renewDeadlineMs: 300, retryPeriodMs: 40 };

function candidate(client: FakeClient, identity: string, extra: Partial<ConstructorParameters<typeof LeaderElector>[0]> = {}) {
  const state = { leading: false, started: 0, stopped: 0, leaders: [] as string[] };
  const el = new LeaderElector({
    client, namespace: 'kube-system', name: 'kube-controller-manager', identity, log: silentLogger, ...FAST,
    onStartedLeading: (signal) => {
      state.started++;
      state.leading = true;
      signal.addEventListener('abort', () => (state.leading = false));
    },
    onStoppedLeading: () => void state.stopped++,
    onNewLeader: (id) => void state.leaders.push(id),
    ...extra,
  });
  return { el, state };
}

describe('leader election', () => {
  it('creates the lease, renews it, and releases it on abort', async () => {
    const fake = new FakeClient();
    const a = candidate(fake, 'a');
    const ac = new AbortController();
    const run = a.el.run(ac.signal);
    await until(() => a.state.leading, 'a to lead');
    const lease = fake.object(LEASES, 'kube-system', 'kube-controller-manager')!;
    assert.equal(lease.spec.holderIdentity, 'a');
    assert.equal(lease.spec.leaseDurationSeconds, 1);
    assert.equal(lease.spec.leaseTransitions, 0);
    assert.match(lease.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'MicroTime');
    await until(() => fake.object(LEASES, 'kube-system', 'kube-controller-manager')!.spec.renewTime !== lease.spec.renewTime, 'a renewal');
    assert.equal(fake.object(LEASES, 'kube-system', 'kube-controller-manager')!.spec.acquireTime, lease.spec.acquireTime, 'renewals keep acquireTime');
    assert.ok(a.el.isLeader());
    ac.abort();
    await run;
    assert.equal(a.state.leading, false);
    assert.equal(a.state.stopped, 1);
    const released = fake.object(LEASES, 'kube-system', 'kube-controller-manager')!;
    assert.equal(released.spec.holderIdentity, '');
    assert.equal(released.spec.leaseDurationSeconds, 1);
    assert.deepEqual(a.state.leaders, ['a']);
  });

  it('a second candidate waits while the leader renews, and takes over after a release', async () => {
    const fake = new FakeClient();
    const a = candidate(fake, 'a');
    const b = candidate(fake, 'b');
    const acA = new AbortController();
    const acB = new AbortController();
    const runA = a.el.run(acA.signal);
    await until(() => a.state.leading, 'a to lead');
    const runB = b.el.run(acB.signal);
    await new Promise((r) => setTimeout(r, 200)); // several of b's retry periods
    assert.equal(b.state.started, 0, 'b must not lead while a renews');
    assert.equal(b.el.getLeader(), 'a');
    acA.abort();
    await runA;
    await until(() => b.state.leading, 'b to take over');
    const lease = fake.object(LEASES, 'kube-system', 'kube-controller-manager')!;
    assert.equal(lease.spec.holderIdentity, 'b');
    assert.equal(lease.spec.leaseTransitions, 1);
    assert.deepEqual(b.state.leaders, ['a', 'b']);
    acB.abort();
    await runB;
  });

  it('takes over a lease whose holder stopped renewing once it has expired', async () => {
    const fake = new FakeClient();
    fake.seed(LEASES, {
      metadata: { name: 'kube-controller-manager', namespace: 'kube-system' },
      spec: { holderIdentity: 'dead', leaseDurationSeconds: 1, renewTime: '2020-01-01T00:00:00.000000Z', leaseTransitions: 4 },
    });
    const b = candidate(fake, 'b');
    const ac = new AbortController();
    const started = Date.now();
    const run = b.el.run(ac.signal);
    await until(() => b.state.leading, 'b to lead');
    // validity is judged on b's clock from when it first saw the record, not the stale renewTime
    assert.ok(Date.now() - started >= 900, 'waited out the lease duration');
    assert.equal(fake.object(LEASES, 'kube-system', 'kube-controller-manager')!.spec.leaseTransitions, 5);
    ac.abort();
    await run;
  });

  it('steps down when it cannot renew within the renew deadline', async () => {
    const fake = new FakeClient();
    const a = candidate(fake, 'a');
    const ac = new AbortController();
    const run = a.el.run(ac.signal);
    await until(() => a.state.leading, 'a to lead');
    fake.prependReactor('update', 'leases', () => {
      throw new Error('apiserver unreachable');
    });
    await run; // returns by itself: leadership lost
    assert.equal(a.state.leading, false);
    assert.equal(a.state.stopped, 1);
    assert.equal(ac.signal.aborted, false);
  });

  it('rejects inconsistent timings', () => {
    assert.throws(() => new LeaderElector({ client: new FakeClient(), namespace: 'n', name: 'l', identity: 'i', leaseDurationMs: 10, renewDeadlineMs: 10, onStartedLeading: () => undefined }));
    assert.throws(() => new LeaderElector({ client: new FakeClient(), namespace: 'n', name: 'l', identity: 'i', renewDeadlineMs: 100, retryPeriodMs: 100, onStartedLeading: () => undefined }));
  });
});
