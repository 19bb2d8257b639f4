import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { harness, until } from '../testutil.js';
import { PersistentVolumeController } from '../volume/controller.js';
import { NODES, PODS, PVCS, PVS, SCS, node, pv, pvc, recorder, sc } from '../volume/testing.js';
import { LocalPathProvisioner, volumePath } from './controller.js';

const OURS = { 'volume.kubernetes.io/storage-provisioner': 'skiff.dev/local-path' };
const SELECTED = 'volume.kubernetes.io/selected-node';
const DIR = '/var/lib/skiff/storage';

interface ProvisionCase {
  name: string;
  seed: [ResourceRef, Obj][];
  claim?: string;
  /** The volume expected to exist afterwards (compared whole, minus server-set metadata). */
  volume?: Obj;
  /** No volume may exist afterwards. */
  none?: boolean;
  events: string[];
  /** The claim's selected-node annotation afterwards (null: removed). */
  selected?: string | null;
  throws?: RegExp;
}

const expectedPV = (o: { node?: string; policy?: string; modes?: string[]; size?: string; mountOptions?: string[] } = {}): Obj => ({
  apiVersion: 'v1', kind: 'PersistentVolume',
  metadata: { name: 'pvc-uid-c', annotations: { 'pv.kubernetes.io/provisioned-by': 'skiff.dev/local-path' } },
  spec: {
    capacity: { storage: o.size ?? '1Gi' },
    accessModes: o.modes ?? ['ReadWriteOnce'],
    persistentVolumeReclaimPolicy: o.policy ?? 'Delete',
    storageClassName: 'local-path',
    volumeMode: 'Filesystem',
    hostPath: { path: `${DIR}/ns_c_pvc-uid-c`, type: 'DirectoryOrCreate' },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node ?? 'host-1'] }] }] } },
    claimRef: { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'c', uid: 'uid-c', apiVersion: 'v1' },
    ...(o.mountOptions ? { mountOptions: o.mountOptions } : {}),
  },
});

const PROVISIONING = 'Normal Provisioning PersistentVolumeClaim/c: External provisioner is provisioning volume for claim "ns/c"';
const SUCCEEDED = 'Normal ProvisioningSucceeded PersistentVolumeClaim/c: Successfully provisioned volume pvc-uid-c';
const failed = (why: string): string => `Warning ProvisioningFailed PersistentVolumeClaim/c: failed to provision volume with StorageClass "local-path": ${why}`;

const cases: ProvisionCase[] = [
  {
    name: 'WaitForFirstConsumer claim on a selected node: a hostPath PV pinned to that node',
    seed: [sc('local-path', { wait: true }), node('n1', 'host-1'), pvc('c', { cls: 'local-path', ann: { ...OURS, [SELECTED]: 'n1' } })],
    volume: expectedPV(),
    events: [PROVISIONING, SUCCEEDED],
    selected: 'n1',
  },
  {
    name: 'beta provisioner annotation, Retain class with mount options, RWOP, node without hostname label',
    seed: [
      sc('local-path', { wait: true, reclaim: 'Retain', mountOptions: ['noatime'] }),
      [NODES, { metadata: { name: 'n9' } }],
      pvc('c', { cls: 'local-path', size: '16Mi', modes: ['ReadWriteOncePod'], ann: { 'volume.beta.kubernetes.io/storage-provisioner': 'skiff.dev/local-path', [SELECTED]: 'n9' } }),
    ],
    volume: expectedPV({ node: 'n9', policy: 'Retain', modes: ['ReadWriteOncePod'], size: '16Mi', mountOptions: ['noatime'] }),
    events: [PROVISIONING, SUCCEEDED],
  },
  {
    name: 'no node selected yet: waits',
    seed: [sc('local-path', { wait: true }), pvc('c', { cls: 'local-path', ann: OURS })],
    none: true,
    events: [],
  },
  {
    name: 'claim for another provisioner: ignored',
    seed: [sc('local-path', { wait: true }), node('n1'), pvc('c', { cls: 'local-path', ann: { 'volume.kubernetes.io/storage-provisioner': 'example.com/x', [SELECTED]: 'n1' } })],
    none: true,
    events: [],
  },
  {
    name: 'class names another provisioner: ignored',
    seed: [sc('local-path', { wait: true, provisioner: 'example.com/x' }), node('n1'), pvc('c', { cls: 'local-path', ann: { ...OURS, [SELECTED]: 'n1' } })],
    none: true,
    events: [],
  },
  {
    name: 'claim already bound: ignored',
    seed: [sc('local-path', { wait: true }), node('n1'), pvc('c', { cls: 'local-path', volumeName: 'x', ann: { ...OURS, [SELECTED]: 'n1' } })],
    none: true,
    events: [],
  },
  {
    name: 'volume already provisioned: nothing more',
    seed: [sc('local-path', { wait: true }), node('n1'), pv('pvc-uid-c', { claim: 'ns/c', uid: 'uid-c' }), pvc('c', { cls: 'local-path', ann: { ...OURS, [SELECTED]: 'n1' } })],
    events: [],
  },
  {
    name: 'selector: refused, node handed back to the scheduler',
    seed: [sc('local-path', { wait: true }), node('n1'), pvc('c', { cls: 'local-path', selector: { matchLabels: { a: 'b' } }, ann: { ...OURS, [SELECTED]: 'n1' } })],
    none: true,
    events: [PROVISIONING, failed('claim Selector is not supported')],
    selected: null,
  },
  {
    name: 'ReadWriteMany: refused',
    seed: [sc('local-path', { wait: true }), node('n1'), pvc('c', { cls: 'local-path', modes: ['ReadWriteMany'], ann: { ...OURS, [SELECTED]: 'n1' } })],
    none: true,
    events: [PROVISIONING, failed('NodePath only supports ReadWriteOnce and ReadWriteOncePod access modes')],
    selected: null,
  },
  {
    name: 'Block volume mode: refused',
    seed: [sc('local-path', { wait: true }), node('n1'), pvc('c', { cls: 'local-path', volumeMode: 'Block', ann: { ...OURS, [SELECTED]: 'n1' } })],
    none: true,
    events: [PROVISIONING, failed('Block volume mode is not supported')],
  },
  {
    name: 'selected node does not exist: refused, node handed back',
    seed: [sc('local-path', { wait: true }), pvc('c', { cls: 'local-path', ann: { ...OURS, [SELECTED]: 'ghost' } })],
    none: true,
    events: [PROVISIONING, failed('failed to get target node: nodes "ghost" not found')],
    selected: null,
  },
  {
    name: 'Immediate class: no node to put the volume on',
    seed: [sc('local-path'), pvc('c', { cls: 'local-path', ann: OURS })],
    none: true,
    events: [PROVISIONING, failed('configuration error, no node was specified')],
  },
  {
    name: 'class missing: retried later',
    seed: [pvc('c', { cls: 'local-path', ann: { ...OURS, [SELECTED]: 'n1' } })],
    throws: /storageclass.storage.k8s.io "local-path" not found/,
    events: [],
  },
];

function stripServerFields(o: Obj): Obj {
  const out = structuredClone(o);
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp']) delete out.metadata[k];
  delete out.status;
  delete out.spec.claimRef.resourceVersion; // the claim's, whatever the fake numbered it
  return out;
}

function newProvisioner(h: ReturnType<typeof harness>, events: string[]): LocalPathProvisioner {
  return new LocalPathProvisioner({
    client: h.fake, claims: h.informer(PVCS), volumes: h.informer(PVS), classes: h.informer(SCS), nodes: h.informer(NODES),
    storageDir: DIR, recorder: recorder(events), log: silentLogger,
  });
}

describe('LocalPathProvisioner: provisioning', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      const events: string[] = [];
      const p = newProvisioner(h, events);
      try {
        await h.sync();
        const before = h.fake.objects(PVS).map((v) => v.metadata.name);
        if (c.throws) await assert.rejects(p.syncClaim('ns/c'), c.throws);
        else await p.syncClaim('ns/c');
        const after = h.fake.objects(PVS);
        if (c.volume) {
          const v = after.find((x) => x.metadata.name === c.volume!.metadata.name);
          assert.ok(v, 'volume created');
          assert.deepEqual(stripServerFields(v), c.volume);
        }
        if (c.none) assert.deepEqual(after.map((v) => v.metadata.name), before, 'no volume created');
        assert.deepEqual(events, c.events);
        if (c.selected !== undefined) assert.equal(h.fake.object(PVCS, 'ns', 'c')?.metadata.annotations?.[SELECTED] ?? null, c.selected);
      } finally {
        p.claimQueue.shutdown();
        p.volumeQueue.shutdown();
        await h.close();
      }
    });
  }
});

describe('LocalPathProvisioner: deletion', () => {
  const mine = { 'pv.kubernetes.io/provisioned-by': 'skiff.dev/local-path' };
  const table: { name: string; volume: [ResourceRef, Obj]; deleted: boolean }[] = [
    { name: 'Released + Delete + ours: deleted', volume: pv('v', { phase: 'Released', policy: 'Delete', claim: 'ns/c', uid: 'u', ann: mine }), deleted: true },
    { name: 'Released + Retain: kept', volume: pv('v', { phase: 'Released', policy: 'Retain', claim: 'ns/c', uid: 'u', ann: mine }), deleted: false },
    { name: 'another provisioner\'s: kept', volume: pv('v', { phase: 'Released', policy: 'Delete', claim: 'ns/c', uid: 'u', ann: { 'pv.kubernetes.io/provisioned-by': 'example.com/x' } }), deleted: false },
    { name: 'static volume: kept', volume: pv('v', { phase: 'Released', policy: 'Delete', claim: 'ns/c', uid: 'u' }), deleted: false },
    { name: 'still Bound: kept', volume: pv('v', { phase: 'Bound', policy: 'Delete', claim: 'ns/c', uid: 'u', ann: mine }), deleted: false },
    { name: 'Failed: kept', volume: pv('v', { phase: 'Failed', policy: 'Delete', claim: 'ns/c', uid: 'u', ann: mine }), deleted: false },
  ];
  for (const c of table) {
    it(c.name, async () => {
      const h = harness([c.volume]);
      const p = newProvisioner(h, []);
      try {
        await h.sync();
        await p.syncVolume('v');
        assert.equal(h.fake.object(PVS, '', 'v') === undefined, c.deleted);
      } finally {
        p.claimQueue.shutdown();
        p.volumeQueue.shutdown();
        await h.close();
      }
    });
  }
});

describe('volumePath', () => {
  it('is <dir>/<namespace>_<claim>_<pv>', () => {
    assert.equal(volumePath('/d/storage/', { metadata: { namespace: 'ns', name: 'data-web-0' } }, 'pvc-1'), '/d/storage/ns_data-web-0_pvc-1');
  });
});

describe('PV controller + local-path provisioner together', () => {
  it('WaitForFirstConsumer: waits, provisions on the selected node, binds; Delete removes the volume', async () => {
    const h = harness([sc('local-path', { wait: true, def: true }), node('n1', 'host-1'), pvc('c', { cls: null })]);
    const events: string[] = [];
    const rec = recorder(events);
    const ctrl = new PersistentVolumeController({
      client: h.fake, volumes: h.informer(PVS), claims: h.informer(PVCS), classes: h.informer(SCS), pods: h.informer(PODS),
      nodes: h.informer(NODES), recorder: rec, log: silentLogger,
    });
    const prov = new LocalPathProvisioner({
      client: h.fake, claims: h.informer(PVCS), volumes: h.informer(PVS), classes: h.informer(SCS), nodes: h.informer(NODES),
      storageDir: DIR, recorder: rec, log: silentLogger,
    });
    const ac = new AbortController();
    await h.sync();
    const runs = [ctrl.run(ac.signal), prov.run(ac.signal)];
    try {
      await until(() => events.some((e) => e.includes('WaitForFirstConsumer')), 'WaitForFirstConsumer event');
      const waiting = h.fake.object(PVCS, 'ns', 'c')!;
      assert.equal(waiting.spec.storageClassName, 'local-path', 'the default class was assigned');
      assert.equal(h.fake.objects(PVS).length, 0);

      // the scheduler's part
      await h.fake.patch(PVCS, 'ns', 'c', 'merge', { metadata: { annotations: { [SELECTED]: 'n1' } } });
      await until(() => h.fake.object(PVCS, 'ns', 'c')?.status?.phase === 'Bound', 'claim bound');
      await until(() => h.fake.object(PVS, '', 'pvc-uid-c')?.status?.phase === 'Bound', 'volume bound');
      const claim = h.fake.object(PVCS, 'ns', 'c')!;
      assert.equal(claim.spec.volumeName, 'pvc-uid-c');
      assert.equal(claim.status.capacity.storage, '1Gi');
      assert.equal(claim.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
      const vol = h.fake.object(PVS, '', 'pvc-uid-c')!;
      assert.equal(vol.spec.hostPath.path, `${DIR}/ns_c_pvc-uid-c`);
      const reasons = events.map((e) => e.split(' ')[1]);
      assert.deepEqual([...new Set(reasons)], ['WaitForFirstConsumer', 'ExternalProvisioning', 'Provisioning', 'ProvisioningSucceeded']);

      await h.fake.delete(PVCS, 'ns', 'c');
      await until(() => h.fake.object(PVS, '', 'pvc-uid-c') === undefined, 'volume deleted');
    } finally {
      ac.abort();
      await Promise.all(runs);
      await h.close();
    }
  });
});
