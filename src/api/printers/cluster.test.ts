import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../resources.js';
import type { Obj } from '../types.js';
import { toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString();
const meta = (name: string, extra: Obj = {}): Obj => ({ name, namespace: 'default', creationTimestamp: ago(60_000), ...extra });

function cells(group: string, version: string, plural: string, obj: Obj): unknown[] {
  const r: ResourceInfo | undefined = findResource(group, version, plural);
  assert.ok(r);
  return toTable(r, [obj], { now: NOW }).rows[0].cells;
}

test('endpoints and endpointslices abbreviate after three addresses', () => {
  const ep = {
    metadata: meta('web'),
    subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }],
  };
  assert.deepEqual(cells('', 'v1', 'endpoints', ep), ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...', '60s']);
  assert.deepEqual(cells('', 'v1', 'endpoints', { metadata: meta('none') }), ['none', '<none>', '60s']);
  assert.deepEqual(cells('', 'v1', 'endpoints', { metadata: meta('h'), subsets: [{ addresses: [{ ip: 'fd00::1' }] }] })[1], 'fd00::1');
  assert.deepEqual(cells('', 'v1', 'endpoints', { metadata: meta('v6'), subsets: [{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 53 }] }] })[1], '[fd00::1]:53');

  const slice = {
    metadata: meta('web-abc'), addressType: 'IPv4',
    ports: [{ port: 80, name: 'http' }, { name: 'named' }, {}, { port: 9 }],
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3', '10.0.0.4'] }],
  };
  assert.deepEqual(cells('discovery.k8s.io', 'v1', 'endpointslices', slice), ['web-abc', 'IPv4', '80,named,* + 1 more...', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '60s']);
  assert.deepEqual(cells('discovery.k8s.io', 'v1', 'endpointslices', { metadata: meta('e'), addressType: 'IPv6' }), ['e', 'IPv6', '<unset>', '<unset>', '60s']);
});

test('storage: persistent volumes, claims, storage classes', () => {
  const pv = {
    metadata: meta('pv1', { namespace: undefined }),
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'local' },
    status: { phase: 'Bound' },
  };
  assert.deepEqual(cells('', 'v1', 'persistentvolumes', pv), ['pv1', '10Gi', 'RWO,ROX', 'Retain', 'Bound', 'default/data', 'local', '<unset>', '', '60s', '<unset>']);

  const pending = { metadata: meta('data'), spec: { resources: { requests: { storage: '1Gi' } }, storageClassName: 'local', volumeMode: 'Filesystem' }, status: { phase: 'Pending' } };
  assert.deepEqual(cells('', 'v1', 'persistentvolumeclaims', pending), ['data', 'Pending', '', '', '', 'local', '<unset>', '60s', 'Filesystem']);
  const bound = { metadata: meta('data', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } }), spec: { volumeName: 'pv1', storageClassName: 'local' }, status: { phase: 'Bound', capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOncePod'] } };
  assert.deepEqual(cells('', 'v1', 'persistentvolumeclaims', bound), ['data', 'Bound', 'pv1', '10Gi', 'RWOP', 'old', '<unset>', '60s', '<unset>']);

  const sc = { metadata: { name: 'standard', creationTimestamp: ago(60_000), annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' };
  assert.deepEqual(cells('storage.k8s.io', 'v1', 'storageclasses', sc), ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '60s']);
});

test('resource quotas split limits.* into their own column', () => {
  const q = {
    metadata: meta('compute'),
    status: {
      hard: { 'requests.cpu': '1', 'requests.memory': '1Gi', 'limits.cpu': '2', 'limits.memory': '2Gi', pods: '10' },
      used: { 'requests.cpu': '500m', 'limits.cpu': '1', pods: '3' },
    },
  };
  assert.deepEqual(cells('', 'v1', 'resourcequotas', q), ['compute', '60s', 'pods: 3/10, requests.cpu: 500m/1, requests.memory: 0/1Gi', 'limits.cpu: 1/2, limits.memory: 0/2Gi']);
});

test('networking, policy and rbac printers', () => {
  const ing = {
    metadata: meta('web'),
    spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example.com' }, { host: 'b.example.com' }, {}, { host: 'd.example.com' }], tls: [{ hosts: ['a.example.com'] }] },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } },
  };
  // A rule without a host takes no slot; only a fourth host triggers the "more" suffix.
  assert.deepEqual(cells('networking.k8s.io', 'v1', 'ingresses', ing), ['web', 'nginx', 'a.example.com,b.example.com,d.example.com', '192.0.2.1', '80, 443', '60s']);
  const many = { metadata: meta('many'), spec: { rules: [{ host: 'a' }, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }] } };
  assert.equal(cells('networking.k8s.io', 'v1', 'ingresses', many)[2], 'a,b,c + 2 more...');
  assert.deepEqual(cells('networking.k8s.io', 'v1', 'ingresses', { metadata: meta('any'), spec: {} }), ['any', '<none>', '*', '', '80', '60s']);
  assert.deepEqual(cells('networking.k8s.io', 'v1', 'ingressclasses', { metadata: meta('nginx'), spec: { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }),
    ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/p', '60s']);
  assert.deepEqual(cells('networking.k8s.io', 'v1', 'networkpolicies', { metadata: meta('deny'), spec: { podSelector: {} } }), ['deny', '<none>', '60s']);
  assert.deepEqual(cells('networking.k8s.io', 'v1', 'networkpolicies', { metadata: meta('db'), spec: { podSelector: { matchLabels: { role: 'db' } } } }), ['db', 'role=db', '60s']);

  assert.deepEqual(cells('policy', 'v1', 'poddisruptionbudgets', { metadata: meta('pdb'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }), ['pdb', '50%', 'N/A', 1, '60s']);
  assert.deepEqual(cells('policy', 'v1', 'poddisruptionbudgets', { metadata: meta('pdb'), spec: { maxUnavailable: 1 } }), ['pdb', 'N/A', '1', 0, '60s']);

  const rb = {
    metadata: meta('rb'), roleRef: { kind: 'ClusterRole', name: 'view' },
    subjects: [{ kind: 'User', name: 'alice' }, { kind: 'User', name: 'bob' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', namespace: 'ci', name: 'builder' }],
  };
  assert.deepEqual(cells('rbac.authorization.k8s.io', 'v1', 'rolebindings', rb), ['rb', 'ClusterRole/view', '60s', 'alice, bob', 'devs', 'ci/builder']);
  assert.deepEqual(cells('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', { metadata: meta('crb'), roleRef: { kind: 'ClusterRole', name: 'admin' } }), ['crb', 'ClusterRole/admin', '60s', '', '', '']);
});

test('certificates, leases, scheduling, node, admission, csi', () => {
  const csr = { metadata: meta('csr-1'), spec: { signerName: 'kubernetes.io/kube-apiserver-client', username: 'alice', expirationSeconds: 86400 }, status: { conditions: [{ type: 'Approved' }], certificate: 'LS0t' } };
  assert.deepEqual(cells('certificates.k8s.io', 'v1', 'certificatesigningrequests', csr), ['csr-1', '60s', 'kubernetes.io/kube-apiserver-client', 'alice', '24h', 'Approved,Issued']);
  assert.deepEqual(cells('certificates.k8s.io', 'v1', 'certificatesigningrequests', { metadata: meta('c2'), spec: {}, status: { conditions: [{ type: 'Denied' }, { type: 'Failed' }] } }).slice(2), ['<none>', '', '<none>', 'Denied,Failed']);
  assert.deepEqual(cells('coordination.k8s.io', 'v1', 'leases', { metadata: meta('kube-scheduler'), spec: { holderIdentity: 'cp-1_abc' } }), ['kube-scheduler', 'cp-1_abc', '60s']);
  assert.deepEqual(cells('scheduling.k8s.io', 'v1', 'priorityclasses', { metadata: meta('system-node-critical'), value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' }), ['system-node-critical', 2000001000, false, '60s', 'PreemptLowerPriority']);
  assert.deepEqual(cells('node.k8s.io', 'v1', 'runtimeclasses', { metadata: meta('gvisor'), handler: 'runsc' }), ['gvisor', 'runsc', '60s']);
  assert.deepEqual(cells('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', { metadata: meta('v'), webhooks: [{}, {}] }), ['v', 2, '60s']);
  assert.deepEqual(cells('storage.k8s.io', 'v1', 'csidrivers', { metadata: meta('d'), spec: { volumeLifecycleModes: ['Persistent', 'Ephemeral'], tokenRequests: [{ audience: 'vault' }] } }), ['d', true, false, false, 'vault', false, 'Persistent,Ephemeral', '60s']);
  assert.deepEqual(cells('storage.k8s.io', 'v1', 'csidrivers', { metadata: meta('d2'), spec: { attachRequired: false } }), ['d2', false, false, false, '<unset>', false, '<none>', '60s']);
  assert.deepEqual(cells('storage.k8s.io', 'v1', 'csinodes', { metadata: meta('n1'), spec: { drivers: [{ name: 'd' }] } }), ['n1', 1, '60s']);
  assert.deepEqual(cells('storage.k8s.io', 'v1', 'csistoragecapacities', { metadata: meta('cap'), storageClassName: 'local', capacity: '100Gi' }), ['cap', 'local', '100Gi']);
  assert.deepEqual(cells('storage.k8s.io', 'v1', 'volumeattachments', { metadata: meta('va'), spec: { attacher: 'csi.example.com', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } }, status: { attached: true } }), ['va', 'csi.example.com', 'pv1', 'n1', true, '60s']);
});

test('horizontal pod autoscalers in v2 and v1 shapes', () => {
  const v2 = {
    metadata: meta('web'),
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
        { type: 'Pods', pods: { target: { averageValue: '1k' } } },
      ],
    },
    status: { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 41 } } }] },
  };
  assert.deepEqual(cells('autoscaling', 'v2', 'horizontalpodautoscalers', v2), ['web', 'Deployment/web', 'cpu: 41%/80%, memory: <unknown>/500Mi + 1 more...', '2', 10, 3, '60s']);
  const v1 = { metadata: meta('old'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'old' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 1 } };
  assert.deepEqual(cells('autoscaling', 'v1', 'horizontalpodautoscalers', v1), ['old', 'Deployment/old', 'cpu: <unknown>/50%', '<unset>', 5, 1, '60s']);
  assert.equal(cells('autoscaling', 'v2', 'horizontalpodautoscalers', { metadata: meta('none'), spec: { scaleTargetRef: { kind: 'Deployment', name: 'x' } } })[2], '<none>');
});

test('replication controllers and pod templates', () => {
  const tmpl = { metadata: { labels: { app: 'x', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } };
  assert.deepEqual(cells('', 'v1', 'replicationcontrollers', { metadata: meta('rc'), spec: { replicas: 2, selector: { app: 'x' }, template: tmpl }, status: { replicas: 2, readyReplicas: 2 } }),
    ['rc', 2, 2, 2, '60s', 'c', 'img:1', 'app=x']);
  assert.deepEqual(cells('', 'v1', 'podtemplates', { metadata: meta('pt'), template: tmpl }), ['pt', 'c', 'img:1', 'app=x,tier=fe']);
});
