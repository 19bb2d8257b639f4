import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { FakeClient } from '../../client/fake.js';
import { envSourcesFromClient } from './client.js';
import { makeEnvironment } from './environment.js';
import { ContainerConfigError, type EnvVar } from './types.js';

const CM = findResource('', 'v1', 'configmaps')!;
const SEC = findResource('', 'v1', 'secrets')!;
const SVC = findResource('', 'v1', 'services')!;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function cluster(): FakeClient {
  return new FakeClient()
    .seed(CM, { metadata: { namespace: 'ns', name: 'cfg' }, data: { MODE: 'fast', LEVEL: '3', '1badkey': 'x', 'app.conf': 'y' } })
    .seed(SEC, { metadata: { namespace: 'ns', name: 'sec' }, data: { TOKEN: b64('abc'), PASS: b64('p@ss') } })
    .seed(SVC, { metadata: { namespace: 'default', name: 'kubernetes' }, spec: { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] } })
    .seed(SVC, { metadata: { namespace: 'ns', name: 'db' }, spec: { clusterIP: '10.43.0.7', ports: [{ port: 5432, protocol: 'TCP' }] } });
}

const info = { nodeName: 'n1', nodeAllocatable: { cpu: '2', memory: '4Gi' }, podIP: '10.42.0.9', podIPs: ['10.42.0.9'], hostIP: '192.168.0.2' };
const pod = (container: Obj, spec: Obj = {}): Obj => ({
  metadata: { name: 'app', namespace: 'ns', uid: 'uid-1', labels: { app: 'demo' } },
  spec: { nodeName: 'n1', serviceAccountName: 'default', containers: [{ name: 'main', ...container }], ...spec },
});
const asMap = (env: EnvVar[]): Record<string, string> => Object.fromEntries(env.map((e) => [e.name, e.value]));

async function envOf(container: Obj, spec?: Obj, c = cluster()): Promise<Record<string, string>> {
  const p = pod(container, spec);
  return asMap(await makeEnvironment(p, p.spec.containers[0], envSourcesFromClient(c), info));
}

async function configError(container: Obj): Promise<string> {
  const p = pod(container);
  try {
    await makeEnvironment(p, p.spec.containers[0], envSourcesFromClient(cluster()), info);
  } catch (err) {
    assert.ok(err instanceof ContainerConfigError);
    assert.equal(err.reason, 'CreateContainerConfigError');
    return err.message;
  }
  assert.fail('expected a ContainerConfigError');
}

describe('makeEnvironment', () => {
  it('the scenario pod: envFrom configMap, secretKeyRef, fieldRefs', async () => {
    const env = await envOf({
      envFrom: [{ configMapRef: { name: 'cfg' } }],
      env: [
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'sec', key: 'TOKEN' } } },
        { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
    });
    assert.equal(env.MODE, 'fast');
    assert.equal(env.TOKEN, 'abc');
    assert.equal(env.POD_NAME, 'app');
    assert.equal(env.POD_IP, '10.42.0.9');
    assert.equal(env.HOST_IP, '192.168.0.2');
    assert.equal(env.NODE, 'n1');
    assert.equal(env.APP, 'demo');
    assert.equal(env.MEM, '4096');
  });

  it('envFrom prefixes, secrets decoded, env overrides envFrom, later sources override earlier', async () => {
    const env = await envOf({
      envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'sec' } }, { configMapRef: { name: 'cfg' } }],
      env: [{ name: 'MODE', value: 'slow' }],
    });
    assert.equal(env.CFG_MODE, 'fast');
    assert.equal(env.CFG_LEVEL, '3');
    assert.equal(env.PASS, 'p@ss');
    assert.equal(env.MODE, 'slow');
  });

  it('keys that are valid relaxed names reach the container (as 1.30+ kubelets do)', async () => {
    const env = await envOf({ envFrom: [{ configMapRef: { name: 'cfg' } }] });
    assert.equal(env['1badkey'], 'x');
    assert.equal(env['app.conf'], 'y');
  });

  it('keys that cannot be variables are skipped with an InvalidEnvironmentVariableNames warning', async () => {
    const c = cluster().seed(CM, { metadata: { namespace: 'ns', name: 'odd' }, data: { 'a=b': '1', 'tab\tkey': '2', OK: '3' } });
    const p = pod({ envFrom: [{ configMapRef: { name: 'odd' } }] });
    const events: string[] = [];
    const env = asMap(await makeEnvironment(p, p.spec.containers[0], envSourcesFromClient(c), info, (t, r, m) => events.push(`${t} ${r} ${m}`)));
    assert.equal(env.OK, '3');
    assert.equal('a=b' in env, false);
    assert.deepEqual(events, ['Warning InvalidEnvironmentVariableNames Keys [a=b, tab\tkey] from the EnvFrom configMap ns/odd were skipped since they are considered invalid environment variable names.']);
  });

  it('$(VAR) refers to earlier variables, envFrom variables and service variables; $$ escapes', async () => {
    const env = await envOf({
      envFrom: [{ configMapRef: { name: 'cfg' } }],
      env: [
        { name: 'A', value: 'a' },
        { name: 'B', value: '$(A)-$(MODE)-$(C)' }, // C is declared later: left as written
        { name: 'C', value: 'c' },
        { name: 'D', value: '$$(A) $(DB_SERVICE_HOST):$(DB_SERVICE_PORT)' },
        { name: 'E', value: '' },
        { name: 'F', value: 'x$(E)y' },
      ],
    });
    assert.equal(env.B, 'a-fast-$(C)');
    assert.equal(env.D, '$(A) 10.43.0.7:5432');
    assert.equal(env.E, '');
    assert.equal(env.F, 'xy');
  });

  it('service link variables: the namespace\'s services and kubernetes; an explicit variable wins', async () => {
    const env = await envOf({ env: [{ name: 'DB_PORT', value: 'mine' }] });
    assert.equal(env.DB_SERVICE_HOST, '10.43.0.7');
    assert.equal(env.DB_PORT, 'mine');
    assert.equal(env.DB_PORT_5432_TCP_ADDR, '10.43.0.7');
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.43.0.1');
    assert.equal(env.KUBERNETES_SERVICE_PORT, '443');
  });

  it('enableServiceLinks: false keeps only the kubernetes service', async () => {
    const env = await envOf({}, { enableServiceLinks: false });
    assert.equal(env.DB_SERVICE_HOST, undefined);
    assert.equal(env.KUBERNETES_SERVICE_HOST, '10.43.0.1');
  });

  it('the order: envFrom and env as declared, then service variables', async () => {
    const p = pod({ envFrom: [{ secretRef: { name: 'sec' } }], env: [{ name: 'Z', value: '1' }, { name: 'TOKEN', value: 'over' }] });
    const env = await makeEnvironment(p, p.spec.containers[0], envSourcesFromClient(cluster()), info);
    const names = env.map((e) => e.name);
    assert.deepEqual(names.slice(0, 3), ['TOKEN', 'PASS', 'Z']);
    assert.equal(env[0].value, 'over');
    assert.ok(names.slice(3).every((n) => n.startsWith('DB_') || n.startsWith('KUBERNETES_')));
  });

  it('optional sources and keys that are missing are skipped', async () => {
    const env = await envOf({
      envFrom: [{ configMapRef: { name: 'nope', optional: true } }, { secretRef: { name: 'nope', optional: true } }],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nokey', optional: true } } },
        { name: 'C', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } },
        { name: 'D', valueFrom: { secretKeyRef: { name: 'sec', key: 'nokey', optional: true } } },
        { name: 'E', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE', optional: true } } },
      ],
    });
    assert.deepEqual(['A', 'B', 'C', 'D'].filter((k) => k in env), []);
    assert.equal(env.E, 'fast');
  });

  it('errors carry the kubelet\'s messages', async () => {
    assert.equal(await configError({ envFrom: [{ configMapRef: { name: 'x' } }] }), 'configmap "x" not found');
    assert.equal(await configError({ envFrom: [{ secretRef: { name: 's' } }] }), 'secret "s" not found');
    assert.equal(await configError({ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'x', key: 'K' } } }] }), 'configmap "x" not found');
    assert.equal(await configError({ env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'K' } } }] }), "couldn't find key K in ConfigMap ns/cfg");
    assert.equal(await configError({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'K' } } }] }), 'secret "s" not found');
    assert.equal(await configError({ env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'sec', key: 'K' } } }] }), "couldn't find key K in Secret ns/sec");
    assert.equal(await configError({ env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.restartPolicy' } } }] }), 'unsupported fieldPath: spec.restartPolicy');
    assert.equal(await configError({ env: [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }] }), 'unsupported container resource : limits.gpu');
  });

  it('API failures other than not-found become configuration errors too', async () => {
    const c = cluster();
    c.prependReactor('get', 'configmaps', () => { throw new Error('connection refused'); });
    const p = pod({ envFrom: [{ configMapRef: { name: 'cfg', optional: true } }] });
    await assert.rejects(makeEnvironment(p, p.spec.containers[0], envSourcesFromClient(c), info), (err: unknown) => err instanceof ContainerConfigError && err.message === 'connection refused');
  });

  it('each configMap is read once per build', async () => {
    const c = cluster();
    const p = pod({ envFrom: [{ configMapRef: { name: 'cfg' } }], env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } }] });
    await makeEnvironment(p, p.spec.containers[0], envSourcesFromClient(c), info);
    assert.equal(c.actions.filter((a) => a.verb === 'get' && a.resource === 'configmaps').length, 1);
  });
});
