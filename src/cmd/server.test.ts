import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverConfig, SERVER_USAGE } from './server.js';
import { UsageError } from './flags.js';

test('defaults and flags', () => {
  const c = serverConfig(['--data-dir', '/tmp/x', '--port=7443', '--host', '127.0.0.2', '--datastore', 'memory',
    '--service-cidr', '10.96.0.0/12', '--tls-san', 'a.example', '--tls-san', '10.1.2.3', '--write-kubeconfig', 'kc.yaml']);
  assert.ok(c !== 'help');
  assert.equal(c.dataDir, '/tmp/x');
  assert.equal(c.port, 7443);
  assert.equal(c.host, '127.0.0.2');
  assert.notEqual(c.advertiseAddress, '127.0.0.2'); // endpoints never point at loopback
  const e = serverConfig(['--host', '192.0.2.77']);
  assert.ok(e !== 'help');
  assert.equal(e.advertiseAddress, '192.0.2.77'); // a specific listen address is the advertised one
  assert.equal(c.datastore, 'memory');
  assert.equal(c.serviceCIDR, '10.96.0.0/12');
  assert.equal(c.clusterCIDR, '10.42.0.0/16');
  assert.deepEqual(c.tlsSANs, ['a.example', '10.1.2.3']);
  assert.equal(c.writeKubeconfig, `${process.cwd()}/kc.yaml`);

  const d = serverConfig([]);
  assert.ok(d !== 'help');
  assert.equal(d.port, 6443);
  assert.equal(d.host, '0.0.0.0');
  assert.equal(d.datastore, 'sqlite');
  assert.equal(d.serviceCIDR, '10.43.0.0/16');
  assert.equal(d.dataDir, process.getuid?.() === 0 ? '/var/lib/skiff' : `${process.env.HOME}/.skiff`);
  assert.equal(serverConfig(['-h']), 'help');
});

test('every mistake is a UsageError naming the flag, never a crash', () => {
  const cases: [string[], RegExp][] = [
    [['--bogus'], /Unknown option '--bogus'/],
    [['--port'], /--port/],
    [['--port', 'abc'], /--port/],
    [['--port', '70000'], /--port/],
    [['--port', '-1'], /--port|Unknown option/],
    [['--datastore', 'mysql'], /--datastore/],
    [['--service-cidr', '10.0.0.0/99'], /--service-cidr/],
    [['--cluster-cidr', 'x'], /--cluster-cidr/],
    [['--advertise-address', 'nope'], /--advertise-address/],
    [['--data-dir', ''], /--data-dir/],
    [['stray'], /unexpected argument "stray"/],
  ];
  for (const [argv, re] of cases) {
    assert.throws(() => serverConfig(argv), (e: unknown) => e instanceof UsageError && re.test((e as Error).message), argv.join(' '));
  }
});

test('usage lists every flag', () => {
  for (const f of ['--data-dir', '--port', '--host', '--write-kubeconfig', '--datastore', '--service-cidr', '--cluster-cidr', '--tls-san']) {
    assert.ok(SERVER_USAGE.includes(f), f);
  }
});
