// autoscaling v1 and v2: HorizontalPodAutoscalers.

import { fe, type FieldError } from '../errors.js';
import type { Obj } from '../types.js';
import { tryParseQuantity } from '../quantity.js';
import { nameIsDNSSubdomain, pathSegmentName } from './names.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { arr, child, has, index, isNum, isObj, num, obj, str } from './util.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const SOURCE_FIELD: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };

function validateScaleTargetRef(ref: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['kind', 'name']) {
    if (!str(ref[f])) errs.push(fe.required(child(path, f)));
    else for (const m of pathSegmentName(ref[f], false)) errs.push(fe.invalid(child(path, f), ref[f], m));
  }
  return errs;
}

function validateMetricTarget(t: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = str(t.type);
  if (!type) errs.push(fe.required(child(path, 'type'), 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) errs.push(fe.invalid(child(path, 'type'), type, 'must be either Utilization, Value, or AverageValue'));
  for (const f of ['value', 'averageValue']) {
    if (!has(t, f)) continue;
    const q = tryParseQuantity(t[f]);
    if (!q || q.sign() !== 1) errs.push(fe.invalid(child(path, f), t[f], 'must be positive'));
  }
  if (has(t, 'averageUtilization') && num(t.averageUtilization) < 1) errs.push(fe.invalid(child(path, 'averageUtilization'), t.averageUtilization, 'must be greater than 0'));
  return errs;
}

function validateMetricIdentifier(id: Obj, path: string): FieldError[] {
  if (!str(id.name)) return [fe.required(child(path, 'name'), 'must specify a metric name')];
  const errs = pathSegmentName(id.name, false).map((m) => fe.invalid(child(path, 'name'), id.name, m));
  if (isObj(id.selector)) errs.push(...validateLabelSelector(id.selector, child(path, 'selector')));
  return errs;
}

function validateSource(type: string, src: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const target = obj(src.target);
  const tp = child(path, 'target');
  switch (type) {
    case 'Object':
      errs.push(...validateScaleTargetRef(obj(src.describedObject), child(path, 'describedObject')));
      errs.push(...validateMetricIdentifier(obj(src.metric), child(path, 'metric')));
      errs.push(...validateMetricTarget(target, tp));
      if (!has(target, 'value') && !has(target, 'averageValue')) errs.push(fe.required(child(tp, 'averageValue'), 'must set either a target value or averageValue'));
      break;
    case 'Pods':
    case 'External':
      errs.push(...validateMetricIdentifier(obj(src.metric), child(path, 'metric')));
      errs.push(...validateMetricTarget(target, tp));
      if (type === 'Pods' && !has(target, 'averageValue')) errs.push(fe.required(child(tp, 'averageValue'), 'must specify a positive target averageValue'));
      if (type === 'External' && !has(target, 'value') && !has(target, 'averageValue')) errs.push(fe.required(child(tp, 'averageValue'), 'must set either a target value for metric or a per-pod target'));
      break;
    case 'Resource':
    case 'ContainerResource':
      if (!str(src.name)) errs.push(fe.required(child(path, 'name'), 'must specify a resource name'));
      if (type === 'ContainerResource' && !str(src.container)) errs.push(fe.required(child(path, 'container'), 'must specify a container'));
      errs.push(...validateMetricTarget(target, tp));
      if (!has(target, 'averageUtilization') && !has(target, 'averageValue')) errs.push(fe.required(child(tp, 'averageUtilization'), 'must set either a target raw value or a target utilization'));
      if (has(target, 'averageUtilization') && has(target, 'averageValue')) errs.push(fe.forbidden(child(tp, 'averageValue'), 'may not set both a target raw value and a target utilization'));
      break;
  }
  return errs;
}

function validateMetrics(metrics: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(metrics).forEach((m0, i) => {
    const m = obj(m0);
    const p = index(path, i);
    const type = str(m.type);
    if (!type) errs.push(fe.required(child(p, 'type'), 'must specify a metric source type'));
    if (!METRIC_TYPES.includes(type)) errs.push(fe.notSupported(child(p, 'type'), type, METRIC_TYPES));
    const present = Object.values(SOURCE_FIELD).filter((f) => isObj(m[f]));
    const expected = SOURCE_FIELD[type];
    if (expected) {
      if (!isObj(m[expected])) errs.push(fe.required(child(p, expected), 'must populate information for the given metric source'));
      else errs.push(...validateSource(type, m[expected], child(p, expected)));
    }
    if (present.length !== 1) for (const f of present) if (f !== expected) errs.push(fe.forbidden(child(p, f), 'must populate the given metric source only'));
  });
  return errs;
}

function validateScalingRules(rules: unknown, path: string): FieldError[] {
  if (!isObj(rules)) return [];
  const errs: FieldError[] = [];
  if (has(rules, 'stabilizationWindowSeconds')) {
    const s = num(rules.stabilizationWindowSeconds);
    if (s < 0) errs.push(fe.invalid(child(path, 'stabilizationWindowSeconds'), s, 'must be greater than or equal to zero'));
    if (s > 3600) errs.push(fe.invalid(child(path, 'stabilizationWindowSeconds'), s, 'must be less than or equal to 3600'));
  }
  if (has(rules, 'selectPolicy') && !['Max', 'Min', 'Disabled'].includes(rules.selectPolicy)) {
    errs.push(fe.notSupported(child(path, 'selectPolicy'), rules.selectPolicy, ['Disabled', 'Max', 'Min']));
  }
  const policies = arr(rules.policies);
  if (policies.length === 0) errs.push(fe.required(child(path, 'policies'), 'must specify at least one Policy'));
  policies.forEach((p0, i) => {
    const p = obj(p0);
    const pp = index(child(path, 'policies'), i);
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(fe.notSupported(child(pp, 'type'), p.type, ['Percent', 'Pods']));
    if (num(p.value) <= 0) errs.push(fe.invalid(child(pp, 'value'), num(p.value), 'must be greater than zero'));
    const period = num(p.periodSeconds);
    if (period <= 0) errs.push(fe.invalid(child(pp, 'periodSeconds'), period, 'must be greater than zero'));
    if (period > 1800) errs.push(fe.invalid(child(pp, 'periodSeconds'), period, 'must be less than or equal to 1800'));
  });
  return errs;
}

function validateHPASpec(spec: Obj, v1: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (has(spec, 'minReplicas') && num(spec.minReplicas) < 1) errs.push(fe.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (num(spec.maxReplicas) < 1) errs.push(fe.invalid('spec.maxReplicas', num(spec.maxReplicas), 'must be greater than 0'));
  if (has(spec, 'minReplicas') && num(spec.maxReplicas) < num(spec.minReplicas)) errs.push(fe.invalid('spec.maxReplicas', num(spec.maxReplicas), 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateScaleTargetRef(obj(spec.scaleTargetRef), 'spec.scaleTargetRef'));
  if (v1) {
    if (has(spec, 'targetCPUUtilizationPercentage') && num(spec.targetCPUUtilizationPercentage) < 1) {
      errs.push(fe.invalid('spec.targetCPUUtilizationPercentage', spec.targetCPUUtilizationPercentage, 'must be greater than 0'));
    }
    return errs;
  }
  errs.push(...validateMetrics(spec.metrics, 'spec.metrics'));
  if (isObj(spec.behavior)) {
    errs.push(...validateScalingRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'));
    errs.push(...validateScalingRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return errs;
}

export function validateHPA(hpa: Obj, version: string): FieldError[] {
  return [...validateObjectMeta(hpa.metadata, true, nameIsDNSSubdomain), ...validateHPASpec(obj(hpa.spec), version === 'v1')];
}

export function validateHPAUpdate(hpa: Obj, old: Obj, version: string): FieldError[] {
  return [...validateObjectMetaUpdate(hpa.metadata, old.metadata), ...validateHPASpec(obj(hpa.spec), version === 'v1')];
}

export function validateHPAStatusUpdate(hpa: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(hpa.metadata, old.metadata);
  const s = obj(hpa.status);
  for (const f of ['currentReplicas', 'desiredReplicas']) {
    if (isNum(s[f]) && s[f] < 0) errs.push(fe.invalid(`status.${f}`, s[f], 'must be greater than or equal to 0'));
  }
  return errs;
}
