import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { FakeClient } from '../../client/fake.js';
import { ProcessVolumeError, resolveClaim } from './pvc.js';

const PVC = findResource('', 'v1', 'persistentvolumeclaims')!;
const PV = findResource('', 'v1', 'persistentvolumes')!;

const pod: Obj = { metadata: { name: 'web-0', namespace: 'ns', uid: 'pod-uid' } };
const claimVol = { name: 'data', persistentVolumeClaim: { claimName: 'c' } };

function pvc(extra: Obj = {}): Obj {
  return { metadata: { namespace: 'ns', name: 'c', uid: 'claim-uid', ...(extra.metadata ?? {}) }, spec: { volumeName: 'pv-1' }, status: { phase: 'Bound' }, ...extra.top };
}
function pv(spec: Obj, ann?: Obj): Obj {
  return { metadata: { name: 'pv-1', ...(ann ? { annotations: ann } : {}) }, spec: { claimRef: { namespace: 'ns', name: 'c', uid: 'claim-uid' }, ...spec } };
}

async function failure(client: FakeClient, vol: Obj = claimVol): Promise<string> {
  try {
    await resolveClaim(client, pod, vol);
  } catch (err) {
    assert.ok(err instanceof ProcessVolumeError);
    return err.message;
  }
  assert.fail('expected an error');
}

describe('resolveClaim', () => {
  it('a local-path volume: its hostPath, created world-writable', async () => {
    const c = new FakeClient().seed(PVC, pvc()).seed(PV, pv({ hostPath: { path: '/d/storage/ns_c_pv-1', type: 'DirectoryOrCreate' } }, { 'pv.kubernetes.io/provisioned-by': 'skiff.dev/local-path' }));
    assert.deepEqual(await resolveClaim(c, pod, claimVol), { pvName: 'pv-1', kind: 'hostPath', path: '/d/storage/ns_c_pv-1', hostPathType: 'DirectoryOrCreate', dirMode: 0o777, readOnly: false });
  });

  it('a static hostPath or local volume; readOnly from the pod\'s claim source', async () => {
    const c = new FakeClient().seed(PVC, pvc()).seed(PV, pv({ hostPath: { path: '/srv' } }));
    assert.deepEqual(await resolveClaim(c, pod, { name: 'data', persistentVolumeClaim: { claimName: 'c', readOnly: true } }), { pvName: 'pv-1', kind: 'hostPath', path: '/srv', hostPathType: undefined, dirMode: 0o755, readOnly: true });
    const l = new FakeClient().seed(PVC, pvc()).seed(PV, pv({ local: { path: '/mnt/disk1' } }));
    assert.equal((await resolveClaim(l, pod, claimVol)).kind, 'local');
  });

  it('generic ephemeral volumes use <pod>-<volume> and must be owned by the pod', async () => {
    const vol = { name: 'scratch', ephemeral: { volumeClaimTemplate: {} } };
    const owned = { metadata: { name: 'web-0-scratch', ownerReferences: [{ kind: 'Pod', name: 'web-0', uid: 'pod-uid', controller: true }] } };
    const c = new FakeClient().seed(PVC, { ...pvc(owned), metadata: { ...pvc().metadata, ...owned.metadata } }).seed(PV, pv({ hostPath: { path: '/x' } }));
    assert.equal((await resolveClaim(c, pod, vol)).path, '/x');
    const stranger = new FakeClient().seed(PVC, { ...pvc(), metadata: { ...pvc().metadata, name: 'web-0-scratch' } });
    assert.equal(await failure(stranger, vol), 'error processing PVC ns/web-0-scratch: PVC ns/web-0-scratch was not created for pod ns/web-0 (pod is not owner)');
  });

  it('the kubelet\'s errors', async () => {
    assert.equal(await failure(new FakeClient()), 'error processing PVC ns/c: failed to fetch PVC from API server: persistentvolumeclaims "c" not found');
    assert.equal(await failure(new FakeClient().seed(PVC, { ...pvc(), status: { phase: 'Pending' } })), 'error processing PVC ns/c: PVC is not bound');
    assert.equal(await failure(new FakeClient().seed(PVC, { ...pvc(), metadata: { ...pvc().metadata, deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['kubernetes.io/pvc-protection'] } })), 'error processing PVC ns/c: PVC is being deleted');
    assert.equal(await failure(new FakeClient().seed(PVC, pvc())), 'error processing PVC ns/c: failed to fetch PV pv-1 from API server: persistentvolumes "pv-1" not found');
    assert.equal(await failure(new FakeClient().seed(PVC, pvc()).seed(PV, { metadata: { name: 'pv-1' }, spec: { hostPath: { path: '/x' } } })),
      'error processing PVC ns/c: found PV object pv-1 but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim');
    assert.equal(await failure(new FakeClient().seed(PVC, pvc()).seed(PV, { metadata: { name: 'pv-1' }, spec: { hostPath: { path: '/x' }, claimRef: { uid: 'other' } } })),
      'error processing PVC ns/c: found PV object pv-1 but its pv.Spec.ClaimRef.UID other does not point to claim.UID claim-uid');
    assert.equal(await failure(new FakeClient().seed(PVC, pvc()).seed(PV, pv({ nfs: { server: 'x', path: '/' } }))), 'failed to get Plugin from volumeSpec for volume "pv-1" err=no volume plugin matched');
  });
});
