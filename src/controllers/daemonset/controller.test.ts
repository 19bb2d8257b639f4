import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { computeHash } from '../common/hash.js';
import { CONTROLLER_REVISIONS, templatePatch } from '../history/history.js';
import { harness, until, type Harness } from '../testutil.js';
import { DAEMONSETS, DaemonSetsController, shouldIgnoreNodeUpdate } from './controller.js';
import { FailedPodsBackoff } from './util.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const EVENTS = findResource('', 'v1', 'events')!;
const NS = 'ns';
const T0 = '2024-01-01T00:00:00Z';

function template(image = 'img:1', extra: Obj = {}): Obj {
  return { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image }], ...extra } };
}

function daemonSet(opts: { template?: Obj; strategy?: Obj; generation?: number; status?: Obj; selector?: Obj; minReadySeconds?: number; historyLimit?: number } = {}): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'd', namespace: NS, uid: 'ds-uid', generation: opts.generation ?? 1 },
    spec: {
      selector: opts.selector ?? { matchLabels: { app: 'd' } },
      template: opts.template ?? template(),
      updateStrategy: opts.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      revisionHistoryLimit: opts.historyLimit ?? 10,
      ...(opts.minReadySeconds ? { minReadySeconds: opts.minReadySeconds } : {}),
    },
    status: opts.status ?? {},
  };
}

const node = (name: string, labels: Record<string, string> = {}, taints: Obj[] = []): Obj => ({ metadata: { name, labels }, spec: { taints } });

const hashOf = (t: Obj): string => computeHash(t, undefined);

function pod(name: string, nodeName: string, opts: { hash?: string; ready?: boolean; phase?: string; created?: string; owned?: boolean; labels?: Record<string, string>; pinOnly?: boolean; deleting?: boolean } = {}): Obj {
  const labels = opts.labels ?? { app: 'd', 'controller-revision-hash': opts.hash ?? hashOf(template()) };
  const p: Obj = {
    metadata: {
      name, namespace: NS, labels, creationTimestamp: opts.created ?? T0,
      ...(opts.owned === false ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }] }),
      ...(opts.deleting ? { deletionTimestamp: T0, finalizers: ['hold'] } : {}),
    },
    spec: opts.pinOnly
      ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] } } }, containers: [{ name: 'c', image: 'img:1' }] }
      : { nodeName, containers: [{ name: 'c', image: 'img:1' }] },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: T0 }] },
  };
  return p;
}

/** The revision the controller would have made for a DaemonSet with this template. */
function revision(t: Obj, rev: number): Obj {
  const hash = hashOf(t);
  return {
    metadata: { name: `d-${hash}`, namespace: NS, labels: { ...t.metadata.labels, 'controller-revision-hash': hash }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }] },
    data: templatePatch({ spec: { template: t } }), revision: rev,
  };
}

interface Setup {
  h: Harness;
  ctl: DaemonSetsController;
  recorder: EventRecorder;
  backoff: FailedPodsBackoff;
}

async function setup(seed: [ResourceRef, Obj][], now = () => Date.parse('2024-01-01T01:00:00Z')): Promise<Setup> {
  const h = harness(seed);
  const recorder = new EventRecorder(h.fake, { component: 'daemonset-controller', signal: h.signal, log: silentLogger });
  const backoff = new FailedPodsBackoff(1000, 900_000, now);
  const ctl = new DaemonSetsController({
    client: h.fake, daemonSets: h.informer(DAEMONSETS), controllerRevisions: h.informer(CONTROLLER_REVISIONS),
    pods: h.informer(PODS), nodes: h.informer(NODES), recorder, log: silentLogger, now, failedPodsBackoff: backoff,
  });
  await h.sync();
  h.fake.clearActions();
  // sync() is called directly: delayed re-adds must not outlive the test.
  const close = h.close.bind(h);
  h.close = async () => {
    ctl.queue.shutdown();
    await close();
  };
  return { h, ctl, recorder, backoff };
}

/** Writes as short strings: "create pods", "delete pods/d-x", "update daemonsets/d/status", ... */
function writes(fake: FakeClient, resource?: string): string[] {
  return fake.writes()
    .filter((w) => (resource ? w.resource === resource : w.resource !== 'events'))
    .map((w) => `${w.verb} ${w.resource}${w.name ? `/${w.name}` : ''}${w.subresource ? `/${w.subresource}` : ''}`);
}

async function events(s: Setup): Promise<string[]> {
  await s.recorder.flush();
  return s.h.fake.objects(EVENTS, NS).map((e) => `${e.type} ${e.reason} ${e.message}`).sort();
}

describe('daemonset sync: placement', () => {
  interface Case { name: string; nodes: Obj[]; pods?: Obj[]; ds?: Obj; createdOn: string[]; deleted: string[] }
  const cases: Case[] = [
    { name: 'one pod on every node', nodes: [node('n1'), node('n2'), node('n3')], createdOn: ['n1', 'n2', 'n3'], deleted: [] },
    { name: 'untolerated NoSchedule taint keeps a node out', nodes: [node('n1'), node('n2', {}, [{ key: 'x', effect: 'NoSchedule' }])], createdOn: ['n1'], deleted: [] },
    { name: 'cordoned node still gets one (default toleration)', nodes: [node('n1', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }])], createdOn: ['n1'], deleted: [] },
    { name: 'node selector', nodes: [node('n1', { role: 'edge' }), node('n2')], ds: daemonSet({ template: template('img:1', { nodeSelector: { role: 'edge' } }) }), createdOn: ['n1'], deleted: [] },
    { name: 'node with a pod is left alone', nodes: [node('n1'), node('n2')], pods: [pod('d-a', 'n1')], createdOn: ['n2'], deleted: [] },
    { name: 'a pending pod pinned by affinity counts for its node', nodes: [node('n1')], pods: [pod('d-a', 'n1', { pinOnly: true })], createdOn: [], deleted: [] },
    { name: 'pod on a node that no longer matches goes', nodes: [node('n1', { role: 'core' })], pods: [pod('d-a', 'n1')], ds: daemonSet({ template: template('img:1', { nodeSelector: { role: 'edge' } }) }), createdOn: [], deleted: ['d-a'] },
    { name: 'untolerated NoSchedule taint: the running pod stays', nodes: [node('n1', {}, [{ key: 'x', effect: 'NoSchedule' }])], pods: [pod('d-a', 'n1')], createdOn: [], deleted: [] },
    { name: 'untolerated NoExecute taint: the pod goes', nodes: [node('n1', {}, [{ key: 'x', effect: 'NoExecute' }])], pods: [pod('d-a', 'n1')], createdOn: [], deleted: ['d-a'] },
    { name: 'surplus pods: the oldest stays', nodes: [node('n1')], pods: [pod('d-new', 'n1', { created: '2024-01-01T00:00:05Z' }), pod('d-old', 'n1')], createdOn: [], deleted: ['d-new'] },
    { name: 'succeeded pod is deleted (recreated next time)', nodes: [node('n1')], pods: [pod('d-a', 'n1', { phase: 'Succeeded' })], createdOn: [], deleted: ['d-a'] },
    { name: 'a terminal pod being deleted is ignored: a new one is made', nodes: [node('n1')], pods: [pod('d-a', 'n1', { phase: 'Failed', deleting: true })], createdOn: ['n1'], deleted: [] },
    { name: 'unscheduled pod pinned to a vanished node goes', nodes: [node('n1')], pods: [pod('d-a', 'n1'), pod('d-b', 'gone', { pinOnly: true })], createdOn: [], deleted: ['d-b'] },
    { name: 'matching orphans are adopted, not duplicated', nodes: [node('n1')], pods: [pod('d-a', 'n1', { owned: false })], createdOn: [], deleted: [] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const s = await setup([
        [DAEMONSETS, c.ds ?? daemonSet()], [CONTROLLER_REVISIONS, revision(template(), 1)],
        ...c.nodes.map((n): [ResourceRef, Obj] => [NODES, n]), ...(c.pods ?? []).map((p): [ResourceRef, Obj] => [PODS, p]),
      ]);
      try {
        await s.ctl.sync(`${NS}/d`);
        const created = s.h.fake.writes().filter((w) => w.verb === 'create' && w.resource === 'pods').map((w) => w.object!);
        const pinned = created.map((p) => p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]);
        assert.deepEqual(pinned.sort(), c.createdOn);
        assert.deepEqual(writes(s.h.fake, 'pods').filter((w) => w.startsWith('delete')).map((w) => w.slice('delete pods/'.length)).sort(), c.deleted);
      } finally {
        await s.h.close();
      }
    });
  }

  it('creates pods shaped as upstream: generateName, owner, labels, default tolerations, node pin', async () => {
    const ds = daemonSet();
    ds.metadata.annotations = { 'deprecated.daemonset.template.generation': '3' };
    const s = await setup([[DAEMONSETS, ds], [NODES, node('n1')]]);
    try {
      await s.ctl.sync(`${NS}/d`);
      const created = s.h.fake.writes().find((w) => w.verb === 'create' && w.resource === 'pods')!.object!;
      assert.equal(created.metadata.generateName, 'd-');
      assert.deepEqual(created.metadata.labels, { app: 'd', 'controller-revision-hash': hashOf(template()), 'pod-template-generation': '3' });
      assert.deepEqual(created.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }]);
      assert.equal(created.spec.nodeName, undefined, 'the scheduler binds it');
      assert.deepEqual(created.spec.tolerations.map((t: Obj) => `${t.key}:${t.effect}`), [
        'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
        'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
      ]);
      assert.ok((await events(s)).some((e) => /^Normal SuccessfulCreate Created pod: d-/.test(e)));
      // The first revision was recorded.
      const crs = s.h.fake.objects(CONTROLLER_REVISIONS, NS);
      assert.deepEqual(crs.map((c) => [c.metadata.name, c.revision, c.metadata.labels['controller-revision-hash']]), [[`d-${hashOf(template())}`, 1, hashOf(template())]]);
      assert.deepEqual(crs[0].metadata.annotations, { 'deprecated.daemonset.template.generation': '3' });
    } finally {
      await s.h.close();
    }
  });

  it('creations follow slow start and stop at the first failing batch', async () => {
    const s = await setup([[DAEMONSETS, daemonSet()], ...['n1', 'n2', 'n3', 'n4', 'n5', 'n6'].map((n): [ResourceRef, Obj] => [NODES, node(n)])]);
    try {
      let creates = 0;
      s.h.fake.prependReactor('create', 'pods', () => {
        creates++;
        if (creates >= 2) throw new Error('quota exceeded');
        return undefined;
      });
      await assert.rejects(s.ctl.sync(`${NS}/d`), /quota exceeded/);
      assert.equal(creates, 3, 'batches of 1 then 2, then stop');
      // 6 expected, 2 failed, 3 skipped: only the one success was outstanding, and the informer sees it.
      await until(() => s.ctl.expectations.satisfiedExpectations(`${NS}/d`), 'expectations met');
      assert.deepEqual(s.ctl.expectations.get(`${NS}/d`), { add: 0, del: 0 });
      assert.ok((await events(s)).includes('Warning FailedCreate Error creating: quota exceeded'));
    } finally {
      await s.h.close();
    }
  });

  it('failed pods are deleted with an event, then backed off', async () => {
    const s = await setup([[DAEMONSETS, daemonSet({ status: { observedGeneration: 1 } })], [CONTROLLER_REVISIONS, revision(template(), 1)], [NODES, node('n1')], [PODS, pod('d-a', 'n1', { phase: 'Failed' })]]);
    try {
      s.h.fake.prependReactor('delete', 'pods', () => ({})); // the pod lingers
      await s.ctl.sync(`${NS}/d`);
      assert.deepEqual(writes(s.h.fake, 'pods'), ['delete pods/d-a']);
      assert.ok((await events(s)).includes(`Warning FailedDaemonPod Found failed daemon pod ${NS}/d-a on node n1, will try to kill it`));
      s.ctl.expectations.deleteExpectations(`${NS}/d`);
      s.h.fake.clearActions();
      await s.ctl.sync(`${NS}/d`);
      assert.deepEqual(writes(s.h.fake, 'pods'), [], 'within the back-off the pod is not deleted again');
    } finally {
      await s.h.close();
    }
  });

  it('refuses a selector that selects everything', async () => {
    const s = await setup([[DAEMONSETS, daemonSet({ selector: {} })], [NODES, node('n1')]]);
    try {
      await s.ctl.sync(`${NS}/d`);
      assert.deepEqual(writes(s.h.fake), []);
      assert.deepEqual(await events(s), ['Warning SelectingAll This daemon set is selecting all pods. A non-empty selector is required.']);
    } finally {
      await s.h.close();
    }
  });

  it('waits for its expectations: status only, generation not observed', async () => {
    const s = await setup([[DAEMONSETS, daemonSet({ generation: 2 })], [CONTROLLER_REVISIONS, revision(template(), 1)], [NODES, node('n1')]]);
    try {
      s.ctl.expectations.setExpectations(`${NS}/d`, 1, 0);
      await s.ctl.sync(`${NS}/d`);
      assert.deepEqual(writes(s.h.fake), ['update daemonsets/d/status']);
      const st = s.h.fake.object(DAEMONSETS, NS, 'd')!.status;
      assert.equal(st.desiredNumberScheduled, 1);
      assert.equal(st.observedGeneration, undefined);
    } finally {
      await s.h.close();
    }
  });
});

describe('daemonset sync: updates', () => {
  const v2 = template('img:2');
  const oldPods = (n: number, ready = true): Obj[] => Array.from({ length: n }, (_, i) => pod(`d-${i}`, `n${i}`, { ready }));
  const nodes = (n: number): [ResourceRef, Obj][] => Array.from({ length: n }, (_, i): [ResourceRef, Obj] => [NODES, node(`n${i}`)]);

  interface Case { name: string; ds: Obj; pods: Obj[]; nodes: number; deleted: string[]; createdOn: string[] }
  const cases: Case[] = [
    { name: 'maxUnavailable 1: one old pod at a time', ds: daemonSet({ template: v2 }), pods: oldPods(3), nodes: 3, deleted: ['d-0'], createdOn: [] },
    { name: 'maxUnavailable 2', ds: daemonSet({ template: v2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2, maxSurge: 0 } } }), pods: oldPods(3), nodes: 3, deleted: ['d-0', 'd-1'], createdOn: [] },
    { name: 'maxUnavailable 50% rounds up', ds: daemonSet({ template: v2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 } } }), pods: oldPods(3), nodes: 3, deleted: ['d-0', 'd-1'], createdOn: [] },
    { name: 'unavailable old pods may all go', ds: daemonSet({ template: v2 }), pods: oldPods(3, false), nodes: 3, deleted: ['d-0', 'd-1', 'd-2'], createdOn: [] },
    {
      name: 'an unavailable new pod uses the budget', ds: daemonSet({ template: v2 }),
      pods: [pod('d-0', 'n0', { hash: hashOf(v2), ready: false }), pod('d-1', 'n1'), pod('d-2', 'n2')], nodes: 3, deleted: [], createdOn: [],
    },
    { name: 'maxSurge 1: a new pod beside an old one', ds: daemonSet({ template: v2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }), pods: oldPods(3), nodes: 3, deleted: [], createdOn: ['n0'] },
    {
      name: 'maxSurge: the old pod goes once the new one is available',
      ds: daemonSet({ template: v2, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } }),
      pods: [pod('d-0', 'n0'), pod('d-0n', 'n0', { hash: hashOf(v2), created: '2024-01-01T00:00:01Z' }), pod('d-1', 'n1')], nodes: 2, deleted: ['d-0'], createdOn: ['n1'],
    },
    { name: 'OnDelete: nothing happens', ds: daemonSet({ template: v2, strategy: { type: 'OnDelete' } }), pods: oldPods(3), nodes: 3, deleted: [], createdOn: [] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const s = await setup([[DAEMONSETS, c.ds], [CONTROLLER_REVISIONS, revision(template(), 1)], ...nodes(c.nodes), ...c.pods.map((p): [ResourceRef, Obj] => [PODS, p])]);
      try {
        await s.ctl.sync(`${NS}/d`);
        const created = s.h.fake.writes().filter((w) => w.verb === 'create' && w.resource === 'pods').map((w) => w.object!);
        assert.deepEqual(created.map((p) => p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]).sort(), c.createdOn);
        assert.ok(created.every((p) => p.metadata.labels['controller-revision-hash'] === hashOf(v2)));
        assert.deepEqual(writes(s.h.fake, 'pods').filter((w) => w.startsWith('delete')).map((w) => w.slice('delete pods/'.length)).sort(), c.deleted);
      } finally {
        await s.h.close();
      }
    });
  }
});

describe('daemonset sync: history and status', () => {
  it('a template change makes revision 2; going back renumbers revision 1 to 3', async () => {
    const v2 = template('img:2');
    const s = await setup([[DAEMONSETS, daemonSet({ template: v2 })], [CONTROLLER_REVISIONS, revision(template(), 1)], [NODES, node('n1')]]);
    try {
      await s.ctl.sync(`${NS}/d`);
      const byName = () => Object.fromEntries(s.h.fake.objects(CONTROLLER_REVISIONS, NS).map((c) => [c.metadata.name, c.revision]));
      assert.deepEqual(byName(), { [`d-${hashOf(template())}`]: 1, [`d-${hashOf(v2)}`]: 2 });
      const ds = s.h.fake.object(DAEMONSETS, NS, 'd')!;
      ds.spec.template = template();
      await s.h.fake.update(DAEMONSETS, NS, ds);
      await until(() => s.ctl['o'].daemonSets.store.get(NS, 'd')?.spec.template.spec.containers[0].image === 'img:1', 'cache');
      await until(() => s.ctl['o'].controllerRevisions.store.listNamespace(NS).length === 2, 'cache');
      s.ctl.expectations.deleteExpectations(`${NS}/d`);
      await s.ctl.sync(`${NS}/d`);
      assert.deepEqual(byName(), { [`d-${hashOf(template())}`]: 3, [`d-${hashOf(v2)}`]: 2 });
    } finally {
      await s.h.close();
    }
  });

  it('old revisions beyond the limit go unless a pod still uses them', async () => {
    const t = (i: number) => template(`img:${i}`);
    const s = await setup([
      [DAEMONSETS, daemonSet({ template: t(4), historyLimit: 1, strategy: { type: 'OnDelete' } })], [NODES, node('n1')],
      [CONTROLLER_REVISIONS, revision(t(1), 1)], [CONTROLLER_REVISIONS, revision(t(2), 2)], [CONTROLLER_REVISIONS, revision(t(3), 3)], [CONTROLLER_REVISIONS, revision(t(4), 4)],
      [PODS, pod('d-a', 'n1', { hash: hashOf(t(1)) })],
    ]);
    try {
      await s.ctl.sync(`${NS}/d`);
      // old = 1, 2, 3; limit 1 → two to delete (as upstream counts: live ones included), oldest
      // first, skipping revision 1 whose hash a pod still carries.
      assert.deepEqual(s.h.fake.objects(CONTROLLER_REVISIONS, NS).map((c) => c.revision).sort(), [1, 4]);
    } finally {
      await s.h.close();
    }
  });

  it('status counts', async () => {
    const v2 = template('img:2');
    const s = await setup([
      [DAEMONSETS, daemonSet({ template: v2, generation: 7, strategy: { type: 'OnDelete' }, minReadySeconds: 30 })], [CONTROLLER_REVISIONS, revision(template(), 1)],
      [NODES, node('n1')], [NODES, node('n2')], [NODES, node('n3')], [NODES, node('n4', {}, [{ key: 'x', effect: 'NoSchedule' }])],
      [PODS, pod('d-1', 'n1', { hash: hashOf(v2) })], // ready since T0: available
      [PODS, { ...pod('d-2', 'n2'), status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:59:50Z' }] } }], // ready, not yet available
      [PODS, pod('d-4', 'n4')], // may stay (NoSchedule) but not desired: misscheduled
    ]);
    try {
      let swallow = true;
      s.h.fake.prependReactor('create', 'pods', () => (swallow ? {} : undefined)); // n3's pod does not show up yet
      await s.ctl.sync(`${NS}/d`);
      const st = s.h.fake.object(DAEMONSETS, NS, 'd')!.status;
      assert.deepEqual(st, {
        desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 2,
        updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 2, observedGeneration: 7,
      });
      await until(() => s.ctl['o'].daemonSets.store.get(NS, 'd')?.status?.observedGeneration === 7, 'cache');

      // Unchanged counts are not written again.
      s.ctl.expectations.deleteExpectations(`${NS}/d`);
      s.h.fake.clearActions();
      await s.ctl.sync(`${NS}/d`);
      assert.deepEqual(writes(s.h.fake, 'daemonsets'), []);

      // n3's pod appears: the counts follow.
      swallow = false;
      await s.h.fake.create(PODS, NS, pod('d-3', 'n3', { hash: hashOf(v2) }));
      await until(() => s.ctl['o'].pods.store.listNamespace(NS).length === 4, 'cache');
      s.ctl.expectations.deleteExpectations(`${NS}/d`);
      s.h.fake.clearActions();
      await s.ctl.sync(`${NS}/d`);
      assert.deepEqual(writes(s.h.fake, 'daemonsets'), ['update daemonsets/d/status']);
      const st2 = s.h.fake.object(DAEMONSETS, NS, 'd')!.status;
      assert.deepEqual([st2.currentNumberScheduled, st2.updatedNumberScheduled, st2.numberAvailable], [3, 2, 2]);
    } finally {
      await s.h.close();
    }
  });

  it('a DaemonSet being deleted or gone is left alone', async () => {
    const ds = daemonSet();
    ds.metadata.deletionTimestamp = T0;
    ds.metadata.finalizers = ['foregroundDeletion'];
    const s = await setup([[DAEMONSETS, ds], [NODES, node('n1')]]);
    try {
      await s.ctl.sync(`${NS}/d`);
      await s.ctl.sync(`${NS}/other`);
      assert.deepEqual(writes(s.h.fake), []);
    } finally {
      await s.h.close();
    }
  });
});

describe('shouldIgnoreNodeUpdate', () => {
  const n = (conds: Obj[], extra: Obj = {}): Obj => ({ metadata: { name: 'n', resourceVersion: String(Math.random()), ...extra }, status: { conditions: conds } });
  const cases: { name: string; old: Obj; cur: Obj; want: boolean }[] = [
    { name: 'heartbeat only', old: n([{ type: 'Ready', status: 'True', lastHeartbeatTime: 'a' }]), cur: n([{ type: 'Ready', status: 'True', lastHeartbeatTime: 'b' }]), want: true },
    { name: 'ready flips', old: n([{ type: 'Ready', status: 'True' }]), cur: n([{ type: 'Ready', status: 'False' }]), want: false },
    { name: 'labels change', old: n([], { labels: { a: '1' } }), cur: n([], { labels: { a: '2' } }), want: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(shouldIgnoreNodeUpdate(c.old, c.cur), c.want));
});

describe('daemonset controller run', () => {
  it('follows nodes: new nodes get a pod, labels narrow the set, status tracks readiness', async () => {
    const h = harness([[NODES, node('n1')], [NODES, node('n2')]]);
    const recorder = new EventRecorder(h.fake, { component: 'daemonset-controller', signal: h.signal, log: silentLogger });
    const ctl = new DaemonSetsController({
      client: h.fake, daemonSets: h.informer(DAEMONSETS), controllerRevisions: h.informer(CONTROLLER_REVISIONS),
      pods: h.informer(PODS), nodes: h.informer(NODES), recorder, log: silentLogger,
    });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    const podsOn = () => h.fake.objects(PODS, NS).filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]).sort().join(',');
    try {
      await h.fake.create(DAEMONSETS, NS, daemonSet());
      await until(() => podsOn() === 'n1,n2', 'pods on n1 and n2');
      await h.fake.create(NODES, '', node('n3'));
      await until(() => podsOn() === 'n1,n2,n3', 'a pod on the new node');
      // A kubelet: bind and make every pod ready.
      for (const p of h.fake.objects(PODS, NS)) {
        const nodeName = p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0];
        const next = clone(p);
        next.spec.nodeName = nodeName;
        await h.fake.update(PODS, NS, next);
        const fresh = h.fake.object(PODS, NS, p.metadata.name)!;
        fresh.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: T0 }] };
        await h.fake.updateStatus(PODS, NS, fresh);
      }
      await until(() => h.fake.object(DAEMONSETS, NS, 'd')?.status?.numberReady === 3, 'three ready');
      const n2 = h.fake.object(NODES, '', 'n2')!;
      n2.spec.taints = [{ key: 'evict', effect: 'NoExecute' }];
      await h.fake.update(NODES, '', n2);
      await until(() => podsOn() === 'n1,n3', 'the pod leaves the NoExecute-tainted node');
      await until(() => h.fake.object(DAEMONSETS, NS, 'd')?.status?.desiredNumberScheduled === 2, 'desired follows');
    } finally {
      await h.close();
      await run;
    }
  });
});
