import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueuedPodInfo } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makePod } from '../../testing.js';
import { less } from './plugin.js';

const q = (priority: number, timestamp: number, seq = 0): QueuedPodInfo => ({
  podInfo: new PodInfo(makePod('p', { priority })), timestamp, attempts: 0, unschedulablePlugins: new Set(), gated: false, seq,
});

test('PrioritySort orders by priority, then age, then arrival', () => {
  const cases = [
    { name: 'higher priority first', a: q(10, 5), b: q(1, 1), want: true },
    { name: 'lower priority later', a: q(1, 1), b: q(10, 5), want: false },
    { name: 'same priority: older first', a: q(1, 1), b: q(1, 2), want: true },
    { name: 'same priority: newer later', a: q(1, 2), b: q(1, 1), want: false },
    { name: 'same time: arrival order', a: q(1, 1, 1), b: q(1, 1, 2), want: true },
    { name: 'negative priorities', a: q(-5, 1), b: q(0, 2), want: false },
  ];
  for (const c of cases) assert.equal(less(c.a, c.b), c.want, c.name);
});
