import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PodInfo } from '../../nodeinfo.js';
import { makePod } from '../../testing.js';
import { newSchedulingGates } from './plugin.js';

test('SchedulingGates PreEnqueue', () => {
  const cases = [
    { name: 'no gates', gates: undefined, want: null },
    { name: 'empty gates', gates: [], want: null },
    { name: 'one gate', gates: [{ name: 'example.com/a' }], want: 'waiting for scheduling gates: [example.com/a]' },
    { name: 'two gates', gates: [{ name: 'a' }, { name: 'b' }], want: 'waiting for scheduling gates: [a b]' },
  ];
  const p = newSchedulingGates();
  for (const c of cases) {
    const s = p.preEnqueue(new PodInfo(makePod('p', { spec: c.gates ? { schedulingGates: c.gates } : {} })));
    assert.equal(s?.message() ?? null, c.want, c.name);
  }
});
