import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import * as u from './util.js';

const dep = (replicas: number, maxSurge: unknown, maxUnavailable: unknown, type = 'RollingUpdate'): Obj => ({
  metadata: { name: 'd', annotations: {} },
  spec: { replicas, strategy: { type, rollingUpdate: { maxSurge, maxUnavailable } } },
});

describe('fenceposts', () => {
  // [replicas, maxSurge, maxUnavailable, wantSurge, wantUnavailable]
  const cases: [number, unknown, unknown, number, number][] = [
    [3, '25%', '25%', 1, 0],
    [10, '25%', '25%', 3, 2],
    [4, '25%', '25%', 1, 1],
    [1, '25%', '25%', 1, 0],
    [10, 0, 0, 0, 1], // both zero: unavailable becomes 1
    [10, '0%', '5%', 0, 1], // 5% of 10 rounds down to 0, then the both-zero rule
    [10, 3, 2, 3, 2],
    [5, '100%', '100%', 5, 5],
    [3, 1, 5, 1, 3], // unavailable capped at replicas
  ];
  for (const [r, s, un, ws, wu] of cases) {
    it(`${r} replicas, surge ${String(s)}, unavailable ${String(un)} → ${ws}/${wu}`, () => {
      const d = dep(r, s, un);
      assert.equal(u.maxSurge(d), ws);
      assert.equal(u.maxUnavailable(d), wu);
    });
  }
  it('Recreate has neither', () => {
    const d = dep(3, '25%', '25%', 'Recreate');
    assert.equal(u.maxSurge(d), 0);
    assert.equal(u.maxUnavailable(d), 0);
  });
  it('zero replicas: no unavailability', () => assert.equal(u.maxUnavailable(dep(0, 1, 1)), 0));
  it('bad values are errors as upstream', () => {
    assert.throws(() => u.scaledValue('5', 10, true), /string is not a percentage/);
    assert.throws(() => u.scaledValue('x%', 10, true), /invalid value "x%"/);
  });
});

describe('newRSNewReplicas', () => {
  const rs = (replicas: number): Obj => ({ metadata: { name: `rs${replicas}` }, spec: { replicas } });
  const cases: [string, Obj, Obj[], Obj, number][] = [
    ['fresh deployment scales straight to replicas', dep(3, '25%', '25%'), [], rs(0), 3],
    ['rollout starts with the surge', dep(3, '25%', '25%'), [rs(3)], rs(0), 1],
    ['no room: keeps its size', dep(3, '25%', '25%'), [rs(3)], rs(1), 1],
    ['never beyond replicas', dep(10, '50%', '0%'), [rs(2)], rs(8), 10],
    ['Recreate: full size', dep(3, 0, 0, 'Recreate'), [rs(3)], rs(0), 3],
  ];
  for (const [name, d, others, n, want] of cases) it(name, () => assert.equal(u.newRSNewReplicas(d, [...others, n], n), want));
});

describe('revision annotations', () => {
  it('a new ReplicaSet gets revision, copied annotations and replica annotations', () => {
    const d = { ...dep(3, '25%', '25%'), metadata: { name: 'd', annotations: { team: 'a', 'deployment.kubernetes.io/revision': '9', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } } };
    const rs: Obj = { metadata: { name: 'x' }, spec: { replicas: 0 } };
    assert.equal(u.setNewReplicaSetAnnotations(d, rs, 2, false), true);
    assert.deepEqual(rs.metadata.annotations, {
      team: 'a', 'deployment.kubernetes.io/revision': '2', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
    });
  });

  it('an old ReplicaSet becoming new again keeps its history (rollback)', () => {
    const d = dep(3, 1, 0);
    const rs: Obj = { metadata: { name: 'x', annotations: { 'deployment.kubernetes.io/revision': '1' } } };
    assert.equal(u.setNewReplicaSetAnnotations(d, rs, 3, true), true);
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '3');
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
    u.setNewReplicaSetAnnotations(d, rs, 5, true);
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision-history'], '1,3');
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/desired-replicas'], undefined, 'existing ReplicaSets are scaled separately');
  });

  it('revision-history drops the oldest entries beyond the limit', () => {
    const rs: Obj = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '4', 'deployment.kubernetes.io/revision-history': '1,2,3' } } };
    u.setNewReplicaSetAnnotations(dep(1, 1, 0), rs, 5, true, 5);
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision-history'], '2,3,4');
  });

  it('a revision is never lowered', () => {
    const rs: Obj = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '7' } } };
    assert.equal(u.setNewReplicaSetAnnotations(dep(1, 1, 0), rs, 3, true), false);
    assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '7');
  });

  it('max and last revision', () => {
    const rs = (r?: string): Obj => ({ metadata: { annotations: r ? { 'deployment.kubernetes.io/revision': r } : {} } });
    const list = [rs('3'), rs('x'), rs(), rs('7'), rs('5')];
    assert.equal(u.maxRevision(list), 7);
    assert.equal(u.lastRevision(list), 5);
  });

  it('setDeploymentAnnotationsTo keeps skipped annotations and takes the rest from the ReplicaSet', () => {
    const d: Obj = { metadata: { annotations: { 'deployment.kubernetes.io/revision': '3', note: 'old' } } };
    u.setDeploymentAnnotationsTo(d, { metadata: { annotations: { note: 'rs', 'deployment.kubernetes.io/revision': '1' } } });
    assert.deepEqual(d.metadata.annotations, { 'deployment.kubernetes.io/revision': '3', note: 'rs' });
  });
});

describe('proportions', () => {
  const rs = (name: string, replicas: number, max?: number, created = '2024-01-01T00:00:00Z'): Obj => ({
    metadata: { name, creationTimestamp: created, annotations: max === undefined ? {} : { 'deployment.kubernetes.io/max-replicas': String(max) } },
    spec: { replicas },
  });
  const cases: [string, Obj, Obj, number, number, number][] = [
    ['scale up: share of the new size', rs('a', 6, 13), dep(20, 3, 2), 13, 0, 5],
    ['scale up: capped by what is left', rs('a', 6, 13), dep(20, 3, 2), 13, 12, 1],
    ['scale down: share of the new size (6·8/13 ≈ 4)', rs('a', 6, 13), dep(5, 3, 2), -5, 0, -2],
    ['scale to zero: everything', rs('a', 6, 13), dep(0, 3, 2), -10, 0, -6],
    ['empty ReplicaSet: nothing', rs('a', 0, 13), dep(20, 3, 2), 13, 0, 0],
    ['halves round up (1·3/2 = 1.5 → 2)', rs('a', 1, 2), dep(2, 1, 0), 1, 0, 1],
  ];
  for (const [name, r, d, toAdd, added, want] of cases) it(name, () => assert.equal(u.getProportion(r, d, toAdd, added), want));

  it('sorts by size, then age', () => {
    const a = rs('a', 3, undefined, '2024-01-01T00:00:00Z');
    const b = rs('b', 3, undefined, '2024-01-02T00:00:00Z');
    const c = rs('c', 5, undefined, '2024-01-03T00:00:00Z');
    assert.deepEqual([a, b, c].sort(u.bySizeNewer).map((x) => x.metadata.name), ['c', 'b', 'a']);
    assert.deepEqual([a, b, c].sort(u.bySizeOlder).map((x) => x.metadata.name), ['c', 'a', 'b']);
  });
});

describe('progress predicates', () => {
  const now = Date.parse('2024-01-01T01:00:00Z');
  const d = (status: Obj, pds = 600): Obj => ({ metadata: { generation: 2 }, spec: { replicas: 3, progressDeadlineSeconds: pds }, status });
  it('complete only with everything updated, available and observed', () => {
    assert.equal(u.deploymentComplete(d({}), { updatedReplicas: 3, replicas: 3, availableReplicas: 3, observedGeneration: 2 }), true);
    assert.equal(u.deploymentComplete(d({}), { updatedReplicas: 3, replicas: 4, availableReplicas: 3, observedGeneration: 2 }), false);
    assert.equal(u.deploymentComplete(d({}), { updatedReplicas: 3, replicas: 3, availableReplicas: 3, observedGeneration: 1 }), false);
  });
  it('progressing when any count improves', () => {
    const old = { replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3 };
    assert.equal(u.deploymentProgressing(d(old), { ...old }), false);
    assert.equal(u.deploymentProgressing(d(old), { ...old, updatedReplicas: 2, replicas: 5 }), true);
    assert.equal(u.deploymentProgressing(d(old), { ...old, replicas: 3 }), true);
    assert.equal(u.deploymentProgressing(d(old), { ...old, availableReplicas: 4 }), true);
  });
  it('timed out after the deadline since the last progress', () => {
    const cond = (reason: string, t: string) => ({ conditions: [{ type: 'Progressing', status: 'True', reason, lastUpdateTime: t }] });
    assert.equal(u.deploymentTimedOut(d({}), cond('ReplicaSetUpdated', '2024-01-01T00:49:00Z'), now), true);
    assert.equal(u.deploymentTimedOut(d({}), cond('ReplicaSetUpdated', '2024-01-01T00:51:00Z'), now), false);
    assert.equal(u.deploymentTimedOut(d({}), cond('NewReplicaSetAvailable', '2024-01-01T00:00:00Z'), now), false);
    assert.equal(u.deploymentTimedOut(d({}, 2147483647), cond('ReplicaSetUpdated', '2024-01-01T00:00:00Z'), now), false);
  });
});
