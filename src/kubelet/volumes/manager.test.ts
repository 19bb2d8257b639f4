import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { FakeClock } from '../../client/clock.js';
import { FakeClient } from '../../client/fake.js';
import { envSourcesFromClient } from '../env/client.js';
import { ContainerConfigError } from '../env/types.js';
import { toCriMount } from './cri.js';
import { VolumeError } from './errors.js';
import { VolumeManager } from './manager.js';
import { FakeMounter, tempDir } from './testutil.js';

const CM = findResource('', 'v1', 'configmaps')!;
const SEC = findResource('', 'v1', 'secrets')!;
const SA = findResource('', 'v1', 'serviceaccounts')!;
const PVC = findResource('', 'v1', 'persistentvolumeclaims')!;
const PV = findResource('', 'v1', 'persistentvolumes')!;
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

const info = { nodeName: 'n1', nodeAllocatable: { cpu: '2', memory: '1Gi' }, podIP: '10.42.0.5' };

/** The volume the ServiceAccount admission plugin adds to every pod. */
const kubeApiAccess = {
  name: 'kube-api-access-x7k2p',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};
const saMount = { name: 'kube-api-access-x7k2p', mountPath: SA_DIR, readOnly: true };

/** The scenario pod of runtime/30-run-logs-exec.sh, as the API server stores it. */
function appPod(extra: Obj = {}): Obj {
  return {
    metadata: { name: 'app', namespace: 'ns', uid: 'uid-app', labels: { app: 'demo' } },
    spec: {
      nodeName: 'n1',
      serviceAccountName: 'default',
      containers: [
        { name: 'main', volumeMounts: [{ name: 'conf', mountPath: '/etc/conf' }, { name: 'scratch', mountPath: '/scratch' }, saMount] },
        { name: 'side', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, saMount] },
      ],
      volumes: [{ name: 'conf', configMap: { name: 'cfg', defaultMode: 420 } }, { name: 'scratch', emptyDir: {} }, kubeApiAccess],
      ...extra,
    },
  };
}

interface Harness { vm: VolumeManager; client: FakeClient; mounter: FakeMounter; clock: FakeClock; podsDir: string; tokens: number }

function harness(t: { after: (fn: () => void) => void }, opts: { memoryBackedSecrets?: boolean; seed?: (c: FakeClient) => void } = {}): Harness {
  const podsDir = tempDir(t);
  const client = new FakeClient()
    .seed(CM, { metadata: { namespace: 'ns', name: 'cfg' }, data: { MODE: 'fast' } })
    .seed(CM, { metadata: { namespace: 'ns', name: 'kube-root-ca.crt' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n' } })
    .seed(SEC, { metadata: { namespace: 'ns', name: 'sec' }, data: { TOKEN: b64('abc') } })
    .seed(SA, { metadata: { namespace: 'ns', name: 'default' } });
  opts.seed?.(client);
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const h = { client, clock, podsDir, mounter: new FakeMounter(), tokens: 0 } as Harness;
  client.prependReactor('create', 'serviceaccounts', (a) => {
    if (a.subresource !== 'token') return undefined;
    h.tokens++;
    return { ...a.object, status: { token: `jwt-${h.tokens}`, expirationTimestamp: new Date(clock.now() + a.object!.spec.expirationSeconds * 1000).toISOString() } };
  });
  h.vm = new VolumeManager({ client, podsDir, nodeName: 'n1', envSources: envSourcesFromClient(client), mounter: h.mounter, memoryBackedSecrets: opts.memoryBackedSecrets ?? false, clock });
  return h;
}

const volDir = (h: Harness, uid: string, plugin: string, name: string): string => join(h.podsDir, uid, 'volumes', plugin, name);

async function failures(p: Promise<void>): Promise<string[]> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof VolumeError, String(err));
    assert.equal(err.reason, 'FailedMount');
    assert.equal(err.message, err.failures[0].message);
    return err.failures.map((f) => `${f.volume}: ${f.message}`);
  }
  assert.fail('expected a VolumeError');
}

describe('VolumeManager', () => {
  it('the scenario pod: configMap, emptyDir and the kube-api-access projected volume', async (t) => {
    const h = harness(t);
    const pod = appPod();
    await h.vm.setUp(pod, info);

    const conf = volDir(h, 'uid-app', 'kubernetes.io~configmap', 'conf');
    assert.equal(readFileSync(join(conf, 'MODE'), 'utf8'), 'fast');
    assert.equal(readlinkSync(join(conf, 'MODE')), '..data/MODE');
    assert.equal(statSync(join(conf, 'MODE')).mode & 0o777, 0o644);

    const scratch = volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'scratch');
    assert.equal(statSync(scratch).mode & 0o777, 0o777);

    const sa = volDir(h, 'uid-app', 'kubernetes.io~projected', 'kube-api-access-x7k2p');
    assert.equal(readFileSync(join(sa, 'token'), 'utf8'), 'jwt-1');
    assert.equal(readFileSync(join(sa, 'ca.crt'), 'utf8'), '-----BEGIN CERTIFICATE-----\n');
    assert.equal(readFileSync(join(sa, 'namespace'), 'utf8'), 'ns');
    assert.equal(statSync(join(sa, 'token')).mode & 0o777, 0o644);
    const tr = h.client.actions.find((a) => a.subresource === 'token')!;
    assert.equal(tr.name, 'default');
    assert.deepEqual(tr.object!.spec, { expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'app', uid: 'uid-app' } });

    assert.deepEqual(h.vm.mountsFor(pod, pod.spec.containers[0]), [
      { container_path: '/etc/conf', host_path: conf, readonly: true, selinux_relabel: false, propagation: 0 },
      { container_path: '/scratch', host_path: scratch, readonly: false, selinux_relabel: false, propagation: 0 },
      { container_path: SA_DIR, host_path: sa, readonly: true, selinux_relabel: false, propagation: 0 },
    ]);
    assert.deepEqual(h.vm.mountsFor(pod, pod.spec.containers[1]).map((m) => m.host_path), [scratch, sa]);
    assert.deepEqual(h.vm.volumes('uid-app').map((v) => v.kind).sort(), ['configMap', 'emptyDir', 'projected']);
  });

  it('setUp again is cheap and keeps emptyDir contents; unused volumes are not set up', async (t) => {
    const h = harness(t);
    const pod = appPod();
    pod.spec.volumes.push({ name: 'unused', secret: { secretName: 'missing' } });
    await h.vm.setUp(pod, info);
    writeFileSync(join(volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'scratch'), 'note'), 'shared');
    h.client.clearActions();
    await h.vm.setUp(pod, info);
    assert.deepEqual(h.client.actions, []);
    assert.equal(readFileSync(join(volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'scratch'), 'note'), 'utf8'), 'shared');
    assert.equal(existsSync(join(h.podsDir, 'uid-app/volumes/kubernetes.io~secret')), false);
  });

  it('refresh swaps configMap updates in atomically and drops removed keys', async (t) => {
    const h = harness(t);
    const pod = appPod();
    await h.vm.setUp(pod, info);
    const conf = volDir(h, 'uid-app', 'kubernetes.io~configmap', 'conf');
    const before = readlinkSync(join(conf, '..data'));
    const cm = h.client.object(CM, 'ns', 'cfg')!;
    await h.client.update(CM, 'ns', { ...cm, data: { MODE: 'slow', EXTRA: '1' } });
    await h.vm.refresh(pod, info);
    assert.equal(readFileSync(join(conf, 'MODE'), 'utf8'), 'slow');
    assert.equal(readFileSync(join(conf, 'EXTRA'), 'utf8'), '1');
    assert.notEqual(readlinkSync(join(conf, '..data')), before);
    assert.equal(existsSync(join(conf, before)), false, 'the old version is removed');
    await h.client.update(CM, 'ns', { ...h.client.object(CM, 'ns', 'cfg')!, data: { MODE: 'slow' } });
    await h.vm.refresh(pod, info);
    assert.equal(existsSync(join(conf, 'EXTRA')), false);
  });

  it('refresh renews the service account token at 80% of its lifetime, and downward API fields', async (t) => {
    const h = harness(t);
    const pod = appPod();
    pod.spec.volumes.push({ name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } });
    pod.spec.containers[0].volumeMounts.push({ name: 'info', mountPath: '/etc/podinfo' });
    await h.vm.setUp(pod, info);
    const sa = volDir(h, 'uid-app', 'kubernetes.io~projected', 'kube-api-access-x7k2p');
    assert.equal(h.vm.nextTokenRefresh('uid-app'), h.clock.now() + Math.floor(3607 * 0.8 * 1000));
    h.clock.advance(2000_000);
    await h.vm.refresh(pod, info);
    assert.equal(readFileSync(join(sa, 'token'), 'utf8'), 'jwt-1');
    h.clock.advance(900_000);
    pod.metadata.labels.tier = 'web';
    await h.vm.refresh(pod, info);
    assert.equal(readFileSync(join(sa, 'token'), 'utf8'), 'jwt-2');
    assert.equal(readFileSync(join(volDir(h, 'uid-app', 'kubernetes.io~downward-api', 'info'), 'labels'), 'utf8'), 'app="demo"\ntier="web"');
  });

  it('FailedMount messages; the other volumes still get set up; a retry finishes the job', async (t) => {
    const h = harness(t, { seed: (c) => c.delete(CM, 'ns', 'cfg') });
    const pod = appPod();
    assert.deepEqual(await failures(h.vm.setUp(pod, info)), ['conf: MountVolume.SetUp failed for volume "conf" : configmap "cfg" not found']);
    assert.equal(existsSync(volDir(h, 'uid-app', 'kubernetes.io~configmap', 'conf')), false, 'nothing made for a missing source');
    assert.ok(existsSync(volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'scratch')));
    assert.throws(() => h.vm.mountsFor(pod, pod.spec.containers[0]), (err: unknown) => err instanceof ContainerConfigError && err.message === 'cannot find volume "conf" to mount into container "main"');
    await h.client.create(CM, 'ns', { metadata: { name: 'cfg' }, data: { MODE: 'late' } });
    await h.vm.setUp(pod, info);
    assert.equal(readFileSync(join(volDir(h, 'uid-app', 'kubernetes.io~configmap', 'conf'), 'MODE'), 'utf8'), 'late');
  });

  it('more FailedMount messages as the kubelet words them', async (t) => {
    const h = harness(t);
    const dir = tempDir(t);
    writeFileSync(join(dir, 'file'), '');
    const pod = appPod({
      containers: [{ name: 'main', volumeMounts: ['s', 'items', 'host', 'claim', 'nfs', 'proj', 'cmkey'].map((n) => ({ name: n, mountPath: `/${n}` })) }],
      volumes: [
        { name: 's', secret: { secretName: 'nope' } },
        { name: 'items', secret: { secretName: 'sec', items: [{ key: 'MISSING', path: 'x' }] } },
        { name: 'host', hostPath: { path: join(dir, 'file'), type: 'Directory' } },
        { name: 'claim', persistentVolumeClaim: { claimName: 'c' } },
        { name: 'nfs', nfs: { server: 'x', path: '/' } },
        { name: 'proj', projected: { sources: [{ configMap: { name: 'gone' } }, { secret: { name: 'gone' } }] } },
        { name: 'cmkey', configMap: { name: 'cfg', items: [{ key: 'NOPE', path: 'n' }] } },
      ],
    });
    assert.deepEqual(await failures(h.vm.setUp(pod, info)), [
      's: MountVolume.SetUp failed for volume "s" : secret "nope" not found',
      'items: MountVolume.SetUp failed for volume "items" : references non-existent secret key: MISSING',
      `host: MountVolume.SetUp failed for volume "host" : hostPath type check failed: ${dir}/file is not a directory`,
      'claim: Unable to attach or mount volumes: unmounted volumes=[claim], unattached volumes=[], failed to process volumes=[claim]: error processing PVC ns/c: failed to fetch PVC from API server: persistentvolumeclaims "c" not found',
      'nfs: Unable to attach or mount volumes: unmounted volumes=[nfs], unattached volumes=[], failed to process volumes=[nfs]: failed to get Plugin from volumeSpec for volume "nfs" err=no volume plugin matched',
      'proj: MountVolume.SetUp failed for volume "proj" : [configmap "gone" not found, secret "gone" not found]',
      'cmkey: MountVolume.SetUp failed for volume "cmkey" : configmap references non-existent config key: NOPE',
    ]);
  });

  it('optional sources that are missing give empty volumes', async (t) => {
    const h = harness(t);
    const pod = appPod({
      containers: [{ name: 'main', volumeMounts: [{ name: 'c', mountPath: '/c' }, { name: 's', mountPath: '/s' }] }],
      volumes: [{ name: 'c', configMap: { name: 'nope', optional: true } }, { name: 's', secret: { secretName: 'nope', optional: true } }],
    });
    await h.vm.setUp(pod, info);
    assert.deepEqual(readdirSync(volDir(h, 'uid-app', 'kubernetes.io~configmap', 'c')).filter((n) => !n.startsWith('..')), []);
  });

  it('secret volumes: decoded, items and modes', async (t) => {
    const h = harness(t);
    const pod = appPod({
      containers: [{ name: 'main', volumeMounts: [{ name: 's', mountPath: '/s' }] }],
      volumes: [{ name: 's', secret: { secretName: 'sec', defaultMode: 0o400, items: [{ key: 'TOKEN', path: 'auth/token' }] } }],
    });
    await h.vm.setUp(pod, info);
    const dir = volDir(h, 'uid-app', 'kubernetes.io~secret', 's');
    assert.equal(readFileSync(join(dir, 'auth/token'), 'utf8'), 'abc');
    assert.equal(statSync(join(dir, 'auth/token')).mode & 0o777, 0o400);
  });

  it('memory-backed: emptyDir Memory and secret/projected volumes are tmpfs, sized, unmounted on tearDown', async (t) => {
    const h = harness(t, { memoryBackedSecrets: true });
    const pod = appPod({
      containers: [{ name: 'main', resources: { limits: { memory: '256Mi' } }, volumeMounts: [{ name: 'ram', mountPath: '/ram' }, { name: 's', mountPath: '/s' }, saMount] }],
      volumes: [{ name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } }, { name: 's', secret: { secretName: 'sec' } }, kubeApiAccess],
    });
    await h.vm.setUp(pod, info);
    const ram = volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'ram');
    const sec = volDir(h, 'uid-app', 'kubernetes.io~secret', 's');
    const proj = volDir(h, 'uid-app', 'kubernetes.io~projected', 'kube-api-access-x7k2p');
    assert.equal(h.mounter.mounted.get(ram), 64n * 1024n * 1024n);
    assert.equal(h.mounter.mounted.get(sec), 256n * 1024n * 1024n, 'the pod\'s memory limit');
    assert.ok(h.mounter.mounted.has(proj));
    await h.vm.setUp(pod, info);
    await h.vm.refresh(pod, info);
    assert.equal(h.mounter.calls.filter((c) => c.startsWith('mount')).length, 3, 'mounted once each');
    await h.vm.tearDown('uid-app');
    assert.equal(h.mounter.mounted.size, 0);
    assert.equal(existsSync(join(h.podsDir, 'uid-app')), false);
    assert.equal(h.vm.nextTokenRefresh('uid-app'), undefined);
    assert.deepEqual(h.vm.volumes('uid-app'), []);
  });

  it('a kubelet restart does not mount twice and keeps emptyDir data', async (t) => {
    const h = harness(t, { memoryBackedSecrets: true });
    const pod = appPod();
    await h.vm.setUp(pod, info);
    writeFileSync(join(volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'scratch'), 'keep'), '1');
    const again = new VolumeManager({ client: h.client, podsDir: h.podsDir, nodeName: 'n1', envSources: envSourcesFromClient(h.client), mounter: h.mounter, memoryBackedSecrets: true, clock: h.clock });
    await again.setUp(pod, info);
    assert.equal(h.mounter.calls.filter((c) => c.startsWith('mount')).length, 1);
    assert.equal(readFileSync(join(volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'scratch'), 'keep'), 'utf8'), '1');
    assert.equal(again.mountsFor(pod, pod.spec.containers[1]).length, 2);
  });

  it('fsGroup: emptyDir and configMap contents get the group; the token becomes 0640', async (t) => {
    const gid = process.getuid?.() === 0 ? 2000 : process.getgid!();
    const h = harness(t);
    const pod = appPod({ securityContext: { fsGroup: gid } });
    await h.vm.setUp(pod, info);
    const scratch = volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'scratch');
    assert.equal(statSync(scratch).gid, gid);
    assert.equal(statSync(scratch).mode & 0o7777, 0o2777);
    const conf = volDir(h, 'uid-app', 'kubernetes.io~configmap', 'conf');
    assert.equal(statSync(join(conf, 'MODE')).gid, gid);
    assert.equal(statSync(join(conf, 'MODE')).mode & 0o777, 0o644);
    const token = join(volDir(h, 'uid-app', 'kubernetes.io~projected', 'kube-api-access-x7k2p'), 'token');
    assert.equal(statSync(token).mode & 0o777, 0o640);
    assert.equal(statSync(token).gid, gid);
  });

  it('a pod whose containers all run as one user gets its own token file (fsUser), mode 0600', async (t) => {
    const uid = process.getuid?.() === 0 ? 1234 : process.getuid!(); // chown to another uid needs root
    const h = harness(t);
    const pod = appPod({ securityContext: { runAsUser: uid } });
    await h.vm.setUp(pod, info);
    const token = join(volDir(h, 'uid-app', 'kubernetes.io~projected', 'kube-api-access-x7k2p'), 'token');
    assert.equal(statSync(token).uid, uid);
    assert.equal(statSync(token).mode & 0o777, 0o600);
  });

  it('a local-path claim: the directory is made 0777 and mounted where it is', async (t) => {
    const storage = tempDir(t);
    const path = join(storage, 'ns_data_pvc-1');
    const h = harness(t, {
      seed: (c) => c
        .seed(PVC, { metadata: { namespace: 'ns', name: 'data', uid: 'claim-uid' }, spec: { volumeName: 'pvc-1' }, status: { phase: 'Bound' } })
        .seed(PV, { metadata: { name: 'pvc-1', annotations: { 'pv.kubernetes.io/provisioned-by': 'skiff.dev/local-path' } }, spec: { hostPath: { path, type: 'DirectoryOrCreate' }, claimRef: { namespace: 'ns', name: 'data', uid: 'claim-uid' } } }),
    });
    const pod = appPod({
      containers: [{ name: 'main', volumeMounts: [{ name: 'd', mountPath: '/data' }, { name: 'ro', mountPath: '/ro' }] }],
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }, { name: 'ro', persistentVolumeClaim: { claimName: 'data', readOnly: true } }],
    });
    await h.vm.setUp(pod, info);
    assert.equal(statSync(path).mode & 0o777, 0o777);
    assert.deepEqual(h.vm.mountsFor(pod, pod.spec.containers[0]).map((m) => [m.host_path, m.readonly]), [[path, false], [path, true]]);
  });

  it('a claim whose volume fails its check names the PV in the message', async (t) => {
    const h = harness(t, {
      seed: (c) => c
        .seed(PVC, { metadata: { namespace: 'ns', name: 'data', uid: 'claim-uid' }, spec: { volumeName: 'pv-x' }, status: { phase: 'Bound' } })
        .seed(PV, { metadata: { name: 'pv-x' }, spec: { hostPath: { path: '/nonexistent/skiff-test', type: 'Directory' }, claimRef: { uid: 'claim-uid' } } }),
    });
    const pod = appPod({ containers: [{ name: 'main', volumeMounts: [{ name: 'd', mountPath: '/data' }] }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] });
    assert.deepEqual(await failures(h.vm.setUp(pod, info)), ['d: MountVolume.SetUp failed for volume "pv-x" : hostPath type check failed: /nonexistent/skiff-test is not a directory']);
  });

  it('mountsFor: subPath, subPathExpr, readOnly, propagation', async (t) => {
    const h = harness(t);
    const host = tempDir(t);
    const pod = appPod({
      containers: [{
        name: 'main',
        volumeMounts: [
          { name: 'scratch', mountPath: '/logs', subPathExpr: 'logs/$(POD_NAME)' },
          { name: 'conf', mountPath: '/etc/mode', subPath: 'MODE' },
          { name: 'scratch', mountPath: '/ro', readOnly: true },
          { name: 'host', mountPath: 'relative/dir', mountPropagation: 'HostToContainer' },
          { name: 'host', mountPath: '/bi', mountPropagation: 'Bidirectional' },
        ],
      }],
      volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'conf', configMap: { name: 'cfg' } }, { name: 'host', hostPath: { path: host } }],
    });
    await h.vm.setUp(pod, info);
    const c = pod.spec.containers[0];
    const mounts = h.vm.mountsFor(pod, c, [{ name: 'POD_NAME', value: 'app' }]);
    const scratch = volDir(h, 'uid-app', 'kubernetes.io~empty-dir', 'scratch');
    assert.equal(mounts[0].host_path, join(realpathSync(scratch), 'logs/app'));
    assert.equal(statSync(mounts[0].host_path).mode & 0o777, 0o777, 'made with the volume root\'s mode');
    assert.match(mounts[1].host_path, /kubernetes\.io~configmap\/conf\/\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.[^/]+\/MODE$/);
    assert.equal(mounts[1].readonly, true);
    assert.equal(mounts[2].readonly, true);
    assert.deepEqual([mounts[3].container_path, mounts[3].propagation, mounts[4].propagation], ['/relative/dir', 1, 2]);
    assert.deepEqual(toCriMount(mounts[3]), { containerPath: '/relative/dir', hostPath: host, readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' });

    const bad = (vm: Obj, env: { name: string; value: string }[] = []): string => {
      try {
        h.vm.mountsFor(pod, { name: 'main', volumeMounts: [vm] }, env);
      } catch (err) {
        assert.ok(err instanceof ContainerConfigError);
        return err.message;
      }
      assert.fail('expected a ContainerConfigError');
    };
    assert.equal(bad({ name: 'scratch', mountPath: '/x', subPathExpr: '$(NOPE)/x' }), 'missing value for NOPE');
    assert.equal(bad({ name: 'scratch', mountPath: '/x', subPath: '/abs' }), 'error SubPath `/abs` must not be an absolute path');
    assert.equal(bad({ name: 'scratch', mountPath: '/x', subPath: '../up' }), "unable to provision SubPath `../up`: must not contain '..'");
    assert.equal(bad({ name: 'scratch', mountPath: '/x', mountPropagation: 'Sideways' }), 'invalid MountPropagation mode: "Sideways"');
    assert.equal(bad({ name: 'ghost', mountPath: '/x' }), 'cannot find volume "ghost" to mount into container "main"');
  });

  it('a read-only configMap volume with another volume mounted inside it gets the mount point made', async (t) => {
    const h = harness(t);
    const pod = appPod({
      containers: [{ name: 'main', volumeMounts: [{ name: 'conf', mountPath: '/etc/app' }, { name: 'scratch', mountPath: '/etc/app/data' }] }],
      volumes: [{ name: 'conf', configMap: { name: 'cfg' } }, { name: 'scratch', emptyDir: {} }],
    });
    await h.vm.setUp(pod, info);
    assert.ok(statSync(join(volDir(h, 'uid-app', 'kubernetes.io~configmap', 'conf'), 'data')).isDirectory());
  });

  it('tearDown of an unknown pod is a no-op; calls for one pod are serialised', async (t) => {
    const h = harness(t);
    await h.vm.tearDown('nobody');
    const pod = appPod();
    await Promise.all([h.vm.setUp(pod, info), h.vm.tearDown('uid-app')]);
    assert.equal(existsSync(join(h.podsDir, 'uid-app')), false, 'tearDown ran after setUp');
    await h.vm.setUp(pod, info);
    assert.ok(existsSync(join(h.podsDir, 'uid-app')));
  });

  it('cleanupOrphanedPods tears down the pods no longer active', async (t) => {
    const h = harness(t, { memoryBackedSecrets: true });
    const a = appPod();
    const b = appPod();
    b.metadata.uid = 'uid-b';
    await h.vm.setUp(a, info);
    await h.vm.setUp(b, info);
    assert.deepEqual(await h.vm.cleanupOrphanedPods(new Set(['uid-app'])), ['uid-b']);
    assert.equal(existsSync(join(h.podsDir, 'uid-b')), false);
    assert.ok(existsSync(join(h.podsDir, 'uid-app')));
    assert.deepEqual(await h.mounter.mountPointsUnder(join(h.podsDir, 'uid-b')), []);
    assert.equal((await h.mounter.mountPointsUnder(join(h.podsDir, 'uid-app'))).length, 1);
  });

  it('a real tmpfs for emptyDir medium Memory (root)', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('mounting a tmpfs needs root');
      return;
    }
    const podsDir = tempDir(t);
    const client = new FakeClient();
    const vm = new VolumeManager({ client, podsDir, nodeName: 'n1', envSources: envSourcesFromClient(client), memoryBackedSecrets: false });
    const pod = { metadata: { name: 'p', namespace: 'ns', uid: 'uid-tmpfs' }, spec: { containers: [{ name: 'c', volumeMounts: [{ name: 'ram', mountPath: '/ram' }] }], volumes: [{ name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }] } };
    t.after(() => vm.tearDown('uid-tmpfs'));
    await vm.setUp(pod, info);
    const dir = join(podsDir, 'uid-tmpfs/volumes/kubernetes.io~empty-dir/ram');
    const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dir);
    assert.ok(line, 'mounted');
    assert.match(line, / - tmpfs tmpfs .*size=8192k/);
    const fs = statfsSync(dir);
    assert.equal(fs.blocks * fs.bsize, 8 * 1024 * 1024);
    writeFileSync(join(dir, 'x'), 'in memory');
    await vm.tearDown('uid-tmpfs');
    assert.equal(readFileSync('/proc/self/mountinfo', 'utf8').includes(dir), false, 'unmounted');
    assert.equal(existsSync(join(podsDir, 'uid-tmpfs')), false);
  });
});
