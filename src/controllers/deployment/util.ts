// Deployment arithmetic and bookkeeping (upstream pkg/controller/deployment/util): surge and
// unavailability fenceposts, the revision and replica annotations, conditions, proportional
// scaling, and how ReplicaSets are found and ordered. Pure functions over plain objects.

import { nowRFC3339, type Obj } from '../../api/types.js';
import { equalIgnoreHash } from '../common/hash.js';
import { getCondition, parseTime, setCondition } from '../common/pods.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
/** extensions/v1beta1 spec.rollbackTo, carried as an annotation in apps/v1. */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED_CONFIG_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** Longest revision-history annotation value (upstream maxRevHistoryLengthInChars). */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;
const MAX_INT32 = 2147483647;

// Condition reasons.
export const REPLICASET_UPDATED_REASON = 'ReplicaSetUpdated';
export const FAILED_RS_CREATE_REASON = 'ReplicaSetCreateError';
export const NEW_REPLICASET_REASON = 'NewReplicaSetCreated';
export const FOUND_NEW_RS_REASON = 'FoundNewReplicaSet';
export const NEW_RS_AVAILABLE_REASON = 'NewReplicaSetAvailable';
export const TIMED_OUT_REASON = 'ProgressDeadlineExceeded';
export const PAUSED_DEPLOY_REASON = 'DeploymentPaused';
export const RESUMED_DEPLOY_REASON = 'DeploymentResumed';
export const MINIMUM_REPLICAS_AVAILABLE = 'MinimumReplicasAvailable';
export const MINIMUM_REPLICAS_UNAVAILABLE = 'MinimumReplicasUnavailable';
// Rollback event reasons.
export const ROLLBACK_REVISION_NOT_FOUND = 'DeploymentRollbackRevisionNotFound';
export const ROLLBACK_TEMPLATE_UNCHANGED = 'DeploymentRollbackTemplateUnchanged';
export const ROLLBACK_DONE = 'DeploymentRollback';

/** Annotations never copied from a Deployment to its ReplicaSets (annotationsToSkip). */
const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_CONFIG_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO,
]);

export const replicasOf = (o: Obj | undefined): number => o?.spec?.replicas ?? 1;

// ---- intstr and fenceposts ----

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(v: unknown, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v !== 'string') throw new Error('invalid value for IntOrString: invalid type: neither int nor percentage');
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const s = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${s}": invalid syntax`);
  const x = (Number(s) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function isRollingUpdate(d: Obj): boolean {
  return d.spec?.strategy?.type === 'RollingUpdate';
}

/** ResolveFenceposts: [surge (rounded up), unavailable (rounded down)]; never both zero. */
export function resolveFenceposts(maxSurge: unknown, maxUnavailable: unknown, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1; // surge might not work because of quota
  return [surge, unavailable];
}

export function maxSurge(d: Obj): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicasOf(d))[0];
}

export function maxUnavailable(d: Obj): number {
  const want = replicasOf(d);
  if (!isRollingUpdate(d) || want === 0) return 0;
  const ru = d.spec.strategy.rollingUpdate ?? {};
  return Math.min(resolveFenceposts(ru.maxSurge, ru.maxUnavailable, want)[1], want);
}

// ---- annotations ----

/** The revision annotation as a number (0 when absent); NaN when unparsable. */
export function revisionOf(o: Obj | undefined): number {
  const v = o?.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
}

export function maxRevision(rss: Obj[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (Number.isFinite(v) && v > max) max = v;
  }
  return max;
}

/** The second highest revision (LastRevision: the one before the current). */
export function lastRevision(rss: Obj[]): number {
  let max = 0;
  let second = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (!Number.isFinite(v)) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) second = v;
  }
  return second;
}

function annotationsOf(o: Obj): Record<string, string> {
  o.metadata ??= {};
  o.metadata.annotations ??= {};
  return o.metadata.annotations;
}

/** Copies the Deployment's annotations (except the skipped ones) to rs; true when any changed. */
export function copyDeploymentAnnotationsToReplicaSet(d: Obj, rs: Obj): boolean {
  const target = annotationsOf(rs);
  let changed = false;
  for (const [k, v] of Object.entries((d.metadata?.annotations ?? {}) as Record<string, string>)) {
    if (ANNOTATIONS_TO_SKIP.has(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: Obj, desired: number, max: number): boolean {
  const a = annotationsOf(rs);
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: Obj, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision to
 * newRevision when it is higher (remembering the previous revision in revision-history: a
 * rollback to this template), and on creation add the replica annotations.
 */
export function setNewReplicaSetAnnotations(d: Obj, rs: Obj, newRevision: number, exists: boolean, limitChars = MAX_REV_HISTORY_LENGTH_IN_CHARS): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const a = annotationsOf(rs);
  const had = Object.prototype.hasOwnProperty.call(a, REVISION_ANNOTATION);
  const oldRevision = a[REVISION_ANNOTATION] ?? '';
  let oldInt = 0;
  if (oldRevision !== '') {
    if (!/^[+-]?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  if (oldInt < newRevision) {
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (had) {
      const history = a[REVISION_HISTORY_ANNOTATION] ?? '';
      const old = history.split(',');
      if (old[0] === '') {
        a[REVISION_HISTORY_ANNOTATION] = oldRevision;
      } else {
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > limitChars && start < old.length) {
          total -= old[start].length + 1;
          start++;
        }
        if (total <= limitChars) a[REVISION_HISTORY_ANNOTATION] = [...old.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Sets the Deployment's revision annotation; true when it changed. */
export function setDeploymentRevision(d: Obj, revision: string): boolean {
  const a = annotationsOf(d);
  if (a[REVISION_ANNOTATION] === revision) return false;
  a[REVISION_ANNOTATION] = revision;
  return true;
}

/** SetDeploymentAnnotationsTo: keep only skipped annotations, take the rest from the ReplicaSet. */
export function setDeploymentAnnotationsTo(d: Obj, rs: Obj): void {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries((d.metadata?.annotations ?? {}) as Record<string, string>)) if (ANNOTATIONS_TO_SKIP.has(k)) kept[k] = v;
  for (const [k, v] of Object.entries((rs.metadata?.annotations ?? {}) as Record<string, string>)) if (!ANNOTATIONS_TO_SKIP.has(k)) kept[k] = v;
  d.metadata.annotations = kept;
}

function intAnnotation(rs: Obj, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return undefined;
  return Number(v);
}

export const desiredReplicasAnnotation = (rs: Obj): number | undefined => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);

// ---- conditions ----

export function newDeploymentCondition(type: string, status: string, reason: string, message: string, now: number): Obj {
  const t = nowRFC3339(new Date(now));
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition on a status object (same status and reason: nothing changes). */
export function setDeploymentCondition(status: Obj, cond: Obj): void {
  status.conditions = setCondition(status.conditions, cond, true);
}

export function removeDeploymentCondition(status: Obj, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c: Obj) => c.type !== type);
}

export function hasProgressDeadline(d: Obj): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return typeof p === 'number' && p !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: Obj): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return typeof l === 'number' && l !== MAX_INT32;
}

/** Every replica updated, present and available, and the generation observed. */
export function deploymentComplete(d: Obj, status: Obj): boolean {
  const want = replicasOf(d);
  return (status.updatedReplicas ?? 0) === want && (status.replicas ?? 0) === want
    && (status.availableReplicas ?? 0) === want && (status.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** Any progress since the last status: more updated/ready/available or fewer old replicas. */
export function deploymentProgressing(d: Obj, status: Obj): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return (status.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (status.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (status.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** No progress reported for longer than progressDeadlineSeconds. */
export function deploymentTimedOut(d: Obj, status: Obj, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const cond = getCondition(status.conditions, 'Progressing');
  if (!cond) return false;
  if (cond.reason === NEW_RS_AVAILABLE_REASON) return false;
  if (cond.reason === TIMED_OUT_REASON) return true;
  const from = parseTime(cond.lastUpdateTime);
  if (from === undefined) return false;
  return from + d.spec.progressDeadlineSeconds * 1000 < now;
}

export function replicaSetToDeploymentCondition(c: Obj): Obj {
  return { type: c.type, status: c.status, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime, reason: c.reason, message: c.message };
}

// ---- finding and ordering ReplicaSets ----

const creationMs = (o: Obj): number => parseTime(o.metadata?.creationTimestamp) ?? 0;

/** ReplicaSetsByCreationTimestamp: older first, ties by name. */
export function byCreation(a: Obj, b: Obj): number {
  const d = creationMs(a) - creationMs(b);
  if (d !== 0) return d;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: larger first, ties older first. */
export function bySizeOlder(a: Obj, b: Obj): number {
  return replicasOf(b) - replicasOf(a) || byCreation(a, b);
}

/** ReplicaSetsBySizeNewer: larger first, ties newer first. */
export function bySizeNewer(a: Obj, b: Obj): number {
  return replicasOf(b) - replicasOf(a) || byCreation(b, a);
}

/** ReplicaSetsByRevision: lower revision first, ties by creation. */
export function byRevision(a: Obj, b: Obj): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === rb || (Number.isNaN(ra) && Number.isNaN(rb))) return byCreation(a, b);
  return (Number.isNaN(ra) ? 0 : ra) - (Number.isNaN(rb) ? 0 : rb);
}

/** The oldest ReplicaSet whose template equals the Deployment's (FindNewReplicaSet). */
export function findNewReplicaSet(d: Obj, rss: Obj[]): Obj | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every ReplicaSet but the new one (FindOldReplicaSets' second result). */
export function findOldReplicaSets(d: Obj, rss: Obj[]): Obj[] {
  const n = findNewReplicaSet(d, rss);
  return rss.filter((rs) => !n || rs.metadata.uid !== n.metadata.uid);
}

export const filterActiveReplicaSets = (rss: (Obj | undefined)[]): Obj[] => rss.filter((rs): rs is Obj => !!rs && replicasOf(rs) > 0);

export const sumSpecReplicas = (rss: (Obj | undefined)[]): number => rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
export const sumStatus = (rss: (Obj | undefined)[], field: string): number => rss.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active. */
export function findActiveOrLatest(newRS: Obj | undefined, oldRSs: Obj[]): Obj | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActiveReplicaSets([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet already runs the whole Deployment (IsSaturated). */
export function isSaturated(d: Obj, rs: Obj | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const want = replicasOf(d);
  return replicasOf(rs) === want && desired === want && (rs.status?.availableReplicas ?? 0) === want;
}

/** How many replicas the new ReplicaSet may have now (NewRSNewReplicas). */
export function newRSNewReplicas(d: Obj, allRSs: (Obj | undefined)[], newRS: Obj): number {
  const want = replicasOf(d);
  switch (d.spec?.strategy?.type) {
    case 'RollingUpdate': {
      const surge = scaledValue(d.spec.strategy.rollingUpdate?.maxSurge, want, true);
      const current = sumSpecReplicas(allRSs);
      const maxTotal = want + surge;
      if (current >= maxTotal) return replicasOf(newRS);
      return replicasOf(newRS) + Math.min(maxTotal - current, want - replicasOf(newRS));
    }
    case 'Recreate':
      return want;
    default:
      throw new Error(`deployment type ${d.spec?.strategy?.type} isn't supported`);
  }
}

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** getReplicaSetFraction: this ReplicaSet's share of a resize, relative to its current size. */
function replicaSetFraction(rs: Obj, d: Obj): number {
  const want = replicasOf(d);
  if (want === 0) return -replicasOf(rs);
  const deploymentMax = want + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS_ANNOTATION) ?? (d.status?.replicas ?? 0);
  if (!annotated) return 0;
  return roundHalfAway((replicasOf(rs) * deploymentMax) / annotated) - replicasOf(rs);
}

/** GetProportion: replicas to add (or remove, negative) for rs in a proportional resize. */
export function getProportion(rs: Obj | undefined, d: Obj, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}
