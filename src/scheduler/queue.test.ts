import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Action, Status, type ClusterEventWithHint, type QueuedPodInfo } from './framework.js';
import { PodInfo } from './nodeinfo.js';
import { less } from './plugins/queuesort/plugin.js';
import { SchedulingQueue } from './queue.js';
import { makePod } from './testing.js';

function setup(o: { events?: Map<string, ClusterEventWithHint[]>; gate?: (pi: PodInfo) => boolean } = {}) {
  let clock = 1000;
  const ac = new AbortController();
  const q = new SchedulingQueue({
    less, signal: ac.signal, now: () => clock,
    pluginEvents: o.events,
    preEnqueue: o.gate ? (pi) => (o.gate!(pi) ? { plugin: 'SchedulingGates', status: Status.unresolvable('gated') } : null) : undefined,
  });
  return { q, ac, advance: (ms: number) => { clock += ms; }, close: () => ac.abort() };
}

const pi = (name: string, priority = 0) => new PodInfo(makePod(name, { priority, uid: name }));

test('pop order: priority, then arrival', async () => {
  const { q, close } = setup();
  q.add(pi('a', 0));
  q.add(pi('b', 10));
  q.add(pi('c', 0));
  q.add(pi('d', 10));
  const order: string[] = [];
  for (let i = 0; i < 4; i++) {
    const x = (await q.pop())!;
    order.push(x.podInfo.name);
    q.done(x.podInfo.key);
  }
  assert.deepEqual(order, ['b', 'd', 'a', 'c']);
  close();
});

test('pop waits for a pod and resolves undefined when closed', async () => {
  const { q, close } = setup();
  const waiting = q.pop();
  q.add(pi('late'));
  assert.equal((await waiting)?.podInfo.name, 'late');
  const never = q.pop();
  close();
  assert.equal(await never, undefined);
  assert.equal(await q.pop(), undefined);
});

test('back-off doubles from 1 s up to 10 s', () => {
  const { q, close } = setup();
  const cases = [[1, 1000], [2, 2000], [3, 4000], [4, 8000], [5, 10000], [9, 10000]];
  for (const [attempts, want] of cases) assert.equal(q.backoffDuration(attempts), want, `attempt ${attempts}`);
  close();
});

test('unschedulable pods move only on events their plugins registered', async () => {
  const events = new Map<string, ClusterEventWithHint[]>([
    ['NodeResourcesFit', [{ event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeAllocatable } }, { event: { resource: 'AssignedPod', actions: Action.Delete } }]],
    ['NodeAffinity', [{ event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeLabel }, hint: (_p, _o, n) => (n?.metadata?.labels?.ok ? 'Queue' : 'Skip') }]],
  ]);
  const cases: { name: string; plugins: string[]; event: { resource: 'Node' | 'AssignedPod'; actions: number }; newObj?: object; moves: boolean }[] = [
    { name: 'node added helps resources', plugins: ['NodeResourcesFit'], event: { resource: 'Node', actions: Action.Add }, moves: true },
    { name: 'pod deleted helps resources', plugins: ['NodeResourcesFit'], event: { resource: 'AssignedPod', actions: Action.Delete }, moves: true },
    { name: 'taint change does not help resources', plugins: ['NodeResourcesFit'], event: { resource: 'Node', actions: Action.UpdateNodeTaint }, moves: false },
    { name: 'hint says skip', plugins: ['NodeAffinity'], event: { resource: 'Node', actions: Action.UpdateNodeLabel }, newObj: { metadata: { labels: {} } }, moves: false },
    { name: 'hint says queue', plugins: ['NodeAffinity'], event: { resource: 'Node', actions: Action.UpdateNodeLabel }, newObj: { metadata: { labels: { ok: '1' } } }, moves: true },
    { name: 'any event helps pods rejected without plugins', plugins: [], event: { resource: 'AssignedPod', actions: Action.Delete }, moves: true },
  ];
  for (const c of cases) {
    const { q, advance, close } = setup({ events });
    q.add(pi('p'));
    const x = (await q.pop())!;
    x.unschedulablePlugins = new Set(c.plugins);
    q.addUnschedulableIfNotPresent(x);
    q.done(x.podInfo.key);
    assert.equal(q.where('p'), 'unschedulable', c.name);
    advance(5000); // past the 1 s back-off
    q.moveAllToActiveOrBackoffQueue(c.event, undefined, c.newObj as never);
    assert.equal(q.where('p'), c.moves ? 'active' : 'unschedulable', c.name);
    close();
  }
});

test('a moved pod still backing off waits in backoffQ, then becomes active', async () => {
  const { q, advance, close } = setup();
  q.add(pi('p'));
  const x = (await q.pop())!;
  q.addUnschedulableIfNotPresent(x);
  q.done(x.podInfo.key);
  q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actions: Action.Add });
  assert.equal(q.where('p'), 'backoff');
  advance(999);
  q.flushBackoffCompleted();
  assert.equal(q.where('p'), 'backoff');
  advance(1);
  q.flushBackoffCompleted();
  assert.equal(q.where('p'), 'active');
  close();
});

test('errors go to back-off; events during the cycle requeue instead of parking', async () => {
  const events = new Map<string, ClusterEventWithHint[]>([['NodeResourcesFit', [{ event: { resource: 'Node', actions: Action.Add } }]]]);
  const { q, close } = setup({ events });
  q.add(pi('err'));
  const a = (await q.pop())!;
  q.addUnschedulableIfNotPresent(a, { error: true });
  q.done(a.podInfo.key);
  assert.equal(q.where('err'), 'backoff');

  q.add(pi('p'));
  const b = (await q.pop())!;
  q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actions: Action.Add }); // while "p" is being scheduled
  b.unschedulablePlugins = new Set(['NodeResourcesFit']);
  q.addUnschedulableIfNotPresent(b);
  q.done(b.podInfo.key);
  assert.equal(q.where('p'), 'backoff');

  q.add(pi('r'));
  const c = (await q.pop())!;
  q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actions: Action.UpdateNodeTaint }); // irrelevant
  c.unschedulablePlugins = new Set(['NodeResourcesFit']);
  q.addUnschedulableIfNotPresent(c);
  q.done(c.podInfo.key);
  assert.equal(q.where('r'), 'unschedulable');
  close();
});

test('pods parked longer than 5 minutes are retried', async () => {
  const { q, advance, close } = setup();
  q.add(pi('p'));
  const x = (await q.pop())!;
  x.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(x);
  q.done(x.podInfo.key);
  advance(299_000);
  q.flushUnschedulableLeftover();
  assert.equal(q.where('p'), 'unschedulable');
  advance(2_000);
  q.flushUnschedulableLeftover();
  assert.equal(q.where('p'), 'active');
  close();
});

test('gated pods wait for an update that lifts the gate', async () => {
  const { q, close } = setup({ gate: (p) => (p.pod.spec.schedulingGates ?? []).length > 0 });
  const gated = makePod('g', { uid: 'g', spec: { schedulingGates: [{ name: 'x' }] } });
  q.add(new PodInfo(gated));
  assert.equal(q.where('g'), 'unschedulable');
  q.moveAllToActiveOrBackoffQueue({ resource: 'Node', actions: Action.Add });
  assert.equal(q.where('g'), 'unschedulable', 'cluster events do not release gated pods');
  const open = { ...gated, spec: { ...gated.spec, schedulingGates: [] } };
  q.update(gated, new PodInfo(open));
  assert.equal(q.where('g'), 'active');
  close();
});

test('updates and deletes reach every sub-queue', async () => {
  const { q, close } = setup();
  q.add(pi('a'));
  q.update(undefined, pi('a', 50));
  const x = (await q.pop())!;
  assert.equal(x.podInfo.priority, 50);
  q.addUnschedulableIfNotPresent(x);
  q.done(x.podInfo.key);
  const pod = x.podInfo.pod;
  // A status-only update keeps it parked; a spec change retries it.
  q.update(pod, new PodInfo({ ...pod, status: { phase: 'Pending', conditions: [] } }));
  assert.equal(q.where('a'), 'unschedulable');
  q.update(pod, new PodInfo({ ...pod, spec: { ...pod.spec, tolerations: [{ operator: 'Exists' }] } }));
  assert.equal(q.where('a'), 'backoff');
  q.delete(pod);
  assert.equal(q.where('a'), undefined);
  assert.deepEqual(q.stats(), { active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
  close();
});

test('nominator keeps nominations across updates without them', () => {
  const { q, close } = setup();
  const p = makePod('n', { uid: 'n', priority: 5 });
  q.add(new PodInfo(p));
  q.addNominatedPod(new PodInfo(p), 'node-1');
  assert.deepEqual(q.nominatedPodsForNode('node-1').map((x) => x.name), ['n']);
  q.update(p, new PodInfo({ ...p, metadata: { ...p.metadata, labels: { x: 'y' } } }));
  assert.deepEqual(q.nominatedPodsForNode('node-1').map((x) => x.name), ['n']);
  const withStatus = { ...p, status: { nominatedNodeName: 'node-2' } };
  q.update(p, new PodInfo(withStatus));
  assert.deepEqual(q.nominatedPodsForNode('node-2').map((x) => x.name), ['n']);
  assert.equal(q.nominatedPodsForNode('node-1').length, 0);
  q.delete(withStatus);
  assert.equal(q.hasNominatedPods(), false);
  close();
});

test('activate moves parked pods straight to activeQ', async () => {
  const { q, close } = setup();
  q.add(pi('p'));
  const x: QueuedPodInfo = (await q.pop())!;
  x.unschedulablePlugins = new Set(['X']);
  q.addUnschedulableIfNotPresent(x);
  q.done(x.podInfo.key);
  q.activate([x.podInfo.pod]);
  assert.equal(q.where('p'), 'active');
  close();
});
