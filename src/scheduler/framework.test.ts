import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Code, CycleState, defaultNormalizeScore, fitErrorMessage, newDiagnosis, numFeasibleNodesToFind, PreFilterResult, SKIP, Status,
  type FilterPlugin, type PermitPlugin, type PreFilterPlugin, type ScorePlugin, type StateData,
} from './framework.js';
import { PodInfo, Snapshot } from './nodeinfo.js';
import { Framework } from './runtime.js';
import { makeNode, makePod, nodeInfo } from './testing.js';

test('numFeasibleNodesToFind is adaptive like upstream', () => {
  const cases: [number, number, number][] = [
    // [percentage, nodes, want]
    [0, 0, 0], [0, 50, 50], [0, 99, 99], [0, 100, 100], [0, 500, 230], [0, 1000, 420], [0, 5000, 500],
    [0, 6000, 300], [0, 10000, 500], [0, 15000, 750], [10, 5000, 500], [1, 5000, 100], [100, 5000, 5000], [50, 80, 80],
  ];
  for (const [pct, n, want] of cases) assert.equal(numFeasibleNodesToFind(pct, n), want, `${pct}% of ${n}`);
});

test('FitError messages as upstream formats them', () => {
  const d = newDiagnosis();
  d.nodeToStatus.set('a', Status.unschedulable('Insufficient cpu'));
  d.nodeToStatus.set('b', Status.unresolvable("node(s) didn't match Pod's node affinity/selector"));
  d.nodeToStatus.set('c', Status.unresolvable("node(s) didn't match Pod's node affinity/selector"));
  d.postFilterMsg = 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
  assert.equal(fitErrorMessage(3, d),
    "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.");

  const multi = newDiagnosis();
  multi.nodeToStatus.set('a', Status.unschedulable('Insufficient cpu', 'Insufficient memory'));
  multi.nodeToStatus.set('b', Status.unschedulable('Insufficient memory'));
  multi.nodeToStatus.set('c', Status.unschedulable('Too many pods'));
  // Sorted as strings: "1 Insufficient cpu" < "1 Too many pods" < "2 Insufficient memory".
  assert.equal(fitErrorMessage(3, multi), '0/3 nodes are available: 1 Insufficient cpu, 1 Too many pods, 2 Insufficient memory.');

  const pre = newDiagnosis();
  pre.preFilterMsg = 'pod has unbound immediate PersistentVolumeClaims';
  pre.nodeToStatus.absent = Status.unresolvable(pre.preFilterMsg);
  assert.equal(fitErrorMessage(2, pre), '0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims.');

  const absent = newDiagnosis();
  absent.nodeToStatus.absent = Status.unresolvable("node(s) didn't satisfy plugin(s) [NodeAffinity]");
  absent.nodeToStatus.set('x', Status.unschedulable('Insufficient cpu'));
  assert.equal(fitErrorMessage(4, absent), "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't satisfy plugin(s) [NodeAffinity].");
});

test('defaultNormalizeScore', () => {
  const cases: { scores: number[]; reverse: boolean; want: number[] }[] = [
    { scores: [0, 0], reverse: false, want: [0, 0] },
    { scores: [0, 0], reverse: true, want: [100, 100] },
    { scores: [1, 2, 4], reverse: false, want: [25, 50, 100] },
    { scores: [1, 2, 4], reverse: true, want: [75, 50, 0] },
    { scores: [1, 3], reverse: false, want: [33, 100] },
  ];
  for (const c of cases) {
    const a = Float64Array.from(c.scores);
    defaultNormalizeScore(100, c.reverse, a, a.length);
    assert.deepEqual([...a], c.want, JSON.stringify(c));
  }
});

class Box implements StateData {
  constructor(public v: number) {}
  clone(): StateData {
    return new Box(this.v);
  }
}

test('CycleState clones its data', () => {
  const s = new CycleState();
  s.write('k', new Box(1));
  s.skipFilterPlugins.add('X');
  const c = s.clone();
  c.read<Box>('k')!.v = 2;
  c.skipFilterPlugins.add('Y');
  assert.equal(s.read<Box>('k')!.v, 1);
  assert.deepEqual([...s.skipFilterPlugins], ['X']);
});

const rejectIf = (name: string, node: string, s: Status): FilterPlugin => ({ name, filter: (_st, _p, n) => (n.name === node ? s : null) });

test('the framework runs filters in order and reports the first rejection', () => {
  const fw = new Framework([
    rejectIf('A', 'n1', Status.unresolvable('from A')),
    rejectIf('B', 'n1', Status.unschedulable('from B')),
    rejectIf('B2', 'n2', Status.unschedulable('from B2')),
  ]);
  const pod = new PodInfo(makePod('p'));
  const state = new CycleState();
  assert.equal(fw.runFilter(state, pod, nodeInfo(makeNode('n1')))?.message(), 'from A');
  assert.equal(fw.lastFilterPlugin, 'A');
  assert.equal(fw.runFilter(state, pod, nodeInfo(makeNode('n2')))?.message(), 'from B2');
  assert.equal(fw.runFilter(state, pod, nodeInfo(makeNode('n3'))), null);
  const thrower: FilterPlugin = { name: 'T', filter: () => { throw new Error('boom'); } };
  const s = new Framework([thrower]).runFilter(state, pod, nodeInfo(makeNode('n1')));
  assert.equal(s?.code, Code.Error);
  assert.equal(s?.message(), 'boom');
});

test('PreFilter: Skip disables the plugin\'s Filter, results narrow the nodes', () => {
  const skipper: PreFilterPlugin & FilterPlugin = { name: 'S', preFilter: () => SKIP, filter: () => Status.unschedulable('never') };
  const narrow = (name: string, nodes: string[]): PreFilterPlugin => ({ name, preFilter: () => new PreFilterResult(new Set(nodes)) });
  const pod = new PodInfo(makePod('p'));
  const snap = Snapshot.of([]);

  const state = new CycleState();
  const fw = new Framework([skipper, narrow('N1', ['a', 'b']), narrow('N2', ['b', 'c'])]);
  const r = fw.runPreFilter(state, pod, snap);
  assert.equal(r.status, null);
  assert.deepEqual([...r.nodeNames!], ['b']);
  assert.deepEqual(r.pluginsWithNodes, ['N1', 'N2']);
  assert.equal(fw.runFilter(state, pod, nodeInfo(makeNode('a')), fw.activeFilters(state)), null, 'S is skipped');

  const none = new Framework([narrow('N1', ['a']), narrow('N2', ['c'])]).runPreFilter(new CycleState(), pod, snap);
  assert.equal(none.status?.message(), "node(s) didn't satisfy plugin(s) [N1 N2] simultaneously");
  assert.equal(none.status?.code, Code.UnschedulableAndUnresolvable);
  const one = new Framework([narrow('N1', [])]).runPreFilter(new CycleState(), pod, snap);
  assert.equal(one.status?.message(), "node(s) didn't satisfy plugin N1");

  const reject: PreFilterPlugin = { name: 'R', preFilter: () => Status.unresolvable('nope') };
  const rr = new Framework([reject]).runPreFilter(new CycleState(), pod, snap);
  assert.equal(rr.plugin, 'R');
  assert.equal(rr.status?.message(), 'nope');
});

test('scores are normalised, validated and weighted', () => {
  const nodes = ['a', 'b', 'c'].map((n) => nodeInfo(makeNode(n)));
  const byName = (m: Record<string, number>, name = 'P'): ScorePlugin => ({ name, score: (_s, _p, n) => m[n.name] });
  const pod = new PodInfo(makePod('p'));
  const fw = new Framework([
    byName({ a: 10, b: 50, c: 100 }, 'P1'),
    { ...byName({ a: 1, b: 2, c: 4 }, 'P2'), normalizeScore: (_s: unknown, _p: unknown, sc: Float64Array, n: number) => defaultNormalizeScore(100, true, sc, n) },
  ], { P1: 1, P2: 3 });
  const totals = fw.runScore(new CycleState(), pod, nodes, 3);
  // P2 normalised reverse: 75, 50, 0 → × 3
  assert.deepEqual([...totals.subarray(0, 3)], [10 + 225, 50 + 150, 100]);
  const skipping = new CycleState();
  skipping.skipScorePlugins.add('P2');
  assert.deepEqual([...fw.runScore(skipping, pod, nodes, 3).subarray(0, 3)], [10, 50, 100]);
  const bad = new Framework([byName({ a: 101, b: 0, c: 0 }, 'Bad')]);
  assert.throws(() => bad.runScore(new CycleState(), pod, nodes, 3), /plugin "Bad" returns an invalid score 101/);
});

test('Permit: wait until allowed, rejected or timed out', async () => {
  const waiter: PermitPlugin = { name: 'W', permit: () => ({ status: new Status(Code.Wait), timeoutMs: 50 }) };
  const ac = new AbortController();
  const fw = new Framework([waiter]);
  const cases: { name: string; act: (key: string) => void; want: string | null }[] = [
    { name: 'allowed', act: (k) => fw.allowWaitingPod(k, 'W'), want: null },
    { name: 'rejected', act: (k) => fw.rejectWaitingPod(k, 'W', 'no way'), want: 'no way' },
    { name: 'timed out', act: () => undefined, want: 'rejected due to timeout after waiting 0.05s at plugin W' },
  ];
  for (const c of cases) {
    const pod = new PodInfo(makePod(c.name));
    assert.equal(fw.runPermit(new CycleState(), pod, 'n', ac.signal).status?.code, Code.Wait);
    const done = fw.waitOnPermit(pod);
    c.act(pod.key);
    assert.equal((await done)?.message() ?? null, c.want, c.name);
  }
  const pod = new PodInfo(makePod('aborted'));
  fw.runPermit(new CycleState(), pod, 'n', ac.signal);
  const done = fw.waitOnPermit(pod);
  ac.abort();
  assert.equal((await done)?.code, Code.Error);
  assert.equal(await fw.waitOnPermit(new PodInfo(makePod('not-waiting'))), null);
});
