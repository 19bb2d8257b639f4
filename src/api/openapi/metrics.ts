// Schemas of metrics.k8s.io/v1beta1 (NodeMetrics, PodMetrics, their lists and
// ContainerMetrics) under upstream's definition names. The generator reads kubernetes-types,
// which has no metrics types, so they are written out here and added on load (defs.ts).
import type { Schema } from './defs.js';

const PREFIX = 'io.k8s.metrics.pkg.apis.metrics.v1beta1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const ref = (name: string): Schema => ({ $ref: `#/definitions/${name}` });
const gvk = (kind: string) => [{ group: 'metrics.k8s.io', kind, version: 'v1beta1' }];

const TYPE_META: Record<string, Schema> = {
  apiVersion: { description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources', type: 'string' },
  kind: { description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', type: 'string' },
};

const usage: Schema = {
  description: 'The memory and CPU usage.',
  type: 'object',
  additionalProperties: ref('io.k8s.apimachinery.pkg.api.resource.Quantity'),
};

const list = (kind: string, item: string): Schema => ({
  description: `${kind} is a list of ${item}.`,
  type: 'object',
  required: ['items'],
  properties: {
    ...TYPE_META,
    items: { description: `List of ${item}.`, type: 'array', items: ref(`${PREFIX}.${item}`) },
    metadata: { description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds', ...ref(`${META}.ListMeta`) },
  },
  'x-kubernetes-group-version-kind': gvk(kind),
});

const objectProps = (what: string): Record<string, Schema> => ({
  ...TYPE_META,
  metadata: { description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", ...ref(`${META}.ObjectMeta`) },
  timestamp: { description: `The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].`, ...ref(`${META}.Time`) },
  window: { description: `The length of the interval over which ${what} usage was measured (a duration such as "15s").`, type: 'string' },
});

/** Adds the metrics.k8s.io definitions to a loaded definitions map (no-op when present). */
export function addMetricsKinds(d: Record<string, Schema>): void {
  if (d[`${PREFIX}.NodeMetrics`]) return;
  d[`${PREFIX}.ContainerMetrics`] = {
    description: 'ContainerMetrics sets resource usage metrics of a container.',
    type: 'object',
    required: ['name', 'usage'],
    properties: { name: { description: 'Container name corresponding to the one from pod.spec.containers.', type: 'string' }, usage },
  };
  d[`${PREFIX}.NodeMetrics`] = {
    description: 'NodeMetrics sets resource usage metrics of a node.',
    type: 'object',
    required: ['timestamp', 'window', 'usage'],
    properties: { ...objectProps('node'), usage },
    'x-kubernetes-group-version-kind': gvk('NodeMetrics'),
  };
  d[`${PREFIX}.PodMetrics`] = {
    description: 'PodMetrics sets resource usage metrics of a pod.',
    type: 'object',
    required: ['timestamp', 'window', 'containers'],
    properties: {
      ...objectProps('pod'),
      containers: { description: 'Metrics for all containers are collected within the same time window.', type: 'array', items: ref(`${PREFIX}.ContainerMetrics`), 'x-kubernetes-list-type': 'atomic' },
    },
    'x-kubernetes-group-version-kind': gvk('PodMetrics'),
  };
  d[`${PREFIX}.NodeMetricsList`] = list('NodeMetricsList', 'NodeMetrics');
  d[`${PREFIX}.PodMetricsList`] = list('PodMetricsList', 'PodMetrics');
}

/** Mixed into the definitions' digest: documents (and clients' caches keyed by it) change when these schemas do. */
export const METRICS_DEFS_TAG = 'metrics.k8s.io/v1beta1#1';
