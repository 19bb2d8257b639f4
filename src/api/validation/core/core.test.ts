import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, invalid } from '../../errors.js';
import { clone, type Obj } from '../../types.js';
import { applyDefaults } from '../../defaults/index.js';
import { validateCreate, validateStatusUpdate, validateUpdate } from '../index.js';

/** Default then validate a new object; '' when valid, else the Status message. */
function create(kind: string, o: Obj, group = '', version = 'v1'): string {
  applyDefaults(group, version, kind, o);
  const errs = validateCreate(group, version, kind, o);
  return errs.length ? invalid(group, kind, o.metadata?.name ?? '', errs).message : '';
}

function update(kind: string, o: Obj, old: Obj, group = '', version = 'v1'): string {
  applyDefaults(group, version, kind, o);
  const errs = validateUpdate(group, version, kind, o, old);
  return errs.length ? invalid(group, kind, o.metadata?.name ?? '', errs).message : '';
}

const pod = (name: string, spec: Obj = {}): Obj => ({
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec },
});

/** A created object as the store would hold it (defaulted, with identity and a version). */
function stored(kind: string, o: Obj): Obj {
  applyDefaults('', 'v1', kind, o);
  o.metadata = { ...o.metadata, uid: 'uid-1', resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z' };
  return o;
}

test('pod messages as kubectl shows them', () => {
  assert.equal(create('Pod', { metadata: { name: 'noimage', namespace: 'ns' }, spec: { containers: [{ name: 'c' }] } }),
    'Pod "noimage" is invalid: spec.containers[0].image: Required value');
  assert.equal(create('Pod', { metadata: { name: 'Upper', namespace: 'ns', labels: { run: 'Upper' } }, spec: { containers: [{ name: 'upper', image: 'nginx' }] } }),
    "Pod \"Upper\" is invalid: metadata.name: Invalid value: \"Upper\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  assert.equal(create('Pod', pod('ok')), '');
});

test('pod spec rules', () => {
  const cases: [Obj, string][] = [
    [{ containers: [] }, 'spec.containers: Required value'],
    [{ containers: [{ name: 'c', image: 'a' }, { name: 'c', image: 'b' }] }, 'spec.containers[1].name: Duplicate value: "c"'],
    [{ containers: [{ name: 'C', image: 'a' }] }, 'spec.containers[0].name: Invalid value: "C": a lowercase RFC 1123 label must consist of'],
    [{ restartPolicy: 'Sometimes' }, 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    [{ dnsPolicy: 'Nope' }, 'spec.dnsPolicy: Unsupported value: "Nope": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"'],
    [{ containers: [{ name: 'c', image: 'a', ports: [{ containerPort: 70000 }] }] }, 'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    [{ containers: [{ name: 'c', image: 'a', ports: [{ containerPort: 80, protocol: 'ICMP' }] }] }, 'spec.containers[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
    [{ containers: [{ name: 'c', image: 'a', volumeMounts: [{ name: 'data', mountPath: '/d' }] }] }, 'spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    [{ containers: [{ name: 'c', image: 'a', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] },
      'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    [{ containers: [{ name: 'c', image: 'a', resources: { limits: { gpu: '1' } } }] }, 'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified'],
    [{ containers: [{ name: 'c', image: 'a', env: [{ name: 'A=B', value: 'x' }] }] }, "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"],
    [{ containers: [{ name: 'c', image: 'a', livenessProbe: { exec: { command: ['true'] }, successThreshold: 2 } }] }, 'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1'],
    [{ volumes: [{ name: 'v', secret: { secretName: 's' }, configMap: { name: 'c' } }] }, 'spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type'],
    [{ tolerations: [{ operator: 'Equal', value: 'x' }] }, 'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'],
    [{ activeDeadlineSeconds: 0 }, 'spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    [{ hostname: 'A' }, 'spec.hostname: Invalid value: "A": a lowercase RFC 1123 label'],
    [{ nodeSelector: { 'bad key!': 'x' } }, 'spec.nodeSelector: Invalid value: "bad key!": name part'],
    [{ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } },
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term'],
  ];
  for (const [spec, want] of cases) {
    const msg = create('Pod', pod('p', spec));
    assert.ok(msg.includes(want), `${JSON.stringify(spec)}\n  got:  ${msg}\n  want: ${want}`);
  }
});

test('ephemeral containers cannot be set on create', () => {
  assert.equal(create('Pod', pod('p', { ephemeralContainers: [{ name: 'dbg', image: 'busybox' }] })),
    'Pod "p" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create');
});

test('pod updates: only images, activeDeadlineSeconds and toleration additions', () => {
  const old = stored('Pod', pod('p', { activeDeadlineSeconds: 100, tolerations: [{ key: 'a', operator: 'Exists' }] }));
  const ok = clone(old);
  ok.spec.containers[0].image = 'nginx:1.27';
  ok.spec.activeDeadlineSeconds = 50;
  ok.spec.tolerations.push({ key: 'b', operator: 'Exists' });
  ok.metadata.labels = { x: 'y' };
  assert.equal(update('Pod', ok, old), '');

  const longer = clone(old);
  longer.spec.activeDeadlineSeconds = 200;
  assert.equal(update('Pod', longer, old), 'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value');

  const changed = clone(old);
  changed.spec.restartPolicy = 'Never';
  const msg = update('Pod', changed, old);
  assert.ok(msg.startsWith('Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{'), msg);
  assert.ok(msg.includes('- \tRestartPolicy: "Always",') && msg.includes('+ \tRestartPolicy: "Never",'), msg);

  const removed = clone(old);
  removed.spec.tolerations = [];
  assert.ok(update('Pod', removed, old).includes('spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'));

  const added = clone(old);
  added.spec.containers.push({ name: 'd', image: 'x' });
  assert.ok(update('Pod', added, old).includes('spec.containers: Forbidden: pod updates may not add or remove containers'));

  const renamed = clone(old);
  renamed.metadata.uid = 'other';
  assert.ok(update('Pod', renamed, old).includes('metadata.uid: Invalid value: "other": field is immutable'));

  const norv = clone(old);
  delete norv.metadata.resourceVersion;
  assert.equal(update('Pod', norv, old), '', 'an unconditional update takes the stored resourceVersion');
  const neither = clone(norv);
  const oldWithout = clone(old);
  delete oldWithout.metadata.resourceVersion;
  assert.ok(update('Pod', neither, oldWithout).includes('metadata.resourceVersion: Invalid value: "": must be specified for an update'));
});

test('pod status updates may not move the pod to another node', () => {
  const old = stored('Pod', pod('p', { nodeName: 'n1' }));
  const moved = clone(old);
  moved.spec.nodeName = 'n2';
  const errs = validateStatusUpdate('', 'v1', 'Pod', moved, old);
  assert.ok(invalid('', 'Pod', 'p', errs).message.includes('status.nodeName: Forbidden: may not be changed directly'));
});

test('namespaces', () => {
  assert.equal(create('Namespace', { metadata: { name: 'Bad_Name' } }),
    "Namespace \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  assert.equal(create('Namespace', { metadata: { name: 'dev-1' } }), '');
  assert.equal(create('Namespace', { metadata: { name: 'a.b' } }), 'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots');
  assert.equal(create('Namespace', { metadata: { name: 'x', namespace: 'y' } }), 'Namespace "x" is invalid: metadata.namespace: Forbidden: not allowed on this type');
});

test('configmaps: keys, size, immutability', () => {
  const cm = (data: Obj, extra: Obj = {}): Obj => ({ metadata: { name: 'cfg', namespace: 'default' }, data, ...extra });
  assert.equal(create('ConfigMap', cm({ 'app.conf': 'x' })), '');
  assert.equal(create('ConfigMap', cm({ 'a b': 'x' })),
    "ConfigMap \"cfg\" is invalid: data[a b]: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  // the error is on the root path (field ""), so only the body is asserted
  assert.ok(create('ConfigMap', cm({ big: 'x'.repeat(1024 * 1024 + 1) })).endsWith('Too long: must have at most 1048576 bytes'));

  const old = stored('ConfigMap', cm({ a: '1' }, { immutable: true }));
  const patched = clone(old);
  patched.data.a = '2';
  assert.equal(update('ConfigMap', patched, old), 'ConfigMap "cfg" is invalid: data: Forbidden: field is immutable when `immutable` is set');
  const unfrozen = clone(old);
  unfrozen.immutable = false;
  assert.equal(update('ConfigMap', unfrozen, old), 'ConfigMap "cfg" is invalid: immutable: Forbidden: field is immutable when `immutable` is set');
  const relabeled = clone(old);
  relabeled.metadata.labels = { a: 'b' };
  assert.equal(update('ConfigMap', relabeled, old), '');
});

test('secrets: type-specific keys, type immutability, stringData', () => {
  const secret = (type: string, data: Obj, extra: Obj = {}): Obj => ({ metadata: { name: 's', namespace: 'default', ...extra }, type, data });
  assert.equal(create('Secret', secret('kubernetes.io/dockerconfigjson', {})), 'Secret "s" is invalid: data[.dockerconfigjson]: Required value');
  assert.equal(create('Secret', secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': Buffer.from('{"auths":{}}').toString('base64') })), '');
  assert.ok(create('Secret', secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': Buffer.from('nope').toString('base64') }))
    .startsWith('Secret "s" is invalid: data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": '));
  assert.equal(create('Secret', secret('kubernetes.io/tls', {})), 'Secret "s" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]');
  assert.equal(create('Secret', secret('kubernetes.io/service-account-token', {})),
    'Secret "s" is invalid: metadata.annotations[kubernetes.io/service-account.name]: Required value');
  assert.equal(create('Secret', secret('kubernetes.io/basic-auth', {})), 'Secret "s" is invalid: [data[username]: Required value, data[password]: Required value]');

  const s = { metadata: { name: 's', namespace: 'default' }, stringData: { password: 'hunter2' } };
  assert.equal(create('Secret', s), '');
  assert.deepEqual(s, { metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } });

  const old = stored('Secret', secret('Opaque', { a: 'MQ==' }));
  const retyped = clone(old);
  retyped.type = 'kubernetes.io/tls';
  assert.ok(update('Secret', retyped, old).includes('type: Invalid value: "kubernetes.io/tls": field is immutable'));
});

test('services', () => {
  const svc = (spec: Obj, name = 'web'): Obj => ({ metadata: { name, namespace: 'default' }, spec });
  assert.equal(create('Service', svc({ ports: [{ port: 80 }], selector: { app: 'web' } })), '');
  assert.equal(create('Service', svc({ selector: { app: 'web' } })), 'Service "web" is invalid: spec.ports: Required value');
  assert.equal(create('Service', svc({ clusterIP: 'None' })), '');
  assert.equal(create('Service', svc({ type: 'ExternalName', externalName: 'example.com' })), '');
  // targetPort defaults to port, so a zero port is reported twice (as upstream does)
  assert.equal(create('Service', svc({ ports: [{ port: 0 }] })),
    'Service "web" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive]');
  assert.equal(create('Service', svc({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] })),
    'Service "web" is invalid: spec.ports[1]: Duplicate value: {"port":80,"protocol":"TCP"}');
  assert.equal(create('Service', svc({ ports: [{ port: 80 }, { port: 81 }] })),
    'Service "web" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]');
  assert.equal(create('Service', svc({ ports: [{ port: 80 }], type: 'Magic' })),
    'Service "web" is invalid: spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"');
  assert.equal(create('Service', svc({ ports: [{ port: 80 }], clusterIP: '10.0.0.300' })),
    'Service "web" is invalid: spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
  assert.ok(create('Service', svc({ ports: [{ port: 80 }] }, '1web')).startsWith('Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label'));
  assert.equal(create('Service', svc({ ports: [{ port: 80, nodePort: 30000 }] })),
    "Service \"web\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");

  const old = stored('Service', svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10' }));
  const moved = clone(old);
  moved.spec.clusterIP = '10.96.0.11';
  moved.spec.clusterIPs = ['10.96.0.11'];
  assert.ok(update('Service', moved, old).includes('spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set'));
  const omitted = clone(old);
  delete omitted.spec.clusterIP;
  delete omitted.spec.clusterIPs;
  assert.equal(update('Service', omitted, old), '', 'an update that omits the clusterIP keeps it');
});

test('persistent volume claims and volumes', () => {
  const pvc = (spec: Obj): Obj => ({ metadata: { name: 'data', namespace: 'default' }, spec });
  assert.equal(create('PersistentVolumeClaim', pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } })), '');
  assert.equal(create('PersistentVolumeClaim', pvc({ resources: { requests: { storage: '1Gi' } } })),
    'PersistentVolumeClaim "data" is invalid: spec.accessModes: Required value: at least 1 access mode is required');
  assert.equal(create('PersistentVolumeClaim', pvc({ accessModes: ['ReadWriteOnce'] })), 'PersistentVolumeClaim "data" is invalid: spec.resources[storage]: Required value');
  assert.equal(create('PersistentVolumeClaim', pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } })),
    'PersistentVolumeClaim "data" is invalid: spec.resources[storage]: Invalid value: "0": must be greater than zero');
  const old = stored('PersistentVolumeClaim', pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }));
  const grown = clone(old);
  grown.spec.resources.requests.storage = '2Gi';
  assert.ok(update('PersistentVolumeClaim', grown, old).includes('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  grown.status = { phase: 'Bound' };
  assert.equal(update('PersistentVolumeClaim', grown, old), '');

  const pv = { metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' }, hostPath: { path: '/data' } } };
  assert.equal(create('PersistentVolume', pv), '');
  assert.equal(create('PersistentVolume', { metadata: { name: 'pv2' }, spec: { accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } }),
    'PersistentVolume "pv2" is invalid: spec: Required value: must specify a volume type');
});

test('metadata: labels, annotations, owner references, finalizers', () => {
  const p = pod('p');
  p.metadata.labels = { 'app.kubernetes.io/name': 'ok', bad: '-x' };
  assert.ok(create('Pod', p).includes('metadata.labels: Invalid value: "-x": a valid label must be an empty string'));
  const big = pod('p');
  big.metadata.annotations = { a: 'x'.repeat(256 * 1024) };
  assert.equal(create('Pod', big), 'Pod "p" is invalid: metadata.annotations: Too long: must have at most 262144 bytes');
  const owned = pod('p');
  owned.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true }, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs2', uid: 'u2', controller: true }];
  assert.ok(create('Pod', owned).includes('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/rs and ReplicaSet/rs2'));
  const fin = pod('p');
  fin.metadata.finalizers = ['custom'];
  assert.equal(create('Pod', fin), 'Pod "p" is invalid: metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified');
  const noName = { metadata: { namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }] } };
  assert.equal(create('Pod', noName), 'Pod "" is invalid: metadata.name: Required value: name or generateName is required');
});

test('bad quantities fail decoding with a 400', () => {
  const p = pod('p');
  p.spec.containers[0].resources = { limits: { memory: '1kk' } };
  assert.throws(() => applyDefaults('', 'v1', 'Pod', p), (e: unknown) => e instanceof ApiError && e.code === 400
    && e.message === 'Pod in version "v1" cannot be handled as a Pod: unable to parse quantity\'s suffix');
  p.spec.containers[0].resources = { requests: { cpu: 'lots' } };
  assert.throws(() => applyDefaults('', 'v1', 'Pod', p), { message: "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'" });
});

test('events: core/v1 is lenient, events.k8s.io/v1 strict', () => {
  const ev = { metadata: { name: 'e1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', message: 'm' };
  assert.equal(create('Event', ev), '');
  const wrongNs = { ...clone(ev), involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } };
  assert.equal(create('Event', wrongNs), 'Event "e1" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace');
  const v1 = { metadata: { name: 'e2', namespace: 'default' }, regarding: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Started', type: 'Normal' };
  assert.equal(create('Event', v1, 'events.k8s.io'), 'Event.events.k8s.io "e2" is invalid: eventTime: Required value');
  const full = { ...v1, eventTime: '2024-01-01T00:00:00.000000Z', reportingController: 'kubelet', reportingInstance: 'node1', action: 'Start' };
  assert.equal(create('Event', full, 'events.k8s.io'), '');
  assert.ok(create('Event', { ...clone(full), type: 'Odd' }, 'events.k8s.io').includes('type: Invalid value: "": has invalid value: Odd'));
});

test('limit ranges and resource quotas', () => {
  const lr = { metadata: { name: 'lr', namespace: 'default' }, spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }] } };
  assert.ok(create('LimitRange', lr).includes('spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1'));
  const rq = { metadata: { name: 'rq', namespace: 'default' }, spec: { hard: { pods: '1.5', 'requests.cpu': '-1' } } };
  const msg = create('ResourceQuota', rq);
  assert.ok(msg.includes('spec.hard[pods]: Invalid value: "1500m": must be an integer'), msg);
  assert.ok(msg.includes('spec.hard[requests.cpu]: Invalid value: "-1": must be greater than or equal to 0'), msg);
});
