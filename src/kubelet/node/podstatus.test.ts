import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { containersReadyCondition, initializedCondition, normalizeImage, podConditions, podPhase, podReadyCondition } from './podstatus.js';

const running = (name: string, o: Obj = {}): Obj => ({ name, ready: true, started: true, state: { running: { startedAt: 't' } }, ...o });
const terminated = (name: string, exitCode = 0): Obj => ({ name, ready: false, started: false, state: { terminated: { exitCode } } });
const crashLoop = (name: string, exitCode = 1): Obj => ({ name, ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode } } });
const spec = (containers: string[], o: Obj = {}): Obj => ({ containers: containers.map((name) => ({ name })), ...o });

describe('podPhase (kubelet getPhase)', () => {
  const cases: { name: string; spec: Obj; statuses: Obj[]; terminal?: boolean; want: string }[] = [
    { name: 'no statuses yet', spec: spec(['a']), statuses: [], want: 'Pending' },
    { name: 'all running', spec: spec(['a', 'b']), statuses: [running('a'), running('b')], want: 'Running' },
    { name: 'one of two unknown', spec: spec(['a', 'b']), statuses: [running('a')], want: 'Pending' },
    { name: 'Never, all exit 0', spec: spec(['a'], { restartPolicy: 'Never' }), statuses: [terminated('a')], want: 'Succeeded' },
    { name: 'Never, one fails', spec: spec(['a', 'b'], { restartPolicy: 'Never' }), statuses: [terminated('a'), terminated('b', 2)], want: 'Failed' },
    { name: 'Always, all exited: restarting', spec: spec(['a']), statuses: [terminated('a', 1)], want: 'Running' },
    { name: 'Always, exited, pod terminal', spec: spec(['a']), statuses: [terminated('a', 137)], terminal: true, want: 'Failed' },
    { name: 'OnFailure, failed: restarting', spec: spec(['a'], { restartPolicy: 'OnFailure' }), statuses: [crashLoop('a')], want: 'Running' },
    { name: 'OnFailure, succeeded', spec: spec(['a'], { restartPolicy: 'OnFailure' }), statuses: [terminated('a')], want: 'Succeeded' },
    { name: 'init container running', spec: spec(['a'], { initContainers: [{ name: 'i' }] }), statuses: [running('i')], want: 'Pending' },
    { name: 'init container failed, Never', spec: spec(['a'], { restartPolicy: 'Never', initContainers: [{ name: 'i' }] }), statuses: [terminated('i', 1)], want: 'Failed' },
    { name: 'sidecar not started yet keeps Pending', spec: spec(['a'], { initContainers: [{ name: 's', restartPolicy: 'Always' }] }), statuses: [running('s', { started: false })], want: 'Pending' },
    { name: 'sidecar and app running', spec: spec(['a'], { initContainers: [{ name: 's', restartPolicy: 'Always' }] }), statuses: [running('s'), running('a')], want: 'Running' },
    { name: 'app done, sidecar stopped, Never', spec: spec(['a'], { restartPolicy: 'Never', initContainers: [{ name: 's', restartPolicy: 'Always' }] }), statuses: [terminated('s', 143), terminated('a')], want: 'Succeeded' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(podPhase(c.spec, c.statuses, c.terminal ?? false), c.want));
});

describe('kubelet pod conditions', () => {
  it('ContainersReady lists unready and unknown containers as Go prints slices', () => {
    assert.deepEqual(containersReadyCondition(spec(['a', 'b', 'c']), [running('a', { ready: false }), running('b', { ready: false })], 'Running'),
      { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unknown status: [c], containers with unready status: [a b]' });
    assert.deepEqual(containersReadyCondition(spec(['a']), undefined, 'Pending'), { type: 'ContainersReady', status: 'False', reason: 'UnknownContainerStatuses' });
    assert.deepEqual(containersReadyCondition(spec(['a']), [terminated('a')], 'Succeeded'), { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' });
    assert.deepEqual(containersReadyCondition(spec(['a']), [terminated('a', 1)], 'Failed'), { type: 'ContainersReady', status: 'False', reason: 'PodFailed' });
  });

  it('Ready follows readiness gates', () => {
    const s = spec(['a'], { readinessGates: [{ conditionType: 'x.io/lb' }, { conditionType: 'x.io/dns' }] });
    assert.deepEqual(podReadyCondition(s, [{ type: 'x.io/lb', status: 'False' }], [running('a')], 'Running'), {
      type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady',
      message: 'the status of pod readiness gate "x.io/lb" is not "True", but False, corresponding condition of pod readiness gate "x.io/dns" does not exist.',
    });
    assert.deepEqual(podReadyCondition(s, [{ type: 'x.io/lb', status: 'True' }, { type: 'x.io/dns', status: 'True' }], [running('a')], 'Running'), { type: 'Ready', status: 'True' });
  });

  it('Initialized', () => {
    const s = spec(['a'], { initContainers: [{ name: 'i1' }, { name: 'i2' }] });
    assert.deepEqual(initializedCondition(s, [{ name: 'i1', ready: true, state: { terminated: { exitCode: 0 } } }, running('i2', { ready: false })], 'Pending'),
      { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i2]' });
    assert.deepEqual(initializedCondition(s, [running('a')], 'Running'), { type: 'Initialized', status: 'True' });
    assert.deepEqual(initializedCondition(s, [terminated('i1'), terminated('i2'), terminated('a')], 'Succeeded'), { type: 'Initialized', status: 'True', reason: 'PodCompleted' });
    assert.deepEqual(initializedCondition(s, [terminated('a')], 'Succeeded'), { type: 'Initialized', status: 'True' }, 'unknown init containers: not PodCompleted');
    assert.deepEqual(initializedCondition(spec(['a']), undefined, 'Pending'), { type: 'Initialized', status: 'True' });
  });

  it('merges with the current conditions: foreign first, transition times kept unless the status changed', () => {
    const now = new Date('2025-01-01T00:01:00Z');
    const current = [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2025-01-01T00:00:00Z' },
      { type: 'x.io/lb', status: 'True', lastTransitionTime: '2025-01-01T00:00:30Z' },
      { type: 'Ready', status: 'False', lastTransitionTime: '2025-01-01T00:00:00Z', reason: 'ContainersNotReady' },
    ];
    const out = podConditions({ spec: spec(['a'], { readinessGates: [{ conditionType: 'x.io/lb' }] }), current, statuses: [running('a')], phase: 'Running', sandboxReady: true, now });
    assert.deepEqual(out.map((c) => c.type), ['x.io/lb', 'PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
    const by = Object.fromEntries(out.map((c) => [c.type, c]));
    assert.equal(by.PodScheduled.lastTransitionTime, '2025-01-01T00:00:00Z');
    assert.equal(by.Ready.status, 'True');
    assert.equal(by.Ready.lastTransitionTime, '2025-01-01T00:01:00Z');
    assert.equal(by.Ready.reason, undefined);
    assert.equal(by.Ready.lastProbeTime, null);
    assert.equal(by['x.io/lb'].lastTransitionTime, '2025-01-01T00:00:30Z');
  });
});

describe('normalizeImage', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['bitnami/nginx', 'docker.io/bitnami/nginx:latest'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['quay.io/x/y@sha256:abc', 'quay.io/x/y@sha256:abc'],
  ];
  for (const [input, want] of cases) it(input, () => assert.equal(normalizeImage(input), want));
});
