// batch/v1: Jobs and CronJobs.

import { fe, type FieldError } from '../errors.js';
import { clone, type Obj } from '../types.js';
import { isDNS1123Label, isDomainPrefixedPath, nameIsDNSSubdomain } from './names.js';
import {
  labelSelectorMatches, validateImmutableField, validateLabelSelector, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate,
} from './meta.js';
import { validatePodTemplateSpec } from './core/pod.js';
import { validateQualifiedName } from './core/container.js';
import { cronScheduleError, isKnownTimeZone } from './cron.js';
import { arr, child, has, index, isObj, num, obj, semanticEqual, str, strMap } from './util.js';

export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
};

const POD_FAILURE_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function hasLabel(meta: Obj, path: string, k: string, expected: string): FieldError[] {
  const labels = strMap(meta.labels);
  if (!(k in labels)) return [fe.required(`${path}.labels[${k}]`, `must be '${expected}'`)];
  if (labels[k] !== expected) return [fe.invalid(`${path}.labels[${k}]`, labels, `must be '${expected}'`)];
  return [];
}

function validateGeneratedSelector(job: Obj, batchLabels: boolean): FieldError[] {
  const spec = obj(job.spec);
  if (spec.manualSelector === true || !isObj(spec.selector)) return [];
  const meta = obj(job.metadata);
  const uid = str(meta.uid);
  const name = str(meta.name);
  const errs: FieldError[] = [];
  if (!uid) errs.push(fe.required('metadata.uid'));
  const tmeta = obj(obj(spec.template).metadata);
  const tp = 'spec.template.metadata';
  errs.push(...hasLabel(tmeta, tp, JOB_LABELS.legacyControllerUid, uid));
  errs.push(...hasLabel(tmeta, tp, JOB_LABELS.legacyJobName, name));
  const expected: Record<string, string> = {};
  if (batchLabels) {
    errs.push(...hasLabel(tmeta, tp, JOB_LABELS.controllerUid, uid));
    errs.push(...hasLabel(tmeta, tp, JOB_LABELS.jobName, name));
    expected[JOB_LABELS.controllerUid] = uid;
    expected[JOB_LABELS.jobName] = name;
  }
  expected[JOB_LABELS.legacyControllerUid] = uid;
  expected[JOB_LABELS.legacyJobName] = name;
  if (!labelSelectorMatches(spec.selector, expected)) errs.push(fe.invalid('spec.selector', spec.selector, '`selector` not auto-generated'));
  return errs;
}

function validatePodFailurePolicy(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = arr(obj(spec.podFailurePolicy).rules);
  const rp = child(path, 'rules');
  if (rules.length > 20) errs.push(fe.tooMany(rp, rules.length, 20));
  const tspec = obj(obj(spec.template).spec);
  const names = new Set([...arr(tspec.containers), ...arr(tspec.initContainers)].map((c) => str(c?.name)));
  rules.forEach((r0, i) => {
    const r = obj(r0);
    const p = index(rp, i);
    const action = str(r.action);
    if (!action) errs.push(fe.required(child(p, 'action'), `valid values: ${JSON.stringify(POD_FAILURE_ACTIONS).replace(/,/g, ' ')}`));
    else if (action === 'FailIndex') {
      if (!has(spec, 'backoffLimitPerIndex')) errs.push(fe.invalid(child(p, 'action'), action, 'requires the backoffLimitPerIndex to be set'));
    } else if (!POD_FAILURE_ACTIONS.includes(action)) errs.push(fe.notSupported(child(p, 'action'), action, POD_FAILURE_ACTIONS));
    if (isObj(r.onExitCodes)) {
      const oc = r.onExitCodes;
      const op = child(p, 'onExitCodes');
      const operator = str(oc.operator);
      if (!operator) errs.push(fe.required(child(op, 'operator'), 'valid values: ["In" "NotIn"]'));
      else if (operator !== 'In' && operator !== 'NotIn') errs.push(fe.notSupported(child(op, 'operator'), operator, ['In', 'NotIn']));
      if (has(oc, 'containerName') && !names.has(str(oc.containerName))) {
        errs.push(fe.invalid(child(op, 'containerName'), oc.containerName, 'must be one of the container or initContainer names in the pod template'));
      }
      const values = arr(oc.values).map(num);
      if (values.length === 0) errs.push(fe.invalid(child(op, 'values'), values, 'at least one value is required'));
      else if (values.length > 255) errs.push(fe.tooMany(child(op, 'values'), values.length, 255));
      const seen = new Set<number>();
      let ordered = true;
      values.forEach((v, j) => {
        if (operator === 'In' && v === 0) errs.push(fe.invalid(index(child(op, 'values'), j), v, 'must not be 0 for the In operator'));
        if (seen.has(v)) errs.push(fe.duplicate(index(child(op, 'values'), j), v));
        seen.add(v);
        if (j > 0 && values[j - 1] > v) ordered = false;
      });
      if (!ordered) errs.push(fe.invalid(child(op, 'values'), values, 'must be ordered'));
    }
    const conds = arr(r.onPodConditions);
    if (conds.length) {
      const cp = child(p, 'onPodConditions');
      if (conds.length > 20) errs.push(fe.tooMany(cp, conds.length, 20));
      conds.forEach((c, j) => {
        const pp = index(cp, j);
        errs.push(...validateQualifiedName(str(c?.type), child(pp, 'type')));
        const st = str(c?.status);
        if (!st) errs.push(fe.required(child(pp, 'status'), 'valid values: ["False" "True" "Unknown"]'));
        else if (!['False', 'True', 'Unknown'].includes(st)) errs.push(fe.notSupported(child(pp, 'status'), st, ['False', 'True', 'Unknown']));
      });
    }
    if (isObj(r.onExitCodes) && conds.length) errs.push({ type: 'FieldValueInvalid', field: p, detail: 'specifying both OnExitCodes and OnPodConditions is not supported' });
    if (!isObj(r.onExitCodes) && !conds.length) errs.push({ type: 'FieldValueInvalid', field: p, detail: 'specifying one of OnExitCodes and OnPodConditions is required' });
  });
  return errs;
}

function parseIndexes(s: string, completions: number): number {
  if (!s) return 0;
  let last: number | undefined;
  let total = 0;
  for (const interval of s.split(',')) {
    const parts = interval.split('-');
    if (parts.length > 2) throw new Error(`the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'`);
    const conv = (x: string) => {
      if (!/^[+-]?[0-9]+$/.test(x)) throw new Error(`cannot convert string to integer for index: ${JSON.stringify(x)}`);
      const n = Number(x);
      if (n >= completions) throw new Error(`too large index: ${JSON.stringify(x)}`);
      return n;
    };
    const x = conv(parts[0]);
    let y = x;
    if (parts.length > 1) {
      y = conv(parts[1]);
      if (x >= y) throw new Error(`non-increasing order, previous: ${x}, current: ${y}`);
    }
    if (last !== undefined && last >= x) throw new Error(`non-increasing order, previous: ${last}, current: ${x}`);
    total += y - x + 1;
    last = y;
  }
  return total;
}

function validateSuccessPolicy(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = arr(obj(spec.successPolicy).rules);
  const rp = child(path, 'rules');
  if (rules.length === 0) errs.push(fe.required(rp, 'at least one rules must be specified when the successPolicy is specified'));
  if (rules.length > 20) errs.push(fe.tooMany(rp, rules.length, 20));
  const completions = num(spec.completions);
  rules.forEach((r0, i) => {
    const r = obj(r0);
    const p = index(rp, i);
    if (!has(r, 'succeededCount') && !has(r, 'succeededIndexes')) errs.push(fe.required(p, 'at least one of succeededCount or succeededIndexes must be specified'));
    let total = 0;
    if (has(r, 'succeededIndexes')) {
      const sp = child(p, 'succeededIndexes');
      if (str(r.succeededIndexes).length > 64 * 1024) errs.push(fe.tooLong(sp, r.succeededIndexes, 64 * 1024));
      try {
        total = parseIndexes(str(r.succeededIndexes), completions);
      } catch (e) {
        errs.push(fe.invalid(sp, r.succeededIndexes, `error parsing succeededIndexes: ${(e as Error).message}`));
      }
    }
    if (has(r, 'succeededCount')) {
      const cp = child(p, 'succeededCount');
      const c = num(r.succeededCount);
      errs.push(...validateNonnegative(c, cp));
      if (c > completions) errs.push(fe.invalid(cp, c, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (has(r, 'succeededIndexes') && c > total) errs.push(fe.invalid(cp, c, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
    }
  });
  return errs;
}

/** validateJobSpec: everything but the selector (shared with CronJob job templates). */
function validateJobSpecBody(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex']) {
    errs.push(...validateNonnegative(spec[f], child(path, f)));
  }
  if (has(spec, 'maxFailedIndexes')) {
    errs.push(...validateNonnegative(spec.maxFailedIndexes, child(path, 'maxFailedIndexes')));
    if (!has(spec, 'backoffLimitPerIndex')) errs.push(fe.required(child(path, 'backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  if (has(spec, 'managedBy')) {
    for (const e of isDomainPrefixedPath(str(spec.managedBy))) errs.push(fe.invalid(child(path, 'managedBy'), e.value, e.msg));
    if (str(spec.managedBy).length > 63) errs.push({ type: 'FieldValueTooLong', field: child(path, 'managedBy'), detail: 'may not be longer than 63' });
  }
  const mode = str(spec.completionMode);
  const indexed = mode === 'Indexed';
  if (has(spec, 'completionMode')) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(fe.notSupported(child(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    if (indexed) {
      if (!has(spec, 'completions')) errs.push(fe.required(child(path, 'completions'), 'when completion mode is Indexed'));
      if (num(spec.parallelism) > 100000) errs.push(fe.invalid(child(path, 'parallelism'), spec.parallelism, 'must be less than or equal to 100000 when completion mode is Indexed'));
      if (has(spec, 'completions') && has(spec, 'maxFailedIndexes') && num(spec.maxFailedIndexes) > num(spec.completions)) {
        errs.push(fe.invalid(child(path, 'maxFailedIndexes'), spec.maxFailedIndexes, 'must be less than or equal to completions'));
      }
      if (num(spec.maxFailedIndexes) > 100000) errs.push(fe.invalid(child(path, 'maxFailedIndexes'), spec.maxFailedIndexes, 'must be less than or equal to 100000'));
    }
  }
  if (!indexed) {
    if (has(spec, 'backoffLimitPerIndex')) errs.push(fe.invalid(child(path, 'backoffLimitPerIndex'), spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (has(spec, 'maxFailedIndexes')) errs.push(fe.invalid(child(path, 'maxFailedIndexes'), spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (isObj(spec.podFailurePolicy)) errs.push(...validatePodFailurePolicy(spec, child(path, 'podFailurePolicy')));
  if (isObj(spec.successPolicy)) {
    if (!indexed) errs.push(fe.invalid(child(path, 'successPolicy'), spec.successPolicy, 'requires indexed completion mode'));
    else errs.push(...validateSuccessPolicy(spec, child(path, 'successPolicy')));
  }
  if (has(spec, 'podReplacementPolicy')) {
    const prp = str(spec.podReplacementPolicy);
    if (isObj(spec.podFailurePolicy)) {
      if (prp !== 'Failed') errs.push(fe.notSupported(child(path, 'podReplacementPolicy'), prp, ['Failed']));
    } else if (prp !== 'Failed' && prp !== 'TerminatingOrFailed') {
      errs.push(fe.notSupported(child(path, 'podReplacementPolicy'), prp, ['Failed', 'TerminatingOrFailed']));
    }
  }
  errs.push(...validatePodTemplateSpec(spec.template, child(path, 'template')));
  const rp = str(obj(obj(spec.template).spec).restartPolicy);
  const rpp = child(path, 'template', 'spec', 'restartPolicy');
  if (rp === 'Always' || rp === '') errs.push(fe.required(rpp, 'valid values: "OnFailure", "Never"'));
  else if (rp !== 'OnFailure' && rp !== 'Never') errs.push(fe.notSupported(rpp, rp, ['OnFailure', 'Never']));
  else if (isObj(spec.podFailurePolicy) && rp !== 'Never') errs.push(fe.invalid(rpp, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  return errs;
}

function validateJobSpec(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs = validateJobSpecBody(spec, path);
  if (!isObj(spec.selector)) errs.push(fe.required(child(path, 'selector')));
  else {
    errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
    const labels = strMap(obj(obj(spec.template).metadata).labels);
    if (!labelSelectorMatches(spec.selector, labels)) {
      errs.push(fe.invalid(child(path, 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
    }
  }
  return errs;
}

export function validateJob(job: Obj, batchLabels = true): FieldError[] {
  const meta = obj(job.metadata);
  const spec = obj(job.spec);
  const errs = validateObjectMeta(meta, true, nameIsDNSSubdomain);
  errs.push(...validateGeneratedSelector(job, batchLabels));
  errs.push(...validateJobSpec(spec, 'spec'));
  if (spec.completionMode === 'Indexed' && num(spec.completions) > 0) {
    const host = `${str(meta.name)}-${num(spec.completions) - 1}`;
    if (isDNS1123Label(host).length) errs.push(fe.invalid('metadata.name', str(meta.name), `will not able to create pod with invalid DNS label: ${host}`));
  }
  return errs;
}

export function validateJobUpdate(job: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  const spec = obj(job.spec);
  const oldSpec = obj(old.spec);
  errs.push(...validateJobSpec(spec, 'spec'));
  // Elastic indexed jobs: completions may change with parallelism for Indexed jobs.
  if (spec.completionMode === 'Indexed') {
    if (!semanticEqual(spec.completions, oldSpec.completions) && has(spec, 'completions') && num(spec.completions) !== num(spec.parallelism)) {
      errs.push(fe.invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
    }
  } else {
    errs.push(...validateImmutableField(spec.completions, oldSpec.completions, 'spec.completions'));
  }
  errs.push(...validateImmutableField(spec.selector, oldSpec.selector, 'spec.selector'));
  // A suspended job that never started may change its scheduling directives.
  const mutableScheduling = oldSpec.suspend === true && !obj(old.status).startTime;
  const newT = obj(spec.template);
  let oldT = obj(oldSpec.template);
  if (mutableScheduling) {
    oldT = clone(oldT);
    const ns = obj(newT.spec);
    const os = obj(oldT.spec);
    if (!isObj(ns.affinity) && isObj(os.affinity)) {
      const a = { ...os.affinity };
      delete a.nodeAffinity;
      os.affinity = Object.keys(a).length ? a : undefined;
    } else if (isObj(ns.affinity) && !isObj(os.affinity)) {
      os.affinity = { nodeAffinity: ns.affinity.nodeAffinity };
    } else if (isObj(ns.affinity) && isObj(os.affinity)) {
      os.affinity = { ...os.affinity, nodeAffinity: ns.affinity.nodeAffinity };
    }
    os.nodeSelector = ns.nodeSelector;
    os.tolerations = ns.tolerations;
    os.schedulingGates = ns.schedulingGates;
    oldT.spec = os;
    oldT.metadata = { ...obj(oldT.metadata), annotations: obj(newT.metadata).annotations, labels: obj(newT.metadata).labels };
  }
  errs.push(...validateImmutableField(newT, oldT, 'spec.template'));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
    errs.push(...validateImmutableField(spec[f], oldSpec[f], `spec.${f}`));
  }
  return errs;
}

export function validateJobStatusUpdate(job: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(job.metadata, old.metadata);
  const s = obj(job.status);
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating']) errs.push(...validateNonnegative(s[f], `status.${f}`));
  const seen = new Set<string>();
  for (const kind of ['succeeded', 'failed']) {
    arr(obj(s.uncountedTerminatedPods)[kind]).forEach((u, i) => {
      const p = `status.uncountedTerminatedPods.${kind}[${i}]`;
      if (!str(u)) errs.push(fe.invalid(p, str(u), 'must not be empty'));
      else if (seen.has(u)) errs.push(fe.duplicate(p, u));
      else seen.add(u);
    });
  }
  return errs;
}

// ---- CronJob ----

const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(tz: unknown, path: string): FieldError[] {
  if (tz === undefined || tz === null) return [];
  const t = str(tz);
  if (!t) return [fe.invalid(path, t, 'timeZone must be nil or non-empty string')];
  for (const part of t.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_PART.test(part)) return [fe.invalid(path, t, `unknown time zone ${t}`)];
  }
  if (t.toLowerCase() === 'local') return [fe.invalid(path, t, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  if (!isKnownTimeZone(t)) return [fe.invalid(path, t, `unknown time zone ${t}`)];
  return [];
}

function validateCronJobSpec(spec0: unknown, oldSpec: Obj | undefined, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs: FieldError[] = [];
  const schedule = str(spec.schedule);
  if (!schedule) errs.push(fe.required(child(path, 'schedule')));
  else {
    const sp = child(path, 'schedule');
    const e = cronScheduleError(schedule);
    if (e) errs.push(fe.invalid(sp, schedule, e));
    const allowTZ = oldSpec !== undefined && str(oldSpec.schedule).includes('TZ');
    if (allowTZ && schedule.includes('TZ') && has(spec, 'timeZone')) errs.push(fe.invalid(sp, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    else if (!allowTZ && schedule.includes('TZ')) errs.push(fe.invalid(sp, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  errs.push(...validateNonnegative(spec.startingDeadlineSeconds, child(path, 'startingDeadlineSeconds')));
  if (!oldSpec || !semanticEqual(oldSpec.timeZone, spec.timeZone)) errs.push(...validateTimeZone(spec.timeZone, child(path, 'timeZone')));
  const cp = str(spec.concurrencyPolicy);
  if (!cp) errs.push(fe.required(child(path, 'concurrencyPolicy')));
  else if (!['Allow', 'Forbid', 'Replace'].includes(cp)) errs.push(fe.notSupported(child(path, 'concurrencyPolicy'), cp, ['Allow', 'Forbid', 'Replace']));
  const jt = obj(spec.jobTemplate);
  const jp = child(path, 'jobTemplate');
  errs.push(...validateJobSpecBody(jt.spec, child(jp, 'spec')));
  if (isObj(obj(jt.spec).selector)) errs.push(fe.invalid(child(jp, 'spec', 'selector'), obj(jt.spec).selector, '`selector` will be auto-generated'));
  if (obj(jt.spec).manualSelector === true) errs.push(fe.notSupported(child(jp, 'spec', 'manualSelector'), true, ['nil', 'false']));
  errs.push(...validateNonnegative(spec.successfulJobsHistoryLimit, child(path, 'successfulJobsHistoryLimit')));
  errs.push(...validateNonnegative(spec.failedJobsHistoryLimit, child(path, 'failedJobsHistoryLimit')));
  return errs;
}

export function validateCronJob(cj: Obj): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateCronJobSpec(cj.spec, undefined, 'spec'));
  const name = str(obj(cj.metadata).name);
  if (name.length > 52) errs.push(fe.invalid('metadata.name', name, 'must be no more than 52 characters'));
  return errs;
}

export function validateCronJobUpdate(cj: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(cj.metadata, old.metadata), ...validateCronJobSpec(cj.spec, obj(old.spec), 'spec')];
}

