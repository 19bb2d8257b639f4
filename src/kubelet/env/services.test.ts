import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { fromServices, serviceEnv } from './services.js';

const svc = (ns: string, name: string, ip: string, ports: Obj[]): Obj => ({ metadata: { namespace: ns, name }, spec: { clusterIP: ip, ports } });
const kubernetes = svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]);

describe('fromServices', () => {
  it('writes the docker-links variables', () => {
    const env = fromServices([svc('ns', 'my-svc', '10.43.0.10', [{ port: 80 }, { name: 'metrics-port', port: 9090, protocol: 'UDP' }])]);
    assert.deepEqual(Object.fromEntries(env.map((e) => [e.name, e.value])), {
      MY_SVC_SERVICE_HOST: '10.43.0.10',
      MY_SVC_SERVICE_PORT: '80',
      MY_SVC_SERVICE_PORT_METRICS_PORT: '9090',
      MY_SVC_PORT: 'tcp://10.43.0.10:80',
      MY_SVC_PORT_80_TCP: 'tcp://10.43.0.10:80',
      MY_SVC_PORT_80_TCP_PROTO: 'tcp',
      MY_SVC_PORT_80_TCP_PORT: '80',
      MY_SVC_PORT_80_TCP_ADDR: '10.43.0.10',
      MY_SVC_PORT_9090_UDP: 'udp://10.43.0.10:9090',
      MY_SVC_PORT_9090_UDP_PROTO: 'udp',
      MY_SVC_PORT_9090_UDP_PORT: '9090',
      MY_SVC_PORT_9090_UDP_ADDR: '10.43.0.10',
    });
  });
  it('brackets IPv6 addresses and skips headless and ExternalName services', () => {
    const env = fromServices([svc('ns', 'v6', 'fd00::10', [{ port: 53, protocol: 'UDP' }]), svc('ns', 'headless', 'None', [{ port: 80 }]), { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'x.example' } }]);
    assert.equal(env.find((e) => e.name === 'V6_PORT')?.value, 'udp://[fd00::10]:53');
    assert.ok(env.every((e) => e.name.startsWith('V6_')));
  });
});

describe('serviceEnv', () => {
  const services: Record<string, Obj[]> = {
    default: [kubernetes, svc('default', 'other', '10.43.0.2', [{ port: 1 }])],
    ns: [svc('ns', 'web', '10.43.0.3', [{ port: 8080 }])],
  };
  const src = { getConfigMap: async () => undefined, getSecret: async () => undefined, listServices: async (ns: string) => services[ns] ?? [] };

  it('the namespace\'s services plus the master kubernetes service', async () => {
    const m = await serviceEnv(src, 'ns', true);
    assert.equal(m.get('KUBERNETES_SERVICE_HOST'), '10.43.0.1');
    assert.equal(m.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
    assert.equal(m.get('WEB_SERVICE_PORT'), '8080');
    assert.equal(m.has('OTHER_SERVICE_HOST'), false, 'other namespaces are not linked');
  });
  it('enableServiceLinks false: only the kubernetes service', async () => {
    const m = await serviceEnv(src, 'ns', false);
    assert.deepEqual([...m.keys()].filter((k) => !k.startsWith('KUBERNETES_')), []);
    assert.equal(m.get('KUBERNETES_PORT'), 'tcp://10.43.0.1:443');
  });
  it('a pod in the default namespace sees its neighbours too', async () => {
    const m = await serviceEnv(src, 'default', true);
    assert.equal(m.get('OTHER_SERVICE_HOST'), '10.43.0.2');
  });
  it('a failing list is the kubelet\'s error', async () => {
    await assert.rejects(serviceEnv({ ...src, listServices: async () => { throw new Error('boom'); } }, 'ns', true), { message: 'failed to list services when setting up env vars' });
  });
});
