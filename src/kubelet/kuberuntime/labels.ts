// The labels and annotations the kubelet puts on CRI sandboxes and containers (upstream
// kuberuntime/labels.go). They are the kubelet's only memory across restarts: a restarted
// kubelet finds its pods' containers by these labels and re-adopts them, and reads back the
// restart count, the spec hash and what it needs to stop a container whose pod is gone.

import { createHash } from 'node:crypto';
import type { Obj } from '../../api/types.js';
import type { StrMap } from '../cri/types.js';

export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';

export const ANN_CONTAINER_HASH = 'io.kubernetes.container.hash';
export const ANN_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const ANN_TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';
export const ANN_TERMINATION_MESSAGE_POLICY = 'io.kubernetes.container.terminationMessagePolicy';
export const ANN_POD_DELETION_GRACE = 'io.kubernetes.pod.deletionGracePeriod';
export const ANN_POD_TERMINATION_GRACE = 'io.kubernetes.pod.terminationGracePeriod';
export const ANN_PRESTOP_HANDLER = 'io.kubernetes.container.preStopHandler';
export const ANN_CONTAINER_PORTS = 'io.kubernetes.container.ports';
/** skiff's own: which list the container comes from (init, regular, ephemeral), for status without the spec. */
export const ANN_CONTAINER_TYPE = 'skiff.dev/container-type';

/** Sandbox labels: the pod's own labels plus the three identifying ones (newPodLabels). */
export function sandboxLabels(pod: Obj): StrMap {
  const out: StrMap = {};
  for (const [k, v] of Object.entries(pod.metadata?.labels ?? {})) out[k] = String(v);
  out[LABEL_POD_NAME] = pod.metadata.name;
  out[LABEL_POD_NAMESPACE] = pod.metadata.namespace;
  out[LABEL_POD_UID] = pod.metadata.uid;
  return out;
}

/** Sandbox annotations: the pod's annotations (newPodAnnotations). */
export function sandboxAnnotations(pod: Obj): StrMap {
  const out: StrMap = {};
  for (const [k, v] of Object.entries(pod.metadata?.annotations ?? {})) out[k] = String(v);
  return out;
}

export function containerLabels(pod: Obj, container: Obj): StrMap {
  return {
    [LABEL_POD_NAME]: pod.metadata.name,
    [LABEL_POD_NAMESPACE]: pod.metadata.namespace,
    [LABEL_POD_UID]: pod.metadata.uid,
    [LABEL_CONTAINER_NAME]: container.name,
  };
}

export type ContainerType = 'init' | 'regular' | 'ephemeral';

export function containerAnnotations(pod: Obj, container: Obj, restartCount: number, type: ContainerType): StrMap {
  const out: StrMap = {
    [ANN_CONTAINER_HASH]: containerHash(container),
    [ANN_RESTART_COUNT]: String(restartCount),
    [ANN_TERMINATION_MESSAGE_PATH]: container.terminationMessagePath ?? '/dev/termination-log',
    [ANN_TERMINATION_MESSAGE_POLICY]: container.terminationMessagePolicy ?? 'File',
    [ANN_CONTAINER_TYPE]: type,
  };
  if (pod.metadata?.deletionGracePeriodSeconds !== undefined && pod.metadata.deletionGracePeriodSeconds !== null) {
    out[ANN_POD_DELETION_GRACE] = String(pod.metadata.deletionGracePeriodSeconds);
  }
  if (pod.spec?.terminationGracePeriodSeconds !== undefined && pod.spec.terminationGracePeriodSeconds !== null) {
    out[ANN_POD_TERMINATION_GRACE] = String(pod.spec.terminationGracePeriodSeconds);
  }
  if (container.lifecycle?.preStop) out[ANN_PRESTOP_HANDLER] = JSON.stringify(container.lifecycle.preStop);
  if (container.ports?.length) out[ANN_CONTAINER_PORTS] = JSON.stringify(container.ports);
  return out;
}

/**
 * A stable hash of a container's spec (resources left out, as upstream's
 * HashContainerWithoutResources): a running container whose hash differs from its spec's
 * was started from an older definition (say, a changed image) and is replaced.
 */
export function containerHash(container: Obj): string {
  const { resources: _r, ...rest } = container ?? {};
  return createHash('sha256').update(stableJson(rest)).digest('hex').slice(0, 8);
}

function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]])) : val));
}

/** What a container's labels and annotations say about it. */
export interface LabeledContainerInfo {
  podName: string;
  podNamespace: string;
  podUID: string;
  containerName: string;
  restartCount: number;
  hash: string;
  terminationMessagePath: string;
  terminationMessagePolicy: string;
  type: ContainerType;
  /** Grace period to stop it with when its pod is gone (deletion grace, else termination grace). */
  gracePeriod?: number;
  preStop?: Obj;
}

export function containerInfo(labels: StrMap | undefined, annotations: StrMap | undefined): LabeledContainerInfo {
  const l = labels ?? {}, a = annotations ?? {};
  const num = (s: string | undefined): number | undefined => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);
  let preStop: Obj | undefined;
  try { preStop = a[ANN_PRESTOP_HANDLER] ? JSON.parse(a[ANN_PRESTOP_HANDLER]) : undefined; } catch { preStop = undefined; }
  return {
    podName: l[LABEL_POD_NAME] ?? '',
    podNamespace: l[LABEL_POD_NAMESPACE] ?? '',
    podUID: l[LABEL_POD_UID] ?? '',
    containerName: l[LABEL_CONTAINER_NAME] ?? '',
    restartCount: num(a[ANN_RESTART_COUNT]) ?? 0,
    hash: a[ANN_CONTAINER_HASH] ?? '',
    terminationMessagePath: a[ANN_TERMINATION_MESSAGE_PATH] ?? '',
    terminationMessagePolicy: a[ANN_TERMINATION_MESSAGE_POLICY] ?? 'File',
    type: a[ANN_CONTAINER_TYPE] === 'init' || a[ANN_CONTAINER_TYPE] === 'ephemeral' ? a[ANN_CONTAINER_TYPE] : 'regular',
    gracePeriod: num(a[ANN_POD_DELETION_GRACE]) ?? num(a[ANN_POD_TERMINATION_GRACE]),
    preStop,
  };
}
