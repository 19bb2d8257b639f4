import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, alreadyExists } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { R, harness, ns, until } from '../testutil.js';
import { ServiceAccountsController } from './controller.js';

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  key: string;
  react?: (fake: FakeClient) => void;
  throws?: RegExp;
  writes: string[];
}

const sa = (namespace: string, name = 'default'): [ResourceRef, Obj] => [R.serviceaccounts, { metadata: { name, namespace } }];
const failCreate = (err: Error) => (fake: FakeClient) => fake.prependReactor('create', 'serviceaccounts', () => { throw err; });

const cases: Case[] = [
  { name: 'an active namespace without one gets the default service account', seed: [[R.namespaces, ns('a')]], key: 'a', writes: ['create a/default'] },
  { name: 'an existing default service account is left alone', seed: [[R.namespaces, ns('a')], sa('a')], key: 'a', writes: [] },
  { name: 'other service accounts do not count', seed: [[R.namespaces, ns('a')], sa('a', 'builder')], key: 'a', writes: ['create a/default'] },
  { name: 'a terminating namespace gets none', seed: [[R.namespaces, ns('a', { terminating: true })]], key: 'a', writes: [] },
  { name: 'a namespace missing from the cache is ignored', seed: [], key: 'a', writes: [] },
  { name: 'AlreadyExists (the cache lagged) is success', seed: [[R.namespaces, ns('a')]], key: 'a', react: failCreate(alreadyExists('', 'serviceaccounts', 'default')), writes: ['create a/default'] },
  {
    name: 'a namespace that began terminating meanwhile is no failure',
    seed: [[R.namespaces, ns('a')]], key: 'a',
    react: failCreate(new ApiError(403, 'Forbidden', 'serviceaccounts "default" is forbidden: unable to create new content in namespace a because it is being terminated', { causes: [{ reason: NAMESPACE_TERMINATING_CAUSE }] })),
    writes: ['create a/default'],
  },
  { name: 'other errors fail the sync (requeue)', seed: [[R.namespaces, ns('a')]], key: 'a', react: failCreate(new ApiError(500, 'InternalError', 'boom')), throws: /boom/, writes: ['create a/default'] },
];

describe('serviceaccount controller sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      try {
        const ctl = new ServiceAccountsController({ client: h.fake, namespaces: h.informer(R.namespaces), serviceAccounts: h.informer(R.serviceaccounts), log: silentLogger });
        await h.sync();
        h.fake.clearActions();
        c.react?.(h.fake);
        if (c.throws) await assert.rejects(ctl.sync(c.key), c.throws);
        else await ctl.sync(c.key);
        assert.deepEqual(h.fake.writes().map((a) => `${a.verb} ${a.namespace}/${a.name}`), c.writes);
        ctl.queue.shutdown();
      } finally {
        await h.close();
      }
    });
  }
});

describe('serviceaccount controller run', () => {
  it('creates default in new namespaces and recreates it when deleted', async () => {
    const h = harness([[R.namespaces, ns('old')]]);
    const ctl = new ServiceAccountsController({ client: h.fake, namespaces: h.informer(R.namespaces), serviceAccounts: h.informer(R.serviceaccounts), log: silentLogger });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    try {
      await until(() => !!h.fake.object(R.serviceaccounts, 'old', 'default'), 'default in an existing namespace');
      await h.fake.create(R.namespaces, '', { metadata: { name: 'fresh' } });
      await until(() => !!h.fake.object(R.serviceaccounts, 'fresh', 'default'), 'default in a new namespace');
      const first = h.fake.object(R.serviceaccounts, 'fresh', 'default')!;
      await h.fake.delete(R.serviceaccounts, 'fresh', 'default');
      await until(() => !!h.fake.object(R.serviceaccounts, 'fresh', 'default'), 'default recreated');
      assert.notEqual(h.fake.object(R.serviceaccounts, 'fresh', 'default')!.metadata.uid, first.metadata.uid);
    } finally {
      await h.close();
      await run;
    }
  });
});
