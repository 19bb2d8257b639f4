import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forbidden } from '../../api/errors.js';
import { clone, type Obj } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { computeHash } from '../common/hash.js';
import { withStrategicMetadataPatches } from '../common/testing.js';
import { ReplicaSetController } from '../replicaset/controller.js';
import { R, harness, until } from '../testutil.js';
import { DEPLOYMENTS, DeploymentController, REPLICASETS } from './controller.js';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const REV = 'deployment.kubernetes.io/revision';

const template = (image = 'busybox'): Obj => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

interface DeployOpts {
  replicas?: number; image?: string; type?: string; surge?: unknown; unavailable?: unknown; paused?: boolean; generation?: number;
  status?: Obj; annotations?: Record<string, string>; pds?: number; rhl?: number; selector?: Obj;
}
function deploy(o: DeployOpts = {}): Obj {
  const type = o.type ?? 'RollingUpdate';
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-web', generation: o.generation ?? 1, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      replicas: o.replicas ?? 3, selector: o.selector ?? { matchLabels: { app: 'web' } }, template: template(o.image),
      strategy: type === 'RollingUpdate' ? { type, rollingUpdate: { maxSurge: o.surge ?? '25%', maxUnavailable: o.unavailable ?? '25%' } } : { type },
      revisionHistoryLimit: o.rhl ?? 10, progressDeadlineSeconds: o.pds ?? 600, ...(o.paused ? { paused: true } : {}),
    },
    ...(o.status ? { status: o.status } : {}),
  };
}

interface RSOpts { image?: string; replicas: number; revision?: number; available?: number; ready?: number; current?: number; created?: number; desired?: number; max?: number; owned?: boolean; name?: string; conditions?: Obj[]; generation?: number }
function rsOf(o: RSOpts): Obj {
  const t = template(o.image);
  const hash = computeHash(t);
  t.metadata.labels['pod-template-hash'] = hash;
  const name = o.name ?? `web-${hash}`;
  const annotations: Record<string, string> = {};
  if (o.revision !== undefined) annotations[REV] = String(o.revision);
  if (o.desired !== undefined) annotations['deployment.kubernetes.io/desired-replicas'] = String(o.desired);
  if (o.max !== undefined) annotations['deployment.kubernetes.io/max-replicas'] = String(o.max);
  const current = o.current ?? o.replicas;
  return {
    metadata: {
      name, namespace: 'ns', uid: `uid-${name}`, generation: o.generation ?? 1, labels: { ...t.metadata.labels }, annotations,
      creationTimestamp: iso(o.created ?? NOW - 3600_000),
      ...(o.owned === false ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }] }),
    },
    spec: { replicas: o.replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } }, template: t },
    status: {
      replicas: current, readyReplicas: o.ready ?? o.available ?? current, availableReplicas: o.available ?? current, observedGeneration: o.generation ?? 1,
      ...(o.conditions ? { conditions: o.conditions } : {}),
    },
  };
}
const hashOf = (image = 'busybox') => computeHash(template(image));

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  throws?: RegExp;
  check: (fake: FakeClient, events: string[]) => void;
}

const rsWrites = (fake: FakeClient, verb: string) => fake.writes().filter((a) => a.resource === 'replicasets' && a.verb === verb);
const rsObj = (fake: FakeClient, image = 'busybox') => fake.object(REPLICASETS, 'ns', `web-${hashOf(image)}`);
const dObj = (fake: FakeClient) => fake.object(DEPLOYMENTS, 'ns', 'web')!;
const cond = (fake: FakeClient, type: string) => dObj(fake).status?.conditions?.find((c: Obj) => c.type === type);
const scaled = (events: string[]) => events.filter((e) => e.includes('ScalingReplicaSet'));

const cases: Case[] = [
  {
    name: 'a new Deployment gets its ReplicaSet <name>-<hash>, revision 1, and NewReplicaSetCreated',
    seed: [[DEPLOYMENTS, deploy()]],
    check: (fake, events) => {
      const h = hashOf();
      const rs = rsObj(fake)!;
      assert.ok(rs, 'ReplicaSet created');
      assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
      assert.equal(rs.spec.replicas, 3);
      assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': h } });
      assert.deepEqual(rs.spec.template.metadata.labels, { app: 'web', 'pod-template-hash': h });
      assert.deepEqual(rs.metadata.labels, { app: 'web', 'pod-template-hash': h });
      assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
      assert.deepEqual(rs.metadata.annotations, { [REV]: '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
      assert.deepEqual(scaled(events), [`Normal ScalingReplicaSet Scaled up replica set web-${h} from 0 to 3`]);
      assert.equal(dObj(fake).metadata.annotations[REV], '1');
      const p = cond(fake, 'Progressing');
      assert.equal(p.status, 'True');
      assert.equal(p.reason, 'NewReplicaSetCreated');
      assert.equal(p.message, `Created new replica set "web-${h}"`);
      const a = cond(fake, 'Available');
      assert.deepEqual([a.status, a.reason, a.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
      assert.equal(dObj(fake).status.observedGeneration, 1);
    },
  },
  {
    name: 'a template change starts a rolling update within maxSurge (revision 2)',
    seed: [[DEPLOYMENTS, deploy({ image: 'v2', generation: 2, annotations: { [REV]: '1' } })], [REPLICASETS, rsOf({ image: 'busybox', replicas: 3, revision: 1, desired: 3, max: 4 })]],
    check: (fake, events) => {
      const n = rsObj(fake, 'v2')!;
      assert.equal(n.spec.replicas, 1, '3 replicas, 25% surge: one new pod first');
      assert.equal(n.metadata.annotations[REV], '2');
      assert.equal(rsObj(fake)!.spec.replicas, 3, 'nothing available yet: the old ReplicaSet stays');
      assert.deepEqual(scaled(events), [`Normal ScalingReplicaSet Scaled up replica set web-${hashOf('v2')} from 0 to 1`]);
      assert.equal(dObj(fake).metadata.annotations[REV], '2');
    },
  },
  {
    name: 'old replicas go down as new ones become available',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'v2', generation: 2, annotations: { [REV]: '2' } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 3, revision: 1, desired: 3, max: 4, created: NOW - 7200_000 })],
      [REPLICASETS, rsOf({ image: 'v2', replicas: 1, revision: 2, desired: 3, max: 4 })],
    ],
    check: (fake, events) => {
      assert.equal(rsObj(fake)!.spec.replicas, 2);
      assert.deepEqual(scaled(events), [`Normal ScalingReplicaSet Scaled down replica set web-${hashOf()} from 3 to 2`]);
      const p = cond(fake, 'Progressing');
      assert.equal(p.reason, 'ReplicaSetUpdated');
      assert.equal(p.message, `ReplicaSet "web-${hashOf('v2')}" is progressing.`);
    },
  },
  {
    name: 'unhealthy old replicas are removed first',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'v2', replicas: 4, surge: 1, unavailable: 1, annotations: { [REV]: '2' } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 4, available: 2, revision: 1, desired: 4, max: 5, created: NOW - 7200_000 })],
      [REPLICASETS, rsOf({ image: 'v2', replicas: 1, available: 0, revision: 2, desired: 4, max: 5 })],
    ],
    // allPods 5 - minAvailable 3 - newUnavailable 1 = 1 to clean; available 2 ≤ 3 afterwards
    check: (fake) => assert.equal(rsObj(fake)!.spec.replicas, 3),
  },
  {
    name: 'a complete rollout: NewReplicaSetAvailable, Available, old ReplicaSets beyond the history limit deleted',
    seed: [
      [DEPLOYMENTS, deploy({ rhl: 1, annotations: { [REV]: '3' }, status: { conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: iso(NOW - 60_000), lastTransitionTime: iso(NOW - 60_000) }] } })],
      [REPLICASETS, rsOf({ image: 'v0', replicas: 0, revision: 1, created: NOW - 9000_000 })],
      [REPLICASETS, rsOf({ image: 'v1', replicas: 0, revision: 2, created: NOW - 8000_000 })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 3, revision: 3, desired: 3, max: 4 })],
    ],
    check: (fake) => {
      const s = dObj(fake).status;
      assert.deepEqual([s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.unavailableReplicas], [3, 3, 3, 3, undefined]);
      const p = cond(fake, 'Progressing');
      assert.deepEqual([p.status, p.reason, p.message], ['True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hashOf()}" has successfully progressed.`]);
      assert.equal(p.lastTransitionTime, iso(NOW - 60_000), 'same status: the transition time stays');
      const a = cond(fake, 'Available');
      assert.deepEqual([a.status, a.reason, a.message], ['True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.']);
      // the status was observed complete only by this sync; cleanup runs on the next one
    },
  },
  {
    name: 'cleanup keeps revisionHistoryLimit old ReplicaSets, oldest revisions go first',
    seed: [
      [DEPLOYMENTS, deploy({ rhl: 1, annotations: { [REV]: '3' }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 } })],
      [REPLICASETS, rsOf({ image: 'v0', replicas: 0, revision: 1, created: NOW - 9000_000 })],
      [REPLICASETS, rsOf({ image: 'v1', replicas: 0, revision: 2, created: NOW - 8000_000 })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 3, revision: 3, desired: 3, max: 4 })],
    ],
    check: (fake) => {
      assert.deepEqual(rsWrites(fake, 'delete').map((a) => a.name), [`web-${hashOf('v0')}`]);
      assert.ok(rsObj(fake, 'v1'));
    },
  },
  {
    name: 'rollout undo as kubectl does it: the old ReplicaSet becomes new with revision 3 and history 1',
    seed: [
      // kubectl patched the template back to revision 1's (and copied its annotations)
      [DEPLOYMENTS, deploy({ image: 'busybox', generation: 3, annotations: { [REV]: '2' } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 0, revision: 1, created: NOW - 7200_000, desired: 3, max: 4 })],
      [REPLICASETS, rsOf({ image: 'v2', replicas: 3, revision: 2, desired: 3, max: 4 })],
    ],
    check: (fake) => {
      const back = rsObj(fake)!;
      assert.equal(back.metadata.annotations[REV], '3');
      assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
      assert.equal(rsWrites(fake, 'create').length, 0, 'no new ReplicaSet');
    },
  },
  {
    name: '...and the next sync mirrors revision 3 on the Deployment and scales the ReplicaSet up',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'busybox', generation: 3, annotations: { [REV]: '2' } })],
      [REPLICASETS, { ...rsOf({ image: 'busybox', replicas: 0, revision: 3, created: NOW - 7200_000, desired: 3, max: 4 }) }],
      [REPLICASETS, rsOf({ image: 'v2', replicas: 3, revision: 2, desired: 3, max: 4 })],
    ],
    check: (fake, events) => {
      assert.equal(dObj(fake).metadata.annotations[REV], '3');
      assert.equal(rsObj(fake)!.spec.replicas, 1);
      assert.deepEqual(scaled(events), [`Normal ScalingReplicaSet Scaled up replica set web-${hashOf()} from 0 to 1`]);
    },
  },
  {
    name: 'Recreate: old ReplicaSets to zero first, no new ReplicaSet yet',
    seed: [[DEPLOYMENTS, deploy({ image: 'v2', type: 'Recreate', annotations: { [REV]: '1' } })], [REPLICASETS, rsOf({ image: 'busybox', replicas: 3, revision: 1 })]],
    check: (fake, events) => {
      assert.equal(rsObj(fake)!.spec.replicas, 0);
      assert.equal(rsObj(fake, 'v2'), undefined);
      assert.deepEqual(scaled(events), [`Normal ScalingReplicaSet Scaled down replica set web-${hashOf()} from 3 to 0`]);
    },
  },
  {
    name: 'Recreate: old pods still running hold the new ReplicaSet back',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'v2', type: 'Recreate', annotations: { [REV]: '1' } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 0, current: 0, revision: 1 })],
      [R.pods, { metadata: { name: 'old', namespace: 'ns', labels: { app: 'web', 'pod-template-hash': hashOf() }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `web-${hashOf()}`, uid: `uid-web-${hashOf()}`, controller: true }] }, status: { phase: 'Running' } }],
    ],
    check: (fake) => assert.equal(rsObj(fake, 'v2'), undefined),
  },
  {
    name: 'Recreate: once old pods are gone the new ReplicaSet starts at full size',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'v2', type: 'Recreate', annotations: { [REV]: '1' } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 0, current: 0, revision: 1 })],
    ],
    check: (fake) => {
      const n = rsObj(fake, 'v2')!;
      assert.equal(n.spec.replicas, 3);
      assert.equal(n.metadata.annotations['deployment.kubernetes.io/max-replicas'], '3', 'no surge with Recreate');
    },
  },
  {
    name: 'paused: no new ReplicaSet, Progressing Unknown DeploymentPaused',
    seed: [[DEPLOYMENTS, deploy({ image: 'v2', paused: true, annotations: { [REV]: '1' } })], [REPLICASETS, rsOf({ image: 'busybox', replicas: 3, revision: 1, desired: 3, max: 4 })]],
    check: (fake) => {
      assert.equal(rsObj(fake, 'v2'), undefined);
      const p = cond(fake, 'Progressing');
      assert.deepEqual([p.status, p.reason, p.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
    },
  },
  {
    name: 'paused but scaled: the ReplicaSet follows the replica count',
    seed: [[DEPLOYMENTS, deploy({ replicas: 5, paused: true, annotations: { [REV]: '1' } })], [REPLICASETS, rsOf({ replicas: 3, revision: 1, desired: 3, max: 4 })]],
    check: (fake, events) => {
      assert.equal(rsObj(fake)!.spec.replicas, 5);
      assert.equal(rsObj(fake)!.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '5');
      assert.deepEqual(scaled(events), [`Normal ScalingReplicaSet Scaled up replica set web-${hashOf()} from 3 to 5`]);
    },
  },
  {
    name: 'resumed: Progressing Unknown DeploymentResumed, then the rollout proceeds',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'v2', annotations: { [REV]: '1' }, status: { conditions: [{ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused' }] } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 3, revision: 1, desired: 3, max: 4 })],
    ],
    check: (fake) => {
      assert.ok(rsObj(fake, 'v2'), 'rollout started');
      const resumed = fake.writes().find((a) => a.subresource === 'status' && a.object?.status?.conditions?.some((c: Obj) => c.reason === 'DeploymentResumed'));
      assert.ok(resumed, 'DeploymentResumed written');
      // the status had no counts yet, so the new ones are progress
      assert.equal(cond(fake, 'Progressing').reason, 'ReplicaSetUpdated');
    },
  },
  {
    name: 'scaling during a rollout is proportional (leftovers to the largest)',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'v2', replicas: 20, surge: 3, unavailable: 2, annotations: { [REV]: '2' } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 4, revision: 1, desired: 10, max: 13, created: NOW - 7200_000 })],
      [REPLICASETS, rsOf({ image: 'v2', replicas: 6, revision: 2, desired: 10, max: 13 })],
    ],
    check: (fake, events) => {
      // 23 allowed, 10 present: +13 split as 6·23/13 → +5 and 4·23/13 → +3, leftover 5 to the largest
      assert.equal(rsObj(fake, 'v2')!.spec.replicas, 16);
      assert.equal(rsObj(fake)!.spec.replicas, 7);
      assert.deepEqual(scaled(events).sort(), [
        `Normal ScalingReplicaSet Scaled up replica set web-${hashOf('v2')} from 6 to 16`,
        `Normal ScalingReplicaSet Scaled up replica set web-${hashOf()} from 4 to 7`,
      ].sort());
      assert.equal(rsObj(fake)!.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '20');
    },
  },
  {
    name: 'no progress past progressDeadlineSeconds: ProgressDeadlineExceeded',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'v2', pds: 60, annotations: { [REV]: '2' }, status: {
        observedGeneration: 1, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: iso(NOW - 120_000), lastTransitionTime: iso(NOW - 300_000) }],
      } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 3, revision: 1, desired: 3, max: 4, created: NOW - 7200_000 })],
      [REPLICASETS, rsOf({ image: 'v2', replicas: 1, available: 0, revision: 2, desired: 3, max: 4 })],
    ],
    check: (fake) => {
      const p = cond(fake, 'Progressing');
      assert.deepEqual([p.status, p.reason, p.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "web-${hashOf('v2')}" has timed out progressing.`]);
    },
  },
  {
    name: "a ReplicaSet's ReplicaFailure becomes the Deployment's",
    seed: [
      [DEPLOYMENTS, deploy({ annotations: { [REV]: '1' } })],
      [REPLICASETS, rsOf({ replicas: 3, current: 1, available: 1, revision: 1, desired: 3, max: 4, conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-x" is forbidden: exceeded quota: q', lastTransitionTime: iso(NOW) }] })],
    ],
    check: (fake) => {
      const f = cond(fake, 'ReplicaFailure');
      assert.deepEqual([f.status, f.reason, f.message, f.lastUpdateTime], ['True', 'FailedCreate', 'pods "web-x" is forbidden: exceeded quota: q', iso(NOW)]);
    },
  },
  {
    name: 'a failed ReplicaSet create: ReplicaSetCreateError condition and event',
    seed: [[DEPLOYMENTS, deploy()]],
    throws: /forbidden/,
    check: (fake, events) => {
      const p = cond(fake, 'Progressing');
      assert.equal(p.reason, 'ReplicaSetCreateError');
      assert.match(p.message, /^Failed to create new replica set "web-[a-z0-9]+": replicasets.apps "web-[a-z0-9]+" is forbidden: nope$/);
      assert.ok(events.some((e) => e.startsWith('Warning ReplicaSetCreateError Failed to create new replica set')));
    },
  },
  {
    name: "a hash collision with a ReplicaSet that isn't ours bumps collisionCount",
    seed: [[DEPLOYMENTS, deploy()], [REPLICASETS, { ...rsOf({ image: 'other', replicas: 1, owned: false, name: `web-${hashOf()}` }), metadata: { ...rsOf({ image: 'other', replicas: 1, owned: false, name: `web-${hashOf()}` }).metadata, labels: { other: 'x' } } }]],
    throws: /already exists/,
    check: (fake) => assert.equal(dObj(fake).status.collisionCount, 1),
  },
  {
    name: 'a matching orphan ReplicaSet is adopted',
    seed: [[DEPLOYMENTS, deploy({ annotations: { [REV]: '1' } })], [REPLICASETS, rsOf({ replicas: 3, revision: 1, owned: false, desired: 3, max: 4 })]],
    check: (fake) => {
      assert.equal(rsObj(fake)!.metadata.ownerReferences[0].uid, 'uid-web');
      assert.equal(rsWrites(fake, 'create').length, 0);
    },
  },
  {
    name: 'an empty selector: SelectingAll warning, nothing else',
    seed: [[DEPLOYMENTS, deploy({ selector: {}, generation: 2 })]],
    check: (fake, events) => {
      assert.deepEqual(events, ['Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.']);
      assert.equal(rsWrites(fake, 'create').length, 0);
      assert.equal(dObj(fake).status.observedGeneration, 2);
    },
  },
  {
    name: 'the deprecated rollbackTo annotation restores the template and clears itself',
    seed: [
      [DEPLOYMENTS, deploy({ image: 'v2', annotations: { [REV]: '2', 'deprecated.deployment.rollback.to': '1' } })],
      [REPLICASETS, rsOf({ image: 'busybox', replicas: 0, revision: 1, created: NOW - 7200_000 })],
      [REPLICASETS, rsOf({ image: 'v2', replicas: 3, revision: 2, desired: 3, max: 4 })],
    ],
    check: (fake, events) => {
      const d = dObj(fake);
      assert.equal(d.spec.template.spec.containers[0].image, 'busybox');
      assert.deepEqual(d.spec.template.metadata.labels, { app: 'web' });
      assert.equal(d.metadata.annotations['deprecated.deployment.rollback.to'], undefined);
      assert.ok(events.includes('Normal DeploymentRollback Rolled back deployment "web" to revision 1'));
    },
  },
];

describe('DeploymentController.sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      withStrategicMetadataPatches(h.fake);
      if (c.name.startsWith('a failed ReplicaSet create')) {
        h.fake.prependReactor('create', 'replicasets', (a) => { throw forbidden('apps', 'replicasets', a.object!.metadata.name, 'nope'); });
      }
      const recorder = new EventRecorder(h.fake, { component: 'deployment-controller', log: silentLogger, maxAttempts: 1 });
      const ctl = new DeploymentController({
        client: h.fake, deployments: h.informer(DEPLOYMENTS), replicaSets: h.informer(REPLICASETS), pods: h.informer(R.pods),
        recorder, log: silentLogger, now: () => NOW,
      });
      try {
        await h.sync();
        h.fake.clearActions();
        const p = ctl.sync('ns/web');
        if (c.throws) await assert.rejects(p, c.throws);
        else await p;
        await recorder.flush();
        const events = h.fake.objects(R.events).map((e) => `${e.type} ${e.reason} ${e.message}`);
        c.check(h.fake, events);
      } finally {
        ctl.queue.shutdown();
        await h.close();
      }
    });
  }
});

describe('Deployment + ReplicaSet controllers with a simulated kubelet', () => {
  it('rolls out, updates, and undoes like kubectl', async () => {
    const h = harness([[DEPLOYMENTS, deploy({ replicas: 3 })]]);
    withStrategicMetadataPatches(h.fake);
    const deployments = h.informer(DEPLOYMENTS);
    const replicaSets = h.informer(REPLICASETS);
    const pods = h.informer(R.pods);
    const dc = new DeploymentController({ client: h.fake, deployments, replicaSets, pods, log: silentLogger });
    const rc = new ReplicaSetController({ client: h.fake, replicaSets, pods, log: silentLogger });
    // The kubelet: every new pod becomes Running and Ready.
    pods.addEventHandler({
      onAdd: (p) => {
        if (p.status?.phase === 'Running') return;
        const next = clone(p);
        next.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(Date.now()) }] };
        void h.fake.updateStatus(R.pods, 'ns', next).catch(() => undefined);
      },
    });
    const ac = new AbortController();
    const runs = [dc.run(ac.signal), rc.run(ac.signal)];
    const d = () => h.fake.object(DEPLOYMENTS, 'ns', 'web')!;
    const rolledOut = () => {
      const s = d().status ?? {};
      const p = s.conditions?.find((c: Obj) => c.type === 'Progressing');
      return s.observedGeneration === d().metadata.generation && s.updatedReplicas === 3 && s.replicas === 3 && s.availableReplicas === 3 && p?.reason === 'NewReplicaSetAvailable';
    };
    try {
      await h.sync();
      await until(rolledOut, 'first rollout', 10_000);
      assert.equal(d().metadata.annotations[REV], '1');

      // kubectl set image
      const v2 = d();
      v2.spec.template.spec.containers[0].image = 'v2';
      v2.metadata.generation = 2; // the fake does not bump generations
      await h.fake.update(DEPLOYMENTS, 'ns', v2);
      await until(() => rolledOut() && h.fake.objects(REPLICASETS, 'ns').length === 2, 'second rollout', 10_000);
      const sizes = h.fake.objects(REPLICASETS, 'ns').map((r) => `${r.spec.template.spec.containers[0].image}=${r.spec.replicas}`).sort();
      assert.deepEqual(sizes, ['busybox=0', 'v2=3']);
      assert.equal(d().metadata.annotations[REV], '2');
      await until(() => h.fake.objects(R.pods, 'ns').every((p) => p.spec.containers[0].image === 'v2') && h.fake.objects(R.pods, 'ns').length === 3, 'old pods gone');

      // kubectl rollout undo: patch the template from revision 1's ReplicaSet
      const old = h.fake.objects(REPLICASETS, 'ns').find((r) => r.metadata.annotations[REV] === '1')!;
      const undo = d();
      undo.spec.template = clone(old.spec.template);
      delete undo.spec.template.metadata.labels['pod-template-hash'];
      undo.metadata.generation = 3;
      await h.fake.update(DEPLOYMENTS, 'ns', undo);
      await until(() => rolledOut() && d().metadata.annotations[REV] === '3', 'undo', 10_000);
      const back = h.fake.object(REPLICASETS, 'ns', old.metadata.name)!;
      assert.equal(back.metadata.annotations[REV], '3');
      assert.equal(back.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
      assert.equal(h.fake.objects(REPLICASETS, 'ns').length, 2, 'no third ReplicaSet');
    } finally {
      ac.abort();
      await Promise.all(runs);
      await h.close();
    }
  });
});
