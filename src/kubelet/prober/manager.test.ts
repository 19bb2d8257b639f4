import assert from 'node:assert/strict';
import http from 'node:http';
import type net from 'node:net';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { FakeClock } from '../../client/clock.js';
import { EVENTS, EventRecorder } from '../../client/events.js';
import { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { ProbeManager } from './manager.js';
import type { ProbeRuntime } from './types.js';

interface Ev { kind: string; name: string; type: string; reason: string; message: string }

/** Exit codes by the probe command's last word ("live", "ready", "start"); 1 prints "boom". */
type Script = Record<string, number | 'error' | 'hang'>;

function setup(o: { random?: number; script?: Script; clock?: FakeClock } = {}) {
  const clock = o.clock ?? new FakeClock();
  const script: Script = { live: 0, ready: 0, start: 0, ...o.script };
  const events: Ev[] = [];
  const changes: string[] = [];
  const calls: string[] = [];
  const hung: (() => void)[] = [];
  const runtime: ProbeRuntime = {
    execSync: (id, cmd) => {
      const what = cmd[cmd.length - 1];
      calls.push(`${id}:${what}`);
      const r = script[what];
      if (r === 'error') return Promise.reject(new Error('CRI ExecSync: NOT_FOUND: no such container'));
      if (r === 'hang') return new Promise((resolve) => hung.push(() => resolve({ exitCode: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) })));
      return Promise.resolve({ exitCode: r, stdout: Buffer.from(r ? 'boom\n' : 'ok\n'), stderr: Buffer.alloc(0) });
    },
  };
  const recorder = { event: (obj: Obj, type: string, reason: string, message: string) => events.push({ kind: obj.kind, name: obj.metadata.name, type, reason, message }) };
  const m = new ProbeManager({ runtime, recorder, clock, onChange: (uid) => changes.push(uid), random: () => o.random ?? 0, log: silentLogger });
  /** Fires due timers, then lets the probes they started finish. */
  const tick = async (ms: number) => {
    clock.advance(ms);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  };
  return { clock, script, events, changes, calls, hung, m, tick };
}

const execProbe = (what: string, extra: Obj = {}): Obj => ({ exec: { command: ['check', what] }, periodSeconds: 10, ...extra });

function pod(container: Obj, spec: Obj = {}): Obj {
  return { metadata: { name: 'web', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'c', image: 'busybox', ...container }], ...spec } };
}

describe('ProbeManager liveness', () => {
  for (const failureThreshold of [1, 3]) {
    it(`fails after ${failureThreshold} consecutive failures, then holds until a new container`, async () => {
      const t = setup({ script: { live: 1 } });
      t.m.addContainer(pod({ livenessProbe: execProbe('live', { failureThreshold }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
      await t.tick(0);
      for (let i = 1; i < failureThreshold; i++) {
        assert.equal(t.m.livenessFailure('u1', 'c'), undefined, `not yet after ${i} failure(s)`);
        await t.tick(10_000);
      }
      assert.equal(t.m.livenessFailure('u1', 'c'), 'Container c failed liveness probe, will be restarted');
      assert.deepEqual(t.changes, ['u1']);
      assert.equal(t.events.length, failureThreshold);
      assert.deepEqual(t.events[0], { kind: 'Pod', name: 'web', type: 'Warning', reason: 'Unhealthy', message: 'Liveness probe failed: boom\n' });
      assert.equal(t.calls.length, failureThreshold);

      await t.tick(30_000);
      assert.equal(t.calls.length, failureThreshold, 'on hold: no probes while the container is being killed');

      t.script.live = 0;
      t.m.addContainer(pod({ livenessProbe: execProbe('live', { failureThreshold }) }), 'c', 'id2', '10.42.0.5', new Date(t.clock.now()));
      assert.equal(t.m.livenessFailure('u1', 'c'), undefined, 'the new instance starts healthy');
      await t.tick(0);
      assert.equal(t.calls.at(-1), 'id2:live');
      t.m.stop();
      assert.equal(t.clock.pending(), 0);
    });
  }

  it('a success in between resets the failure run', async () => {
    const t = setup({ script: { live: 1 } });
    t.m.addContainer(pod({ livenessProbe: execProbe('live', { failureThreshold: 2 }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0); // fail
    t.script.live = 0;
    await t.tick(10_000); // ok
    t.script.live = 1;
    await t.tick(10_000); // fail
    assert.equal(t.m.livenessFailure('u1', 'c'), undefined);
    await t.tick(10_000); // fail
    assert.equal(t.m.livenessFailure('u1', 'c'), 'Container c failed liveness probe, will be restarted');
    t.m.stop();
  });

  const messages: { name: string; p: Obj; container: string; want: string }[] = [
    { name: 'restartPolicy Never: no restart', p: pod({ livenessProbe: execProbe('live', { failureThreshold: 1 }) }, { restartPolicy: 'Never' }), container: 'c', want: 'Container c failed liveness probe' },
    { name: 'restartPolicy OnFailure restarts', p: pod({ livenessProbe: execProbe('live', { failureThreshold: 1 }) }, { restartPolicy: 'OnFailure' }), container: 'c', want: 'Container c failed liveness probe, will be restarted' },
    {
      name: 'a sidecar always restarts',
      p: pod({}, { restartPolicy: 'Never', initContainers: [{ name: 'side', restartPolicy: 'Always', livenessProbe: execProbe('live', { failureThreshold: 1 }) }] }),
      container: 'side', want: 'Container side failed liveness probe, will be restarted',
    },
  ];
  for (const tc of messages) {
    it(`Killing message: ${tc.name}`, async () => {
      const t = setup({ script: { live: 1 } });
      t.m.addContainer(tc.p, tc.container, 'id1', '10.42.0.5', new Date(t.clock.now()));
      await t.tick(0);
      assert.equal(t.m.livenessFailure('u1', tc.container), tc.want);
      t.m.stop();
    });
  }

  it('probeFailure carries the probe-level grace period', async () => {
    const t = setup({ script: { live: 1 } });
    t.m.addContainer(pod({ livenessProbe: execProbe('live', { failureThreshold: 1, terminationGracePeriodSeconds: 3 }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    assert.deepEqual(t.m.probeFailure('u1', 'c'), {
      probe: 'Liveness', reason: 'LivenessProbe', message: 'Container c failed liveness probe, will be restarted', terminationGracePeriodSeconds: 3,
    });
    t.m.stop();
  });

  it('initialDelaySeconds: no probe before the delay has passed', async () => {
    const t = setup({ script: { live: 1 } });
    t.m.addContainer(pod({ livenessProbe: execProbe('live', { initialDelaySeconds: 15, failureThreshold: 1 }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    await t.tick(10_000);
    assert.deepEqual(t.calls, [], 'ticks at 0 s and 10 s are inside the delay');
    await t.tick(10_000);
    assert.deepEqual(t.calls, ['id1:live']);
    t.m.stop();
  });

  it('a terminating pod is not killed by its liveness probe', async () => {
    const t = setup({ script: { live: 1 } });
    const p = pod({ livenessProbe: execProbe('live', { failureThreshold: 1 }) });
    t.m.addContainer(p, 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    t.m.updatePod({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } });
    await t.tick(0);
    assert.deepEqual(t.calls, []);
    assert.equal(t.m.livenessFailure('u1', 'c'), undefined);
    assert.equal(t.clock.pending(), 0, 'the worker stopped');
    t.m.stop();
  });

  it('stopLivenessAndStartup stops them for good', async () => {
    const t = setup({ script: { live: 1, start: 1 } });
    t.m.addContainer(pod({ livenessProbe: execProbe('live', { failureThreshold: 1 }), startupProbe: execProbe('start') }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    t.m.stopLivenessAndStartup('u1');
    await t.tick(60_000);
    assert.deepEqual(t.calls, []);
    assert.equal(t.m.started('u1', 'c'), true, 'no startup worker any more: started');
    assert.equal(t.m.livenessFailure('u1', 'c'), undefined);
    t.m.stop();
  });
});

describe('ProbeManager readiness', () => {
  it('false until successThreshold successes, false again after failureThreshold failures', async () => {
    const t = setup();
    t.m.addContainer(pod({ readinessProbe: execProbe('ready', { successThreshold: 2, failureThreshold: 2 }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    const steps: { exit: number; ready: boolean }[] = [
      { exit: 0, ready: false }, { exit: 0, ready: true }, { exit: 1, ready: true }, { exit: 0, ready: true }, { exit: 1, ready: true }, { exit: 1, ready: false }, { exit: 0, ready: false }, { exit: 0, ready: true },
    ];
    for (const [i, s] of steps.entries()) {
      t.script.ready = s.exit;
      await t.tick(i === 0 ? 0 : 10_000);
      assert.equal(t.m.ready('u1', 'c'), s.ready, `step ${i}`);
    }
    assert.deepEqual(t.changes, ['u1', 'u1', 'u1'], 'one onChange per flip');
    assert.deepEqual(t.events.map((e) => e.message), ['Readiness probe failed: boom\n', 'Readiness probe failed: boom\n', 'Readiness probe failed: boom\n']);
    t.m.stop();
  });

  it('asking before the first probe triggers it at once', async () => {
    const t = setup({ random: 0.9 }); // the first tick would come 9 s later
    t.m.addContainer(pod({ readinessProbe: execProbe('ready') }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    assert.equal(t.m.ready('u1', 'c'), false);
    await t.tick(0);
    assert.deepEqual(t.calls, ['id1:ready']);
    assert.equal(t.m.ready('u1', 'c'), true);
    assert.deepEqual(t.changes, ['u1']);
    t.m.stop();
    assert.equal(t.clock.pending(), 0);
  });

  it('no readiness probe: ready once running; unknown containers are neither', () => {
    const t = setup();
    t.m.addContainer(pod({}), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    assert.equal(t.m.ready('u1', 'c'), true);
    assert.equal(t.m.started('u1', 'c'), true);
    assert.equal(t.m.ready('u1', 'other'), false);
    assert.equal(t.m.started('u1', 'other'), false);
    assert.equal(t.m.livenessFailure('u1', 'c'), undefined);
    t.m.removeContainer('u1', 'c');
    assert.equal(t.m.ready('u1', 'c'), false, 'a stopped container is not ready');
    t.m.stop();
  });

  it('an erroring probe is retried, reported once and changes nothing', async () => {
    const t = setup({ script: { ready: 'error' } });
    t.m.addContainer(pod({ readinessProbe: execProbe('ready', { failureThreshold: 1 }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    assert.equal(t.calls.length, 3, 'three attempts');
    assert.deepEqual(t.events.map((e) => `${e.reason}: ${e.message}`), ['Unhealthy: Readiness probe errored and resulted in unknown state: CRI ExecSync: NOT_FOUND: no such container']);
    assert.equal(t.m.ready('u1', 'c'), false);
    assert.deepEqual(t.changes, []);
    t.m.stop();
  });
});

describe('ProbeManager startup', () => {
  it('gates liveness and readiness until it passes', async () => {
    const t = setup({ script: { start: 1, live: 1 } });
    const c = { startupProbe: execProbe('start', { periodSeconds: 5, failureThreshold: 10 }), livenessProbe: execProbe('live', { failureThreshold: 1 }), readinessProbe: execProbe('ready') };
    t.m.addContainer(pod(c), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    await t.tick(5_000);
    await t.tick(5_000);
    assert.equal(t.m.started('u1', 'c'), false);
    assert.equal(t.m.ready('u1', 'c'), false);
    assert.deepEqual([...new Set(t.calls)], ['id1:start'], 'only the startup probe runs');
    assert.deepEqual(t.events.map((e) => e.message), ['Startup probe failed: boom\n', 'Startup probe failed: boom\n', 'Startup probe failed: boom\n']);

    t.script.start = 0;
    t.script.live = 0;
    await t.tick(5_000);
    assert.equal(t.m.started('u1', 'c'), true);
    assert.deepEqual(t.changes, ['u1']);
    assert.equal(t.m.ready('u1', 'c'), false, 'readiness has not run yet...');
    await t.tick(0);
    assert.equal(t.m.ready('u1', 'c'), true, '...and is triggered by the question');
    const before = t.calls.filter((x) => x.endsWith('start')).length;
    await t.tick(20_000);
    assert.equal(t.calls.filter((x) => x.endsWith('start')).length, before, 'startup stops once started');
    assert.ok(t.calls.includes('id1:live'), 'liveness runs now');
    t.m.stop();
  });

  it('failing startup kills the container', async () => {
    const t = setup({ script: { start: 1 } });
    t.m.addContainer(pod({ startupProbe: execProbe('start', { failureThreshold: 2 }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    await t.tick(10_000);
    assert.deepEqual(t.m.probeFailure('u1', 'c'), { probe: 'Startup', reason: 'StartupProbe', message: 'Container c failed startup probe, will be restarted' });
    assert.equal(t.m.started('u1', 'c'), false);
    assert.deepEqual(t.changes, ['u1']);
    await t.tick(30_000);
    assert.equal(t.calls.length, 2, 'on hold');
    t.m.stop();
  });
});

describe('ProbeManager timing', () => {
  it('jitters the first probe while the kubelet has just started', async () => {
    const t = setup({ random: 0.5 });
    t.m.addContainer(pod({ livenessProbe: execProbe('live') }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(4_999);
    assert.deepEqual(t.calls, []);
    await t.tick(1);
    assert.deepEqual(t.calls, ['id1:live']);
    await t.tick(10_000);
    assert.equal(t.calls.length, 2, 'then every period');
    t.m.stop();
  });

  it('no jitter once the kubelet has run for a period', async () => {
    const t = setup({ random: 0.5 });
    await t.tick(10_000);
    t.m.addContainer(pod({ livenessProbe: execProbe('live') }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    assert.deepEqual(t.calls, ['id1:live']);
    t.m.stop();
  });

  it('probes never overlap; a tick during a slow probe runs right after it', async () => {
    const t = setup({ script: { live: 'hang' } });
    t.m.addContainer(pod({ livenessProbe: execProbe('live', { timeoutSeconds: 60 }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    await t.tick(10_000);
    await t.tick(10_000);
    assert.equal(t.calls.length, 1);
    t.hung.shift()!();
    await t.tick(0);
    assert.equal(t.calls.length, 2, 'the missed ticks collapse into one probe');
    t.m.stop();
  });

  it('removing a container drops its in-flight result and its timers', async () => {
    const t = setup({ script: { ready: 'hang' } });
    t.m.addContainer(pod({ readinessProbe: execProbe('ready', { timeoutSeconds: 60 }) }), 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    t.m.removeContainer('u1', 'c');
    await t.tick(0);
    assert.equal(t.clock.pending(), 0, 'ticker and the probe deadline are gone');
    t.hung.shift()!();
    await t.tick(0);
    assert.deepEqual(t.changes, []);
    assert.equal(t.m.ready('u1', 'c'), false);
  });

  it('removePod and stop clear everything', async () => {
    const t = setup();
    const p = pod({ livenessProbe: execProbe('live'), readinessProbe: execProbe('ready'), startupProbe: execProbe('start') });
    t.m.addContainer(p, 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    t.m.addContainer({ ...p, metadata: { ...p.metadata, uid: 'u2' } }, 'c', 'id2', '10.42.0.6', new Date(t.clock.now()));
    assert.equal(t.clock.pending(), 6);
    t.m.removePod('u1');
    assert.equal(t.clock.pending(), 3);
    t.m.stop();
    assert.equal(t.clock.pending(), 0);
    t.m.addContainer(p, 'c', 'id3', '10.42.0.5', new Date(t.clock.now()));
    assert.equal(t.clock.pending(), 0, 'a stopped manager starts nothing');
  });

  it('re-adding the same container id keeps its state', async () => {
    const t = setup();
    const p = pod({ readinessProbe: execProbe('ready') });
    t.m.addContainer(p, 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    await t.tick(0);
    assert.equal(t.m.ready('u1', 'c'), true);
    t.m.addContainer(p, 'c', 'id1', '10.42.0.5', new Date(t.clock.now()));
    assert.equal(t.m.ready('u1', 'c'), true);
    t.m.stop();
  });
});

describe('ProbeManager with the real EventRecorder', () => {
  it('repeated failures become one Unhealthy Event with a count', async () => {
    const clock = new FakeClock();
    const fake = new FakeClient();
    const recorder = new EventRecorder(fake, { component: 'kubelet', host: 'node-1', log: silentLogger, now: () => new Date(clock.now()) });
    const runtime: ProbeRuntime = { execSync: async () => ({ exitCode: 1, stdout: Buffer.alloc(0), stderr: Buffer.from("cat: can't open '/tmp/healthy': No such file or directory\n") }) };
    const m = new ProbeManager({ runtime, recorder, clock, onChange: () => undefined, random: () => 0, log: silentLogger });
    m.addContainer(pod({ livenessProbe: execProbe('live', { failureThreshold: 2 }) }), 'c', 'id1', '10.42.0.5', new Date(clock.now()));
    for (const ms of [0, 10_000]) {
      clock.advance(ms);
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    }
    await recorder.flush();
    const evs = fake.objects(EVENTS, 'ns');
    assert.equal(evs.length, 1);
    assert.equal(evs[0].type, 'Warning');
    assert.equal(evs[0].reason, 'Unhealthy');
    assert.equal(evs[0].message, "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");
    assert.equal(evs[0].count, 2);
    assert.deepEqual(evs[0].involvedObject, { kind: 'Pod', namespace: 'ns', name: 'web', uid: 'u1', apiVersion: 'v1', fieldPath: 'spec.containers{c}' });
    assert.equal(m.livenessFailure('u1', 'c'), 'Container c failed liveness probe, will be restarted');
    m.stop();
  });
});

describe('ProbeManager with network probes', () => {
  it('the not-ready pod of the probes scenario: readiness 404, liveness tcp ok', async () => {
    const server = http.createServer((req, res) => {
      res.statusCode = req.url === '/index.html' ? 200 : 404;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const t = setup();
    try {
      const p = pod({
        readinessProbe: { httpGet: { path: '/missing.html', port }, periodSeconds: 2 },
        livenessProbe: { tcpSocket: { port }, periodSeconds: 2 },
      });
      t.m.addContainer(p, 'c', 'id1', '127.0.0.1', new Date(t.clock.now()));
      for (let i = 0; i < 4; i++) {
        t.clock.advance(i === 0 ? 0 : 2_000);
        const want = i + 1;
        await until(() => t.events.length >= want);
      }
      assert.equal(t.m.ready('u1', 'c'), false);
      assert.equal(t.m.livenessFailure('u1', 'c'), undefined);
      assert.deepEqual(new Set(t.events.map((e) => e.message)), new Set(['Readiness probe failed: HTTP probe failed with statuscode: 404']));
    } finally {
      t.m.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}
