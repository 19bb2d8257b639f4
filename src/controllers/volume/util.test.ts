import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { accessModesString, claimClass, isVolumeBoundToClaim, volumeFitsNode } from './util.js';

const node: Obj = { metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'host-1', zone: 'a', cores: '8' } } };
const withTerms = (...terms: Obj[]): Obj => ({ spec: { nodeAffinity: { required: { nodeSelectorTerms: terms } } } });

describe('volumeFitsNode', () => {
  const cases: [string, Obj, boolean][] = [
    ['no affinity', { spec: {} }, true],
    ['hostname In', withTerms({ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['host-1'] }] }), true],
    ['hostname In another', withTerms({ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['host-2'] }] }), false],
    ['terms are ORed', withTerms({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['b'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }), true],
    ['expressions are ANDed', withTerms({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'ssd', operator: 'Exists' }] }), false],
    ['NotIn / DoesNotExist', withTerms({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }, { key: 'ssd', operator: 'DoesNotExist' }] }), true],
    ['Gt / Lt', withTerms({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }, { key: 'cores', operator: 'Lt', values: ['16'] }] }), true],
    ['matchFields metadata.name', withTerms({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }), true],
    ['matchFields on another field never matches', withTerms({ matchFields: [{ key: 'spec.x', operator: 'In', values: ['n1'] }] }), false],
    ['an empty term matches nothing', withTerms({}), false],
  ];
  for (const [name, volume, want] of cases) it(name, () => assert.equal(volumeFitsNode(volume, node), want));
  it('a volume with affinity does not fit an unknown node', () => {
    assert.equal(volumeFitsNode(withTerms({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }), undefined), false);
  });
});

describe('helpers', () => {
  it('accessModesString orders and dedupes like GetAccessModesAsString', () => {
    assert.equal(accessModesString(['ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOnce']), 'RWO,RWX');
    assert.equal(accessModesString(['ReadWriteOncePod']), 'RWOP');
    assert.equal(accessModesString(undefined), '');
  });
  it('claimClass prefers the beta annotation', () => {
    assert.equal(claimClass({ metadata: { annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } }, spec: { storageClassName: 'new' } }), 'old');
    assert.equal(claimClass({ metadata: {}, spec: { storageClassName: 'new' } }), 'new');
    assert.equal(claimClass({ metadata: {}, spec: {} }), '');
  });
  it('isVolumeBoundToClaim checks name, namespace and (when set) uid', () => {
    const claim = { metadata: { name: 'c', namespace: 'ns', uid: 'u1' } };
    assert.equal(isVolumeBoundToClaim({ spec: { claimRef: { name: 'c', namespace: 'ns' } } }, claim), true);
    assert.equal(isVolumeBoundToClaim({ spec: { claimRef: { name: 'c', namespace: 'ns', uid: 'u1' } } }, claim), true);
    assert.equal(isVolumeBoundToClaim({ spec: { claimRef: { name: 'c', namespace: 'ns', uid: 'u2' } } }, claim), false);
    assert.equal(isVolumeBoundToClaim({ spec: { claimRef: { name: 'c', namespace: 'other' } } }, claim), false);
    assert.equal(isVolumeBoundToClaim({ spec: {} }, claim), false);
  });
});
