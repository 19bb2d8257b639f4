// persistentVolumeClaim (and generic ephemeral) volumes: the claim must be bound, its volume
// must point back at it (claimRef.uid), and the volume must be one this node can mount
// itself: hostPath (what skiff's local-path provisioner writes) or local. Failures carry the
// kubelet's "error processing PVC ns/claim: ..." text.

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import type { KubeClient } from '../../client/interface.js';

const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
const PVS = findResource('', 'v1', 'persistentvolumes')!;

/** skiff's dynamic provisioner; its directories are world-writable like rancher's local-path. */
const LOCAL_PATH_PROVISIONER = 'skiff.dev/local-path';

/** A volume the kubelet could not even resolve (reported as "failed to process volumes"). */
export class ProcessVolumeError extends Error {}

export interface ClaimVolume {
  pvName: string;
  kind: 'hostPath' | 'local';
  path: string;
  /** hostPath PVs: the type to check; local PVs: none (the path must exist). */
  hostPathType?: string;
  /** Mode for a directory DirectoryOrCreate makes. */
  dirMode: number;
  readOnly: boolean;
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The claim a volume uses: its persistentVolumeClaim, or `<pod>-<volume>` for ephemeral ones. */
export function claimOf(pod: Obj, vol: Obj): { name: string; readOnly: boolean; ephemeral: boolean } | undefined {
  if (vol.persistentVolumeClaim) return { name: vol.persistentVolumeClaim.claimName, readOnly: !!vol.persistentVolumeClaim.readOnly, ephemeral: false };
  if (vol.ephemeral) return { name: `${pod.metadata.name}-${vol.name}`, readOnly: !!vol.ephemeral.readOnly, ephemeral: true };
  return undefined;
}

export async function resolveClaim(client: KubeClient, pod: Obj, vol: Obj): Promise<ClaimVolume> {
  const ns: string = pod.metadata.namespace;
  const claim = claimOf(pod, vol)!;
  const fail = (why: string): ProcessVolumeError => new ProcessVolumeError(`error processing PVC ${ns}/${claim.name}: ${why}`);

  let pvc: Obj;
  try {
    pvc = await client.get(PVCS, ns, claim.name);
  } catch (err) {
    throw fail(`failed to fetch PVC from API server: ${errText(err)}`);
  }
  if (claim.ephemeral) {
    const owner = (pvc.metadata.ownerReferences ?? []).find((r: Obj) => r.controller);
    if (!owner || owner.uid !== pod.metadata.uid) throw fail(`PVC ${ns}/${claim.name} was not created for pod ${ns}/${pod.metadata.name} (pod is not owner)`);
  }
  if (pvc.metadata.deletionTimestamp) throw fail('PVC is being deleted');
  const pvName: string = pvc.spec?.volumeName ?? '';
  if (pvc.status?.phase !== 'Bound' || !pvName) throw fail('PVC is not bound');

  let pv: Obj;
  try {
    pv = await client.get(PVS, '', pvName);
  } catch (err) {
    throw fail(`failed to fetch PV ${pvName} from API server: ${errText(err)}`);
  }
  const ref = pv.spec?.claimRef;
  if (!ref) throw fail(`found PV object ${pvName} but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
  if (ref.uid !== pvc.metadata.uid) throw fail(`found PV object ${pvName} but its pv.Spec.ClaimRef.UID ${ref.uid} does not point to claim.UID ${pvc.metadata.uid}`);
  if (pv.spec?.volumeMode === 'Block') throw fail(`volume ${pvName} has volumeMode Block, which this node does not support`);

  if (pv.spec.hostPath) {
    const ours = pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] === LOCAL_PATH_PROVISIONER;
    return { pvName, kind: 'hostPath', path: pv.spec.hostPath.path, hostPathType: pv.spec.hostPath.type, dirMode: ours ? 0o777 : 0o755, readOnly: claim.readOnly };
  }
  if (pv.spec.local) return { pvName, kind: 'local', path: pv.spec.local.path, dirMode: 0o755, readOnly: claim.readOnly };
  throw new ProcessVolumeError(`failed to get Plugin from volumeSpec for volume "${pvName}" err=no volume plugin matched`);
}
