// Encoder tests: exact bytes for small cases (built by hand), and round trips of objects in
// the form Go's encoding/json produces (what kubectl --dry-run=client -o json prints).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeK8sProtobuf, encodeK8sProtobuf, hasProtobufEncoding } from './index.js';
import { E, M, S, V, L } from './testdata/build.js';

const tail = [0x1a, 0x00, 0x22, 0x00]; // contentEncoding "", contentType ""
function expected(apiVersion: string, kind: string, ...fields: number[][]): string {
  return Buffer.from([0x6b, 0x38, 0x73, 0x00, ...M(1, S(1, apiVersion), S(2, kind)), ...M(2, ...fields), ...tail]).toString('hex');
}
// ObjectMeta as gogo writes it: every non-pointer scalar, a zero creationTimestamp.
const meta = (name: string, ns = '', ...more: number[][]) => M(1, S(1, name), S(2, ''), S(3, ns), S(4, ''), S(5, ''), S(6, ''), V(7, 0), M(8), ...more);

function roundTrip(obj: Record<string, any>): void {
  assert.deepEqual(decodeK8sProtobuf(encodeK8sProtobuf(obj)), obj);
}

describe('encodeK8sProtobuf: exact bytes', () => {
  it('Namespace', () => {
    const obj = { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x', creationTimestamp: null }, spec: {}, status: {} };
    assert.equal(encodeK8sProtobuf(obj).toString('hex'), expected('v1', 'Namespace', meta('x'), M(2), M(3, S(1, ''))));
    // what kubectl 1.32 sends for `kubectl create namespace x`
    assert.equal(encodeK8sProtobuf(obj).toString('hex'), '6b3873000a0f0a02763112094e616d65737061636512190a110a017812001a0022002a0032003800420012001a020a001a002200');
  });

  it('ConfigMap: maps sorted by key, absent values skipped, immutable pointer kept when false', () => {
    const obj = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', namespace: 'ns' }, immutable: false, data: { z: '1', a: '' }, binaryData: { b: 'AP8=' } };
    assert.equal(encodeK8sProtobuf(obj).toString('hex'),
      expected('v1', 'ConfigMap', meta('cm', 'ns'), E(2, 'a', ''), E(2, 'z', '1'), M(3, S(1, 'b'), L(2, [0, 255])), V(4, false)));
  });

  it('Service port: IntOrString string form, negative int32 sign-extended like Go', () => {
    const obj = { kind: 'Service', apiVersion: 'v1', spec: { ports: [{ port: 443, targetPort: 'https', nodePort: -1 }] } };
    const port = M(1, S(1, ''), S(2, ''), V(3, 443), M(4, V(1, 1), V(2, 0), S(3, 'https')), V(5, -1));
    const hex = encodeK8sProtobuf(obj).toString('hex');
    assert.ok(hex.includes(Buffer.from(port).toString('hex')), hex);
    assert.equal(Buffer.from(V(5, -1)).length, 11); // tag + 10-byte varint
  });
});

describe('encodeK8sProtobuf: round trips', () => {
  it('Namespace, ConfigMap, Secret with binary data', () => {
    roundTrip({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x', labels: { a: 'b' }, creationTimestamp: '2024-01-02T03:04:05Z' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    roundTrip({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', creationTimestamp: null }, data: { a: 'b', empty: '' } });
    roundTrip({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null }, data: { a: 'Yg==', bin: Buffer.from([0, 1, 2, 250, 251]).toString('base64'), e: '' }, type: 'Opaque' });
  });

  it('Service with IntOrString targetPort (number and name)', () => {
    roundTrip({
      kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }, { name: 'h', port: 443, targetPort: 'https' }],
        selector: { app: 'web' }, type: 'NodePort', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack', allocateLoadBalancerNodePorts: false,
      },
      status: { loadBalancer: {} },
    });
  });

  it('Deployment with a pod template, resources and probes', () => {
    roundTrip({
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: null, labels: { app: 'web' }, annotations: { 'x/y': 'z' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            volumes: [{ name: 'cfg', configMap: { name: 'cm', defaultMode: 420 } }, { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
            containers: [{
              name: 'nginx', image: 'nginx', args: ['-g', 'daemon off;'],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
              livenessProbe: { httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 3, periodSeconds: 10 },
              volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
              securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            }],
            terminationGracePeriodSeconds: 0,
            securityContext: { runAsUser: 1000, supplementalGroups: [1, 2] },
            tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 30 }],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        revisionHistoryLimit: 10,
      },
      status: { observedGeneration: 3, replicas: 2, conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-01-02T03:04:05Z', lastTransitionTime: '2024-01-02T03:04:05Z', reason: 'R', message: 'm' }] },
    });
  });

  it('Job, SelfSubjectAccessReview, Eviction, Lease, PodList', () => {
    roundTrip({
      kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'j', creationTimestamp: null },
      spec: { completions: 1, backoffLimit: 0, template: { metadata: { creationTimestamp: null }, spec: { containers: [{ name: 'j', image: 'busybox', command: ['sh', '-c', 'echo hi'], resources: {} }], restartPolicy: 'Never' } }, suspend: false },
      status: {},
    });
    roundTrip({
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } }, status: { allowed: true, reason: 'ok' },
    });
    roundTrip({
      kind: 'Eviction', apiVersion: 'policy/v1', metadata: { name: 'p1', namespace: 'default', creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'u', resourceVersion: '5' }, orphanDependents: false, dryRun: ['All'] },
    });
    roundTrip({
      kind: 'Lease', apiVersion: 'coordination.k8s.io/v1', metadata: { name: 'l', creationTimestamp: null },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: '2024-01-02T03:04:05.123456Z', renewTime: '1970-01-01T00:00:00.000001Z', leaseTransitions: 0 },
    });
    roundTrip({
      kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '9', remainingItemCount: 0 },
      items: [{ metadata: { name: 'a', creationTimestamp: null }, spec: { containers: [{ name: 'c', resources: {} }] }, status: { phase: 'Running', podIP: '10.0.0.1' } }],
    });
  });

  it('Go normalizations: canonical quantities, whole-second Time, missing structs filled in', () => {
    const obj = decodeK8sProtobuf(encodeK8sProtobuf({
      kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', creationTimestamp: '2024-01-02T04:04:05.75+01:00' },
      spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1000m', memory: 1024 } } }] },
    }));
    assert.equal(obj.metadata.creationTimestamp, '2024-01-02T03:04:05Z');
    assert.deepEqual(obj.spec.containers[0].resources, { limits: { cpu: '1', memory: '1024' } });
    assert.deepEqual(obj.status, {});
  });

  it('embedded objects and managed fields carry JSON', () => {
    roundTrip({ kind: 'ControllerRevision', apiVersion: 'apps/v1', metadata: { name: 'r', creationTimestamp: null, managedFields: [{ manager: 'm', operation: 'Apply', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] }, data: { spec: { template: { x: [1, 'two', null] } } }, revision: 4 });
    roundTrip({ kind: 'List', apiVersion: 'v1', metadata: {}, items: [{ kind: 'Pod', apiVersion: 'v1' }, null] });
    roundTrip({ kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', metadata: { name: 'c', creationTimestamp: null }, spec: { request: 'AAEC', signerName: 's', usages: ['client auth'], extra: { a: ['1'], e: [] } }, status: {} });
  });
});

describe('encodeK8sProtobuf: refusals', () => {
  it('needs apiVersion and kind of a built-in type', () => {
    assert.throws(() => encodeK8sProtobuf({ kind: 'Pod' }), /apiVersion and kind/);
    assert.throws(() => encodeK8sProtobuf({ apiVersion: 'stable.example.com/v1', kind: 'CronTab' }), /no protobuf encoding/);
    assert.equal(hasProtobufEncoding('apps/v1', 'Deployment'), true);
    assert.equal(hasProtobufEncoding('v1', 'Table'), false);
    assert.equal(hasProtobufEncoding('meta.k8s.io/v1', 'Status'), true);
  });

  it('rejects values of the wrong type with the field path', () => {
    assert.throws(() => encodeK8sProtobuf({ kind: 'Deployment', apiVersion: 'apps/v1', spec: { replicas: 'two' } }), /DeploymentSpec\.replicas: expected an integer/);
    assert.throws(() => encodeK8sProtobuf({ kind: 'Pod', apiVersion: 'v1', spec: { containers: {} } }), /PodSpec\.containers: expected an array/);
    assert.throws(() => encodeK8sProtobuf({ kind: 'Pod', apiVersion: 'v1', metadata: 'x' }), /expected an object/);
    assert.throws(() => encodeK8sProtobuf({ kind: 'Pod', apiVersion: 'v1', metadata: { creationTimestamp: 'yesterday' } }), /invalid RFC 3339 time/);
  });
});
