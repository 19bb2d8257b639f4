// ReplicationControllers and Events.

import { fe, immutable, type FieldError } from '../../errors.js';
import type { Obj } from '../../types.js';
import { isDNS1123Subdomain, isQualifiedName, nameIsDNSSubdomain } from '../names.js';
import { validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from '../meta.js';
import { validatePodTemplateSpec } from './pod.js';
import { isObj, obj, semanticEqual, str, strMap } from '../util.js';

/** A map selector (RC, Service) matches labels when every pair is present. */
export function mapSelectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function validateReplicationControllerSpec(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs = validateNonnegative(spec.minReadySeconds, `${path}.minReadySeconds`);
  const selector = strMap(spec.selector);
  if (Object.keys(selector).length === 0) errs.push(fe.required(`${path}.selector`));
  errs.push(...validateNonnegative(spec.replicas, `${path}.replicas`));
  const tp = `${path}.template`;
  if (!isObj(spec.template)) {
    errs.push(fe.required(tp));
    return errs;
  }
  const labels = strMap(obj(spec.template.metadata).labels);
  if (Object.keys(selector).length && !mapSelectorMatches(selector, labels)) {
    errs.push(fe.invalid(`${tp}.metadata.labels`, labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(spec.template, tp));
  const tspec = obj(spec.template.spec);
  if (tspec.restartPolicy !== 'Always') errs.push(fe.notSupported(`${tp}.spec.restartPolicy`, str(tspec.restartPolicy), ['Always']));
  if (tspec.activeDeadlineSeconds !== undefined && tspec.activeDeadlineSeconds !== null) {
    errs.push(fe.forbidden(`${tp}.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

export function validateReplicationController(rc: Obj): FieldError[] {
  return [...validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain), ...validateReplicationControllerSpec(rc.spec, 'spec')];
}

export function validateReplicationControllerUpdate(rc: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateReplicationControllerSpec(rc.spec, 'spec')];
}

/** Replica counters shared by RC/ReplicaSet status updates. */
export function validateReplicaStatus(status0: unknown, path: string): FieldError[] {
  const s = obj(status0);
  const errs: FieldError[] = [];
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) errs.push(...validateNonnegative(s[f], `${path}.${f}`));
  const replicas = Number(s.replicas ?? 0);
  const msg = 'cannot be greater than status.replicas';
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) {
    if (Number(s[f] ?? 0) > replicas) errs.push(fe.invalid(`${path}.${f}`, s[f], msg));
  }
  if (Number(s.availableReplicas ?? 0) > Number(s.readyReplicas ?? 0)) errs.push(fe.invalid(`${path}.availableReplicas`, s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

// ---- Events ----

/** events.k8s.io/v1 field names mapped onto core/v1 ones (the stored shape). */
export function eventAsCore(ev: Obj): Obj {
  if (!('regarding' in ev || 'note' in ev || 'deprecatedSource' in ev || 'deprecatedCount' in ev || 'reportingController' in ev)) return ev;
  return {
    ...ev,
    involvedObject: ev.regarding,
    message: ev.note,
    source: ev.deprecatedSource,
    firstTimestamp: ev.deprecatedFirstTimestamp,
    lastTimestamp: ev.deprecatedLastTimestamp,
    count: ev.deprecatedCount,
    reportingComponent: ev.reportingController,
  };
}

function legacyValidateEvent(ev: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(obj(ev.metadata).namespace);
  const involvedNs = str(obj(ev.involvedObject).namespace);
  if (!ev.eventTime) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(fe.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs) {
      errs.push(fe.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(fe.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace'));
    const controller = str(ev.reportingComponent);
    if (!controller) errs.push(fe.required('reportingController'));
    for (const m of isQualifiedName(controller)) errs.push(fe.invalid('reportingController', controller, m));
    const instance = str(ev.reportingInstance);
    if (!instance) errs.push(fe.required('reportingInstance'));
    if (instance.length > 128) errs.push(fe.invalid('reportingInstance', '', 'can have at most 128 characters'));
    if (!str(ev.action)) errs.push(fe.required('action'));
    if (str(ev.action).length > 128) errs.push(fe.invalid('action', '', 'can have at most 128 characters'));
    if (!str(ev.reason)) errs.push(fe.required('reason'));
    if (str(ev.reason).length > 128) errs.push(fe.invalid('reason', '', 'can have at most 128 characters'));
    if (str(ev.message).length > 1024) errs.push(fe.invalid('message', '', 'can have at most 1024 characters'));
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fe.invalid('namespace', ns, m));
  return errs;
}

function validateEventSeries(ev: Obj): FieldError[] {
  if (!isObj(ev.series)) return [];
  const errs: FieldError[] = [];
  if (Number(ev.series.count ?? 0) < 2) errs.push(fe.invalid('series.count', '', 'should be at least 2'));
  if (!ev.series.lastObservedTime) errs.push(fe.required('series.lastObservedTime'));
  return errs;
}

/** `strict` is the events.k8s.io/v1 API; core/v1 keeps the legacy, lenient rules. */
export function validateEventCreate(ev0: Obj, strict: boolean): FieldError[] {
  const ev = eventAsCore(ev0);
  const errs = legacyValidateEvent(ev);
  if (!strict) return errs;
  errs.push(...validateObjectMeta(ev.metadata, true, nameIsDNSSubdomain));
  errs.push(...validateEventSeries(ev));
  if (!ev.eventTime) errs.push(fe.required('eventTime'));
  if (ev.type !== 'Normal' && ev.type !== 'Warning') errs.push(fe.invalid('type', '', `has invalid value: ${str(ev.type)}`));
  if (ev.firstTimestamp) errs.push(fe.invalid('firstTimestamp', '', 'needs to be unset'));
  if (ev.lastTimestamp) errs.push(fe.invalid('lastTimestamp', '', 'needs to be unset'));
  if (Number(ev.count ?? 0) !== 0) errs.push(fe.invalid('count', '', 'needs to be unset'));
  if (str(obj(ev.source).component) || str(obj(ev.source).host)) errs.push(fe.invalid('source', '', 'needs to be unset'));
  return errs;
}

export function validateEventUpdate(ev0: Obj, old0: Obj, strict: boolean): FieldError[] {
  const ev = eventAsCore(ev0);
  const old = eventAsCore(old0);
  const errs = legacyValidateEvent(ev);
  if (!strict) return errs;
  errs.push(...validateObjectMetaUpdate(ev.metadata, old.metadata));
  if (!semanticEqual(ev.series, old.series)) errs.push(...validateEventSeries(ev));
  const fields: [string, string][] = [['involvedObject', 'involvedObject'], ['reason', 'reason'], ['message', 'message'], ['source', 'source'],
    ['firstTimestamp', 'firstTimestamp'], ['lastTimestamp', 'lastTimestamp'], ['count', 'count'], ['type', 'type'], ['eventTime', 'eventTime'],
    ['action', 'action'], ['related', 'related'], ['reportingComponent', 'reportingController'], ['reportingInstance', 'reportingInstance']];
  for (const [f, p] of fields) if (!semanticEqual(ev[f], old[f])) errs.push(immutable(p, ev[f] ?? ''));
  return errs;
}
