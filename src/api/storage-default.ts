// The DefaultStorageClass admission plugin's decision (kube-apiserver's
// plugin/pkg/admission/storage/storageclass/setdefault), as pure functions so the API server's
// admission and the PV controller's retroactive assignment share one rule:
//  - a claim that names a class (spec.storageClassName set, even to "") or carries the beta
//    annotation volume.beta.kubernetes.io/storage-class keeps what it asked for;
//  - otherwise it gets the default class: a StorageClass annotated
//    storageclass.kubernetes.io/is-default-class (or the beta key) "true"; when several are,
//    the newest wins (ties: the name that sorts first), as upstream since 1.26.

import type { Obj } from './types.js';

export const IS_DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const BETA_IS_DEFAULT_CLASS_ANNOTATION = 'storageclass.beta.kubernetes.io/is-default-class';
/** The pre-1.6 way to name a claim's or volume's class; still honoured everywhere. */
export const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** True when the class is annotated as the cluster default (GA or beta key, value "true"). */
export function isDefaultStorageClass(sc: Obj | undefined | null): boolean {
  const a = sc?.metadata?.annotations;
  if (!a || typeof a !== 'object') return false;
  return a[IS_DEFAULT_CLASS_ANNOTATION] === 'true' || a[BETA_IS_DEFAULT_CLASS_ANNOTATION] === 'true';
}

function created(sc: Obj): number {
  const t = Date.parse(sc?.metadata?.creationTimestamp ?? '');
  return Number.isFinite(t) ? t : 0;
}

/** The default StorageClass among `classes` (newest first, then by name), or undefined. */
export function getDefaultStorageClass(classes: Iterable<Obj>): Obj | undefined {
  let best: Obj | undefined;
  for (const sc of classes) {
    if (!isDefaultStorageClass(sc) || sc.metadata?.deletionTimestamp) continue;
    if (!best) {
      best = sc;
      continue;
    }
    const d = created(sc) - created(best);
    if (d > 0 || (d === 0 && String(sc.metadata?.name ?? '') < String(best.metadata?.name ?? ''))) best = sc;
  }
  return best;
}

/** True when the claim already asked for a class (the field is set, possibly to "", or the beta annotation is). */
export function claimHasStorageClass(pvc: Obj): boolean {
  const a = pvc?.metadata?.annotations;
  if (a && typeof a === 'object' && BETA_STORAGE_CLASS_ANNOTATION in a) return true;
  const v = pvc?.spec?.storageClassName;
  return v !== undefined && v !== null;
}

/**
 * The class name DefaultStorageClass admission gives a new claim, or undefined to leave it
 * alone (it names a class already, or no class is the default). The caller sets
 * `pvc.spec.storageClassName` to the result; nothing here mutates.
 */
export function defaultStorageClassFor(pvc: Obj, classes: Iterable<Obj>): string | undefined {
  if (claimHasStorageClass(pvc)) return undefined;
  const sc = getDefaultStorageClass(classes);
  const name = sc?.metadata?.name;
  return typeof name === 'string' && name ? name : undefined;
}
