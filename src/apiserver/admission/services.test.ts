import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { ServiceAllocator } from './services.js';
import { firstIP } from './ipalloc.js';

const svc = (name: string, spec: Record<string, unknown>): Obj => ({ metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });

test('ClusterIPs are allocated in range, unique, and released', () => {
  const a = new ServiceAllocator('10.43.0.0/16', [30000, 32767]);
  const s1 = svc('a', {});
  a.allocate(s1, undefined);
  assert.match(s1.spec.clusterIP as string, /^10\.43\.\d+\.\d+$/);
  const s2 = svc('b', { clusterIP: s1.spec.clusterIP });
  assert.throws(() => a.allocate(s2, undefined), (e: ApiError) => e.code === 422 && e.message.includes('provided IP is already allocated'));
  a.releaseAll(s1);
  a.allocate(s2, undefined);
  assert.equal(s2.spec.clusterIP, s1.spec.clusterIP);
  assert.throws(() => a.allocate(svc('c', { clusterIP: '192.168.1.1' }), undefined), /not in the valid range/);
  assert.equal(firstIP('10.43.0.0/16'), '10.43.0.1');
});

test('NodePorts: range, conflicts, kept across updates, released on abort', () => {
  const a = new ServiceAllocator('10.43.0.0/16', [30000, 32767]);
  const s1 = svc('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
  a.allocate(s1, undefined);
  assert.throws(() => a.allocate(svc('web2', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), undefined),
    (e: ApiError) => e.message === 'Service "web2" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  assert.throws(() => a.allocate(svc('web3', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }), undefined),
    /provided port is not in the valid range. The range of valid ports is 30000-32767/);
  // an update that omits the nodePort keeps it
  const upd = svc('web', { type: 'NodePort', ports: [{ port: 80 }], clusterIP: undefined });
  a.allocate(upd, s1);
  assert.equal(upd.spec.ports[0].nodePort, 30080);
  assert.equal(upd.spec.clusterIP, s1.spec.clusterIP);
  // LoadBalancer gets a node port too; a dry run gives it back
  const lb = svc('lb', { type: 'LoadBalancer' });
  const r = a.allocate(lb, undefined);
  const p = lb.spec.ports[0].nodePort;
  assert.ok(p >= 30000 && p <= 32767);
  a.release(r);
  assert.equal(a.ports.has(p), false);
});
