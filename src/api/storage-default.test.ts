import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from './types.js';
import {
  BETA_IS_DEFAULT_CLASS_ANNOTATION, BETA_STORAGE_CLASS_ANNOTATION, IS_DEFAULT_CLASS_ANNOTATION,
  defaultStorageClassFor, getDefaultStorageClass, isDefaultStorageClass,
} from './storage-default.js';

const sc = (name: string, o: { def?: string; beta?: string; at?: string; deleting?: boolean } = {}): Obj => ({
  apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
  metadata: {
    name, creationTimestamp: o.at ?? '2024-01-01T00:00:00Z',
    annotations: {
      ...(o.def !== undefined ? { [IS_DEFAULT_CLASS_ANNOTATION]: o.def } : {}),
      ...(o.beta !== undefined ? { [BETA_IS_DEFAULT_CLASS_ANNOTATION]: o.beta } : {}),
    },
    ...(o.deleting ? { deletionTimestamp: '2024-02-01T00:00:00Z' } : {}),
  },
  provisioner: 'skiff.dev/local-path',
});

const pvc = (spec: Obj = {}, annotations?: Record<string, string>): Obj => ({
  metadata: { name: 'data', namespace: 'ns', ...(annotations ? { annotations } : {}) },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

describe('defaultStorageClassFor (DefaultStorageClass admission)', () => {
  const cases: { name: string; pvc: Obj; classes: Obj[]; want: string | undefined }[] = [
    { name: 'no class named: the default one', pvc: pvc(), classes: [sc('slow'), sc('local-path', { def: 'true' })], want: 'local-path' },
    { name: 'beta default annotation counts', pvc: pvc(), classes: [sc('old', { beta: 'true' })], want: 'old' },
    { name: 'annotation value must be exactly "true"', pvc: pvc(), classes: [sc('a', { def: 'True' }), sc('b', { def: 'yes' })], want: undefined },
    { name: 'no default class: left alone', pvc: pvc(), classes: [sc('slow')], want: undefined },
    { name: 'no classes at all', pvc: pvc(), classes: [], want: undefined },
    { name: 'explicit class kept', pvc: pvc({ storageClassName: 'slow' }), classes: [sc('local-path', { def: 'true' })], want: undefined },
    { name: 'explicit empty class means "no class"', pvc: pvc({ storageClassName: '' }), classes: [sc('local-path', { def: 'true' })], want: undefined },
    { name: 'null class is unset', pvc: pvc({ storageClassName: null }), classes: [sc('local-path', { def: 'true' })], want: 'local-path' },
    { name: 'beta storage-class annotation kept', pvc: pvc({}, { [BETA_STORAGE_CLASS_ANNOTATION]: 'x' }), classes: [sc('local-path', { def: 'true' })], want: undefined },
    {
      name: 'several defaults: the newest wins',
      pvc: pvc(),
      classes: [sc('a', { def: 'true', at: '2024-01-01T00:00:00Z' }), sc('b', { def: 'true', at: '2024-03-01T00:00:00Z' }), sc('c', { def: 'true', at: '2024-02-01T00:00:00Z' })],
      want: 'b',
    },
    {
      name: 'several defaults created together: first name',
      pvc: pvc(),
      classes: [sc('zeta', { def: 'true' }), sc('alpha', { def: 'true' })],
      want: 'alpha',
    },
    { name: 'a class being deleted is not the default', pvc: pvc(), classes: [sc('gone', { def: 'true', deleting: true })], want: undefined },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const before = JSON.stringify(c.pvc);
      assert.equal(defaultStorageClassFor(c.pvc, c.classes), c.want);
      assert.equal(JSON.stringify(c.pvc), before, 'the claim is not mutated');
    });
  }

  it('accepts any iterable (an informer cache list, a Map of values)', () => {
    const m = new Map([['x', sc('x', { def: 'true' })]]);
    assert.equal(defaultStorageClassFor(pvc(), m.values()), 'x');
  });
});

describe('isDefaultStorageClass / getDefaultStorageClass', () => {
  it('recognises both annotation keys', () => {
    assert.equal(isDefaultStorageClass(sc('a', { def: 'true' })), true);
    assert.equal(isDefaultStorageClass(sc('a', { beta: 'true' })), true);
    assert.equal(isDefaultStorageClass(sc('a', { def: 'false', beta: 'true' })), true);
    assert.equal(isDefaultStorageClass(sc('a')), false);
    assert.equal(isDefaultStorageClass(undefined), false);
  });
  it('returns the object', () => {
    assert.equal(getDefaultStorageClass([sc('a'), sc('b', { def: 'true' })])?.metadata.name, 'b');
    assert.equal(getDefaultStorageClass([]), undefined);
  });
});
