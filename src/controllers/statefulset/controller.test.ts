import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alreadyExists } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { CONTROLLER_REVISIONS } from '../history/history.js';
import { harness, until, type Harness } from '../testutil.js';
import { PVCS, STATEFULSETS, StatefulSetController } from './controller.js';
import { newRevision } from './utils.js';

const PODS = findResource('', 'v1', 'pods')!;
const EVENTS = findResource('', 'v1', 'events')!;
const NS = 'ns';
const T0 = '2024-01-01T00:00:00Z';
const NOW = Date.parse('2024-01-01T01:00:00Z');
const OWNER = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true, blockOwnerDeletion: true };

function template(image = 'img:1'): Obj {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } };
}

interface SetOpts { replicas?: number; image?: string; policy?: 'OrderedReady' | 'Parallel'; strategy?: Obj; retention?: Obj; status?: Obj; generation?: number; historyLimit?: number; claims?: boolean; minReadySeconds?: number }

function statefulSet(o: SetOpts = {}): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'web', namespace: NS, uid: 'sts-uid', generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas ?? 3, serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: template(o.image),
      podManagementPolicy: o.policy ?? 'OrderedReady', updateStrategy: o.strategy ?? { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: o.historyLimit ?? 10,
      persistentVolumeClaimRetentionPolicy: o.retention ?? { whenDeleted: 'Retain', whenScaled: 'Retain' },
      ...(o.claims === false ? {} : { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } }] }),
      ...(o.minReadySeconds ? { minReadySeconds: o.minReadySeconds } : {}),
    },
    status: o.status ?? {},
  };
}

/** The revision name the controller gives a set with this image. */
const revName = (image = 'img:1'): string => newRevision(statefulSet({ image }), 1, 0).metadata.name;
const revisionObj = (image: string, revision: number): Obj => {
  const r = newRevision(statefulSet({ image }), revision, 0);
  r.metadata.creationTimestamp = T0;
  return r;
};

interface PodOpts { image?: string; ready?: boolean; phase?: string; deleting?: boolean; owned?: boolean; labels?: Record<string, string>; noClaim?: boolean }

function pod(ordinal: number, o: PodOpts = {}): Obj {
  const name = `web-${ordinal}`;
  return {
    metadata: {
      name, namespace: NS, creationTimestamp: T0,
      labels: o.labels ?? { app: 'web', 'statefulset.kubernetes.io/pod-name': name, 'apps.kubernetes.io/pod-index': String(ordinal), 'controller-revision-hash': revName(o.image) },
      ...(o.owned === false ? {} : { ownerReferences: [OWNER] }),
      ...(o.deleting ? { deletionTimestamp: T0, finalizers: ['hold'] } : {}),
    },
    spec: { hostname: name, subdomain: 'web', containers: [{ name: 'c', image: o.image ?? 'img:1' }], volumes: o.noClaim ? [] : [{ name: 'data', persistentVolumeClaim: { claimName: `data-web-${ordinal}` } }] },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: T0 }] },
  };
}

const claim = (ordinal: number, extra: Obj = {}): Obj => ({ metadata: { name: `data-web-${ordinal}`, namespace: NS, labels: { app: 'web' }, ...extra }, spec: {} });

interface Setup { h: Harness; ctl: StatefulSetController; recorder: EventRecorder }

async function setup(seed: [ResourceRef, Obj][]): Promise<Setup> {
  const h = harness(seed);
  const recorder = new EventRecorder(h.fake, { component: 'statefulset-controller', signal: h.signal, log: silentLogger });
  const ctl = new StatefulSetController({
    client: h.fake, statefulSets: h.informer(STATEFULSETS), pods: h.informer(PODS), persistentVolumeClaims: h.informer(PVCS),
    controllerRevisions: h.informer(CONTROLLER_REVISIONS), recorder, log: silentLogger, now: () => NOW,
  });
  await h.sync();
  h.fake.clearActions();
  // sync() is called directly: delayed re-adds must not outlive the test.
  const close = h.close.bind(h);
  h.close = async () => {
    ctl.queue.shutdown();
    await close();
  };
  return { h, ctl, recorder };
}

const podWrites = (fake: FakeClient): string[] => fake.writes().filter((w) => w.resource === 'pods').map((w) => `${w.verb} ${w.name ?? w.object?.metadata?.name}`);

async function events(s: Setup): Promise<string[]> {
  await s.recorder.flush();
  return s.h.fake.objects(EVENTS, NS).map((e) => `${e.type} ${e.reason} ${e.message}`);
}

const seedPods = (...pods: Obj[]): [ResourceRef, Obj][] => pods.map((p): [ResourceRef, Obj] => [PODS, p]);
const seedClaims = (...ords: number[]): [ResourceRef, Obj][] => ords.map((i): [ResourceRef, Obj] => [PVCS, claim(i)]);

describe('statefulset sync: scaling', () => {
  interface Case { name: string; set: Obj; pods?: Obj[]; extra?: [ResourceRef, Obj][]; want: string[] }
  const cases: Case[] = [
    { name: 'OrderedReady starts with ordinal 0 only', set: statefulSet(), want: ['create web-0'] },
    { name: 'OrderedReady waits for web-0 to be ready', set: statefulSet(), pods: [pod(0, { ready: false })], want: [] },
    { name: 'OrderedReady: web-0 ready → web-1', set: statefulSet(), pods: [pod(0)], want: ['create web-1'] },
    { name: 'OrderedReady fills a gap first', set: statefulSet(), pods: [pod(0), pod(2)], want: ['create web-1'] },
    { name: 'Parallel creates them all', set: statefulSet({ policy: 'Parallel' }), want: ['create web-0', 'create web-1', 'create web-2'] },
    { name: 'Parallel does not wait for readiness', set: statefulSet({ policy: 'Parallel' }), pods: [pod(0, { ready: false })], want: ['create web-1', 'create web-2'] },
    { name: 'scale down removes the highest ordinal first', set: statefulSet({ replicas: 1 }), pods: [pod(0), pod(1), pod(2)], want: ['delete web-2'] },
    { name: 'scale down waits for a terminating pod', set: statefulSet({ replicas: 1 }), pods: [pod(0), pod(1), pod(2, { deleting: true })], want: [] },
    { name: 'scale down waits while a replica is unhealthy', set: statefulSet({ replicas: 1 }), pods: [pod(0, { ready: false }), pod(1), pod(2)], want: [] },
    { name: 'Parallel scale down removes all at once', set: statefulSet({ replicas: 1, policy: 'Parallel' }), pods: [pod(0), pod(1), pod(2)], want: ['delete web-1', 'delete web-2'] },
    { name: 'a failed pod is deleted (and recreated later)', set: statefulSet(), pods: [pod(0, { phase: 'Failed' }), pod(1)], want: ['delete web-0'] },
    { name: 'a succeeded pod is deleted too', set: statefulSet({ replicas: 1 }), pods: [pod(0, { phase: 'Succeeded' })], want: ['delete web-0'] },
    { name: 'pods of other sets are ignored', set: statefulSet({ replicas: 1 }), pods: [pod(0), { ...pod(0, { owned: false }), metadata: { ...pod(0).metadata, name: 'webx-0', ownerReferences: undefined } }], want: [] },
    { name: 'a set being deleted only gets status', set: { ...statefulSet(), metadata: { ...statefulSet().metadata, deletionTimestamp: T0, finalizers: ['x'] } }, want: [] },
    { name: 'a pod with the wrong identity is repaired', set: statefulSet({ replicas: 1 }), pods: [pod(0, { labels: { app: 'web', 'controller-revision-hash': revName() } })], want: ['update web-0'] },
    { name: 'a pod missing its claim volume is repaired', set: statefulSet({ replicas: 1 }), pods: [pod(0, { noClaim: true })], want: ['update web-0'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const s = await setup([[STATEFULSETS, c.set], [CONTROLLER_REVISIONS, revisionObj('img:1', 1)], ...seedPods(...(c.pods ?? [])), ...seedClaims(0, 1, 2), ...(c.extra ?? [])]);
      try {
        await s.ctl.sync(`${NS}/web`);
        assert.deepEqual(podWrites(s.h.fake).sort(), c.want);
      } finally {
        await s.h.close();
      }
    });
  }

  it('creates the claim, then the pod, shaped as upstream', async () => {
    const s = await setup([[STATEFULSETS, statefulSet({ generation: 4 })]]);
    try {
      await s.ctl.sync(`${NS}/web`);
      const w = s.h.fake.writes().filter((x) => x.resource !== 'events');
      assert.deepEqual(w.map((x) => `${x.verb} ${x.resource}${x.subresource ? `/${x.subresource}` : ''}`), [
        'create controllerrevisions', 'create persistentvolumeclaims', 'create pods', 'update statefulsets/status',
      ]);
      const cr = w[0].object!;
      assert.equal(cr.metadata.name, revName());
      assert.equal(cr.metadata.labels['controller.kubernetes.io/hash'], revName().slice('web-'.length));
      assert.equal(cr.revision, 1);
      const pvc = w[1].object!;
      assert.equal(pvc.metadata.name, 'data-web-0');
      assert.deepEqual(pvc.metadata.labels, { app: 'web' });
      assert.equal(pvc.metadata.ownerReferences, undefined, 'Retain/Retain: no owners');
      const p = w[2].object!;
      assert.equal(p.metadata.name, 'web-0');
      assert.equal(p.metadata.generateName, 'web-');
      assert.deepEqual(p.metadata.labels, {
        app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': revName(),
      });
      assert.deepEqual(p.metadata.ownerReferences, [OWNER]);
      assert.equal(p.spec.hostname, 'web-0');
      assert.equal(p.spec.subdomain, 'web');
      assert.deepEqual(p.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }]);
      assert.deepEqual(w[3].object!.status, {
        observedGeneration: 4, currentRevision: revName(), updateRevision: revName(), collisionCount: 0,
        replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0,
      });
      assert.deepEqual(await events(s), [
        'Normal SuccessfulCreate create Claim data-web-0 Pod web-0 in StatefulSet web success',
        'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful',
      ]);
    } finally {
      await s.h.close();
    }
  });

  it('a failing create is reported in upstream words and retried', async () => {
    const s = await setup([[STATEFULSETS, statefulSet({ claims: false })]]);
    try {
      s.h.fake.prependReactor('create', 'pods', () => { throw new Error('pods "web-0" is forbidden: exceeded quota'); });
      await assert.rejects(s.ctl.sync(`${NS}/web`), /exceeded quota/);
      assert.deepEqual(await events(s), ['Warning FailedCreate create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: exceeded quota']);
    } finally {
      await s.h.close();
    }
  });

  it('adopts matching orphans named after it, and orphan revisions', async () => {
    const orphanRev = revisionObj('img:1', 1);
    delete orphanRev.metadata.ownerReferences;
    const s = await setup([[STATEFULSETS, statefulSet({ replicas: 1 })], [CONTROLLER_REVISIONS, orphanRev], ...seedPods(pod(0, { owned: false })), ...seedClaims(0)]);
    try {
      await s.ctl.sync(`${NS}/web`);
      const patches = s.h.fake.writes().filter((w) => w.verb === 'patch').map((w) => `${w.resource}/${w.name}`).sort();
      assert.deepEqual(patches, [`controllerrevisions/${revName()}`, 'pods/web-0']);
      assert.equal(s.h.fake.object(PODS, NS, 'web-0')!.metadata.ownerReferences[0].uid, 'sts-uid');
    } finally {
      await s.h.close();
    }
  });
});

describe('statefulset sync: updates', () => {
  const v2 = (o: SetOpts = {}): Obj => statefulSet({ image: 'img:2', status: { currentRevision: revName(), currentReplicas: 3 }, ...o });
  const seed = (set: Obj, pods: Obj[]): [ResourceRef, Obj][] => [
    [STATEFULSETS, set], [CONTROLLER_REVISIONS, revisionObj('img:1', 1)], ...seedPods(...pods), ...seedClaims(0, 1, 2),
  ];
  interface Case { name: string; set: Obj; pods: Obj[]; want: string[] }
  const cases: Case[] = [
    { name: 'the highest ordinal goes first', set: v2(), pods: [pod(0), pod(1), pod(2)], want: ['delete web-2'] },
    { name: 'then the next one, once the update is healthy', set: v2(), pods: [pod(0), pod(1), pod(2, { image: 'img:2' })], want: ['delete web-1'] },
    { name: 'waits while the updated pod is not ready', set: v2(), pods: [pod(0), pod(1), pod(2, { image: 'img:2', ready: false })], want: [] },
    { name: 'partition 2 touches only ordinal 2', set: v2({ strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }), pods: [pod(0), pod(1), pod(2, { image: 'img:2' })], want: [] },
    { name: 'partition 2: ordinal 2 is updated', set: v2({ strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }), pods: [pod(0), pod(1), pod(2)], want: ['delete web-2'] },
    { name: 'OnDelete leaves pods alone', set: v2({ strategy: { type: 'OnDelete' } }), pods: [pod(0), pod(1), pod(2)], want: [] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const s = await setup(seed(c.set, c.pods));
      try {
        await s.ctl.sync(`${NS}/web`);
        assert.deepEqual(podWrites(s.h.fake).sort(), c.want);
      } finally {
        await s.h.close();
      }
    });
  }

  it('a pod recreated below the partition keeps the current revision', async () => {
    const set = v2({ strategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    const s = await setup(seed(set, [pod(0), pod(2, { image: 'img:2' })]));
    try {
      await s.ctl.sync(`${NS}/web`);
      const created = s.h.fake.writes().find((w) => w.verb === 'create' && w.resource === 'pods')!.object!;
      assert.equal(created.metadata.name, 'web-1');
      assert.equal(created.metadata.labels['controller-revision-hash'], revName('img:1'));
      assert.equal(created.spec.containers[0].image, 'img:1');
    } finally {
      await s.h.close();
    }
  });

  it('status: a finished rolling update makes the update revision current', async () => {
    const set = v2({ generation: 2 });
    const s = await setup(seed(set, [pod(0, { image: 'img:2' }), pod(1, { image: 'img:2' }), pod(2, { image: 'img:2' })]));
    try {
      await s.ctl.sync(`${NS}/web`);
      assert.deepEqual(s.h.fake.object(STATEFULSETS, NS, 'web')!.status, {
        observedGeneration: 2, currentRevision: revName('img:2'), updateRevision: revName('img:2'), collisionCount: 0,
        replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3,
      });
      const revs = Object.fromEntries(s.h.fake.objects(CONTROLLER_REVISIONS, NS).map((r) => [r.metadata.name, r.revision]));
      assert.deepEqual(revs, { [revName('img:1')]: 1, [revName('img:2')]: 2 });
    } finally {
      await s.h.close();
    }
  });

  it('a rollback renumbers the old revision; unused history beyond the limit goes', async () => {
    const set = statefulSet({ image: 'img:1', historyLimit: 0, status: { currentRevision: revName('img:3') } });
    const s = await setup([
      [STATEFULSETS, set], [CONTROLLER_REVISIONS, revisionObj('img:1', 1)], [CONTROLLER_REVISIONS, revisionObj('img:2', 2)], [CONTROLLER_REVISIONS, revisionObj('img:3', 3)],
      ...seedPods(pod(0, { image: 'img:3' }), pod(1, { image: 'img:3' }), pod(2, { image: 'img:3' })), ...seedClaims(0, 1, 2),
    ]);
    try {
      await s.ctl.sync(`${NS}/web`);
      const revs = Object.fromEntries(s.h.fake.objects(CONTROLLER_REVISIONS, NS).map((r) => [r.metadata.name, r.revision]));
      // img:1 is the update revision again (renumbered 4), img:3 is current and used by pods, img:2 is unused history.
      assert.deepEqual(revs, { [revName('img:1')]: 4, [revName('img:3')]: 3 });
      assert.deepEqual(podWrites(s.h.fake), ['delete web-2']);
    } finally {
      await s.h.close();
    }
  });
});

describe('statefulset sync: claim retention', () => {
  const setRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true, blockOwnerDeletion: true };
  it('WhenDeleted=Delete: new claims are owned by the set', async () => {
    const s = await setup([[STATEFULSETS, statefulSet({ retention: { whenDeleted: 'Delete', whenScaled: 'Retain' } })], ...seedClaims(0)]);
    try {
      await s.ctl.sync(`${NS}/web`);
      // The existing claim is given its owner when the pod is created.
      assert.deepEqual(s.h.fake.object(PVCS, NS, 'data-web-0')!.metadata.ownerReferences, [setRef]);
    } finally {
      await s.h.close();
    }
  });

  it('WhenScaled=Delete: the condemned pod owns its claim before it is deleted', async () => {
    const p2 = pod(2);
    p2.metadata.uid = 'pod2-uid';
    const s = await setup([
      [STATEFULSETS, statefulSet({ replicas: 2, retention: { whenDeleted: 'Retain', whenScaled: 'Delete' } })], [CONTROLLER_REVISIONS, revisionObj('img:1', 1)],
      ...seedPods(pod(0), pod(1), p2), ...seedClaims(0, 1, 2),
    ]);
    try {
      await s.ctl.sync(`${NS}/web`);
      assert.deepEqual(s.h.fake.object(PVCS, NS, 'data-web-2')!.metadata.ownerReferences, [
        { apiVersion: 'v1', kind: 'Pod', name: 'web-2', uid: 'pod2-uid', controller: true, blockOwnerDeletion: true },
      ]);
      assert.equal(s.h.fake.object(PVCS, NS, 'data-web-1')!.metadata.ownerReferences, undefined);
      assert.deepEqual(podWrites(s.h.fake), ['delete web-2']);
    } finally {
      await s.h.close();
    }
  });

  it('a claim still owned by a previous pod of the same name blocks the new pod', async () => {
    const stale = claim(0, { ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-0', uid: 'old-pod', controller: true }] });
    const s = await setup([[STATEFULSETS, statefulSet({ replicas: 1, retention: { whenDeleted: 'Retain', whenScaled: 'Delete' } })], [PVCS, stale]]);
    try {
      await s.ctl.sync(`${NS}/web`);
      assert.deepEqual(podWrites(s.h.fake), []);
    } finally {
      await s.h.close();
    }
  });

  it('a claim being deleted fails the pod creation', async () => {
    const s = await setup([[STATEFULSETS, statefulSet({ replicas: 1 })], [PVCS, claim(0, { deletionTimestamp: T0, finalizers: ['kubernetes.io/pvc-protection'] })]]);
    try {
      await assert.rejects(s.ctl.sync(`${NS}/web`), /pvc data-web-0 is being deleted/);
      assert.deepEqual(podWrites(s.h.fake), []);
      assert.deepEqual(await events(s), ['Warning FailedCreate create Pod web-0 in StatefulSet web failed error: pvc data-web-0 is being deleted']);
    } finally {
      await s.h.close();
    }
  });
});

describe('statefulset controller run', () => {
  it('starts pods in order as each becomes ready, then scales down from the top', async () => {
    const h = harness();
    const recorder = new EventRecorder(h.fake, { component: 'statefulset-controller', signal: h.signal, log: silentLogger });
    const ctl = new StatefulSetController({
      client: h.fake, statefulSets: h.informer(STATEFULSETS), pods: h.informer(PODS), persistentVolumeClaims: h.informer(PVCS),
      controllerRevisions: h.informer(CONTROLLER_REVISIONS), recorder, log: silentLogger,
    });
    // The API server's part: new pods get phase Pending.
    h.fake.prependReactor('create', 'pods', (a) => {
      if (h.fake.object(PODS, a.namespace, a.object!.metadata.name)) throw alreadyExists('', 'pods', a.object!.metadata.name);
      h.fake.seed(PODS, { ...clone(a.object!), metadata: { ...a.object!.metadata, namespace: a.namespace }, status: { phase: 'Pending' } });
      return h.fake.object(PODS, a.namespace, a.object!.metadata.name);
    });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    const names = () => h.fake.objects(PODS, NS).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort().join(',');
    const becomeReady = async (name: string) => {
      const p = clone(h.fake.object(PODS, NS, name)!);
      p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] };
      await h.fake.updateStatus(PODS, NS, p);
    };
    try {
      const set = statefulSet();
      await h.fake.create(STATEFULSETS, NS, set);
      await until(() => names() === 'web-0', 'web-0');
      // The API server gives a new pod phase Pending; the kubelet makes it Running and Ready.
      await becomeReady('web-0');
      await until(() => names() === 'web-0,web-1', 'web-1 after web-0 is ready');
      await becomeReady('web-1');
      await until(() => names() === 'web-0,web-1,web-2', 'web-2');
      await becomeReady('web-2');
      await until(() => h.fake.object(STATEFULSETS, NS, 'web')?.status?.readyReplicas === 3, 'three ready');
      assert.deepEqual(h.fake.objects(PVCS, NS).map((c) => c.metadata.name).sort(), ['data-web-0', 'data-web-1', 'data-web-2']);

      const cur = h.fake.object(STATEFULSETS, NS, 'web')!;
      cur.spec.replicas = 1;
      await h.fake.update(STATEFULSETS, NS, cur);
      await until(() => names() === 'web-0', 'scaled down to web-0');
      assert.equal(h.fake.objects(PVCS, NS).length, 3, 'claims are retained');
      await until(() => h.fake.object(STATEFULSETS, NS, 'web')?.status?.replicas === 1, 'status follows');
    } finally {
      await h.close();
      await run;
    }
  });
});
