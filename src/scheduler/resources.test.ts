import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Obj } from '../api/types.js';
import { isScalarResourceName, milliValue, intValue, podRequests } from './resources.js';

const c = (requests?: Obj, extra: Obj = {}): Obj => ({ name: 'c', ...(requests ? { resources: { requests } } : {}), ...extra });

test('podRequests follows PodRequests', () => {
  const cases: { name: string; spec: Obj; nonMissing?: boolean; cpu: number; memory: number }[] = [
    { name: 'sum of containers', spec: { containers: [c({ cpu: '100m', memory: '1Mi' }), c({ cpu: '200m' })] }, cpu: 300, memory: 1048576 },
    { name: 'init container larger than the sum', spec: { initContainers: [c({ cpu: '1' })], containers: [c({ cpu: '300m' })] }, cpu: 1000, memory: 0 },
    { name: 'init containers are not summed', spec: { initContainers: [c({ cpu: '400m' }), c({ cpu: '500m' })], containers: [c({ cpu: '300m' })] }, cpu: 500, memory: 0 },
    {
      name: 'sidecars run with later init containers and the app', cpu: 1300, memory: 0,
      // sidecar 300m + init 1000m = 1300m during init; 300m + 200m afterwards
      spec: { initContainers: [c({ cpu: '300m' }, { restartPolicy: 'Always' }), c({ cpu: '1' })], containers: [c({ cpu: '200m' })] },
    },
    { name: 'overhead is added', spec: { containers: [c({ cpu: '100m' })], overhead: { cpu: '250m', memory: '10Mi' } }, cpu: 350, memory: 10485760 },
    { name: 'limits stand in for missing requests', spec: { containers: [{ name: 'c', resources: { limits: { cpu: '2' }, requests: { memory: '1Ki' } } }] }, cpu: 2000, memory: 1024 },
    { name: 'non-zero defaults', spec: { containers: [c(), c({ cpu: '0' })] }, nonMissing: true, cpu: 100, memory: 2 * 209715200 },
  ];
  for (const t of cases) {
    const r = podRequests({ spec: t.spec }, t.nonMissing);
    assert.equal(r.milliCPU, t.cpu, `${t.name}: cpu`);
    assert.equal(r.memory, t.memory, `${t.name}: memory`);
  }
});

test('quantities and resource names', () => {
  assert.equal(milliValue('1.5'), 1500);
  assert.equal(milliValue('250m'), 250);
  assert.equal(intValue('1Gi'), 1073741824);
  assert.equal(intValue('1.5k'), 1500);
  assert.equal(intValue(2), 2);
  assert.equal(intValue('garbage'), 0);
  for (const [n, want] of [['example.com/gpu', true], ['hugepages-2Mi', true], ['kubernetes.io/foo', false], ['cpu', false], ['requests.example.com/x', false]] as const) {
    assert.equal(isScalarResourceName(n), want, n);
  }
});
