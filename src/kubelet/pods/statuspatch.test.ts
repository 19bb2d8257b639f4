import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePatchDiff } from './statuspatch.js';

test('merge patch of a status: changed keys, removed keys as null, lists whole, nothing when equal', () => {
  const old = { phase: 'Pending', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'False', lastProbeTime: null }], containerStatuses: [{ name: 'a', state: { waiting: { reason: 'ContainerCreating' } } }] };
  assert.equal(mergePatchDiff(old, structuredClone(old)), undefined);
  // key order and null-valued keys do not make a difference
  assert.equal(mergePatchDiff(old, { containerStatuses: old.containerStatuses, conditions: [{ status: 'False', type: 'Ready' }], podIP: '10.0.0.1', phase: 'Pending' }), undefined);
  const next = { phase: 'Running', conditions: old.conditions, containerStatuses: [{ name: 'a', state: { running: { startedAt: 't' } } }] };
  assert.deepEqual(mergePatchDiff(old, next), { phase: 'Running', podIP: null, containerStatuses: [{ name: 'a', state: { running: { startedAt: 't' } } }] });
  assert.deepEqual(mergePatchDiff({}, { qosClass: 'BestEffort' }), { qosClass: 'BestEffort' });
});
