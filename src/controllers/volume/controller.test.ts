import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { harness, until } from '../testutil.js';
import { PersistentVolumeController } from './controller.js';
import { NODES, PODS, PVCS, PVS, SCS, node, pod, pv, pvc, recorder, sc } from './testing.js';

const BOUND_BY = 'pv.kubernetes.io/bound-by-controller';
const COMPLETED = 'pv.kubernetes.io/bind-completed';
const PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const BETA_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const SELECTED = 'volume.kubernetes.io/selected-node';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const EXTERNAL = "Waiting for a volume to be created either by the external provisioner 'skiff.dev/local-path' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.";

interface ClaimWant { phase?: string; volumeName?: string | null; storageClassName?: string; annotations?: Record<string, string | null>; capacity?: string | null; accessModes?: string[] }
interface VolumeWant { phase?: string; claim?: string | null; uid?: string | null; annotations?: Record<string, string | null>; message?: string }

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  /** Keys to sync in order: `claim:ns/name` or `volume:name`. */
  sync: string[];
  claims?: Record<string, ClaimWant | null>;
  volumes?: Record<string, VolumeWant | null>;
  events?: string[];
  /** Number of API writes (create/update/patch/delete), when it matters. */
  writes?: number;
  throws?: RegExp;
}

function checkAnnotations(o: Obj, want: Record<string, string | null>, what: string): void {
  for (const [k, v] of Object.entries(want)) {
    assert.equal(o.metadata?.annotations?.[k] ?? null, v, `${what} annotation ${k}`);
  }
}

function checkClaim(fake: FakeClient, name: string, w: ClaimWant | null): void {
  const c = fake.object(PVCS, 'ns', name);
  if (w === null) return assert.equal(c, undefined, `claim ${name} should be gone`);
  assert.ok(c, `claim ${name} exists`);
  if (w.phase !== undefined) assert.equal(c.status?.phase, w.phase, `claim ${name} phase`);
  if (w.volumeName !== undefined) assert.equal(c.spec?.volumeName ?? null, w.volumeName, `claim ${name} volumeName`);
  if (w.storageClassName !== undefined) assert.equal(c.spec?.storageClassName, w.storageClassName, `claim ${name} class`);
  if (w.capacity !== undefined) assert.equal(c.status?.capacity?.storage ?? null, w.capacity, `claim ${name} capacity`);
  if (w.accessModes !== undefined) assert.deepEqual(c.status?.accessModes, w.accessModes, `claim ${name} accessModes`);
  if (w.annotations) checkAnnotations(c, w.annotations, `claim ${name}`);
}

function checkVolume(fake: FakeClient, name: string, w: VolumeWant | null): void {
  const v = fake.object(PVS, '', name);
  if (w === null) return assert.equal(v, undefined, `volume ${name} should be gone`);
  assert.ok(v, `volume ${name} exists`);
  if (w.phase !== undefined) assert.equal(v.status?.phase, w.phase, `volume ${name} phase`);
  if (w.claim !== undefined) assert.equal(v.spec?.claimRef ? `${v.spec.claimRef.namespace}/${v.spec.claimRef.name}` : null, w.claim, `volume ${name} claimRef`);
  if (w.uid !== undefined) assert.equal(v.spec?.claimRef?.uid ?? null, w.uid, `volume ${name} claimRef.uid`);
  if (w.message !== undefined) assert.equal(v.status?.message, w.message, `volume ${name} message`);
  if (w.annotations) checkAnnotations(v, w.annotations, `volume ${name}`);
}

const claimCases: Case[] = [
  {
    name: 'immediate: binds the only matching static volume, both Bound',
    seed: [pv('pv1', { size: '2Gi', modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), pvc('c')],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Bound', volumeName: 'pv1', capacity: '2Gi', accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], annotations: { [BOUND_BY]: 'yes', [COMPLETED]: 'yes' } } },
    volumes: { pv1: { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', annotations: { [BOUND_BY]: 'yes' } } },
    events: [],
    writes: 4,
  },
  {
    name: 'the smallest volume large enough wins',
    seed: [pv('small', { size: '1Gi' }), pv('big', { size: '10Gi' }), pv('mid', { size: '5Gi' }), pvc('c', { size: '2Gi' })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Bound', volumeName: 'mid', capacity: '5Gi' } },
    volumes: { small: { phase: 'Available', claim: null }, big: { phase: 'Available', claim: null }, mid: { phase: 'Bound' } },
  },
  {
    name: 'volumes offering fewer access modes are tried first',
    seed: [pv('rwo-rox', { size: '1Gi', modes: ['ReadWriteOnce', 'ReadOnlyMany'] }), pv('rwo', { size: '5Gi' }), pv('rox', { size: '1Gi', modes: ['ReadOnlyMany'] }), pvc('c')],
    sync: ['claim:ns/c'],
    claims: { c: { volumeName: 'rwo' } },
  },
  {
    name: 'class, selector, volumeMode, phase and deletion filter volumes out',
    seed: [
      pv('other-class', { cls: 'fast' }), pv('unlabeled'), pv('block', { volumeMode: 'Block', labels: { tier: 'gold' } }),
      pv('pending', { phase: 'Pending', labels: { tier: 'gold' } }), pv('deleting', { deleting: true, labels: { tier: 'gold' } }),
      pv('gold', { size: '3Gi', labels: { tier: 'gold' } }),
      pvc('c', { selector: { matchLabels: { tier: 'gold' } } }),
    ],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Bound', volumeName: 'gold' } },
  },
  {
    name: 'nothing matches and no class: FailedBinding, Pending',
    seed: [pv('tiny', { size: '100Mi' }), pvc('c', { phase: '', status: { capacity: { storage: '1Gi' } } })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Pending', volumeName: null, capacity: null } },
    events: ['Normal FailedBinding PersistentVolumeClaim/c: no persistent volumes available for this claim and no storage class is set'],
  },
  {
    name: 'requested volume that is free: bound, claim not marked bound-by-controller',
    seed: [pv('pv1', { size: '1Gi' }), pv('pv2', { size: '1Gi' }), pvc('c', { volumeName: 'pv2' })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Bound', volumeName: 'pv2', annotations: { [BOUND_BY]: null, [COMPLETED]: 'yes' } } },
    volumes: { pv2: { phase: 'Bound', uid: 'uid-c', annotations: { [BOUND_BY]: 'yes' } }, pv1: { phase: 'Available', claim: null } },
  },
  {
    name: 'requested volume too small: VolumeMismatch, Pending',
    seed: [pv('pv1', { size: '1Gi' }), pvc('c', { volumeName: 'pv1', size: '2Gi' })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Pending' } },
    volumes: { pv1: { phase: 'Available', claim: null } },
    events: ['Warning VolumeMismatch PersistentVolumeClaim/c: Cannot bind to requested volume "pv1": requested PV is too small'],
  },
  {
    name: 'requested volume with another class: VolumeMismatch',
    seed: [pv('pv1', { cls: 'fast' }), pvc('c', { volumeName: 'pv1' })],
    sync: ['claim:ns/c'],
    events: ['Warning VolumeMismatch PersistentVolumeClaim/c: Cannot bind to requested volume "pv1": storageClassName does not match'],
  },
  {
    name: 'requested volume missing: stays Pending quietly',
    seed: [pvc('c', { volumeName: 'nope' })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Pending', volumeName: 'nope' } },
    events: [],
    writes: 0,
  },
  {
    name: 'requested volume taken by another claim: FailedBinding',
    seed: [pv('pv1', { claim: 'ns/other', uid: 'uid-other', phase: 'Bound' }), pvc('c', { volumeName: 'pv1' })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Pending' } },
    events: ['Warning FailedBinding PersistentVolumeClaim/c: volume "pv1" already bound to a different claim.'],
  },
  {
    name: 'volume pre-bound by its creator (claimRef without uid) wins over a better match',
    seed: [pv('reserved', { size: '10Gi', claim: 'ns/c' }), pv('exact', { size: '1Gi' }), pvc('c')],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Bound', volumeName: 'reserved', annotations: { [BOUND_BY]: 'yes', [COMPLETED]: 'yes' } } },
    volumes: { reserved: { phase: 'Bound', uid: 'uid-c', annotations: { [BOUND_BY]: null } }, exact: { claim: null } },
  },
  {
    name: 'WaitForFirstConsumer without a consumer: event only',
    seed: [sc('local-path', { wait: true }), pv('pv1', { cls: 'local-path' }), pvc('c', { cls: 'local-path' })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Pending', volumeName: null, annotations: { [PROVISIONER]: null } } },
    volumes: { pv1: { claim: null } },
    events: ['Normal WaitForFirstConsumer PersistentVolumeClaim/c: waiting for first consumer to be created before binding'],
    writes: 0,
  },
  {
    name: 'WaitForFirstConsumer with unscheduled pods: names them',
    seed: [sc('local-path', { wait: true }), pvc('c', { cls: 'local-path' }), pod('web-0', ['c']), pod('web-1', ['c']), pod('placed', ['c'], 'n1'), pod('other', ['d'])],
    sync: ['claim:ns/c'],
    events: ['Normal WaitForPodScheduled PersistentVolumeClaim/c: waiting for pods web-0,web-1 to be scheduled'],
  },
  {
    name: 'WaitForFirstConsumer with a selected node: handed to the provisioner',
    seed: [sc('local-path', { wait: true }), pvc('c', { cls: 'local-path', ann: { [SELECTED]: 'n1' } })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Pending', annotations: { [PROVISIONER]: 'skiff.dev/local-path', [BETA_PROVISIONER]: 'skiff.dev/local-path', [SELECTED]: 'n1' } } },
    events: [`Normal ExternalProvisioning PersistentVolumeClaim/c: ${EXTERNAL}`],
  },
  {
    name: 'WaitForFirstConsumer with a selected node: a static volume fitting that node is bound instead',
    seed: [
      sc('local', { wait: true, provisioner: 'kubernetes.io/no-provisioner' }), node('n1', 'host-1'), node('n2', 'host-2'),
      pv('on-n2', { cls: 'local', hosts: ['host-2'] }), pv('on-n1', { cls: 'local', size: '5Gi', hosts: ['host-1'] }),
      pvc('c', { cls: 'local', ann: { [SELECTED]: 'n1' } }),
    ],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Bound', volumeName: 'on-n1' } },
    volumes: { 'on-n2': { claim: null } },
    events: [],
  },
  {
    name: 'immediate class with a provisioner: handed over at once',
    seed: [sc('fast', { provisioner: 'example.com/fast' }), pvc('c', { cls: 'fast' })],
    sync: ['claim:ns/c'],
    claims: { c: { annotations: { [PROVISIONER]: 'example.com/fast', [BETA_PROVISIONER]: 'example.com/fast' } } },
    events: ["Normal ExternalProvisioning PersistentVolumeClaim/c: Waiting for a volume to be created either by the external provisioner 'example.com/fast' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."],
  },
  {
    name: 'class does not exist: ProvisioningFailed',
    seed: [pvc('c', { cls: 'nope' })],
    sync: ['claim:ns/c'],
    events: ['Warning ProvisioningFailed PersistentVolumeClaim/c: storageclass.storage.k8s.io "nope" not found'],
    writes: 0,
  },
  {
    name: 'in-tree provisioner names are not served',
    seed: [sc('local', { provisioner: 'kubernetes.io/no-provisioner' }), pvc('c', { cls: 'local' })],
    sync: ['claim:ns/c'],
    events: ['Warning ProvisioningFailed PersistentVolumeClaim/c: no volume plugin matched name: kubernetes.io/no-provisioner'],
  },
  {
    name: 'no class field: the default class is assigned retroactively',
    seed: [sc('slow'), sc('local-path', { wait: true, def: true }), pvc('c', { cls: null })],
    sync: ['claim:ns/c'],
    claims: { c: { storageClassName: 'local-path', annotations: { [PROVISIONER]: null } } },
    events: [],
    writes: 1,
  },
  {
    name: 'no class field but a class-less volume matches: bound, class left unset',
    seed: [sc('local-path', { def: true }), pv('pv1'), pvc('c', { cls: null })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Bound', volumeName: 'pv1' } },
  },
  {
    name: 'bound claim whose volume disappeared: Lost',
    seed: [pvc('c', { volumeName: 'gone', phase: 'Bound', ann: { [COMPLETED]: 'yes' } })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Lost' } },
    events: ['Warning ClaimLost PersistentVolumeClaim/c: Bound claim has lost its PersistentVolume. Data on the volume is lost!'],
  },
  {
    name: 'bound claim that lost its volumeName: Lost',
    seed: [pvc('c', { phase: 'Bound', ann: { [COMPLETED]: 'yes' } })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Lost' } },
    events: ['Warning ClaimLost PersistentVolumeClaim/c: Bound claim has lost reference to PersistentVolume. Data on the volume is lost!'],
  },
  {
    name: 'bound claim whose volume serves another claim: Lost (misbound)',
    seed: [pv('pv1', { claim: 'ns/other', uid: 'uid-other', phase: 'Bound' }), pvc('c', { volumeName: 'pv1', phase: 'Bound', ann: { [COMPLETED]: 'yes' } })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Lost' } },
    events: ['Warning ClaimMisbound PersistentVolumeClaim/c: Two claims are bound to the same volume, this one is bound incorrectly'],
  },
  {
    name: 'bound claim whose volume lost its claimRef: rebound',
    seed: [pv('pv1', { phase: 'Available' }), pvc('c', { volumeName: 'pv1', phase: 'Bound', ann: { [COMPLETED]: 'yes' } })],
    sync: ['claim:ns/c'],
    claims: { c: { phase: 'Bound' } },
    volumes: { pv1: { phase: 'Bound', uid: 'uid-c' } },
  },
  {
    name: 'everything already consistent: no writes',
    seed: [
      pv('pv1', { claim: 'ns/c', uid: 'uid-c', phase: 'Bound', ann: { [BOUND_BY]: 'yes' } }),
      pvc('c', { volumeName: 'pv1', phase: 'Bound', ann: { [COMPLETED]: 'yes', [BOUND_BY]: 'yes' }, status: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } }),
    ],
    sync: ['claim:ns/c', 'volume:pv1'],
    writes: 0,
    events: [],
  },
];

const volumeCases: Case[] = [
  {
    name: 'a new volume becomes Available',
    seed: [pv('pv1', { phase: 'Pending' })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Available' } },
  },
  {
    name: 'reserved for a claim not bound yet: Available',
    seed: [pv('pv1', { phase: 'Pending', claim: 'ns/c' })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Available', claim: 'ns/c', uid: null } },
  },
  {
    name: 'claim gone, Retain: Released and kept',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', policy: 'Retain' })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Released', claim: 'ns/c', uid: 'uid-c' } },
    events: [],
  },
  {
    name: 'claim gone, Delete, external provisioner: Released, left to the provisioner',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', policy: 'Delete', ann: { [PROVISIONED_BY]: 'skiff.dev/local-path' } })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Released' } },
    events: [],
  },
  {
    name: 'claim gone, Delete, static volume: Failed (no deleter)',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', policy: 'Delete' })],
    sync: ['volume:pv1', 'volume:pv1'],
    volumes: { pv1: { phase: 'Failed', message: 'error getting deleter volume plugin for volume "pv1": no deletable volume plugin matched' } },
    events: ['Warning VolumeFailedDelete PersistentVolume/pv1: error getting deleter volume plugin for volume "pv1": no deletable volume plugin matched'],
  },
  {
    name: 'claim gone, Recycle: Failed (no recycler)',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', policy: 'Recycle' })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Failed' } },
    events: ['Warning VolumeFailedRecycle PersistentVolume/pv1: No recycler plugin found for the volume!'],
  },
  {
    name: 'claim deleted and recreated under the same name: Released',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'old-uid' }), pvc('c')],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Released', uid: 'old-uid' } },
  },
  {
    name: 'claim points back: Bound',
    seed: [pv('pv1', { phase: 'Available', claim: 'ns/c', uid: 'uid-c' }), pvc('c', { volumeName: 'pv1', phase: 'Bound', ann: { [COMPLETED]: 'yes' } })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Bound' } },
  },
  {
    name: 'bound by the controller to a claim bound elsewhere: unbound',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', ann: { [BOUND_BY]: 'yes' } }), pvc('c', { volumeName: 'pv2', phase: 'Bound', ann: { [COMPLETED]: 'yes' } })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Available', claim: null, annotations: { [BOUND_BY]: null } } },
  },
  {
    name: 'pre-bound by the user to a claim bound elsewhere: only the uid is cleared',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c' }), pvc('c', { volumeName: 'pv2', phase: 'Bound', ann: { [COMPLETED]: 'yes' } })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Available', claim: 'ns/c', uid: null } },
  },
  {
    name: 'provisioned for a claim that got another volume: Released for deletion',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', policy: 'Delete', ann: { [PROVISIONED_BY]: 'skiff.dev/local-path' } }), pvc('c', { volumeName: 'pv2', phase: 'Bound', ann: { [COMPLETED]: 'yes' } })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Released' } },
  },
  {
    name: 'claim and volume disagree on volumeMode: VolumeMismatch on both',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', volumeMode: 'Block' }), pvc('c')],
    sync: ['volume:pv1'],
    events: [
      'Warning VolumeMismatch PersistentVolume/pv1: Cannot bind PersistentVolume to requested PersistentVolumeClaim "c" due to incompatible volumeMode.',
      'Warning VolumeMismatch PersistentVolumeClaim/c: Cannot bind PersistentVolume "pv1" to requested PersistentVolumeClaim due to incompatible volumeMode.',
    ],
  },
  {
    name: 'unknown reclaim policy: Failed',
    seed: [pv('pv1', { phase: 'Bound', claim: 'ns/c', uid: 'uid-c', policy: 'Shred' })],
    sync: ['volume:pv1'],
    volumes: { pv1: { phase: 'Failed' } },
    events: ['Warning VolumeUnknownReclaimPolicy PersistentVolume/pv1: Volume has unrecognized PersistentVolumeReclaimPolicy'],
  },
];

async function runCase(c: Case): Promise<void> {
  const h = harness(c.seed);
  const events: string[] = [];
  const ctrl = new PersistentVolumeController({
    client: h.fake, volumes: h.informer(PVS), claims: h.informer(PVCS), classes: h.informer(SCS),
    pods: h.informer(PODS), nodes: h.informer(NODES), recorder: recorder(events), log: silentLogger,
  });
  try {
    await h.sync();
    ctrl.initializeCaches();
    h.fake.clearActions();
    const run = async (): Promise<void> => {
      for (const k of c.sync) {
        if (k.startsWith('claim:')) await ctrl.syncClaimKey(k.slice(6));
        else await ctrl.syncVolumeKey(k.slice(7));
      }
    };
    if (c.throws) {
      await assert.rejects(run, c.throws);
      return;
    }
    await run();
    for (const [name, w] of Object.entries(c.claims ?? {})) checkClaim(h.fake, name, w);
    for (const [name, w] of Object.entries(c.volumes ?? {})) checkVolume(h.fake, name, w);
    if (c.events) assert.deepEqual(events, c.events);
    if (c.writes !== undefined) assert.equal(h.fake.writes().length, c.writes, JSON.stringify(h.fake.writes().map((w) => `${w.verb} ${w.resource}/${w.name}${w.subresource ? `/${w.subresource}` : ''}`)));
  } finally {
    ctrl.volumeQueue.shutdown();
    ctrl.claimQueue.shutdown();
    await h.close();
  }
}

describe('PersistentVolumeController: claims', () => {
  for (const c of claimCases) it(c.name, () => runCase(c));
});

describe('PersistentVolumeController: volumes', () => {
  for (const c of volumeCases) it(c.name, () => runCase(c));
});

describe('PersistentVolumeController: running', () => {
  it('binds a claim to a volume created later, and releases it when the claim goes (Retain)', async () => {
    const h = harness([pvc('c', { size: '1Gi' })]);
    const events: string[] = [];
    const ctrl = new PersistentVolumeController({
      client: h.fake, volumes: h.informer(PVS), claims: h.informer(PVCS), classes: h.informer(SCS), recorder: recorder(events), log: silentLogger,
      resyncPeriodMs: 3_600_000, // only events drive it here
    });
    const ac = new AbortController();
    await h.sync();
    const done = ctrl.run(ac.signal);
    try {
      await until(() => h.fake.object(PVCS, 'ns', 'c')?.status?.phase === 'Pending' && events.length > 0, 'claim seen');
      await h.fake.create(PVS, '', pv('pv1', { size: '1Gi', phase: 'Pending' })[1]);
      await until(() => h.fake.object(PVCS, 'ns', 'c')?.status?.phase === 'Bound', 'claim bound');
      await until(() => h.fake.object(PVS, '', 'pv1')?.status?.phase === 'Bound', 'volume bound');
      await h.fake.delete(PVCS, 'ns', 'c');
      await until(() => h.fake.object(PVS, '', 'pv1')?.status?.phase === 'Released', 'volume released');
      const v = h.fake.object(PVS, '', 'pv1')!;
      assert.equal(v.spec.claimRef.uid, 'uid-c', 'a retained volume keeps pointing at its old claim');
      assert.ok(v.status.lastPhaseTransitionTime);
    } finally {
      ac.abort();
      await done;
      await h.close();
    }
  });

  it('a requested volume that becomes free is bound at once (no resync needed)', async () => {
    const h = harness([pv('pv1', { phase: 'Released', claim: 'ns/old', uid: 'uid-old' }), pvc('c', { volumeName: 'pv1' })]);
    const ctrl = new PersistentVolumeController({
      client: h.fake, volumes: h.informer(PVS), claims: h.informer(PVCS), classes: h.informer(SCS), log: silentLogger, resyncPeriodMs: 3_600_000,
    });
    const ac = new AbortController();
    await h.sync();
    const done = ctrl.run(ac.signal);
    try {
      await until(() => h.fake.object(PVS, '', 'pv1')?.status?.phase === 'Released' && h.fake.writes().length === 0 && ctrl.claimQueue.len() === 0, 'idle');
      assert.equal(h.fake.object(PVCS, 'ns', 'c')?.status?.phase, 'Pending');
      // the admin makes the volume reusable
      await h.fake.patch(PVS, '', 'pv1', 'json', [{ op: 'remove', path: '/spec/claimRef' }]);
      await until(() => h.fake.object(PVCS, 'ns', 'c')?.status?.phase === 'Bound', 'claim bound');
      assert.equal(h.fake.object(PVS, '', 'pv1')?.spec.claimRef.uid, 'uid-c');
    } finally {
      ac.abort();
      await done;
      await h.close();
    }
  });
});
