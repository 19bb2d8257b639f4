// Claim ↔ volume matching as component-helpers' storage/volume helpers and the PV controller's
// ordered index do it: a claim matches a volume when the volume is large enough, has the same
// class and volumeMode, satisfies the claim's selector, is Available, and offers at least the
// claim's access modes; among matches the smallest wins, and volumes offering fewer access
// modes are tried first. A volume pre-bound to the claim (spec.claimRef) always wins.

import { tryParseQuantity, type Quantity } from '../../api/quantity.js';
import { fromLabelSelectorObject, parseInt64 } from '../../api/selectors/index.js';
import { BETA_STORAGE_CLASS_ANNOTATION } from '../../api/storage-default.js';
import type { Obj } from '../../api/types.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export { BETA_STORAGE_CLASS_ANNOTATION };

const ACCESS_MODE_ORDER: [string, string][] = [
  ['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP'],
];

export function hasAnnotation(o: Obj | undefined, key: string): boolean {
  const a = o?.metadata?.annotations;
  return !!a && typeof a === 'object' && key in a;
}

/** `namespace/name` of a claim, or of a volume's claimRef. */
export function claimKey(o: { namespace?: string; name?: string } | undefined): string {
  return `${o?.namespace ?? ''}/${o?.name ?? ''}`;
}

/** GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
export function claimClass(claim: Obj): string {
  const a = claim?.metadata?.annotations;
  if (a && typeof a === 'object' && BETA_STORAGE_CLASS_ANNOTATION in a) return String(a[BETA_STORAGE_CLASS_ANNOTATION] ?? '');
  return claim?.spec?.storageClassName ?? '';
}

/** GetPersistentVolumeClass. */
export function volumeClass(volume: Obj): string {
  const a = volume?.metadata?.annotations;
  if (a && typeof a === 'object' && BETA_STORAGE_CLASS_ANNOTATION in a) return String(a[BETA_STORAGE_CLASS_ANNOTATION] ?? '');
  return volume?.spec?.storageClassName ?? '';
}

/** GetAccessModesAsString: the distinct modes in a fixed order, e.g. "RWO,ROX". */
export function accessModesString(modes: unknown): string {
  const list = Array.isArray(modes) ? modes : [];
  return ACCESS_MODE_ORDER.filter(([m]) => list.includes(m)).map(([, s]) => s).join(',');
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function checkAccessModes(claim: Obj, volume: Obj): boolean {
  const have: string[] = volume?.spec?.accessModes ?? [];
  return (claim?.spec?.accessModes ?? []).every((m: string) => have.includes(m));
}

/** CheckVolumeModeMismatches: both default to Filesystem. */
export function volumeModeMismatch(claim: Obj, volume: Obj): boolean {
  return (claim?.spec?.volumeMode ?? 'Filesystem') !== (volume?.spec?.volumeMode ?? 'Filesystem');
}

/** IsVolumeBoundToClaim: claimRef names the claim, and its uid (when set) is the claim's. */
export function isVolumeBoundToClaim(volume: Obj, claim: Obj): boolean {
  const ref = volume?.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim?.metadata?.name || (ref.namespace ?? '') !== (claim?.metadata?.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim?.metadata?.uid;
}

const ZERO = tryParseQuantity('0')!;

export function storageOf(resources: Obj | undefined): Quantity {
  return tryParseQuantity(resources?.storage) ?? ZERO;
}

export function claimRequest(claim: Obj): Quantity {
  return storageOf(claim?.spec?.resources?.requests);
}

export function volumeCapacity(volume: Obj): Quantity {
  return storageOf(volume?.spec?.capacity);
}

/** An ObjectReference to the claim, as reference.GetReference builds it for a claimRef. */
export function claimReference(claim: Obj): Obj {
  const m = claim.metadata ?? {};
  const ref: Obj = { kind: 'PersistentVolumeClaim', namespace: m.namespace, name: m.name, uid: m.uid, apiVersion: 'v1', resourceVersion: m.resourceVersion };
  for (const k of Object.keys(ref)) if (ref[k] === undefined || ref[k] === '') delete ref[k];
  return ref;
}

function requirementMatches(r: Obj, has: boolean, value: string | undefined): boolean {
  const values: string[] = Array.isArray(r?.values) ? r.values.map(String) : [];
  switch (r?.operator) {
    case 'In': return has && values.includes(value!);
    case 'NotIn': return !has || !values.includes(value!);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': case 'Lt': {
      if (!has || values.length !== 1) return false;
      const v = parseInt64(value!);
      const want = parseInt64(values[0]);
      if (v === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? v > want : v < want;
    }
    default: return false;
  }
}

/** A NodeSelectorTerm: label expressions AND metadata.name fields; an empty term matches nothing. */
function termMatches(term: Obj, node: Obj): boolean {
  const exprs: Obj[] = Array.isArray(term?.matchExpressions) ? term.matchExpressions : [];
  const fields: Obj[] = Array.isArray(term?.matchFields) ? term.matchFields : [];
  if (exprs.length + fields.length === 0) return false;
  const labels: Record<string, string> = node.metadata?.labels ?? {};
  for (const e of exprs) {
    const has = Object.prototype.hasOwnProperty.call(labels, e?.key);
    if (!requirementMatches(e, has, has ? labels[e.key] : undefined)) return false;
  }
  for (const f of fields) {
    if (f?.key !== 'metadata.name' || !requirementMatches(f, true, node.metadata?.name ?? '')) return false;
  }
  return true;
}

/** Whether the volume's node affinity (if any) admits the node (terms are ORed). */
export function volumeFitsNode(volume: Obj, node: Obj | undefined): boolean {
  const req = volume?.spec?.nodeAffinity?.required;
  if (!req) return true;
  if (!node) return false;
  const terms: Obj[] = Array.isArray(req.nodeSelectorTerms) ? req.nodeSelectorTerms : [];
  return terms.some((t) => termMatches(t, node));
}

export interface MatchOptions {
  /** The claim's class waits for the first consumer: only pre-bound volumes match, unless `node` is given. */
  delayBinding: boolean;
  /** Scheduler path: the volume's node affinity must admit this node, and access modes are checked per volume. */
  node?: Obj;
}

/**
 * FindMatchingVolume over one candidate list: the volume pre-bound to the claim, else the
 * smallest Available volume that satisfies it. Throws on an invalid claim selector.
 */
export function findMatchingVolume(claim: Obj, volumes: Iterable<Obj>, o: MatchOptions): Obj | undefined {
  const requested = claimRequest(claim);
  const cls = claimClass(claim);
  const selector = claim?.spec?.selector ? fromLabelSelectorObject(claim.spec.selector) : undefined;
  let best: Obj | undefined;
  let bestQty: Quantity | undefined;
  for (const volume of volumes) {
    if (volume.spec?.claimRef && !isVolumeBoundToClaim(volume, claim)) continue;
    const qty = volumeCapacity(volume);
    if (qty.cmp(requested) < 0) continue;
    if (volumeModeMismatch(claim, volume)) continue;
    if (volume.metadata?.deletionTimestamp) continue;
    const fits = o.node ? volumeFitsNode(volume, o.node) : true;
    if (isVolumeBoundToClaim(volume, claim)) return fits ? volume : undefined;
    // Delayed binding is the scheduler's to do; the controller only finishes pre-bindings.
    if (!o.node && o.delayBinding) continue;
    if (volume.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(volume.metadata?.labels ?? {})) continue;
    if (volumeClass(volume) !== cls) continue;
    if (!fits) continue;
    if (o.node && !checkAccessModes(claim, volume)) continue;
    if (!best || bestQty!.cmp(qty) > 0) {
      best = volume;
      bestQty = qty;
    }
  }
  return best;
}

/**
 * findBestMatchForClaim of the PV controller's access-mode index: volumes are grouped by
 * their access-mode set; every set holding all the claim's modes is tried, fewest modes
 * first, and the first group with a match answers.
 */
export function findBestMatchForClaim(claim: Obj, volumes: Iterable<Obj>, o: MatchOptions): Obj | undefined {
  const groups = new Map<string, { size: number; volumes: Obj[] }>();
  for (const v of volumes) {
    const key = accessModesString(v.spec?.accessModes);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { size: key ? key.split(',').length : 0, volumes: [] }));
    g.volumes.push(v);
  }
  const wanted: string[] = claim?.spec?.accessModes ?? [];
  const candidates = [...groups.entries()]
    .filter(([, g]) => wanted.every((m) => g.volumes[0].spec?.accessModes?.includes(m)))
    .sort(([ka, a], [kb, b]) => a.size - b.size || (ka < kb ? -1 : ka > kb ? 1 : 0));
  for (const [, g] of candidates) {
    const v = findMatchingVolume(claim, g.volumes, o);
    if (v) return v;
  }
  return undefined;
}

/** checkVolumeSatisfyClaim: why a requested volume cannot serve the claim, or undefined. */
export function checkVolumeSatisfyClaim(volume: Obj, claim: Obj): string | undefined {
  if (volume.metadata?.deletionTimestamp) return `the volume is marked for deletion "${volume.metadata.name}"`;
  if (volumeCapacity(volume).cmp(claimRequest(claim)) < 0) return 'requested PV is too small';
  if (volumeClass(volume) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, volume)) return 'incompatible volumeMode';
  if (!checkAccessModes(claim, volume)) return 'incompatible accessMode';
  return undefined;
}
