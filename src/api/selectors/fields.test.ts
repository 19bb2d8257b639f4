import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../errors.js';
import { findResource, type ResourceInfo } from '../resources.js';
import { escapeFieldValue, parseFieldSelector, unescapeFieldValue } from './fields.js';
import { convertFieldLabel, fieldSelectorFor, selectableFields } from './fieldsets.js';

function ri(group: string, version: string, plural: string): ResourceInfo {
  const r = findResource(group, version, plural);
  assert.ok(r, `${group}/${version}/${plural} in RESOURCES`);
  return r;
}

function badRequest(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail('expected a 400');
}

test('parse: operators, sorting, escaping', () => {
  const cases: [string, string][] = [
    ['', ''],
    [',', ''],
    ['a=b', 'a=b'],
    ['a==b', 'a=b'],
    ['a!=b', 'a!=b'],
    ['c=d,a=b', 'a=b,c=d'],
    ['a=', 'a='],
    ['a=b\\,c', 'a=b\\,c'],
    ['a=b\\=c\\\\', 'a=b\\=c\\\\'],
    ['metadata.name=redis', 'metadata.name=redis'],
  ];
  for (const [input, want] of cases) assert.equal(parseFieldSelector(input).toString(), want, input);
  const sel = parseFieldSelector('x=1\\,2,y!=3');
  assert.deepEqual(sel.terms, [{ field: 'x', operator: '=', value: '1,2' }, { field: 'y', operator: '!=', value: '3' }]);
  assert.equal(sel.requiresExactMatch('x'), '1,2');
  assert.equal(sel.requiresExactMatch('y'), undefined);
});

test('parse errors', () => {
  assert.equal(badRequest(() => parseFieldSelector('a')), "invalid selector: 'a'; can't understand 'a'");
  assert.equal(badRequest(() => parseFieldSelector('x=y,abc')), "invalid selector: 'x=y,abc'; can't understand 'abc'");
  assert.equal(badRequest(() => parseFieldSelector('a=b=c')), 'invalid field selector: unescaped character in value: 61');
  assert.equal(badRequest(() => parseFieldSelector('a=b\\x')), 'invalid field selector: invalid escape sequence: \\x');
  assert.equal(badRequest(() => parseFieldSelector('a=b\\')), 'invalid field selector: invalid escape sequence: \\');
});

test('escape round trip', () => {
  for (const v of ['plain', 'a,b', 'a=b', 'back\\slash', ',=\\']) {
    assert.equal(unescapeFieldValue(escapeFieldValue(v)), v);
  }
});

test('matching: missing fields read as empty', () => {
  const sel = parseFieldSelector('a=1,b!=2');
  assert.equal(sel.matches({ a: '1', b: '3' }), true);
  assert.equal(sel.matches({ a: '1' }), true);
  assert.equal(sel.matches({ a: '1', b: '2' }), false);
  assert.equal(parseFieldSelector('c=').matches({}), true);
});

test('field label conversion per resource, with upstream messages', () => {
  const pods = ri('', 'v1', 'pods');
  assert.equal(convertFieldLabel(pods, 'spec.nodeName'), 'spec.nodeName');
  assert.equal(convertFieldLabel(pods, 'spec.host'), 'spec.nodeName');
  assert.equal(badRequest(() => convertFieldLabel(pods, 'foo')), 'field label not supported: foo');
  assert.equal(badRequest(() => fieldSelectorFor(ri('', 'v1', 'configmaps'), 'foo.bar=baz')),
    '"foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.equal(badRequest(() => fieldSelectorFor(ri('', 'v1', 'services'), 'spec.clusterIP=None')),
    '"spec.clusterIP" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.equal(badRequest(() => fieldSelectorFor(ri('batch', 'v1', 'jobs'), 'status.active=1')),
    'field label "status.active" not supported for Job');
  assert.equal(badRequest(() => fieldSelectorFor(ri('', 'v1', 'nodes'), 'metadata.namespace=x')),
    'field label not supported: metadata.namespace');
  assert.equal(badRequest(() => fieldSelectorFor(ri('', 'v1', 'namespaces'), 'metadata.namespace=x')),
    'field label not supported: metadata.namespace');
  assert.equal(badRequest(() => fieldSelectorFor(ri('events.k8s.io', 'v1', 'events'), 'source=x')),
    'field label not supported: source');
  // The first unsupported term in sorted order is the one reported.
  assert.equal(badRequest(() => fieldSelectorFor(pods, 'zz=1,aa=2')), 'field label not supported: aa');
  // Parse errors come first.
  assert.equal(badRequest(() => fieldSelectorFor(pods, 'nonsense')), "invalid selector: 'nonsense'; can't understand 'nonsense'");
});

test('pods select by the fields kubectl and kubelets use', () => {
  const pods = ri('', 'v1', 'pods');
  const pod = {
    metadata: { name: 'redis', namespace: 'ns1' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'sa' },
    status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }] },
  };
  const cases: [string, boolean][] = [
    ['', true],
    ['metadata.name=redis', true],
    ['metadata.name==nginx', false],
    ['metadata.namespace=ns1', true],
    ['metadata.namespace!=default', true],
    ['spec.nodeName=n1', true],
    ['spec.host=n1', true],
    ['spec.nodeName=', false],
    ['spec.hostNetwork=false', true],
    ['status.phase!=Running', false],
    ['status.phase=Running,spec.restartPolicy=Always', true],
    ['status.podIP=10.0.0.5', true],
    ['status.podIPs=10.0.0.5', false], // accepted, but not in the selectable set
    ['status.podIPs=', true],
    ['status.nominatedNodeName=', true],
    ['spec.schedulerName=default-scheduler,spec.serviceAccountName=sa', true],
  ];
  for (const [s, want] of cases) assert.equal(fieldSelectorFor(pods, s)(pod), want, s);
  assert.equal(fieldSelectorFor(pods, '').empty, true);
  assert.equal(fieldSelectorFor(pods, 'spec.host=n1').selector.toString(), 'spec.nodeName=n1');
});

test('other resources with extra selectable fields', () => {
  const node = { metadata: { name: 'n1' }, spec: { unschedulable: true } };
  assert.equal(fieldSelectorFor(ri('', 'v1', 'nodes'), 'spec.unschedulable=true')(node), true);
  assert.equal(fieldSelectorFor(ri('', 'v1', 'nodes'), 'spec.unschedulable=false')({ metadata: { name: 'n2' }, spec: {} }), true);

  const ns = { metadata: { name: 'kube-system' }, status: { phase: 'Active' } };
  assert.equal(fieldSelectorFor(ri('', 'v1', 'namespaces'), 'status.phase=Active,metadata.name=kube-system')(ns), true);

  const secret = { metadata: { name: 's', namespace: 'd' }, type: 'kubernetes.io/tls' };
  assert.equal(fieldSelectorFor(ri('', 'v1', 'secrets'), 'type=kubernetes.io/tls')(secret), true);
  assert.equal(fieldSelectorFor(ri('', 'v1', 'secrets'), 'type!=Opaque')(secret), true);

  const rc = { metadata: { name: 'r', namespace: 'd' }, status: { replicas: 3 } };
  assert.equal(fieldSelectorFor(ri('', 'v1', 'replicationcontrollers'), 'status.replicas=3')(rc), true);

  const job = { metadata: { name: 'j', namespace: 'd' }, status: { succeeded: 1 } };
  assert.equal(fieldSelectorFor(ri('batch', 'v1', 'jobs'), 'status.successful=1')(job), true);
  assert.equal(fieldSelectorFor(ri('batch', 'v1', 'jobs'), 'status.successful=0')({ metadata: { name: 'k' } }), true);

  const csr = { metadata: { name: 'c' }, spec: { signerName: 'kubernetes.io/kubelet-serving' } };
  assert.equal(fieldSelectorFor(ri('certificates.k8s.io', 'v1', 'certificatesigningrequests'), 'spec.signerName=kubernetes.io/kubelet-serving')(csr), true);

  // Cluster-scoped resources have no metadata.namespace field: it reads as "".
  const cr = { metadata: { name: 'admin' } };
  const crs = ri('rbac.authorization.k8s.io', 'v1', 'clusterroles');
  assert.equal(fieldSelectorFor(crs, 'metadata.namespace=')(cr), true);
  assert.equal(fieldSelectorFor(crs, 'metadata.namespace=x')(cr), false);
  assert.deepEqual(selectableFields(crs, cr), { 'metadata.name': 'admin' });
});

test('events select the same in core/v1 and events.k8s.io/v1 shapes', () => {
  const core = {
    metadata: { name: 'e1', namespace: 'd' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'd', uid: 'u1', fieldPath: 'spec.containers{c}' },
    reason: 'Pulled', type: 'Normal', source: { component: 'kubelet' }, reportingComponent: 'kubelet',
  };
  const v1 = {
    metadata: { name: 'e1', namespace: 'd' },
    regarding: { kind: 'Pod', name: 'web', namespace: 'd', uid: 'u1' },
    reason: 'Pulled', type: 'Normal', reportingController: 'kubelet',
  };
  const coreEv = ri('', 'v1', 'events');
  const newEv = ri('events.k8s.io', 'v1', 'events');
  assert.equal(fieldSelectorFor(coreEv, 'involvedObject.kind=Pod,involvedObject.name=web,reason=Pulled')(core), true);
  assert.equal(fieldSelectorFor(coreEv, 'source=kubelet,type=Normal,involvedObject.fieldPath=spec.containers{c}')(core), true);
  assert.equal(fieldSelectorFor(newEv, 'regarding.kind=Pod,regarding.name=web,reportingController=kubelet')(v1), true);
  assert.equal(fieldSelectorFor(newEv, 'regarding.uid=u1')(core), true);
  assert.equal(fieldSelectorFor(coreEv, 'source=kubelet')(v1), true, 'source falls back to the reporting controller');
  assert.equal(fieldSelectorFor(newEv, 'type=Warning')(v1), false);
});
