// Decoder tests on hand-built bytes (testdata/build.ts), independent of the encoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../errors.js';
import { decodeK8sProtobuf, isK8sProtobuf } from './index.js';
import { E, envelope, F32, F64, L, M, S, V } from './testdata/build.js';

const T2024 = 1704164645; // 2024-01-02T03:04:05Z
const quantity = (num: number, s: string) => M(num, S(1, s));
const entryQ = (key: string, q: string) => M(1, S(1, key), quantity(2, q)); // map<string, Quantity> entry (field 1 limits / 2 requests)

function decodeFails(buf: Buffer, re: RegExp): void {
  assert.throws(() => decodeK8sProtobuf(buf), (e: unknown) => {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${e}`);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.match(e.message, re);
    return true;
  });
}

describe('decodeK8sProtobuf: hand-built objects', () => {
  it('recognizes the envelope magic', () => {
    assert.equal(isK8sProtobuf(Buffer.from('k8s\0')), true);
    assert.equal(isK8sProtobuf(Buffer.from('k8s')), false);
    assert.equal(isK8sProtobuf(Buffer.from('{"kind":"Pod"}')), false);
  });

  it('Namespace from literal bytes: absent structs become Go zero values, nothing else appears', () => {
    // k8s\0, Unknown{typeMeta{"v1","Namespace"}, raw: Namespace{metadata{name:"x"}}}
    const buf = Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x0f, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x09, ...Buffer.from('Namespace'),
      0x12, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0x78]);
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'x', creationTimestamp: null }, spec: {}, status: {},
    });
  });

  it('Deployment: set pointers stay even when zero, omitempty zeros vanish, nested template', () => {
    const buf = envelope('apps/v1', 'Deployment',
      M(1, S(1, 'web'), S(2, ''), S(3, 'default'), V(7, 0), M(8), E(11, 'app', 'web')),
      M(2,
        V(1, 0), // replicas: *int32 set to 0 -> kept
        M(2, E(1, 'app', 'web')),
        M(3, M(1, E(11, 'app', 'web')), M(2,
          M(2, S(1, 'nginx'), S(2, 'nginx:1.27'), S(3, 'nginx'), S(3, '-g'),
            M(6, V(3, 80), S(4, 'TCP'), V(2, 0)),
            M(8, entryQ('cpu', '500m'), M(2, S(1, 'memory'), quantity(2, '64Mi')))),
          S(3, 'Always'), V(4, 30))),
        M(4, S(1, 'RollingUpdate'), M(2, M(1, V(1, 0), V(2, 0), S(3, '')), M(2, V(1, 1), V(2, 0), S(3, '25%')))),
        V(5, 0), // minReadySeconds: int32 omitempty -> gone
        V(7, false)), // paused: bool omitempty -> gone
      M(3));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [{
              name: 'nginx', image: 'nginx:1.27', command: ['nginx', '-g'],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
            }],
            restartPolicy: 'Always', terminationGracePeriodSeconds: 30,
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
      },
      status: {},
    });
  });

  it('Service: IntOrString as number and string; non-omitempty port appears as 0 when absent', () => {
    const buf = envelope('v1', 'Service', M(1, S(1, 'web')), M(2,
      M(1, S(2, 'TCP'), V(3, 80), M(4, V(1, 0), V(2, 8080), S(3, '')), V(5, 30080)),
      M(1, S(1, 'https'), M(4, V(1, 1), S(3, 'https'))),
      E(2, 'app', 'web'), S(4, 'NodePort')));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'Service', apiVersion: 'v1', metadata: { name: 'web', creationTimestamp: null },
      spec: {
        ports: [
          { protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 },
          { name: 'https', port: 0, targetPort: 'https' },
        ],
        selector: { app: 'web' }, type: 'NodePort',
      },
      status: { loadBalancer: {} },
    });
  });

  it('Secret: map<string, bytes> to base64, a set *bool false stays', () => {
    const buf = envelope('v1', 'Secret', M(1, S(1, 's')),
      M(2, S(1, 'a'), L(2, Buffer.from('b'))), M(2, S(1, 'bin'), L(2, [0, 255, 1])), M(2, S(1, 'novalue')),
      S(3, 'Opaque'), V(5, false));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null },
      immutable: false, data: { a: 'Yg==', bin: 'AP8B', novalue: '' }, type: 'Opaque',
    });
  });

  it('Eviction: deleteOptions.gracePeriodSeconds 0 is kept (pointer), dryRun list, preconditions', () => {
    const buf = envelope('policy/v1', 'Eviction', M(1, S(1, 'p1'), S(3, 'default')),
      M(2, V(1, 0), M(2, S(1, 'uid-1')), S(4, 'Foreground'), S(5, 'All')));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'Eviction', apiVersion: 'policy/v1',
      metadata: { name: 'p1', namespace: 'default', creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 0, preconditions: { uid: 'uid-1' }, propagationPolicy: 'Foreground', dryRun: ['All'] },
    });
  });

  it('SelfSubjectAccessReview: empty strings dropped, status.allowed (no omitempty) filled in', () => {
    const buf = envelope('authorization.k8s.io/v1', 'SelfSubjectAccessReview', M(1),
      M(2, M(1, S(1, 'kube-system'), S(2, 'create'), S(3, 'apps'), S(4, ''), S(5, 'deployments'), S(6, 'scale'), S(7, ''))));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { resourceAttributes: { namespace: 'kube-system', verb: 'create', group: 'apps', resource: 'deployments', subresource: 'scale' } },
      status: { allowed: false },
    });
  });

  it('Job: set pointers (backoffLimit 0, suspend false), containers without omitempty are null when absent', () => {
    const buf = envelope('batch/v1', 'Job', M(1, S(1, 'j')), M(2, V(7, 0), V(10, false), M(6, M(2, S(3, 'Never')))));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'j', creationTimestamp: null },
      spec: { backoffLimit: 0, template: { metadata: { creationTimestamp: null }, spec: { containers: null, restartPolicy: 'Never' } }, suspend: false },
      status: {},
    });
  });

  it('times: Time drops nanos, MicroTime keeps microseconds, zero Time is null', () => {
    const buf = envelope('coordination.k8s.io/v1', 'Lease',
      M(1, S(1, 'l'), M(8, V(1, T2024), V(2, 999)), M(9, V(1, T2024 + 60))),
      M(2, S(1, 'me'), V(2, 15), M(3, V(1, T2024), V(2, 123456789)), M(4, V(1, T2024), V(2, -1))));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'Lease', apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: 'l', creationTimestamp: '2024-01-02T03:04:05Z', deletionTimestamp: '2024-01-02T03:05:05Z' },
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15, acquireTime: '2024-01-02T03:04:05.123456Z', renewTime: '2024-01-02T03:04:04.999999Z' },
    });
  });

  it('RawExtension holds JSON or a nested protobuf object; FieldsV1 holds JSON', () => {
    const inner = envelope('v1', 'ConfigMap', M(1, S(1, 'cm')), E(2, 'k', 'v'));
    const buf = envelope('v1', 'List', M(1, S(2, '7')),
      M(2, L(1, Buffer.from('{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"}}'))),
      M(2, L(1, inner)),
      M(2));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '7' },
      items: [
        { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p' } },
        { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', creationTimestamp: null }, data: { k: 'v' } },
        null,
      ],
    });
    const rev = envelope('apps/v1', 'ControllerRevision',
      M(1, S(1, 'r'), M(17, S(1, 'kubectl'), S(2, 'Update'), S(3, 'apps/v1'), M(4, V(1, T2024)), S(6, 'FieldsV1'), M(7, L(1, Buffer.from('{"f:data":{}}'))))),
      M(2, L(1, Buffer.from('{"spec":{"x":1}}'))), V(3, 2));
    assert.deepEqual(decodeK8sProtobuf(rev), {
      kind: 'ControllerRevision', apiVersion: 'apps/v1',
      metadata: {
        name: 'r', creationTimestamp: null,
        managedFields: [{ manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }],
      },
      data: { spec: { x: 1 } }, revision: 2,
    });
  });

  it('named-slice wrappers (metav1.Verbs, ExtraValue) and meta kinds in any group version', () => {
    const buf = envelope('v1', 'APIResourceList', S(1, 'v1'), M(2, S(1, 'pods'), V(2, true), S(3, 'Pod'), M(4, S(1, 'get'), S(1, 'list'))));
    assert.deepEqual(decodeK8sProtobuf(buf), {
      kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'v1',
      resources: [{ name: 'pods', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'list'] }],
    });
    const del = envelope('apps/v1', 'DeleteOptions', V(1, 5), S(4, 'Background'));
    assert.deepEqual(decodeK8sProtobuf(del), { kind: 'DeleteOptions', apiVersion: 'apps/v1', gracePeriodSeconds: 5, propagationPolicy: 'Background' });
    const sar = envelope('authorization.k8s.io/v1', 'SubjectAccessReview', M(2, S(3, 'bob'), M(5, S(1, 'scopes'), M(2, S(1, 'a'), S(1, 'b'))), M(5, S(1, 'empty'), M(2))));
    assert.deepEqual(decodeK8sProtobuf(sar).spec, { user: 'bob', extra: { empty: [], scopes: ['a', 'b'] } });
  });

  it('wire details: unknown fields skipped, packed and unpacked repeated ints, repeated messages merge', () => {
    const buf = envelope('v1', 'Pod',
      M(1, S(1, 'p'), V(99, 7), L(98, [1, 2, 3]), F32(97, 1), F64(96, 2.5)),
      M(1, S(3, 'ns')), // a second occurrence merges into metadata
      M(2, M(2, S(1, 'a')), M(14, L(4, [1, 2, 0x80, 0x01]), V(4, 3), V(2, -1)), M(2, S(1, 'b'))),
      V(200, 1));
    const pod = decodeK8sProtobuf(buf);
    assert.deepEqual(pod.metadata, { name: 'p', namespace: 'ns', creationTimestamp: null });
    assert.deepEqual(pod.spec.containers, [{ name: 'a', resources: {} }, { name: 'b', resources: {} }]);
    assert.deepEqual(pod.spec.securityContext, { runAsUser: -1, supplementalGroups: [1, 2, 128, 3] });
  });

  it('map keys come out sorted and the last duplicate wins', () => {
    const buf = envelope('v1', 'ConfigMap', M(1, S(1, 'cm')), E(2, 'z', '1'), E(2, 'a', '2'), E(2, 'z', '3'));
    const cm = decodeK8sProtobuf(buf);
    assert.deepEqual(Object.keys(cm.data), ['a', 'z']);
    assert.equal(cm.data.z, '3');
    const proto = decodeK8sProtobuf(envelope('v1', 'ConfigMap', E(2, '__proto__', 'x'), M(3, S(1, '__proto__'), L(2, [1]))));
    assert.deepEqual(Object.keys(proto.data), ['__proto__']);
    assert.equal(Object.getPrototypeOf(proto.binaryData), Object.prototype);
    assert.equal(JSON.stringify(proto.binaryData), '{"__proto__":"AQ=="}');
  });

  it('quantities come out canonical, as Go re-serializes a parsed Quantity', () => {
    const buf = envelope('v1', 'ResourceQuota', M(2, M(1, S(1, 'cpu'), quantity(2, '1000m')), M(1, S(1, 'memory'), M(2))));
    assert.deepEqual(decodeK8sProtobuf(buf).spec, { hard: { cpu: '1', memory: '0' } });
  });
});

describe('decodeK8sProtobuf: malformed input', () => {
  const good = envelope('apps/v1', 'Deployment', M(1, S(1, 'web'), E(11, 'a', 'b')), M(2, V(1, 2), M(3, M(2, M(2, S(1, 'c'), S(2, 'img'))))));

  it('needs the magic, a kind and an apiVersion it knows', () => {
    decodeFails(Buffer.from('{"kind":"Pod"}'), /k8s\\x00/);
    decodeFails(Buffer.from('k8s'), /k8s\\x00/);
    decodeFails(envelope('v1', '', M(1)), /Kind/);
    decodeFails(envelope('', 'Pod', M(1)), /apiVersion/);
    decodeFails(envelope('v1', 'Nope', M(1)), /no kind "Nope" is registered for version "v1"/);
    decodeFails(envelope('v1', 'constructor'), /no kind "constructor"/);
    decodeFails(envelope('apiextensions.k8s.io/v1', 'CustomResourceDefinition'), /no kind/);
    decodeFails(Buffer.concat([envelope('v1', 'Pod'), Buffer.from(S(3, 'gzip'))]), /contentEncoding "gzip"/);
  });

  it('rejects wrong wire types, bad lengths, overlong varints and bad embedded values', () => {
    decodeFails(envelope('v1', 'Namespace', M(1, V(1, 5))), /ObjectMeta\.name \(field 1\): wrong wire type 0/);
    decodeFails(Buffer.from([...Buffer.from('k8s\0'), 0x0a, 0x7f]), /runs past the end/);
    decodeFails(Buffer.from([...Buffer.from('k8s\0'), 0x28, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /varint/);
    decodeFails(Buffer.from([...Buffer.from('k8s\0'), 0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), /varint too large|runs past/);
    decodeFails(envelope('v1', 'Namespace', M(1, V(0, 1))), /illegal field number 0/);
    decodeFails(envelope('v1', 'Namespace', M(1, [0x0b])), /wire type 3/);
    decodeFails(envelope('apps/v1', 'ControllerRevision', M(2, L(1, Buffer.from('{nope')))), /RawExtension does not hold JSON/);
    decodeFails(envelope('v1', 'ResourceQuota', M(2, M(1, S(1, 'cpu'), quantity(2, 'lots')))), /quantity "lots"/);
    decodeFails(envelope('policy/v1', 'PodDisruptionBudget', M(2, M(1, V(1, 7)))), /impossible IntOrString.Type 7/);
    decodeFails(envelope('v1', 'Namespace', M(1, M(8, V(1, 1e15)))), /outside years/);
  });

  it('bounds nesting (embedded objects inside embedded objects)', () => {
    let obj = envelope('v1', 'List');
    for (let i = 0; i < 120; i++) obj = envelope('v1', 'List', M(2, L(1, obj)));
    decodeFails(obj, /nested deeper than 100/);
  });

  it('every truncation of a valid body decodes or fails cleanly', () => {
    for (let n = 0; n < good.length; n++) {
      try {
        decodeK8sProtobuf(good.subarray(0, n));
      } catch (e) {
        assert.ok(e instanceof ApiError && e.code === 400, `truncated at ${n}: ${e}`);
      }
    }
  });

  it('random garbage and byte flips never hang or throw anything but a 400', () => {
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    const started = Date.now();
    for (let i = 0; i < 3000; i++) {
      let buf: Buffer;
      if (i % 2) {
        buf = Buffer.from(good);
        for (let k = 0; k < 1 + (rnd() % 4); k++) buf[4 + (rnd() % (buf.length - 4))] = rnd() & 0xff;
      } else {
        buf = Buffer.concat([Buffer.from('k8s\0'), Buffer.from(Array.from({ length: rnd() % 200 }, () => rnd() & 0xff))]);
      }
      try {
        decodeK8sProtobuf(buf);
      } catch (e) {
        assert.ok(e instanceof ApiError && e.code === 400, `input ${buf.toString('hex')}: ${e}`);
      }
    }
    assert.ok(Date.now() - started < 5000, 'garbage decoding is fast');
  });
});
