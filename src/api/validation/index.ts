// Validation entry points the registry calls. Each built-in kind gets its upstream
// Validate/ValidateUpdate; then, as genericregistry's BeforeCreate/BeforeUpdate do, the
// common ObjectMeta rules run for every kind (names as path segments, metadata updates).
//
// Contract: objects are already defaulted (api/defaults) and carry metadata.namespace for
// namespaced kinds; an update without metadata.resourceVersion counts as unconditional (it
// gets the stored object's, as upstream's store does). Jobs need metadata.uid: validateCreate generates
// their selector (the Job strategy's generateSelector, defaults/strategy.ts) in place.

import { fe, fieldErrorString, type FieldError } from '../errors.js';
import type { Obj } from '../types.js';
import { findKind } from '../resources.js';
import { nameIsDNSSubdomain, pathSegmentName } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate, validateNonnegative } from './meta.js';
import { obj, str } from './util.js';
import { prepareJobForCreate } from '../defaults/strategy.js';
import {
  validateBinding, validatePodCreate, validatePodEphemeralContainersUpdate, validatePodStatusUpdate, validatePodTemplate,
  validatePodTemplateUpdate, validatePodUpdate,
} from './core/pod.js';
import { validateEndpoints, validateEndpointsUpdate, validateService, validateServiceStatusUpdate, validateServiceUpdate } from './core/service.js';
import {
  validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate, validateServiceAccount, validateServiceAccountUpdate,
} from './core/config.js';
import {
  validateNamespace, validateNamespaceFinalizeUpdate, validateNamespaceStatusUpdate, validateNamespaceUpdate, validateNode, validateNodeUpdate,
} from './core/cluster.js';
import {
  validatePersistentVolume, validatePersistentVolumeClaim, validatePersistentVolumeClaimStatusUpdate, validatePersistentVolumeClaimUpdate,
  validatePersistentVolumeStatusUpdate, validatePersistentVolumeUpdate,
} from './core/pvc.js';
import {
  validateLimitRange, validateLimitRangeUpdate, validateResourceQuota, validateResourceQuotaStatusUpdate, validateResourceQuotaUpdate,
} from './core/quota.js';
import {
  validateEventCreate, validateEventUpdate, validateReplicaStatus, validateReplicationController, validateReplicationControllerUpdate,
} from './core/misc.js';
import {
  validateControllerRevision, validateControllerRevisionUpdate, validateDaemonSet, validateDaemonSetStatusUpdate, validateDaemonSetUpdate,
  validateDeployment, validateDeploymentStatusUpdate, validateDeploymentUpdate, validateReplicaSet, validateReplicaSetUpdate,
  validateStatefulSet, validateStatefulSetStatusUpdate, validateStatefulSetUpdate,
} from './apps.js';
import { JOB_LABELS, validateCronJob, validateCronJobUpdate, validateJob, validateJobStatusUpdate, validateJobUpdate } from './batch.js';
import { validateRole, validateRoleBinding, validateRoleBindingUpdate, validateRoleUpdate } from './rbac.js';
import {
  validateIngress, validateIngressClass, validateIngressClassUpdate, validateIngressUpdate, validateNetworkPolicy, validateNetworkPolicyUpdate,
} from './networking.js';
import { validateHPA, validateHPAStatusUpdate, validateHPAUpdate } from './autoscaling.js';
import {
  validateCRD, validateCSIDriver, validateCSIDriverUpdate, validateCSINode, validateCSIStorageCapacity,
  validateEndpointSlice, validateEndpointSliceUpdate, validateLease, validateLeaseUpdate, validatePDB, validatePDBStatusUpdate,
  validatePriorityClass, validatePriorityClassUpdate, validateRuntimeClass, validateRuntimeClassUpdate, validateStorageClass,
  validateStorageClassUpdate, validateVolumeAttachment, validateVolumeAttachmentUpdate, validateWebhookConfiguration,
} from './others.js';
import { validateCSR, validateCSRApprovalUpdate, validateCSRStatusUpdate, validateCSRUpdate } from './certificates.js';

interface Ctx { group: string; version: string; kind: string; namespaced: boolean }
type CreateFn = (o: Obj, ctx: Ctx) => FieldError[];
type UpdateFn = (o: Obj, old: Obj, ctx: Ctx) => FieldError[];
interface KindRules { create: CreateFn; update?: UpdateFn; status?: UpdateFn }

const metaOnlyUpdate: UpdateFn = (o, old) => validateObjectMetaUpdate(o.metadata, old.metadata);
const createThenUpdate = (create: CreateFn): UpdateFn => (o, old, ctx) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...create(o, ctx)];

const RULES: Record<string, KindRules> = {
  '/Pod': { create: validatePodCreate, update: validatePodUpdate, status: validatePodStatusUpdate },
  '/PodTemplate': { create: validatePodTemplate, update: validatePodTemplateUpdate },
  '/Service': { create: validateService, update: validateServiceUpdate, status: validateServiceStatusUpdate },
  '/Endpoints': { create: validateEndpoints, update: validateEndpointsUpdate },
  '/ConfigMap': { create: validateConfigMap, update: validateConfigMapUpdate },
  '/Secret': { create: validateSecret, update: validateSecretUpdate },
  '/ServiceAccount': { create: validateServiceAccount, update: validateServiceAccountUpdate },
  '/Namespace': { create: validateNamespace, update: validateNamespaceUpdate, status: validateNamespaceStatusUpdate },
  '/Node': { create: validateNode, update: validateNodeUpdate, status: validateNodeUpdate },
  '/PersistentVolume': { create: validatePersistentVolume, update: validatePersistentVolumeUpdate, status: validatePersistentVolumeStatusUpdate },
  '/PersistentVolumeClaim': { create: validatePersistentVolumeClaim, update: validatePersistentVolumeClaimUpdate, status: validatePersistentVolumeClaimStatusUpdate },
  '/LimitRange': { create: validateLimitRange, update: validateLimitRangeUpdate },
  '/ResourceQuota': { create: validateResourceQuota, update: validateResourceQuotaUpdate, status: validateResourceQuotaStatusUpdate },
  '/ReplicationController': {
    create: validateReplicationController, update: validateReplicationControllerUpdate,
    status: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...validateReplicaStatus(o.status, 'status')],
  },
  '/Event': { create: (o) => validateEventCreate(o, false), update: (o, old) => validateEventUpdate(o, old, false) },
  'events.k8s.io/Event': { create: (o) => validateEventCreate(o, true), update: (o, old) => validateEventUpdate(o, old, true) },
  '/Binding': { create: validateBinding },
  'apps/Deployment': { create: validateDeployment, update: validateDeploymentUpdate, status: validateDeploymentStatusUpdate },
  'apps/ReplicaSet': {
    create: validateReplicaSet, update: validateReplicaSetUpdate,
    status: (o, old) => [...validateObjectMetaUpdate(o.metadata, old.metadata), ...validateReplicaStatus(o.status, 'status')],
  },
  'apps/StatefulSet': { create: validateStatefulSet, update: validateStatefulSetUpdate, status: validateStatefulSetStatusUpdate },
  'apps/DaemonSet': { create: validateDaemonSet, update: validateDaemonSetUpdate, status: validateDaemonSetStatusUpdate },
  'apps/ControllerRevision': { create: validateControllerRevision, update: validateControllerRevisionUpdate },
  'batch/Job': {
    create: (o) => {
      // The Job strategy generates the selector in PrepareForCreate; doing it here too keeps
      // registries that skip that step working (it is idempotent).
      prepareJobForCreate(o);
      return validateJob(o, true);
    },
    update: (o, old) => {
      // The Job strategy runs ValidateJob and then ValidateJobUpdate; the prefixed batch
      // labels are only required of jobs that were created with them.
      const oldLabels = obj(obj(obj(obj(old.spec).template).metadata).labels);
      return [...validateJob(o, JOB_LABELS.controllerUid in oldLabels), ...validateJobUpdate(o, old)];
    },
    status: validateJobStatusUpdate,
  },
  'batch/CronJob': { create: validateCronJob, update: validateCronJobUpdate },
  'rbac.authorization.k8s.io/Role': { create: (o) => validateRole(o, true), update: (o, old) => validateRoleUpdate(o, old, true) },
  'rbac.authorization.k8s.io/ClusterRole': { create: (o) => validateRole(o, false), update: (o, old) => validateRoleUpdate(o, old, false) },
  'rbac.authorization.k8s.io/RoleBinding': { create: (o) => validateRoleBinding(o, true), update: (o, old) => validateRoleBindingUpdate(o, old, true) },
  'rbac.authorization.k8s.io/ClusterRoleBinding': { create: (o) => validateRoleBinding(o, false), update: (o, old) => validateRoleBindingUpdate(o, old, false) },
  'networking.k8s.io/NetworkPolicy': { create: validateNetworkPolicy, update: validateNetworkPolicyUpdate },
  'networking.k8s.io/Ingress': { create: validateIngress, update: validateIngressUpdate },
  'networking.k8s.io/IngressClass': { create: validateIngressClass, update: validateIngressClassUpdate },
  'autoscaling/HorizontalPodAutoscaler': {
    create: (o, c) => validateHPA(o, c.version), update: (o, old, c) => validateHPAUpdate(o, old, c.version), status: validateHPAStatusUpdate,
  },
  'autoscaling/Scale': { create: (o) => validateNonnegative(obj(o.spec).replicas, 'spec.replicas') },
  'policy/PodDisruptionBudget': { create: validatePDB, update: createThenUpdate(validatePDB), status: validatePDBStatusUpdate },
  'scheduling.k8s.io/PriorityClass': { create: validatePriorityClass, update: validatePriorityClassUpdate },
  'coordination.k8s.io/Lease': { create: validateLease, update: validateLeaseUpdate },
  'node.k8s.io/RuntimeClass': { create: validateRuntimeClass, update: validateRuntimeClassUpdate },
  'storage.k8s.io/StorageClass': { create: validateStorageClass, update: validateStorageClassUpdate },
  'storage.k8s.io/CSIDriver': { create: validateCSIDriver, update: validateCSIDriverUpdate },
  'storage.k8s.io/CSINode': { create: validateCSINode, update: createThenUpdate(validateCSINode) },
  'storage.k8s.io/VolumeAttachment': { create: validateVolumeAttachment, update: validateVolumeAttachmentUpdate, status: metaOnlyUpdate },
  'storage.k8s.io/CSIStorageCapacity': { create: validateCSIStorageCapacity, update: createThenUpdate(validateCSIStorageCapacity) },
  'discovery.k8s.io/EndpointSlice': { create: validateEndpointSlice, update: validateEndpointSliceUpdate },
  // APIService names are "<version>.<group>" ("v1." for the core group): each part is checked
  'apiregistration.k8s.io/APIService': {
    create: (o) => validateObjectMeta(o.metadata, false, apiServiceName),
    update: (o, old) => [...validateObjectMeta(o.metadata, false, apiServiceName), ...validateObjectMetaUpdate(o.metadata, old.metadata, 'metadata')],
  },
  'certificates.k8s.io/CertificateSigningRequest': { create: validateCSR, update: validateCSRUpdate, status: validateCSRStatusUpdate },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': {
    create: (o) => validateWebhookConfiguration(o, true), update: createThenUpdate((o) => validateWebhookConfiguration(o, true)),
  },
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': {
    create: (o) => validateWebhookConfiguration(o, false), update: createThenUpdate((o) => validateWebhookConfiguration(o, false)),
  },
  'apiextensions.k8s.io/CustomResourceDefinition': { create: validateCRD, update: createThenUpdate(validateCRD), status: metaOnlyUpdate },
};

/** The access reviews' spec rules (authorization/validation); other virtual kinds have none. */
function validateVirtual(group: string, kind: string, o: Obj): FieldError[] {
  // SelfSubjectRulesReview asks for a namespace's rules; only the access reviews have attributes
  if (group !== 'authorization.k8s.io' || kind === 'SelfSubjectRulesReview') return [];
  const spec = obj(o.spec);
  const errs: FieldError[] = [];
  const hasRes = spec.resourceAttributes !== undefined && spec.resourceAttributes !== null;
  const hasNonRes = spec.nonResourceAttributes !== undefined && spec.nonResourceAttributes !== null;
  if (hasRes === hasNonRes) {
    errs.push(fe.invalid('spec.resourceAttributes', spec.resourceAttributes ?? null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  }
  if ((kind === 'SubjectAccessReview' || kind === 'LocalSubjectAccessReview') && !str(spec.user) && !(Array.isArray(spec.groups) && spec.groups.length)) {
    errs.push(fe.invalid('spec.user', str(spec.user), 'at least one of user or group must be specified'));
  }
  if (kind === 'LocalSubjectAccessReview' && str(obj(spec.resourceAttributes).namespace) !== str(obj(o.metadata).namespace)) {
    errs.push(fe.invalid('spec.resourceAttributes.namespace', str(obj(spec.resourceAttributes).namespace), 'must match metadata.namespace'));
  }
  return errs;
}

function apiServiceName(name: string, prefix: boolean): string[] {
  const i = name.indexOf('.');
  if (i <= 0) return ['must be of the form <version>.<group>'];
  const group = name.slice(i + 1);
  return [...nameIsDNSSubdomain(name.slice(0, i), prefix), ...(group ? nameIsDNSSubdomain(group, prefix) : [])];
}

function ctxOf(group: string, version: string, kind: string, o: Obj): Ctx {
  const ri = findKind(group, version, kind);
  const namespaced = ri ? ri.namespaced : str(obj(o.metadata).namespace) !== '';
  return { group, version, kind, namespaced };
}

/** The same error listed twice prints once (ErrorList.ToAggregate dedupes by message). */
function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = fieldErrorString(e);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const genericMeta = (o: Obj, ctx: Ctx) => validateObjectMeta(o.metadata, ctx.namespaced, pathSegmentName, 'metadata', { kubeFinalizers: false });

/** Validation of a new object (strategy.Validate, then the generic ObjectMeta rules). */
export function validateCreate(group: string, version: string, kind: string, o: Obj): FieldError[] {
  const ctx = ctxOf(group, version, kind, o);
  // Reviews and other virtual kinds are never stored: only their spec rules apply.
  if (findKind(group, version, kind)?.virtual) return dedupe(validateVirtual(group, kind, o));
  const rules = RULES[`${group}/${kind}`];
  let errs = rules ? rules.create(o, ctx) : validateObjectMeta(o.metadata, ctx.namespaced, nameIsDNSSubdomain);
  if (errs.length === 0) errs = genericMeta(o, ctx);
  return dedupe(errs);
}

/** Validation of an update: the generic ObjectMeta rules, then strategy.ValidateUpdate (immutability). */
export function validateUpdate(group: string, version: string, kind: string, o: Obj, old: Obj): FieldError[] {
  const ctx = ctxOf(group, version, kind, o);
  const rules = RULES[`${group}/${kind}`];
  const errs = [...genericMeta(o, ctx), ...validateObjectMetaUpdate(o.metadata, old.metadata, 'metadata', { kubeFinalizers: false })];
  errs.push(...(rules?.update ? rules.update(o, old, ctx) : validateObjectMetaUpdate(o.metadata, old.metadata)));
  return dedupe(errs);
}

/** Validation of a status subresource update (metadata rules plus the kind's status checks). */
export function validateStatusUpdate(group: string, version: string, kind: string, o: Obj, old: Obj): FieldError[] {
  const ctx = ctxOf(group, version, kind, o);
  const rules = RULES[`${group}/${kind}`];
  const errs = [...genericMeta(o, ctx), ...validateObjectMetaUpdate(o.metadata, old.metadata, 'metadata', { kubeFinalizers: false })];
  errs.push(...(rules?.status ? rules.status(o, old, ctx) : validateObjectMetaUpdate(o.metadata, old.metadata)));
  return dedupe(errs);
}

/** The pods/ephemeralcontainers subresource. */
export function validateEphemeralContainersUpdate(o: Obj, old: Obj): FieldError[] {
  return dedupe(validatePodEphemeralContainersUpdate(o, old));
}

/** The certificatesigningrequests/approval subresource (Approved/Denied conditions). */
export function validateCertificateApprovalUpdate(o: Obj, old: Obj): FieldError[] {
  const ctx = ctxOf('certificates.k8s.io', 'v1', 'CertificateSigningRequest', o);
  return dedupe([...genericMeta(o, ctx), ...validateCSRApprovalUpdate(o, old)]);
}

/** The namespaces/finalize subresource. */
export function validateNamespaceFinalize(o: Obj, old: Obj): FieldError[] {
  return dedupe(validateNamespaceFinalizeUpdate(o, old));
}

export * from './names.js';
export {
  validateObjectMeta, validateObjectMetaUpdate, validateLabels, validateAnnotations, validateLabelSelector, labelSelectorMatches,
  validateImmutableField, validateNonnegative,
} from './meta.js';
export { parseCronSchedule, cronScheduleError, isKnownTimeZone } from './cron.js';
export { validatePodSpec, validatePodTemplateSpec } from './core/pod.js';
