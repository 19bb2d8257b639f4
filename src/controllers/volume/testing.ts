// Fixtures shared by the volume and local-path tests (only tests import this file).

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { ResourceRef } from '../../client/interface.js';

export const PVS = findResource('', 'v1', 'persistentvolumes')!;
export const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
export const SCS = findResource('storage.k8s.io', 'v1', 'storageclasses')!;
export const PODS = findResource('', 'v1', 'pods')!;
export const NODES = findResource('', 'v1', 'nodes')!;

export interface PvOpts {
  size?: string;
  modes?: string[];
  cls?: string;
  phase?: string;
  /** claimRef: `ns/name` (uid from `uid`). */
  claim?: string;
  uid?: string;
  policy?: string;
  ann?: Record<string, string>;
  labels?: Record<string, string>;
  volumeMode?: string;
  /** kubernetes.io/hostname values of the node affinity. */
  hosts?: string[];
  deleting?: boolean;
}

export function pv(name: string, o: PvOpts = {}): [ResourceRef, Obj] {
  const [ns, claim] = (o.claim ?? '/').split('/');
  return [PVS, {
    metadata: {
      name, ...(o.ann ? { annotations: o.ann } : {}), ...(o.labels ? { labels: o.labels } : {}),
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['kubernetes.io/pv-protection'] } : {}),
    },
    spec: {
      capacity: { storage: o.size ?? '1Gi' },
      accessModes: o.modes ?? ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: o.policy ?? 'Retain',
      volumeMode: o.volumeMode ?? 'Filesystem',
      hostPath: { path: `/srv/${name}`, type: '' },
      ...(o.cls !== undefined ? { storageClassName: o.cls } : {}),
      ...(o.claim ? { claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: ns, name: claim, ...(o.uid ? { uid: o.uid } : {}) } } : {}),
      ...(o.hosts ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: o.hosts }] }] } } } : {}),
    },
    status: { phase: o.phase ?? 'Available' },
  }];
}

export interface PvcOpts {
  size?: string;
  modes?: string[];
  /** null: no storageClassName field at all. */
  cls?: string | null;
  volumeName?: string;
  ann?: Record<string, string>;
  selector?: Obj;
  phase?: string;
  volumeMode?: string;
  status?: Obj;
}

export function pvc(name: string, o: PvcOpts = {}): [ResourceRef, Obj] {
  return [PVCS, {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(o.ann ? { annotations: o.ann } : {}) },
    spec: {
      accessModes: o.modes ?? ['ReadWriteOnce'],
      resources: { requests: { storage: o.size ?? '1Gi' } },
      ...(o.cls === null ? {} : { storageClassName: o.cls ?? '' }),
      ...(o.volumeName ? { volumeName: o.volumeName } : {}),
      ...(o.selector ? { selector: o.selector } : {}),
      volumeMode: o.volumeMode ?? 'Filesystem',
    },
    status: { phase: o.phase ?? 'Pending', ...(o.status ?? {}) },
  }];
}

export function sc(name: string, o: { provisioner?: string; wait?: boolean; def?: boolean; reclaim?: string; mountOptions?: string[] } = {}): [ResourceRef, Obj] {
  return [SCS, {
    metadata: { name, creationTimestamp: '2024-01-01T00:00:00Z', ...(o.def ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}) },
    provisioner: o.provisioner ?? 'skiff.dev/local-path',
    reclaimPolicy: o.reclaim ?? 'Delete',
    volumeBindingMode: o.wait ? 'WaitForFirstConsumer' : 'Immediate',
    ...(o.mountOptions ? { mountOptions: o.mountOptions } : {}),
  }];
}

export function node(name: string, hostname = name): [ResourceRef, Obj] {
  return [NODES, { metadata: { name, labels: { 'kubernetes.io/hostname': hostname } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } }];
}

export function pod(name: string, claims: string[], nodeName?: string): [ResourceRef, Obj] {
  return [PODS, {
    metadata: { name, namespace: 'ns' },
    spec: {
      ...(nodeName ? { nodeName } : {}),
      containers: [{ name: 'c', image: 'busybox' }],
      volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })),
    },
    status: { phase: 'Pending' },
  }];
}

/** A recorder that keeps `Type Reason Kind/name: message` lines. */
export function recorder(lines: string[]): EventRecorder {
  return {
    event(obj: Obj, type: string, reason: string, message: string) {
      lines.push(`${type} ${reason} ${obj.kind}/${obj.metadata?.name}: ${message}`);
    },
  } as unknown as EventRecorder;
}
