import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { FakeClock } from '../../client/clock.js';
import { LEASES, NODE_LEASE_NAMESPACE } from '../node/lease.js';
import { SimulatedNodeAgent, type SimulatedNodeAgentOptions } from './agent.js';
import { NODES, addSimulatedNodes, registerSimulatedNodes } from './register.js';

const PODS = findResource('', 'v1', 'pods')!;
const T0 = Date.UTC(2025, 0, 1);

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets queued async work (informer events, workers) run. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));

interface Env { fake: FakeClient; clock: FakeClock; agent: SimulatedNodeAgent; stop: () => Promise<void> }
const envs: Env[] = [];

async function start(o: Partial<SimulatedNodeAgentOptions> = {}, fake = new FakeClient(), clock = new FakeClock(T0)): Promise<Env> {
  const agent = new SimulatedNodeAgent({ client: fake, clock, log: silentLogger, ...o });
  const ac = new AbortController();
  const run = agent.run(ac.signal);
  const env: Env = { fake, clock, agent, stop: async () => { ac.abort(); await run; } };
  envs.push(env);
  await agent.waitForSync(ac.signal);
  return env;
}
after(async () => { for (const e of envs) await e.stop(); });

const node = (fake: FakeClient, name: string): Obj => fake.object(NODES, '', name)!;
const ready = (n: Obj): Obj | undefined => (n?.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
const setCIDR = (fake: FakeClient, name: string, cidr = '10.42.1.0/24') => fake.patch(NODES, '', name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
const pod = (name: string, nodeName: string, extra: Obj = {}): Obj => ({
  metadata: { name, namespace: 'default', uid: `uid-${name}`, ...(extra.metadata ?? {}) },
  spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }], ...(extra.spec ?? {}) },
  status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-01-01T00:00:00Z' }] },
});
const podNow = (fake: FakeClient, name: string): Obj | undefined => fake.object(PODS, 'default', name);
const podWrites = (fake: FakeClient, name: string) => fake.writes().filter((a) => a.resource === 'pods' && a.name === name);

async function readyNode(o: Partial<SimulatedNodeAgentOptions> = {}): Promise<Env> {
  const env = await start({ podStartDelayMs: 500, ...o });
  await registerSimulatedNodes(['n1'], { client: env.fake });
  await until(() => env.agent.nodes.has('n1'), 'n1 adopted');
  await setCIDR(env.fake, 'n1');
  await until(() => ready(node(env.fake, 'n1'))?.status === 'True', 'n1 Ready');
  return env;
}

describe('simulated node agent: nodes', () => {
  it('registers, posts status, and turns Ready once the node has a podCIDR', async () => {
    const { fake, agent } = await start({ firstReportWaitMs: 0 });
    await addSimulatedNodes({ client: fake, count: 2 });
    await until(() => agent.nodes.size === 2 && !!ready(node(fake, 'sim-node-2')), 'status of both nodes');
    const n = node(fake, 'sim-node-1');
    assert.equal(n.metadata.labels['kubernetes.io/hostname'], 'sim-node-1');
    assert.equal(n.metadata.labels['kubernetes.io/os'], 'linux');
    assert.ok(n.metadata.labels['kubernetes.io/arch']);
    assert.deepEqual(n.status.capacity, { cpu: '4', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '110' });
    assert.equal(n.status.allocatable.memory, '16284Mi');
    assert.equal(n.status.allocatable['ephemeral-storage'], '96636764160');
    assert.deepEqual(n.status.conditions.map((c: Obj) => [c.type, c.status, c.reason]), [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'], ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'], ['Ready', 'False', 'KubeletNotReady'],
    ]);
    assert.match(ready(n)!.message, /network not ready/);
    assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.0');
    assert.equal(n.status.nodeInfo.containerRuntimeVersion, 'skiff-sim://1.0');
    assert.deepEqual(n.status.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    const ips = [n, node(fake, 'sim-node-2')].map((x) => x.status.addresses.find((a: Obj) => a.type === 'InternalIP').address);
    assert.notEqual(ips[0], ips[1], 'each node has its own InternalIP');
    assert.match(ips[0], /^198\.1[89]\./);
    assert.deepEqual(n.status.addresses[1], { type: 'Hostname', address: 'sim-node-1' });

    await setCIDR(fake, 'sim-node-1');
    await until(() => ready(node(fake, 'sim-node-1'))?.status === 'True', 'Ready');
    const r = ready(node(fake, 'sim-node-1'))!;
    assert.equal(r.reason, 'KubeletReady');
    assert.equal(r.message, 'kubelet is posting ready status');
    assert.equal(ready(node(fake, 'sim-node-2'))?.status, 'False', 'no podCIDR, not Ready');
  });

  it('the first report waits a little for the podCIDR: one status write, Ready', async () => {
    const { fake, agent, clock } = await start({ firstReportWaitMs: 10_000 });
    await registerSimulatedNodes(['w1', 'w2'], { client: fake });
    await until(() => agent.nodes.size === 2, 'adopted');
    await settle();
    assert.equal(fake.writes().filter((a) => a.subresource === 'status').length, 0, 'nothing posted yet');
    await setCIDR(fake, 'w1');
    await until(() => ready(node(fake, 'w1'))?.status === 'True', 'w1 Ready');
    assert.equal(fake.writes().filter((a) => a.subresource === 'status' && a.name === 'w1').length, 1);
    clock.advance(10_000);
    await until(() => ready(node(fake, 'w2'))?.status === 'False', 'w2 reports NotReady after the wait');
  });

  it('honours readyDelayMs and keeps quiet while nothing changes', async () => {
    const { fake, clock } = await readyNode({ readyDelayMs: 0, statusReportIntervalMs: 60_000 });
    fake.clearActions();
    await fake.patch(NODES, '', 'n1', 'merge', { metadata: { labels: { extra: 'yes' } } });
    clock.advance(30_000);
    await settle();
    assert.deepEqual(fake.writes().filter((a) => a.resource === 'nodes').map((a) => a.subresource ?? 'main'), ['main'], 'no status writes within the report interval, nor for a label change');
    clock.advance(40_000);
    await until(() => fake.writes().some((a) => a.resource === 'nodes' && a.subresource === 'status'), 'periodic report');
    const env2 = await start({ readyDelayMs: 5000, firstReportWaitMs: 0 });
    await registerSimulatedNodes(['late'], { client: env2.fake });
    await setCIDR(env2.fake, 'late');
    await until(() => ready(node(env2.fake, 'late'))?.status === 'False', 'late status');
    env2.clock.advance(5000);
    await until(() => ready(node(env2.fake, 'late'))?.status === 'True', 'Ready after the delay');
  });

  it('creates a Lease owned by the node and renews it about every 10 s', async () => {
    const { fake, clock } = await readyNode();
    const lease = () => fake.object(LEASES, NODE_LEASE_NAMESPACE, 'n1');
    await until(() => !!lease(), 'lease');
    const l = lease()!;
    assert.equal(l.spec.holderIdentity, 'n1');
    assert.equal(l.spec.leaseDurationSeconds, 40);
    assert.deepEqual(l.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: node(fake, 'n1').metadata.uid }]);
    assert.match(l.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const renewals = () => fake.writes().filter((a) => a.resource === 'leases' && a.verb === 'update').length;
    const before = renewals();
    for (let i = 0; i < 6; i++) {
      clock.advance(10_500);
      await settle();
    }
    const n = renewals() - before;
    assert.ok(n >= 5 && n <= 7, `6 renewals in 63 s, got ${n}`);
    assert.equal(Date.parse(lease()!.spec.renewTime) > T0 + 50_000, true);
  });

  it('answers the node controller marking it Unknown', async () => {
    const { fake } = await readyNode();
    const n = node(fake, 'n1');
    const conds = n.status.conditions.map((c: Obj) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' } : c));
    await fake.updateStatus(NODES, '', { ...n, status: { ...n.status, conditions: conds } });
    await until(() => ready(node(fake, 'n1'))?.status === 'True', 'Ready again');
  });

  it('drops a deleted node: no more leases, its pods are forgotten', async () => {
    const { fake, agent, clock } = await readyNode();
    await until(() => !!fake.object(LEASES, NODE_LEASE_NAMESPACE, 'n1'), 'lease');
    await fake.delete(NODES, '', 'n1');
    await until(() => !agent.nodes.has('n1'), 'dropped');
    fake.clearActions();
    clock.advance(60_000);
    await settle();
    assert.deepEqual(fake.writes(), []);
    assert.equal(agent.timers.size, 0);
  });

  it('scales: 300 nodes share one timer, each lease renewed once per interval', async () => {
    const { fake, agent, clock } = await start({ leaseRenewIntervalMs: 10_000, firstReportWaitMs: 0 });
    await registerSimulatedNodes(Array.from({ length: 300 }, (_, i) => `s${i}`), { client: fake });
    await until(() => fake.objects(LEASES, NODE_LEASE_NAMESPACE).length === 300, 'all leases', 10_000);
    assert.equal(clock.pending(), 1, 'one armed timer for all deadlines');
    fake.clearActions();
    clock.advance(10_000);
    await until(() => fake.writes().filter((a) => a.resource === 'leases').length >= 300, 'renewals', 10_000);
    assert.equal(new Set(fake.writes().filter((a) => a.resource === 'leases').map((a) => a.name)).size, 300);
    assert.equal(agent.nodes.size, 300);
  });
});

describe('simulated node agent: pods', () => {
  it('a bound pod becomes Running and Ready with an IP from the node podCIDR after the start delay', async () => {
    const { fake, clock } = await readyNode();
    fake.seed(PODS, pod('web', 'n1'));
    await settle();
    assert.equal(podWrites(fake, 'web').length, 0, 'nothing before the start delay');
    clock.advance(500);
    await until(() => podNow(fake, 'web')?.status?.phase === 'Running', 'Running');
    const st = podNow(fake, 'web')!.status;
    assert.equal(st.podIP, '10.42.1.2');
    assert.deepEqual(st.podIPs, [{ ip: '10.42.1.2' }]);
    const hostIP = node(fake, 'n1').status.addresses[0].address;
    assert.equal(st.hostIP, hostIP);
    assert.deepEqual(st.hostIPs, [{ ip: hostIP }]);
    assert.equal(st.qosClass, 'BestEffort');
    assert.ok(st.startTime);
    assert.deepEqual(st.conditions.map((c: Obj) => [c.type, c.status]), [
      ['PodReadyToStartContainers', 'True'], ['Initialized', 'True'], ['Ready', 'True'], ['ContainersReady', 'True'], ['PodScheduled', 'True'],
    ]);
    assert.equal(st.conditions[4].lastTransitionTime, '2025-01-01T00:00:00Z', 'PodScheduled keeps its time');
    const cs = st.containerStatuses[0];
    assert.deepEqual([cs.name, cs.ready, cs.started, cs.restartCount, !!cs.state.running], ['c', true, true, 0, true]);
    assert.equal(podWrites(fake, 'web').length, 1, 'one status write');
    await settle();
    assert.equal(podWrites(fake, 'web').length, 1, 'its own write does not cause another');
  });

  it('readiness gates keep Ready False until their conditions are True', async () => {
    const { fake, clock } = await readyNode({ podStartDelayMs: 0 });
    fake.seed(PODS, pod('gated', 'n1', { spec: { readinessGates: [{ conditionType: 'example.com/lb' }] } }));
    clock.advance(1);
    await until(() => podNow(fake, 'gated')?.status?.phase === 'Running', 'Running');
    const cond = (t: string) => podNow(fake, 'gated')!.status.conditions.find((c: Obj) => c.type === t);
    assert.equal(cond('Ready').status, 'False');
    assert.equal(cond('Ready').reason, 'ReadinessGatesNotReady');
    assert.equal(cond('Ready').message, 'corresponding condition of pod readiness gate "example.com/lb" does not exist.');
    assert.equal(cond('ContainersReady').status, 'True');
    const p = podNow(fake, 'gated')!;
    await fake.updateStatus(PODS, 'default', { ...p, status: { ...p.status, conditions: [...p.status.conditions, { type: 'example.com/lb', status: 'True' }] } });
    await until(() => cond('Ready').status === 'True', 'Ready with the gate');
  });

  it('hostNetwork pods use the node address; several pods get distinct IPs', async () => {
    const { fake, clock } = await readyNode({ podStartDelayMs: 0 });
    fake.seed(PODS, pod('h', 'n1', { spec: { hostNetwork: true } }), pod('a', 'n1'), pod('b', 'n1'));
    clock.advance(1);
    await until(() => ['h', 'a', 'b'].every((n) => podNow(fake, n)?.status?.phase === 'Running'), 'Running');
    assert.equal(podNow(fake, 'h')!.status.podIP, podNow(fake, 'h')!.status.hostIP);
    assert.notEqual(podNow(fake, 'a')!.status.podIP, podNow(fake, 'b')!.status.podIP);
  });

  it('pods wait for the node podCIDR', async () => {
    const { fake, clock, agent } = await start({ podStartDelayMs: 0, requirePodCIDR: false });
    await registerSimulatedNodes(['n2'], { client: fake });
    await until(() => ready(node(fake, 'n2'))?.status === 'True', 'Ready without a CIDR');
    fake.seed(PODS, pod('w', 'n2'));
    clock.advance(1);
    await until(() => agent.nodes.get('n2')!.waiting.size === 1, 'parked');
    assert.equal(podNow(fake, 'w')!.status.phase, 'Pending');
    await setCIDR(fake, 'n2', '10.42.9.0/24');
    await until(() => podNow(fake, 'w')?.status?.podIP === '10.42.9.2', 'IP once the CIDR is there');
  });

  it('Jobs: exit annotations end a Never pod Succeeded or Failed, and free its IP', async () => {
    const { fake, clock, agent } = await readyNode({ podStartDelayMs: 0 });
    const job = (name: string, code: string) => pod(name, 'n1', {
      metadata: { annotations: { 'skiff.dev/simulate-exit-after': '2s', 'skiff.dev/simulate-exit-code': code } },
      spec: { restartPolicy: 'Never' },
    });
    fake.seed(PODS, job('ok', '0'), job('bad', '3'));
    clock.advance(1);
    await until(() => podNow(fake, 'ok')?.status?.phase === 'Running' && podNow(fake, 'bad')?.status?.phase === 'Running', 'Running');
    clock.advance(2000);
    await until(() => podNow(fake, 'ok')?.status?.phase === 'Succeeded' && podNow(fake, 'bad')?.status?.phase === 'Failed', 'finished');
    const ok = podNow(fake, 'ok')!.status;
    assert.equal(ok.containerStatuses[0].state.terminated.reason, 'Completed');
    assert.deepEqual(ok.conditions.filter((c: Obj) => c.type !== 'PodScheduled').map((c: Obj) => [c.type, c.status, c.reason]), [
      ['PodReadyToStartContainers', 'False', undefined], ['Initialized', 'True', 'PodCompleted'], ['Ready', 'False', 'PodCompleted'], ['ContainersReady', 'False', 'PodCompleted'],
    ]);
    const bad = podNow(fake, 'bad')!.status;
    assert.deepEqual([bad.containerStatuses[0].state.terminated.exitCode, bad.containerStatuses[0].state.terminated.reason], [3, 'Error']);
    assert.equal(agent.nodes.get('n1')!.ips!.get('uid-ok'), undefined, 'address released');
  });

  it('deletion: containers stop after the delay, terminal status, then delete with grace 0', async () => {
    const { fake, clock } = await readyNode({ podStartDelayMs: 0, podStopDelayMs: 200 });
    fake.seed(PODS, pod('d', 'n1', { spec: { terminationGracePeriodSeconds: 30 } }));
    clock.advance(1);
    await until(() => podNow(fake, 'd')?.status?.phase === 'Running', 'Running');
    // what the API server does on a graceful DELETE: mark it
    const p = podNow(fake, 'd')!;
    fake.seed(PODS, { ...p, metadata: { ...p.metadata, deletionTimestamp: '2025-01-01T00:00:01Z', deletionGracePeriodSeconds: 30 } });
    await settle();
    assert.ok(podNow(fake, 'd'), 'still there during the stop delay');
    fake.clearActions();
    clock.advance(200);
    await until(() => !podNow(fake, 'd'), 'deleted');
    const w = podWrites(fake, 'd');
    assert.deepEqual(w.map((a) => `${a.verb}${a.subresource ? `/${a.subresource}` : ''}`), ['update/status', 'delete']);
    const final = w[0].object!.status;
    assert.equal(final.phase, 'Failed');
    assert.equal(final.containerStatuses[0].state.terminated.exitCode, 143);
  });

  it('a restarted agent adopts running pods without rewriting them and keeps their IPs', async () => {
    const first = await readyNode({ podStartDelayMs: 0 });
    first.fake.seed(PODS, pod('keep', 'n1'));
    first.clock.advance(1);
    await until(() => podNow(first.fake, 'keep')?.status?.phase === 'Running', 'Running');
    const ip = podNow(first.fake, 'keep')!.status.podIP;
    await first.stop();
    first.fake.clearActions();
    const second = await start({ podStartDelayMs: 0 }, first.fake, first.clock);
    first.fake.seed(PODS, pod('new', 'n1'));
    second.clock.advance(1);
    await until(() => podNow(first.fake, 'new')?.status?.phase === 'Running', 'new pod Running');
    assert.equal(podWrites(first.fake, 'keep').length, 0, 'no write for the adopted pod');
    assert.notEqual(podNow(first.fake, 'new')!.status.podIP, ip, 'the adopted pod keeps its address');
  });
});
