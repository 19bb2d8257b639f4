// apps/v1 and batch/v1 defaulting (pkg/apis/apps/v1 and batch/v1 defaults.go).

import type { Obj } from '../types.js';
import { arr, has, isObj } from '../validation/util.js';
import { defaultPodTemplateSpec, defaultPVCSpec } from './core.js';
import type { DecodeContext } from './quantities.js';

const int = (o: Obj, k: string, v: number) => { if (typeof o[k] !== 'number') o[k] = v; };

function specOf(o: Obj): Obj {
  if (!isObj(o.spec)) o.spec = {};
  return o.spec;
}

export function defaultDeployment(d: Obj, dc: DecodeContext): void {
  const spec = specOf(d);
  int(spec, 'replicas', 1);
  if (!isObj(spec.strategy)) spec.strategy = {};
  const st = spec.strategy;
  if (!st.type) st.type = 'RollingUpdate';
  if (st.type === 'RollingUpdate') {
    if (!isObj(st.rollingUpdate)) st.rollingUpdate = {};
    if (!has(st.rollingUpdate, 'maxUnavailable')) st.rollingUpdate.maxUnavailable = '25%';
    if (!has(st.rollingUpdate, 'maxSurge')) st.rollingUpdate.maxSurge = '25%';
  }
  int(spec, 'revisionHistoryLimit', 10);
  int(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(spec.template, dc);
}

export function defaultReplicaSet(rs: Obj, dc: DecodeContext): void {
  const spec = specOf(rs);
  int(spec, 'replicas', 1);
  defaultPodTemplateSpec(spec.template, dc);
}

export function defaultDaemonSet(ds: Obj, dc: DecodeContext): void {
  const spec = specOf(ds);
  if (!isObj(spec.updateStrategy)) spec.updateStrategy = {};
  const us = spec.updateStrategy;
  if (!us.type) us.type = 'RollingUpdate';
  if (us.type === 'RollingUpdate') {
    if (!isObj(us.rollingUpdate)) us.rollingUpdate = {};
    if (!has(us.rollingUpdate, 'maxUnavailable')) us.rollingUpdate.maxUnavailable = 1;
    if (!has(us.rollingUpdate, 'maxSurge')) us.rollingUpdate.maxSurge = 0;
  }
  int(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(spec.template, dc);
}

export function defaultStatefulSet(ss: Obj, dc: DecodeContext): void {
  const spec = specOf(ss);
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  if (!isObj(spec.updateStrategy)) spec.updateStrategy = {};
  const us = spec.updateStrategy;
  if (!us.type) {
    us.type = 'RollingUpdate';
    if (!isObj(us.rollingUpdate)) us.rollingUpdate = {};
  }
  if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate)) int(us.rollingUpdate, 'partition', 0);
  if (!isObj(spec.persistentVolumeClaimRetentionPolicy)) spec.persistentVolumeClaimRetentionPolicy = {};
  const rp = spec.persistentVolumeClaimRetentionPolicy;
  if (!rp.whenDeleted) rp.whenDeleted = 'Retain';
  if (!rp.whenScaled) rp.whenScaled = 'Retain';
  int(spec, 'replicas', 1);
  int(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(spec.template, dc);
  for (const t of arr(spec.volumeClaimTemplates)) {
    if (!isObj(t)) continue;
    defaultPVCSpec(t.spec, dc);
    if (!isObj(t.status)) t.status = {};
    if (!t.status.phase) t.status.phase = 'Pending';
  }
}

/** SetDefaults_Job's spec part. */
function defaultJobSpec(spec: Obj, dc: DecodeContext): void {
  if (!has(spec, 'completions') && !has(spec, 'parallelism')) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  int(spec, 'parallelism', 1);
  if (!has(spec, 'backoffLimit')) spec.backoffLimit = has(spec, 'backoffLimitPerIndex') ? 2147483647 : 6;
  if (!spec.completionMode) spec.completionMode = 'NonIndexed';
  if (typeof spec.suspend !== 'boolean') spec.suspend = false;
  for (const rule of arr(spec.podFailurePolicy?.rules)) {
    for (const pattern of arr(rule?.onPodConditions)) if (isObj(pattern) && !pattern.status) pattern.status = 'True';
  }
  if (!spec.podReplacementPolicy) spec.podReplacementPolicy = isObj(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  defaultPodTemplateSpec(spec.template, dc);
}

export function defaultJob(job: Obj, dc: DecodeContext): void {
  const spec = specOf(job);
  defaultJobSpec(spec, dc);
  const labels = spec.template?.metadata?.labels;
  if (isObj(labels)) {
    if (!job.metadata) job.metadata = {};
    if (!isObj(job.metadata.labels) || Object.keys(job.metadata.labels).length === 0) job.metadata.labels = { ...labels };
  }
}

export function defaultCronJob(cj: Obj, dc: DecodeContext): void {
  const spec = specOf(cj);
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (typeof spec.suspend !== 'boolean') spec.suspend = false;
  int(spec, 'successfulJobsHistoryLimit', 3);
  int(spec, 'failedJobsHistoryLimit', 1);
  // SetDefaults_Job works on Jobs, not on job templates: only the pod template is defaulted.
  if (isObj(spec.jobTemplate) && isObj(spec.jobTemplate.spec)) defaultPodTemplateSpec(spec.jobTemplate.spec.template, dc);
}
