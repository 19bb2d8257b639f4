import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { Code, CycleState, Status } from '../../framework.js';
import { PodInfo, type NodeInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo, testHandle } from '../../testing.js';
import { ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH, newPodTopologySpread } from './plugin.js';

const spread = (maxSkew: number, topologyKey: string, when: string, extra: Obj = {}): Obj => ({
  maxSkew, topologyKey, whenUnsatisfiable: when, labelSelector: { matchLabels: { app: 'web' } }, ...extra,
});
const web = (name: string, extra: Obj = {}): Obj => makePod(name, { labels: { app: 'web' }, ...extra });

/** zone a: n1 (2 web pods), n2 (0); zone b: n3 (1 web pod); n4 has no zone label. */
function cluster(): NodeInfo[] {
  return [
    nodeInfo(makeNode('n1', { labels: { zone: 'a' } }), web('w1'), web('w2')),
    nodeInfo(makeNode('n2', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('n3', { labels: { zone: 'b' } }), web('w3'), makePod('other', { labels: { app: 'db' } })),
    nodeInfo(makeNode('n4')),
  ];
}

function filterAll(constraints: Obj[], podExtra: Obj = {}, nodes = cluster()): Record<string, string | null> {
  const h = testHandle({ nodes });
  const p = newPodTopologySpread(h);
  const pod = new PodInfo(web('new', { spec: { topologySpreadConstraints: constraints, ...podExtra } }));
  const state = new CycleState();
  const pre = p.preFilter(state, pod, h.snapshot());
  if (pre instanceof Status && pre.code === Code.Skip) return Object.fromEntries(nodes.map((n) => [n.name, null]));
  const out: Record<string, string | null> = {};
  for (const n of nodes) out[n.name] = p.filter(state, pod, n)?.message() ?? null;
  return out;
}

test('PodTopologySpread filter (DoNotSchedule)', () => {
  const R = ERR_REASON_CONSTRAINTS_NOT_MATCH;
  const L = ERR_REASON_NODE_LABEL_NOT_MATCH;
  const cases: { name: string; constraints: Obj[]; podExtra?: Obj; want: Record<string, string | null> }[] = [
    { name: 'no constraints: skipped', constraints: [], want: { n1: null, n2: null, n3: null, n4: null } },
    { name: 'ScheduleAnyway does not filter', constraints: [spread(1, 'zone', 'ScheduleAnyway')], want: { n1: null, n2: null, n3: null, n4: null } },
    // zone counts a=2, b=1, min 1: a → 2+1-1=2 > 1; b → 1+1-1=1
    { name: 'zone maxSkew 1', constraints: [spread(1, 'zone', 'DoNotSchedule')], want: { n1: R, n2: R, n3: null, n4: L } },
    { name: 'zone maxSkew 2', constraints: [spread(2, 'zone', 'DoNotSchedule')], want: { n1: null, n2: null, n3: null, n4: L } },
    // hostname domains n1=2, n2=0, n3=1, n4=0; min 0
    { name: 'hostname maxSkew 1', constraints: [spread(1, 'kubernetes.io/hostname', 'DoNotSchedule')], want: { n1: R, n2: null, n3: R, n4: null } },
    // minDomains 3 > 2 zones → min treated as 0: a → 3 > 2, b → 2 ≤ 2
    { name: 'minDomains above domain count', constraints: [spread(2, 'zone', 'DoNotSchedule', { minDomains: 3 })], want: { n1: R, n2: R, n3: null, n4: L } },
    // nodeSelector zone=a → only zone a is a domain: its 2 pods are the min → skew 1 (zone b is
    // no domain at all, so it is not this plugin that rejects it)
    { name: 'node affinity honoured', constraints: [spread(1, 'zone', 'DoNotSchedule')], podExtra: { nodeSelector: { zone: 'a' } }, want: { n1: null, n2: null, n3: null, n4: L } },
    { name: 'node affinity ignored by policy', constraints: [spread(1, 'zone', 'DoNotSchedule', { nodeAffinityPolicy: 'Ignore' })], podExtra: { nodeSelector: { zone: 'a' } }, want: { n1: R, n2: R, n3: null, n4: L } },
    // the pod does not match its own selector: a → 2+0-1=1
    {
      name: 'pod not matching its selector', constraints: [{ ...spread(1, 'zone', 'DoNotSchedule'), labelSelector: { matchLabels: { app: 'db' } } }],
      want: { n1: null, n2: null, n3: null, n4: L },
    },
  ];
  for (const c of cases) assert.deepEqual(filterAll(c.constraints, c.podExtra), c.want, c.name);
});

test('PodTopologySpread AddPod/RemovePod keep counts for preemption', () => {
  const nodes = cluster();
  const h = testHandle({ nodes });
  const p = newPodTopologySpread(h);
  const pod = new PodInfo(web('new', { spec: { topologySpreadConstraints: [spread(1, 'zone', 'DoNotSchedule')] } }));
  const state = new CycleState();
  p.preFilter(state, pod, h.snapshot());
  assert.equal(p.filter(state, pod, nodes[0])?.message(), ERR_REASON_CONSTRAINTS_NOT_MATCH);
  const victim = nodes[0].pods[0];
  const copy = state.clone();
  p.preFilterExtensions!()!.removePod(copy, pod, victim, nodes[0]);
  assert.equal(p.filter(copy, pod, nodes[0]), null, 'zone a has 1 after removing one');
  assert.equal(p.filter(state, pod, nodes[0])?.message(), ERR_REASON_CONSTRAINTS_NOT_MATCH, 'the original state is untouched');
  p.preFilterExtensions!()!.addPod(copy, pod, victim, nodes[0]);
  assert.equal(p.filter(copy, pod, nodes[0])?.message(), ERR_REASON_CONSTRAINTS_NOT_MATCH);
});

test('PodTopologySpread scoring prefers emptier domains', () => {
  const nodes = cluster().slice(0, 3);
  const h = testHandle({ nodes });
  const p = newPodTopologySpread(h);
  const pod = new PodInfo(web('new', { spec: { topologySpreadConstraints: [spread(1, 'zone', 'ScheduleAnyway')] } }));
  const state = new CycleState();
  assert.equal(p.preScore(state, pod, nodes, nodes.length), null);
  const scores = Float64Array.from(nodes.map((n) => p.score(state, pod, n)));
  // weight ln(2+2)=1.386: a: 2*1.386=2.77 → 3, b: 1.386 → 1
  assert.deepEqual([...scores], [3, 3, 1]);
  p.normalizeScore!(state, pod, scores, scores.length, nodes);
  // 100*(3+1-s)/3
  assert.deepEqual([...scores], [33, 33, 100]);
});

test('PodTopologySpread default constraints come from Services and controllers', () => {
  const nodes = [
    nodeInfo(makeNode('n1', { labels: { 'topology.kubernetes.io/zone': 'a' } }), web('w1'), web('w2')),
    nodeInfo(makeNode('n2', { labels: { 'topology.kubernetes.io/zone': 'b' } })),
  ];
  const svc = { metadata: { name: 's', namespace: 'default' }, spec: { selector: { app: 'web' } } };
  const h = testHandle({ nodes, objects: { services: [svc] } });
  const p = newPodTopologySpread(h);
  const pod = new PodInfo(web('new'));
  const state = new CycleState();
  assert.equal(p.preScore(state, pod, nodes, 2), null);
  const scores = Float64Array.from(nodes.map((n) => p.score(state, pod, n)));
  p.normalizeScore!(state, pod, scores, 2, nodes);
  assert.ok(scores[1] > scores[0], `emptier node preferred: ${scores}`);
  // Without a Service or owner nothing selects the pod: no default spreading.
  const bare = newPodTopologySpread(testHandle({ nodes }));
  assert.equal(bare.preScore(new CycleState(), pod, nodes, 2)?.code, Code.Skip);
  // A ReplicaSet owner contributes its selector.
  const rs = { metadata: { name: 'rs', namespace: 'default' }, spec: { selector: { matchLabels: { app: 'web' } } } };
  const owned = new PodInfo(web('o', { spec: {} }));
  owned.pod.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', controller: true, uid: 'x' }];
  assert.equal(newPodTopologySpread(testHandle({ nodes, objects: { replicasets: [rs] } })).preScore(new CycleState(), owned, nodes, 2), null);
});
