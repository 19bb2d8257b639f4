import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeletConfigError, loadKubeletConfig, nodeAllocatable, parseKubeletConfig } from './kubeletconfig.js';
import { parseGoDuration } from './schema.js';

const HEAD = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';
const parse = (body: string) => parseKubeletConfig(HEAD + body, '/etc/skiff/kubelet.yaml');
const refuse = (body: string, re: RegExp) => assert.throws(() => parse(body), (e: Error) => e instanceof KubeletConfigError && re.test(e.message), body);

test('defaults, and the fields skiff acts on (YAML; relative paths against the file)', () => {
  const d = parse('');
  assert.equal(d.maxPods, 110);
  assert.deepEqual(d.evictionHard, { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%' });
  assert.equal(d.serializeImagePulls, true);
  assert.equal(d.registerNode, true);
  assert.equal(d.staticPodPath, undefined);
  assert.equal(d.fileCheckFrequencyMs, 20_000);

  const c = parse(`staticPodPath: manifests
maxPods: 42
clusterDNS: [10.43.0.10]
clusterDomain: example.local
evictionHard: {memory.available: 200Mi}
allowedUnsafeSysctls: ["kernel.msg*", net.core.somaxconn]
serializeImagePulls: false
registerNode: true
nodeStatusUpdateFrequency: 5s
fileCheckFrequency: 1m30s
authentication: {anonymous: {enabled: false}, webhook: {enabled: true, cacheTTL: 2m}}
featureGates: {SidecarContainers: true}
registerWithTaints: [{key: a, value: b, effect: NoSchedule}]
`);
  assert.equal(c.staticPodPath, '/etc/skiff/manifests');
  assert.equal(c.maxPods, 42);
  assert.deepEqual(c.clusterDNS, ['10.43.0.10']);
  assert.equal(c.clusterDomain, 'example.local');
  assert.deepEqual(c.evictionHard, { 'memory.available': '200Mi' }, 'signals not given are 0 unless mergeDefaultEvictionSettings');
  assert.equal(c.serializeImagePulls, false);
  assert.equal(c.nodeStatusUpdateFrequencyMs, 5000);
  assert.equal(c.fileCheckFrequencyMs, 90_000);
  assert.deepEqual(parse('evictionHard: {memory.available: 1Gi}\nmergeDefaultEvictionSettings: true\n').evictionHard['nodefs.available'], '10%');
});

test('JSON files decode too; a file is read from disk', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeletconfig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'k.json');
  writeFileSync(f, JSON.stringify({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', maxPods: 7, staticPodPath: '/srv/pods' }));
  const c = loadKubeletConfig(f);
  assert.equal(c.maxPods, 7);
  assert.equal(c.staticPodPath, '/srv/pods');
  assert.throws(() => loadKubeletConfig(join(dir, 'missing.yaml')), /failed to load Kubelet config file .*missing\.yaml: ENOENT/);
});

test('strict decoding: unknown fields, wrong types, wrong kind, bad values are errors naming them', () => {
  refuse('maxPodz: 3\n', /strict decoding error: unknown field "maxPodz"/);
  refuse('authentication: {anonymous: {enable: true}}\n', /unknown field "authentication\.anonymous\.enable"/);
  refuse('maxPods: "ten"\n', /cannot unmarshal string into Go struct field KubeletConfiguration\.maxPods of type int32/);
  refuse('registerNode: yes-please\n', /KubeletConfiguration\.registerNode of type bool/);
  refuse('syncFrequency: 10 seconds\n', /syncFrequency: time: invalid duration "10 seconds"/);
  refuse('maxPods: -1\n', /maxPods \(--max-pods\) -1 must not be a negative number/);
  refuse('evictionHard: {memory.free: 1Gi}\n', /unsupported eviction signal memory\.free/);
  refuse('evictionHard: {memory.available: 150%}\n', /between 0% and 100%/);
  refuse('clusterDNS: [not-an-ip]\n', /clusterDNS "not-an-ip" is not a valid IP address/);
  refuse('allowedUnsafeSysctls: [vm.swappiness]\n', /"vm\.swappiness" are not known to be namespaced/);
  assert.throws(() => parseKubeletConfig('apiVersion: v1\nkind: Pod\n', '/x.yaml'), /no kind "Pod" is registered for version "v1"/);
  assert.throws(() => parseKubeletConfig('maxPods: 3\n', '/x.yaml'), /Object 'Kind' is missing/);
  assert.throws(() => parseKubeletConfig('{"kind": ', '/x.json'), /failed to decode/);
});

test('allocatable: capacity less reservations and hard-eviction thresholds', () => {
  const cap = { cpu: '4', memory: '8388608Ki', 'ephemeral-storage': '104857600Ki', pods: '110' };
  const d = parse('');
  assert.deepEqual(nodeAllocatable(cap, d), { cpu: '4', memory: '8286208Ki', 'ephemeral-storage': '94371840Ki', pods: '110' });
  const c = parse('systemReserved: {cpu: 500m, memory: 1Gi}\nkubeReserved: {cpu: "1"}\nevictionHard: {memory.available: 0%, nodefs.available: 50%}\n');
  assert.deepEqual(nodeAllocatable(cap, c), { cpu: '2500m', memory: '7340032Ki', 'ephemeral-storage': '52428800Ki', pods: '110' });
});

test('Go durations', () => {
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.throws(() => parseGoDuration('5'), /time: invalid duration "5"/);
});
