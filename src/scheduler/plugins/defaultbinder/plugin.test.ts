import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClient } from '../../../client/fake.js';
import { CycleState } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { installBindingReactor, makePod, PODS } from '../../testing.js';
import { newDefaultBinder } from './plugin.js';

test('DefaultBinder posts a Binding', async () => {
  const cases = [
    { name: 'unbound pod gets bound', preBound: false, wantErr: null },
    { name: 'already bound pod: conflict', preBound: true, wantErr: 'Operation cannot be fulfilled on pods "p": pod p is already assigned to node "other"' },
  ];
  for (const c of cases) {
    const fake = new FakeClient();
    installBindingReactor(fake);
    const pod = makePod('p', { nodeName: c.preBound ? 'other' : undefined });
    fake.seed(PODS, pod);
    const s = await newDefaultBinder({ client: fake }).bind(new CycleState(), new PodInfo(pod), 'n1', new AbortController().signal);
    assert.equal(s?.message() ?? null, c.wantErr, c.name);
    const a = fake.actions.find((x) => x.subresource === 'binding')!;
    assert.deepEqual(a.object?.target, { apiVersion: 'v1', kind: 'Node', name: 'n1' }, c.name);
    assert.equal(a.object?.metadata?.uid, pod.metadata.uid);
    if (!c.preBound) assert.equal(fake.object(PODS, 'default', 'p')?.spec.nodeName, 'n1');
  }
});
