import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../../../api/types.js';
import { FakeClient } from '../../../client/fake.js';
import { findResource } from '../../../api/resources.js';
import { Code, CycleState, Status } from '../../framework.js';
import { PodInfo } from '../../nodeinfo.js';
import { makeNode, makePod, nodeInfo, testHandle } from '../../testing.js';
import { ERR_REASON_NODE_CONFLICT, ERR_REASON_PV_NOT_EXIST, ERR_REASON_UNBOUND_IMMEDIATE, newVolumeBinding, SELECTED_NODE_ANNOTATION } from './plugin.js';

const pvc = (name: string, spec: Obj, extra: Obj = {}): Obj => ({ metadata: { name, namespace: 'default', ...extra }, spec });
const pv = (name: string, hostnames?: string[]): Obj => ({
  metadata: { name },
  spec: hostnames ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: hostnames }] }] } } } : {},
});
const OBJECTS = {
  persistentvolumeclaims: [
    pvc('bound', { volumeName: 'pv-n1' }),
    pvc('bound-anywhere', { volumeName: 'pv-any' }),
    pvc('bound-missing', { volumeName: 'pv-gone' }),
    pvc('wait', { storageClassName: 'local' }),
    pvc('immediate', { storageClassName: 'fast' }),
    pvc('no-class', {}),
    pvc('deleting', { volumeName: 'pv-any' }, { deletionTimestamp: '2024-01-01T00:00:00Z' }),
    pvc('p-mine', { storageClassName: 'local' }, { ownerReferences: [{ kind: 'Pod', name: 'p', uid: 'other', controller: true }] }),
    pvc('p-own', { storageClassName: 'local' }, { ownerReferences: [{ kind: 'Pod', name: 'p', uid: 'owner-uid', controller: true }] }),
  ],
  persistentvolumes: [pv('pv-n1', ['n1']), pv('pv-any')],
  storageclasses: [
    { metadata: { name: 'local' }, volumeBindingMode: 'WaitForFirstConsumer' },
    { metadata: { name: 'fast' }, volumeBindingMode: 'Immediate' },
  ],
};

const withClaims = (...claims: string[]): Obj => makePod('p', { spec: { volumes: claims.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) } });

test('VolumeBinding PreFilter and Filter', () => {
  const nodes = [nodeInfo(makeNode('n1')), nodeInfo(makeNode('n2'))];
  const cases: { name: string; pod: Obj; pre?: string; want?: Record<string, string | null> }[] = [
    { name: 'no volumes: skipped', pod: makePod('p'), want: { n1: null, n2: null } },
    { name: 'bound claim pins the node', pod: withClaims('bound'), want: { n1: null, n2: ERR_REASON_NODE_CONFLICT } },
    { name: 'bound claim without node affinity', pod: withClaims('bound-anywhere'), want: { n1: null, n2: null } },
    { name: 'bound to a missing volume', pod: withClaims('bound-missing'), want: { n1: ERR_REASON_PV_NOT_EXIST, n2: ERR_REASON_PV_NOT_EXIST } },
    { name: 'WaitForFirstConsumer claim passes', pod: withClaims('wait'), want: { n1: null, n2: null } },
    { name: 'unbound immediate claim', pod: withClaims('immediate'), pre: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'unbound claim without class', pod: withClaims('no-class'), pre: ERR_REASON_UNBOUND_IMMEDIATE },
    { name: 'missing claim', pod: withClaims('nope'), pre: 'persistentvolumeclaim "nope" not found' },
    { name: 'claim being deleted', pod: withClaims('deleting'), pre: 'persistentvolumeclaim "deleting" is being deleted' },
    {
      name: 'ephemeral volume claim is named after pod and volume', pre: 'waiting for ephemeral volume controller to create the persistentvolumeclaim "p-scratch"',
      pod: makePod('p', { spec: { volumes: [{ name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } }] } }),
    },
    {
      name: 'ephemeral claim owned by someone else', pre: 'persistentvolumeclaim "p-mine" was not created for the pod',
      pod: makePod('p', { uid: 'p-uid', spec: { volumes: [{ name: 'mine', ephemeral: { volumeClaimTemplate: { spec: {} } } }] } }),
    },
    {
      name: 'ephemeral claim owned by the pod', want: { n1: null, n2: null },
      pod: makePod('p', { uid: 'owner-uid', spec: { volumes: [{ name: 'own', ephemeral: { volumeClaimTemplate: { spec: {} } } }] } }),
    },
    {
      name: 'hostNetwork pods are not claims', want: { n1: null, n2: null },
      pod: makePod('p', { spec: { hostNetwork: true, volumes: [{ name: 'cfg', configMap: { name: 'x' } }] } }),
    },
  ];
  const p = newVolumeBinding(testHandle({ nodes, objects: OBJECTS }));
  for (const c of cases) {
    const pod = new PodInfo(c.pod);
    const state = new CycleState();
    const pre = p.preFilter(state, pod, undefined as never) as Status | null;
    if (c.pre) {
      assert.equal(pre?.message(), c.pre, c.name);
      assert.equal(pre?.code, Code.UnschedulableAndUnresolvable, c.name);
      continue;
    }
    assert.ok(pre === null || pre.code === Code.Skip, c.name);
    const got = Object.fromEntries(nodes.map((n) => [n.name, p.filter(state, pod, n)?.message() ?? null]));
    assert.deepEqual(got, c.want, c.name);
  }
});

test('VolumeBinding PreBind records the selected node on waiting claims', async () => {
  const fake = new FakeClient();
  const PVCS = findResource('', 'v1', 'persistentvolumeclaims')!;
  fake.seed(PVCS, pvc('wait', { storageClassName: 'local' }));
  const p = newVolumeBinding({ ...testHandle({ objects: OBJECTS }), client: fake });
  const pod = new PodInfo(withClaims('wait', 'bound'));
  const state = new CycleState();
  p.preFilter(state, pod, undefined as never);
  assert.equal(await p.preBind(state, pod, 'n2', new AbortController().signal), null);
  assert.equal(fake.object(PVCS, 'default', 'wait')?.metadata.annotations?.[SELECTED_NODE_ANNOTATION], 'n2');
  assert.equal(fake.writes().length, 1, 'bound claims are left alone');
});
