#!/usr/bin/env node
// Generates src/api/openapi/generated/definitions.json: the OpenAPI (swagger 2.0 style)
// definitions of every stable Kubernetes type, named like upstream
// (io.k8s.api.core.v1.PodSpec, io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta, ...).
//
// Source of truth is the kubernetes-types package: its .d.ts interfaces carry every field,
// optionality and the upstream doc comments. What they lack (integer widths, byte strings,
// strategic-merge-patch and server-side-apply list metadata, a few fields newer than the
// package) comes from the hand-written tables below, checked against upstream struct tags.
//
// Runs in `npm run build` before tsc; must stay fast and deterministic (same input, same
// bytes). Usage: node scripts/gen-openapi.mjs [--dist DIR]   (DIR defaults to ./dist; the
// file is also copied to DIR/api/openapi/generated/ so a compiled tree finds it beside it).

import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = join(ROOT, 'node_modules', 'kubernetes-types');
const OUT = join(ROOT, 'src', 'api', 'openapi', 'generated', 'definitions.json');

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

// ---------------------------------------------------------------------------------------
// Tables: what the TypeScript types cannot say.

/** int64 fields (Go int64); every other `number` is int32, as almost all Kubernetes ints are. */
const INT64 = new Set([
  'PodSpec.activeDeadlineSeconds', 'PodSpec.terminationGracePeriodSeconds', 'Probe.terminationGracePeriodSeconds',
  'SecurityContext.runAsUser', 'SecurityContext.runAsGroup',
  'PodSecurityContext.runAsUser', 'PodSecurityContext.runAsGroup', 'PodSecurityContext.fsGroup',
  'PodSecurityContext.supplementalGroups', 'ServiceAccountTokenProjection.expirationSeconds',
  'Toleration.tolerationSeconds', 'ContainerImage.sizeBytes', 'SleepAction.seconds',
  'ReplicationControllerStatus.observedGeneration',
  'ObjectMeta.generation', 'ObjectMeta.deletionGracePeriodSeconds', 'ListMeta.remainingItemCount',
  'DeleteOptions.gracePeriodSeconds', 'Condition.observedGeneration',
  'DeploymentStatus.observedGeneration', 'ReplicaSetStatus.observedGeneration',
  'StatefulSetStatus.observedGeneration', 'DaemonSetStatus.observedGeneration', 'ControllerRevision.revision',
  'JobSpec.activeDeadlineSeconds', 'CronJobSpec.startingDeadlineSeconds',
  'HorizontalPodAutoscalerStatus.observedGeneration', 'PodDisruptionBudgetStatus.observedGeneration',
  'TokenRequestSpec.expirationSeconds', 'TokenRequest.expirationSeconds',
  'JSONSchemaProps.maxItems', 'JSONSchemaProps.maxLength', 'JSONSchemaProps.maxProperties',
  'JSONSchemaProps.minItems', 'JSONSchemaProps.minLength', 'JSONSchemaProps.minProperties',
  'ValidatingAdmissionPolicyStatus.observedGeneration',
  'LinuxContainerUser.uid', 'LinuxContainerUser.gid', 'LinuxContainerUser.supplementalGroups',
]);

/** float64 fields: Kubernetes has almost none. */
const FLOAT = new Set(['JSONSchemaProps.maximum', 'JSONSchemaProps.minimum', 'JSONSchemaProps.multipleOf']);

/** []byte fields: base64 strings on the wire (format byte). */
const BYTES = new Set([
  'Secret.data', 'ConfigMap.binaryData', 'CertificateSigningRequestSpec.request',
  'CertificateSigningRequestStatus.certificate', 'WebhookClientConfig.caBundle', 'ServiceReference.caBundle',
]);

// Strategic merge patch (patchStrategy/patchMergeKey struct tags) and server-side apply
// (+listType/+listMapKey markers) metadata, from upstream's k8s.io/api types.
const M = (key, listMapKeys, strategy = 'merge') => ({ strategy, key, listType: 'map', listMapKeys });
const ATOMIC = { listType: 'atomic' };
const CONDITIONS = M('type', ['type']);
const CONTAINER_LISTS = {
  ports: M('containerPort', ['containerPort', 'protocol']),
  env: M('name', ['name']),
  envFrom: ATOMIC,
  volumeMounts: M('mountPath', ['mountPath']),
  volumeDevices: M('devicePath', ['devicePath']),
  resizePolicy: ATOMIC,
  command: ATOMIC,
  args: ATOMIC,
};
const LISTS = {
  Container: CONTAINER_LISTS,
  EphemeralContainer: CONTAINER_LISTS,
  PodSpec: {
    volumes: M('name', ['name'], 'merge,retainKeys'),
    initContainers: M('name', ['name']),
    containers: M('name', ['name']),
    ephemeralContainers: M('name', ['name']),
    imagePullSecrets: M('name', ['name']),
    hostAliases: M('ip', ['ip']),
    tolerations: ATOMIC,
    readinessGates: ATOMIC,
    topologySpreadConstraints: M('topologyKey', ['topologyKey', 'whenUnsatisfiable']),
    schedulingGates: M('name', ['name']),
    resourceClaims: M('name', ['name'], 'merge,retainKeys'),
  },
  PodSecurityContext: { supplementalGroups: ATOMIC, sysctls: ATOMIC },
  Capabilities: { add: ATOMIC, drop: ATOMIC },
  PodStatus: {
    conditions: CONDITIONS,
    podIPs: M('ip', ['ip']),
    hostIPs: { strategy: 'merge', key: 'ip', listType: 'atomic' },
    initContainerStatuses: ATOMIC, containerStatuses: ATOMIC, ephemeralContainerStatuses: ATOMIC,
    resourceClaimStatuses: M('name', ['name'], 'merge,retainKeys'),
  },
  ObjectMeta: {
    finalizers: { strategy: 'merge', listType: 'set' },
    ownerReferences: M('uid', ['uid']),
    managedFields: ATOMIC,
  },
  ServiceSpec: {
    ports: M('port', ['port', 'protocol']),
    clusterIPs: ATOMIC, externalIPs: ATOMIC, ipFamilies: ATOMIC, loadBalancerSourceRanges: ATOMIC,
  },
  ServiceStatus: { conditions: CONDITIONS },
  LoadBalancerStatus: { ingress: ATOMIC },
  NodeSpec: { podCIDRs: { strategy: 'merge', listType: 'set' }, taints: ATOMIC },
  NodeStatus: {
    conditions: CONDITIONS,
    addresses: { strategy: 'merge', key: 'type', listType: 'atomic' },
    images: ATOMIC, volumesInUse: ATOMIC, volumesAttached: ATOMIC, runtimeHandlers: ATOMIC,
  },
  NamespaceSpec: { finalizers: ATOMIC },
  NamespaceStatus: { conditions: CONDITIONS },
  PersistentVolumeClaimSpec: { accessModes: ATOMIC },
  PersistentVolumeClaimStatus: { conditions: CONDITIONS, accessModes: ATOMIC },
  PersistentVolumeSpec: { accessModes: ATOMIC, mountOptions: ATOMIC },
  ReplicationControllerStatus: { conditions: CONDITIONS },
  ServiceAccount: { secrets: M('name', ['name']), imagePullSecrets: ATOMIC },
  Endpoints: { subsets: ATOMIC },
  EndpointSubset: { addresses: ATOMIC, notReadyAddresses: ATOMIC, ports: ATOMIC },
  LimitRangeSpec: { limits: ATOMIC },
  ResourceRequirements: { claims: { listType: 'map', listMapKeys: ['name'] } },
  ResourceQuotaSpec: { scopes: ATOMIC },
  ComponentStatus: { conditions: CONDITIONS },
  NodeSelector: { nodeSelectorTerms: ATOMIC },
  NodeSelectorTerm: { matchExpressions: ATOMIC, matchFields: ATOMIC },
  NodeSelectorRequirement: { values: ATOMIC },
  ProjectedVolumeSource: { sources: ATOMIC },
  ConfigMapVolumeSource: { items: ATOMIC },
  SecretVolumeSource: { items: ATOMIC },
  DownwardAPIVolumeSource: { items: ATOMIC },
  DeploymentStatus: { conditions: CONDITIONS },
  ReplicaSetStatus: { conditions: CONDITIONS },
  StatefulSetStatus: { conditions: CONDITIONS },
  DaemonSetStatus: { conditions: CONDITIONS },
  StatefulSetSpec: { volumeClaimTemplates: ATOMIC },
  JobStatus: { conditions: { strategy: 'merge', key: 'type', listType: 'atomic' } },
  CronJobStatus: { active: ATOMIC },
  PodFailurePolicy: { rules: ATOMIC },
  HorizontalPodAutoscalerStatus: { conditions: CONDITIONS, currentMetrics: ATOMIC },
  HorizontalPodAutoscalerSpec: { metrics: ATOMIC },
  PodDisruptionBudgetStatus: { conditions: CONDITIONS },
  CustomResourceDefinitionStatus: { conditions: { listType: 'map', listMapKeys: ['type'] }, storedVersions: ATOMIC },
  CustomResourceDefinitionSpec: { versions: ATOMIC },
  CertificateSigningRequestStatus: { conditions: { listType: 'map', listMapKeys: ['type'] } },
  CertificateSigningRequestSpec: { usages: ATOMIC, groups: ATOMIC },
  CSINodeSpec: { drivers: M('name', ['name']) },
  ValidatingWebhookConfiguration: { webhooks: M('name', ['name']) },
  MutatingWebhookConfiguration: { webhooks: M('name', ['name']) },
  NetworkPolicySpec: { ingress: ATOMIC, egress: ATOMIC, policyTypes: ATOMIC },
  IngressSpec: { rules: ATOMIC, tls: ATOMIC },
  EndpointSlice: { endpoints: ATOMIC, ports: ATOMIC },
  Role: { rules: ATOMIC },
  ClusterRole: { rules: ATOMIC },
  RoleBinding: { subjects: ATOMIC },
  ClusterRoleBinding: { subjects: ATOMIC },
  LabelSelector: { matchExpressions: ATOMIC },
  LabelSelectorRequirement: { values: ATOMIC },
};

/** Published defaults (+default markers) that merges rely on: list-map keys an item may omit. */
const DEFAULTS = {
  'ContainerPort.protocol': 'TCP',
  'ServicePort.protocol': 'TCP',
};

/** Structs that server-side apply treats as one value (+structType=atomic). */
const ATOMIC_STRUCTS = new Set([
  'LabelSelector', 'LocalObjectReference', 'ObjectReference', 'NodeSelector', 'NodeSelectorTerm',
  'TopologySelectorTerm', 'ConfigMapKeySelector', 'SecretKeySelector', 'ObjectFieldSelector',
  'ResourceFieldSelector', 'ConfigMapEnvSource', 'SecretEnvSource', 'SecretReference',
  'TypedLocalObjectReference',
]);

/**
 * Enumerations (+enum markers on the Go types): field → allowed values, '|'-separated, sorted
 * as upstream publishes them ('' is a real value where upstream lists it). A field name
 * ending in [] is a list whose items carry the enum. Values are those of Kubernetes 1.33's
 * published OpenAPI restricted to fields skiff's definitions have; kube-apiserver also
 * appends a "Possible enum values" list to a scalar field's description, which `kubectl
 * explain` prints beside its ENUM line (the per-value remarks upstream adds are left out).
 */
const ENUMS = {
  'core.v1': {
    'AppArmorProfile.type': 'Localhost|RuntimeDefault|Unconfined',
    'AzureDiskVolumeSource.cachingMode': 'None|ReadOnly|ReadWrite',
    'Container.imagePullPolicy': 'Always|IfNotPresent|Never',
    'Container.terminationMessagePolicy': 'FallbackToLogsOnError|File',
    'ContainerPort.protocol': 'SCTP|TCP|UDP',
    'EndpointPort.protocol': 'SCTP|TCP|UDP',
    'EphemeralContainer.imagePullPolicy': 'Always|IfNotPresent|Never',
    'EphemeralContainer.terminationMessagePolicy': 'FallbackToLogsOnError|File',
    'HTTPGetAction.scheme': 'HTTP|HTTPS',
    'HostPathVolumeSource.type': '|BlockDevice|CharDevice|Directory|DirectoryOrCreate|File|FileOrCreate|Socket',
    'ImageVolumeSource.pullPolicy': 'Always|IfNotPresent|Never',
    'ModifyVolumeStatus.status': 'InProgress|Infeasible|Pending',
    'NamespaceStatus.phase': 'Active|Terminating',
    'NodeSelectorRequirement.operator': 'DoesNotExist|Exists|Gt|In|Lt|NotIn',
    'NodeStatus.phase': 'Pending|Running|Terminated',
    'PersistentVolumeClaimSpec.accessModes[]': 'ReadOnlyMany|ReadWriteMany|ReadWriteOnce|ReadWriteOncePod',
    'PersistentVolumeClaimSpec.volumeMode': 'Block|Filesystem',
    'PersistentVolumeClaimStatus.accessModes[]': 'ReadOnlyMany|ReadWriteMany|ReadWriteOnce|ReadWriteOncePod',
    'PersistentVolumeClaimStatus.phase': 'Bound|Lost|Pending',
    'PersistentVolumeSpec.accessModes[]': 'ReadOnlyMany|ReadWriteMany|ReadWriteOnce|ReadWriteOncePod',
    'PersistentVolumeSpec.persistentVolumeReclaimPolicy': 'Delete|Recycle|Retain',
    'PersistentVolumeSpec.volumeMode': 'Block|Filesystem',
    'PersistentVolumeStatus.phase': 'Available|Bound|Failed|Pending|Released',
    'PodSecurityContext.fsGroupChangePolicy': 'Always|OnRootMismatch',
    'PodSecurityContext.supplementalGroupsPolicy': 'Merge|Strict',
    'PodSpec.dnsPolicy': 'ClusterFirst|ClusterFirstWithHostNet|Default|None',
    'PodSpec.preemptionPolicy': 'Never|PreemptLowerPriority',
    'PodSpec.restartPolicy': 'Always|Never|OnFailure',
    'PodStatus.phase': 'Failed|Pending|Running|Succeeded|Unknown',
    'PodStatus.qosClass': 'BestEffort|Burstable|Guaranteed',
    'PortStatus.protocol': 'SCTP|TCP|UDP',
    'ResourceQuotaSpec.scopes[]': 'BestEffort|CrossNamespacePodAffinity|NotBestEffort|NotTerminating|PriorityClass|Terminating|VolumeAttributesClass',
    'ScopedResourceSelectorRequirement.operator': 'DoesNotExist|Exists|In|NotIn',
    'ScopedResourceSelectorRequirement.scopeName':
      'BestEffort|CrossNamespacePodAffinity|NotBestEffort|NotTerminating|PriorityClass|' +
      'Terminating|VolumeAttributesClass',
    'SeccompProfile.type': 'Localhost|RuntimeDefault|Unconfined',
    'SecurityContext.procMount': 'Default|Unmasked',
    'ServicePort.protocol': 'SCTP|TCP|UDP',
    'ServiceSpec.externalTrafficPolicy': 'Cluster|Local',
    'ServiceSpec.internalTrafficPolicy': 'Cluster|Local',
    'ServiceSpec.ipFamilies[]': '|IPv4|IPv6',
    'ServiceSpec.ipFamilyPolicy': 'PreferDualStack|RequireDualStack|SingleStack',
    'ServiceSpec.sessionAffinity': 'ClientIP|None',
    'ServiceSpec.type': 'ClusterIP|ExternalName|LoadBalancer|NodePort',
    'Taint.effect': 'NoExecute|NoSchedule|PreferNoSchedule',
    'Toleration.effect': 'NoExecute|NoSchedule|PreferNoSchedule',
    'Toleration.operator': 'Equal|Exists',
    'TopologySpreadConstraint.nodeAffinityPolicy': 'Honor|Ignore',
    'TopologySpreadConstraint.nodeTaintsPolicy': 'Honor|Ignore',
    'TopologySpreadConstraint.whenUnsatisfiable': 'DoNotSchedule|ScheduleAnyway',
    'VolumeMount.mountPropagation': 'Bidirectional|HostToContainer|None',
  },
  'apiextensions.v1': {
    'ValidationRule.reason': 'FieldValueDuplicate|FieldValueForbidden|FieldValueInvalid|FieldValueRequired',
  },
  'admissionregistration.v1': {
    'MatchResources.matchPolicy': 'Equivalent|Exact',
    'MutatingWebhook.failurePolicy': 'Fail|Ignore',
    'MutatingWebhook.matchPolicy': 'Equivalent|Exact',
    'MutatingWebhook.reinvocationPolicy': 'IfNeeded|Never',
    'MutatingWebhook.sideEffects': 'None|NoneOnDryRun|Some|Unknown',
    'NamedRuleWithOperations.operations[]': '*|CONNECT|CREATE|DELETE|UPDATE',
    'RuleWithOperations.operations[]': '*|CONNECT|CREATE|DELETE|UPDATE',
    'ValidatingAdmissionPolicyBindingSpec.validationActions[]': 'Audit|Deny|Warn',
    'ValidatingAdmissionPolicySpec.failurePolicy': 'Fail|Ignore',
    'ValidatingWebhook.failurePolicy': 'Fail|Ignore',
    'ValidatingWebhook.matchPolicy': 'Equivalent|Exact',
    'ValidatingWebhook.sideEffects': 'None|NoneOnDryRun|Some|Unknown',
  },
  'apps.v1': {
    'DaemonSetUpdateStrategy.type': 'OnDelete|RollingUpdate',
    'DeploymentStrategy.type': 'Recreate|RollingUpdate',
    'StatefulSetSpec.podManagementPolicy': 'OrderedReady|Parallel',
    'StatefulSetUpdateStrategy.type': 'OnDelete|RollingUpdate',
  },
  'batch.v1': {
    'CronJobSpec.concurrencyPolicy': 'Allow|Forbid|Replace',
    'JobSpec.completionMode': 'Indexed|NonIndexed',
    'JobSpec.podReplacementPolicy': 'Failed|TerminatingOrFailed',
    'PodFailurePolicyOnExitCodesRequirement.operator': 'In|NotIn',
    'PodFailurePolicyRule.action': 'Count|FailIndex|FailJob|Ignore',
  },
  'certificates.v1': {
    'CertificateSigningRequestSpec.usages[]':
      'any|cert sign|client auth|code signing|content commitment|crl sign|data encipherment|' +
      'decipher only|digital signature|email protection|encipher only|ipsec end system|' +
      'ipsec tunnel|ipsec user|key agreement|key encipherment|microsoft sgc|netscape sgc|' +
      'ocsp signing|s/mime|server auth|signing|timestamping',
  },
  'discovery.v1': {
    'EndpointPort.protocol': 'SCTP|TCP|UDP',
    'EndpointSlice.addressType': 'FQDN|IPv4|IPv6',
  },
  'networking.v1': {
    'HTTPIngressPath.pathType': 'Exact|ImplementationSpecific|Prefix',
    'IngressPortStatus.protocol': 'SCTP|TCP|UDP',
    'NetworkPolicyPort.protocol': 'SCTP|TCP|UDP',
    'NetworkPolicySpec.policyTypes[]': 'Egress|Ingress',
  },
  'policy.v1': {
    'PodDisruptionBudgetSpec.unhealthyPodEvictionPolicy': 'AlwaysAllow|IfHealthyBudget',
  },
  'scheduling.v1': {
    'PriorityClass.preemptionPolicy': 'Never|PreemptLowerPriority',
  },
  'storage.v1': {
    'StorageClass.reclaimPolicy': 'Delete|Recycle|Retain',
    'StorageClass.volumeBindingMode': 'Immediate|WaitForFirstConsumer',
  },
};

/**
 * Fields newer than the kubernetes-types release (1.30) that a 1.32 kubectl may send, plus
 * JSONSchemaProps' x-kubernetes-* keys that the package cannot spell. [type, field, schema].
 */
const EXTRA_FIELDS = [
  ['io.k8s.api.core.v1.PodSecurityContext', 'supplementalGroupsPolicy', { type: 'string', description: 'Defines how supplemental groups of the first container processes are calculated. Valid values are "Merge" and "Strict". If not specified, "Merge" is used.' }],
  ['io.k8s.api.core.v1.PodSecurityContext', 'seLinuxChangePolicy', { type: 'string', description: 'seLinuxChangePolicy defines how the container\'s SELinux label is applied to all volumes used by the Pod. Valid values are "MountOption" and "Recursive".' }],
  ['io.k8s.api.core.v1.PodSpec', 'resources', { $ref: '#/definitions/io.k8s.api.core.v1.ResourceRequirements', description: 'Resources is the total amount of CPU and Memory resources required by all containers in the pod (pod-level resources).' }],
  ['io.k8s.api.core.v1.Volume', 'image', { $ref: '#/definitions/io.k8s.api.core.v1.ImageVolumeSource', description: 'image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet\'s host machine.' }],
  ['io.k8s.api.core.v1.NodeStatus', 'features', { $ref: '#/definitions/io.k8s.api.core.v1.NodeFeatures', description: 'Features describes the set of features implemented by the CRI implementation.' }],
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-embedded-resource', { type: 'boolean', description: 'x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta.' }],
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-int-or-string', { type: 'boolean', description: 'x-kubernetes-int-or-string specifies that this value is either an integer or a string.' }],
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-list-map-keys', { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic', description: 'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.' }],
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-list-type', { type: 'string', description: 'x-kubernetes-list-type annotates an array to further describe its topology: atomic, set or map.' }],
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-map-type', { type: 'string', description: 'x-kubernetes-map-type annotates an object to further describe its topology: granular or atomic.' }],
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-preserve-unknown-fields', { type: 'boolean', description: 'x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema.' }],
  ['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-validations', { type: 'array', items: { $ref: '#/definitions/io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['rule'], 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'rule', description: 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.' }],
];

/** Whole types newer than the package, referenced by EXTRA_FIELDS. */
const EXTRA_TYPES = {
  'io.k8s.api.core.v1.ImageVolumeSource': {
    description: 'ImageVolumeSource represents an image volume resource.', type: 'object',
    properties: {
      pullPolicy: { type: 'string', description: 'Policy for pulling OCI objects: Always, Never or IfNotPresent.' },
      reference: { type: 'string', description: 'Required: Image or artifact reference to be used.' },
    },
  },
  'io.k8s.api.core.v1.NodeFeatures': {
    description: 'NodeFeatures describes the set of features implemented by the CRI implementation.', type: 'object',
    properties: { supplementalGroupsPolicy: { type: 'boolean', description: 'SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser.' } },
  },
  [INT_OR_STRING]: {
    description: 'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type. This allows you to have, for example, a JSON field that can accept a name or number.',
    type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true,
  },
};

// ---------------------------------------------------------------------------------------
// Module → upstream package name.

function packageOf(rel) {
  // rel: 'core/v1', 'meta/v1', 'api/resource', 'runtime', 'version', ...
  switch (rel) {
    case 'meta/v1': return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource': return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime': return 'io.k8s.apimachinery.pkg.runtime';
    case 'version': return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1': return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default: return `io.k8s.api.${rel.replace('/', '.')}`;
  }
}

function listModules() {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.d.ts')) {
        const rel = relative(TYPES, p).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
        // Skiff serves stable APIs only; alpha/beta types would only add noise.
        if (/\/v\d+(alpha|beta)\d*$/.test(rel)) continue;
        out.push({ rel, path: p });
      }
    }
  };
  walk(TYPES);
  return out;
}

// ---------------------------------------------------------------------------------------
// Doc comments: take the raw /** */ text rather than the JSDoc parser, which would treat
// a line starting with '@' as a tag and lose it.

function docOf(node, text) {
  const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
  const last = ranges.filter((r) => text.startsWith('/**', r.pos)).pop();
  if (!last) return undefined;
  let body = text.slice(last.pos + 3, last.end - 2);
  const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, '').replace(/\s+$/, ''));
  while (lines.length && lines[0].trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  body = lines.map((l, i) => (i === 0 ? l.trim() : l)).join('\n').trim();
  return body.replace(/\*\\\//g, '*/') || undefined;
}

// ---------------------------------------------------------------------------------------
// Parse and convert.

const definitions = {};
const kindsOf = {}; // definition name → [{group, kind, version}]

function convertModule({ rel, path }) {
  const text = readFileSync(path, 'utf8');
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const pkg = packageOf(rel);
  const imports = new Map(); // local name → package
  const locals = new Set();
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const from = st.moduleSpecifier.text; // "../meta/v1"
      const target = join(dirname(rel), from).replace(/\\/g, '/');
      for (const el of st.importClause?.namedBindings?.elements ?? []) imports.set(el.name.text, packageOf(target));
    } else if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
      locals.add(st.name.text);
    }
  }
  const refName = (name) => {
    if (locals.has(name)) return `${pkg}.${name}`;
    if (imports.has(name)) return `${imports.get(name)}.${name}`;
    throw new Error(`${rel}: unknown type ${name}`);
  };
  const ref = (name) => ({ $ref: `#/definitions/${refName(name)}` });

  const typeSchema = (node, owner, field) => {
    const key = `${owner}.${field}`;
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return BYTES.has(key) ? { type: 'string', format: 'byte' } : { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        if (FLOAT.has(key)) return { type: 'number', format: 'double' };
        return { type: 'integer', format: INT64.has(key) ? 'int64' : 'int32' };
      case ts.SyntaxKind.LiteralType:
        return { type: 'string' };
      case ts.SyntaxKind.ArrayType:
        return { type: 'array', items: typeSchema(node.elementType, owner, field) };
      case ts.SyntaxKind.TypeReference: {
        const name = node.typeName.getText(sf);
        if (name === 'Array') return { type: 'array', items: typeSchema(node.typeArguments[0], owner, field) };
        return ref(name);
      }
      case ts.SyntaxKind.UnionType: {
        const kinds = node.types.map((t) => t.kind).sort();
        if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
          return { $ref: `#/definitions/${INT_OR_STRING}` };
        }
        if (node.types.every((t) => t.kind === ts.SyntaxKind.LiteralType)) return { type: 'string' };
        throw new Error(`${rel}: unsupported union in ${key}`);
      }
      case ts.SyntaxKind.TypeLiteral: {
        const sig = node.members.find((m) => ts.isIndexSignatureDeclaration(m));
        if (!sig) throw new Error(`${rel}: unsupported type literal in ${key}`);
        return { type: 'object', additionalProperties: typeSchema(sig.type, owner, field) };
      }
      default:
        throw new Error(`${rel}: unsupported type ${ts.SyntaxKind[node.kind]} in ${key}`);
    }
  };

  for (const st of sf.statements) {
    if (ts.isTypeAliasDeclaration(st)) {
      const name = `${pkg}.${st.name.text}`;
      const description = docOf(st, text);
      const def = description ? { description } : {};
      if (st.name.text === 'Time' || st.name.text === 'MicroTime') Object.assign(def, { type: 'string', format: 'date-time' });
      else if (st.name.text === 'Quantity') def.type = 'string';
      // JSONSchemaPropsOr* stay untyped, as upstream publishes them.
      definitions[name] = def;
      continue;
    }
    if (!ts.isInterfaceDeclaration(st)) continue;
    const short = st.name.text;
    const name = `${pkg}.${short}`;
    const def = {};
    const description = docOf(st, text);
    if (description) def.description = description;
    const props = {};
    const required = [];
    let apiVersion, kind;
    for (const m of st.members) {
      if (!ts.isPropertySignature(m)) continue;
      const field = ts.isStringLiteral(m.name) ? m.name.text : m.name.getText(sf);
      if (field === 'apiVersion' && m.type.kind === ts.SyntaxKind.LiteralType) apiVersion = m.type.literal.text;
      if (field === 'kind' && m.type.kind === ts.SyntaxKind.LiteralType) kind = m.type.literal.text;
      const s = typeSchema(m.type, short, field);
      const d = docOf(m, text);
      const prop = d ? { description: d, ...s } : s;
      if (DEFAULTS[`${short}.${field}`] !== undefined) prop.default = DEFAULTS[`${short}.${field}`];
      const lm = LISTS[short]?.[field];
      if (lm) {
        if (lm.listType) prop['x-kubernetes-list-type'] = lm.listType;
        if (lm.listMapKeys) prop['x-kubernetes-list-map-keys'] = lm.listMapKeys;
        if (lm.key) prop['x-kubernetes-patch-merge-key'] = lm.key;
        if (lm.strategy) prop['x-kubernetes-patch-strategy'] = lm.strategy;
      }
      props[field] = prop;
      if (!m.questionToken) required.push(field);
    }
    // An interface without fields is an opaque object (RawExtension, FieldsV1, Patch), except
    // apiextensions' JSON, which is any JSON value.
    if (Object.keys(props).length > 0) {
      def.type = 'object';
      def.properties = props;
      if (required.length) def.required = required;
    } else if (!(short === 'JSON' && pkg.includes('apiextensions'))) {
      def.type = 'object';
    }
    if (ATOMIC_STRUCTS.has(short)) def['x-kubernetes-map-type'] = 'atomic';
    if (apiVersion && kind) {
      const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
      def['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
    }
    definitions[name] = def;
  }
}

/** Puts ENUMS on their fields; a table entry naming no known field is a mistake, not a no-op. */
function applyEnums() {
  for (const [group, fields] of Object.entries(ENUMS)) {
    const pkg = group.startsWith('apiextensions.') ? `io.k8s.apiextensions-apiserver.pkg.apis.${group}` : `io.k8s.api.${group}`;
    for (const [path, list] of Object.entries(fields)) {
      const items = path.endsWith('[]');
      const [type, field] = path.replace(/\[\]$/, '').split('.');
      const prop = definitions[`${pkg}.${type}`]?.properties?.[field];
      const target = items ? prop?.items : prop;
      if (!target || target.type !== 'string') throw new Error(`enum on unknown or non-string field ${group}.${path}`);
      const values = list.split('|');
      target.enum = values;
      if (items) continue;
      // kube-openapi's wording; list items get the enum without the description lines.
      const lines = ['Possible enum values:', ...values.map((v) => ` - \`${JSON.stringify(v)}\``)].join('\n');
      prop.description = prop.description ? `${prop.description}\n\n${lines}` : lines;
    }
  }
}

function sortKeys(obj) {
  const out = {};
  for (const k of Object.keys(obj).sort()) out[k] = obj[k];
  return out;
}

function main() {
  const t0 = Date.now();
  for (const m of listModules()) convertModule(m);
  for (const [name, def] of Object.entries(EXTRA_TYPES)) definitions[name] = def;
  for (const [type, field, schema] of EXTRA_FIELDS) {
    const def = definitions[type];
    if (!def?.properties) throw new Error(`extra field on unknown type ${type}`);
    if (!def.properties[field]) def.properties = sortKeys({ ...def.properties, [field]: schema });
  }
  applyEnums();
  // Every $ref must resolve: kubectl's OpenAPI v2 parser rejects the whole document otherwise.
  const missing = new Set();
  const check = (s) => {
    if (!s || typeof s !== 'object') return;
    if (typeof s.$ref === 'string' && !definitions[s.$ref.slice('#/definitions/'.length)]) missing.add(s.$ref);
    for (const v of Object.values(s)) if (v && typeof v === 'object') check(v);
  };
  for (const d of Object.values(definitions)) check(d);
  if (missing.size) throw new Error(`unresolved references: ${[...missing].join(', ')}`);

  const json = JSON.stringify({ definitions: sortKeys(definitions) });
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, json);
  const distArg = process.argv.indexOf('--dist');
  const dist = distArg > 0 ? resolve(process.argv[distArg + 1]) : join(ROOT, 'dist');
  const distOut = join(dist, 'api', 'openapi', 'generated', 'definitions.json');
  mkdirSync(dirname(distOut), { recursive: true });
  writeFileSync(distOut, json);
  const n = Object.keys(definitions).length;
  console.log(`gen-openapi: ${n} definitions, ${(json.length / 1024).toFixed(0)} KiB in ${Date.now() - t0} ms`);
}

main();
