// The scheduler wired to a real skiff API server (in-memory store) over HTTPS, as `skiff
// server` wires them: bindings, strategic-merge status patches and events as kube-apiserver
// answers them. It lives with the wiring (cmd) because only cmd may hold both components.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApiServer } from '../apiserver/server.js';
import { RestClient } from '../client/rest.js';
import { silentLogger } from '../client/log.js';
import { createCA, issueCert } from '../pki/index.js';
import { openStore } from '../storage/index.js';
import { runScheduler } from '../scheduler/scheduler.js';
import { EVENTS, makeNode, makePod, NODES, PODS } from '../scheduler/testing.js';

async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('schedules through a real API server', async () => {
  const ca = await createCA('scheduler-test-ca', 1);
  const serving = await issueCert(ca, { cn: 'kube-apiserver', usage: 'server', ips: ['127.0.0.1'], dns: ['localhost'], days: 1 });
  const admin = await issueCert(ca, { cn: 'admin', orgs: ['system:masters'], usage: 'client', days: 1 });
  const store = await openStore({ backend: 'memory', compaction: false });
  const ac = new AbortController();
  const server = await startApiServer({
    port: 0, host: '127.0.0.1', store, tls: { cert: serving.cert, key: serving.key, ca: ca.cert },
    serviceCIDR: '10.96.0.0/16', advertiseAddress: '127.0.0.1', signal: ac.signal,
  });
  await server.ready;
  const client = new RestClient({ server: server.url, ca: ca.cert, cert: admin.cert, key: admin.key, userAgent: 'kube-scheduler/v1.32.0 skiff-test' });
  try {
    // Registered as a kubelet does: the node, then its status through /status.
    for (const n of [makeNode('n1', { cpu: '2' }), makeNode('n2', { cpu: '2', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] })]) {
      await client.create(NODES, undefined, n);
      await client.updateStatus(NODES, undefined, n);
    }
    const strip = (p: ReturnType<typeof makePod>) => ({ ...p, metadata: { name: p.metadata.name, namespace: 'default' }, status: undefined });
    await client.create(PODS, 'default', strip(makePod('fits', { cpu: '1' })));
    await client.create(PODS, 'default', strip(makePod('huge', { cpu: '3' })));
    const sched = runScheduler({ client, signal: ac.signal, log: silentLogger });

    const bound = await until(async () => {
      const p = await client.get(PODS, 'default', 'fits');
      return p.spec.nodeName ? p : undefined;
    }, 'the pod to be bound');
    assert.equal(bound.spec.nodeName, 'n1');
    assert.equal(bound.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled')?.status, 'True');

    const want = '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: db}. '
      + 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.';
    const cond = await until(async () => {
      const p = await client.get(PODS, 'default', 'huge');
      return p.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled');
    }, 'the PodScheduled condition');
    assert.equal(cond.status, 'False');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, want);

    const events = await until(async () => {
      const l = await client.list(EVENTS, 'default');
      return l.items.length >= 2 ? l.items : undefined;
    }, 'events');
    const byReason = (r: string) => events.find((e) => e.reason === r);
    assert.equal(byReason('Scheduled')?.message, 'Successfully assigned default/fits to n1');
    assert.equal(byReason('FailedScheduling')?.message, want);
    assert.equal(byReason('FailedScheduling')?.type, 'Warning');
    ac.abort();
    await sched;
  } finally {
    ac.abort();
    client.close();
    await server.close();
    await store.close();
  }
});
