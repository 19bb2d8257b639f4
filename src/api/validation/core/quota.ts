// LimitRanges and ResourceQuotas.

import { fe, type FieldError } from '../../errors.js';
import type { Obj } from '../../types.js';
import { Quantity, tryParseQuantity } from '../../quantity.js';
import { isQualifiedName, nameIsDNSSubdomain } from '../names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../meta.js';
import {
  isOvercommitAllowed, isStandardQuotaResourceName, validateContainerResourceName, validateQuotaResourceName, validateResourceName, validateResourceQuantityValue,
} from './resources.js';
import { arr, child, index, isObj, key, obj, str } from '../util.js';

const LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

function validateLimitRangeTypeName(t: string, path: string): FieldError[] {
  const errs = isQualifiedName(t).map((m) => fe.invalid(path, t, m));
  if (errs.length) return errs;
  if (!t.includes('/') && !LIMIT_TYPES.has(t)) errs.push(fe.invalid(path, t, 'must be a standard limit type or fully qualified'));
  return errs;
}

function limitResourceName(type: string, name: string, path: string): FieldError[] {
  return type === 'Pod' || type === 'Container' ? validateContainerResourceName(name, path) : validateResourceName(name, path);
}

export function validateLimitRange(lr: Obj): FieldError[] {
  const errs = validateObjectMeta(lr.metadata, true, nameIsDNSSubdomain);
  const seenTypes = new Set<string>();
  arr(obj(lr.spec).limits).forEach((l0, i) => {
    const l = obj(l0);
    const p = index('spec.limits', i);
    const type = str(l.type);
    errs.push(...validateLimitRangeTypeName(type, child(p, 'type')));
    if (seenTypes.has(type)) errs.push(fe.duplicate(child(p, 'type'), type));
    seenTypes.add(type);
    const keys = new Set<string>();
    const maps: Record<string, Map<string, Quantity>> = { max: new Map(), min: new Map(), default: new Map(), defaultRequest: new Map(), maxLimitRequestRatio: new Map() };
    const collect = (field: string) => {
      for (const [k, v] of Object.entries(obj(l[field]))) {
        errs.push(...limitResourceName(type, k, key(child(p, field), k)));
        keys.add(k);
        const q = tryParseQuantity(v);
        if (q) maps[field].set(k, q);
      }
    };
    collect('max');
    collect('min');
    if (type === 'Pod') {
      if (Object.keys(obj(l.default)).length) errs.push(fe.forbidden(child(p, 'default'), "may not be specified when `type` is 'Pod'"));
      if (Object.keys(obj(l.defaultRequest)).length) errs.push(fe.forbidden(child(p, 'defaultRequest'), "may not be specified when `type` is 'Pod'"));
    } else {
      collect('default');
      collect('defaultRequest');
    }
    if (type === 'PersistentVolumeClaim' && !('storage' in obj(l.min)) && !('storage' in obj(l.max))) {
      errs.push(fe.required(child(p, 'limits'), 'either minimum or maximum storage value is required, but neither was provided'));
    }
    collect('maxLimitRequestRatio');
    for (const k of keys) {
      const min = maps.min.get(k);
      const max = maps.max.get(k);
      const def = maps.default.get(k);
      const defReq = maps.defaultRequest.get(k);
      const ratio = maps.maxLimitRequestRatio.get(k);
      if (min && max && min.cmp(max) > 0) errs.push(fe.invalid(key(child(p, 'min'), k), min.toString(), `min value ${min} is greater than max value ${max}`));
      if (defReq && min && min.cmp(defReq) > 0) errs.push(fe.invalid(key(child(p, 'defaultRequest'), k), defReq.toString(), `min value ${min} is greater than default request value ${defReq}`));
      if (defReq && max && defReq.cmp(max) > 0) errs.push(fe.invalid(key(child(p, 'defaultRequest'), k), defReq.toString(), `default request value ${defReq} is greater than max value ${max}`));
      if (defReq && def && defReq.cmp(def) > 0) errs.push(fe.invalid(key(child(p, 'defaultRequest'), k), defReq.toString(), `default request value ${defReq} is greater than default limit value ${def}`));
      if (def && min && min.cmp(def) > 0) errs.push(fe.invalid(key(child(p, 'default'), k), min.toString(), `min value ${min} is greater than default value ${def}`));
      if (def && max && def.cmp(max) > 0) errs.push(fe.invalid(key(child(p, 'default'), k), max.toString(), `default value ${def} is greater than max value ${max}`));
      if (ratio && ratio.cmp(Quantity.fromInt(1)) < 0) errs.push(fe.invalid(key(child(p, 'maxLimitRequestRatio'), k), ratio.toString(), `ratio ${ratio} is less than 1`));
      if (ratio && min && max) {
        const limit = max.asApproximateFloat64() / min.asApproximateFloat64();
        if (ratio.asApproximateFloat64() > limit) {
          errs.push(fe.invalid(key(child(p, 'maxLimitRequestRatio'), k), ratio.toString(), `ratio ${ratio} is greater than max/min = ${limit.toFixed(6)}`));
        }
      }
      if (!isOvercommitAllowed(k) && def && defReq && def.cmp(defReq) !== 0) {
        errs.push(fe.invalid(key(child(p, 'defaultRequest'), k), defReq.toString(), `default value ${def} must equal to defaultRequest value ${defReq} in ${k}`));
      }
    }
  });
  return errs;
}

export function validateLimitRangeUpdate(lr: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(lr.metadata, old.metadata), ...validateLimitRange(lr)];
}

const QUOTA_SCOPES = new Set(['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass']);
const CONFLICTING_SCOPES: [string, string][] = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];
/** Scopes that only select by presence: their requirements must use the Exists operator. */
const EXISTS_ONLY_SCOPES = new Set(['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating', 'CrossNamespacePodAffinity']);
const POD_COUNT_RESOURCES = new Set(['pods']);
const POD_COMPUTE_RESOURCES = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);
const VOLUME_ATTRIBUTES_CLASS_RESOURCES = new Set(['persistentvolumeclaims', 'requests.storage']);

/** IsResourceQuotaScopeValidForResource: which hard limits a scope may constrain. */
export function isScopeValidForResource(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating': case 'NotTerminating': case 'NotBestEffort': case 'PriorityClass': case 'CrossNamespacePodAffinity':
      return POD_COUNT_RESOURCES.has(resource) || POD_COMPUTE_RESOURCES.has(resource);
    case 'BestEffort':
      return POD_COUNT_RESOURCES.has(resource);
    case 'VolumeAttributesClass':
      return VOLUME_ATTRIBUTES_CLASS_RESOURCES.has(resource);
    default:
      return true;
  }
}

/** Only the quota system's own names are checked against scopes (object counts like count/x are not). */
function scopeCheckedResources(hard: unknown): string[] {
  return Object.keys(obj(hard)).sort().filter((k) => isStandardQuotaResourceName(k) && !k.startsWith('count/'));
}

/**
 * field.Invalid with the internal type's %#v rendering ([]core.ResourceQuotaScope{...}):
 * the shared formatter only knows []string, so the value goes into the detail.
 */
function invalidScopes(path: string, scopes: string[], detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: path, detail: `[]core.ResourceQuotaScope{${scopes.map((s) => JSON.stringify(s)).join(', ')}}: ${detail}` };
}

function validateHardList(hard: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(obj(hard))) {
    errs.push(...validateQuotaResourceName(k, key(path, k)));
    errs.push(...validateResourceQuantityValue(k, v, key(path, k)));
  }
  return errs;
}

/** validateResourceQuotaScopes: known scopes, each valid for every hard limit, no contradicting pair. */
function validateScopes(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const scopes = arr(spec.scopes).map(str);
  if (scopes.length === 0) return errs;
  const p = child(path, 'scopes');
  const hard = scopeCheckedResources(spec.hard);
  for (const s of scopes) {
    if (!QUOTA_SCOPES.has(s)) errs.push(invalidScopes(p, scopes, 'unsupported scope'));
    for (const r of hard) if (!isScopeValidForResource(s, r)) errs.push(invalidScopes(p, scopes, 'unsupported scope applied to resource'));
  }
  for (const [a, b] of CONFLICTING_SCOPES) if (scopes.includes(a) && scopes.includes(b)) errs.push(invalidScopes(p, scopes, 'conflicting scopes'));
  return errs;
}

/** validateScopeSelector / validateScopedResourceSelectorRequirement. */
function validateScopeSelector(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(spec.scopeSelector)) return errs;
  const sel = spec.scopeSelector;
  const mp = child(path, 'scopeSelector', 'matchExpressions');
  const hard = scopeCheckedResources(spec.hard);
  const selScopes: string[] = [];
  for (const r0 of arr(sel.matchExpressions)) {
    const r = obj(r0);
    const scope = str(r.scopeName);
    if (!QUOTA_SCOPES.has(scope)) errs.push(fe.invalid(child(mp, 'scopeName'), scope, 'unsupported scope'));
    for (const res of hard) if (!isScopeValidForResource(scope, res)) errs.push(fe.invalid(mp, sel, 'unsupported scope applied to resource'));
    if (EXISTS_ONLY_SCOPES.has(scope) && r.operator !== 'Exists') {
      errs.push(fe.invalid(child(mp, 'operator'), str(r.operator), "must be 'Exist' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"));
    }
    switch (r.operator) {
      case 'In': case 'NotIn':
        if (arr(r.values).length === 0) errs.push(fe.required(child(mp, 'values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (arr(r.values).length) errs.push(fe.invalid(child(mp, 'values'), r.values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
        break;
      default:
        errs.push(fe.invalid(child(mp, 'operator'), str(r.operator), 'not a valid selector operator'));
    }
    selScopes.push(scope);
  }
  // upstream reports the conflict against spec.scopes' value (the selector has its own path)
  for (const [a, b] of CONFLICTING_SCOPES) {
    if (selScopes.includes(a) && selScopes.includes(b)) errs.push(invalidScopes(mp, arr(spec.scopes).map(str), 'conflicting scopes'));
  }
  return errs;
}

export function validateResourceQuotaSpec(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  return [...validateHardList(spec.hard, child(path, 'hard')), ...validateScopes(spec, path), ...validateScopeSelector(spec, path)];
}

export function validateResourceQuota(rq: Obj): FieldError[] {
  const errs = validateObjectMeta(rq.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateResourceQuotaSpec(rq.spec, 'spec'));
  errs.push(...validateHardList(obj(rq.status).hard, 'status.hard'));
  errs.push(...validateHardList(obj(rq.status).used, 'status.used'));
  return errs;
}

export function validateResourceQuotaUpdate(rq: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(rq.metadata, old.metadata);
  errs.push(...validateResourceQuotaSpec(rq.spec, 'spec'));
  const a = new Set(arr(obj(rq.spec).scopes).map(str));
  const b = new Set(arr(obj(old.spec).scopes).map(str));
  if (a.size !== b.size || [...a].some((s) => !b.has(s))) errs.push(fe.invalid('spec.scopes', arr(obj(rq.spec).scopes), 'field is immutable'));
  return errs;
}

export function validateResourceQuotaStatusUpdate(rq: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(rq.metadata, old.metadata);
  if (!str(obj(rq.metadata).resourceVersion) && !str(obj(old.metadata).resourceVersion)) errs.push(fe.required('resourceVersion'));
  errs.push(...validateHardList(obj(rq.status).hard, 'status.hard'));
  errs.push(...validateHardList(obj(rq.status).used, 'status.used'));
  return errs;
}
