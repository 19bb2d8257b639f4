import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, methodNotSupported, conflict } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { R, harness, ns, until } from '../testutil.js';
import { NamespaceController, deletableNamespacedResources } from './controller.js';

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  key: string;
  /** Reactors installed after the caches synced. */
  react?: (fake: FakeClient) => void;
  /** What sync returns; 'throws' when it must fail. */
  want: { result?: unknown; throws?: RegExp };
  check: (fake: FakeClient) => void;
}

const cm = (namespace: string, name: string, finalizers?: string[]): [ResourceRef, Obj] => [R.configmaps, { metadata: { name, namespace, ...(finalizers ? { finalizers } : {}) } }];
const secret = (namespace: string, name: string): [ResourceRef, Obj] => [R.secrets, { metadata: { name, namespace } }];
const conditions = (fake: FakeClient, name: string): Record<string, Obj> =>
  Object.fromEntries((fake.object(R.namespaces, '', name)?.status?.conditions ?? []).map((c: Obj) => [c.type, c]));
const verbs = (fake: FakeClient): string[] => fake.writes().map((a) => `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.name ? ` ${a.name}` : ''}`);

const cases: Case[] = [
  {
    name: 'a namespace missing from the cache is ignored',
    seed: [], key: 'gone', want: {},
    check: (fake) => assert.deepEqual(fake.writes(), []),
  },
  {
    name: 'an active namespace is left alone',
    seed: [[R.namespaces, ns('live')], cm('live', 'a')], key: 'live', want: {},
    check: (fake) => assert.deepEqual(fake.writes(), []),
  },
  {
    name: 'a terminating namespace is emptied, then finalized and removed',
    seed: [[R.namespaces, ns('x', { terminating: true })], cm('x', 'a'), cm('x', 'b'), secret('x', 's'), cm('other', 'keep')],
    key: 'x', want: {},
    check: (fake) => {
      assert.deepEqual(fake.objects(R.configmaps, 'x'), []);
      assert.deepEqual(fake.objects(R.secrets, 'x'), []);
      assert.equal(fake.objects(R.configmaps, 'other').length, 1, 'other namespaces untouched');
      const dc = fake.writes().filter((a) => a.verb === 'deletecollection');
      assert.equal(dc.length, deletableNamespacedResources().length);
      assert.ok(dc.every((a) => a.namespace === 'x'));
      const fin = fake.writes().find((a) => a.subresource === 'finalize')!;
      assert.equal(fin.verb, 'update');
      assert.deepEqual(fin.object!.spec.finalizers, []);
      assert.equal(fake.object(R.namespaces, '', 'x'), undefined, 'the namespace is gone once finalized');
    },
  },
  {
    name: 'content held by finalizers: requeue after the estimate, report conditions, do not finalize',
    seed: [[R.namespaces, ns('x', { terminating: true })], cm('x', 'held', ['example.com/hold']), secret('x', 's')],
    key: 'x', want: { result: { requeueAfterMs: 8000 } },
    check: (fake) => {
      assert.ok(!fake.writes().some((a) => a.subresource === 'finalize'));
      const c = conditions(fake, 'x');
      assert.equal(c.NamespaceContentRemaining.status, 'True');
      assert.equal(c.NamespaceContentRemaining.reason, 'SomeResourcesRemain');
      assert.equal(c.NamespaceContentRemaining.message, 'Some resources are remaining: configmaps. has 1 resource instances');
      assert.equal(c.NamespaceFinalizersRemaining.status, 'True');
      assert.equal(c.NamespaceFinalizersRemaining.reason, 'SomeFinalizersRemain');
      assert.equal(c.NamespaceFinalizersRemaining.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
      assert.equal(c.NamespaceDeletionContentFailure.status, 'False');
      assert.equal(c.NamespaceDeletionContentFailure.reason, 'ContentDeleted');
      assert.equal(c.NamespaceDeletionDiscoveryFailure.reason, 'ResourcesDiscovered');
      assert.deepEqual(fake.objects(R.secrets, 'x'), []);
    },
  },
  {
    name: 'pods still terminating: wait half their grace period',
    seed: [[R.namespaces, ns('x', { terminating: true })], [R.pods, { metadata: { name: 'p', namespace: 'x', finalizers: ['hold'] }, spec: { terminationGracePeriodSeconds: 30 }, status: { phase: 'Running' } }]],
    key: 'x', want: { result: { requeueAfterMs: 15_000 } },
    check: (fake) => assert.ok(!fake.writes().some((a) => a.subresource === 'finalize')),
  },
  {
    name: 'a namespace not yet Terminating is marked so first',
    seed: [[R.namespaces, ns('x', { terminating: true, phase: 'Active' })]], key: 'x', want: {},
    check: (fake) => {
      const st = fake.writes().find((a) => a.subresource === 'status')!;
      assert.equal(st.object!.status.phase, 'Terminating');
      assert.equal(fake.object(R.namespaces, '', 'x'), undefined);
    },
  },
  {
    name: 'without the kubernetes finalizer there is nothing to do',
    seed: [[R.namespaces, ns('x', { terminating: true, finalizers: ['other.io/x'] })], cm('x', 'a')], key: 'x', want: {},
    check: (fake) => {
      assert.deepEqual(fake.writes(), []);
      assert.equal(fake.objects(R.configmaps, 'x').length, 1);
    },
  },
  {
    name: 'other finalizers survive finalize (sorted)',
    seed: [[R.namespaces, ns('x', { terminating: true, finalizers: ['z.io/b', 'kubernetes', 'a.io/a'] })]], key: 'x', want: {},
    check: (fake) => {
      assert.deepEqual(fake.object(R.namespaces, '', 'x')?.spec.finalizers, ['a.io/a', 'z.io/b']);
      assert.ok(fake.object(R.namespaces, '', 'x')?.metadata.deletionTimestamp);
    },
  },
  {
    name: 'deletecollection refused (405): list and delete each item instead',
    seed: [[R.namespaces, ns('x', { terminating: true })], cm('x', 'a'), cm('x', 'b')], key: 'x',
    react: (fake) => fake.prependReactor('deletecollection', 'configmaps', () => {
      throw methodNotSupported('', 'configmaps', 'deletecollection');
    }),
    want: {},
    check: (fake) => {
      const v = verbs(fake);
      assert.ok(v.includes('delete configmaps a') && v.includes('delete configmaps b'), v.join('\n'));
      assert.deepEqual(fake.objects(R.configmaps, 'x'), []);
      assert.equal(fake.object(R.namespaces, '', 'x'), undefined);
    },
  },
  {
    name: 'a resource the server does not serve (404 on list) is skipped',
    seed: [[R.namespaces, ns('x', { terminating: true })]], key: 'x',
    react: (fake) => {
      const nf = (): never => { throw new ApiError(404, 'NotFound', 'the server could not find the requested resource'); };
      fake.prependReactor('deletecollection', 'csistoragecapacities', nf);
      fake.prependReactor('list', 'csistoragecapacities', nf);
    },
    want: {},
    check: (fake) => assert.equal(fake.object(R.namespaces, '', 'x'), undefined),
  },
  {
    name: 'a failed delete fails the sync and reports NamespaceDeletionContentFailure',
    seed: [[R.namespaces, ns('x', { terminating: true })], secret('x', 's')], key: 'x',
    react: (fake) => fake.prependReactor('deletecollection', 'secrets', () => { throw new ApiError(500, 'InternalError', 'Internal error occurred: disk full'); }),
    want: { throws: /disk full/ },
    check: (fake) => {
      const c = conditions(fake, 'x');
      assert.equal(c.NamespaceDeletionContentFailure.status, 'True');
      assert.equal(c.NamespaceDeletionContentFailure.reason, 'ContentDeletionFailed');
      assert.equal(c.NamespaceDeletionContentFailure.message, 'Failed to delete all resource types, 1 remaining: Internal error occurred: disk full');
      assert.ok(!fake.writes().some((a) => a.subresource === 'finalize'));
    },
  },
  {
    name: 'content that stays without a finalizer is an error (retried with back-off)',
    seed: [[R.namespaces, ns('x', { terminating: true })], cm('x', 'stuck')], key: 'x',
    react: (fake) => fake.prependReactor('deletecollection', 'configmaps', () => ({ kind: 'Status', status: 'Success' })),
    want: { throws: /unexpected items still remain in namespace: x/ },
    check: (fake) => {
      const c = conditions(fake, 'x');
      assert.equal(c.NamespaceContentRemaining.status, 'True');
      assert.equal(c.NamespaceContentRemaining.message, 'Some resources are remaining: configmaps. has 1 resource instances');
    },
  },
  {
    name: 'a conflict on finalize re-reads the namespace and retries',
    seed: [[R.namespaces, ns('x', { terminating: true })]], key: 'x',
    react: (fake) => {
      let once = true;
      fake.prependReactor('update', 'namespaces', (a) => {
        if (a.subresource === 'finalize' && once) {
          once = false;
          throw conflict('', 'namespaces', 'x');
        }
        return undefined;
      });
    },
    want: {},
    check: (fake) => {
      assert.equal(fake.writes().filter((a) => a.subresource === 'finalize').length, 2);
      assert.equal(fake.object(R.namespaces, '', 'x'), undefined);
    },
  },
];

describe('namespace controller sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      try {
        const ctl = new NamespaceController({ client: h.fake, namespaces: h.informer(R.namespaces), log: silentLogger });
        await h.sync();
        h.fake.clearActions();
        c.react?.(h.fake);
        if (c.want.throws) await assert.rejects(ctl.sync(c.key), c.want.throws);
        else assert.deepEqual(await ctl.sync(c.key), c.want.result);
        c.check(h.fake);
        ctl.queue.shutdown();
      } finally {
        await h.close();
      }
    });
  }

  it('deletes each stored resource once: shared stores are not listed twice', () => {
    const all = deletableNamespacedResources();
    const plurals = all.map((r) => `${r.group}/${r.plural}`);
    assert.ok(plurals.includes('/configmaps') && plurals.includes('/pods') && plurals.includes('apps/deployments'));
    assert.ok(!plurals.includes('events.k8s.io/events'), 'events.k8s.io events are core events');
    assert.equal(plurals.filter((p) => p === 'autoscaling/horizontalpodautoscalers').length, 1);
    assert.ok(!plurals.includes('/bindings'), 'virtual resources are not stored');
    assert.ok(!plurals.includes('/namespaces') && !plurals.includes('/nodes'), 'cluster-scoped resources stay');
  });
});

describe('namespace controller run', () => {
  it('a namespace deleted through the API disappears with its content', async () => {
    const h = harness([[R.namespaces, ns('app')], cm('app', 'a'), secret('app', 's')]);
    const ctl = new NamespaceController({ client: h.fake, namespaces: h.informer(R.namespaces), deletionGracePeriodMs: 1, log: silentLogger });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    try {
      await h.factory.waitForCacheSync(h.signal);
      await h.fake.delete(R.namespaces, '', 'app');
      await until(() => h.fake.object(R.namespaces, '', 'app') === undefined, 'the namespace to go');
      assert.deepEqual(h.fake.objects(R.configmaps, 'app'), []);
      assert.deepEqual(h.fake.objects(R.secrets, 'app'), []);
    } finally {
      await h.close();
      await run;
    }
  });

  it('waits for held content, then finishes once the finalizer is dropped', async () => {
    const h = harness([[R.namespaces, ns('app')], cm('app', 'held', ['example.com/hold'])]);
    const ctl = new NamespaceController({
      client: h.fake, namespaces: h.informer(R.namespaces), deletionGracePeriodMs: 1, finalizerEstimateSeconds: 1, log: silentLogger,
    });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    try {
      await h.factory.waitForCacheSync(h.signal);
      await h.fake.delete(R.namespaces, '', 'app');
      await until(() => h.fake.object(R.namespaces, '', 'app')?.status?.conditions?.some((c: Obj) => c.type === 'NamespaceFinalizersRemaining' && c.status === 'True'), 'the condition');
      // the condition write re-queues the namespace once (its own update event); after that
      // second pass nothing about the content wakes the controller except the estimate's requeue
      const passes = (): number => h.fake.actions.filter((a) => a.verb === 'deletecollection' && a.resource === 'configmaps').length;
      await until(() => passes() >= 2, 'the second pass');
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(passes(), 2, 'quiet until the requeue');
      const held = h.fake.object(R.configmaps, 'app', 'held')!;
      await h.fake.update(R.configmaps, 'app', { ...held, metadata: { ...held.metadata, finalizers: [] } });
      // the estimate's requeue (1/2 + 1 = 1 s) finds the namespace empty and finalizes it
      await until(() => h.fake.object(R.namespaces, '', 'app') === undefined, 'the namespace to go', 4000);
    } finally {
      await h.close();
      await run;
    }
  });
});
