import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import { FakeClient } from '../../client/fake.js';
import { PODS } from '../pods/sync.js';
import { StaticPods } from './manager.js';
import { CONFIG_MIRROR_ANNOTATION, isMirrorPod, mirrorPodFor, readStaticPods, staticPod } from './source.js';

const WEB = `apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: c, image: busybox, command: [sleep, "3600"]}]
`;

function dir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'static-pods-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('a file\'s pod as the kubelet runs it: NAME-NODENAME, default namespace, content hash uid, file source', () => {
  const p = staticPod(WEB, '/m/web.yaml', 'vm');
  assert.equal(p.metadata.name, 'web-vm');
  assert.equal(p.metadata.namespace, 'default');
  assert.match(p.metadata.uid, /^[0-9a-f]{32}$/);
  assert.equal(p.metadata.annotations['kubernetes.io/config.hash'], p.metadata.uid);
  assert.equal(p.metadata.annotations['kubernetes.io/config.source'], 'file');
  assert.ok(p.metadata.annotations['kubernetes.io/config.seen']);
  assert.equal(p.spec.nodeName, 'vm');
  assert.deepEqual(p.spec.tolerations, [{ operator: 'Exists', effect: 'NoExecute' }]);
  assert.equal(p.spec.restartPolicy, 'Always', 'API defaults applied');
  assert.equal(p.status.phase, 'Pending');
  assert.equal(staticPod(WEB, '/m/web.yaml', 'vm').metadata.uid, p.metadata.uid, 'same content, same uid');
  assert.notEqual(staticPod(WEB.replace('3600', '60'), '/m/web.yaml', 'vm').metadata.uid, p.metadata.uid, 'a changed file is a new pod');
  assert.notEqual(staticPod(WEB, '/m/other.yaml', 'vm').metadata.uid, p.metadata.uid);
  assert.equal(staticPod(JSON.stringify({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'j', namespace: 'kube-system' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } }), '/m/j.json', 'vm').metadata.namespace, 'kube-system');
  assert.throws(() => staticPod('kind: Deployment\napiVersion: apps/v1\n', '/m/d.yaml', 'vm'), /want a v1 Pod/);
  assert.throws(() => staticPod('apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: [{name: c}]}\n', '/m/x.yaml', 'vm'), /invalid pod: .*image: Required value/);

  const m = mirrorPodFor(p, { name: 'vm', uid: 'node-uid' });
  assert.equal(m.metadata.uid, undefined);
  assert.equal(m.metadata.annotations[CONFIG_MIRROR_ANNOTATION], p.metadata.uid);
  assert.deepEqual(m.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'vm', uid: 'node-uid', controller: true }]);
  assert.ok(isMirrorPod(m));
  assert.ok(!isMirrorPod(p));
});

test('a directory: hidden files skipped, broken and duplicate files reported, the rest read', (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'a.yaml'), WEB);
  writeFileSync(join(d, '.hidden.yaml'), WEB.replace('web', 'hidden'));
  writeFileSync(join(d, 'b.yaml'), 'not: [valid');
  writeFileSync(join(d, 'c.yaml'), WEB);
  const r = readStaticPods(d, 'vm');
  assert.deepEqual(r.pods.map((p) => p.pod.metadata.name), ['web-vm']);
  assert.equal(r.errors.length, 2);
  assert.match(r.errors[0], /b\.yaml/);
  assert.match(r.errors[1], /c\.yaml: pod default\/web-vm is already defined by another file/);
  assert.deepEqual(readStaticPods(join(d, 'missing'), 'vm'), { pods: [], errors: [] });
  assert.equal(readStaticPods(join(d, 'a.yaml'), 'vm').pods.length, 1, 'the path may be one file');
});

test('mirror pods: created for each static pod, replaced when deleted or stale, removed with their file', async (t) => {
  const d = dir(t);
  const client = new FakeClient();
  const seen: string[] = [];
  const gone: string[] = [];
  const sp = new StaticPods({ client, nodeName: 'vm', path: d, nodeUID: () => 'node-uid', onPod: (p) => seen.push(`${p.metadata.uid}:${p.status?.phase ?? ''}`), onGone: (uid) => gone.push(uid) });
  writeFileSync(join(d, 'web.yaml'), WEB);
  sp.rescan();
  const uid = sp.list()[0].metadata.uid;
  assert.deepEqual(seen, [`${uid}:Pending`]);
  assert.equal(sp.mirrorOf(sp.list()[0]), null, 'no mirror yet: status is not written');
  assert.equal(sp.mirrorOf({ metadata: { uid: 'api-pod' } }), undefined);

  await sp.reconcileMirrors();
  let m = await client.get(PODS, 'default', 'web-vm');
  assert.equal(m.metadata.annotations[CONFIG_MIRROR_ANNOTATION], uid);
  assert.equal(m.metadata.ownerReferences[0].kind, 'Node');
  assert.notEqual(m.metadata.uid, uid, 'the API gives the mirror a uid of its own');
  m = await client.patch(PODS, 'default', 'web-vm', 'merge', { status: { phase: 'Running', startTime: '2025-01-01T00:00:00Z' } }, { subresource: 'status' });
  sp.mirrorSeen(m);
  assert.equal(sp.mirrorOf(sp.list()[0])?.metadata.uid, m.metadata.uid);
  assert.equal(sp.list()[0].status.startTime, '2025-01-01T00:00:00Z', 'the kubelet sees the mirror\'s status');

  // a user deletes the mirror (graceful: deletionTimestamp): it is deleted now and made again
  sp.mirrorSeen({ ...m, metadata: { ...m.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } });
  await sp.reconcileMirrors();
  const m2 = await client.get(PODS, 'default', 'web-vm');
  assert.notEqual(m2.metadata.uid, m.metadata.uid);
  assert.equal(m2.metadata.annotations[CONFIG_MIRROR_ANNOTATION], uid);
  assert.equal(m2.status.startTime, '2025-01-01T00:00:00Z', 'a new mirror starts from the last status');
  const deletes = client.writes().filter((w) => w.verb === 'delete');
  assert.equal(deletes.length, 1);

  // the file changes: a new pod (new uid) replaces the old one, and so does its mirror
  sp.mirrorSeen(m2);
  writeFileSync(join(d, 'web.yaml'), WEB.replace('3600', '7200'));
  sp.rescan();
  assert.deepEqual(gone, [uid]);
  const uid2 = sp.list()[0].metadata.uid;
  assert.notEqual(uid2, uid);
  await sp.reconcileMirrors();
  m = await client.get(PODS, 'default', 'web-vm');
  assert.equal(m.metadata.annotations[CONFIG_MIRROR_ANNOTATION], uid2);
  assert.equal(m.spec.containers[0].command[1], '7200');

  // a stale mirror the informer has not reported yet (a previous run's, being deleted): found on create, replaced
  const sp2 = new StaticPods({ client, nodeName: 'vm', path: d, nodeUID: () => 'node-uid', onPod: () => undefined, onGone: () => undefined });
  await client.patch(PODS, 'default', 'web-vm', 'merge', { metadata: { annotations: { [CONFIG_MIRROR_ANNOTATION]: 'old-hash' } } });
  sp2.rescan();
  await sp2.reconcileMirrors();
  await sp2.reconcileMirrors();
  assert.equal((await client.get(PODS, 'default', 'web-vm')).metadata.annotations[CONFIG_MIRROR_ANNOTATION], uid2);
  m = await client.get(PODS, 'default', 'web-vm');

  // the file goes: the pod stops and its mirror is deleted
  sp.mirrorSeen(m);
  rmSync(join(d, 'web.yaml'));
  sp.rescan();
  assert.deepEqual(gone, [uid, uid2]);
  await sp.reconcileMirrors();
  await assert.rejects(client.get(PODS, 'default', 'web-vm'), /not found/);
});
