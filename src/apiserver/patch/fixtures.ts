// A small hand-written OpenAPI v2 definitions map for the patch engine's tests: the shapes and
// patch metadata of ConfigMap, Deployment and Pod as upstream publishes them (trimmed to the
// fields the tests touch). Not used outside tests.

const ref = (name: string): Record<string, unknown> => ({ $ref: `#/definitions/${name}` });
const str = { type: 'string' };
const int = { type: 'integer', format: 'int32' };
const strMap = { type: 'object', additionalProperties: { type: 'string' } };

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';
const APPS = 'io.k8s.api.apps.v1';

export const FIXTURE_DEFINITIONS: Record<string, Record<string, unknown>> = {
  [`${META}.ObjectMeta`]: {
    type: 'object',
    properties: {
      name: str, namespace: str, uid: str, resourceVersion: str, generation: { type: 'integer', format: 'int64' },
      creationTimestamp: ref(`${META}.Time`),
      labels: strMap, annotations: strMap,
      finalizers: { type: 'array', items: str, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
      ownerReferences: {
        type: 'array', items: ref(`${META}.OwnerReference`),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-patch-merge-key': 'uid', 'x-kubernetes-patch-strategy': 'merge',
      },
      managedFields: { type: 'array', items: ref(`${META}.ManagedFieldsEntry`), 'x-kubernetes-list-type': 'atomic' },
    },
  },
  [`${META}.Time`]: { type: 'string', format: 'date-time' },
  [`${META}.OwnerReference`]: {
    type: 'object', required: ['apiVersion', 'kind', 'name', 'uid'],
    properties: { apiVersion: str, kind: str, name: str, uid: str, controller: { type: 'boolean' } },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${META}.ManagedFieldsEntry`]: {
    type: 'object',
    properties: { manager: str, operation: str, apiVersion: str, time: ref(`${META}.Time`), fieldsType: str, fieldsV1: { type: 'object' }, subresource: str },
  },
  [`${META}.LabelSelector`]: {
    type: 'object',
    properties: { matchLabels: strMap, matchExpressions: { type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'atomic' } },
    'x-kubernetes-map-type': 'atomic',
  },
  [`${CORE}.ConfigMap`]: {
    type: 'object',
    properties: { apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), data: strMap, binaryData: strMap, immutable: { type: 'boolean' } },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'ConfigMap', version: 'v1' }],
  },
  [`${CORE}.Pod`]: {
    type: 'object',
    properties: { apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), spec: ref(`${CORE}.PodSpec`), status: ref(`${CORE}.PodStatus`) },
  },
  [`${CORE}.PodTemplateSpec`]: {
    type: 'object',
    properties: { metadata: ref(`${META}.ObjectMeta`), spec: ref(`${CORE}.PodSpec`) },
  },
  [`${CORE}.PodSpec`]: {
    type: 'object', required: ['containers'],
    properties: {
      containers: {
        type: 'array', items: ref(`${CORE}.Container`),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
      },
      initContainers: {
        type: 'array', items: ref(`${CORE}.Container`),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
      },
      volumes: {
        type: 'array', items: ref(`${CORE}.Volume`),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge,retainKeys',
      },
      tolerations: { type: 'array', items: ref(`${CORE}.Toleration`), 'x-kubernetes-list-type': 'atomic' },
      imagePullSecrets: {
        type: 'array', items: ref(`${CORE}.LocalObjectReference`),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
      },
      nodeSelector: { ...strMap, 'x-kubernetes-map-type': 'atomic' },
      restartPolicy: str, dnsPolicy: str, schedulerName: str, terminationGracePeriodSeconds: { type: 'integer', format: 'int64' },
      securityContext: ref(`${CORE}.PodSecurityContext`),
    },
  },
  [`${CORE}.PodSecurityContext`]: { type: 'object', properties: { runAsUser: { type: 'integer', format: 'int64' } } },
  [`${CORE}.Container`]: {
    type: 'object', required: ['name'],
    properties: {
      name: str, image: str, imagePullPolicy: str,
      command: { type: 'array', items: str, 'x-kubernetes-list-type': 'atomic' },
      args: { type: 'array', items: str, 'x-kubernetes-list-type': 'atomic' },
      env: {
        type: 'array', items: ref(`${CORE}.EnvVar`),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
        'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge',
      },
      ports: {
        type: 'array', items: ref(`${CORE}.ContainerPort`),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
        'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-patch-strategy': 'merge',
      },
      resources: ref(`${CORE}.ResourceRequirements`),
      terminationMessagePath: str, terminationMessagePolicy: str,
    },
  },
  [`${CORE}.EnvVar`]: { type: 'object', required: ['name'], properties: { name: str, value: str } },
  [`${CORE}.ContainerPort`]: {
    type: 'object', required: ['containerPort'],
    properties: { containerPort: int, name: str, protocol: { type: 'string', default: 'TCP' }, hostPort: int },
  },
  [`${CORE}.ResourceRequirements`]: {
    type: 'object',
    properties: { limits: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') }, requests: { type: 'object', additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity') } },
  },
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
  [`${CORE}.Toleration`]: { type: 'object', properties: { key: str, operator: str, value: str, effect: str } },
  [`${CORE}.LocalObjectReference`]: { type: 'object', properties: { name: str }, 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.Volume`]: {
    type: 'object', required: ['name'],
    properties: { name: str, emptyDir: ref(`${CORE}.EmptyDirVolumeSource`), configMap: ref(`${CORE}.ConfigMapVolumeSource`) },
  },
  [`${CORE}.EmptyDirVolumeSource`]: { type: 'object', properties: { medium: str } },
  [`${CORE}.ConfigMapVolumeSource`]: { type: 'object', properties: { name: str } },
  [`${CORE}.PodStatus`]: {
    type: 'object',
    properties: {
      phase: str,
      conditions: {
        type: 'array', items: ref(`${CORE}.PodCondition`),
        'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'],
        'x-kubernetes-patch-merge-key': 'type', 'x-kubernetes-patch-strategy': 'merge',
      },
    },
  },
  [`${CORE}.PodCondition`]: { type: 'object', properties: { type: str, status: str } },
  [`${APPS}.Deployment`]: {
    type: 'object',
    properties: { apiVersion: str, kind: str, metadata: ref(`${META}.ObjectMeta`), spec: ref(`${APPS}.DeploymentSpec`), status: ref(`${APPS}.DeploymentStatus`) },
  },
  [`${APPS}.DeploymentSpec`]: {
    type: 'object',
    properties: {
      replicas: int, revisionHistoryLimit: int, progressDeadlineSeconds: int,
      selector: ref(`${META}.LabelSelector`),
      template: ref(`${CORE}.PodTemplateSpec`),
      strategy: { allOf: [ref(`${APPS}.DeploymentStrategy`)], 'x-kubernetes-patch-strategy': 'retainKeys' },
    },
  },
  [`${APPS}.DeploymentStrategy`]: { type: 'object', properties: { type: str, rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`) } },
  [`${APPS}.RollingUpdateDeployment`]: { type: 'object', properties: { maxSurge: { type: 'string', format: 'int-or-string' }, maxUnavailable: { type: 'string', format: 'int-or-string' } } },
  [`${APPS}.DeploymentStatus`]: { type: 'object', properties: { replicas: int, readyReplicas: int } },
  // recursion must not loop
  'io.k8s.example.Tree': { type: 'object', properties: { name: str, children: { type: 'array', items: ref('io.k8s.example.Tree'), 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] } } },
};
