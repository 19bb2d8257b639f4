// StatefulSet identities and invariants (upstream stateful_set_utils.go): pods are named
// `<set>-<ordinal>` for ordinals [start, start+replicas), carry hostname/subdomain and the
// pod-name/pod-index labels, mount one claim per volumeClaimTemplate named
// `<template>-<set>-<ordinal>`, and are labelled with the name of the revision they were made
// from. Claims get owner references according to persistentVolumeClaimRetentionPolicy.

import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import type { ResourceRef } from '../../client/interface.js';
import { KIND_STATEFULSET, newControllerRef, type OwnerKind } from '../common/ownerref.js';
import { getPodFromTemplate } from '../common/podcontrol.js';
import { isPodAvailable, isPodReady } from '../common/pods.js';
import { POD_REVISION_LABEL, newControllerRevision, templatePatch } from '../history/history.js';

export const STATEFULSETS: ResourceRef = findResource('apps', 'v1', 'statefulsets')!;
export const PVCS: ResourceRef = findResource('', 'v1', 'persistentvolumeclaims')!;
export const KIND_POD: OwnerKind = { apiVersion: 'v1', kind: 'Pod' };

/** apps.StatefulSetPodNameLabel. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const STATEFUL_POD = /^(.*)-([0-9]+)$/;

/** The parent name and ordinal encoded in a pod name; ordinal -1 when there is none. */
export function parentNameAndOrdinal(pod: Obj): [string, number] {
  const m = STATEFUL_POD.exec(pod.metadata?.name ?? '');
  if (!m) return ['', -1];
  const n = Number(m[2]);
  // strconv.ParseInt(s, 10, 32) fails beyond int32.
  return [m[1], Number.isSafeInteger(n) && n <= 2147483647 ? n : -1];
}

export const getOrdinal = (pod: Obj): number => parentNameAndOrdinal(pod)[1];
export const getParentName = (pod: Obj): string => parentNameAndOrdinal(pod)[0];

export function getStartOrdinal(set: Obj): number {
  return Number(set.spec?.ordinals?.start ?? 0);
}

export function getEndOrdinal(set: Obj): number {
  return getStartOrdinal(set) + Number(set.spec?.replicas ?? 1) - 1;
}

export function podInOrdinalRange(pod: Obj, set: Obj): boolean {
  const o = getOrdinal(pod);
  return o >= getStartOrdinal(set) && o <= getEndOrdinal(set);
}

export function getPodName(set: Obj, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function getPersistentVolumeClaimName(set: Obj, claimTemplate: Obj, ordinal: number): string {
  return `${claimTemplate.metadata?.name}-${set.metadata.name}-${ordinal}`;
}

export function isMemberOf(set: Obj, pod: Obj): boolean {
  return getParentName(pod) === set.metadata.name;
}

/** The pod has the set's identity: name, namespace and the pod-name label. */
export function identityMatches(set: Obj, pod: Obj): boolean {
  const [parent, ordinal] = parentNameAndOrdinal(pod);
  return ordinal >= 0 && set.metadata.name === parent && pod.metadata.name === getPodName(set, ordinal)
    && pod.metadata.namespace === set.metadata.namespace && pod.metadata?.labels?.[POD_NAME_LABEL] === pod.metadata.name;
}

/** Every claim template is mounted from the pod's own claim. */
export function storageMatches(set: Obj, pod: Obj): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map<string, Obj>((pod.spec?.volumes ?? []).map((v: Obj) => [v.name, v]));
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const v = volumes.get(t.metadata?.name);
    if (!v?.persistentVolumeClaim || v.persistentVolumeClaim.claimName !== getPersistentVolumeClaimName(set, t, ordinal)) return false;
  }
  return true;
}

export function retentionPolicy(set: Obj): { whenDeleted: string; whenScaled: string } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  return { whenDeleted: p.whenDeleted ?? 'Retain', whenScaled: p.whenScaled ?? 'Retain' };
}

/** The claims a pod of the set needs, by template name: template + name + namespace + selector labels. */
export function getPersistentVolumeClaims(set: Obj, pod: Obj): Map<string, Obj> {
  const ordinal = getOrdinal(pod);
  const out = new Map<string, Obj>();
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const claim: Obj = clone(t);
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = claim.metadata ?? {};
    claim.metadata.name = getPersistentVolumeClaimName(set, t, ordinal);
    claim.metadata.namespace = set.metadata.namespace;
    claim.metadata.labels = { ...(claim.metadata.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    // A template's status (the API defaults phase Pending into it) is not the claim's to set.
    delete claim.status;
    out.set(t.metadata?.name, claim);
  }
  return out;
}

/** updateStorage: claim volumes for every template first, the pod's other volumes after. */
export function updateStorage(set: Obj, pod: Obj): void {
  const claims = getPersistentVolumeClaims(set, pod);
  const volumes: Obj[] = [];
  for (const [name, claim] of claims) volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata.name } });
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = pod.spec ?? {};
  pod.spec.volumes = volumes;
}

/** updateIdentity: name, namespace, pod-name and pod-index labels. */
export function updateIdentity(set: Obj, pod: Obj): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = getPodName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** initIdentity: updateIdentity plus the immutable hostname and subdomain (creation only). */
export function initIdentity(set: Obj, pod: Obj): void {
  updateIdentity(set, pod);
  pod.spec.hostname = pod.metadata.name;
  pod.spec.subdomain = set.spec?.serviceName ?? '';
  if (!pod.spec.subdomain) delete pod.spec.subdomain;
}

export const isCreated = (pod: Obj): boolean => !!pod.status?.phase;
export const isPending = (pod: Obj): boolean => pod.status?.phase === 'Pending';
export const isFailed = (pod: Obj): boolean => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Obj): boolean => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: Obj): boolean => !!pod.metadata?.deletionTimestamp;
export const isRunningAndReady = (pod: Obj): boolean => pod.status?.phase === 'Running' && isPodReady(pod);
export function isRunningAndAvailable(pod: Obj, minReadySeconds: number, now: number = Date.now()): boolean {
  return isPodAvailable(pod, minReadySeconds, now);
}
export const isHealthy = (pod: Obj): boolean => isRunningAndReady(pod) && !isTerminating(pod);
/** Parallel pod management lifts the ordering guarantees. */
export const allowsBurst = (set: Obj): boolean => set.spec?.podManagementPolicy === 'Parallel';

export function getPodRevision(pod: Obj): string {
  return pod.metadata?.labels?.[POD_REVISION_LABEL] ?? '';
}

export function setPodRevision(pod: Obj, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_REVISION_LABEL]: revision };
}

/** A pod of the set at ordinal, from the set's template (not yet created: no status). */
export function newStatefulSetPod(set: Obj, ordinal: number): Obj {
  const pod = getPodFromTemplate(set.spec?.template, set, newControllerRef(set, KIND_STATEFULSET));
  pod.metadata.name = getPodName(set, ordinal);
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (or below currentReplicas when a
 * RollingUpdate has no parameters) keep the current revision; the others get the update one.
 */
export function newVersionedStatefulSetPod(currentSet: Obj, updateSet: Obj, currentRevision: string, updateRevision: string, ordinal: number): Obj {
  const strategy = currentSet.spec?.updateStrategy ?? {};
  const start = getStartOrdinal(currentSet);
  const keepCurrent = (strategy.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < start + Number(currentSet.status?.currentReplicas ?? 0))
    || (strategy.rollingUpdate && ordinal < start + Number(strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(keepCurrent ? currentSet : updateSet, ordinal);
  setPodRevision(pod, keepCurrent ? currentRevision : updateRevision);
  return pod;
}

/** newRevision: the set's template as a ControllerRevision, with the set's annotations. */
export function newRevision(set: Obj, revision: number, collisionCount: number): Obj {
  const cr = newControllerRevision(set, KIND_STATEFULSET, set.spec?.template?.metadata?.labels, templatePatch(set), revision, collisionCount);
  cr.metadata.annotations = { ...(set.metadata?.annotations ?? {}) };
  return cr;
}

/** The status differs from the set's (so it must be written). */
export function inconsistentStatus(set: Obj, status: Obj): boolean {
  const cur = set.status ?? {};
  const n = (v: unknown): number => Number(v ?? 0);
  return n(status.observedGeneration) > n(cur.observedGeneration)
    || n(status.replicas) !== n(cur.replicas) || n(status.currentReplicas) !== n(cur.currentReplicas)
    || n(status.readyReplicas) !== n(cur.readyReplicas) || n(status.updatedReplicas) !== n(cur.updatedReplicas)
    || (status.currentRevision ?? '') !== (cur.currentRevision ?? '') || n(status.availableReplicas) !== n(cur.availableReplicas)
    || (status.updateRevision ?? '') !== (cur.updateRevision ?? '');
}

/** A RollingUpdate is complete when every replica is updated and ready: current becomes update. */
export function completeRollingUpdate(set: Obj, status: Obj): void {
  const replicas = Number(set.spec?.replicas ?? 1);
  if ((set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
    && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

// ---- claim ownership per retention policy ----

function matchesRef(ref: Obj, obj: Obj, kind: OwnerKind): boolean {
  return ref.apiVersion === kind.apiVersion && ref.kind === kind.kind && ref.name === obj.metadata?.name;
}

/** An owner reference carries owner's uid (controller or not). */
export function hasOwnerRef(target: Obj, owner: Obj): boolean {
  const uid = owner.metadata?.uid;
  return (target.metadata?.ownerReferences ?? []).some((r: Obj) => r.uid === uid);
}

/** A reference names obj (kind and name) but with another uid: left by an earlier incarnation. */
export function hasStaleOwnerRef(target: Obj, obj: Obj, kind: OwnerKind): boolean {
  for (const r of target.metadata?.ownerReferences ?? []) {
    if (matchesRef(r, obj, kind)) return r.uid !== (obj.metadata?.uid ?? '');
  }
  return false;
}

/** With a non-Retain policy, a controller other than the set or pod manages the claim. */
function hasUnexpectedController(claim: Obj, set: Obj, pod: Obj): boolean {
  const p = retentionPolicy(set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') return false;
  for (const r of claim.metadata?.ownerReferences ?? []) {
    if (matchesRef(r, set, KIND_STATEFULSET)) {
      if (r.uid !== set.metadata.uid) return true;
      continue;
    }
    if (matchesRef(r, pod, KIND_POD)) {
      if (r.uid !== pod.metadata?.uid) return true;
      continue;
    }
    if (r.controller === true) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: Obj, set: Obj, pod: Obj): boolean {
  return (claim.metadata?.ownerReferences ?? []).some((r: Obj) => (r.uid === set.metadata.uid || r.uid === pod.metadata?.uid) && r.controller !== true);
}

/**
 * isClaimOwnerUpToDate: Retain/Retain → no reference to set or pod; WhenDeleted=Delete → the
 * set controls in-range claims; WhenScaled=Delete → the pod controls claims of scaled-down
 * ordinals. Claims with stale references or another controller are not touched.
 */
export function isClaimOwnerUpToDate(claim: Obj, set: Obj, pod: Obj): boolean {
  if (hasStaleOwnerRef(claim, set, KIND_STATEFULSET) || hasStaleOwnerRef(claim, pod, KIND_POD)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const p = retentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  const setRef = hasOwnerRef(claim, set);
  const podRef = hasOwnerRef(claim, pod);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Delete') return setRef && !podRef;
  if (p.whenScaled === 'Delete' && p.whenDeleted === 'Retain') return !setRef && scaledDown === podRef;
  if (p.whenScaled === 'Delete' && p.whenDeleted === 'Delete') return scaledDown !== setRef && scaledDown === podRef;
  return !setRef && !podRef; // Retain/Retain (and unknown policies, treated as Retain)
}

/** updateClaimOwnerRefForSetAndPod: rewrites the set's and pod's references per the policy (claim modified). */
export function updateClaimOwnerRefs(claim: Obj, set: Obj, pod: Obj): void {
  const unexpected = hasUnexpectedController(claim, set, pod);
  let refs: Obj[] = (claim.metadata?.ownerReferences ?? []).filter((r: Obj) => !matchesRef(r, set, KIND_STATEFULSET) && !matchesRef(r, pod, KIND_POD));
  if (!unexpected) {
    const p = retentionPolicy(set);
    const scaledDown = !podInOrdinalRange(pod, set);
    const add = (owner: Obj, kind: OwnerKind): void => {
      if (!refs.some((r) => r.uid === owner.metadata?.uid)) refs = [...refs, newControllerRef(owner, kind)];
    };
    if (p.whenScaled === 'Retain' && p.whenDeleted === 'Delete') add(set, KIND_STATEFULSET);
    else if (p.whenScaled === 'Delete' && p.whenDeleted === 'Retain') {
      if (scaledDown) add(pod, KIND_POD);
    } else if (p.whenScaled === 'Delete' && p.whenDeleted === 'Delete') {
      if (scaledDown) add(pod, KIND_POD);
      else add(set, KIND_STATEFULSET);
    }
  }
  claim.metadata.ownerReferences = refs;
  if (refs.length === 0) delete claim.metadata.ownerReferences;
}
