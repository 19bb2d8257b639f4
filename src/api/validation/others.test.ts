import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../errors.js';
import { clone, type Obj } from '../types.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';

function create(group: string, kind: string, o: Obj, version = 'v1'): string {
  applyDefaults(group, version, kind, o);
  const errs = validateCreate(group, version, kind, o);
  return errs.length ? invalid(group, kind, o.metadata?.name ?? '', errs).message : '';
}

function update(group: string, kind: string, o: Obj, old: Obj): string {
  applyDefaults(group, 'v1', kind, o);
  const errs = validateUpdate(group, 'v1', kind, o, old);
  return errs.length ? invalid(group, kind, o.metadata?.name ?? '', errs).message : '';
}

const RBAC = 'rbac.authorization.k8s.io';

test('rbac roles and bindings', () => {
  assert.equal(create(RBAC, 'Role', { metadata: { name: 'r', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }), '');
  assert.equal(create(RBAC, 'Role', { metadata: { name: 'r', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['pods'] }] }),
    'Role.rbac.authorization.k8s.io "r" is invalid: rules[0].verbs: Required value: verbs must contain at least one value');
  assert.ok(create(RBAC, 'Role', { metadata: { name: 'r', namespace: 'default' }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] })
    .includes('rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs'));
  assert.equal(create(RBAC, 'ClusterRole', { metadata: { name: 'system:thing' }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }), '');
  const rb = { metadata: { name: 'rb', namespace: 'default', resourceVersion: '1' }, roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }] };
  assert.equal(create(RBAC, 'RoleBinding', rb), '');
  assert.equal((rb.roleRef as Obj).apiGroup, RBAC, 'roleRef.apiGroup defaulted');
  const moved = clone(rb);
  moved.roleRef.name = 'other';
  assert.ok(update(RBAC, 'RoleBinding', moved, rb).includes('roleRef: Invalid value: '));
  assert.ok(update(RBAC, 'RoleBinding', moved, rb).endsWith(': cannot change roleRef'));
  assert.equal(create(RBAC, 'ClusterRoleBinding', { metadata: { name: 'crb' }, roleRef: { kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] }),
    'ClusterRoleBinding.rbac.authorization.k8s.io "crb" is invalid: subjects[0].namespace: Required value');
});

test('networking', () => {
  assert.equal(create('networking.k8s.io', 'NetworkPolicy', { metadata: { name: 'np', namespace: 'default' }, spec: { podSelector: {} } }), '');
  assert.equal(create('networking.k8s.io', 'NetworkPolicy', { metadata: { name: 'np', namespace: 'default' }, spec: { podSelector: {}, ingress: [{ from: [{}] }] } }),
    'NetworkPolicy.networking.k8s.io "np" is invalid: spec.ingress[0].from[0]: Required value: must specify a peer');
  assert.ok(create('networking.k8s.io', 'NetworkPolicy', {
    metadata: { name: 'np', namespace: 'default' }, spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['192.168.0.0/24'] } }] }] },
  }).includes('spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "192.168.0.0/24": must be a strict subset of `cidr`'));
  const ing = (spec: Obj): Obj => ({ metadata: { name: 'ing', namespace: 'default' }, spec });
  const backend = { service: { name: 'web', port: { number: 80 } } };
  assert.equal(create('networking.k8s.io', 'Ingress', ing({ rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] })), '');
  assert.equal(create('networking.k8s.io', 'Ingress', ing({})),
    'Ingress.networking.k8s.io "ing" is invalid: spec: Invalid value: []interface {}{}: either `defaultBackend` or `rules` must be specified');
  assert.ok(create('networking.k8s.io', 'Ingress', ing({ rules: [{ http: { paths: [{ path: 'x', pathType: 'Exact', backend }] } }] }))
    .includes('spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path'));
  assert.ok(create('networking.k8s.io', 'Ingress', ing({ rules: [{ host: '1.2.3.4', http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] }))
    .includes('spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address'));
});

test('policy, scheduling, coordination, node, storage, discovery', () => {
  const pdb = { metadata: { name: 'pdb', namespace: 'default' }, spec: { minAvailable: 1, maxUnavailable: 1, selector: { matchLabels: { a: 'b' } } } };
  assert.ok(create('policy', 'PodDisruptionBudget', pdb).endsWith(': minAvailable and maxUnavailable cannot be both set'));
  assert.equal(create('policy', 'PodDisruptionBudget', { metadata: { name: 'pdb', namespace: 'default' }, spec: { minAvailable: '50%' } }), '');

  assert.equal(create('scheduling.k8s.io', 'PriorityClass', { metadata: { name: 'high' }, value: 1000000001 }),
    'PriorityClass.scheduling.k8s.io "high" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
  assert.equal(create('scheduling.k8s.io', 'PriorityClass', { metadata: { name: 'system-foo' }, value: 1 }),
    "PriorityClass.scheduling.k8s.io \"system-foo\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class");
  const pc = { metadata: { name: 'high', resourceVersion: '1' }, value: 100 };
  assert.equal(create('scheduling.k8s.io', 'PriorityClass', pc), '');
  assert.equal((pc as Obj).preemptionPolicy, 'PreemptLowerPriority');
  assert.equal(update('scheduling.k8s.io', 'PriorityClass', { ...clone(pc), value: 5 }, pc),
    'PriorityClass.scheduling.k8s.io "high" is invalid: value: Forbidden: may not be changed in an update.');

  assert.equal(create('coordination.k8s.io', 'Lease', { metadata: { name: 'l', namespace: 'kube-node-lease' }, spec: { leaseDurationSeconds: 0 } }),
    'Lease.coordination.k8s.io "l" is invalid: spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0');
  assert.ok(create('node.k8s.io', 'RuntimeClass', { metadata: { name: 'rc' }, handler: 'Bad_Handler' }).startsWith('RuntimeClass.node.k8s.io "rc" is invalid: handler: Invalid value: "Bad_Handler"'));
  assert.equal(create('storage.k8s.io', 'StorageClass', { metadata: { name: 'fast' }, provisioner: 'example.com/disk' }), '');
  assert.equal(create('storage.k8s.io', 'StorageClass', { metadata: { name: 'fast' } }), 'StorageClass.storage.k8s.io "fast" is invalid: provisioner: Required value');
  const sc = { metadata: { name: 'fast', resourceVersion: '1' }, provisioner: 'example.com/disk', parameters: { a: 'b' } };
  applyDefaults('storage.k8s.io', 'v1', 'StorageClass', sc);
  assert.equal(update('storage.k8s.io', 'StorageClass', { ...clone(sc), parameters: { a: 'c' } }, sc),
    'StorageClass.storage.k8s.io "fast" is invalid: parameters: Forbidden: updates to parameters are forbidden.');
  assert.equal(create('discovery.k8s.io', 'EndpointSlice', { metadata: { name: 'es', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ port: 80 }] }), '');
  assert.equal(create('discovery.k8s.io', 'EndpointSlice', { metadata: { name: 'es', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['::1'] }] }),
    'EndpointSlice.discovery.k8s.io "es" is invalid: endpoints[0].addresses[0]: Invalid value: "::1": must be a valid IPv4 address');
});

test('horizontal pod autoscalers (v2 and v1)', () => {
  const hpa = (spec: Obj): Obj => ({ metadata: { name: 'h', namespace: 'default' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, ...spec } });
  const ok = hpa({ maxReplicas: 5 });
  assert.equal(create('autoscaling', 'HorizontalPodAutoscaler', ok, 'v2'), '');
  assert.deepEqual(ok.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.equal(create('autoscaling', 'HorizontalPodAutoscaler', hpa({ minReplicas: 3, maxReplicas: 2 }), 'v2'),
    'HorizontalPodAutoscaler.autoscaling "h" is invalid: spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`');
  assert.equal(create('autoscaling', 'HorizontalPodAutoscaler', hpa({ maxReplicas: 0 }), 'v1'),
    'HorizontalPodAutoscaler.autoscaling "h" is invalid: [spec.maxReplicas: Invalid value: 0: must be greater than 0, spec.maxReplicas: Invalid value: 0: must be greater than or equal to `minReplicas`]');
});

test('kinds without specific rules still get ObjectMeta validation', () => {
  assert.equal(create('', 'ServiceAccount', { metadata: { name: 'Bad', namespace: 'default' } }).startsWith('ServiceAccount "Bad" is invalid: metadata.name: Invalid value: "Bad"'), true);
  assert.equal(create('', 'ConfigMap', { metadata: { name: 'a/b', namespace: 'default' } }).startsWith('ConfigMap "a/b" is invalid: metadata.name: Invalid value: "a/b"'), true);
});

test('virtual review kinds need no name, only a sensible spec', () => {
  assert.equal(create('authorization.k8s.io', 'SelfSubjectAccessReview', { metadata: {}, spec: { resourceAttributes: { verb: 'get', resource: 'pods' } } }), '');
  assert.equal(create('authorization.k8s.io', 'SelfSubjectAccessReview', { metadata: {}, spec: {} }),
    'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
  assert.equal(create('authorization.k8s.io', 'SubjectAccessReview', { metadata: {}, spec: { nonResourceAttributes: { path: '/healthz', verb: 'get' } } }),
    'SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified');
  assert.equal(create('authentication.k8s.io', 'TokenReview', { metadata: {}, spec: { token: 'x' } }), '');
});
