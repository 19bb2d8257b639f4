// Shared by the kubelet's unit tests (fake API client, fake CRI): options for a kubelet on a
// temp data dir, the node IPAM controller's part, and polling until something holds.
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FakeClient } from '../client/fake.js';
import { silentLogger } from '../client/log.js';
import { NODES, type KubeletOptions } from './kubelet.js';
import { FakeProbes, literalEnv, PlainVolumes } from './pods/testutil.js';

export async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A kubelet for node "vm" on a fresh temp data dir (removed after the test), with fast loops and fake modules. */
export function kubeletTestOptions(t: TestContext, client: FakeClient, runtime: KubeletOptions['runtime'], prefix = 'kubelet-'): KubeletOptions {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const ac = new AbortController();
  t.after(() => { ac.abort(); rmSync(dataDir, { recursive: true, force: true }); });
  return {
    client, nodeName: 'vm', dataDir, nodeIP: '192.0.2.2', hostname: 'vm', kubeletPort: 10250, runtime, signal: ac.signal, log: silentLogger,
    cgroupRoot: '/skiff-unit-test', cgroupFs: join(dataDir, 'cgroup'), relistIntervalMs: 20, nodeStatusIntervalMs: 30,
    modules: { env: literalEnv, volumes: (dir) => new PlainVolumes(dir), probes: () => new FakeProbes() },
  };
}

/** The node IPAM controller's part: a podCIDR once the node exists. */
export async function assignCIDR(client: FakeClient): Promise<void> {
  await until('the node', () => client.object(NODES, '', 'vm'));
  await client.patch(NODES, '', 'vm', 'merge', { spec: { podCIDR: '10.9.0.0/24', podCIDRs: ['10.9.0.0/24'] } });
}
