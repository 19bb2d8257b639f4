import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fsUserOf, memoryVolumeSize, nestedMountpoints, podMemoryLimit, usedVolumeNames } from './podspec.js';

const Mi = 1024n * 1024n;

describe('usedVolumeNames', () => {
  it('mounts and devices of init, regular and ephemeral containers', () => {
    const pod = { spec: {
      initContainers: [{ volumeMounts: [{ name: 'a' }] }],
      containers: [{ volumeMounts: [{ name: 'b' }], volumeDevices: [{ name: 'c' }] }],
      ephemeralContainers: [{ volumeMounts: [{ name: 'd' }] }],
      volumes: [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd' }, { name: 'unused' }],
    } };
    assert.deepEqual([...usedVolumeNames(pod)].sort(), ['a', 'b', 'c', 'd']);
  });
});

describe('nestedMountpoints', () => {
  it('only the outermost mounts beneath the volume, per container', () => {
    const pod = { spec: { containers: [
      { volumeMounts: [{ name: 'cfg', mountPath: '/etc/app/' }, { name: 'data', mountPath: '/etc/app/data' }, { name: 'deep', mountPath: '/etc/app/data/deeper' }, { name: 'x', mountPath: '/etc/application' }] },
      { volumeMounts: [{ name: 'cfg', mountPath: '/conf' }, { name: 'logs', mountPath: '/conf/logs' }] },
    ] } };
    assert.deepEqual(nestedMountpoints('cfg', pod), ['data', 'logs']);
    assert.deepEqual(nestedMountpoints('data', pod), ['deeper']);
    assert.deepEqual(nestedMountpoints('x', pod), []);
  });
});

describe('fsUserOf', () => {
  it('the uid all containers share', () => {
    assert.equal(fsUserOf({ spec: { securityContext: { runAsUser: 1000 }, containers: [{}, { securityContext: { runAsUser: 1000 } }] } }), 1000);
    assert.equal(fsUserOf({ spec: { containers: [{ securityContext: { runAsUser: 7 } }], initContainers: [{ securityContext: { runAsUser: 7 } }] } }), 7);
  });
  it('none when one container does not say or they differ', () => {
    assert.equal(fsUserOf({ spec: { containers: [{ securityContext: { runAsUser: 1 } }, {}] } }), undefined);
    assert.equal(fsUserOf({ spec: { containers: [{ securityContext: { runAsUser: 1 } }, { securityContext: { runAsUser: 2 } }] } }), undefined);
  });
});

describe('podMemoryLimit / memoryVolumeSize', () => {
  const limited = (...mi: number[]): object[] => mi.map((m) => ({ resources: { limits: { memory: `${m}Mi` } } }));
  it('sums containers and sidecars; the biggest init container may exceed them', () => {
    assert.equal(podMemoryLimit({ spec: { containers: limited(64, 32) } }), 96n * Mi);
    assert.equal(podMemoryLimit({ spec: { containers: limited(64), initContainers: limited(512) } }), 512n * Mi);
    assert.equal(podMemoryLimit({ spec: { containers: limited(64), initContainers: [{ restartPolicy: 'Always', resources: { limits: { memory: '16Mi' } } }], overhead: { memory: '1Mi' } } }), 81n * Mi);
    assert.equal(podMemoryLimit({ spec: { containers: [...limited(64), {}] } }), undefined);
  });
  const info = { nodeName: 'n', nodeAllocatable: { memory: '1Gi' } };
  it('node allocatable, lowered to the pod limit, lowered to the sizeLimit', () => {
    assert.equal(memoryVolumeSize({ spec: { containers: [{}] } }, info), 1024n * Mi);
    assert.equal(memoryVolumeSize({ spec: { containers: limited(128) } }, info), 128n * Mi);
    assert.equal(memoryVolumeSize({ spec: { containers: limited(128) } }, info, '16Mi'), 16n * Mi);
    assert.equal(memoryVolumeSize({ spec: { containers: limited(128) } }, info, '4Gi'), 128n * Mi, 'a sizeLimit above what the pod may use is ignored');
    assert.equal(memoryVolumeSize({ spec: { containers: [{}] } }, { nodeName: 'n', nodeAllocatable: {} }, '16Mi'), undefined, 'unknown allocatable: kernel default');
  });
});
