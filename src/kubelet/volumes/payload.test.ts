import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Payload } from './atomicwriter.js';
import { configMapPayload, downwardAPIPayload, secretPayload } from './payload.js';

const show = (p: Payload): Record<string, [string, string]> =>
  Object.fromEntries([...p].map(([k, v]) => [k, [v.data.toString('utf8'), v.mode.toString(8)]]));

const cm = { data: { MODE: 'fast', 'app.yaml': 'a: 1' }, binaryData: { 'logo.bin': Buffer.from([0, 1, 2]).toString('base64') } };
const sec = { data: { TOKEN: Buffer.from('abc').toString('base64'), 'tls.key': Buffer.from('k').toString('base64') } };

describe('configMapPayload', () => {
  it('all keys (data and binaryData) with the default mode', () => {
    const p = configMapPayload(undefined, cm, 0o644, false);
    assert.deepEqual(show(p).MODE, ['fast', '644']);
    assert.deepEqual([...p.get('logo.bin')!.data], [0, 1, 2]);
    assert.equal(p.size, 3);
  });
  it('items: chosen keys at their paths with their modes', () => {
    const p = configMapPayload([{ key: 'MODE', path: 'conf/mode', mode: 0o400 }, { key: 'app.yaml', path: 'app.yaml' }], cm, 0o640, false);
    assert.deepEqual(show(p), { 'conf/mode': ['fast', '400'], 'app.yaml': ['a: 1', '640'] });
  });
  it('a missing item key: an error, or skipped when optional', () => {
    assert.throws(() => configMapPayload([{ key: 'NOPE', path: 'x' }], cm, 0o644, false), { message: 'configmap references non-existent config key: NOPE' });
    assert.equal(configMapPayload([{ key: 'NOPE', path: 'x' }], cm, 0o644, true).size, 0);
  });
  it('a missing optional configMap is an empty volume', () => {
    assert.equal(configMapPayload(undefined, undefined, 0o644, true).size, 0);
  });
});

describe('secretPayload', () => {
  it('decodes data', () => {
    assert.deepEqual(show(secretPayload(undefined, sec, 0o400, false)), { TOKEN: ['abc', '400'], 'tls.key': ['k', '400'] });
  });
  it('a missing item key', () => {
    assert.throws(() => secretPayload([{ key: 'NOPE', path: 'x' }], sec, 0o644, false), { message: 'references non-existent secret key: NOPE' });
  });
});

describe('downwardAPIPayload', () => {
  const pod = {
    metadata: { name: 'p', namespace: 'ns', uid: 'u', labels: { b: '2', a: '1' }, annotations: { note: 'hi' } },
    spec: { containers: [{ name: 'main', resources: { limits: { memory: '64Mi' }, requests: { cpu: '100m' } } }] },
  };
  const info = { nodeName: 'n', nodeAllocatable: { cpu: '2', memory: '1Gi' } };
  it('fields and resources', () => {
    const p = downwardAPIPayload([
      { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
      { path: 'name', fieldRef: { fieldPath: 'metadata.name' }, mode: 0o600 },
      { path: 'sub/../note', fieldRef: { fieldPath: "metadata.annotations['note']" } },
      { path: 'mem', resourceFieldRef: { containerName: 'main', resource: 'limits.memory', divisor: '1Mi' } },
      { path: 'cpu_limit', resourceFieldRef: { containerName: 'main', resource: 'limits.cpu', divisor: '1m' } },
    ], pod, info, 0o644);
    assert.deepEqual(show(p), {
      labels: ['a="1"\nb="2"', '644'],
      name: ['p', '600'],
      note: ['hi', '644'],
      mem: ['64', '644'],
      cpu_limit: ['2000', '644'],
    });
  });
  it('every failing item is reported, aggregated', () => {
    assert.throws(() => downwardAPIPayload([
      { path: 'a', fieldRef: { fieldPath: 'spec.nodeName' } },
      { path: 'b', resourceFieldRef: { containerName: 'ghost', resource: 'limits.cpu' } },
    ], pod, info, 0o644), { message: '[unsupported fieldPath: spec.nodeName, container ghost not found]' });
    assert.throws(() => downwardAPIPayload([{ path: 'a', fieldRef: { fieldPath: 'spec.nodeName' } }], pod, info, 0o644), { message: 'unsupported fieldPath: spec.nodeName' });
  });
});
