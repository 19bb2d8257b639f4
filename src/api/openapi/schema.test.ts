import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../resources.js';
import { definitionNameOf, definitions } from './defs.js';
import {
  findUnknownFields, patchMeta, pruneUnknownFields, resolve, schemaForKind, schemaNode, type Schema,
} from './schema.js';

const ref = (s: Schema | undefined): string | undefined => s?.$ref;

test('every kind in the resource table has a definition with its GVK', () => {
  // APIService (apiregistration) has no schema in kubernetes-types yet: served schemaless
  for (const ri of RESOURCES.filter((r) => r.kind !== 'APIService')) {
    const name = definitionNameOf(ri.group, ri.version, ri.kind);
    assert.ok(name, `${ri.group}/${ri.version} ${ri.kind}`);
    assert.deepEqual(definitions()[name]['x-kubernetes-group-version-kind'], [{ group: ri.group, kind: ri.kind, version: ri.version }]);
    for (const sub of ri.subresources ?? []) {
      if (['Scale', 'Eviction', 'Binding', 'TokenRequest'].includes(sub.kind)) {
        assert.ok(definitionNameOf(sub.group ?? ri.group, sub.version ?? ri.version, sub.kind), sub.kind);
      }
    }
  }
});

test('the shape kubectl explain walks: Pod → spec → containers[] → Container.resources.limits', () => {
  const pod = schemaForKind('', 'v1', 'Pod')!;
  assert.equal(pod.type, 'object');
  assert.match(pod.description!, /collection of containers/);
  assert.equal(ref(pod.properties!.spec), '#/definitions/io.k8s.api.core.v1.PodSpec');
  assert.equal(ref(pod.properties!.metadata), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const spec = resolve(pod.properties!.spec)!;
  assert.deepEqual(spec.required, ['containers']);
  const containers = spec.properties!.containers;
  assert.equal(containers.type, 'array');
  assert.equal(ref(containers.items), '#/definitions/io.k8s.api.core.v1.Container');
  const container = resolve(containers.items)!;
  assert.deepEqual(container.required, ['name']);
  const limits = resolve(container.properties!.resources)!.properties!.limits;
  assert.equal(limits.type, 'object');
  assert.equal(ref(limits.additionalProperties as Schema), '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity');
  assert.match(limits.description!, /maximum amount of compute resources/);
});

test('special types are published as upstream does', () => {
  const d = definitions();
  assert.deepEqual(
    { type: d['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].type, format: d['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format },
    { type: 'string', format: 'date-time' },
  );
  const ios = d['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(ios.format, 'int-or-string');
  assert.equal(ios['x-kubernetes-int-or-string'], true);
  assert.equal(d['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
  assert.equal(d['io.k8s.apimachinery.pkg.runtime.RawExtension'].type, 'object');
  assert.equal(d['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON'].type, undefined);
  const rollingUpdate = resolve('io.k8s.api.apps.v1.RollingUpdateDeployment')!;
  assert.equal(ref(rollingUpdate.properties!.maxSurge), '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  // Integers carry their width; almost everything is int32.
  assert.deepEqual(resolve('io.k8s.api.apps.v1.DeploymentSpec')!.properties!.replicas, {
    description: resolve('io.k8s.api.apps.v1.DeploymentSpec')!.properties!.replicas.description, type: 'integer', format: 'int32',
  });
  assert.equal(resolve('io.k8s.api.core.v1.PodSpec')!.properties!.terminationGracePeriodSeconds.format, 'int64');
  assert.equal(resolve('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!.properties!.generation.format, 'int64');
  assert.equal((resolve('io.k8s.api.core.v1.Secret')!.properties!.data.additionalProperties as Schema).format, 'byte');
  assert.equal(d['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type'], 'atomic');
  // Meta kinds learn their GVKs at load time.
  assert.deepEqual(d['io.k8s.apimachinery.pkg.apis.meta.v1.Status']['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Status', version: 'v1' }]);
  const del = d['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']['x-kubernetes-group-version-kind']!;
  assert.ok(del.some((g) => g.group === 'apps' && g.version === 'v1'));
  assert.equal(definitionNameOf('apps', 'v1', 'DeleteOptions'), 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
});

test('merge keys and list types from upstream struct tags', () => {
  const podSpec = resolve('io.k8s.api.core.v1.PodSpec')!.properties!;
  for (const f of ['containers', 'initContainers', 'ephemeralContainers', 'volumes', 'imagePullSecrets']) {
    assert.equal(podSpec[f]['x-kubernetes-patch-merge-key'], 'name', f);
    assert.equal(podSpec[f]['x-kubernetes-list-type'], 'map', f);
  }
  assert.equal(podSpec.volumes['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  assert.equal(podSpec.hostAliases['x-kubernetes-patch-merge-key'], 'ip');
  assert.equal(podSpec.tolerations['x-kubernetes-list-type'], 'atomic');
  assert.deepEqual(podSpec.topologySpreadConstraints['x-kubernetes-list-map-keys'], ['topologyKey', 'whenUnsatisfiable']);

  assert.deepEqual(patchMeta('', 'v1', 'Pod', ['spec', 'containers', 'ports']),
    { mergeKey: 'containerPort', strategy: 'merge', listType: 'map', listMapKeys: ['containerPort', 'protocol'] });
  assert.deepEqual(patchMeta('', 'v1', 'Service', ['spec', 'ports']),
    { mergeKey: 'port', strategy: 'merge', listType: 'map', listMapKeys: ['port', 'protocol'] });
  assert.equal(patchMeta('apps', 'v1', 'Deployment', ['spec', 'template', 'spec', 'containers', 'env'])?.mergeKey, 'name');
  assert.equal(patchMeta('apps', 'v1', 'Deployment', ['spec', 'template', 'spec', 'containers', 'volumeMounts'])?.mergeKey, 'mountPath');
  assert.equal(patchMeta('apps', 'v1', 'Deployment', ['spec', 'template', 'spec', 'containers', 'volumeDevices'])?.mergeKey, 'devicePath');
  assert.equal(patchMeta('apps', 'v1', 'Deployment', ['status', 'conditions'])?.mergeKey, 'type');
  assert.equal(patchMeta('batch', 'v1', 'CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers'])?.mergeKey, 'name');
  assert.deepEqual(patchMeta('', 'v1', 'ConfigMap', ['metadata', 'finalizers']), { strategy: 'merge', listType: 'set' });
  assert.equal(patchMeta('', 'v1', 'ConfigMap', ['metadata', 'ownerReferences'])?.mergeKey, 'uid');
  assert.deepEqual(patchMeta('', 'v1', 'Pod', ['spec', 'containers', 'command']), { listType: 'atomic' });
  assert.deepEqual(patchMeta('', 'v1', 'Pod', ['metadata', 'labels', 'app']), {});
  assert.deepEqual(patchMeta('apps', 'v1', 'Deployment', ['spec', 'selector']), { mapType: 'atomic' });
  assert.equal(patchMeta('', 'v1', 'Pod', ['spec', 'nosuch']), undefined);
  assert.equal(patchMeta('', 'v1', 'Potato', ['spec']), undefined);
});

test('the schema walker descends objects, maps and lists', () => {
  const pod = schemaNode('', 'v1', 'Pod')!;
  assert.equal(pod.kind, 'object');
  const containers = pod.field('spec')!.field('containers')!;
  assert.equal(containers.kind, 'array');
  assert.equal(containers.meta.mergeKey, 'name');
  const container = containers.items()!;
  assert.equal(container.kind, 'object');
  assert.equal(container.field('image')!.kind, 'scalar');
  const limits = container.field('resources')!.field('limits')!;
  assert.equal(limits.kind, 'map');
  assert.equal(limits.field('cpu')!.kind, 'scalar');
  assert.equal(pod.field('spec')!.field('containers')!.items()!.field('ports')!.items()!.field('containerPort')!.kind, 'scalar');
  assert.equal(container.field('nosuch'), undefined);
  assert.equal(schemaNode('apps', 'v1', 'ControllerRevision')!.field('data')!.kind, 'any');
  // The flattened shape the patch engine consumes (src/apiserver/patch/meta.ts).
  assert.equal(pod.isStruct, true);
  assert.equal(containers.mergeKey, 'name');
  assert.equal(containers.strategy, 'merge');
  assert.equal(containers.listType, 'map');
  assert.deepEqual(containers.listMapKeys, ['name']);
  assert.equal(limits.isStruct, false);
  assert.equal(limits.mapValues()!.kind, 'scalar');
  assert.equal(container.mapValues(), undefined);
  assert.equal(pod.field('metadata')!.field('labels')!.mapValues()!.kind, 'scalar');
  assert.equal(container.field('ports')!.items()!.field('protocol')!.defaultValue, 'TCP');
  assert.equal(schemaNode('apps', 'v1', 'Deployment')!.field('spec')!.field('selector')!.mapType, 'atomic');
  assert.equal(container.field('constructor'), undefined);
  assert.equal(schemaNode('apps', 'v1', 'Deployment')!.field('spec')!.field('strategy')!.field('rollingUpdate')!.field('maxSurge')!.kind, 'scalar');
});

test('findUnknownFields reports paths the way strict decoding does', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', labelz: { a: 'b' }, labels: { 'app.kubernetes.io/name': 'x', whatever: 'y' }, annotations: { 'a/b': 'c' } },
    spec: {
      containers: [
        { name: 'a', image: 'nginx', ports: [{ containerPort: 80, hostPortz: 1 }] },
        { name: 'c', image: 'nginx', commnd: ['sleep', '1'], resources: { limits: { cpu: '1', 'example.com/gpu': 1 } } },
      ],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      volumes: [{ name: 'v', configMap: { name: 'cm', itemz: [] } }],
    },
    status: { phase: 'Pending', bogus: true },
    extra: 1,
  };
  assert.deepEqual(findUnknownFields('', 'v1', 'Pod', pod), [
    'metadata.labelz',
    'spec.containers[0].ports[0].hostPortz',
    'spec.containers[1].commnd',
    'spec.volumes[0].configMap.itemz',
    'status.bogus',
    'extra',
  ]);
  // Maps with arbitrary keys (labels, data, annotations) never report.
  assert.deepEqual(findUnknownFields('', 'v1', 'ConfigMap', {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { x: 'y' } }, data: { anything: 'v', 'with.dots': 'w' }, binaryData: { b: 'AA==' },
  }), []);
  assert.deepEqual(findUnknownFields('', 'v1', 'Secret', { metadata: { name: 's' }, stringData: { k: 'v' }, type: 'Opaque' }), []);
  // Opaque values (RawExtension) and nulls are not descended into.
  assert.deepEqual(findUnknownFields('apps', 'v1', 'ControllerRevision', { metadata: { name: 'r' }, revision: 1, data: { any: { thing: 1 } } }), []);
  assert.deepEqual(findUnknownFields('apps', 'v1', 'Deployment', { spec: null, metadata: { labels: null } }), []);
  // Nested lists in a template, several levels down.
  assert.deepEqual(findUnknownFields('batch', 'v1', 'CronJob', {
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', envv: [] }], initContainers: [{ name: 'i', env: [{ name: 'X', valeu: '1' }] }] } } } } },
  }), ['spec.jobTemplate.spec.template.spec.containers[0].envv', 'spec.jobTemplate.spec.template.spec.initContainers[0].env[0].valeu']);
  // A map of structs: the key is part of the path.
  assert.deepEqual(findUnknownFields('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', {
    spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { spec: { type: 'object', typo: 1 } } } } }] },
  }), ['spec.versions[0].schema.openAPIV3Schema.properties.spec.typo']);
  // Case matters: Go's strict decoder is case-sensitive.
  assert.deepEqual(findUnknownFields('', 'v1', 'ConfigMap', { Metadata: {} }), ['Metadata']);
  assert.deepEqual(findUnknownFields('', 'v1', 'ConfigMap', JSON.parse('{"constructor":1,"__proto__":{},"toString":2}')), ['constructor', '__proto__', 'toString']);
  assert.deepEqual(findUnknownFields('', 'v1', 'Potato', { spec: { x: 1 } }), []);
});

test('findUnknownFields caps its answer at 100 like kube-apiserver', () => {
  const metadata: Record<string, number> = { };
  for (let i = 0; i < 150; i++) metadata[`f${i}`] = i;
  assert.equal(findUnknownFields('', 'v1', 'ConfigMap', { metadata }).length, 100);
});

test('pruneUnknownFields drops unknown fields in place and keeps the rest', () => {
  const obj = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' }, labelz: 1 },
    spec: { containers: [{ name: 'c', image: 'nginx', commnd: ['x'] }] },
  };
  assert.deepEqual(pruneUnknownFields('', 'v1', 'Pod', obj), ['metadata.labelz', 'spec.containers[0].commnd']);
  assert.deepEqual(obj, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  assert.deepEqual(findUnknownFields('', 'v1', 'Pod', obj), []);
});
