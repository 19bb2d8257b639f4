import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../api/types.js';
import { join } from 'node:path';
import { FakeClient } from '../client/fake.js';
import { FakeCri } from './kuberuntime/fakecri.js';
import { KubeletStartError, NODES, startKubelet, type KubeletOptions } from './kubelet.js';
import { PODS } from './pods/sync.js';
import { assignCIDR, kubeletTestOptions, until } from './testutil.js';

function options(t: TestContext, client: FakeClient, runtime: KubeletOptions['runtime']): KubeletOptions {
  return { ...kubeletTestOptions(t, client, runtime), clusterDNS: ['10.43.0.10'] };
}

test('registers the node, starts the runtime with its podCIDR, turns Ready and runs a pod bound to it', async (t) => {
  const client = new FakeClient();
  const cri = new FakeCri();
  let cidr = '';
  const o = options(t, client, async (podCIDR) => { cidr = podCIDR; return { cri, version: await cri.version() }; });
  const [kubelet] = await Promise.all([startKubelet(o), assignCIDR(client)]);
  t.after(() => kubelet.stopped);
  assert.equal(cidr, '10.9.0.0/24');
  const node = await until('Ready', () => {
    const n = client.object(NODES, '', 'vm');
    return n?.status?.conditions?.find((c: Obj) => c.type === 'Ready')?.status === 'True' ? n : undefined;
  });
  assert.equal(node.metadata.labels['kubernetes.io/hostname'], 'vm');
  assert.equal(node.status.nodeInfo.containerRuntimeVersion, 'containerd://1.6.20~fake');
  assert.deepEqual(node.status.addresses, [{ type: 'InternalIP', address: '192.0.2.2' }, { type: 'Hostname', address: 'vm' }]);
  assert.deepEqual(node.status.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.equal(node.status.capacity.pods, '110');
  assert.deepEqual(node.status.images, [{ names: ['docker.io/library/busybox:latest'], sizeBytes: 1000 }]);
  await until('the lease', () => client.object({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases' }, 'kube-node-lease', 'vm'));

  // pods on other nodes are not this kubelet's business
  await client.create(PODS, 'ns', { metadata: { name: 'elsewhere', namespace: 'ns' }, spec: { nodeName: 'other', containers: [{ name: 'c', image: 'busybox' }] } });
  await client.create(PODS, 'ns', { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'vm', restartPolicy: 'Always', containers: [{ name: 'c', image: 'busybox' }] } });
  const pod = await until('p Running', () => { const p = client.object(PODS, 'ns', 'p'); return p?.status?.phase === 'Running' ? p : undefined; });
  assert.equal(client.object(PODS, 'ns', 'elsewhere')?.status?.phase, undefined);

  // the relist notices an exit and the pod's container starts again
  const first = cri.byName('c')[0].id;
  cri.exit(first, 1);
  await until('a restart', () => cri.byName('c').length === 2 && cri.byName('c')[0].state === 'CONTAINER_RUNNING');

  // the locator follows the pod's status: current and previous instance, and the sandbox
  const cur = await until('located', () => kubelet.locator.findContainer('ns', 'p', 'c'));
  assert.equal(cur.id, cri.byName('c')[0].id);
  assert.equal(cur.running, true);
  assert.equal(cur.podUID, pod.metadata.uid);
  assert.equal(cur.logPath, join(o.dataDir, 'logs', 'pods', `ns_p_${pod.metadata.uid}`, 'c', '1.log'));
  const prev = await until('previous', () => kubelet.locator.findContainer('ns', 'p', 'c', { previous: true }));
  assert.equal(prev.id, first);
  assert.equal(prev.logPath.endsWith('/c/0.log'), true);
  assert.equal(kubelet.locator.findSandbox('ns', 'p')?.id, [...cri.sandboxes.keys()][0]);
  assert.equal(kubelet.locator.findContainer('ns', 'nope', 'c'), undefined);
  assert.equal(kubelet.locator.hasPod?.('ns', 'p'), true);
  assert.equal(kubelet.locator.hasPod?.('ns', 'nope'), false);
  assert.equal(kubelet.locator.waitingReason?.('ns', 'p', 'c'), undefined, 'running, not waiting');

  // gone from the API (force delete): the relist and the informer make it go from the runtime too
  await client.delete(PODS, 'ns', 'p');
  await until('containers removed', () => cri.containers.size === 0 && cri.sandboxes.size === 0);
});

test('when the runtime cannot start, the node it registered is removed again', async (t) => {
  const client = new FakeClient();
  const o = options(t, client, async () => { throw new Error('containerd exited during start-up'); });
  await assert.rejects(Promise.all([startKubelet(o), assignCIDR(client)]), (e: unknown) => e instanceof KubeletStartError && /containerd exited/.test((e as Error).message));
  assert.equal(client.object(NODES, '', 'vm'), undefined);
});

test('a simulated node of the same name is not taken over', async (t) => {
  const client = new FakeClient();
  client.seed(NODES, { metadata: { name: 'vm', labels: { 'skiff.dev/simulated': 'true' } } });
  const o = options(t, client, async () => { throw new Error('not reached'); });
  await assert.rejects(startKubelet(o), /simulated node named vm/);
});
