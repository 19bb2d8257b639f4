// End to end against the FakeClient: informers in, bindings/status patches/events out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../api/types.js';
import { FakeClient } from '../client/fake.js';
import { silentLogger } from '../client/log.js';
import { runScheduler, startScheduler, type SchedulerOptions } from './scheduler.js';
import { EVENTS, installBindingReactor, makeNode, makePod, NODES, PODS } from './testing.js';

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function cluster(nodes: Obj[], pods: Obj[] = []) {
  const fake = new FakeClient();
  installBindingReactor(fake);
  for (const n of nodes) fake.seed(NODES, n);
  for (const p of pods) fake.seed(PODS, p);
  const ac = new AbortController();
  const opts: SchedulerOptions & { signal: AbortSignal } = { client: fake, signal: ac.signal, log: silentLogger, podInitialBackoffMs: 10, podMaxBackoffMs: 20 };
  const pod = (name: string, ns = 'default'): Obj | undefined => fake.object(PODS, ns, name);
  const events = (name: string, reason: string): Obj[] =>
    fake.objects(EVENTS).filter((e) => e.involvedObject?.name === name && e.reason === reason);
  return { fake, ac, opts, pod, events };
}

test('pods get bound, spread by score, with Scheduled events', async () => {
  const c = cluster([makeNode('n1'), makeNode('n2'), makeNode('n3')],
    Array.from({ length: 6 }, (_, i) => makePod(`p${i}`, { cpu: '1', memory: '1Gi' })));
  const run = runScheduler(c.opts);
  await until(() => [0, 1, 2, 3, 4, 5].every((i) => c.pod(`p${i}`)?.spec.nodeName), 'all pods bound');
  const perNode = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const n = c.pod(`p${i}`)!.spec.nodeName;
    perNode.set(n, (perNode.get(n) ?? 0) + 1);
  }
  assert.deepEqual([...perNode.values()], [2, 2, 2], 'LeastAllocated spreads 4-CPU nodes evenly');
  await until(() => c.events('p0', 'Scheduled').length === 1, 'Scheduled event');
  const ev = c.events('p0', 'Scheduled')[0];
  assert.equal(ev.message, `Successfully assigned default/p0 to ${c.pod('p0')!.spec.nodeName}`);
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.source.component, 'default-scheduler');
  assert.equal(ev.involvedObject.kind, 'Pod');
  c.ac.abort();
  await run;
});

test('an unschedulable pod gets the condition and the FailedScheduling event, then is retried', async () => {
  const c = cluster([
    makeNode('n1', { cpu: '2', labels: { disk: 'ssd' } }),
    makeNode('n2', { cpu: '8' }),
    makeNode('n3', { cpu: '8' }),
  ], [makePod('big', { cpu: '3', spec: { nodeSelector: { disk: 'ssd' } } })]);
  const run = runScheduler(c.opts);
  const want = "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. "
    + 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
  await until(() => c.pod('big')?.status?.conditions?.some((x: Obj) => x.type === 'PodScheduled'), 'PodScheduled condition');
  const cond = c.pod('big')!.status.conditions.find((x: Obj) => x.type === 'PodScheduled');
  assert.equal(cond.status, 'False');
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(cond.message, want);
  await until(() => c.events('big', 'FailedScheduling').length > 0, 'FailedScheduling event');
  const ev = c.events('big', 'FailedScheduling')[0];
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, want);
  assert.equal(c.pod('big')!.spec.nodeName, undefined);

  // A node that fits arrives: the parked pod is retried and bound.
  await c.fake.create(NODES, undefined, makeNode('n4', { cpu: '4', labels: { disk: 'ssd' } }));
  await until(() => c.pod('big')?.spec.nodeName === 'n4', 'bound to the new node');
  c.ac.abort();
  await run;
});

test('a node label change requeues a pod waiting on its node selector', async () => {
  const c = cluster([makeNode('n1')], [makePod('sel', { spec: { nodeSelector: { role: 'db' } } })]);
  const run = runScheduler(c.opts);
  await until(() => c.events('sel', 'FailedScheduling').length > 0, 'first failure');
  assert.equal(c.events('sel', 'FailedScheduling')[0].message,
    "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
  const n1 = c.fake.object(NODES, '', 'n1')!;
  n1.metadata.labels.role = 'db';
  await c.fake.update(NODES, undefined, n1);
  await until(() => c.pod('sel')?.spec.nodeName === 'n1', 'bound after relabel');
  c.ac.abort();
  await run;
});

test('a higher-priority pod preempts a lower-priority one through the API', async () => {
  const victim = makePod('victim', { cpu: '1500m', priority: 0, nodeName: 'n1' });
  const c = cluster([makeNode('n1', { cpu: '2' })], [victim]);
  const run = runScheduler(c.opts);
  await new Promise((r) => setTimeout(r, 20));
  await c.fake.create(PODS, 'default', makePod('vip', { cpu: '1', priority: 1000, uid: 'vip-uid' }));
  await until(() => c.pod('victim') === undefined, 'victim deleted');
  await until(() => c.pod('vip')?.spec.nodeName === 'n1', 'preemptor bound');
  const failed = c.events('vip', 'FailedScheduling')[0];
  assert.equal(failed.message, '0/1 nodes are available: 1 Insufficient cpu.', 'successful preemption adds no preemption message');
  const nominated = c.fake.actions.find((a) => a.verb === 'patch' && a.name === 'vip' && a.object?.status?.nominatedNodeName);
  assert.equal(nominated?.object?.status.nominatedNodeName, 'n1');
  await until(() => c.events('victim', 'Preempted').length === 1, 'Preempted event');
  assert.equal(c.events('victim', 'Preempted')[0].message, 'Preempted by pod vip-uid on node n1');
  c.ac.abort();
  await run;
});

test('priority comes from the PriorityClass when admission did not set it', async () => {
  const victim = makePod('victim', { cpu: '1500m', nodeName: 'n1' });
  const c = cluster([makeNode('n1', { cpu: '2' })], [victim]);
  c.fake.seed({ group: 'scheduling.k8s.io', version: 'v1', plural: 'priorityclasses' }, { metadata: { name: 'high' }, value: 1000 });
  const run = runScheduler(c.opts);
  await new Promise((r) => setTimeout(r, 20));
  await c.fake.create(PODS, 'default', makePod('classy', { cpu: '1', spec: { priorityClassName: 'high' } }));
  await until(() => c.pod('classy')?.spec.nodeName === 'n1', 'preemptor bound');
  assert.equal(c.pod('victim'), undefined);
  c.ac.abort();
  await run;
});

test('no nodes, other schedulers, gates and terminal pods', async () => {
  const c = cluster([], [
    makePod('lonely'),
    makePod('mine-not', { schedulerName: 'other-scheduler' }),
    makePod('gated', { spec: { schedulingGates: [{ name: 'wait' }] } }),
    makePod('done', { status: { phase: 'Succeeded' } }),
  ]);
  const run = runScheduler(c.opts);
  await until(() => c.events('lonely', 'FailedScheduling').length > 0, 'failure without nodes');
  assert.equal(c.events('lonely', 'FailedScheduling')[0].message, 'no nodes available to schedule pods');
  await c.fake.create(NODES, undefined, makeNode('n1'));
  await until(() => c.pod('lonely')?.spec.nodeName === 'n1', 'bound once a node exists');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(c.pod('mine-not')!.spec.nodeName, undefined);
  assert.equal(c.pod('gated')!.spec.nodeName, undefined);
  assert.equal(c.pod('done')!.spec.nodeName, undefined);
  assert.equal(c.events('gated', 'FailedScheduling').length, 0);
  const g = c.pod('gated')!;
  g.spec.schedulingGates = [];
  await c.fake.update(PODS, 'default', g);
  await until(() => c.pod('gated')?.spec.nodeName === 'n1', 'bound once ungated');
  c.ac.abort();
  await run;
});

test('a failed binding is forgotten and retried', async () => {
  const c = cluster([makeNode('n1')], [makePod('flaky', { cpu: '1' })]);
  let failures = 1;
  c.fake.prependReactor('create', 'pods', (a) => {
    if (a.subresource === 'binding' && failures-- > 0) throw new Error('connection reset');
    return undefined;
  });
  const run = runScheduler(c.opts);
  await until(() => c.pod('flaky')?.spec.nodeName === 'n1', 'bound on retry');
  const failed = c.events('flaky', 'FailedScheduling');
  assert.equal(failed[0]?.message, 'connection reset');
  const cond = c.pod('flaky')!.status.conditions.find((x: Obj) => x.type === 'PodScheduled');
  assert.equal(cond.status, 'True', 'the apiserver set PodScheduled=True on binding');
  c.ac.abort();
  await run;
});

test('startScheduler resolves once started and stops with its signal', async () => {
  const c = cluster([makeNode('n1')], [makePod('p')]);
  await startScheduler(c.opts);
  await until(() => c.pod('p')?.spec.nodeName === 'n1', 'bound');
  c.ac.abort();
  // Nothing may keep the process alive after the abort: the test runner would hang here.
  await new Promise((r) => setTimeout(r, 20));
});
