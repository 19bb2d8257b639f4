import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderCniConfig, writeCniConfig, missingCniPlugins, REQUIRED_CNI_PLUGINS } from './cni.js';

test('a /24 pod CIDR becomes a bridge + host-local + portmap conflist', () => {
  const c = renderCniConfig({ dir: '/x', podCIDR: '10.42.3.0/24', ipamDir: '/data/cni/ipam' });
  assert.equal(c.cniVersion, '1.0.0');
  assert.equal(c.name, 'skiff');
  assert.deepEqual(c.plugins.map((p) => p.type), ['bridge', 'portmap']);
  const [bridge, portmap] = c.plugins;
  assert.equal(bridge.bridge, 'skiff0');
  assert.equal(bridge.isGateway, true);
  assert.equal(bridge.ipMasq, true);
  assert.equal(bridge.hairpinMode, true);
  assert.deepEqual(bridge.ipam, {
    type: 'host-local',
    ranges: [[{ subnet: '10.42.3.0/24', gateway: '10.42.3.1' }]],
    routes: [{ dst: '0.0.0.0/0' }],
    dataDir: '/data/cni/ipam',
  });
  assert.deepEqual(portmap.capabilities, { portMappings: true });
});

test('host bits are cleared, IPv6 works, and bad input is refused', () => {
  const c = renderCniConfig({ dir: '/x', podCIDR: '10.42.7.9/24', bridge: 'br-test', mtu: 1400 });
  const ipam = c.plugins[0].ipam as { ranges: { subnet: string; gateway: string }[][] };
  assert.deepEqual(ipam.ranges[0][0], { subnet: '10.42.7.0/24', gateway: '10.42.7.1' });
  assert.equal(c.plugins[0].bridge, 'br-test');
  assert.equal(c.plugins[0].mtu, 1400);
  const v6 = renderCniConfig({ dir: '/x', podCIDR: 'fd00:42:1::/64' });
  assert.deepEqual((v6.plugins[0].ipam as { routes: unknown[] }).routes, [{ dst: '::/0' }]);
  assert.throws(() => renderCniConfig({ dir: '/x', podCIDR: '10.42.0.0/31' }), /too small/);
  assert.throws(() => renderCniConfig({ dir: '/x', podCIDR: 'nope' }), /invalid CIDR/);
  assert.throws(() => renderCniConfig({ dir: '/x', podCIDR: '10.42.0.0/24', bridge: 'a-bridge-name-too-long' }), /invalid bridge name/);
});

test('writeCniConfig writes the conflist, replaces stale configs and checks the plugins exist', () => {
  const root = mkdtempSync(join(tmpdir(), 'skiff-cni-'));
  try {
    const bin = join(root, 'bin');
    mkdirSync(bin);
    const dir = join(root, 'cni', 'net.d');
    assert.throws(() => writeCniConfig({ dir, podCIDR: '10.42.0.0/24', binDir: bin }), /missing .*bridge, host-local, portmap, loopback/);
    for (const p of REQUIRED_CNI_PLUGINS) writeFileSync(join(bin, p), '');
    assert.deepEqual(missingCniPlugins(bin), []);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '05-old.conflist'), '{}');
    writeFileSync(join(dir, 'README'), 'kept');
    const { file } = writeCniConfig({ dir, podCIDR: '10.42.0.0/24', binDir: bin });
    assert.deepEqual(readdirSync(dir).sort(), ['10-skiff.conflist', 'README']);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(written.plugins[0].ipam.dataDir, join(root, 'cni', 'ipam'), 'IPAM state lives beside the config, per data dir');
    assert.deepEqual(readdirSync(join(root, 'cni', 'ipam')), []);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
