import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { harness } from '../testutil.js';
import { DisruptionController, PDBS, scaledValue, setStatusCondition } from './controller.js';

const R = {
  pods: findResource('', 'v1', 'pods')!,
  rs: findResource('apps', 'v1', 'replicasets')!,
  deploy: findResource('apps', 'v1', 'deployments')!,
  sts: findResource('apps', 'v1', 'statefulsets')!,
  rc: findResource('', 'v1', 'replicationcontrollers')!,
};
const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString().replace(/\.\d+Z$/, 'Z');

const ctl = (apiVersion: string, kind: string, name: string, uid: string): Obj[] => [{ apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true }];
const pod = (name: string, o: { ready?: boolean; owner?: Obj[]; deleting?: boolean; labels?: Record<string, string>; conditions?: Obj[]; phase?: string } = {}): [ResourceRef, Obj] => [R.pods, {
  metadata: {
    name, namespace: 'ns', labels: o.labels ?? { app: 'web' }, ...(o.owner ? { ownerReferences: o.owner } : {}),
    ...(o.deleting ? { deletionTimestamp: ago(0) } : {}),
  },
  status: { phase: o.phase ?? 'Running', conditions: o.conditions ?? [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
}];
const pdb = (spec: Obj, status?: Obj, generation = 1): [ResourceRef, Obj] => [PDBS, {
  metadata: { name: 'budget', namespace: 'ns', generation },
  spec: { selector: { matchLabels: { app: 'web' } }, ...spec },
  ...(status ? { status } : {}),
}];
const workload = (r: ResourceRef, name: string, uid: string, replicas: number, owner?: Obj[]): [ResourceRef, Obj] =>
  [r, { metadata: { name, namespace: 'ns', uid, ...(owner ? { ownerReferences: owner } : {}) }, spec: { replicas } }];

const rsOwned = ctl('apps/v1', 'ReplicaSet', 'web-1', 'rs1');

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  react?: (fake: FakeClient) => void;
  want?: Obj;
  /** Expected DisruptionAllowed condition [status, reason, message?]. */
  cond?: [string, string, string?];
  result?: unknown;
  events?: string[];
  check?: (fake: FakeClient) => void;
}

const cases: Case[] = [
  {
    name: 'minAvailable as a number: expected pods are the selected pods',
    seed: [pdb({ minAvailable: 2 }, undefined, 3), pod('a'), pod('b'), pod('c'), pod('x', { labels: { app: 'other' } })],
    want: { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 3 },
    cond: ['True', 'SufficientPods'],
  },
  {
    name: 'not enough healthy pods: no disruption allowed (not-ready and terminating pods are unhealthy)',
    seed: [pdb({ minAvailable: 2 }), pod('a'), pod('b', { ready: false }), pod('c', { deleting: true })],
    want: { currentHealthy: 1, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 0 },
    cond: ['False', 'InsufficientPods'],
  },
  {
    name: 'minAvailable as a percentage of a Deployment\'s replicas (found through its ReplicaSet)',
    seed: [
      pdb({ minAvailable: '50%' }),
      workload(R.deploy, 'web', 'd1', 5), workload(R.rs, 'web-1', 'rs1', 5, ctl('apps/v1', 'Deployment', 'web', 'd1')),
      pod('a', { owner: rsOwned }), pod('b', { owner: rsOwned }), pod('c', { owner: rsOwned }), pod('d', { owner: rsOwned, ready: false }),
    ],
    want: { currentHealthy: 3, desiredHealthy: 3, expectedPods: 5, disruptionsAllowed: 0 },
  },
  {
    name: 'maxUnavailable with a StatefulSet',
    seed: [pdb({ maxUnavailable: 1 }), workload(R.sts, 'db', 's1', 3), ...['db-0', 'db-1', 'db-2'].map((n) => pod(n, { owner: ctl('apps/v1', 'StatefulSet', 'db', 's1') }))],
    want: { currentHealthy: 3, desiredHealthy: 2, expectedPods: 3, disruptionsAllowed: 1 },
  },
  {
    name: 'maxUnavailable as a percentage rounds up (a bare ReplicaSet)',
    seed: [pdb({ maxUnavailable: '34%' }), workload(R.rs, 'web-1', 'rs1', 3), pod('a', { owner: rsOwned }), pod('b', { owner: rsOwned }), pod('c', { owner: rsOwned })],
    want: { currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 2 },
  },
  {
    name: 'a ReplicationController counts by its replicas',
    seed: [pdb({ minAvailable: '100%' }), workload(R.rc, 'old', 'rc1', 2), pod('a', { owner: ctl('v1', 'ReplicationController', 'old', 'rc1') })],
    want: { currentHealthy: 1, desiredHealthy: 2, expectedPods: 2, disruptionsAllowed: 0 },
  },
  {
    name: 'another kind with a scale subresource answers through it',
    seed: [pdb({ maxUnavailable: 0 }), pod('a', { owner: ctl('apps/v1', 'Deployment', 'direct', 'dd1') })],
    react: (fake) => fake.prependReactor('get', 'deployments', (a) => (a.subresource === 'scale'
      ? { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'direct', namespace: 'ns', uid: 'dd1' }, spec: { replicas: 4 } } : undefined)),
    want: { currentHealthy: 1, desiredHealthy: 4, expectedPods: 4, disruptionsAllowed: 0 },
  },
  {
    name: 'pods owned by a kind without a scale subresource: SyncFailed, no disruption',
    seed: [pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 3, currentHealthy: 3, desiredHealthy: 0, expectedPods: 3, observedGeneration: 1 }), pod('a', { owner: ctl('batch/v1', 'Job', 'j', 'j1') })],
    want: { disruptionsAllowed: 0, currentHealthy: 3 },
    cond: ['False', 'SyncFailed', 'jobs.batch does not implement the scale subresource'],
    events: ['Warning CalculateExpectedPodCountFailed Failed to calculate the number of expected pods: jobs.batch does not implement the scale subresource'],
  },
  {
    name: 'a controller not found: SyncFailed',
    seed: [pdb({ minAvailable: '50%' }), pod('a', { owner: rsOwned })],
    cond: ['False', 'SyncFailed', 'found no controllers for pod "a"'],
    events: ['Warning CalculateExpectedPodCountFailed Failed to calculate the number of expected pods: found no controllers for pod "a"'],
  },
  {
    name: 'unmanaged pods with a percentage: counted out, with a warning',
    seed: [pdb({ maxUnavailable: '50%' }), workload(R.rs, 'web-1', 'rs1', 2), pod('a', { owner: rsOwned }), pod('b', { owner: rsOwned }), pod('loose')],
    want: { currentHealthy: 3, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 2 },
    events: ['Warning UnmanagedPods Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.'],
  },
  {
    name: 'no pods: nothing expected, nothing allowed',
    seed: [pdb({ minAvailable: 0 })],
    want: { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0 },
    cond: ['False', 'InsufficientPods'],
    events: ['Normal NoPods No matching pods found'],
  },
  {
    name: 'disruptedPods: recent evictions are kept (pod not healthy, recheck due), old ones and deleted pods dropped',
    seed: [
      pdb({ minAvailable: 1 }, { disruptedPods: { a: ago(60_000), b: ago(180_000), c: ago(30_000), gone: ago(10_000) } }),
      pod('a'), pod('b'), pod('c', { deleting: true }), pod('d'),
    ],
    want: { currentHealthy: 2, desiredHealthy: 1, expectedPods: 4, disruptionsAllowed: 1, disruptedPods: { a: ago(60_000) } },
    result: { requeueAfterMs: 60_000 },
    events: ['Warning NotDeleted Pod was expected by PDB ns/ns to be deleted but it wasn\'t'],
  },
  {
    name: 'up to date: no write',
    seed: [pdb({ minAvailable: 1 }, {
      currentHealthy: 1, desiredHealthy: 1, expectedPods: 1, disruptionsAllowed: 0, observedGeneration: 1,
      conditions: [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: ago(1000) }],
    }), pod('a')],
    check: (fake) => assert.deepEqual(fake.writes(), []),
  },
];

describe('disruption controller', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      const events: string[] = [];
      const recorder = { event: (_o: Obj, type: string, reason: string, msg: string) => events.push(`${type} ${reason} ${msg}`) } as unknown as EventRecorder;
      try {
        const ctrl = new DisruptionController({
          client: h.fake, pods: h.informer(R.pods), pdbs: h.informer(PDBS), replicaSets: h.informer(R.rs), deployments: h.informer(R.deploy),
          statefulSets: h.informer(R.sts), replicationControllers: h.informer(R.rc), recorder, now: () => NOW, log: silentLogger,
        });
        await h.sync();
        c.react?.(h.fake);
        h.fake.clearActions();
        const result = await ctrl.sync('ns/budget');
        assert.deepEqual(result, c.result);
        const st = h.fake.object(PDBS, 'ns', 'budget')!.status ?? {};
        for (const [k, v] of Object.entries(c.want ?? {})) assert.deepEqual(st[k], v, k);
        if (c.want && !('disruptedPods' in c.want)) assert.equal(st.disruptedPods, undefined);
        if (c.cond) {
          const cond = st.conditions.find((x: Obj) => x.type === 'DisruptionAllowed');
          assert.deepEqual([cond.status, cond.reason, ...(c.cond[2] !== undefined ? [cond.message] : [])], c.cond);
          assert.ok(cond.lastTransitionTime);
        }
        assert.deepEqual(events, c.events ?? []);
        c.check?.(h.fake);
      } finally {
        await h.close();
      }
    });
  }

  it('resets a DisruptionTarget condition whose eviction never came, once stale', async () => {
    const stale: [ResourceRef, Obj] = pod('a', { conditions: [{ type: 'Ready', status: 'True' }, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', lastTransitionTime: ago(150_000) }] });
    const fresh: [ResourceRef, Obj] = pod('b', { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', lastTransitionTime: ago(10_000) }] });
    const kubelet: [ResourceRef, Obj] = pod('c', { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', lastTransitionTime: ago(500_000) }] });
    const h = harness([stale, fresh, kubelet]);
    try {
      const ctrl = new DisruptionController({
        client: h.fake, pods: h.informer(R.pods), pdbs: h.informer(PDBS), replicaSets: h.informer(R.rs), deployments: h.informer(R.deploy),
        statefulSets: h.informer(R.sts), replicationControllers: h.informer(R.rc), now: () => NOW, log: silentLogger,
      });
      await h.sync();
      h.fake.clearActions();
      for (const n of ['a', 'b', 'c']) await ctrl.syncStalePodDisruption(`ns/${n}`);
      const patches = h.fake.writes();
      assert.equal(patches.length, 1);
      assert.equal(patches[0].name, 'a');
      assert.equal(patches[0].subresource, 'status');
      assert.equal(patches[0].patchType, 'strategic');
      const [cond] = patches[0].object!.status.conditions;
      assert.deepEqual([cond.type, cond.status], ['DisruptionTarget', 'False']);
      ctrl.staleQueue.shutdown();
    } finally {
      await h.close();
    }
  });
});

describe('disruption helpers', () => {
  it('scales ints and percentages', () => {
    assert.equal(scaledValue(3, 10, true), 3);
    assert.equal(scaledValue('50%', 5, true), 3);
    assert.equal(scaledValue('50%', 5, false), 2);
    assert.throws(() => scaledValue('x', 5, true), /invalid value for IntOrString/);
  });

  it('setStatusCondition keeps the transition time unless the status changes', () => {
    const c0 = [{ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', lastTransitionTime: 't0' }];
    assert.equal(setStatusCondition(c0, { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'x' })[0].lastTransitionTime, 't0');
    assert.notEqual(setStatusCondition(c0, { type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '' })[0].lastTransitionTime, 't0');
  });
});
