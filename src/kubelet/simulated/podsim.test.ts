import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { KILLED_EXIT_CODE, parseDuration, recoverStartAt, simulatePod } from './podsim.js';

const T0 = Date.UTC(2025, 0, 1, 0, 0, 0);
const sec = (s: number): number => T0 + s * 1000;

function pod(o: { restartPolicy?: string; exitAfter?: string; exitCode?: string; containers?: Obj[]; initContainers?: Obj[] } = {}): Obj {
  const annotations: Record<string, string> = {};
  if (o.exitAfter) annotations['skiff.dev/simulate-exit-after'] = o.exitAfter;
  if (o.exitCode) annotations['skiff.dev/simulate-exit-code'] = o.exitCode;
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u1', annotations },
    spec: { restartPolicy: o.restartPolicy ?? 'Always', containers: o.containers ?? [{ name: 'c', image: 'busybox' }], ...(o.initContainers ? { initContainers: o.initContainers } : {}) },
  };
}

const state = (s: Obj): string => Object.keys(s.state)[0];

describe('parseDuration', () => {
  const cases: [unknown, number | undefined][] = [['2s', 2000], ['500ms', 500], ['1m30s', 90_000], ['1.5h', 5_400_000], ['3', 3000], ['', undefined], ['2x', undefined], ['s', undefined], [undefined, undefined]];
  for (const [input, want] of cases) it(String(input), () => assert.equal(parseDuration(input), want));
});

describe('simulatePod', () => {
  const cases: {
    name: string; pod: Obj; at: number; killedAt?: number;
    want: { phase: string; states: string[]; restarts?: number[]; ready?: boolean[]; nextAt?: number; exitCodes?: (number | undefined)[]; reason?: string };
  }[] = [
    { name: 'runs forever without annotations', pod: pod(), at: sec(3600), want: { phase: 'Running', states: ['running'], restarts: [0], ready: [true], nextAt: undefined } },
    { name: 'Never, exit 0 → Succeeded/Completed', pod: pod({ restartPolicy: 'Never', exitAfter: '2s' }), at: sec(2), want: { phase: 'Succeeded', states: ['terminated'], exitCodes: [0], reason: 'Completed' } },
    { name: 'Never, before the exit: Running, next change at the exit', pod: pod({ restartPolicy: 'Never', exitAfter: '2s' }), at: sec(1), want: { phase: 'Running', states: ['running'], nextAt: sec(2) } },
    { name: 'Never, exit 3 → Failed/Error', pod: pod({ restartPolicy: 'Never', exitAfter: '2s', exitCode: '3' }), at: sec(5), want: { phase: 'Failed', states: ['terminated'], exitCodes: [3], reason: 'Error' } },
    { name: 'OnFailure, exit 0 → Succeeded', pod: pod({ restartPolicy: 'OnFailure', exitAfter: '1s' }), at: sec(5), want: { phase: 'Succeeded', states: ['terminated'], exitCodes: [0] } },
    { name: 'OnFailure, exit 1: first restart is immediate', pod: pod({ restartPolicy: 'OnFailure', exitAfter: '1s', exitCode: '1' }), at: sec(1.5), want: { phase: 'Running', states: ['running'], restarts: [1], nextAt: sec(2) } },
    { name: 'OnFailure, exit 1 twice: CrashLoopBackOff 10s', pod: pod({ restartPolicy: 'OnFailure', exitAfter: '1s', exitCode: '1' }), at: sec(2.5), want: { phase: 'Running', states: ['waiting'], restarts: [1], ready: [false], nextAt: sec(12) } },
    { name: 'OnFailure: back-off doubles', pod: pod({ restartPolicy: 'OnFailure', exitAfter: '1s', exitCode: '1' }), at: sec(13.5), want: { phase: 'Running', states: ['waiting'], restarts: [2], nextAt: sec(33) } },
    { name: 'Always restarts after exit 0 too', pod: pod({ exitAfter: '1s' }), at: sec(1.2), want: { phase: 'Running', states: ['running'], restarts: [1] } },
    { name: 'killed for deletion: terminated 143, Failed', pod: pod(), at: sec(10), killedAt: sec(10), want: { phase: 'Failed', states: ['terminated'], exitCodes: [KILLED_EXIT_CODE], reason: 'Error' } },
    { name: 'deletion pending: still running, next change at the kill', pod: pod(), at: sec(10), killedAt: sec(11), want: { phase: 'Running', states: ['running'], nextAt: sec(11) } },
    {
      name: 'readiness probe delay', pod: pod({ containers: [{ name: 'c', image: 'x', readinessProbe: { initialDelaySeconds: 5 } }] }), at: sec(2),
      want: { phase: 'Running', states: ['running'], ready: [false], nextAt: sec(5) },
    },
    {
      name: 'containers sorted by name', pod: pod({ containers: [{ name: 'z', image: 'x' }, { name: 'a', image: 'x' }] }), at: sec(1),
      want: { phase: 'Running', states: ['running', 'running'] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = simulatePod(c.pod, { startAt: T0, killedAt: c.killedAt }, c.at);
      assert.equal(r.phase, c.want.phase);
      assert.deepEqual(r.containerStatuses.map(state), c.want.states);
      if (c.want.restarts) assert.deepEqual(r.containerStatuses.map((s) => s.restartCount), c.want.restarts);
      if (c.want.ready) assert.deepEqual(r.containerStatuses.map((s) => s.ready), c.want.ready);
      if ('nextAt' in c.want) assert.equal(r.nextAt, c.want.nextAt);
      if (c.want.exitCodes) assert.deepEqual(r.containerStatuses.map((s) => s.state.terminated?.exitCode), c.want.exitCodes);
      if (c.want.reason) assert.equal(r.containerStatuses[0].state.terminated.reason, c.want.reason);
      assert.equal(r.terminal, c.want.phase === 'Succeeded' || c.want.phase === 'Failed');
    });
  }

  it('container status fields look like a CRI runtime reported them', () => {
    const r = simulatePod(pod({ containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: true }] }] }), { startAt: T0 }, sec(1));
    const s = r.containerStatuses[0];
    assert.equal(s.image, 'docker.io/library/busybox:latest');
    assert.match(s.imageID, /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
    assert.match(s.containerID, /^sim:\/\/[0-9a-f]{64}$/);
    assert.equal(s.state.running.startedAt, '2025-01-01T00:00:00Z');
    assert.deepEqual(s.lastState, {});
    assert.equal(s.started, true);
    assert.deepEqual(s.volumeMounts, [{ name: 'v', mountPath: '/v', readOnly: true, recursiveReadOnly: 'Disabled' }]);
  });

  it('a restarted container shows its last termination and a new container ID', () => {
    const r = simulatePod(pod({ exitAfter: '1s', exitCode: '2' }), { startAt: T0 }, sec(1.5));
    const s = r.containerStatuses[0];
    assert.equal(s.lastState.terminated.exitCode, 2);
    assert.equal(s.lastState.terminated.reason, 'Error');
    assert.notEqual(s.lastState.terminated.containerID, s.containerID);
  });

  it('CrashLoopBackOff message as the kubelet writes it', () => {
    const r = simulatePod(pod({ exitAfter: '1s', exitCode: '1' }), { startAt: T0 }, sec(2.5));
    assert.equal(r.containerStatuses[0].state.waiting.message, 'back-off 10s restarting failed container=c pod=p_ns(u1)');
  });

  it('init containers complete at once; sidecars run and stop when the app finishes', () => {
    const p = pod({ restartPolicy: 'Never', exitAfter: '3s', initContainers: [{ name: 'init', image: 'x' }, { name: 'side', image: 'x', restartPolicy: 'Always' }] });
    const mid = simulatePod(p, { startAt: T0 }, sec(1));
    assert.deepEqual(mid.initContainerStatuses.map((s) => [s.name, state(s), s.ready]), [['init', 'terminated', true], ['side', 'running', true]]);
    assert.equal(mid.initContainerStatuses[0].state.terminated.reason, 'Completed');
    assert.equal(mid.phase, 'Running');
    const end = simulatePod(p, { startAt: T0 }, sec(4));
    assert.equal(end.phase, 'Succeeded');
    assert.equal(state(end.initContainerStatuses[1]), 'terminated');
  });
});

describe('recoverStartAt', () => {
  it('finds the first start of a crash-looping container from its posted status', () => {
    const p = pod({ exitAfter: '1s', exitCode: '1' });
    for (const at of [1.5, 2.5, 13, 40]) {
      const r = simulatePod(p, { startAt: T0 }, sec(at));
      const posted = { ...p, status: { containerStatuses: r.containerStatuses, startTime: '2025-01-01T00:00:00Z' } };
      const t = recoverStartAt(posted)!;
      assert.equal(t, T0, `at ${at}s`);
      assert.deepEqual(simulatePod(posted, { startAt: t }, sec(at)).containerStatuses, r.containerStatuses, `same statuses at ${at}s`);
    }
  });
  it('undefined without container statuses', () => assert.equal(recoverStartAt(pod()), undefined));
});
