import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../types.js';
import { printPod } from './pod.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
const running = (name: string, extra: Obj = {}): Obj => ({ name, ready: true, restartCount: 0, state: { running: { startedAt: ago(60_000) } }, ...extra });

function pod(spec: Obj, status: Obj, meta: Obj = {}): Obj {
  return {
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(3 * 60_000 + 20_000), ...meta },
    spec: { containers: [{ name: 'c1', image: 'busybox' }], ...spec },
    status,
  };
}

/** [READY, STATUS, RESTARTS] */
function summary(p: Obj): [unknown, unknown, unknown] {
  const c = printPod(p, NOW).cells;
  return [c[1], c[2], c[3]];
}

const twoInit = { initContainers: [{ name: 'i1', image: 'x' }, { name: 'i2', image: 'x' }] };

test('pod STATUS / READY / RESTARTS in the states users meet', () => {
  const cases: [string, Obj, [string, string, string]][] = [
    ['running and ready', pod({}, { phase: 'Running', containerStatuses: [running('c1')] }), ['1/1', 'Running', '0']],
    ['pending without statuses', pod({}, { phase: 'Pending' }), ['0/1', 'Pending', '0']],
    ['container creating', pod({}, { phase: 'Pending', containerStatuses: [{ name: 'c1', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }), ['0/1', 'ContainerCreating', '0']],
    ['image pull backoff', pod({}, { phase: 'Pending', containerStatuses: [{ name: 'c1', state: { waiting: { reason: 'ImagePullBackOff' } } }] }), ['0/1', 'ImagePullBackOff', '0']],
    ['crash loop with restart age', pod({}, {
      phase: 'Running',
      containerStatuses: [{ name: 'c1', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(30_000) } } }],
    }), ['0/1', 'CrashLoopBackOff', '5 (30s ago)']],
    ['restarts without a termination time print bare', pod({}, { phase: 'Running', containerStatuses: [running('c1', { restartCount: 2 })] }), ['1/1', 'Running', '2']],
    ['restarts summed, latest termination wins', pod({ containers: [{ name: 'a' }, { name: 'b' }] }, {
      phase: 'Running',
      containerStatuses: [
        running('a', { restartCount: 1, lastState: { terminated: { finishedAt: ago(2 * 3600_000) } } }),
        running('b', { restartCount: 2, lastState: { terminated: { finishedAt: ago(4 * 60_000) } } }),
      ],
    }), ['2/2', 'Running', '3 (4m ago)']],
    ['first init container running', pod(twoInit, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'i1', state: { running: {} } }, { name: 'i2', state: { waiting: { reason: 'PodInitializing' } } }],
    }), ['0/1', 'Init:0/2', '0']],
    ['second init container pending', pod(twoInit, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0, reason: 'Completed' } } }, { name: 'i2', state: { waiting: { reason: 'PodInitializing' } } }],
    }), ['0/1', 'Init:1/2', '0']],
    ['init crash loop', pod(twoInit, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'i1', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { finishedAt: ago(10_000) } } }],
      containerStatuses: [{ name: 'c1', state: { waiting: { reason: 'PodInitializing' } } }],
    }), ['0/1', 'Init:CrashLoopBackOff', '3 (10s ago)']],
    ['init failed with reason', pod(twoInit, { phase: 'Failed', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }), ['0/1', 'Init:Error', '0']],
    ['init failed without reason', pod(twoInit, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 2 } } }] }), ['0/1', 'Init:ExitCode:2', '0']],
    ['init killed by signal', pod(twoInit, { phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 137, signal: 9 } } }] }), ['0/1', 'Init:Signal:9', '0']],
    ['init done and Initialized', pod(twoInit, {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 0 } } }, { name: 'i2', state: { terminated: { exitCode: 0 } } }],
      containerStatuses: [running('c1')],
    }), ['1/1', 'Running', '0']],
    ['completed', pod({}, { phase: 'Succeeded', containerStatuses: [{ name: 'c1', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }), ['0/1', 'Completed', '0']],
    ['error', pod({}, { phase: 'Failed', containerStatuses: [{ name: 'c1', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }), ['0/1', 'Error', '0']],
    ['OOMKilled', pod({}, { phase: 'Running', containerStatuses: [{ name: 'c1', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }] }), ['0/1', 'OOMKilled', '0']],
    ['terminated without reason', pod({}, { phase: 'Running', containerStatuses: [{ name: 'c1', state: { terminated: { exitCode: 3 } } }] }), ['0/1', 'ExitCode:3', '0']],
    ['terminated by signal', pod({}, { phase: 'Running', containerStatuses: [{ name: 'c1', state: { terminated: { exitCode: 143, signal: 15 } } }] }), ['0/1', 'Signal:15', '0']],
    ['evicted', pod({}, { phase: 'Failed', reason: 'Evicted' }), ['0/1', 'Evicted', '0']],
    ['scheduling gated', pod({}, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), ['0/1', 'SchedulingGated', '0']],
    ['terminating', pod({}, { phase: 'Running', containerStatuses: [running('c1')] }, { deletionTimestamp: ago(1000) }), ['1/1', 'Terminating', '0']],
    ['terminal pods are not Terminating', pod({}, { phase: 'Succeeded', containerStatuses: [{ name: 'c1', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, { deletionTimestamp: ago(1000) }), ['0/1', 'Completed', '0']],
    ['node lost', pod({}, { phase: 'Running', reason: 'NodeLost', containerStatuses: [running('c1')] }, { deletionTimestamp: ago(1000) }), ['1/1', 'Unknown', '0']],
    ['one completed, one running, pod Ready', pod({ containers: [{ name: 'a' }, { name: 'b' }] }, {
      phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }, running('b')],
    }), ['1/2', 'Running', '0']],
    ['one completed, one running, pod not Ready', pod({ containers: [{ name: 'a' }, { name: 'b' }] }, {
      phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }, running('b')],
    }), ['1/2', 'NotReady', '0']],
    ['sidecar counts towards READY and restarts', pod({ initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always' }] }, {
      phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'side', started: true, ready: true, restartCount: 1, state: { running: {} }, lastState: { terminated: { finishedAt: ago(5 * 60_000) } } }],
      containerStatuses: [running('c1')],
    }), ['2/2', 'Running', '1 (5m ago)']],
    ['sidecar not started yet blocks init', pod({ initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always' }] }, {
      phase: 'Pending', initContainerStatuses: [{ name: 'side', started: false, state: { running: {} } }],
    }), ['0/2', 'Init:0/1', '0']],
  ];
  for (const [name, p, want] of cases) assert.deepEqual(summary(p), want, name);
});

test('pod wide cells: IP, node, nominated node, readiness gates', () => {
  const p = pod({ nodeName: 'node-1', readinessGates: [{ conditionType: 'www.example.com/a' }, { conditionType: 'www.example.com/b' }] }, {
    phase: 'Running', podIP: '10.1.0.7', podIPs: [{ ip: '10.1.0.7' }, { ip: 'fd00::7' }], nominatedNodeName: 'node-2',
    conditions: [{ type: 'www.example.com/a', status: 'True' }, { type: 'www.example.com/b', status: 'False' }],
    containerStatuses: [running('c1')],
  });
  assert.deepEqual(printPod(p, NOW).cells, ['p', '1/1', 'Running', '0', '3m20s', '10.1.0.7', 'node-1', 'node-2', '1/2']);
  assert.deepEqual(printPod(pod({}, { phase: 'Pending' }), NOW).cells.slice(5), ['<none>', '<none>', '<none>', '<none>']);
  // Only podIP set (older writers): still shown.
  assert.equal(printPod(pod({}, { phase: 'Running', podIP: '10.9.9.9' }), NOW).cells[5], '10.9.9.9');
});

test('pod row conditions mark finished pods', () => {
  assert.deepEqual(printPod(pod({}, { phase: 'Succeeded' }), NOW).conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.deepEqual(printPod(pod({}, { phase: 'Failed' }), NOW).conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  assert.equal(printPod(pod({}, { phase: 'Running' }), NOW).conditions, undefined);
});

test('pod without creationTimestamp prints <unknown> age', () => {
  const p = { metadata: { name: 'x' }, spec: { containers: [] }, status: {} };
  assert.deepEqual(printPod(p, NOW).cells.slice(0, 5), ['x', '0/0', '', '0', '<unknown>']);
});
