import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, forbidden } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import { EventRecorder } from '../../client/events.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { withStrategicMetadataPatches } from '../common/testing.js';
import { R, harness, until } from '../testutil.js';
import { REPLICASETS, REPLICATIONCONTROLLERS, ReplicaSetController } from './controller.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function rs(name: string, replicas: number, extra: { generation?: number; status?: Obj; minReadySeconds?: number; deleting?: boolean; uid?: string; owner?: Obj } = {}): Obj {
  return {
    metadata: {
      name, namespace: 'ns', uid: extra.uid ?? `uid-${name}`, generation: extra.generation ?? 1,
      // foreground deletion keeps the owner (with a finalizer) while its pods go
      ...(extra.deleting ? { deletionTimestamp: iso(NOW), finalizers: ['foregroundDeletion'] } : {}),
      ...(extra.owner ? { ownerReferences: [extra.owner] } : {}),
    },
    spec: {
      replicas, minReadySeconds: extra.minReadySeconds ?? 0,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
    ...(extra.status ? { status: extra.status } : {}),
  };
}

const ref = (owner: string, kind = 'ReplicaSet', apiVersion = 'apps/v1') => ({ apiVersion, kind, name: owner, uid: `uid-${owner}`, controller: true, blockOwnerDeletion: true });

interface PodOpts { owner?: string | null; labels?: Record<string, string>; phase?: string; ready?: boolean; readySince?: number; node?: string; created?: number; deleting?: boolean; kind?: string }
function pod(name: string, o: PodOpts = {}): Obj {
  const owner = o.owner === undefined ? 'web' : o.owner;
  return {
    metadata: {
      name, namespace: 'ns', uid: `uid-${name}`, labels: o.labels ?? { app: 'web', tier: 'x' },
      creationTimestamp: iso(o.created ?? NOW - 3600_000),
      ...(owner ? { ownerReferences: [ref(owner, o.kind)] } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(NOW) } : {}),
    },
    spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(o.readySince ?? NOW - 600_000) }],
    },
  };
}

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  key?: string;
  kind?: 'ReplicaSet' | 'ReplicationController';
  react?: (fake: FakeClient) => void;
  /** Runs before sync (e.g. to set expectations). */
  before?: (c: ReplicaSetController) => void;
  throws?: RegExp;
  check: (fake: FakeClient, ctl: ReplicaSetController, events: string[]) => void;
  /** Expectations once the informer has caught up (default: satisfied). */
  settled?: boolean;
}

const podWrites = (fake: FakeClient, verb: string) => fake.writes().filter((a) => a.resource === 'pods' && a.verb === verb);
const statusOf = (fake: FakeClient, name = 'web', res: ResourceRef = REPLICASETS) => fake.object(res, 'ns', name)?.status;

const cases: Case[] = [
  {
    name: 'creates missing replicas with generateName, controller reference and events',
    seed: [[REPLICASETS, rs('web', 3)]],
    check: (fake, ctl, events) => {
      const created = podWrites(fake, 'create');
      assert.equal(created.length, 3);
      for (const a of created) {
        assert.equal(a.object!.metadata.generateName, 'web-');
        assert.deepEqual(a.object!.metadata.ownerReferences, [ref('web')]);
        assert.deepEqual(a.object!.metadata.labels, { app: 'web', tier: 'x' });
      }
      const names = fake.objects(R.pods, 'ns').map((p) => p.metadata.name);
      assert.ok(names.every((n) => /^web-[a-z0-9]{5}$/.test(n)), names.join());
      assert.deepEqual(events.sort(), names.map((n) => `Normal SuccessfulCreate Created pod: ${n}`).sort());
      assert.ok((ctl.expectations.get('ns/web')?.add ?? 0) <= 3);
      assert.deepEqual(statusOf(fake), { replicas: 0, observedGeneration: 1 }, 'zero counts are omitted as on the wire');
    },
  },
  {
    name: 'unsatisfied expectations: no pod writes, status still updated',
    seed: [[REPLICASETS, rs('web', 3, { generation: 2 })]],
    before: (c) => c.expectations.expectCreations('ns/web', 2),
    settled: false,
    check: (fake) => {
      assert.equal(podWrites(fake, 'create').length, 0);
      assert.equal(statusOf(fake)?.observedGeneration, 2);
    },
  },
  {
    name: 'burstReplicas caps one sync; slow start batches stop at the first failing batch (quota)',
    seed: [[REPLICASETS, rs('web', 10)]],
    react: (fake) => {
      let n = 0;
      fake.prependReactor('create', 'pods', () => {
        if (++n > 2) throw forbidden('', 'pods', 'web-zzzzz', 'exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2');
        return undefined;
      });
    },
    throws: /exceeded quota/,
    check: (fake, ctl, events) => {
      // batch 1: one call (ok); batch 2: two calls (ok, refused); nothing further
      assert.equal(podWrites(fake, 'create').length, 3);
      assert.equal(fake.objects(R.pods, 'ns').length, 2);
      // 10 expected, 8 never happening are dropped at once, the other 2 as the informer sees them
      assert.ok((ctl.expectations.get('ns/web')?.add ?? 0) <= 2);
      const failed = events.filter((e) => e.startsWith('Warning'));
      assert.deepEqual(failed, ['Warning FailedCreate Error creating: pods "web-zzzzz" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2']);
      const cond = statusOf(fake)?.conditions?.[0];
      assert.equal(cond.type, 'ReplicaFailure');
      assert.equal(cond.status, 'True');
      assert.equal(cond.reason, 'FailedCreate');
      assert.equal(cond.message, 'pods "web-zzzzz" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2');
    },
  },
  {
    name: 'a successful sync removes ReplicaFailure',
    seed: [[REPLICASETS, rs('web', 1, { status: { replicas: 1, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'x' }] } })], [R.pods, pod('p1')]],
    check: (fake) => {
      assert.deepEqual(statusOf(fake), { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 });
    },
  },
  {
    name: 'a terminating namespace: no events, no error, no failure condition',
    seed: [[REPLICASETS, rs('web', 2)]],
    react: (fake) => fake.prependReactor('create', 'pods', () => {
      throw new ApiError(403, 'Forbidden', 'pods "x" is forbidden: unable to create new content in namespace ns because it is being terminated', { causes: [{ reason: NAMESPACE_TERMINATING_CAUSE, message: 'x' }] });
    }),
    // as upstream, the refused creations count as done: they stay expected until the timeout
    settled: false,
    check: (fake, _ctl, events) => {
      assert.deepEqual(events, []);
      assert.equal(statusOf(fake)?.conditions, undefined);
    },
  },
  {
    name: 'scale down deletes the best candidates: unscheduled, pending, not ready, then newest',
    seed: [
      [REPLICASETS, rs('web', 2)],
      [R.pods, pod('old', { created: NOW - 9 * 3600_000, readySince: NOW - 9 * 3600_000 })],
      [R.pods, pod('unscheduled', { node: '', phase: 'Pending', ready: false })],
      [R.pods, pod('pending', { phase: 'Pending', ready: false })],
      [R.pods, pod('notready', { ready: false })],
      [R.pods, pod('new', { created: NOW - 60_000, readySince: NOW - 60_000 })],
    ],
    check: (fake, ctl, events) => {
      assert.deepEqual(podWrites(fake, 'delete').map((a) => a.name).sort(), ['notready', 'pending', 'unscheduled']);
      assert.deepEqual(fake.objects(R.pods, 'ns').map((p) => p.metadata.name).sort(), ['new', 'old']);
      assert.deepEqual(events.sort(), ['Normal SuccessfulDelete Deleted pod: notready', 'Normal SuccessfulDelete Deleted pod: pending', 'Normal SuccessfulDelete Deleted pod: unscheduled']);
    },
  },
  {
    name: 'scale down among equals removes the newer pod',
    seed: [[REPLICASETS, rs('web', 1)], [R.pods, pod('a', { created: NOW - 9 * 3600_000, readySince: NOW - 9 * 3600_000 })], [R.pods, pod('b', { created: NOW - 60_000, readySince: NOW - 60_000 })]],
    check: (fake) => assert.deepEqual(podWrites(fake, 'delete').map((a) => a.name), ['b']),
  },
  {
    name: 'a pod already gone during scale down is no error and no longer expected',
    seed: [[REPLICASETS, rs('web', 0)], [R.pods, pod('a')]],
    react: (fake) => fake.prependReactor('delete', 'pods', () => { throw new ApiError(404, 'NotFound', 'pods "a" not found'); }),
    check: (_fake, ctl) => assert.equal(ctl.expectations.satisfiedExpectations('ns/web'), true),
  },
  {
    name: 'adopts a matching orphan and counts it',
    seed: [[REPLICASETS, rs('web', 1)], [R.pods, pod('orphan', { owner: null })]],
    check: (fake) => {
      assert.deepEqual(fake.object(R.pods, 'ns', 'orphan')?.metadata.ownerReferences, [ref('web')]);
      assert.equal(podWrites(fake, 'create').length, 0);
      assert.equal(statusOf(fake)?.replicas, 1);
    },
  },
  {
    name: 'releases an owned pod that stopped matching and replaces it',
    seed: [[REPLICASETS, rs('web', 1)], [R.pods, pod('moved', { labels: { app: 'debug' } })]],
    check: (fake) => {
      assert.equal(fake.object(R.pods, 'ns', 'moved')?.metadata.ownerReferences, undefined);
      assert.equal(podWrites(fake, 'create').length, 1);
    },
  },
  {
    name: "other owners' pods and inactive pods do not count",
    seed: [
      [REPLICASETS, rs('web', 2)], [REPLICASETS, rs('other', 0)],
      [R.pods, pod('theirs', { owner: 'other' })],
      [R.pods, pod('done', { phase: 'Succeeded', ready: false })],
      [R.pods, pod('failed', { phase: 'Failed', ready: false })],
      [R.pods, pod('leaving', { deleting: true })],
      [R.pods, pod('mine')],
    ],
    check: (fake) => {
      assert.equal(podWrites(fake, 'create').length, 1);
      assert.equal(podWrites(fake, 'delete').length, 0);
      assert.equal(fake.object(R.pods, 'ns', 'theirs')?.metadata.ownerReferences[0].name, 'other');
    },
  },
  {
    name: 'status counts: fully labeled, ready, available with minReadySeconds',
    seed: [
      [REPLICASETS, rs('web', 4, { minReadySeconds: 30, generation: 3 })],
      [R.pods, pod('avail', { readySince: NOW - 60_000 })],
      [R.pods, pod('young', { readySince: NOW - 10_000 })],
      [R.pods, pod('notready', { ready: false })],
      [R.pods, pod('partial', { labels: { app: 'web' } })],
    ],
    check: (fake) => assert.deepEqual(statusOf(fake), { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 3 }),
  },
  {
    name: 'unchanged status is not written',
    seed: [[REPLICASETS, rs('web', 1, { status: { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 1 } })], [R.pods, pod('p')]],
    check: (fake) => assert.deepEqual(fake.writes(), []),
  },
  {
    name: 'an owner being deleted manages nothing but reports status',
    seed: [[REPLICASETS, rs('web', 3, { deleting: true })], [R.pods, pod('p')]],
    check: (fake) => {
      assert.equal(podWrites(fake, 'create').length, 0);
      assert.equal(statusOf(fake)?.replicas, 1);
    },
  },
  {
    name: 'a missing owner only drops its expectations',
    seed: [],
    key: 'ns/gone',
    before: (c) => c.expectations.expectCreations('ns/gone', 1),
    check: (fake, ctl) => {
      assert.deepEqual(fake.writes(), []);
      assert.equal(ctl.expectations.get('ns/gone'), undefined);
    },
  },
  {
    name: 'ReplicationController: map selector, v1 owner reference, same status',
    kind: 'ReplicationController',
    seed: [[REPLICATIONCONTROLLERS, {
      metadata: { name: 'web', namespace: 'ns', uid: 'uid-web', generation: 1 },
      spec: { replicas: 2, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    }], [R.pods, pod('rcpod', { owner: null, labels: { app: 'web' } })]],
    check: (fake) => {
      assert.deepEqual(fake.object(R.pods, 'ns', 'rcpod')?.metadata.ownerReferences, [ref('web', 'ReplicationController', 'v1')]);
      const created = podWrites(fake, 'create');
      assert.equal(created.length, 1);
      assert.deepEqual(created[0].object!.metadata.ownerReferences, [ref('web', 'ReplicationController', 'v1')]);
      assert.equal(statusOf(fake, 'web', REPLICATIONCONTROLLERS)?.replicas, 1);
    },
  },
];

describe('ReplicaSetController.sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      withStrategicMetadataPatches(h.fake);
      const recorder = new EventRecorder(h.fake, { component: 'replicaset-controller', log: silentLogger, maxAttempts: 1 });
      const owners = h.informer(c.kind === 'ReplicationController' ? REPLICATIONCONTROLLERS : REPLICASETS);
      const ctl = new ReplicaSetController({ client: h.fake, kind: c.kind, replicaSets: owners, pods: h.informer(R.pods), recorder, log: silentLogger, now: () => NOW });
      try {
        await h.sync();
        // Handlers ran for the seeded objects; start from a clean slate.
        c.before?.(ctl);
        c.react?.(h.fake);
        h.fake.clearActions();
        const p = ctl.sync(c.key ?? 'ns/web');
        if (c.throws) await assert.rejects(p, c.throws);
        else await p;
        await recorder.flush();
        const events = h.fake.objects(R.events).map((e) => `${e.type} ${e.reason} ${e.message}`);
        c.check(h.fake, ctl, events);
        // Every write this sync expected is observed through the informer.
        await until(() => ctl.expectations.satisfiedExpectations(c.key ?? 'ns/web') === (c.settled ?? true), 'expectations to settle');
      } finally {
        ctl.queue.shutdown();
        await h.close();
      }
    });
  }
});

describe('ReplicaSetController.run', () => {
  it('keeps the replica count through informer events: creates, replaces a deleted pod, scales down', async () => {
    const h = harness([[REPLICASETS, rs('web', 3)]]);
    withStrategicMetadataPatches(h.fake);
    const ctl = new ReplicaSetController({ client: h.fake, replicaSets: h.informer(REPLICASETS), pods: h.informer(R.pods), log: silentLogger });
    const ac = new AbortController();
    const run = ctl.run(ac.signal);
    try {
      await h.sync();
      const pods = () => h.fake.objects(R.pods, 'ns');
      await until(() => pods().length === 3 && statusOf(h.fake)?.replicas === 3, '3 pods and status');
      const creates = () => h.fake.writes().filter((a) => a.verb === 'create' && a.resource === 'pods').length;
      assert.equal(creates(), 3, 'expectations prevent duplicate creations');

      await h.fake.delete(R.pods, 'ns', pods()[0].metadata.name);
      await until(() => pods().length === 3 && creates() === 4, 'a replacement');

      const cur = h.fake.object(REPLICASETS, 'ns', 'web')!;
      cur.spec.replicas = 1;
      await h.fake.update(REPLICASETS, 'ns', cur);
      await until(() => pods().length === 1 && statusOf(h.fake)?.replicas === 1, 'scaled down to 1');
    } finally {
      ac.abort();
      await run;
      await h.close();
    }
  });
});
