// The kubelet with a KubeletConfiguration and a static pod path (fake CRI, fake API).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { FakeClient } from '../../client/fake.js';
import { parseKubeletConfig } from '../config/kubeletconfig.js';
import { FakeCri } from '../kuberuntime/fakecri.js';
import { NODES, startKubelet, type KubeletOptions } from '../kubelet.js';
import { PODS } from '../pods/sync.js';
import { assignCIDR, kubeletTestOptions, until } from '../testutil.js';

function options(t: TestContext, client: FakeClient, cri: FakeCri, config: string): KubeletOptions {
  const o = kubeletTestOptions(t, client, async () => ({ cri, version: await cri.version() }), 'kubelet-static-');
  const kc = parseKubeletConfig(`apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n${config}`, join(o.dataDir, 'kubelet.yaml'));
  mkdirSync(join(o.dataDir, 'manifests'));
  return { ...o, config: kc, staticPodPath: kc.staticPodPath };
}

test('maxPods and reservations shape the node; a static pod runs and its mirror shows its status', async (t) => {
  const client = new FakeClient();
  const cri = new FakeCri();
  const o = options(t, client, cri, 'staticPodPath: manifests\nmaxPods: 5\nsystemReserved: {cpu: 500m}\nevictionHard: {memory.available: 0%}\nfileCheckFrequency: 100ms\n');
  writeFileSync(join(o.staticPodPath!, 'web.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: c, image: busybox, command: [sleep, "60"]}]}\n');
  const [kubelet] = await Promise.all([startKubelet(o), assignCIDR(client)]);
  t.after(() => kubelet.stopped);
  const node = await until('status', () => client.object(NODES, '', 'vm')?.status?.nodeInfo?.containerRuntimeVersion ? client.object(NODES, '', 'vm') : undefined);
  assert.equal(node.status.capacity.pods, '5');
  assert.equal(node.status.allocatable.pods, '5');
  assert.equal(node.status.allocatable.memory, node.status.capacity.memory, 'no memory threshold');
  const cpu = Number(node.status.capacity.cpu) * 1000 - 500;
  assert.equal(node.status.allocatable.cpu, cpu % 1000 ? `${cpu}m` : String(cpu / 1000));

  const mirror = await until('the mirror running', () => {
    const m = client.object(PODS, 'default', 'web-vm');
    return m?.status?.phase === 'Running' ? m : undefined;
  });
  const hash = mirror.metadata.annotations['kubernetes.io/config.mirror'];
  assert.match(hash, /^[0-9a-f]{32}$/);
  assert.equal(mirror.metadata.ownerReferences[0].uid, node.metadata.uid);
  const c = cri.byName('c')[0];
  assert.equal(c.config.labels?.['io.kubernetes.pod.uid'], hash, 'the runtime runs the static pod (its own uid), not the mirror');
  assert.equal(mirror.status.containerStatuses[0].containerID, `containerd://${c.id}`);
  assert.equal(kubelet.locator.findContainer('default', 'web-vm', 'c')?.id, c.id, 'logs and exec find it');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(cri.byName('c').length, 1, 'started once: the mirror is never run as a pod of its own');
  assert.equal([...cri.sandboxes.values()].length, 1);

  // the file goes: the pod is stopped and removed, the mirror deleted
  rmSync(join(o.staticPodPath!, 'web.yaml'));
  await until('the mirror gone', () => !client.object(PODS, 'default', 'web-vm'));
  await until('the containers gone', () => cri.containers.size === 0 && cri.sandboxes.size === 0);
});

test('registerNode: false — the kubelet waits for someone else to create its Node', async (t) => {
  const client = new FakeClient();
  const cri = new FakeCri();
  const o = options(t, client, cri, 'registerNode: false\n');
  const started = startKubelet(o);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(client.object(NODES, '', 'vm'), undefined, 'not registered');
  await client.create(NODES, '', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'vm' }, spec: { podCIDR: '10.9.0.0/24', podCIDRs: ['10.9.0.0/24'] } });
  const kubelet = await started;
  t.after(() => kubelet.stopped);
  await until('Ready', () => client.object(NODES, '', 'vm')?.status?.conditions?.find((c: Obj) => c.type === 'Ready')?.status === 'True');
});
