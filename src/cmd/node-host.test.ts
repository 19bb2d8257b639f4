import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeName } from './node-host.js';
import { defaultDataDir } from './paths.js';
import { serverConfig } from './server.js';

test('each data dir gets its own CNI bridge; the default one keeps skiff0', () => {
  assert.equal(bridgeName(defaultDataDir()), 'skiff0');
  const a = bridgeName('/tmp/a-data'), b = bridgeName('/tmp/b-data');
  assert.match(a, /^sk[0-9a-f]{8}$/);
  assert.ok(a.length <= 15, 'Linux interface names have at most 15 characters');
  assert.notEqual(a, b);
  assert.equal(bridgeName('/tmp/a-data/'), a, 'the same directory, however written');
});

test('--disable-agent and --kubelet-port', () => {
  const d = serverConfig([]);
  assert.ok(d !== 'help');
  assert.equal(d.disableAgent, false);
  assert.equal(d.kubeletPort, 10250);
  const c = serverConfig(['--disable-agent', '--kubelet-port', '11250']);
  assert.ok(c !== 'help');
  assert.equal(c.disableAgent, true);
  assert.equal(c.kubeletPort, 11250);
  assert.throws(() => serverConfig(['--kubelet-port', '0']), /--kubelet-port/);
});
