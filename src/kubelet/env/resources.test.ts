import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFieldValue } from './resources.js';

const pod = {
  metadata: { name: 'p', namespace: 'ns' },
  spec: {
    containers: [
      { name: 'full', resources: { requests: { cpu: '250m', memory: '64Mi', 'ephemeral-storage': '1Gi', 'hugepages-2Mi': '4Mi' }, limits: { cpu: '1500m', memory: '128Mi', 'hugepages-2Mi': '4Mi' } } },
      { name: 'bare' },
      { name: 'zero', resources: { limits: { cpu: '0' } } },
    ],
    initContainers: [{ name: 'init', resources: { limits: { memory: '1Gi' } } }],
  },
};
const info = { nodeName: 'n', nodeAllocatable: { cpu: '4', memory: '8Gi', 'ephemeral-storage': '100Gi', pods: '110' } };

describe('resourceFieldValue', () => {
  const cases: [string, string, string | undefined, string][] = [
    ['full', 'limits.cpu', undefined, '2'], // 1.5 rounded up
    ['full', 'limits.cpu', '1m', '1500'],
    ['full', 'requests.cpu', undefined, '1'],
    ['full', 'requests.cpu', '1m', '250'],
    ['full', 'requests.cpu', '100m', '3'],
    ['full', 'limits.memory', undefined, String(128 * 1024 * 1024)],
    ['full', 'limits.memory', '1Mi', '128'],
    ['full', 'limits.memory', '1M', '135'], // 134.2 rounded up
    ['full', 'requests.memory', '1Mi', '64'],
    ['full', 'requests.ephemeral-storage', '1Gi', '1'],
    ['full', 'limits.ephemeral-storage', '1Gi', '100'], // node allocatable
    ['full', 'requests.hugepages-2Mi', '1Mi', '4'],
    ['full', 'limits.hugepages-2Mi', '1Mi', '4'],
    ['bare', 'limits.cpu', undefined, '4'],
    ['bare', 'limits.cpu', '1m', '4000'],
    ['bare', 'limits.memory', '1Gi', '8'],
    ['bare', 'requests.cpu', undefined, '0'],
    ['bare', 'requests.memory', undefined, '0'],
    ['zero', 'limits.cpu', undefined, '4'], // a zero limit counts as unset
    ['init', 'limits.memory', '1Mi', '1024'],
  ];
  for (const [c, res, div, want] of cases) {
    it(`${c} ${res} / ${div ?? '1'} = ${want}`, () => assert.equal(resourceFieldValue(pod, c, { resource: res, ...(div ? { divisor: div } : {}) }, info), want));
  }
  it('containerName in the ref wins over the container building its env', () => {
    assert.equal(resourceFieldValue(pod, 'bare', { containerName: 'full', resource: 'limits.cpu', divisor: '1m' }, info), '1500');
  });
  it('errors as the kubelet does', () => {
    assert.throws(() => resourceFieldValue(pod, 'full', { resource: 'limits.gpu' }, info), { message: 'unsupported container resource : limits.gpu' });
    assert.throws(() => resourceFieldValue(pod, 'ghost', { resource: 'limits.cpu' }, info), { message: 'container ghost not found' });
  });
});
