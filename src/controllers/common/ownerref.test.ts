import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { FakeClient } from '../../client/fake.js';
import { labelSelectorMatcher } from '../../client/selector.js';
import { R } from '../testutil.js';
import {
  ControllerRefManager, KIND_REPLICASET, adoptPatch, getControllerOf, newControllerRef, recheckDeletionTimestamp, releasePatch,
} from './ownerref.js';
import { withStrategicMetadataPatches } from './testing.js';

const RS = { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet' };
const owner: Obj = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid' }, spec: { selector: { matchLabels: { app: 'web' } } } };
const ours = newControllerRef(owner, KIND_REPLICASET);
const theirs = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'other', uid: 'other-uid', controller: true, blockOwnerDeletion: true };

function pod(name: string, labels: Record<string, string>, refs: Obj[] = [], extra: Obj = {}): Obj {
  return { metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels, ...(refs.length ? { ownerReferences: refs } : {}), ...extra } };
}

interface Case {
  name: string;
  pods: Obj[];
  owner?: Obj;
  canAdopt?: () => Promise<void>;
  claimed: string[];
  throws?: RegExp;
  check?: (fake: FakeClient) => void;
}

const refsOf = (fake: FakeClient, name: string) => fake.object(R.pods, 'ns', name)?.metadata.ownerReferences;

const cases: Case[] = [
  { name: 'owned and matching: kept without writes', pods: [pod('a', { app: 'web' }, [ours])], claimed: ['a'], check: (f) => assert.equal(f.writes().length, 0) },
  { name: 'owned by another: ignored', pods: [pod('a', { app: 'web' }, [theirs])], claimed: [], check: (f) => assert.equal(f.writes().length, 0) },
  {
    name: 'matching orphan: adopted with a controller reference',
    pods: [pod('a', { app: 'web' }, [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm' }])], claimed: ['a'],
    check: (f) => {
      assert.deepEqual(refsOf(f, 'a'), [ours, { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm' }]);
      const w = f.writes()[0];
      assert.equal(w.patchType, 'strategic');
      assert.deepEqual(w.object, { metadata: { ownerReferences: [ours], uid: 'uid-a' } });
    },
  },
  { name: 'non-matching orphan: ignored', pods: [pod('a', { app: 'db' })], claimed: [], check: (f) => assert.equal(f.writes().length, 0) },
  { name: 'orphan being deleted: ignored', pods: [pod('a', { app: 'web' }, [], { deletionTimestamp: '2024-01-01T00:00:00Z' })], claimed: [] },
  { name: 'orphan in another namespace: ignored', pods: [{ metadata: { name: 'a', namespace: 'other', uid: 'u', labels: { app: 'web' } } }], claimed: [] },
  {
    name: 'owned but no longer matching: released',
    pods: [pod('a', { app: 'debug' }, [ours, { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm' }])], claimed: [],
    check: (f) => {
      assert.deepEqual(refsOf(f, 'a'), [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'cm' }]);
      assert.deepEqual(f.writes()[0].object, { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-uid' }], uid: 'uid-a' } });
    },
  },
  {
    name: 'owner being deleted: no adoption, no release',
    owner: { ...owner, metadata: { ...owner.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } },
    pods: [pod('a', { app: 'web' }), pod('b', { app: 'x' }, [ours]), pod('c', { app: 'web' }, [ours])], claimed: ['c'],
    check: (f) => assert.equal(f.writes().length, 0),
  },
  {
    name: 'canAdopt refusal: an error, nothing adopted, others still claimed',
    canAdopt: async () => { throw new Error('web has just been deleted'); },
    pods: [pod('a', { app: 'web' }), pod('b', { app: 'web' }, [ours])], claimed: [],
    throws: /can't adopt Pod ns\/a \(uid-a\): web has just been deleted$/,
  },
];

describe('ControllerRefManager.claim', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const fake = withStrategicMetadataPatches(new FakeClient());
      for (const p of c.pods) fake.seed(R.pods, p);
      const cached = fake.objects(R.pods);
      let adoptChecks = 0;
      const m = new ControllerRefManager({
        client: fake, owner: c.owner ?? owner, ownerKind: KIND_REPLICASET, resource: R.pods,
        selector: labelSelectorMatcher((c.owner ?? owner).spec.selector),
        canAdopt: async () => { adoptChecks++; await c.canAdopt?.(); },
      });
      if (c.throws) {
        await assert.rejects(m.claim(cached), c.throws);
      } else {
        const got = await m.claim(cached);
        assert.deepEqual(got.map((p) => p.metadata.name), c.claimed);
      }
      assert.ok(adoptChecks <= 1, 'canAdopt runs at most once');
      c.check?.(fake);
    });
  }

  it('a pod that vanished before adoption is skipped', async () => {
    const fake = withStrategicMetadataPatches(new FakeClient());
    const m = new ControllerRefManager({ client: fake, owner, ownerKind: KIND_REPLICASET, resource: R.pods, selector: labelSelectorMatcher(owner.spec.selector), canAdopt: async () => undefined });
    assert.deepEqual(await m.claim([pod('gone', { app: 'web' })]), []);
  });

  it('releasing a recreated pod (uid mismatch → Invalid) is not an error', async () => {
    const fake = withStrategicMetadataPatches(new FakeClient());
    fake.seed(R.pods, pod('a', { app: 'x' }, [ours], { uid: 'new-uid' }));
    const m = new ControllerRefManager({ client: fake, owner, ownerKind: KIND_REPLICASET, resource: R.pods, selector: labelSelectorMatcher(owner.spec.selector), canAdopt: async () => undefined });
    assert.deepEqual(await m.claim([pod('a', { app: 'x' }, [ours])]), []);
    assert.deepEqual(refsOf(fake, 'a'), [ours]);
  });
});

describe('owner reference helpers', () => {
  it('getControllerOf finds controller=true only', () => {
    assert.equal(getControllerOf(pod('a', {}, [{ uid: 'x' }, ours]))?.uid, 'rs-uid');
    assert.equal(getControllerOf(pod('a', {}, [{ uid: 'x', controller: false }])), undefined);
  });

  it('patches carry finalizers when asked', () => {
    assert.deepEqual(adoptPatch(owner, KIND_REPLICASET, 'u', ['f']).metadata.finalizers, ['f']);
    assert.deepEqual(releasePatch('u', ['o'], ['f']).metadata['$deleteFromPrimitiveList/finalizers'], ['f']);
  });

  it('recheckDeletionTimestamp refuses a replaced or deleting owner', async () => {
    const fake = new FakeClient();
    fake.seed(RS, { metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid' } });
    await recheckDeletionTimestamp(fake, RS, owner)();
    await assert.rejects(recheckDeletionTimestamp(fake, RS, { ...owner, metadata: { ...owner.metadata, uid: 'old' } })(),
      /original ReplicaSet ns\/web is gone: got uid rs-uid, wanted old/);
    await assert.rejects(recheckDeletionTimestamp(fake, RS, { ...owner, metadata: { ...owner.metadata, name: 'nope' } })(), /can't recheck DeletionTimestamp/);
  });
});
