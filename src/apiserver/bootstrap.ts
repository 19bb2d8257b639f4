// Control-plane bootstrap objects, ensured at every start: the system namespaces, the
// `kubernetes` Service and its Endpoints/EndpointSlice, the built-in ClusterRoles and
// bindings, and the system PriorityClasses.
import { ApiError } from '../api/errors.js';
import type { Obj } from '../api/types.js';
import { GROUP_ORDER } from '../api/resources.js';
import { firstIP } from './admission/ipalloc.js';
import { BOOTSTRAP_CLUSTER_ROLES, BOOTSTRAP_CLUSTER_ROLE_BINDINGS } from './bootstrap-rbac.js';
import type { Cluster } from './cluster.js';
import type { RequestContext } from './registry/strategy.js';

export interface BootstrapOptions { serviceCIDR: string; advertiseAddress: string; port: number }

function systemContext(): RequestContext {
  return { user: { username: 'system:apiserver', groups: ['system:masters'] }, dryRun: false, now: new Date(), fieldManager: 'kube-apiserver', warnings: [] };
}

async function ensure(cluster: Cluster, group: string, plural: string, ns: string, obj: Obj, reconcile?: (cur: Obj) => Obj | undefined): Promise<void> {
  const reg = cluster.registryByName(group, plural);
  try {
    const cur = await reg.get(ns, obj.metadata.name);
    const next = reconcile?.(cur);
    if (next) await reg.update(ns, obj.metadata.name, systemContext(), () => next);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
    try {
      await reg.create(ns, obj, systemContext());
    } catch (e2) {
      if (!(e2 instanceof ApiError && e2.code === 409)) throw e2;
    }
  }
}

export async function bootstrap(cluster: Cluster, o: BootstrapOptions): Promise<void> {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await ensure(cluster, '', 'namespaces', '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const ip = firstIP(o.serviceCIDR);
  await ensure(cluster, '', 'services', 'default', {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: ip, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.port }], sessionAffinity: 'None' },
  }, (cur) => (cur.spec.ports?.[0]?.targetPort !== o.port ? { ...cur, spec: { ...cur.spec, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.port }] } } : undefined));
  const subsets = [{ addresses: [{ ip: o.advertiseAddress }], ports: [{ name: 'https', port: o.port, protocol: 'TCP' }] }];
  await ensure(cluster, '', 'endpoints', 'default', {
    apiVersion: 'v1', kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets,
  }, (cur) => (JSON.stringify(cur.subsets) !== JSON.stringify(subsets) ? { ...cur, subsets } : undefined));
  const endpoints = [{ addresses: [o.advertiseAddress], conditions: { ready: true } }];
  const ports = [{ name: 'https', port: o.port, protocol: 'TCP' }];
  await ensure(cluster, 'discovery.k8s.io', 'endpointslices', 'default', {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } },
    addressType: 'IPv4', endpoints, ports,
  }, (cur) => (JSON.stringify(cur.endpoints) !== JSON.stringify(endpoints) || JSON.stringify(cur.ports) !== JSON.stringify(ports) ? { ...cur, endpoints, ports } : undefined));

  // the local APIServices kube-aggregator lists for every built-in group-version
  const gvs = [{ group: '', version: 'v1' }, ...GROUP_ORDER.flatMap((g) => g.versions.map((version) => ({ group: g.group, version })))];
  for (const [i, gv] of gvs.entries()) {
    await ensure(cluster, 'apiregistration.k8s.io', 'apiservices', '', {
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
      metadata: { name: `${gv.version}.${gv.group}`, labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
      spec: { group: gv.group, version: gv.version, groupPriorityMinimum: 18000 - i * 100, versionPriority: 15 },
      status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), reason: 'Local', message: 'Local APIServices are always available' }] },
    });
  }

  const rbac = 'rbac.authorization.k8s.io';
  for (const role of BOOTSTRAP_CLUSTER_ROLES) await ensure(cluster, rbac, 'clusterroles', '', role);
  for (const b of BOOTSTRAP_CLUSTER_ROLE_BINDINGS) await ensure(cluster, rbac, 'clusterrolebindings', '', b);

  for (const [name, value] of [['system-node-critical', 2000001000], ['system-cluster-critical', 2000000000]] as const) {
    await ensure(cluster, 'scheduling.k8s.io', 'priorityclasses', '', {
      apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value,
      description: name === 'system-node-critical' ? 'Used for system critical pods that must not be moved from their current node.' : 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
      preemptionPolicy: 'PreemptLowerPriority',
    });
  }
}
