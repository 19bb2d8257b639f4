// Strategy per kind. Kinds not listed use the default (no generation, no status subresource).
import type { ResourceInfo } from '../../../api/resources.js';
import type { Strategy } from '../strategy.js';
import { namespaceStrategy } from './namespaces.js';
import { podStrategy } from './pods.js';
import { dropTypeDependentFields } from './services.js';
import { patchServiceAllocatedValues, prepareJobForCreate } from '../../../api/defaults/strategy.js';

const workload: Strategy = { generation: true, statusSubresource: true };
const withStatus: Strategy = { statusSubresource: true };
const generationOnly: Strategy = { generation: true };

const STRATEGIES: Record<string, Strategy> = {
  '/Pod': podStrategy,
  '/Namespace': namespaceStrategy,
  '/Service': {
    statusSubresource: true,
    prepareForCreate(o) { o.status = { loadBalancer: {} }; },
    // an update that omits allocated ClusterIPs/NodePorts keeps them
    prepareForUpdate(o, old) { patchServiceAllocatedValues(o, old); dropTypeDependentFields(o, old); },
  },
  '/Node': { statusSubresource: true, keepStatusOnCreate: true },
  '/PersistentVolume': { statusSubresource: true, prepareForCreate(o) { o.status = { phase: 'Pending' }; } },
  '/PersistentVolumeClaim': { statusSubresource: true, prepareForCreate(o) { o.status = { phase: 'Pending' }; } },
  '/ResourceQuota': withStatus,
  '/ReplicationController': { ...workload, defaultOrphan: true },
  '/Endpoints': { allowCreateOnUpdate: true },
  '/Event': { allowCreateOnUpdate: true },
  'apps/Deployment': workload,
  'apps/ReplicaSet': workload,
  'apps/StatefulSet': workload,
  'apps/DaemonSet': workload,
  'batch/Job': { ...workload, prepareForCreate(o) { prepareJobForCreate(o); } },
  'batch/CronJob': workload,
  'autoscaling/HorizontalPodAutoscaler': workload,
  'policy/PodDisruptionBudget': workload,
  'networking.k8s.io/Ingress': workload,
  'networking.k8s.io/NetworkPolicy': generationOnly,
  'networking.k8s.io/IngressClass': generationOnly,
  'discovery.k8s.io/EndpointSlice': generationOnly,
  'apiextensions.k8s.io/CustomResourceDefinition': workload,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': generationOnly,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': generationOnly,
  'certificates.k8s.io/CertificateSigningRequest': {
    statusSubresource: true,
    // the requester is recorded by the server, whatever the client claims
    prepareForCreate(o, ctx) {
      o.spec ??= {};
      o.spec.username = ctx.user.username;
      if (ctx.user.uid) o.spec.uid = ctx.user.uid; else delete o.spec.uid;
      o.spec.groups = ctx.user.groups;
      if (ctx.user.extra) o.spec.extra = ctx.user.extra; else delete o.spec.extra;
      o.status = {};
    },
  },
  'storage.k8s.io/VolumeAttachment': withStatus,
  'coordination.k8s.io/Lease': { allowCreateOnUpdate: false },
  'apiregistration.k8s.io/APIService': { statusSubresource: true, keepStatusOnCreate: true },
};

export function strategyFor(ri: ResourceInfo): Strategy {
  return STRATEGIES[`${ri.storageGroup ?? ri.group}/${ri.kind}`] ?? {};
}
