import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../api/resources.js';
import { servedJSON } from './rawjson.js';
import { toExternal } from '../handlers/output.js';

const cms = findResource('', 'v1', 'configmaps')!;

test('a stored object comes out as decode + toExternal would serve it, revision included', () => {
  for (const stored of [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n', labels: { x: '"metadata":{' } }, data: { k: 'v' } },
    { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'b' } },
  ]) {
    const text = servedJSON(cms, JSON.stringify(stored), 42);
    assert.ok(text);
    const want = toExternal(cms, { ...stored, metadata: { ...stored.metadata, resourceVersion: '42' } });
    assert.deepEqual(JSON.parse(text), want);
  }
});

test('anything else is left to a real decode', () => {
  // kind or version of another type, metadata not third, empty metadata, a converted version
  assert.equal(servedJSON(cms, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' } }), 1), undefined);
  assert.equal(servedJSON(cms, JSON.stringify({ apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'a' } }), 1), undefined);
  assert.equal(servedJSON(cms, JSON.stringify({ apiVersion: 'v1', data: {}, kind: 'ConfigMap', metadata: { name: 'a' } }), 1), undefined);
  assert.equal(servedJSON(cms, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }), 1), undefined);
  const hpaV1 = findResource('autoscaling', 'v1', 'horizontalpodautoscalers')!;
  assert.equal(servedJSON(hpaV1, JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'a' } }), 1), undefined);
  const evV1 = findResource('events.k8s.io', 'v1', 'events')!;
  assert.equal(servedJSON(evV1, JSON.stringify({ apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'a' } }), 1), undefined);
});
