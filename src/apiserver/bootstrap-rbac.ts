// The built-in ClusterRoles and ClusterRoleBindings kube-apiserver reconciles at start
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy). admin/edit/view are aggregated roles:
// their rules come from the aggregate-to-* roles, as upstream.
import type { Obj } from '../api/types.js';

const RBAC = 'rbac.authorization.k8s.io/v1';
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const BOOT_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const ANNOT = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function rule(apiGroups: string[], resources: string[], verbs: string[]): Obj {
  return { apiGroups, resources, verbs };
}

function role(name: string, rules: Obj[], extra: Obj = {}): Obj {
  return { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name, labels: { ...BOOT_LABELS, ...(extra.labels ?? {}) }, annotations: ANNOT }, rules, ...(extra.aggregationRule ? { aggregationRule: extra.aggregationRule } : {}) };
}

function aggregated(name: string, label: string): Obj {
  return role(name, [], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [label]: 'true' } }] } });
}

const viewRules: Obj[] = [
  rule([''], ['pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status', 'limitranges', 'bindings', 'events', 'namespaces', 'namespaces/status'], READ),
  rule(['discovery.k8s.io'], ['endpointslices'], READ),
  rule(['apps'], ['controllerrevisions', 'statefulsets', 'statefulsets/scale', 'statefulsets/status', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status'], READ),
  rule(['autoscaling'], ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], READ),
  rule(['batch'], ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], READ),
  rule(['policy'], ['poddisruptionbudgets', 'poddisruptionbudgets/status'], READ),
  rule(['networking.k8s.io'], ['ingresses', 'ingresses/status', 'networkpolicies'], READ),
];

const editRules: Obj[] = [
  rule([''], ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], READ),
  rule([''], ['serviceaccounts'], ['impersonate']),
  rule([''], ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], WRITE),
  rule([''], ['pods/eviction'], ['create']),
  rule([''], ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], WRITE),
  rule([''], ['serviceaccounts/token'], ['create']),
  rule(['apps'], ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], WRITE),
  rule(['autoscaling'], ['horizontalpodautoscalers'], WRITE),
  rule(['batch'], ['cronjobs', 'jobs'], WRITE),
  rule(['networking.k8s.io'], ['ingresses', 'networkpolicies'], WRITE),
  rule(['policy'], ['poddisruptionbudgets'], WRITE),
  rule(['coordination.k8s.io'], ['leases'], [...READ, ...WRITE]),
];

const adminRules: Obj[] = [
  rule(['authorization.k8s.io'], ['localsubjectaccessreviews'], ['create']),
  rule(['rbac.authorization.k8s.io'], ['rolebindings', 'roles'], [...WRITE, ...READ]),
];

/**
 * metrics-server's role for its API (k3s installs it with metrics-server; skiff serves
 * metrics.k8s.io itself): aggregated into view, edit and admin, so `kubectl top` works for them.
 */
const METRICS_READER: Obj = {
  apiVersion: RBAC, kind: 'ClusterRole',
  metadata: {
    name: 'system:aggregated-metrics-reader',
    labels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true', 'rbac.authorization.k8s.io/aggregate-to-view': 'true' },
  },
  rules: [rule(['metrics.k8s.io'], ['pods', 'nodes'], READ)],
};

export const BOOTSTRAP_CLUSTER_ROLES: Obj[] = [
  METRICS_READER,
  role('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]),
  aggregated('admin', 'rbac.authorization.k8s.io/aggregate-to-admin'),
  aggregated('edit', 'rbac.authorization.k8s.io/aggregate-to-edit'),
  aggregated('view', 'rbac.authorization.k8s.io/aggregate-to-view'),
  role('system:aggregate-to-admin', adminRules, { labels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }),
  role('system:aggregate-to-edit', editRules, { labels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } }),
  role('system:aggregate-to-view', viewRules, { labels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true', 'rbac.authorization.k8s.io/aggregate-to-edit': 'true', 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }),
  role('system:basic-user', [rule(['authorization.k8s.io'], ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], ['create']), rule(['authentication.k8s.io'], ['selfsubjectreviews'], ['create'])]),
  role('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
  role('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
  role('system:monitoring', [{ nonResourceURLs: ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/readyz', '/readyz/*'], verbs: ['get'] }]),
  role('system:node', [
    rule([''], ['nodes', 'nodes/status'], [...READ, 'create', 'patch', 'update']),
    rule([''], ['pods', 'pods/status'], [...READ, 'create', 'delete', 'patch', 'update']),
    rule([''], ['events'], ['create', 'patch', 'update']),
    rule([''], ['configmaps', 'secrets', 'services', 'endpoints', 'persistentvolumeclaims', 'persistentvolumes'], READ),
    rule([''], ['serviceaccounts/token'], ['create']),
    rule(['coordination.k8s.io'], ['leases'], ['create', 'delete', 'get', 'patch', 'update']),
    rule(['storage.k8s.io'], ['csinodes', 'csidrivers', 'volumeattachments'], READ),
  ]),
  role('system:kube-scheduler', [
    rule([''], ['pods/binding', 'bindings'], ['create']),
    rule([''], ['pods', 'nodes', 'namespaces', 'persistentvolumes', 'persistentvolumeclaims', 'services', 'replicationcontrollers'], READ),
    rule([''], ['pods/status'], ['patch', 'update']),
    rule([''], ['events'], ['create', 'patch', 'update']),
    rule(['events.k8s.io'], ['events'], ['create', 'patch', 'update']),
    rule(['coordination.k8s.io'], ['leases'], ['create', 'get', 'update']),
    rule(['apps'], ['replicasets', 'statefulsets'], READ),
    rule(['policy'], ['poddisruptionbudgets'], READ),
    rule(['storage.k8s.io'], ['storageclasses', 'csinodes', 'csidrivers', 'csistoragecapacities'], READ),
  ]),
  role('system:kube-controller-manager', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
];

function binding(name: string, roleName: string, subjects: Obj[]): Obj {
  return { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name, labels: BOOT_LABELS, annotations: ANNOT }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects };
}

const group = (name: string): Obj => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
const user = (name: string): Obj => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });

export const BOOTSTRAP_CLUSTER_ROLE_BINDINGS: Obj[] = [
  binding('cluster-admin', 'cluster-admin', [group('system:masters')]),
  binding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
  binding('system:discovery', 'system:discovery', [group('system:authenticated')]),
  binding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  binding('system:monitoring', 'system:monitoring', [group('system:monitoring')]),
  binding('system:node', 'system:node', [group('system:nodes')]),
  binding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')]),
  binding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')]),
];
