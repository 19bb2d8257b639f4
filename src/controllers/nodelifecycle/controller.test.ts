import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nowMicro, nowRFC3339, type Obj } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import type { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { R, harness, until } from '../testutil.js';
import { FakeClock } from '../../client/clock.js';
import { LEASES, NODES, NODE_LEASE_NAMESPACE, NodeLifecycleController } from './controller.js';

const T0 = Date.UTC(2025, 0, 1);
const iso = (ms: number): string => nowRFC3339(new Date(ms));

function node(name: string, o: { ready?: string; at?: number; conds?: Obj[]; labels?: Record<string, string>; taints?: Obj[]; unschedulable?: boolean } = {}): Obj {
  const at = iso(o.at ?? T0);
  const conditions = o.conds ?? (o.ready ? [
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: at, lastTransitionTime: at },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', lastHeartbeatTime: at, lastTransitionTime: at },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', lastHeartbeatTime: at, lastTransitionTime: at },
    { type: 'Ready', status: o.ready, reason: o.ready === 'True' ? 'KubeletReady' : 'KubeletNotReady', lastHeartbeatTime: at, lastTransitionTime: at },
  ] : []);
  return {
    metadata: { name, creationTimestamp: iso(T0), labels: o.labels ?? { 'kubernetes.io/os': 'linux', 'beta.kubernetes.io/os': 'linux' } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions },
  };
}
const lease = (name: string, at = T0): Obj => ({ metadata: { name, namespace: NODE_LEASE_NAMESPACE }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: nowMicro(new Date(at)) } });
const pod = (name: string, nodeName: string): Obj => ({
  metadata: { name, namespace: 'default' }, spec: { nodeName, containers: [{ name: 'c', image: 'x' }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(T0) }] },
});

const cond = (fake: FakeClient, n: string, type: string): Obj | undefined => fake.object(NODES, '', n)?.status?.conditions?.find((c: Obj) => c.type === type);
const taints = (fake: FakeClient, n: string): string[] => (fake.object(NODES, '', n)?.spec?.taints ?? []).map((t: Obj) => `${t.key}:${t.effect}`);
const events = (fake: FakeClient, ns = 'default'): Obj[] => fake.objects(R.events, ns);

interface Env { fake: FakeClient; clock: FakeClock; c: NodeLifecycleController; recorder: EventRecorder; pass: () => Promise<void>; renew: (n: string) => Promise<void>; close: () => Promise<void> }

async function env(seed: [Obj[], Obj[], Obj[]], o: { run?: boolean } = {}): Promise<Env> {
  const [nodes, leases, pods] = seed;
  const h = harness([...nodes.map((n): [typeof NODES, Obj] => [NODES, n]), ...leases.map((l): [typeof LEASES, Obj] => [LEASES, l]), ...pods.map((p): [typeof R.pods, Obj] => [R.pods, p])]);
  const clock = new FakeClock(T0);
  const recorder = new EventRecorder(h.fake, { component: 'node-controller', log: silentLogger, signal: h.signal, now: () => new Date(clock.now()) });
  const c = new NodeLifecycleController({
    client: h.fake, nodes: h.informer(NODES), leases: h.factory.informerFor(LEASES, { namespace: NODE_LEASE_NAMESPACE }), pods: h.informer(R.pods),
    recorder, clock, log: silentLogger,
  });
  const run = o.run ? c.run(h.signal) : undefined;
  await h.sync();
  // The caches have caught up when they hold exactly what the fake stores.
  const caught = (res: typeof NODES, inf: ReturnType<typeof h.informer>): boolean => {
    const stored = h.fake.objects(res);
    return stored.length === inf.store.size && stored.every((o) => inf.store.get(o.metadata.namespace ?? '', o.metadata.name)?.metadata.resourceVersion === o.metadata.resourceVersion);
  };
  const settleCache = (): Promise<void> => until(() => caught(NODES, h.informer(NODES)) && caught(R.pods, h.informer(R.pods))
    && caught(LEASES, h.factory.informerFor(LEASES, { namespace: NODE_LEASE_NAMESPACE })), 'informer caches');
  return {
    fake: h.fake, clock, c, recorder,
    pass: async () => {
      await settleCache();
      await c.monitorNodeHealth();
      await settleCache();
      await c.noExecuteTaintingPass();
      await settleCache();
      await recorder.flush();
    },
    renew: async (n) => {
      const l = h.fake.object(LEASES, NODE_LEASE_NAMESPACE, n)!;
      await h.fake.update(LEASES, NODE_LEASE_NAMESPACE, { ...l, spec: { ...l.spec, renewTime: nowMicro(new Date(clock.now())) } });
    },
    close: async () => { await h.close(); await run; },
  };
}

interface Case {
  name: string;
  seed: [Obj[], Obj[], Obj[]];
  steps: (e: Env) => Promise<void>;
  check: (e: Env) => void;
}

const cases: Case[] = [
  {
    name: 'a node that keeps renewing its lease stays Ready; registration is announced once',
    seed: [[node('n1', { ready: 'True' })], [lease('n1')], []],
    steps: async (e) => {
      await e.pass();
      for (let i = 0; i < 4; i++) { e.clock.advance(20_000); await e.renew('n1'); await e.pass(); }
    },
    check: (e) => {
      assert.equal(cond(e.fake, 'n1', 'Ready')?.status, 'True');
      assert.deepEqual(events(e.fake).map((x) => [x.reason, x.message, x.source.component]), [['RegisteredNode', 'Node n1 event: Registered Node n1 in Controller', 'node-controller']]);
      assert.deepEqual(e.fake.writes().filter((w) => w.resource === 'nodes'), []);
    },
  },
  {
    name: 'lease silent past the grace period: conditions Unknown, pods not Ready, then unreachable:NoExecute',
    seed: [[node('n1', { ready: 'True' }), node('n2', { ready: 'True' }), node('n3', { ready: 'True' })], [lease('n1'), lease('n2'), lease('n3')], [pod('p1', 'n1'), pod('p2', 'n2')]],
    steps: async (e) => {
      await e.pass();
      e.clock.advance(39_000);
      await e.renew('n2'); await e.renew('n3');
      await e.pass();
      assert.equal(cond(e.fake, 'n1', 'Ready')?.status, 'True', 'within the grace period');
      e.clock.advance(2_000);
      await e.pass();
      e.clock.advance(5_000);
      await e.renew('n2'); await e.renew('n3');
      await e.pass();
    },
    check: (e) => {
      for (const t of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
        const c = cond(e.fake, 'n1', t)!;
        assert.deepEqual([c.status, c.reason, c.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'], t);
        assert.equal(c.lastTransitionTime, iso(T0 + 41_000));
        assert.equal(c.lastHeartbeatTime, iso(T0), 'heartbeat time untouched');
      }
      assert.equal(cond(e.fake, 'n2', 'Ready')?.status, 'True');
      const p1 = e.fake.object(R.pods, 'default', 'p1')!.status.conditions.find((c: Obj) => c.type === 'Ready');
      assert.equal(p1.status, 'False');
      assert.equal(e.fake.object(R.pods, 'default', 'p2')!.status.conditions[0].status, 'True');
      const ev = events(e.fake).map((x) => `${x.involvedObject.kind}/${x.involvedObject.name} ${x.type} ${x.reason}: ${x.message}`);
      assert.ok(ev.includes('Node/n1 Normal NodeNotReady: Node n1 status is now: NodeNotReady'), ev.join('\n'));
      assert.ok(ev.includes('Pod/p1 Warning NodeNotReady: Node is not ready'), ev.join('\n'));
      assert.deepEqual(taints(e.fake, 'n1'), ['node.kubernetes.io/unreachable:NoExecute']);
      assert.match(e.fake.object(NODES, '', 'n1')!.spec.taints[0].timeAdded, /^\d{4}-.*Z$/);
      assert.deepEqual(taints(e.fake, 'n2'), []);
    },
  },
  {
    name: 'kubelet says Ready=False: not-ready:NoExecute; coming back Ready removes it',
    seed: [[node('n1', { ready: 'False' }), node('n2', { ready: 'True' }), node('n3', { ready: 'True' })], [lease('n1'), lease('n2'), lease('n3')], []],
    steps: async (e) => {
      await e.pass();
      assert.deepEqual(taints(e.fake, 'n1'), ['node.kubernetes.io/not-ready:NoExecute']);
      const n = e.fake.object(NODES, '', 'n1')!;
      await e.fake.updateStatus(NODES, '', { ...n, status: node('n1', { ready: 'True', at: T0 + 5000 }).status });
      e.clock.advance(5000);
      await e.pass();
    },
    check: (e) => assert.deepEqual(taints(e.fake, 'n1'), []),
  },
  {
    name: 'every node down: master disruption mode, no NoExecute taints (existing ones removed)',
    seed: [[node('n1', { ready: 'True' }), node('n2', { ready: 'True', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] })], [lease('n1'), lease('n2')], []],
    steps: async (e) => {
      await e.pass();
      e.clock.advance(41_000);
      await e.pass();
      e.clock.advance(5_000);
      await e.pass();
    },
    check: (e) => {
      assert.equal(cond(e.fake, 'n1', 'Ready')?.status, 'Unknown');
      assert.deepEqual(taints(e.fake, 'n1'), []);
      assert.deepEqual(taints(e.fake, 'n2'), []);
      assert.equal(e.c.zoneState(''), 'FullDisruption');
    },
  },
  {
    name: 'a node that never posted status: Unknown after the startup grace period',
    seed: [[node('new'), node('ok', { ready: 'True' })], [lease('ok')], []],
    steps: async (e) => {
      await e.pass();
      e.clock.advance(59_000);
      await e.renew('ok');
      await e.pass();
      assert.equal(cond(e.fake, 'new', 'Ready'), undefined);
      e.clock.advance(2_000);
      await e.renew('ok');
      await e.pass();
    },
    check: (e) => {
      const c = cond(e.fake, 'new', 'Ready')!;
      assert.deepEqual([c.status, c.reason, c.message, c.lastHeartbeatTime], ['Unknown', 'NodeStatusNeverUpdated', 'Kubelet never posted node status.', iso(T0)]);
    },
  },
  {
    name: 'NoExecute tainting is rate limited per zone (0.1 node/s)',
    seed: [
      [...['a', 'b', 'c'].map((n) => node(n, { ready: 'False' })), ...['d', 'e', 'f', 'g', 'h', 'i', 'j'].map((n) => node(n, { ready: 'True' }))],
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((n) => lease(n)), [],
    ],
    steps: async (e) => {
      await e.pass();
      assert.equal(['a', 'b', 'c'].filter((n) => taints(e.fake, n).length).length, 1, 'one at once');
      e.clock.advance(5_000);
      await e.pass();
      assert.equal(['a', 'b', 'c'].filter((n) => taints(e.fake, n).length).length, 1, 'still one after 5 s');
      e.clock.advance(5_000);
      await e.pass();
      e.clock.advance(10_000);
      await e.pass();
    },
    check: (e) => assert.equal(['a', 'b', 'c'].filter((n) => taints(e.fake, n).length).length, 3),
  },
];

describe('NodeLifecycleController: health and NoExecute taints', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      const e = await env(tc.seed);
      try {
        await tc.steps(e);
        tc.check(e);
      } finally {
        await e.close();
      }
    });
  }
});

describe('NodeLifecycleController: NoSchedule taints by condition, labels', () => {
  const cases: { name: string; node: Obj; want: string[] }[] = [
    { name: 'Ready', node: node('n', { ready: 'True' }), want: [] },
    { name: 'Ready False', node: node('n', { ready: 'False' }), want: ['node.kubernetes.io/not-ready:NoSchedule'] },
    { name: 'Ready Unknown', node: node('n', { ready: 'Unknown' }), want: ['node.kubernetes.io/unreachable:NoSchedule'] },
    {
      name: 'pressure conditions', want: ['node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule'],
      node: node('n', { conds: [{ type: 'MemoryPressure', status: 'True' }, { type: 'DiskPressure', status: 'True' }, { type: 'PIDPressure', status: 'True' }, { type: 'Ready', status: 'True' }] }),
    },
    { name: 'cordoned', node: node('n', { ready: 'True', unschedulable: true }), want: ['node.kubernetes.io/unschedulable:NoSchedule'] },
    {
      name: 'stale condition taints go, foreign taints stay',
      node: node('n', { ready: 'True', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
      want: ['dedicated:NoSchedule'],
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const e = await env([[tc.node], [], []], { run: true });
      try {
        await until(() => JSON.stringify(taints(e.fake, 'n')) === JSON.stringify(tc.want), `taints ${tc.want.join(',')} (have ${taints(e.fake, 'n').join(',')})`);
        for (const t of e.fake.object(NODES, '', 'n')!.spec.taints ?? []) if (t.key.startsWith('node.kubernetes.io/')) assert.ok(t.timeAdded, 'controller taints carry timeAdded');
        assert.equal(e.fake.object(NODES, '', 'n')!.metadata.labels['beta.kubernetes.io/os'], 'linux');
      } finally {
        await e.close();
      }
    });
  }

  it('adds missing beta OS/arch labels', async () => {
    const e = await env([[node('n', { ready: 'True', labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'arm64', 'beta.kubernetes.io/arch': 'amd64' } })], [], []], { run: true });
    try {
      await until(() => e.fake.object(NODES, '', 'n')!.metadata.labels['beta.kubernetes.io/arch'] === 'arm64', 'labels');
      assert.equal(e.fake.object(NODES, '', 'n')!.metadata.labels['beta.kubernetes.io/os'], 'linux');
    } finally {
      await e.close();
    }
  });
});
