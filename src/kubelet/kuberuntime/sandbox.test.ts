import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { managedHostsContent, mountsEtcHosts } from '../pods/hosts.js';
import { parseResolvConf, podDnsConfig } from './dns.js';
import { kernelHostname, sandboxConfig } from './sandbox.js';
import { lastLogText, terminationMessage } from './status.js';
import { containerInfo } from './labels.js';
import type { ContainerStatus } from '../cri/types.js';

const pod = (spec: object = {}, name = 'web-0') => ({ metadata: { name, namespace: 'shop', uid: 'u1', labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c' }], ...spec } });
const host = parseResolvConf('# comment\nnameserver 192.0.2.53\nsearch corp.example .\noptions edns0 ndots:2\n');

test('resolv.conf parsing and the pod DNS policies', () => {
  assert.deepEqual(host, { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0', 'ndots:2'] });
  const o = { clusterDNS: ['10.43.0.10'], clusterDomain: 'cluster.local', host };
  assert.deepEqual(podDnsConfig(pod(), o).config, { servers: ['10.43.0.10'], searches: ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] });
  assert.deepEqual(podDnsConfig(pod({ dnsPolicy: 'Default' }), o).config, { servers: ['192.0.2.53'], searches: ['corp.example'], options: ['edns0', 'ndots:2'] });
  // host network with ClusterFirst uses the node's resolver; ClusterFirstWithHostNet the cluster's
  assert.deepEqual(podDnsConfig(pod({ hostNetwork: true }), o).config.servers, ['192.0.2.53']);
  assert.deepEqual(podDnsConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), o).config.servers, ['10.43.0.10']);
  const none = podDnsConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['x.example'], options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } }), o).config;
  assert.deepEqual(none, { servers: ['1.1.1.1'], searches: ['x.example'], options: ['ndots:1', 'rotate'] });
  // dnsConfig options override the policy's by name
  assert.deepEqual(podDnsConfig(pod({ dnsConfig: { options: [{ name: 'ndots', value: '2' }] } }), o).config.options, ['ndots:2']);
  // no cluster DNS: ClusterFirst falls back to Default, with upstream's warning
  const fb = podDnsConfig(pod(), { ...o, clusterDNS: [] });
  assert.deepEqual(fb.config.servers, ['192.0.2.53']);
  assert.equal(fb.warning, 'pod: "web-0_shop(u1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.');
});

test('hostname, subdomain FQDN and the managed /etc/hosts', () => {
  assert.equal(kernelHostname(pod(), 'cluster.local'), 'web-0');
  assert.equal(kernelHostname(pod({ hostname: 'h', subdomain: 'svc', setHostnameAsFQDN: true }), 'cluster.local'), 'h.svc.shop.svc.cluster.local');
  assert.equal(kernelHostname(pod({}, `${'a'.repeat(62)}-bcd`), 'c.l'), 'a'.repeat(62));
  const text = managedHostsContent(pod({ hostAliases: [{ ip: '192.0.2.9', hostnames: ['foo', 'bar'] }] }), ['10.0.0.7'], 'web-0', 'svc.shop.svc.cluster.local');
  assert.equal(text, '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n'
    + '10.0.0.7\tweb-0.svc.shop.svc.cluster.local\tweb-0\n\n# Entries added by HostAliases.\n192.0.2.9\tfoo\tbar\n');
  assert.equal(mountsEtcHosts(pod(), { name: 'c' }, ['10.0.0.7']), true);
  assert.equal(mountsEtcHosts(pod(), { name: 'c', volumeMounts: [{ name: 'h', mountPath: '/etc/hosts' }] }, ['10.0.0.7']), false);
  assert.equal(mountsEtcHosts(pod(), { name: 'c' }, []), false, 'no IP yet: no hosts file');
});

test('the sandbox config carries identity, logs, ports, namespaces and the cgroup parent', () => {
  const p = pod({ shareProcessNamespace: true, securityContext: { runAsUser: 1000, fsGroup: 2000, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] }, containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] }] });
  const cfg = sandboxConfig(p, { attempt: 2, logsRoot: '/d/logs/pods', clusterDomain: 'cluster.local', dns: { servers: [] } });
  assert.deepEqual(cfg.metadata, { name: 'web-0', namespace: 'shop', uid: 'u1', attempt: 2 });
  assert.equal(cfg.logDirectory, '/d/logs/pods/shop_web-0_u1');
  assert.deepEqual(cfg.portMappings, [{ protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIp: '' }]);
  assert.deepEqual(cfg.labels, { app: 'web', 'io.kubernetes.pod.name': 'web-0', 'io.kubernetes.pod.namespace': 'shop', 'io.kubernetes.pod.uid': 'u1' });
  assert.equal(cfg.linux?.cgroupParent, '/kubepods/besteffort/podu1');
  assert.deepEqual(cfg.linux?.securityContext?.namespaceOptions, { network: 'POD', pid: 'POD', ipc: 'POD' });
  assert.deepEqual(cfg.linux?.securityContext?.supplementalGroups, [2000]);
  assert.deepEqual(cfg.linux?.securityContext?.runAsUser, { value: 1000 });
  assert.deepEqual(cfg.linux?.sysctls, { 'net.core.somaxconn': '1024' });
});

test('termination messages: the file, else the last log lines on error with FallbackToLogsOnError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'term-'));
  try {
    const file = join(dir, 'term'), log = join(dir, '0.log');
    writeFileSync(file, 'x'.repeat(5000) + 'END');
    writeFileSync(log, '2025-01-01T00:00:00.1Z stdout F one\n2025-01-01T00:00:00.2Z stderr P tw\n2025-01-01T00:00:00.3Z stderr F o\n');
    assert.equal(lastLogText(log), 'one\ntwo\n');
    const st = (exitCode: number) => ({ exitCode, reason: exitCode ? 'Error' : 'Completed', logPath: log, mounts: [{ containerPath: '/dev/termination-log', hostPath: file }] }) as unknown as ContainerStatus;
    const info = (policy: string) => containerInfo({}, { 'io.kubernetes.container.terminationMessagePath': '/dev/termination-log', 'io.kubernetes.container.terminationMessagePolicy': policy });
    const msg = terminationMessage(st(1), info('File'));
    assert.equal(msg.length, 4096, 'at most 4096 bytes, the end of the file');
    assert.ok(msg.endsWith('END'));
    writeFileSync(file, '');
    assert.equal(terminationMessage(st(1), info('FallbackToLogsOnError')), 'one\ntwo\n');
    assert.equal(terminationMessage(st(0), info('FallbackToLogsOnError')), '', 'only after an error');
    assert.equal(terminationMessage(st(1), info('File')), '');
    assert.equal(readFileSync(file, 'utf8'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
