import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { Code, CycleState, PreFilterResult, Status } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo } from '../../testing.js';
import { ERR_REASON_POD, newNodeAffinity } from './plugin.js';

const required = (...terms: Obj[]): Obj => ({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
const expr = (key: string, operator: string, values?: string[]): Obj => ({ key, operator, ...(values ? { values } : {}) });

test('NodeAffinity filter', () => {
  const node = makeNode('n1', { labels: { zone: 'a', gen: '5', disk: 'ssd' } });
  const cases: { name: string; spec: Obj; want: string | null }[] = [
    { name: 'nothing required', spec: {}, want: null },
    { name: 'nodeSelector matches', spec: { nodeSelector: { zone: 'a' } }, want: null },
    { name: 'nodeSelector value differs', spec: { nodeSelector: { zone: 'b' } }, want: ERR_REASON_POD },
    { name: 'nodeSelector label missing', spec: { nodeSelector: { other: 'x' } }, want: ERR_REASON_POD },
    { name: 'In matches', spec: { affinity: required({ matchExpressions: [expr('zone', 'In', ['a', 'b'])] }) }, want: null },
    { name: 'NotIn', spec: { affinity: required({ matchExpressions: [expr('zone', 'NotIn', ['a'])] }) }, want: ERR_REASON_POD },
    { name: 'Exists', spec: { affinity: required({ matchExpressions: [expr('disk', 'Exists')] }) }, want: null },
    { name: 'DoesNotExist', spec: { affinity: required({ matchExpressions: [expr('disk', 'DoesNotExist')] }) }, want: ERR_REASON_POD },
    { name: 'Gt', spec: { affinity: required({ matchExpressions: [expr('gen', 'Gt', ['4'])] }) }, want: null },
    { name: 'Lt', spec: { affinity: required({ matchExpressions: [expr('gen', 'Lt', ['4'])] }) }, want: ERR_REASON_POD },
    { name: 'terms are ORed', spec: { affinity: required({ matchExpressions: [expr('zone', 'In', ['z'])] }, { matchExpressions: [expr('disk', 'In', ['ssd'])] }) }, want: null },
    { name: 'expressions are ANDed', spec: { affinity: required({ matchExpressions: [expr('zone', 'In', ['a']), expr('disk', 'In', ['hdd'])] }) }, want: ERR_REASON_POD },
    { name: 'empty term matches nothing', spec: { affinity: required({}) }, want: ERR_REASON_POD },
    { name: 'matchFields metadata.name In', spec: { affinity: required({ matchFields: [expr('metadata.name', 'In', ['n1'])] }) }, want: null },
    { name: 'matchFields metadata.name NotIn', spec: { affinity: required({ matchFields: [expr('metadata.name', 'NotIn', ['n1'])] }) }, want: ERR_REASON_POD },
    { name: 'nodeSelector and affinity both apply', spec: { nodeSelector: { zone: 'a' }, affinity: required({ matchExpressions: [expr('disk', 'In', ['hdd'])] }) }, want: ERR_REASON_POD },
    { name: 'invalid operator matches nothing', spec: { affinity: required({ matchExpressions: [expr('zone', 'Bogus', ['a'])] }) }, want: ERR_REASON_POD },
  ];
  const p = newNodeAffinity();
  for (const c of cases) {
    const pod = new PodInfo(makePod('p', { spec: c.spec }));
    const state = new CycleState();
    const pre = p.preFilter(state, pod, undefined as never);
    if (pre instanceof Status && pre.code === Code.Skip) {
      assert.equal(c.want, null, `${c.name}: skipped but should reject`);
      continue;
    }
    const s = p.filter(state, pod, nodeInfo(node));
    assert.equal(s?.message() ?? null, c.want, c.name);
    if (s) assert.equal(s.code, Code.UnschedulableAndUnresolvable);
  }
});

test('NodeAffinity PreFilter narrows nodes named by matchFields', () => {
  const cases: { name: string; terms: Obj[]; want: string[] | 'all' | 'conflict' }[] = [
    { name: 'one term with names', terms: [{ matchFields: [expr('metadata.name', 'In', ['a', 'b'])] }], want: ['a', 'b'] },
    { name: 'terms union', terms: [{ matchFields: [expr('metadata.name', 'In', ['a'])] }, { matchFields: [expr('metadata.name', 'In', ['c'])] }], want: ['a', 'c'] },
    { name: 'requirements intersect', terms: [{ matchFields: [expr('metadata.name', 'In', ['a', 'b']), expr('metadata.name', 'In', ['b', 'c'])] }], want: ['b'] },
    { name: 'a term without names allows all', terms: [{ matchFields: [expr('metadata.name', 'In', ['a'])] }, { matchExpressions: [expr('zone', 'Exists')] }], want: 'all' },
    { name: 'conflicting names', terms: [{ matchFields: [expr('metadata.name', 'In', ['a']), expr('metadata.name', 'In', ['b'])] }], want: 'conflict' },
  ];
  const p = newNodeAffinity();
  for (const c of cases) {
    const r = p.preFilter(new CycleState(), new PodInfo(makePod('p', { spec: { affinity: required(...c.terms) } })), undefined as never);
    if (c.want === 'all') assert.equal(r, null, c.name);
    else if (c.want === 'conflict') assert.equal((r as Status).message(), 'pod affinity terms conflict', c.name);
    else assert.deepEqual([...(r as PreFilterResult).nodeNames].sort(), c.want, c.name);
  }
});

test('NodeAffinity scores preferred terms by weight', () => {
  const pod = new PodInfo(makePod('p', {
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 2, preference: { matchExpressions: [expr('zone', 'In', ['a'])] } },
            { weight: 5, preference: { matchExpressions: [expr('disk', 'In', ['ssd'])] } },
          ],
        },
      },
    },
  }));
  const nodes = [
    nodeInfo(makeNode('n1', { labels: { zone: 'a', disk: 'ssd' } })),
    nodeInfo(makeNode('n2', { labels: { zone: 'a' } })),
    nodeInfo(makeNode('n3', { labels: { disk: 'ssd' } })),
    nodeInfo(makeNode('n4')),
  ];
  const p = newNodeAffinity();
  const state = new CycleState();
  assert.equal(p.preScore(state, pod, nodes, nodes.length), null);
  const scores = Float64Array.from(nodes.map((n) => p.score(state, pod, n)));
  assert.deepEqual([...scores], [7, 2, 5, 0]);
  p.normalizeScore!(state, pod, scores, scores.length, nodes);
  assert.deepEqual([...scores], [100, 28, 71, 0]);
  assert.equal(p.preScore(new CycleState(), new PodInfo(makePod('q')), nodes, nodes.length)?.code, Code.Skip);
});
