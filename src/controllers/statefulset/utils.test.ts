import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import {
  completeRollingUpdate, getPersistentVolumeClaims, identityMatches, isClaimOwnerUpToDate, newVersionedStatefulSetPod, parentNameAndOrdinal,
  storageMatches, updateClaimOwnerRefs,
} from './utils.js';

const set = (o: Obj = {}): Obj => ({
  metadata: { name: 'web', namespace: 'ns', uid: 'set-uid' },
  spec: {
    replicas: 2, serviceName: 'svc', selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'x' } }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data', labels: { tier: 'db' } }, spec: { resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } }],
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    ...o,
  },
});
const pod = (ordinal: number): Obj => ({ metadata: { name: `web-${ordinal}`, namespace: 'ns', uid: `pod-${ordinal}` } });
const SET_REF = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true };
const podRef = (ordinal: number): Obj => ({ apiVersion: 'v1', kind: 'Pod', name: `web-${ordinal}`, uid: `pod-${ordinal}`, controller: true, blockOwnerDeletion: true });

describe('statefulset identities', () => {
  const cases: [string, [string, number]][] = [['web-0', ['web', 0]], ['my-web-12', ['my-web', 12]], ['web', ['', -1]], ['web-x', ['', -1]], ['web-99999999999', ['web', -1]]];
  for (const [name, want] of cases) it(`parses ${name}`, () => assert.deepEqual(parentNameAndOrdinal({ metadata: { name } }), want));

  it('builds pods at the partition-chosen revision with identity and storage', () => {
    const cur = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } });
    const upd = set();
    upd.spec.template.spec.containers[0].image = 'j';
    const p0 = newVersionedStatefulSetPod(cur, upd, 'web-a', 'web-b', 0);
    const p1 = newVersionedStatefulSetPod(cur, upd, 'web-a', 'web-b', 1);
    assert.deepEqual([p0.metadata.labels['controller-revision-hash'], p0.spec.containers[0].image], ['web-a', 'i']);
    assert.deepEqual([p1.metadata.labels['controller-revision-hash'], p1.spec.containers[0].image], ['web-b', 'j']);
    assert.deepEqual(p1.spec.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-1' } }, { name: 'cfg', configMap: { name: 'x' } }]);
    assert.equal(p1.spec.hostname, 'web-1');
    assert.equal(p1.spec.subdomain, 'svc');
    assert.ok(identityMatches(cur, p1) && storageMatches(cur, p1));
  });

  it('claims carry template and selector labels, no status', () => {
    const c = getPersistentVolumeClaims(set(), pod(1)).get('data')!;
    assert.equal(c.metadata.name, 'data-web-1');
    assert.deepEqual(c.metadata.labels, { tier: 'db', app: 'web' });
    assert.equal(c.status, undefined);
  });

  it('completes a rolling update only when all replicas are updated and ready', () => {
    const st: Obj = { replicas: 2, readyReplicas: 2, updatedReplicas: 2, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeRollingUpdate(set(), st);
    assert.deepEqual([st.currentRevision, st.currentReplicas], ['b', 2]);
    const partial: Obj = { replicas: 2, readyReplicas: 1, updatedReplicas: 2, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeRollingUpdate(set(), partial);
    assert.equal(partial.currentRevision, 'a');
  });
});

describe('claim owners per retention policy', () => {
  interface Case { policy: [string, string]; ordinal: number; want: Obj[] | undefined }
  const cases: Case[] = [
    { policy: ['Retain', 'Retain'], ordinal: 0, want: undefined },
    { policy: ['Retain', 'Retain'], ordinal: 5, want: undefined },
    { policy: ['Delete', 'Retain'], ordinal: 0, want: [SET_REF] },
    { policy: ['Delete', 'Retain'], ordinal: 5, want: [SET_REF] },
    { policy: ['Retain', 'Delete'], ordinal: 0, want: undefined },
    { policy: ['Retain', 'Delete'], ordinal: 5, want: [podRef(5)] },
    { policy: ['Delete', 'Delete'], ordinal: 0, want: [SET_REF] },
    { policy: ['Delete', 'Delete'], ordinal: 5, want: [podRef(5)] },
  ];
  for (const c of cases) {
    it(`whenDeleted=${c.policy[0]} whenScaled=${c.policy[1]}, ordinal ${c.ordinal}`, () => {
      const s = set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: c.policy[0], whenScaled: c.policy[1] } });
      const claim: Obj = { metadata: { name: `data-web-${c.ordinal}`, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm' }] } };
      const p = pod(c.ordinal);
      const wasUpToDate = isClaimOwnerUpToDate(claim, s, p);
      updateClaimOwnerRefs(claim, s, p);
      assert.deepEqual(claim.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'keep', uid: 'cm' }, ...(c.want ?? [])]);
      assert.equal(wasUpToDate, !c.want, 'up to date exactly when nothing had to change');
      assert.ok(isClaimOwnerUpToDate(claim, s, p), 'up to date afterwards');
    });
  }

  it('claims with a stale reference or another controller are left alone', () => {
    const s = set({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Delete' } });
    const stale: Obj = { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'old', controller: true }] } };
    assert.ok(isClaimOwnerUpToDate(stale, s, pod(0)));
    const foreign: Obj = { metadata: { ownerReferences: [{ apiVersion: 'x/v1', kind: 'Other', name: 'o', uid: 'o', controller: true }] } };
    assert.ok(isClaimOwnerUpToDate(foreign, s, pod(0)));
    updateClaimOwnerRefs(foreign, s, pod(0));
    assert.equal(foreign.metadata.ownerReferences.length, 1, 'no references added beside another controller');
  });
});
