import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { findResource, RESOURCES, type ResourceInfo } from '../resources.js';
import type { Obj } from '../types.js';
import { printerFor, tableFor, toTable } from './table.js';

const NOW = new Date('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW.getTime() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function ri(group: string, version: string, plural: string): ResourceInfo {
  const r = findResource(group, version, plural);
  assert.ok(r, `${group}/${version}/${plural}`);
  return r;
}

/** The header line kubectl prints: upper-cased column names, wide ones only with -o wide. */
function header(r: ResourceInfo, wide = false): string {
  return toTable(r, [], { now: NOW }).columnDefinitions
    .filter((c) => wide || c.priority === 0)
    .map((c) => String(c.name).toUpperCase())
    .join(' ');
}

function cells(r: ResourceInfo, obj: Obj): unknown[] {
  return toTable(r, [obj], { now: NOW }).rows[0].cells;
}

const meta = (name: string, age: number, extra: Obj = {}): Obj => ({ name, namespace: 'default', creationTimestamp: ago(age), uid: `uid-${name}`, resourceVersion: '7', ...extra });

test('headers match kube-apiserver 1.32 for the main resources', () => {
  const cases: [string, string, string, string, string][] = [
    ['', 'v1', 'pods', 'NAME READY STATUS RESTARTS AGE', 'NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES'],
    ['', 'v1', 'services', 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE', 'NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR'],
    ['', 'v1', 'secrets', 'NAME TYPE DATA AGE', 'NAME TYPE DATA AGE'],
    ['', 'v1', 'configmaps', 'NAME DATA AGE', 'NAME DATA AGE'],
    ['', 'v1', 'namespaces', 'NAME STATUS AGE', 'NAME STATUS AGE'],
    ['', 'v1', 'nodes', 'NAME STATUS ROLES AGE VERSION', 'NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME'],
    ['', 'v1', 'events', 'LAST SEEN TYPE REASON OBJECT MESSAGE', 'LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME'],
    ['events.k8s.io', 'v1', 'events', 'LAST SEEN TYPE REASON OBJECT MESSAGE', 'LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME'],
    ['', 'v1', 'serviceaccounts', 'NAME SECRETS AGE', 'NAME SECRETS AGE'],
    ['', 'v1', 'endpoints', 'NAME ENDPOINTS AGE', 'NAME ENDPOINTS AGE'],
    ['', 'v1', 'replicationcontrollers', 'NAME DESIRED CURRENT READY AGE', 'NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR'],
    ['', 'v1', 'podtemplates', 'NAME CONTAINERS IMAGES POD LABELS', 'NAME CONTAINERS IMAGES POD LABELS'],
    ['', 'v1', 'persistentvolumes', 'NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE', 'NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE VOLUMEMODE'],
    ['', 'v1', 'persistentvolumeclaims', 'NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE', 'NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE VOLUMEMODE'],
    ['', 'v1', 'resourcequotas', 'NAME AGE REQUEST LIMIT', 'NAME AGE REQUEST LIMIT'],
    ['', 'v1', 'limitranges', 'NAME CREATED AT', 'NAME CREATED AT'],
    ['apps', 'v1', 'deployments', 'NAME READY UP-TO-DATE AVAILABLE AGE', 'NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR'],
    ['apps', 'v1', 'replicasets', 'NAME DESIRED CURRENT READY AGE', 'NAME DESIRED CURRENT READY AGE CONTAINERS IMAGES SELECTOR'],
    ['apps', 'v1', 'statefulsets', 'NAME READY AGE', 'NAME READY AGE CONTAINERS IMAGES'],
    ['apps', 'v1', 'daemonsets', 'NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE', 'NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE CONTAINERS IMAGES SELECTOR'],
    ['apps', 'v1', 'controllerrevisions', 'NAME CONTROLLER REVISION AGE', 'NAME CONTROLLER REVISION AGE'],
    ['batch', 'v1', 'jobs', 'NAME STATUS COMPLETIONS DURATION AGE', 'NAME STATUS COMPLETIONS DURATION AGE CONTAINERS IMAGES SELECTOR'],
    ['batch', 'v1', 'cronjobs', 'NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', 'NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE CONTAINERS IMAGES SELECTOR'],
    ['autoscaling', 'v2', 'horizontalpodautoscalers', 'NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE', 'NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE'],
    ['networking.k8s.io', 'v1', 'ingresses', 'NAME CLASS HOSTS ADDRESS PORTS AGE', 'NAME CLASS HOSTS ADDRESS PORTS AGE'],
    ['networking.k8s.io', 'v1', 'ingressclasses', 'NAME CONTROLLER PARAMETERS AGE', 'NAME CONTROLLER PARAMETERS AGE'],
    ['networking.k8s.io', 'v1', 'networkpolicies', 'NAME POD-SELECTOR AGE', 'NAME POD-SELECTOR AGE'],
    ['policy', 'v1', 'poddisruptionbudgets', 'NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE', 'NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE'],
    ['rbac.authorization.k8s.io', 'v1', 'roles', 'NAME CREATED AT', 'NAME CREATED AT'],
    ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'NAME CREATED AT', 'NAME CREATED AT'],
    ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'NAME ROLE AGE', 'NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS'],
    ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'NAME ROLE AGE', 'NAME ROLE AGE USERS GROUPS SERVICEACCOUNTS'],
    ['certificates.k8s.io', 'v1', 'certificatesigningrequests', 'NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION', 'NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION'],
    ['coordination.k8s.io', 'v1', 'leases', 'NAME HOLDER AGE', 'NAME HOLDER AGE'],
    ['scheduling.k8s.io', 'v1', 'priorityclasses', 'NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', 'NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY'],
    ['node.k8s.io', 'v1', 'runtimeclasses', 'NAME HANDLER AGE', 'NAME HANDLER AGE'],
    ['storage.k8s.io', 'v1', 'storageclasses', 'NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE', 'NAME PROVISIONER RECLAIMPOLICY VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE'],
    ['storage.k8s.io', 'v1', 'csidrivers', 'NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE', 'NAME ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE'],
    ['storage.k8s.io', 'v1', 'csinodes', 'NAME DRIVERS AGE', 'NAME DRIVERS AGE'],
    ['storage.k8s.io', 'v1', 'csistoragecapacities', 'NAME STORAGECLASSNAME CAPACITY', 'NAME STORAGECLASSNAME CAPACITY'],
    ['storage.k8s.io', 'v1', 'volumeattachments', 'NAME ATTACHER PV NODE ATTACHED AGE', 'NAME ATTACHER PV NODE ATTACHED AGE'],
    ['admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'NAME WEBHOOKS AGE', 'NAME WEBHOOKS AGE'],
    ['admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'NAME WEBHOOKS AGE', 'NAME WEBHOOKS AGE'],
    ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'NAME CREATED AT', 'NAME CREATED AT'],
    ['discovery.k8s.io', 'v1', 'endpointslices', 'NAME ADDRESSTYPE PORTS ENDPOINTS AGE', 'NAME ADDRESSTYPE PORTS ENDPOINTS AGE'],
  ];
  for (const [g, v, p, normal, wide] of cases) {
    const r = ri(g, v, p);
    assert.equal(header(r), normal, `${p}.${g}`);
    assert.equal(header(r, true), wide, `${p}.${g} -o wide`);
  }
});

test('every resource in the scheme prints a row whose width matches its columns', () => {
  for (const r of RESOURCES) {
    const t = toTable(r, [{}, { metadata: { name: 'x', creationTimestamp: ago(5000) } }], { now: NOW });
    for (const row of t.rows) assert.equal(row.cells.length, t.columnDefinitions.length, `${r.plural}.${r.group}`);
    for (const c of t.columnDefinitions) {
      assert.deepEqual(Object.keys(c).sort(), ['description', 'format', 'name', 'priority', 'type'], `${r.plural} column shape`);
    }
  }
});

test('column definitions carry upstream types, formats and priorities', () => {
  const pods = toTable(ri('', 'v1', 'pods'), []).columnDefinitions;
  assert.deepEqual(pods.map((c) => [c.name, c.type, c.format, c.priority]), [
    ['Name', 'string', 'name', 0], ['Ready', 'string', '', 0], ['Status', 'string', '', 0], ['Restarts', 'string', '', 0],
    ['Age', 'string', '', 0], ['IP', 'string', '', 1], ['Node', 'string', '', 1], ['Nominated Node', 'string', '', 1], ['Readiness Gates', 'string', '', 1],
  ]);
  const roles = toTable(ri('rbac.authorization.k8s.io', 'v1', 'roles'), []).columnDefinitions;
  assert.deepEqual(roles.map((c) => [c.name, c.type, c.format, c.priority]), [['Name', 'string', 'name', 0], ['Created At', 'date', '', 0]]);
  const secrets = toTable(ri('', 'v1', 'secrets'), []).columnDefinitions;
  assert.deepEqual(secrets.map((c) => c.type), ['string', 'string', 'string', 'string']);
  for (const c of pods) assert.ok(typeof c.description === 'string' && c.description.length > 0);
});

test('services of each type', () => {
  const svc = ri('', 'v1', 'services');
  const base = (spec: Obj, status: Obj = {}): Obj => ({ metadata: meta('s', 45 * DAY), spec, status });
  const cases: [string, Obj, unknown[]][] = [
    ['ClusterIP', base({ type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { 'k8s-app': 'kube-dns' } }),
      ['s', 'ClusterIP', '10.96.0.10', '<none>', '53/UDP,53/TCP', '45d', 'k8s-app=kube-dns']],
    ['headless', base({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80, protocol: 'TCP' }] }),
      ['s', 'ClusterIP', 'None', '<none>', '80/TCP', '45d', '<none>']],
    ['ClusterIP with externalIPs', base({ type: 'ClusterIP', clusterIPs: ['10.0.0.1'], externalIPs: ['1.2.3.4', '5.6.7.8'], ports: [{ port: 80, protocol: 'TCP' }] }),
      ['s', 'ClusterIP', '10.0.0.1', '1.2.3.4,5.6.7.8', '80/TCP', '45d', '<none>']],
    ['NodePort', base({ type: 'NodePort', clusterIPs: ['10.0.0.2'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], selector: { app: 'web' } }),
      ['s', 'NodePort', '10.0.0.2', '<none>', '80:30080/TCP', '45d', 'app=web']],
    ['LoadBalancer pending', base({ type: 'LoadBalancer', clusterIPs: ['10.0.0.3'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }),
      ['s', 'LoadBalancer', '10.0.0.3', '<pending>', '443:31443/TCP', '45d', '<none>']],
    ['LoadBalancer with ingress', base({ type: 'LoadBalancer', clusterIPs: ['10.0.0.3'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] },
      { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.10' }] } }),
      ['s', 'LoadBalancer', '10.0.0.3', '203.0.113.10,203.0.113.9,lb.example.com', '443:31443/TCP', '45d', '<none>']],
    ['LoadBalancer ingress plus externalIPs', base({ type: 'LoadBalancer', clusterIPs: ['10.0.0.3'], externalIPs: ['9.9.9.9'], ports: [{ port: 80, nodePort: 30001, protocol: 'TCP' }] },
      { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } }),
      ['s', 'LoadBalancer', '10.0.0.3', '1.1.1.1,9.9.9.9', '80:30001/TCP', '45d', '<none>']],
    ['ExternalName', base({ type: 'ExternalName', externalName: 'db.example.com' }),
      ['s', 'ExternalName', '<none>', 'db.example.com', '<none>', '45d', '<none>']],
    ['kubernetes service', { metadata: meta('kubernetes', 3 * HOUR + 5 * MIN), spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }] } },
      ['kubernetes', 'ClusterIP', '10.96.0.1', '<none>', '443/TCP', '3h5m', '<none>']],
  ];
  for (const [name, obj, want] of cases) assert.deepEqual(cells(svc, obj), want, name);
});

test('deployments, replicasets, statefulsets, daemonsets', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };
  const dep = { metadata: meta('web', 90_000), spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  assert.deepEqual(cells(ri('apps', 'v1', 'deployments'), dep), ['web', '2/3', 3, 2, '90s', 'nginx,side', 'nginx:1.25,busybox', 'app=web']);
  const fresh = { metadata: meta('new', 1000), spec: { replicas: 1, selector: { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] }, template } };
  assert.deepEqual(cells(ri('apps', 'v1', 'deployments'), fresh), ['new', '0/1', 0, 0, '1s', 'nginx,side', 'nginx:1.25,busybox', 'app=x,tier in (a,b)']);
  const broken = { metadata: meta('bad', 1000), spec: { replicas: 1, selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] }, template } };
  assert.equal(cells(ri('apps', 'v1', 'deployments'), broken)[7], '<invalid>');

  const rs = { metadata: meta('web-6d4b', 2 * DAY + 3 * HOUR), spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': '6d4b' } }, template }, status: { replicas: 2, readyReplicas: 1 } };
  assert.deepEqual(cells(ri('apps', 'v1', 'replicasets'), rs), ['web-6d4b', 2, 2, 1, '2d3h', 'nginx,side', 'nginx:1.25,busybox', 'app=web,pod-template-hash=6d4b']);

  const sts = { metadata: meta('db', 5 * MIN), spec: { replicas: 3, template }, status: { readyReplicas: 3 } };
  assert.deepEqual(cells(ri('apps', 'v1', 'statefulsets'), sts), ['db', '3/3', '5m', 'nginx,side', 'nginx:1.25,busybox']);

  const ds = {
    metadata: meta('agent', 4 * HOUR),
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'a', image: 'agent:1' }] } } },
    status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
  };
  assert.deepEqual(cells(ri('apps', 'v1', 'daemonsets'), ds), ['agent', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '4h', 'a', 'agent:1', 'app=agent']);

  const cr = { metadata: meta('agent-5f', 60_000, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', controller: true }] }), revision: 4 };
  assert.deepEqual(cells(ri('apps', 'v1', 'controllerrevisions'), cr), ['agent-5f', 'daemonset.apps/agent', 4, '60s']);
  assert.equal(cells(ri('apps', 'v1', 'controllerrevisions'), { metadata: meta('orphan', 1000), revision: 1 })[1], '<none>');
});

test('nodes: status, roles, wide info', () => {
  const nodes = ri('', 'v1', 'nodes');
  const node = (spec: Obj, conditions: Obj[], labels: Obj = {}): Obj => ({
    metadata: { name: 'n1', creationTimestamp: ago(10 * DAY), labels },
    spec,
    status: {
      conditions,
      addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '192.168.1.10' }],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'containerd://1.6.20' },
    },
  });
  assert.deepEqual(
    cells(nodes, node({}, [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }], { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/etcd': 'true', 'kubernetes.io/hostname': 'n1' })),
    ['n1', 'Ready', 'control-plane,etcd', '10d', 'v1.32.0', '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'containerd://1.6.20'],
  );
  assert.deepEqual(cells(nodes, node({ unschedulable: true }, [{ type: 'Ready', status: 'True' }])).slice(1, 3), ['Ready,SchedulingDisabled', '<none>']);
  assert.deepEqual(cells(nodes, node({}, [{ type: 'Ready', status: 'Unknown' }], { 'kubernetes.io/role': 'worker' })).slice(1, 3), ['NotReady', 'worker']);
  assert.deepEqual(cells(nodes, node({ unschedulable: true }, [])).slice(1, 3), ['Unknown,SchedulingDisabled', '<none>']);
  const bare = cells(nodes, { metadata: { name: 'n2', creationTimestamp: ago(1000) } });
  assert.deepEqual(bare, ['n2', 'Unknown', '<none>', '1s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});

test('secrets, configmaps, namespaces, serviceaccounts', () => {
  assert.deepEqual(cells(ri('', 'v1', 'secrets'), { metadata: meta('db', 30_000), type: 'Opaque', data: { user: 'YQ==', password: 'Yg==' } }), ['db', 'Opaque', 2, '30s']);
  assert.deepEqual(cells(ri('', 'v1', 'secrets'), { metadata: meta('tls', 30_000), type: 'kubernetes.io/tls' }), ['tls', 'kubernetes.io/tls', 0, '30s']);
  assert.deepEqual(cells(ri('', 'v1', 'configmaps'), { metadata: meta('cfg', 8 * HOUR), data: { a: '1' }, binaryData: { b: 'AA==' } }), ['cfg', 2, '8h']);
  assert.deepEqual(cells(ri('', 'v1', 'configmaps'), { metadata: meta('empty', 8 * HOUR) }), ['empty', 0, '8h']);
  assert.deepEqual(cells(ri('', 'v1', 'namespaces'), { metadata: { name: 'kube-system', creationTimestamp: ago(3 * 365 * DAY) }, status: { phase: 'Active' } }), ['kube-system', 'Active', '3y']);
  assert.deepEqual(cells(ri('', 'v1', 'namespaces'), { metadata: { name: 'gone', creationTimestamp: ago(1000), deletionTimestamp: ago(0) }, status: { phase: 'Terminating' } }), ['gone', 'Terminating', '1s']);
  assert.deepEqual(cells(ri('', 'v1', 'serviceaccounts'), { metadata: meta('default', 5000) }), ['default', 0, '5s']);
});

test('events in both API shapes', () => {
  const core = {
    metadata: meta('web.17c', 10 * MIN),
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled', message: ' Successfully pulled image "nginx"\n', type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(9 * MIN), lastTimestamp: ago(2 * MIN), count: 4,
  };
  assert.deepEqual(cells(ri('', 'v1', 'events'), core),
    ['2m', 'Normal', 'Pulled', 'pod/web', 'spec.containers{nginx}', 'kubelet, node-1', 'Successfully pulled image "nginx"', '9m', 4, 'web.17c']);

  const modern = {
    metadata: meta('web.18d', 10 * MIN),
    regarding: { kind: 'Deployment', name: 'web', namespace: 'default' },
    reason: 'ScalingReplicaSet', note: 'Scaled up replica set web-6d4b to 3', type: 'Normal',
    eventTime: '2024-05-01T11:59:30.000000Z', reportingController: 'deployment-controller', reportingInstance: 'cp-1',
  };
  assert.deepEqual(cells(ri('events.k8s.io', 'v1', 'events'), modern),
    ['30s', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller, cp-1', 'Scaled up replica set web-6d4b to 3', '30s', 1, 'web.18d']);

  const series = { ...core, series: { count: 12, lastObservedTime: '2024-05-01T11:59:55.000000Z' } };
  const c = cells(ri('', 'v1', 'events'), series);
  assert.equal(c[0], '5s');
  assert.equal(c[8], 12);
  const clusterEvent = { metadata: meta('n.1', 1000), involvedObject: { kind: 'Node' }, type: 'Warning', reason: 'X', message: 'm' };
  assert.deepEqual(cells(ri('', 'v1', 'events'), clusterEvent).slice(0, 4), ['<unknown>', 'Warning', 'X', 'node']);
});

test('jobs and cronjobs', () => {
  const jobs = ri('batch', 'v1', 'jobs');
  const job = (spec: Obj, status: Obj, extraMeta: Obj = {}): Obj => ({
    metadata: meta('pi', 20 * MIN, extraMeta),
    spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }] } }, ...spec },
    status,
  });
  const cases: [string, Obj, unknown[]][] = [
    ['running', job({ completions: 1, parallelism: 1 }, { startTime: ago(3 * MIN + 20_000), active: 1 }), ['pi', 'Running', '0/1', '3m20s', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
    ['complete', job({ completions: 1 }, { startTime: ago(10 * MIN), completionTime: ago(10 * MIN - 42_000), succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] }), ['pi', 'Complete', '1/1', '42s', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
    ['failed', job({ completions: 3 }, { startTime: ago(5 * MIN), succeeded: 1, failed: 6, conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] }), ['pi', 'Failed', '1/3', '5m', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
    ['suspended', job({ completions: 1, suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }), ['pi', 'Suspended', '0/1', '', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
    ['failure target', job({ completions: 1 }, { startTime: ago(MIN), conditions: [{ type: 'FailureTarget', status: 'True' }] }), ['pi', 'FailureTarget', '0/1', '60s', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
    ['terminating', job({ completions: 1 }, { startTime: ago(MIN) }, { deletionTimestamp: ago(0) }), ['pi', 'Terminating', '0/1', '60s', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
    ['work queue', job({ parallelism: 4 }, { succeeded: 2 }), ['pi', 'Running', '2/1 of 4', '', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
    ['no completions, single', job({ parallelism: 1 }, {}), ['pi', 'Running', '0/1', '', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
    ['condition False does not count', job({ completions: 1 }, { conditions: [{ type: 'Complete', status: 'False' }] }), ['pi', 'Running', '0/1', '', '20m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=u1']],
  ];
  for (const [name, obj, want] of cases) assert.deepEqual(cells(jobs, obj), want, name);

  const cj = {
    metadata: meta('hello', 2 * DAY),
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }] } } } }, suspend: false },
    status: { active: [{ name: 'hello-1' }], lastScheduleTime: ago(4 * MIN) },
  };
  assert.deepEqual(cells(ri('batch', 'v1', 'cronjobs'), cj), ['hello', '*/5 * * * *', '<none>', 'False', 1, '4m', '2d', 'hello', 'busybox', '<none>']);
  const cj2 = { metadata: meta('tz', 1000), spec: { schedule: '@daily', timeZone: 'Etc/UTC', jobTemplate: { spec: { template: { spec: { containers: [] } } } } } };
  assert.deepEqual(cells(ri('batch', 'v1', 'cronjobs'), cj2).slice(1, 6), ['@daily', 'Etc/UTC', '<unset>', 0, '<none>']);
});

test('default table for resources without a printer (Created At in RFC 3339)', () => {
  const roles = ri('rbac.authorization.k8s.io', 'v1', 'roles');
  assert.deepEqual(cells(roles, { metadata: { name: 'reader', namespace: 'default', creationTimestamp: '2024-04-30T08:15:00Z' } }), ['reader', '2024-04-30T08:15:00Z']);
  assert.deepEqual(cells(roles, { metadata: { name: 'x' } }), ['x', '0001-01-01T00:00:00Z']);
  const crds = ri('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
  assert.deepEqual(cells(crds, { metadata: { name: 'widgets.example.com', creationTimestamp: '2024-01-02T03:04:05Z' } }), ['widgets.example.com', '2024-01-02T03:04:05Z']);
  assert.equal(printerFor({ group: 'example.com', kind: 'Widget' }).columns[1].name, 'Created At');
});

test('rows carry PartialObjectMetadata by default, or the object, or nothing', () => {
  const cms = ri('', 'v1', 'configmaps');
  const cm = { metadata: meta('cfg', 1000, { labels: { a: 'b' } }), data: { k: 'v' } };
  const byDefault = toTable(cms, [cm], { now: NOW }).rows[0];
  assert.deepEqual(byDefault.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm.metadata });
  assert.equal('conditions' in byDefault, false);
  assert.deepEqual(toTable(cms, [cm], { includeObject: 'Metadata', tableGroupVersion: 'meta.k8s.io/v1beta1' }).rows[0].object.apiVersion, 'meta.k8s.io/v1beta1');
  assert.deepEqual(toTable(cms, [cm], { includeObject: 'Object' }).rows[0].object, { apiVersion: 'v1', kind: 'ConfigMap', ...cm });
  const typed = { apiVersion: 'v1', kind: 'ConfigMap', ...cm };
  assert.equal(toTable(cms, [typed], { includeObject: 'Object' }).rows[0].object, typed);
  assert.equal(toTable(cms, [cm], { includeObject: 'None' }).rows[0].object, null);
  assert.throws(() => toTable(cms, [], { includeObject: 'Everything' }),
    (e: unknown) => e instanceof ApiError && e.code === 400 && e.message === 'unrecognized includeObject value: "Everything"');
  assert.deepEqual(toTable(cms, [cm], { noHeaders: true }).columnDefinitions, []);

  const pods = ri('', 'v1', 'pods');
  const done = toTable(pods, [{ metadata: meta('p', 1000), spec: { containers: [] }, status: { phase: 'Succeeded' } }], { now: NOW }).rows[0];
  assert.deepEqual(done.conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});

test('tableFor wraps a complete Table', () => {
  const t = tableFor(ri('', 'v1', 'namespaces'), [{ metadata: { name: 'default', creationTimestamp: ago(DAY) }, status: { phase: 'Active' } }],
    { resourceVersion: '42', continue: 'abc', remainingItemCount: 3 }, { now: NOW });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '42', continue: 'abc', remainingItemCount: 3 });
  assert.deepEqual(t.rows[0].cells, ['default', 'Active', '24h']);
  assert.deepEqual(tableFor(ri('', 'v1', 'namespaces'), [], {}).metadata, {});
});
