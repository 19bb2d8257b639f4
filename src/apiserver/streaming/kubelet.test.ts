import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import { dialErrorMessage, KubeletClient } from './kubelet.js';
import { boolParam, execOptions, kubeletStreamQuery, portForwardPorts, resolveContainer } from './options.js';

const client = new KubeletClient({ ca: '' }, () => new Set(['127.0.0.1', '10.1.2.3', 'fe80::1']));
const node = (addresses: { type: string; address: string }[], port?: number) => ({
  metadata: { name: 'n' }, status: { addresses, ...(port === undefined ? {} : { daemonEndpoints: { kubeletEndpoint: { Port: port } } }) },
});

test('the kubelet is the node\'s InternalIP on its kubelet port; this host\'s own address is dialled on loopback', () => {
  assert.deepEqual(client.target(node([{ type: 'Hostname', address: 'n' }, { type: 'InternalIP', address: '10.9.9.9' }], 10260)),
    { nodeName: 'n', address: '10.9.9.9', host: '10.9.9.9', port: 10260 });
  assert.deepEqual(client.target(node([{ type: 'InternalIP', address: '10.1.2.3' }])),
    { nodeName: 'n', address: '10.1.2.3', host: '127.0.0.1', port: 10250 });
  assert.equal(client.target(node([{ type: 'InternalIP', address: '10.1.2.3' }], 0)).port, 10250);
  assert.equal(client.target(node([{ type: 'Hostname', address: 'other' }])).host, 'other');
  assert.throws(() => client.target(node([])), (e: ApiError) => e.code === 500 && e.message === 'no preferred addresses found; known addresses: []');
});

test('dial failures read as Go\'s', () => {
  const t = { nodeName: 'n', address: '10.0.0.1', host: '10.0.0.1', port: 10250 };
  const err = (code: string) => Object.assign(new Error('x'), { code });
  assert.equal(dialErrorMessage(err('ECONNREFUSED'), t), 'dial tcp 10.0.0.1:10250: connect: connection refused');
  assert.equal(dialErrorMessage(err('ETIMEDOUT'), { ...t, host: '::1' }), 'dial tcp [::1]:10250: i/o timeout');
  assert.equal(dialErrorMessage(err('SELF_SIGNED_CERT_IN_CHAIN'), t), 'tls: failed to verify certificate: x509: certificate signed by unknown authority');
});

test('exec options as kube-apiserver decodes them: stdout and stderr are always on', () => {
  const q = new URLSearchParams('command=sh&command=-c&command=exit 7&stdin=true&stdout=false&tty=0&container=c');
  const o = execOptions(q, true);
  assert.deepEqual(o, { container: 'c', command: ['sh', '-c', 'exit 7'], stdin: true, stdout: true, stderr: true, tty: false });
  assert.equal(kubeletStreamQuery(o), 'command=sh&command=-c&command=exit+7&error=1&input=1&output=1');
  assert.deepEqual(execOptions(q, false).command, []);
  assert.equal(boolParam(new URLSearchParams('a='), 'a'), true);
  assert.equal(boolParam(new URLSearchParams('a=0'), 'a'), false);
  assert.equal(boolParam(new URLSearchParams(''), 'a'), false);
  assert.deepEqual(portForwardPorts(new URLSearchParams('ports=80&ports=443')), [80, 443]);
  assert.throws(() => portForwardPorts(new URLSearchParams('ports=http')), /parsing "http": invalid syntax/);
});

test('the container: named and present, or the pod\'s only one', () => {
  const pod = (containers: string[], inits: string[] = [], eph: string[] = []) => ({
    metadata: { name: 'p' },
    spec: { containers: containers.map((name) => ({ name })), initContainers: inits.map((name) => ({ name })), ephemeralContainers: eph.map((name) => ({ name })) },
  });
  assert.equal(resolveContainer(pod(['a']), ''), 'a');
  assert.equal(resolveContainer(pod(['a'], ['i'], ['dbg']), 'dbg'), 'dbg');
  assert.equal(resolveContainer(pod(['a'], ['i']), 'i'), 'i');
  assert.throws(() => resolveContainer(pod(['a', 'b'], ['i']), ''), { message: 'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [i]' });
  assert.throws(() => resolveContainer(pod(['a']), 'x'), { message: 'container x is not valid for pod p' });
});
