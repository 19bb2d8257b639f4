import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, notFound } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { R, harness, ns, until } from '../testutil.js';
import { DESCRIPTION, DESCRIPTION_ANNOTATION, ROOT_CA_CONFIGMAP, RootCACertPublisher } from './controller.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  key: string;
  react?: (fake: FakeClient) => void;
  throws?: RegExp;
  writes: string[];
  /** The published ConfigMap afterwards (undefined: none). */
  want?: (cm: Obj | undefined) => void;
}

const rootCm = (namespace: string, data: Record<string, string>, annotations?: Record<string, string>, labels?: Record<string, string>): [ResourceRef, Obj] =>
  [R.configmaps, { metadata: { name: ROOT_CA_CONFIGMAP, namespace, ...(annotations ? { annotations } : {}), ...(labels ? { labels } : {}) }, data }];
const published = (cm: Obj | undefined): void => {
  assert.ok(cm);
  assert.deepEqual(cm.data, { 'ca.crt': CA });
  assert.equal(cm.metadata.annotations[DESCRIPTION_ANNOTATION], DESCRIPTION);
};
const failCreate = (err: Error) => (fake: FakeClient) => fake.prependReactor('create', 'configmaps', () => { throw err; });

const cases: Case[] = [
  { name: 'a namespace without it gets kube-root-ca.crt', seed: [[R.namespaces, ns('a')]], key: 'a', writes: ['create a/kube-root-ca.crt'], want: published },
  { name: 'an up-to-date ConfigMap is left alone', seed: [[R.namespaces, ns('a')], rootCm('a', { 'ca.crt': CA }, { [DESCRIPTION_ANNOTATION]: DESCRIPTION })], key: 'a', writes: [], want: published },
  {
    name: 'edited data is put back; other metadata is kept',
    seed: [[R.namespaces, ns('a')], rootCm('a', { 'ca.crt': 'tampered', extra: 'x' }, { [DESCRIPTION_ANNOTATION]: DESCRIPTION, mine: 'keep' }, { team: 'x' })],
    key: 'a', writes: ['update a/kube-root-ca.crt'],
    want: (cm) => {
      published(cm);
      assert.equal(cm!.metadata.annotations.mine, 'keep');
      assert.deepEqual(cm!.metadata.labels, { team: 'x' });
    },
  },
  { name: 'a missing description annotation is added', seed: [[R.namespaces, ns('a')], rootCm('a', { 'ca.crt': CA })], key: 'a', writes: ['update a/kube-root-ca.crt'], want: published },
  { name: 'a terminating namespace is skipped', seed: [[R.namespaces, ns('a', { terminating: true })]], key: 'a', writes: [], want: (cm) => assert.equal(cm, undefined) },
  { name: 'a namespace missing from the cache is skipped', seed: [], key: 'a', writes: [], want: (cm) => assert.equal(cm, undefined) },
  { name: 'create answering NotFound (namespace gone) is no retry', seed: [[R.namespaces, ns('a')]], key: 'a', react: failCreate(notFound('', 'namespaces', 'a')), writes: ['create a/kube-root-ca.crt'] },
  {
    name: 'create refused for a terminating namespace is no retry',
    seed: [[R.namespaces, ns('a')]], key: 'a',
    react: failCreate(new ApiError(403, 'Forbidden', 'forbidden', { causes: [{ reason: NAMESPACE_TERMINATING_CAUSE }] })),
    writes: ['create a/kube-root-ca.crt'],
  },
  { name: 'other create errors fail the sync', seed: [[R.namespaces, ns('a')]], key: 'a', react: failCreate(new ApiError(500, 'InternalError', 'boom')), throws: /boom/, writes: ['create a/kube-root-ca.crt'] },
];

describe('root CA publisher sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      try {
        const ctl = new RootCACertPublisher({ client: h.fake, namespaces: h.informer(R.namespaces), configMaps: h.informer(R.configmaps), rootCA: CA, log: silentLogger });
        await h.sync();
        h.fake.clearActions();
        c.react?.(h.fake);
        if (c.throws) await assert.rejects(ctl.sync(c.key), c.throws);
        else await ctl.sync(c.key);
        assert.deepEqual(h.fake.writes().map((a) => `${a.verb} ${a.namespace}/${a.name}`), c.writes);
        c.want?.(h.fake.object(R.configmaps, c.key, ROOT_CA_CONFIGMAP));
        ctl.queue.shutdown();
      } finally {
        await h.close();
      }
    });
  }
});

describe('root CA publisher run', () => {
  it('publishes to new namespaces and undoes edits and deletions', async () => {
    const h = harness([[R.namespaces, ns('default')]]);
    const ctl = new RootCACertPublisher({ client: h.fake, namespaces: h.informer(R.namespaces), configMaps: h.informer(R.configmaps), rootCA: CA, log: silentLogger });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    const get = (n: string): Obj | undefined => h.fake.object(R.configmaps, n, ROOT_CA_CONFIGMAP);
    try {
      await until(() => !!get('default'), 'the ConfigMap in default');
      await h.fake.create(R.namespaces, '', { metadata: { name: 'team' } });
      await until(() => !!get('team'), 'the ConfigMap in a new namespace');
      await h.fake.update(R.configmaps, 'team', { ...get('team'), data: { 'ca.crt': 'evil' } });
      await until(() => get('team')?.data['ca.crt'] === CA, 'the edit undone');
      await h.fake.delete(R.configmaps, 'team', ROOT_CA_CONFIGMAP);
      await until(() => !!get('team'), 'the ConfigMap recreated');
      // unrelated ConfigMaps are never touched
      await h.fake.create(R.configmaps, 'team', { metadata: { name: 'app' }, data: { a: 'b' } });
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(h.fake.object(R.configmaps, 'team', 'app')!.data, { a: 'b' });
    } finally {
      await h.close();
      await run;
    }
  });
});
