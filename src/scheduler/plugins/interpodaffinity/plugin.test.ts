import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { Code, CycleState, Status } from '../../framework.js';
import { PodInfo, type NodeInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo, testHandle } from '../../testing.js';
import {
  ERR_REASON_AFFINITY_RULES_NOT_MATCH as AFF, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH as ANTI,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH as EXISTING, newInterPodAffinity,
} from './plugin.js';

const term = (labels: Record<string, string>, topologyKey: string, extra: Obj = {}): Obj => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const affinity = (...terms: Obj[]): Obj => ({ affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });
const anti = (...terms: Obj[]): Obj => ({ affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } } });

/** zone a: n1 (db pod), n2; zone b: n3 (cache pod with anti-affinity to app=web per zone). */
function cluster(): NodeInfo[] {
  return [
    nodeInfo(makeNode('n1', { labels: { zone: 'a' } }), makePod('db', { labels: { app: 'db' } })),
    nodeInfo(makeNode('n2', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('n3', { labels: { zone: 'b' } }), makePod('cache', { labels: { app: 'cache' }, spec: anti(term({ app: 'web' }, 'zone')) })),
  ];
}

function filterAll(podSpec: Obj, labels: Record<string, string> = {}, namespace = 'default', objects = {}): Record<string, string | null> {
  const nodes = cluster();
  const h = testHandle({ nodes, objects });
  const p = newInterPodAffinity(h);
  const pod = new PodInfo(makePod('new', { labels, namespace, spec: podSpec }));
  const state = new CycleState();
  const pre = p.preFilter(state, pod, h.snapshot());
  if (pre instanceof Status && pre.code === Code.Skip) return Object.fromEntries(nodes.map((n) => [n.name, null]));
  assert.equal(pre, null);
  return Object.fromEntries(nodes.map((n) => [n.name, p.filter(state, pod, n)?.message() ?? null]));
}

test('InterPodAffinity filter', () => {
  const cases: { name: string; spec: Obj; labels?: Record<string, string>; namespace?: string; objects?: Obj; want: Record<string, string | null> }[] = [
    { name: 'no affinity', spec: {}, want: { n1: null, n2: null, n3: null } },
    { name: 'affinity to db per zone', spec: affinity(term({ app: 'db' }, 'zone')), want: { n1: null, n2: null, n3: AFF } },
    { name: 'affinity to db per node', spec: affinity(term({ app: 'db' }, 'kubernetes.io/hostname')), want: { n1: null, n2: AFF, n3: AFF } },
    { name: 'affinity to missing pods', spec: affinity(term({ app: 'nope' }, 'zone')), want: { n1: AFF, n2: AFF, n3: AFF } },
    { name: 'first pod of a self-affine group', spec: affinity(term({ app: 'grp' }, 'zone')), labels: { app: 'grp' }, want: { n1: null, n2: null, n3: null } },
    { name: 'topology key missing on nodes', spec: affinity(term({ app: 'grp' }, 'rack')), labels: { app: 'grp' }, want: { n1: AFF, n2: AFF, n3: AFF } },
    { name: 'affinity only in the term namespaces', spec: affinity(term({ app: 'db' }, 'zone', { namespaces: ['other'] })), want: { n1: AFF, n2: AFF, n3: AFF } },
    { name: 'anti-affinity to db per zone', spec: anti(term({ app: 'db' }, 'zone')), want: { n1: ANTI, n2: ANTI, n3: null } },
    { name: 'anti-affinity to db per node', spec: anti(term({ app: 'db' }, 'kubernetes.io/hostname')), want: { n1: ANTI, n2: null, n3: null } },
    { name: 'existing anti-affinity of cache', spec: {}, labels: { app: 'web' }, want: { n1: null, n2: null, n3: EXISTING } },
    { name: 'existing anti-affinity only within its namespace', spec: {}, labels: { app: 'web' }, namespace: 'other', want: { n1: null, n2: null, n3: null } },
    {
      name: 'namespaceSelector selects namespaces by label', spec: affinity(term({ app: 'db' }, 'zone', { namespaceSelector: { matchLabels: { team: 'x' } } })), namespace: 'other',
      objects: { namespaces: [{ metadata: { name: 'default', labels: { team: 'x' } } }, { metadata: { name: 'other' } }] }, want: { n1: null, n2: null, n3: AFF },
    },
    { name: 'empty namespaceSelector means all namespaces', spec: affinity(term({ app: 'db' }, 'zone', { namespaceSelector: {} })), namespace: 'other', want: { n1: null, n2: null, n3: AFF } },
  ];
  for (const c of cases) assert.deepEqual(filterAll(c.spec, c.labels, c.namespace, c.objects), c.want, c.name);
});

test('InterPodAffinity AddPod/RemovePod', () => {
  const nodes = cluster();
  const h = testHandle({ nodes });
  const p = newInterPodAffinity(h);
  const pod = new PodInfo(makePod('new', { spec: anti(term({ app: 'db' }, 'zone')) }));
  const state = new CycleState();
  p.preFilter(state, pod, h.snapshot());
  assert.equal(p.filter(state, pod, nodes[1])?.message(), ANTI);
  const copy = state.clone();
  p.preFilterExtensions!()!.removePod(copy, pod, nodes[0].pods[0], nodes[0]);
  assert.equal(p.filter(copy, pod, nodes[1]), null);
  assert.equal(p.filter(state, pod, nodes[1])?.message(), ANTI);
});

test('InterPodAffinity scoring', () => {
  const nodes = cluster();
  const h = testHandle({ nodes });
  const p = newInterPodAffinity(h);
  const preferred = {
    affinity: {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'db' }, 'zone') }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 4, podAffinityTerm: term({ app: 'db' }, 'kubernetes.io/hostname') }] },
    },
  };
  const pod = new PodInfo(makePod('new', { spec: preferred }));
  const state = new CycleState();
  assert.equal(p.preScore(state, pod, nodes, nodes.length), null);
  const scores = Float64Array.from(nodes.map((n) => p.score(state, pod, n)));
  assert.deepEqual([...scores], [6, 10, 0]);
  p.normalizeScore!(state, pod, scores, scores.length, nodes);
  assert.deepEqual([...scores], [60, 100, 0]);
  // Nothing preferred and no pods with affinity: skipped.
  const plain = [nodeInfo(makeNode('x')), nodeInfo(makeNode('y'))];
  assert.equal(newInterPodAffinity(testHandle({ nodes: plain })).preScore(new CycleState(), new PodInfo(makePod('q')), plain, 2)?.code, Code.Skip);
});

test('InterPodAffinity scoring counts existing pods\' preferences', () => {
  const nodes = [
    nodeInfo(makeNode('n1', { labels: { zone: 'a' } }), makePod('fan', {
      spec: { affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 7, podAffinityTerm: term({ app: 'web' }, 'zone') }] } } },
    })),
    nodeInfo(makeNode('n2', { labels: { zone: 'b' } })),
  ];
  const p = newInterPodAffinity(testHandle({ nodes }));
  const pod = new PodInfo(makePod('web', { labels: { app: 'web' } }));
  const state = new CycleState();
  assert.equal(p.preScore(state, pod, nodes, 2), null);
  assert.deepEqual(nodes.map((n) => p.score(state, pod, n)), [7, 0]);
});
