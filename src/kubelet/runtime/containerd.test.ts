import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerdLayout, renderContainerdConfig } from './containerd.js';
import { PAUSE_IMAGE } from './names.js';

/** The `key = value` lines of one [table] of a rendered config. */
function table(toml: string, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  let cur = '';
  for (const line of toml.split('\n')) {
    const t = line.trim();
    const h = /^\[(.+)\]$/.exec(t);
    if (h) { cur = h[1]; continue; }
    const kv = /^([\w.-]+)\s*=\s*(.+)$/.exec(t);
    if (kv && cur === name) out[kv[1]] = kv[2];
  }
  return out;
}

const CRI = 'plugins."io.containerd.grpc.v1.cri"';

test('the config puts everything under the data dir and carries the CRI settings skiff needs', () => {
  const l = containerdLayout('/var/lib/skiff');
  assert.equal(l.socket, '/var/lib/skiff/containerd/containerd.sock');
  const toml = renderContainerdConfig({ root: l.root, state: l.state, socket: l.socket, snapshotter: 'overlayfs', cniConfDir: l.cniConfDir });
  assert.match(toml, /^version = 2$/m);
  assert.match(toml, /^root = "\/var\/lib\/skiff\/containerd\/root"$/m);
  assert.match(toml, /^state = "\/var\/lib\/skiff\/containerd\/state"$/m);
  assert.deepEqual(table(toml, 'grpc'), { address: '"/var/lib/skiff/containerd/containerd.sock"' });
  const cri = table(toml, CRI);
  assert.equal(cri.restrict_oom_score_adj, 'true');
  assert.equal(cri.sandbox_image, JSON.stringify(PAUSE_IMAGE));
  assert.equal(cri.stream_server_address, '"127.0.0.1"');
  assert.equal(table(toml, `${CRI}.containerd`).snapshotter, '"overlayfs"');
  assert.equal(table(toml, `${CRI}.containerd.runtimes.runc`).runtime_type, '"io.containerd.runc.v2"');
  assert.equal(table(toml, `${CRI}.containerd.runtimes.runc.options`).SystemdCgroup, 'false');
  assert.deepEqual(table(toml, `${CRI}.cni`), { bin_dir: '"/usr/lib/cni"', conf_dir: '"/var/lib/skiff/cni/net.d"', max_conf_num: '1' });
  assert.deepEqual(table(toml, `${CRI}.registry`), {}, 'no hosts directory unless given');
});

test('registry hosts come from DATA_DIR/containerd/certs.d (hosts.toml per registry)', () => {
  const l = containerdLayout('/var/lib/skiff');
  assert.equal(l.registryConfigPath, '/var/lib/skiff/containerd/certs.d');
  const toml = renderContainerdConfig({ root: l.root, state: l.state, socket: l.socket, snapshotter: 'native', cniConfDir: l.cniConfDir, registryConfigPath: l.registryConfigPath });
  assert.deepEqual(table(toml, `${CRI}.registry`), { config_path: '"/var/lib/skiff/containerd/certs.d"' });
});

test('native snapshotter, other CNI bin dir, and paths that need TOML escaping', () => {
  const toml = renderContainerdConfig({ root: '/d/"q"\\r', state: '/s', socket: '/s.sock', snapshotter: 'native', cniConfDir: '/c', cniBinDir: '/opt/cni/bin', sandboxImage: 'example.com/pause:1' });
  assert.match(toml, /^root = "\/d\/\\"q\\"\\\\r"$/m);
  assert.equal(table(toml, `${CRI}.containerd`).snapshotter, '"native"');
  assert.equal(table(toml, `${CRI}.cni`).bin_dir, '"/opt/cni/bin"');
  assert.equal(table(toml, CRI).sandbox_image, '"example.com/pause:1"');
});

test('a socket path too long for sun_path moves to /run/skiff/HASH, stable per data dir', () => {
  const long = `/tmp/${'d'.repeat(90)}`;
  const a = containerdLayout(long), b = containerdLayout(long);
  assert.match(a.socket, /^\/run\/skiff\/[0-9a-f]{12}\/containerd\.sock$/);
  assert.equal(a.socket, b.socket);
  assert.notEqual(a.socket, containerdLayout(`${long}x`).socket);
  assert.equal(a.root, `${long}/containerd/root`);
});
