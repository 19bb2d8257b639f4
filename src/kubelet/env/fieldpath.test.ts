import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractFieldPathAsString, fieldPathValue, formatMap, goQuote } from './fieldpath.js';

const pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { app: 'web', tier: 'a"b' }, annotations: { 'example.com/Note': 'x\ny' } },
  spec: { nodeName: 'n1', serviceAccountName: 'sa', restartPolicy: 'Always' },
};
const info = { nodeName: 'n1', nodeAllocatable: {}, podIPs: ['10.42.0.5', 'fd00::5'], hostIPs: ['192.168.1.2', 'fd01::2'] };

describe('fieldPathValue', () => {
  const cases: [string, string][] = [
    ['metadata.name', 'p'],
    ['metadata.namespace', 'ns'],
    ['metadata.uid', 'u-1'],
    ["metadata.labels['app']", 'web'],
    ["metadata.labels['missing']", ''],
    ["metadata.annotations['example.com/Note']", 'x\ny'],
    ['metadata.labels', 'app="web"\ntier="a\\"b"'],
    ['metadata.annotations', 'example.com/Note="x\\ny"'],
    ['spec.nodeName', 'n1'],
    ['spec.host', 'n1'],
    ['spec.serviceAccountName', 'sa'],
    ['status.hostIP', '192.168.1.2'],
    ['status.hostIPs', '192.168.1.2,fd01::2'],
    ['status.podIP', '10.42.0.5'],
    ['status.podIPs', '10.42.0.5,fd00::5'],
  ];
  for (const [path, want] of cases) it(path, () => assert.equal(fieldPathValue(pod, path, info), want));

  it('uses podIP/hostIP when the lists are absent, empty before the sandbox has an IP', () => {
    assert.equal(fieldPathValue(pod, 'status.podIP', { nodeName: 'n1', nodeAllocatable: {}, podIP: '10.0.0.1', hostIP: '1.2.3.4' }), '10.0.0.1');
    assert.equal(fieldPathValue(pod, 'status.hostIPs', { nodeName: 'n1', nodeAllocatable: {}, hostIP: '1.2.3.4' }), '1.2.3.4');
    assert.equal(fieldPathValue(pod, 'status.podIPs', { nodeName: 'n1', nodeAllocatable: {} }), '');
  });

  it('refuses what the kubelet refuses, with its messages', () => {
    assert.throws(() => fieldPathValue(pod, 'spec.restartPolicy', info), { message: 'unsupported fieldPath: spec.restartPolicy' });
    assert.throws(() => fieldPathValue(pod, 'spec.containers', info), { message: 'field label not supported: spec.containers' });
    assert.throws(() => fieldPathValue(pod, "spec.nodeName['x']", info), { message: "field label does not support subscript: spec.nodeName['x']" });
    assert.throws(() => fieldPathValue(pod, 'metadata.name', info, 'v2'), { message: 'unsupported pod version: v2' });
    assert.throws(() => fieldPathValue(pod, "metadata.labels['bad key']", info), /^Error: invalid key subscript in metadata.labels\['bad key'\]: name part must consist of/);
  });
});

describe('extractFieldPathAsString', () => {
  it('only knows metadata', () => {
    assert.equal(extractFieldPathAsString(pod, 'metadata.name'), 'p');
    assert.throws(() => extractFieldPathAsString(pod, 'spec.nodeName'), { message: 'unsupported fieldPath: spec.nodeName' });
    assert.throws(() => extractFieldPathAsString(pod, "metadata.name['x']"), { message: 'fieldPath "metadata.name[\'x\']" does not support subscript' });
  });
  it('annotation subscripts are validated lower-cased', () => {
    assert.equal(extractFieldPathAsString(pod, "metadata.annotations['example.com/Note']"), 'x\ny');
  });
});

describe('goQuote / formatMap', () => {
  it('quotes like strconv.Quote', () => {
    assert.equal(goQuote('plain'), '"plain"');
    assert.equal(goQuote('tab\there "q" \\ bell\x07 nul\x00 del\x7f'), '"tab\\there \\"q\\" \\\\ bell\\a nul\\x00 del\\x7f"');
    assert.equal(goQuote('héllo 世界 🙂'), '"héllo 世界 🙂"');
    assert.equal(goQuote('nbsp\u00a0zw\u200b'), '"nbsp\\u00a0zw\\u200b"');
  });
  it('sorts keys, one per line, no trailing newline', () => {
    assert.equal(formatMap({ b: '2', a: '1' }), 'a="1"\nb="2"');
    assert.equal(formatMap(undefined), '');
  });
});
