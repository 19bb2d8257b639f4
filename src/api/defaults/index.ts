// Defaulting for built-in kinds, as the scheme's defaulting functions run when a request
// body is decoded: applyDefaults(group, version, kind, obj) fills defaults in place and
// canonicalizes quantities. A quantity that does not parse throws a 400 ApiError
// ("<Kind> in version "v1" cannot be handled as a <Kind>: quantities must match ...").

import type { Obj } from '../types.js';
import { isObj } from '../validation/util.js';
import { DecodeContext } from './quantities.js';
import {
  defaultEndpoints, defaultLimitRange, defaultNamespace, defaultNode, defaultPersistentVolume, defaultPersistentVolumeClaim, defaultPod,
  defaultPodTemplateSpec, defaultReplicationController, defaultResourceQuota, defaultSecret, defaultService,
} from './core.js';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultStatefulSet } from './workloads.js';
import {
  defaultCRD, defaultCSIDriver, defaultCSIStorageCapacity, defaultEndpointSlice, defaultHPA, defaultIngressClass, defaultNetworkPolicy,
  defaultPriorityClass, defaultRoleBinding, defaultStorageClass, defaultWebhookConfiguration,
} from './others.js';

type Defaulter = (o: Obj, dc: DecodeContext, version: string) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  '/Pod': defaultPod,
  '/PodTemplate': (o, dc) => defaultPodTemplateSpec(o.template, dc),
  '/ReplicationController': defaultReplicationController,
  '/Service': (o) => defaultService(o),
  '/Endpoints': (o) => defaultEndpoints(o),
  '/Namespace': (o) => defaultNamespace(o),
  '/Secret': (o) => defaultSecret(o),
  '/Node': defaultNode,
  '/PersistentVolume': defaultPersistentVolume,
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/LimitRange': defaultLimitRange,
  '/ResourceQuota': defaultResourceQuota,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/DaemonSet': defaultDaemonSet,
  'apps/StatefulSet': defaultStatefulSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'networking.k8s.io/NetworkPolicy': (o) => defaultNetworkPolicy(o),
  'networking.k8s.io/IngressClass': (o) => defaultIngressClass(o),
  'storage.k8s.io/StorageClass': (o) => defaultStorageClass(o),
  'storage.k8s.io/CSIDriver': (o) => defaultCSIDriver(o),
  'storage.k8s.io/CSIStorageCapacity': defaultCSIStorageCapacity,
  'rbac.authorization.k8s.io/RoleBinding': (o) => defaultRoleBinding(o),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o) => defaultRoleBinding(o),
  'scheduling.k8s.io/PriorityClass': (o) => defaultPriorityClass(o),
  'autoscaling/HorizontalPodAutoscaler': (o, dc, v) => defaultHPA(o, v, dc),
  'discovery.k8s.io/EndpointSlice': (o) => defaultEndpointSlice(o),
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': (o) => defaultWebhookConfiguration(o, true),
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': (o) => defaultWebhookConfiguration(o, false),
  'apiextensions.k8s.io/CustomResourceDefinition': (o) => defaultCRD(o),
};

/** Fill in defaults in place (the scheme's defaulting funcs for this group/version/kind). */
export function applyDefaults(group: string, version: string, kind: string, obj: Obj): void {
  if (!isObj(obj)) return;
  const d = DEFAULTERS[`${group}/${kind}`];
  if (d) d(obj, new DecodeContext(kind, version), version);
}

export { prepareJobForCreate, patchServiceAllocatedValues, defaultPodPriority, JOB_CONTROLLER_UID, JOB_NAME } from './strategy.js';
export { defaultPullPolicy, imageTag } from './core.js';
