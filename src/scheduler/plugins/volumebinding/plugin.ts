// VolumeBinding (first stage): a pod's PersistentVolumeClaims must exist; bound claims pin
// the pod to nodes their PersistentVolume's node affinity allows; unbound claims are fine only
// when their StorageClass waits for the first consumer (WaitForFirstConsumer). PreBind then
// records the chosen node on those claims (annotation volume.kubernetes.io/selected-node) so a
// provisioner can create the volume there. Matching unbound claims to existing volumes and
// waiting for provisioning to finish are not done yet.

import { findResource } from '../../../api/resources.js';
import type { Obj } from '../../../api/types.js';
import {
  Action, SKIP, Status,
  type CycleState, type FilterPlugin, type Handle, type PreBindPlugin, type PreFilterPlugin, type StateData,
} from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../nodeinfo.js';
import { CompiledNodeSelector } from '../../util/nodeselector.js';

export const NAME = 'VolumeBinding';
export const ERR_REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';

const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
const KEY = `PreFilter${NAME}`;
const NODE_CONFLICT = Status.unresolvable(ERR_REASON_NODE_CONFLICT);
const PV_MISSING = Status.unresolvable(ERR_REASON_PV_NOT_EXIST);

class VolumeState implements StateData {
  constructor(
    /** Node affinities of the bound volumes (null: a bound PV is missing). */
    readonly boundAffinities: CompiledNodeSelector[] | null,
    /** Unbound claims whose class waits for the first consumer. */
    readonly delayed: Obj[],
  ) {}
  clone(): StateData {
    return this;
  }
}

export type VolumeBindingPlugin = PreFilterPlugin & FilterPlugin & PreBindPlugin;

export function newVolumeBinding(h: Pick<Handle, 'lister' | 'client'>): VolumeBindingPlugin {
  return {
    name: NAME,
    preFilter(state: CycleState, pod: PodInfo): Status | null {
      if (pod.pvcNames.length === 0) return SKIP;
      const pvcs = h.lister('persistentvolumeclaims');
      const pvs = h.lister('persistentvolumes');
      const classes = h.lister('storageclasses');
      const affinities: CompiledNodeSelector[] = [];
      let pvMissing = false;
      const delayed: Obj[] = [];
      let unboundImmediate = false;
      for (const v of pod.pod.spec?.volumes ?? []) {
        const ephemeral = !v?.persistentVolumeClaim?.claimName && !!v?.ephemeral;
        if (!ephemeral && !v?.persistentVolumeClaim?.claimName) continue;
        const name: string = ephemeral ? `${pod.name}-${v.name}` : v.persistentVolumeClaim.claimName;
        const pvc = pvcs?.get(pod.namespace, name);
        if (!pvc) {
          return Status.unresolvable(ephemeral
            ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"`
            : `persistentvolumeclaim "${name}" not found`);
        }
        if (ephemeral && !(pvc.metadata?.ownerReferences ?? []).some((o: Obj) => o?.controller && o.uid === pod.pod.metadata?.uid)) {
          return Status.unresolvable(`persistentvolumeclaim "${name}" was not created for the pod`);
        }
        if (pvc.metadata?.deletionTimestamp) return Status.unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const volumeName: string = pvc.spec?.volumeName ?? '';
        if (volumeName) {
          const pv = pvs?.get('', volumeName);
          if (!pv) {
            pvMissing = true;
            continue;
          }
          const req = pv.spec?.nodeAffinity?.required;
          if (req) affinities.push(new CompiledNodeSelector(req));
          continue;
        }
        const className: string = pvc.spec?.storageClassName ?? '';
        const sc = className ? classes?.get('', className) : undefined;
        if (sc?.volumeBindingMode === 'WaitForFirstConsumer') delayed.push(pvc);
        else unboundImmediate = true;
      }
      if (unboundImmediate) return Status.unresolvable(ERR_REASON_UNBOUND_IMMEDIATE);
      state.write(KEY, new VolumeState(pvMissing ? null : affinities, delayed));
      return null;
    },
    filter(state: CycleState, _pod: PodInfo, node: NodeInfo): Status | null {
      const s = state.read<VolumeState>(KEY);
      if (!s) return null;
      if (s.boundAffinities === null) return PV_MISSING;
      for (const a of s.boundAffinities) if (!a.matches(node.labels, node.name)) return NODE_CONFLICT;
      return null;
    },
    async preBind(state: CycleState, _pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null> {
      const s = state.read<VolumeState>(KEY);
      if (!s) return null;
      for (const pvc of s.delayed) {
        if (pvc.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] === nodeName) continue;
        try {
          await h.client.patch(PVCS, pvc.metadata.namespace, pvc.metadata.name, 'merge',
            { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: nodeName } } }, { signal });
        } catch (err) {
          return Status.error(err);
        }
      }
      return null;
    },
    eventsToRegister: () => [
      { event: { resource: 'PersistentVolumeClaim', actions: Action.Add | Action.UpdateOther } },
      { event: { resource: 'PersistentVolume', actions: Action.Add | Action.UpdateOther } },
      { event: { resource: 'StorageClass', actions: Action.Add | Action.UpdateOther } },
      { event: { resource: 'Node', actions: Action.Add | Action.UpdateNodeLabel } },
    ],
  };
}
