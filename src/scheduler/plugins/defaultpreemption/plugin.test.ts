import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { FakeClient } from '../../../client/fake.js';
import { CycleState, NodeToStatus, type Plugin } from '../../framework.js';
import { PodInfo, type NodeInfo } from '../../nodeinfo.js';
import { Framework } from '../../runtime.js';
import { makeNode, makePod, nodeInfo, PODS, testHandle } from '../../testing.js';
import { newNodeResourcesFit } from '../noderesourcesfit/plugin.js';
import { newTaintToleration } from '../tainttoleration/plugin.js';
import { newDefaultPreemption } from './plugin.js';
import { filterPodsWithPDBViolation, moreImportant, pickOneNodeForPreemption } from './victims.js';

const low = (name: string, cpu: string, priority = 0, extra: Obj = {}): Obj => makePod(name, { cpu, priority, ...extra });

interface Case {
  name: string;
  nodes: NodeInfo[];
  pod: Obj;
  pdbs?: Obj[];
  wantNode?: string;
  wantVictims?: string[];
  wantMessage?: string;
}

async function run(c: Case): Promise<{ nominated?: string; message: string; deleted: string[]; events: string[] }> {
  const fake = new FakeClient();
  for (const n of c.nodes) for (const p of n.pods) fake.seed(PODS, p.pod);
  const h = testHandle({ nodes: c.nodes, client: fake, objects: { poddisruptionbudgets: c.pdbs ?? [] } });
  const plugins: Plugin[] = [newTaintToleration(), newNodeResourcesFit()];
  const fw = new Framework(plugins);
  fw.nominator = h.nominator;
  h.framework = fw;
  const pp = newDefaultPreemption(h, { rand: () => 0 });
  const pod = new PodInfo(c.pod);
  const state = new CycleState();
  const statuses = new NodeToStatus();
  for (const n of c.nodes) {
    const s = fw.runFilter(state, pod, n);
    if (s) statuses.set(n.name, s);
  }
  const r = await pp.postFilter(state, pod, statuses);
  return {
    nominated: r.result?.nominatedNodeName,
    message: r.status.message(),
    deleted: fake.writes().filter((w) => w.verb === 'delete').map((w) => w.name!).sort(),
    events: h.events.map((e) => `${e.reason} ${e.obj.metadata.name}: ${e.message}`),
  };
}

test('DefaultPreemption', async () => {
  const cases: Case[] = [
    {
      name: 'evicts the lower-priority pod', pod: makePod('hi', { cpu: '3', priority: 100, uid: 'hi-uid' }),
      nodes: [nodeInfo(makeNode('n1', { cpu: '4' }), low('lo', '2')), nodeInfo(makeNode('n2', { cpu: '4' }), low('vip', '2', 200))],
      wantNode: 'n1', wantVictims: ['lo'], wantMessage: '',
    },
    {
      name: 'evicts as few pods as needed, least important first', pod: makePod('hi', { cpu: '2', priority: 100 }),
      nodes: [nodeInfo(makeNode('n1', { cpu: '4' }), low('a', '1', 10), low('b', '1', 5), low('c', '1', 1), low('d', '1', 20))],
      wantNode: 'n1', wantVictims: ['b', 'c'], wantMessage: '',
    },
    {
      name: 'prefers the node with the lowest-priority victims', pod: makePod('hi', { cpu: '3', priority: 100 }),
      nodes: [nodeInfo(makeNode('n1', { cpu: '4' }), low('p50', '2', 50)), nodeInfo(makeNode('n2', { cpu: '4' }), low('p10', '2', 10))],
      wantNode: 'n2', wantVictims: ['p10'], wantMessage: '',
    },
    {
      name: 'spares pods protected by a PodDisruptionBudget', pod: makePod('hi', { cpu: '3', priority: 100 }),
      nodes: [nodeInfo(makeNode('n1', { cpu: '4' }), low('guarded', '2', 0, { labels: { app: 'g' } })), nodeInfo(makeNode('n2', { cpu: '4' }), low('free', '2', 10))],
      pdbs: [{ metadata: { name: 'pdb', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'g' } } }, status: { disruptionsAllowed: 0 } }],
      wantNode: 'n2', wantVictims: ['free'], wantMessage: '',
    },
    {
      name: 'no lower-priority pods', pod: makePod('hi', { cpu: '3', priority: 0 }),
      nodes: [nodeInfo(makeNode('n1', { cpu: '4' }), low('a', '2', 0)), nodeInfo(makeNode('n2', { cpu: '4' }), low('b', '2', 5))],
      wantNode: '', wantMessage: 'preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    },
    {
      name: 'preemption cannot help unresolvable nodes', pod: makePod('hi', { cpu: '8', priority: 100 }),
      nodes: [nodeInfo(makeNode('n1', { cpu: '4' }), low('a', '2')), nodeInfo(makeNode('n2', { cpu: '4', taints: [{ key: 'k', effect: 'NoSchedule' }] }), low('b', '2'))],
      wantNode: '', wantMessage: 'preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.',
    },
    {
      name: 'evicting everything is not enough', pod: makePod('hi', { cpu: '4', memory: '1Gi', priority: 100 }),
      nodes: [nodeInfo(makeNode('n1', { cpu: '4', memory: '2Gi' }), low('a', '1', 0), makePod('big', { memory: '1500Mi', priority: 1000 }))],
      wantNode: '', wantMessage: 'preemption: 0/1 nodes are available: 1 Insufficient memory.',
    },
    {
      name: 'preemptionPolicy Never', pod: makePod('hi', { cpu: '3', priority: 100, spec: { preemptionPolicy: 'Never' } }),
      nodes: [nodeInfo(makeNode('n1', { cpu: '4' }), low('a', '2'))],
      wantMessage: 'preemption: not eligible due to preemptionPolicy=Never.',
    },
  ];
  for (const c of cases) {
    const r = await run(c);
    assert.equal(r.message, c.wantMessage, `${c.name}: message`);
    assert.equal(r.nominated, c.wantNode, `${c.name}: nominated node`);
    assert.deepEqual(r.deleted, c.wantVictims ?? [], `${c.name}: victims`);
    if (c.wantVictims?.length) {
      assert.deepEqual(r.events.sort(), c.wantVictims.map((v) => `Preempted ${v}: Preempted by pod ${c.pod.metadata.uid} on node ${c.wantNode}`).sort(), c.name);
    }
  }
});

test('victims are marked with the DisruptionTarget condition before deletion', async () => {
  const fake = new FakeClient();
  const victim = low('lo', '2');
  fake.seed(PODS, victim);
  const nodes = [nodeInfo(makeNode('n1', { cpu: '4' }), victim)];
  const h = testHandle({ nodes, client: fake });
  const fw = new Framework([newNodeResourcesFit()]);
  h.framework = fw;
  const pod = new PodInfo(makePod('hi', { cpu: '3', priority: 100 }));
  const statuses = new NodeToStatus();
  statuses.set('n1', fw.runFilter(new CycleState(), pod, nodes[0])!);
  await newDefaultPreemption(h).postFilter(new CycleState(), pod, statuses);
  const [patch, del] = fake.writes();
  assert.equal(patch.verb, 'patch');
  assert.equal(patch.subresource, 'status');
  assert.deepEqual(patch.object?.status.conditions[0], {
    type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
    message: 'default-scheduler: preempting to accommodate a higher priority pod', lastTransitionTime: patch.object?.status.conditions[0].lastTransitionTime,
  });
  assert.equal(del.verb, 'delete');
});

test('pickOneNodeForPreemption and PDB grouping', () => {
  const pi = (name: string, priority: number, start?: string, labels?: Record<string, string>): PodInfo =>
    new PodInfo(makePod(name, { priority, labels, status: start ? { startTime: start } : {} }));
  const cases = [
    {
      name: 'fewest PDB violations first',
      candidates: [{ nodeName: 'a', victims: [pi('x', 1)], numPDBViolations: 1 }, { nodeName: 'b', victims: [pi('y', 5)], numPDBViolations: 0 }], want: 'b',
    },
    {
      name: 'lowest highest-priority victim',
      candidates: [{ nodeName: 'a', victims: [pi('x', 5)], numPDBViolations: 0 }, { nodeName: 'b', victims: [pi('y', 3), pi('z', 1)], numPDBViolations: 0 }], want: 'b',
    },
    {
      name: 'smallest priority sum',
      candidates: [{ nodeName: 'a', victims: [pi('x', 5), pi('w', 4)], numPDBViolations: 0 }, { nodeName: 'b', victims: [pi('y', 5), pi('z', 1)], numPDBViolations: 0 }], want: 'b',
    },
    {
      name: 'fewest victims',
      candidates: [{ nodeName: 'a', victims: [pi('x', 5), pi('w', -1)], numPDBViolations: 0 }, { nodeName: 'b', victims: [pi('y', 5)], numPDBViolations: 0 }], want: 'b',
    },
    {
      name: 'latest start time',
      candidates: [
        { nodeName: 'a', victims: [pi('x', 5, '2024-01-01T00:00:00Z')], numPDBViolations: 0 },
        { nodeName: 'b', victims: [pi('y', 5, '2024-06-01T00:00:00Z')], numPDBViolations: 0 },
      ], want: 'b',
    },
  ];
  for (const c of cases) assert.equal(pickOneNodeForPreemption(c.candidates)?.nodeName, c.want, c.name);
  assert.equal(moreImportant(pi('a', 1, '2024-01-01T00:00:00Z'), pi('b', 1, '2024-02-01T00:00:00Z')), true);
  const pdbs = [{ metadata: { namespace: 'default' }, spec: { selector: { matchLabels: { app: 'x' } } }, status: { disruptionsAllowed: 1 } }];
  const [violating, ok] = filterPodsWithPDBViolation([pi('a', 0, undefined, { app: 'x' }), pi('b', 0, undefined, { app: 'x' }), pi('c', 0)], pdbs);
  assert.deepEqual(violating.map((p) => p.name), ['b']);
  assert.deepEqual(ok.map((p) => p.name), ['a', 'c']);
});
