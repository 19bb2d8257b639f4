// Scheduling constraints: node selectors and affinity, pod (anti-)affinity, tolerations,
// taints and topology spread constraints.

import { fe, type FieldError } from '../../errors.js';
import type { Obj } from '../../types.js';
import { isValidLabelValue, nameIsDNSSubdomain, validateNamespaceName } from '../names.js';
import { validateLabelName, validateLabelSelector } from '../meta.js';
import { arr, child, has, index, isNum, isObj, num, obj, str } from '../util.js';

export function validateNodeSelectorRequirement(rq: Obj, allowInvalidValues: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq.values);
  switch (rq.operator) {
    case 'In': case 'NotIn':
      if (values.length === 0) errs.push(fe.required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists': case 'DoesNotExist':
      if (values.length > 0) errs.push(fe.forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt': case 'Lt':
      if (values.length !== 1) errs.push(fe.required(child(path, 'values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fe.invalid(child(path, 'operator'), str(rq.operator), 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(rq.key), child(path, 'key')));
  if (!allowInvalidValues) {
    values.forEach((v, i) => {
      for (const m of isValidLabelValue(str(v))) errs.push(fe.invalid(index(child(path, 'values'), i), str(v), m));
    });
  }
  return errs;
}

function validateNodeFieldSelectorRequirement(rq: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const values = arr(rq.values);
  if (rq.operator === 'In' || rq.operator === 'NotIn') {
    if (values.length !== 1) errs.push(fe.required(child(path, 'values'), "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else {
    errs.push(fe.invalid(child(path, 'operator'), str(rq.operator), 'not a valid selector operator'));
  }
  if (rq.key !== 'metadata.name') {
    errs.push(fe.invalid(child(path, 'key'), str(rq.key), 'not a valid field selector key'));
  } else {
    values.forEach((v, i) => {
      for (const m of nameIsDNSSubdomain(str(v), false)) errs.push(fe.invalid(index(child(path, 'values'), i), str(v), m));
    });
  }
  return errs;
}

export function validateNodeSelectorTerm(term: Obj, allowInvalidValues: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(term.matchExpressions).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(obj(r), allowInvalidValues, index(child(path, 'matchExpressions'), j))));
  arr(term.matchFields).forEach((r, j) => errs.push(...validateNodeFieldSelectorRequirement(obj(r), index(child(path, 'matchFields'), j))));
  return errs;
}

export function validateNodeSelector(ns: Obj, allowInvalidValues: boolean, path: string): FieldError[] {
  const terms = arr(ns.nodeSelectorTerms);
  const tp = child(path, 'nodeSelectorTerms');
  if (terms.length === 0) return [fe.required(tp, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateNodeSelectorTerm(obj(t), allowInvalidValues, index(tp, i)));
}

function validateLabelKeys(path: string, keys: unknown, selector: unknown): FieldError[] {
  const list = arr(keys);
  if (list.length === 0) return [];
  if (!isObj(selector)) return [fe.forbidden(path, 'must not be specified when labelSelector is not set')];
  return list.flatMap((k, i) => validateLabelName(str(k), index(path, i)));
}

function validatePodAffinityTerm(term: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(term.labelSelector, child(path, 'labelSelector')));
  errs.push(...validateLabelSelector(term.namespaceSelector, child(path, 'namespaceSelector')));
  for (const ns of arr(term.namespaces)) {
    for (const m of validateNamespaceName(str(ns), false)) errs.push(fe.invalid(child(path, 'namespace'), str(ns), m));
  }
  errs.push(...validateLabelKeys(child(path, 'matchLabelKeys'), term.matchLabelKeys, term.labelSelector));
  errs.push(...validateLabelKeys(child(path, 'mismatchLabelKeys'), term.mismatchLabelKeys, term.labelSelector));
  const mismatch = new Set(arr(term.mismatchLabelKeys).map(str));
  arr(term.matchLabelKeys).forEach((k, i) => {
    if (mismatch.has(str(k))) errs.push(fe.invalid(index(child(path, 'matchLabelKeys'), i), str(k), 'exists in both matchLabelKeys and mismatchLabelKeys'));
  });
  const topologyKey = str(term.topologyKey);
  if (!topologyKey) errs.push(fe.required(child(path, 'topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(topologyKey, child(path, 'topologyKey')));
  return errs;
}

function validateWeightedTerms(terms: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(terms).forEach((t0, j) => {
    const t = obj(t0);
    const w = num(t.weight);
    if (w <= 0 || w > 100) errs.push(fe.invalid(child(index(path, j), 'weight'), w, 'must be in the range 1-100'));
    errs.push(...validatePodAffinityTerm(obj(t.podAffinityTerm), child(index(path, j), 'podAffinityTerm')));
  });
  return errs;
}

export function validateAffinity(aff: unknown, path: string): FieldError[] {
  if (!isObj(aff)) return [];
  const errs: FieldError[] = [];
  if (isObj(aff.nodeAffinity)) {
    const na = aff.nodeAffinity;
    const np = child(path, 'nodeAffinity');
    if (isObj(na.requiredDuringSchedulingIgnoredDuringExecution)) {
      errs.push(...validateNodeSelector(na.requiredDuringSchedulingIgnoredDuringExecution, false, child(np, 'requiredDuringSchedulingIgnoredDuringExecution')));
    }
    arr(na.preferredDuringSchedulingIgnoredDuringExecution).forEach((t0, i) => {
      const t = obj(t0);
      const p = index(child(np, 'preferredDuringSchedulingIgnoredDuringExecution'), i);
      const w = num(t.weight);
      if (w <= 0 || w > 100) errs.push(fe.invalid(child(p, 'weight'), w, 'must be in the range 1-100'));
      errs.push(...validateNodeSelectorTerm(obj(t.preference), true, child(p, 'preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    if (!isObj(aff[kind])) continue;
    const pa = aff[kind];
    const p = child(path, kind);
    arr(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) => {
      errs.push(...validatePodAffinityTerm(obj(t), index(child(p, 'requiredDuringSchedulingIgnoredDuringExecution'), i)));
    });
    errs.push(...validateWeightedTerms(pa.preferredDuringSchedulingIgnoredDuringExecution, child(p, 'preferredDuringSchedulingIgnoredDuringExecution')));
  }
  return errs;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTaintEffect(effect: string, allowEmpty: boolean, path: string): FieldError[] {
  if (!allowEmpty && !effect) return [fe.required(path)];
  return TAINT_EFFECTS.includes(effect) ? [] : [fe.notSupported(path, effect, TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(tolerations).forEach((t0, i) => {
    const t = obj(t0);
    const ip = index(path, i);
    const k = str(t.key);
    const op = str(t.operator);
    const effect = str(t.effect);
    if (k) errs.push(...validateLabelName(k, child(ip, 'key')));
    if (!k && op !== 'Exists') errs.push(fe.invalid(child(ip, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (has(t, 'tolerationSeconds') && effect !== 'NoExecute') errs.push(fe.invalid(child(ip, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    switch (op) {
      case 'Equal': case '': {
        const msgs = isValidLabelValue(str(t.value));
        if (msgs.length) errs.push(fe.invalid(child(ip, 'operator'), str(t.value), msgs.join(';')));
        break;
      }
      case 'Exists':
        if (str(t.value)) errs.push(fe.invalid(child(ip, 'operator'), str(t.value), "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fe.notSupported(child(ip, 'operator'), op, ['Equal', 'Exists']));
    }
    if (effect) errs.push(...validateTaintEffect(effect, true, child(ip, 'effect')));
  });
  return errs;
}

export function validateTaints(taints: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Map<string, Set<string>>();
  arr(taints).forEach((t0, i) => {
    const t = obj(t0);
    const ip = index(path, i);
    errs.push(...validateLabelName(str(t.key), child(ip, 'key')));
    const msgs = isValidLabelValue(str(t.value));
    if (msgs.length) errs.push(fe.invalid(child(ip, 'value'), str(t.value), msgs.join(';')));
    errs.push(...validateTaintEffect(str(t.effect), false, child(ip, 'effect')));
    const byEffect = unique.get(str(t.effect)) ?? new Set<string>();
    if (byEffect.has(str(t.key))) {
      const e = fe.duplicate(ip, t);
      e.detail = 'taints must be unique by key and effect pair';
      errs.push(e);
      return;
    }
    byEffect.add(str(t.key));
    unique.set(str(t.effect), byEffect);
  });
  return errs;
}

export function validateTopologySpreadConstraints(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const items = arr(list).map(obj);
  items.forEach((c, i) => {
    const p = index(path, i);
    if (num(c.maxSkew) <= 0) errs.push(fe.invalid(child(p, 'maxSkew'), num(c.maxSkew), 'must be greater than zero'));
    if (!str(c.topologyKey)) errs.push(fe.required(child(p, 'topologyKey'), 'can not be empty'));
    const when = str(c.whenUnsatisfiable);
    if (when !== 'DoNotSchedule' && when !== 'ScheduleAnyway') errs.push(fe.notSupported(child(p, 'whenUnsatisfiable'), when, ['DoNotSchedule', 'ScheduleAnyway']));
    for (const rest of items.slice(i + 1)) {
      if (str(rest.topologyKey) === str(c.topologyKey) && str(rest.whenUnsatisfiable) === when) {
        errs.push(fe.duplicate(child(p, '{topologyKey, whenUnsatisfiable}'), `{${str(c.topologyKey)}, ${when}}`));
        break;
      }
    }
    if (has(c, 'minDomains')) {
      const md = num(c.minDomains);
      if (md <= 0) errs.push(fe.invalid(child(p, 'minDomains'), md, 'must be greater than zero'));
      if (when !== 'DoNotSchedule') errs.push(fe.invalid(child(p, 'minDomains'), md, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${when}`));
    }
    for (const f of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (has(c, f) && c[f] !== 'Honor' && c[f] !== 'Ignore') errs.push(fe.notSupported(child(p, f), c[f], ['Honor', 'Ignore']));
    }
    const mlk = arr(c.matchLabelKeys);
    if (mlk.length) {
      const mp = child(p, 'matchLabelKeys');
      const selKeys = new Set<string>();
      if (isObj(c.labelSelector)) {
        for (const k of Object.keys(obj(c.labelSelector.matchLabels))) selKeys.add(k);
        for (const e of arr(c.labelSelector.matchExpressions)) selKeys.add(str(e?.key));
      } else {
        errs.push(fe.forbidden(mp, 'must not be specified when labelSelector is not set'));
      }
      mlk.forEach((k, j) => {
        errs.push(...validateLabelName(str(k), index(mp, j)));
        if (selKeys.has(str(k))) errs.push(fe.invalid(index(mp, j), str(k), 'exists in both matchLabelKeys and labelSelector'));
      });
    }
    errs.push(...validateLabelSelector(c.labelSelector, child(p, 'labelSelector')));
  });
  return errs;
}

export function isNonNegInt(v: unknown): boolean {
  return isNum(v) && Number.isInteger(v) && v >= 0;
}
