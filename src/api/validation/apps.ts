// apps/v1: Deployments, ReplicaSets, StatefulSets, DaemonSets and ControllerRevisions
// (pkg/apis/apps/validation plus the selector immutability the apps/v1 strategies add).

import { fe, type FieldError } from '../errors.js';
import type { Obj } from '../types.js';
import { isValidPercent, nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import {
  labelSelectorEmpty, labelSelectorMatches, validateAnnotations, validateImmutableField, validateLabelSelector, validateLabels,
  validateNonnegative, validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';
import { validatePodSpecificAnnotations, validatePodTemplateSpec } from './core/pod.js';
import { child, has, isNum, isObj, num, obj, semanticEqual, str, strMap } from './util.js';

/** ValidatePositiveIntOrPercent: a non-negative int or a "N%" string. */
export function validatePositiveIntOrPercent(v: unknown, path: string): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => fe.invalid(path, v, m));
  if (typeof v === 'number') return validateNonnegative(v, path);
  return [fe.invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

function percentValue(v: unknown): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0 ? Number(v.slice(0, -1)) : undefined;
}

/** getIntOrPercentValue: the percent number, the int, or an int parsed from a string. */
export function intOrPercentValue(v: unknown): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (typeof v === 'number') return v;
  const n = Number.parseInt(String(v ?? ''), 10);
  return /^[+-]?\d+$/.test(String(v ?? '')) ? n : 0;
}

export function isNotMoreThan100Percent(v: unknown, path: string): FieldError[] {
  const p = percentValue(v);
  return p !== undefined && p > 100 ? [fe.invalid(path, v, 'must not be greater than 100%')] : [];
}

/** Selector matches template labels (an invalid selector is reported elsewhere). */
function selectorMismatch(selector: unknown, tmplLabels: Record<string, string>, path: string, emptyMatchesAll = true): FieldError[] {
  if (!isObj(selector)) return [];
  if (!emptyMatchesAll && labelSelectorEmpty(selector)) return [];
  if (validateLabelSelector(selector, '').some((e) => e.field.endsWith('operator'))) return [];
  return labelSelectorMatches(selector, tmplLabels) ? [] : [fe.invalid(path, tmplLabels, '`selector` does not match template `labels`')];
}

function validateRequiredSelector(spec: Obj, kindWord: string, path: string): FieldError[] {
  if (!isObj(spec.selector)) return [fe.required(child(path, 'selector'))];
  const errs = validateLabelSelector(spec.selector, child(path, 'selector'));
  if (labelSelectorEmpty(spec.selector)) errs.push(fe.invalid(child(path, 'selector'), spec.selector, `empty selector is invalid for ${kindWord}`));
  return errs;
}

function validatePodTemplateForReplicaSet(spec: Obj, kindName: string, path: string): FieldError[] {
  const tp = child(path, 'template');
  if (!isObj(spec.template)) return [fe.required(tp)];
  const labels = strMap(obj(spec.template.metadata).labels);
  const errs = selectorMismatch(spec.selector, labels, child(tp, 'metadata', 'labels'), false);
  errs.push(...validatePodTemplateSpec(spec.template, tp));
  const tspec = obj(spec.template.spec);
  if (tspec.restartPolicy !== 'Always') errs.push(fe.notSupported(child(tp, 'spec', 'restartPolicy'), str(tspec.restartPolicy), ['Always']));
  if (has(tspec, 'activeDeadlineSeconds')) errs.push(fe.forbidden(child(tp, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kindName} is not Supported`));
  return errs;
}

// ---- Deployment ----

function validateDeploymentStrategy(strategy0: unknown, path: string): FieldError[] {
  const strategy = obj(strategy0);
  switch (strategy.type) {
    case 'Recreate':
      return isObj(strategy.rollingUpdate) ? [fe.forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      if (!isObj(strategy.rollingUpdate)) return [fe.required(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil')];
      const ru = strategy.rollingUpdate;
      const rp = child(path, 'rollingUpdate');
      const errs = validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable'));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge')));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        errs.push(fe.invalid(child(rp, 'maxUnavailable'), ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
      return errs;
    }
    default:
      return [fe.notSupported(path, strategy0, ['Recreate', 'RollingUpdate'])];
  }
}

function validateDeploymentSpec(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs = validateNonnegative(spec.replicas, child(path, 'replicas'));
  errs.push(...validateRequiredSelector(spec, 'deployment', path));
  errs.push(...validatePodTemplateForReplicaSet(spec, 'ReplicaSet', path));
  errs.push(...validateDeploymentStrategy(spec.strategy, child(path, 'strategy')));
  errs.push(...validateNonnegative(spec.minReadySeconds, child(path, 'minReadySeconds')));
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, child(path, 'revisionHistoryLimit')));
  if (isObj(spec.rollbackTo)) errs.push(...validateNonnegative(spec.rollbackTo.revision, child(path, 'rollback', 'version')));
  if (isNum(spec.progressDeadlineSeconds)) {
    errs.push(...validateNonnegative(spec.progressDeadlineSeconds, child(path, 'progressDeadlineSeconds')));
    if (spec.progressDeadlineSeconds <= num(spec.minReadySeconds)) {
      errs.push(fe.invalid(child(path, 'progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateDeployment(d: Obj): FieldError[] {
  return [...validateObjectMeta(d.metadata, true, nameIsDNSSubdomain), ...validateDeploymentSpec(d.spec, 'spec')];
}

export function validateDeploymentUpdate(d: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata);
  errs.push(...validateDeploymentSpec(d.spec, 'spec'));
  errs.push(...validateImmutableField(obj(d.spec).selector, obj(old.spec).selector, 'spec.selector'));
  return errs;
}

function validateCounters(status: Obj, path: string, fields: string[]): FieldError[] {
  return fields.flatMap((f) => validateNonnegative(status[f], child(path, f)));
}

function validateCollisionCount(n: Obj, o: Obj): FieldError[] {
  const a = obj(n.status).collisionCount;
  const b = obj(o.status).collisionCount;
  if ((a === undefined && b !== undefined) || (isNum(a) && isNum(b) && a < b)) return [fe.invalid('status.collisionCount', num(a), 'cannot be decremented')];
  return [];
}

export function validateDeploymentStatusUpdate(d: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata);
  const s = obj(d.status);
  errs.push(...validateCounters(s, 'status', ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount']));
  const msg = 'cannot be greater than status.replicas';
  for (const f of ['updatedReplicas', 'readyReplicas', 'availableReplicas']) if (num(s[f]) > num(s.replicas)) errs.push(fe.invalid(`status.${f}`, s[f], msg));
  if (num(s.availableReplicas) > num(s.readyReplicas)) errs.push(fe.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  errs.push(...validateCollisionCount(d, old));
  return errs;
}

// ---- ReplicaSet ----

function validateReplicaSetSpec(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs = validateNonnegative(spec.replicas, child(path, 'replicas'));
  errs.push(...validateNonnegative(spec.minReadySeconds, child(path, 'minReadySeconds')));
  errs.push(...validateRequiredSelector(spec, 'deployment', path));
  errs.push(...validatePodTemplateForReplicaSet(spec, 'ReplicaSet', path));
  return errs;
}

export function validateReplicaSet(rs: Obj): FieldError[] {
  return [...validateObjectMeta(rs.metadata, true, nameIsDNSSubdomain), ...validateReplicaSetSpec(rs.spec, 'spec')];
}

export function validateReplicaSetUpdate(rs: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(rs.metadata, old.metadata);
  errs.push(...validateReplicaSetSpec(rs.spec, 'spec'));
  errs.push(...validateImmutableField(obj(rs.spec).selector, obj(old.spec).selector, 'spec.selector'));
  return errs;
}

// ---- StatefulSet ----

function validateStatefulSetSpec(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs: FieldError[] = [];
  const pmp = str(spec.podManagementPolicy);
  if (!pmp) errs.push(fe.required(child(path, 'podManagementPolicy')));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.push(fe.invalid(child(path, 'podManagementPolicy'), pmp, "must be 'OrderedReady' or 'Parallel'"));
  const us = obj(spec.updateStrategy);
  switch (us.type) {
    case undefined: case '':
      errs.push(fe.required(child(path, 'updateStrategy')));
      break;
    case 'OnDelete':
      if (isObj(us.rollingUpdate)) errs.push(fe.invalid(child(path, 'updateStrategy', 'rollingUpdate'), us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
      break;
    case 'RollingUpdate':
      if (isObj(us.rollingUpdate)) {
        const rp = child(path, 'updateStrategy', 'rollingUpdate');
        errs.push(...validateNonnegative(us.rollingUpdate.partition, child(rp, 'partition')));
        if (has(us.rollingUpdate, 'maxUnavailable')) {
          const mu = us.rollingUpdate.maxUnavailable;
          errs.push(...validatePositiveIntOrPercent(mu, child(rp, 'maxUnavailable')));
          if (intOrPercentValue(mu) === 0) errs.push(fe.invalid(child(rp, 'maxUnavailable'), mu, 'cannot be 0'));
          errs.push(...isNotMoreThan100Percent(mu, child(rp, 'maxUnavailable')));
        }
      }
      break;
    default:
      errs.push(fe.invalid(child(path, 'updateStrategy'), us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  if (isObj(spec.persistentVolumeClaimRetentionPolicy)) {
    for (const f of ['whenDeleted', 'whenScaled']) {
      const v = str(spec.persistentVolumeClaimRetentionPolicy[f]);
      if (v !== 'Retain' && v !== 'Delete') errs.push(fe.notSupported(child(path, 'persistentVolumeClaimRetentionPolicy', f), v, ['Retain', 'Delete']));
    }
  }
  errs.push(...validateNonnegative(spec.replicas, child(path, 'replicas')));
  errs.push(...validateNonnegative(spec.minReadySeconds, child(path, 'minReadySeconds')));
  if (isObj(spec.ordinals)) errs.push(...validateNonnegative(spec.ordinals.start, child(path, 'ordinals.start')));
  if (!isObj(spec.selector)) errs.push(fe.required(child(path, 'selector')));
  else {
    errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
    if (labelSelectorEmpty(spec.selector)) errs.push(fe.invalid(child(path, 'selector'), spec.selector, 'empty selector is invalid for statefulset'));
  }
  const tp = child(path, 'template');
  const tmpl = obj(spec.template);
  const labels = strMap(obj(tmpl.metadata).labels);
  errs.push(...selectorMismatch(spec.selector, labels, child(tp, 'metadata', 'labels'), false));
  errs.push(...validateLabels(obj(tmpl.metadata).labels, child(tp, 'labels')));
  errs.push(...validateAnnotations(obj(tmpl.metadata).annotations, child(tp, 'annotations')));
  errs.push(...validatePodSpecificAnnotations(obj(tmpl.metadata).annotations, obj(tmpl.spec), child(tp, 'annotations')));
  const tspec = obj(tmpl.spec);
  if (tspec.restartPolicy !== 'Always') errs.push(fe.notSupported(child(tp, 'spec', 'restartPolicy'), str(tspec.restartPolicy), ['Always']));
  if (has(tspec, 'activeDeadlineSeconds')) errs.push(fe.forbidden(child(tp, 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in StatefulSet is not Supported'));
  return errs;
}

export function validateStatefulSet(ss: Obj): FieldError[] {
  return [...validateObjectMeta(ss.metadata, true, nameIsDNSLabel), ...validateStatefulSetSpec(ss.spec, 'spec')];
}

const STATEFULSET_MUTABLE = ['replicas', 'template', 'updateStrategy', 'minReadySeconds', 'ordinals', 'persistentVolumeClaimRetentionPolicy'];

export function validateStatefulSetUpdate(ss: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(ss.metadata, old.metadata);
  errs.push(...validateStatefulSetSpec(ss.spec, 'spec'));
  const a = { ...obj(ss.spec) };
  const b = { ...obj(old.spec) };
  for (const f of STATEFULSET_MUTABLE) { delete a[f]; delete b[f]; }
  if (!semanticEqual(a, b)) {
    errs.push(fe.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
  }
  return errs;
}

export function validateStatefulSetStatusUpdate(ss: Obj, old: Obj): FieldError[] {
  const s = obj(ss.status);
  const errs = validateCounters(s, 'status', ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount']);
  const msg = 'cannot be greater than status.replicas';
  for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) if (num(s[f]) > num(s.replicas)) errs.push(fe.invalid(`status.${f}`, s[f], msg));
  if (num(s.availableReplicas) > num(s.readyReplicas)) errs.push(fe.invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than status.readyReplicas'));
  errs.push(...validateObjectMetaUpdate(ss.metadata, old.metadata));
  errs.push(...validateCollisionCount(ss, old));
  return errs;
}

// ---- DaemonSet ----

function validateDaemonSetSpec(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs = validateLabelSelector(spec.selector, child(path, 'selector'));
  const labels = strMap(obj(obj(spec.template).metadata).labels);
  // A missing selector selects nothing, so the template never matches.
  if (!isObj(spec.selector)) errs.push(fe.invalid(child(path, 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
  else errs.push(...selectorMismatch(spec.selector, labels, child(path, 'template', 'metadata', 'labels')));
  if (isObj(spec.selector) && labelSelectorEmpty(spec.selector)) errs.push(fe.invalid(child(path, 'selector'), spec.selector, 'empty selector is invalid for daemonset'));
  errs.push(...validatePodTemplateSpec(spec.template, child(path, 'template')));
  const tspec = obj(obj(spec.template).spec);
  if (tspec.restartPolicy !== 'Always') errs.push(fe.notSupported(child(path, 'template', 'spec', 'restartPolicy'), str(tspec.restartPolicy), ['Always']));
  if (has(tspec, 'activeDeadlineSeconds')) errs.push(fe.forbidden(child(path, 'template', 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in DaemonSet is not Supported'));
  errs.push(...validateNonnegative(spec.minReadySeconds, child(path, 'minReadySeconds')));
  errs.push(...validateNonnegative(spec.templateGeneration, child(path, 'templateGeneration')));
  const us = obj(spec.updateStrategy);
  const up = child(path, 'updateStrategy');
  if (us.type === 'RollingUpdate') {
    if (!isObj(us.rollingUpdate)) errs.push(fe.required(child(up, 'rollingUpdate')));
    else {
      const ru = us.rollingUpdate;
      const rp = child(up, 'rollingUpdate');
      errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ru.maxSurge, child(rp, 'maxSurge')));
      errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, child(rp, 'maxUnavailable')));
      errs.push(...isNotMoreThan100Percent(ru.maxSurge, child(rp, 'maxSurge')));
      const hasUnavailable = intOrPercentValue(ru.maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(ru.maxSurge) !== 0;
      if (hasUnavailable && hasSurge) errs.push(fe.invalid(child(rp, 'maxSurge'), ru.maxSurge, 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) errs.push(fe.required(child(rp, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
    }
  } else if (us.type !== 'OnDelete') {
    errs.push(fe.notSupported(up, spec.updateStrategy, ['RollingUpdate', 'OnDelete']));
  }
  errs.push(...validateNonnegative(spec.revisionHistoryLimit, child(path, 'revisionHistoryLimit')));
  return errs;
}

export function validateDaemonSet(ds: Obj): FieldError[] {
  return [...validateObjectMeta(ds.metadata, true, nameIsDNSSubdomain), ...validateDaemonSetSpec(ds.spec, 'spec')];
}

export function validateDaemonSetUpdate(ds: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata);
  const n = obj(ds.spec);
  const o = obj(old.spec);
  const ng = num(n.templateGeneration);
  const og = num(o.templateGeneration);
  if (ng < og) errs.push(fe.invalid('spec.templateGeneration', ng, 'must not be decremented'));
  const templateUpdated = !semanticEqual(n.template, o.template);
  if (ng === og && templateUpdated && (has(n, 'templateGeneration') || has(o, 'templateGeneration'))) {
    errs.push(fe.invalid('spec.templateGeneration', ng, 'must be incremented upon template update'));
  } else if (ng > og && !templateUpdated) {
    errs.push(fe.invalid('spec.templateGeneration', ng, 'must not be incremented without template update'));
  }
  errs.push(...validateDaemonSetSpec(ds.spec, 'spec'));
  errs.push(...validateImmutableField(n.selector, o.selector, 'spec.selector'));
  return errs;
}

export function validateDaemonSetStatusUpdate(ds: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(ds.metadata, old.metadata);
  errs.push(...validateCounters(obj(ds.status), 'status', ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady',
    'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount']));
  errs.push(...validateCollisionCount(ds, old));
  return errs;
}

// ---- ControllerRevision ----

export function validateControllerRevision(cr: Obj): FieldError[] {
  const errs = validateObjectMeta(cr.metadata, true, nameIsDNSSubdomain);
  if (cr.data === undefined || cr.data === null) errs.push(fe.required('data', 'data is mandatory'));
  errs.push(...validateNonnegative(cr.revision, 'revision'));
  return errs;
}

export function validateControllerRevisionUpdate(cr: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(cr.metadata, old.metadata),
    ...validateControllerRevision(cr),
    ...validateImmutableField(cr.data, old.data, 'data'),
  ];
}

