import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSysctlName, SysctlAllowlist } from './sysctl.js';

const pod = (sysctls: [string, string][], spec: object = {}) => ({ spec: { ...spec, securityContext: { sysctls: sysctls.map(([name, value]) => ({ name, value })) } } });

test('safe sysctls pass; unsafe ones only when allowed; host namespaces refuse namespaced ones', () => {
  const def = new SysctlAllowlist();
  assert.equal(def.admit(pod([['kernel.shm_rmid_forced', '1'], ['net.ipv4.ip_local_port_range', '1024 65000'], ['net.ipv4.tcp_syncookies', '1']])), undefined);
  assert.equal(def.admit({ spec: {} }), undefined);
  assert.deepEqual(def.admit(pod([['net.core.somaxconn', '1024']])), { reason: 'SysctlForbidden', message: 'forbidden sysctl: "net.core.somaxconn" not allowlisted' });
  assert.deepEqual(def.admit(pod([['net.ipv4.tcp_syncookies', '1']], { hostNetwork: true }))?.message, 'forbidden sysctl: "net.ipv4.tcp_syncookies" not allowed with host net enabled');
  assert.deepEqual(def.admit(pod([['kernel.shm_rmid_forced', '1']], { hostIPC: true }))?.message, 'forbidden sysctl: "kernel.shm_rmid_forced" not allowed with host ipc enabled');

  const allow = new SysctlAllowlist(['kernel.msg*', 'net.core.somaxconn']);
  assert.equal(allow.admit(pod([['kernel.msgmax', '65536'], ['net.core.somaxconn', '1024']])), undefined);
  assert.equal(allow.admit(pod([['net.core.rmem_max', '1']]))?.message, 'forbidden sysctl: "net.core.rmem_max" not allowlisted');
  assert.throws(() => new SysctlAllowlist(['vm.swappiness']), /not known to be namespaced/);
});

test('slash-separated names', () => {
  assert.equal(normalizeSysctlName('kernel/shm_rmid_forced'), 'kernel.shm_rmid_forced');
  assert.equal(normalizeSysctlName('net/ipv4/conf/eno2.100/rp_filter'), 'net.ipv4.conf.eno2/100.rp_filter');
  assert.equal(normalizeSysctlName('net.ipv4.tcp_syncookies'), 'net.ipv4.tcp_syncookies');
  assert.equal(new SysctlAllowlist().admit(pod([['net/ipv4/tcp_syncookies', '1']])), undefined);
});
