import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import type { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { R, harness, until } from '../testutil.js';
import { FakeClock } from '../../client/clock.js';
import { NODES } from './controller.js';
import { matchingTolerations, minTolerationMs, toleratesTaint } from './taints.js';
import { TaintEvictionController } from './tainteviction.js';

const T0 = Date.UTC(2025, 0, 1);
const UNREACHABLE = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2025-01-01T00:00:00Z' };
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];
const node = (name: string, taints: Obj[] = []): Obj => ({ metadata: { name }, spec: { taints } });
const pod = (name: string, nodeName: string, tolerations?: Obj[]): Obj => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { nodeName, containers: [{ name: 'c', image: 'x' }], ...(tolerations ? { tolerations } : {}) },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
});
const exists = (fake: FakeClient, name: string): boolean => !!fake.object(R.pods, 'default', name);
const messages = (fake: FakeClient): string[] => fake.objects(R.events, 'default').map((e) => `${e.reason} ${e.message}`);

describe('toleration matching', () => {
  const cases: { name: string; tol: Obj; taint: Obj; want: boolean }[] = [
    { name: 'Exists without key tolerates everything', tol: { operator: 'Exists' }, taint: UNREACHABLE, want: true },
    { name: 'key + Exists', tol: { key: 'node.kubernetes.io/unreachable', operator: 'Exists' }, taint: UNREACHABLE, want: true },
    { name: 'other effect', tol: { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, taint: UNREACHABLE, want: false },
    { name: 'Equal with value', tol: { key: 'k', value: 'v', effect: 'NoExecute' }, taint: { key: 'k', value: 'v', effect: 'NoExecute' }, want: true },
    { name: 'Equal, other value', tol: { key: 'k', value: 'w', operator: 'Equal' }, taint: { key: 'k', value: 'v', effect: 'NoExecute' }, want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(toleratesTaint(c.tol, c.taint as never), c.want));
  it('min toleration time', () => {
    assert.equal(minTolerationMs(matchingTolerations([UNREACHABLE], DEFAULT_TOLERATIONS)[1]), 300_000);
    assert.equal(minTolerationMs([{ operator: 'Exists' }]), -1, 'no seconds: forever');
    assert.equal(minTolerationMs([{ operator: 'Exists', tolerationSeconds: 0 }]), 0);
    assert.deepEqual(matchingTolerations([UNREACHABLE], [])[0], false);
  });
});

interface Env { fake: FakeClient; clock: FakeClock; c: TaintEvictionController; close: () => Promise<void> }

async function env(nodes: Obj[], pods: Obj[]): Promise<Env> {
  const h = harness([...nodes.map((n): [typeof NODES, Obj] => [NODES, n]), ...pods.map((p): [typeof R.pods, Obj] => [R.pods, p])]);
  const clock = new FakeClock(T0);
  const recorder = new EventRecorder(h.fake, { component: 'taint-eviction-controller', log: silentLogger, signal: h.signal });
  const c = new TaintEvictionController({ client: h.fake, pods: h.informer(R.pods), nodes: h.informer(NODES), recorder, clock, log: silentLogger });
  const run = c.run(h.signal);
  await h.sync();
  return { fake: h.fake, clock, c, close: async () => { await recorder.flush(); await h.close(); await run; } };
}

const setTaints = (fake: FakeClient, name: string, taints: Obj[]) => fake.patch(NODES, '', name, 'merge', { spec: { taints } });

describe('TaintEvictionController', () => {
  it('evicts a pod that does not tolerate the taint at once, with the DisruptionTarget condition and an event', async () => {
    const e = await env([node('n1', [UNREACHABLE]), node('n2')], [pod('p', 'n1', []), pod('other', 'n2', [])]);
    try {
      await until(() => !exists(e.fake, 'p'), 'evicted');
      const patch = e.fake.writes().find((w) => w.verb === 'patch' && w.subresource === 'status')!;
      assert.deepEqual(patch.object!.status.conditions.map((c: Obj) => [c.type, c.status, c.reason, c.message]),
        [['DisruptionTarget', 'True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint']]);
      assert.ok(exists(e.fake, 'other'), 'pods on untainted nodes stay');
      await until(() => messages(e.fake).includes('TaintManagerEviction Marking for deletion Pod default/p'), 'event');
    } finally {
      await e.close();
    }
  });

  it('tolerationSeconds: evicted when it runs out', async () => {
    const e = await env([node('n1', [UNREACHABLE])], [pod('p', 'n1', DEFAULT_TOLERATIONS)]);
    try {
      await until(() => e.c.pending().size === 1, 'scheduled');
      assert.equal(e.c.pending().get('default/p'), T0 + 300_000);
      e.clock.advance(299_000);
      await new Promise((r) => setTimeout(r, 20));
      assert.ok(exists(e.fake, 'p'), 'still there after 299 s');
      e.clock.advance(1_000);
      await until(() => !exists(e.fake, 'p'), 'evicted after 300 s');
    } finally {
      await e.close();
    }
  });

  it('the taint going away cancels the eviction, with an event', async () => {
    const e = await env([node('n1', [UNREACHABLE])], [pod('p', 'n1', DEFAULT_TOLERATIONS)]);
    try {
      await until(() => e.c.pending().size === 1, 'scheduled');
      await setTaints(e.fake, 'n1', []);
      await until(() => e.c.pending().size === 0, 'cancelled');
      e.clock.advance(400_000);
      await new Promise((r) => setTimeout(r, 20));
      assert.ok(exists(e.fake, 'p'));
      await until(() => messages(e.fake).includes('TaintManagerEviction Cancelling deletion of Pod default/p'), 'event');
    } finally {
      await e.close();
    }
  });

  it('a toleration without seconds tolerates for ever; NoSchedule taints are no concern', async () => {
    const e = await env([node('n1', [UNREACHABLE, { key: 'x', effect: 'NoSchedule' }])], [pod('p', 'n1', [{ operator: 'Exists' }]), pod('q', 'n1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }])]);
    try {
      await new Promise((r) => setTimeout(r, 30));
      e.clock.advance(3_600_000);
      await new Promise((r) => setTimeout(r, 20));
      assert.ok(exists(e.fake, 'p') && exists(e.fake, 'q'));
      assert.equal(e.c.pending().size, 0);
    } finally {
      await e.close();
    }
  });

  it('a taint added later schedules from that moment; a pod arriving later too', async () => {
    const e = await env([node('n1')], [pod('p', 'n1', DEFAULT_TOLERATIONS)]);
    try {
      e.clock.advance(60_000);
      await setTaints(e.fake, 'n1', [UNREACHABLE]);
      await until(() => e.c.pending().get('default/p') === T0 + 360_000, 'scheduled from the taint');
      e.clock.advance(10_000);
      await e.fake.create(R.pods, 'default', pod('late', 'n1', [{ ...DEFAULT_TOLERATIONS[1], tolerationSeconds: 5 }]));
      await until(() => e.c.pending().get('default/late') === T0 + 75_000, 'late pod scheduled');
      e.clock.advance(5_000);
      await until(() => !exists(e.fake, 'late'), 'late evicted');
      assert.ok(exists(e.fake, 'p'));
    } finally {
      await e.close();
    }
  });
});
