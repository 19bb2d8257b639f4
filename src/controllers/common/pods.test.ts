import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import {
  activePodsLess, isPodActive, isPodAvailable, isPodReady, podDeletionLess, rankPodsForDeletion, removeCondition, setCondition,
} from './pods.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface PodOpts { name?: string; node?: string; phase?: string; ready?: boolean; readySince?: number; created?: number; restarts?: number; cost?: string; deleting?: boolean; uid?: string }
function pod(o: PodOpts = {}): Obj {
  return {
    metadata: {
      name: o.name ?? 'p', uid: o.uid ?? o.name ?? 'p',
      creationTimestamp: o.created === undefined ? iso(T0) : iso(o.created),
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
      ...(o.deleting ? { deletionTimestamp: iso(T0) } : {}),
    },
    spec: { nodeName: o.node ?? 'n1' },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(o.readySince ?? T0) }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('pod predicates', () => {
  const cases: [string, Obj, { active: boolean; ready: boolean; avail0: boolean; avail10: boolean }][] = [
    ['running and ready long ago', pod({ readySince: T0 - 60_000 }), { active: true, ready: true, avail0: true, avail10: true }],
    ['ready just now', pod({ readySince: T0 }), { active: true, ready: true, avail0: true, avail10: false }],
    ['not ready', pod({ ready: false }), { active: true, ready: false, avail0: false, avail10: false }],
    ['succeeded', pod({ phase: 'Succeeded', ready: false }), { active: false, ready: false, avail0: false, avail10: false }],
    ['failed', pod({ phase: 'Failed', ready: false }), { active: false, ready: false, avail0: false, avail10: false }],
    ['being deleted', pod({ deleting: true }), { active: false, ready: true, avail0: true, avail10: false }],
    ['no status', { metadata: { name: 'x' } }, { active: true, ready: false, avail0: false, avail10: false }],
  ];
  for (const [name, p, want] of cases) {
    it(name, () => {
      assert.equal(isPodActive(p), want.active);
      assert.equal(isPodReady(p), want.ready);
      assert.equal(isPodAvailable(p, 0, T0), want.avail0);
      assert.equal(isPodAvailable(p, 10, T0), want.avail10);
    });
  }
});

describe('deletion ranking (ActivePodsWithRanks)', () => {
  const now = T0 + 10 * 3600_000;
  const cases: [string, Obj, Obj, boolean, number?, number?][] = [
    ['unscheduled before scheduled', pod({ node: '' }), pod({ node: 'n1' }), true],
    ['scheduled after unscheduled', pod({ node: 'n1' }), pod({ node: '' }), false],
    ['pending before running', pod({ phase: 'Pending' }), pod({ phase: 'Running' }), true],
    ['unknown before running', pod({ phase: 'Unknown' }), pod({ phase: 'Running' }), true],
    ['pending before unknown', pod({ phase: 'Pending' }), pod({ phase: 'Unknown' }), true],
    ['not ready before ready', pod({ ready: false }), pod({ ready: true }), true],
    ['lower deletion cost first', pod({ cost: '-5' }), pod({ cost: '10' }), true],
    ['bad cost counts as 0', pod({ cost: 'x' }), pod({ cost: '1' }), true],
    ['doubled up first', pod(), pod(), true, 3, 1],
    ['ready more recently first (different log2 bucket)', pod({ readySince: now - 60_000 }), pod({ readySince: now - 3600_000 }), true],
    ['more restarts first', pod({ restarts: 5 }), pod({ restarts: 1 }), true],
    ['newer first', pod({ created: now - 60_000 }), pod({ created: now - 5 * 3600_000 }), true],
    ['older not first', pod({ created: now - 5 * 3600_000 }), pod({ created: now - 60_000 }), false],
    ['same bucket falls back to uid', pod({ created: now - 3600_000, uid: 'a' }), pod({ created: now - 3601_000, uid: 'b' }), true],
  ];
  for (const [name, a, b, want, ra, rb] of cases) {
    it(name, () => assert.equal(podDeletionLess(a, b, ra ?? 0, rb ?? 0, now), want));
  }

  it('rankPodsForDeletion orders a mixed set', () => {
    const pods = [
      pod({ name: 'ready-old', created: now - 5 * 3600_000, readySince: now - 5 * 3600_000 }),
      pod({ name: 'pending', phase: 'Pending', ready: false }),
      pod({ name: 'unscheduled', node: '', phase: 'Pending', ready: false }),
      pod({ name: 'notready', ready: false }),
      pod({ name: 'ready-new', created: now - 60_000, readySince: now - 60_000 }),
    ];
    assert.deepEqual(rankPodsForDeletion(pods, [], now).map((p) => p.metadata.name), ['unscheduled', 'pending', 'notready', 'ready-new', 'ready-old']);
  });

  it('related pods on the same node rank doubled-up pods first', () => {
    const a = { ...pod({ name: 'a', created: now - 60_000 }), spec: { nodeName: 'n1' } };
    const b = { ...pod({ name: 'b', created: now - 60_000 }), spec: { nodeName: 'n2' } };
    const related = [a, b, { ...pod({ name: 'c' }), spec: { nodeName: 'n2' } }];
    assert.deepEqual(rankPodsForDeletion([a, b], related, now).map((p) => p.metadata.name), ['b', 'a']);
  });

  it('activePodsLess uses exact times', () => {
    assert.equal(activePodsLess(pod({ created: T0 + 1000 }), pod({ created: T0 })), true);
    assert.equal(activePodsLess(pod({ created: T0 }), pod({ created: T0 + 1000 })), false);
  });
});

describe('conditions', () => {
  it('setCondition keeps an identical status+reason and replaces otherwise', () => {
    const c1 = { type: 'A', status: 'True', reason: 'R', lastTransitionTime: 't1' };
    assert.deepEqual(setCondition([c1], { type: 'A', status: 'True', reason: 'R', lastTransitionTime: 't2' }), [c1]);
    assert.deepEqual(setCondition([c1], { type: 'A', status: 'True', reason: 'S', lastTransitionTime: 't2' }, true),
      [{ type: 'A', status: 'True', reason: 'S', lastTransitionTime: 't1' }]);
    assert.deepEqual(setCondition([c1, { type: 'B' }], { type: 'A', status: 'False', reason: 'S', lastTransitionTime: 't2' }, true),
      [{ type: 'B' }, { type: 'A', status: 'False', reason: 'S', lastTransitionTime: 't2' }]);
    assert.deepEqual(removeCondition([c1, { type: 'B' }], 'A'), [{ type: 'B' }]);
  });
});
