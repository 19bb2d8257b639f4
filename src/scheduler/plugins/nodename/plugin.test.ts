import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CycleState } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo } from '../../testing.js';
import { ERR_REASON, newNodeName } from './plugin.js';

test('NodeName filter', () => {
  const cases = [
    { name: 'no nodeName', nodeName: undefined, want: null },
    { name: 'same node', nodeName: 'n1', want: null },
    { name: 'other node', nodeName: 'n2', want: ERR_REASON },
  ];
  const p = newNodeName();
  for (const c of cases) {
    const pod = new PodInfo(makePod('p', { nodeName: c.nodeName }));
    assert.equal(p.filter(new CycleState(), pod, nodeInfo(makeNode('n1')))?.message() ?? null, c.want, c.name);
  }
});
