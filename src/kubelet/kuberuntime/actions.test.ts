import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../../api/types.js';
import { computePodActions, type ProbeVerdicts } from './actions.js';
import { containerHash, containerInfo } from './labels.js';
import type { CState, RuntimeContainer, RuntimePodStatus } from './status.js';

const UID = 'uid-1';
const busy: ProbeVerdicts = { livenessFailure: () => undefined, started: () => true };

function mkPod(spec: Obj): Obj {
  return { metadata: { name: 'p', namespace: 'ns', uid: UID }, spec: { restartPolicy: 'Always', ...spec } };
}

let t = 1000;
function rc(name: string, state: CState, o: { exitCode?: number; restart?: number; spec?: Obj } = {}): RuntimeContainer {
  t += 10;
  const info = containerInfo({}, { 'io.kubernetes.container.restartCount': String(o.restart ?? 0), 'io.kubernetes.container.hash': o.spec ? containerHash(o.spec) : '' });
  info.containerName = name;
  return { id: `${name}-${t}`, name, sandboxId: 'sb', state, createdAt: t, exitCode: o.exitCode ?? 0, reason: '', message: '', image: '', imageRef: '', logPath: '', info };
}

function rs(containers: RuntimeContainer[], sandbox: 'ready' | 'notready' | 'none' = 'ready'): RuntimePodStatus {
  const sandboxes = sandbox === 'none' ? [] : [{ id: 'sb', attempt: 0, ready: sandbox === 'ready', createdAt: 1, ips: ['10.0.0.2'], hostNetwork: false }];
  return { uid: UID, sandboxes, containers: containers.sort((a, b) => b.createdAt - a.createdAt) };
}

const names = (cs: Obj[] | undefined) => (cs ?? []).map((c) => c.name);

test('a new pod gets a sandbox and starts its first init container, or all containers', () => {
  const withInit = mkPod({ initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] });
  let a = computePodActions(withInit, rs([], 'none'), busy);
  assert.equal(a.createSandbox, true);
  assert.equal(a.attempt, 0);
  assert.equal(a.nextInit?.name, 'i1');
  assert.deepEqual(a.containersToStart, []);

  a = computePodActions(mkPod({ containers: [{ name: 'a' }, { name: 'b' }] }), rs([], 'none'), busy);
  assert.equal(a.createSandbox, true);
  assert.deepEqual(names(a.containersToStart), ['a', 'b']);
});

test('init containers run one at a time, in order', () => {
  const p = mkPod({ initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] });
  let a = computePodActions(p, rs([rc('i1', 'running')]), busy);
  assert.equal(a.nextInit, undefined);
  assert.deepEqual(a.containersToStart, []);
  assert.equal(a.killPod, false);
  a = computePodActions(p, rs([rc('i1', 'exited')]), busy);
  assert.equal(a.nextInit?.name, 'i2');
  a = computePodActions(p, rs([rc('i1', 'exited'), rc('i2', 'exited')]), busy);
  assert.equal(a.nextInit, undefined);
  assert.deepEqual(names(a.containersToStart), ['a']);
  // a failed init container is retried (back-off applies when it is started) ...
  a = computePodActions(p, rs([rc('i1', 'exited'), rc('i2', 'exited', { exitCode: 1 })]), busy);
  assert.equal(a.nextInit?.name, 'i2');
  assert.equal(a.killPod, false);
  // ... unless the pod never restarts: then the pod has failed
  a = computePodActions({ ...p, spec: { ...p.spec, restartPolicy: 'Never' } }, rs([rc('i1', 'exited', { exitCode: 2 })]), busy);
  assert.equal(a.killPod, true);
  assert.equal(a.nextInit, undefined);
});

test('restart policies decide which exited containers start again', () => {
  const spec = { containers: [{ name: 'ok' }, { name: 'bad' }] };
  const done = () => rs([rc('ok', 'exited'), rc('bad', 'exited', { exitCode: 1 })]);
  assert.deepEqual(names(computePodActions(mkPod({ ...spec, restartPolicy: 'Always' }), done(), busy).containersToStart), ['ok', 'bad']);
  assert.deepEqual(names(computePodActions(mkPod({ ...spec, restartPolicy: 'OnFailure' }), done(), busy).containersToStart), ['bad']);
  const never = computePodActions(mkPod({ ...spec, restartPolicy: 'Never' }), done(), busy);
  assert.deepEqual(never.containersToStart, []);
  assert.equal(never.killPod, true, 'nothing runs or will run: the sandbox can go');
  // created-but-never-started containers are always started again
  assert.deepEqual(names(computePodActions(mkPod({ containers: [{ name: 'ok' }], restartPolicy: 'Never' }), rs([rc('ok', 'created')]), busy).containersToStart), ['ok']);
});

test('a running container is kept, killed on liveness failure, replaced when its definition changed', () => {
  const c = { name: 'a', image: 'busybox' };
  const p = mkPod({ containers: [c] });
  const running = rc('a', 'running', { spec: c });
  let a = computePodActions(p, rs([running]), busy);
  assert.equal(a.killPod, false);
  assert.deepEqual(a.containersToKill, []);
  assert.deepEqual(a.containersToStart, []);

  const failing: ProbeVerdicts = { ...busy, livenessFailure: (uid, name) => (uid === UID && name === 'a' ? 'Container a failed liveness probe, will be restarted' : undefined) };
  a = computePodActions(p, rs([running]), failing);
  assert.deepEqual(a.containersToKill, [{ id: running.id, name: 'a', message: 'Container a failed liveness probe, will be restarted', reason: 'liveness' }]);
  assert.deepEqual(names(a.containersToStart), ['a']);
  // with restartPolicy Never the container is killed and not started again
  a = computePodActions({ ...p, spec: { ...p.spec, restartPolicy: 'Never' } }, rs([running]), failing);
  assert.equal(a.containersToKill[0].message, 'Container a failed liveness probe');
  assert.deepEqual(a.containersToStart, []);

  a = computePodActions(mkPod({ containers: [{ ...c, image: 'busybox:1.36' }] }), rs([running]), busy);
  assert.equal(a.containersToKill[0].message, 'Container a definition changed, will be restarted');
  assert.deepEqual(names(a.containersToStart), ['a']);
});

test('a dead sandbox is replaced, but not for a pod that finished and will not restart', () => {
  const p = mkPod({ containers: [{ name: 'a' }] });
  let a = computePodActions(p, rs([rc('a', 'exited', { exitCode: 137 })], 'notready'), busy);
  assert.equal(a.createSandbox, true);
  assert.equal(a.killPod, true);
  assert.equal(a.attempt, 1);
  assert.equal(a.sandboxId, 'sb');
  assert.deepEqual(names(a.containersToStart), ['a']);

  a = computePodActions({ ...p, spec: { ...p.spec, restartPolicy: 'Never' } }, rs([rc('a', 'exited')], 'notready'), busy);
  assert.equal(a.createSandbox, false);
  // OnFailure and every container succeeded: no new sandbox either
  a = computePodActions({ ...p, spec: { ...p.spec, restartPolicy: 'OnFailure' } }, rs([rc('a', 'exited')], 'notready'), busy);
  assert.equal(a.createSandbox, false);
});

test('a deleted pod restarts nothing', () => {
  const p = mkPod({ containers: [{ name: 'a' }] });
  p.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
  const a = computePodActions(p, rs([rc('a', 'exited', { exitCode: 1 })]), busy);
  assert.deepEqual(a.containersToStart, []);
  assert.equal(a.killPod, true);
});

test('sidecars (restartable init containers) must be started before the next init container and are kept running', () => {
  const p = mkPod({ initContainers: [{ name: 'side', restartPolicy: 'Always' }, { name: 'i2' }], containers: [{ name: 'a' }] });
  let notStarted = true;
  const probes: ProbeVerdicts = { ...busy, started: () => !notStarted };
  let a = computePodActions(p, rs([rc('side', 'running')]), probes);
  assert.equal(a.nextInit, undefined, 'waits for the sidecar\'s startup probe');
  notStarted = false;
  a = computePodActions(p, rs([rc('side', 'running')]), probes);
  assert.equal(a.nextInit?.name, 'i2');
  a = computePodActions(p, rs([rc('side', 'exited', { exitCode: 1 }), rc('i2', 'exited'), rc('a', 'running')]), probes);
  assert.deepEqual(names(a.sidecarsToStart), ['side']);
});
