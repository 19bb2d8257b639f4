import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import type { DeleteOptions, KubeClient, ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { harness, until } from '../testutil.js';
import { GarbageCollector, deletableResources, resolveBuiltinKind, type GcResource } from './controller.js';

const res = (group: string, version: string, plural: string): GcResource => {
  const ri = findResource(group, version, plural)!;
  return { group, version, plural, kind: ri.kind, namespaced: ri.namespaced };
};
const CM = res('', 'v1', 'configmaps');
const SECRET = res('', 'v1', 'secrets');
const POD = res('', 'v1', 'pods');
const RS = res('apps', 'v1', 'replicasets');
const DEPLOY = res('apps', 'v1', 'deployments');
const NODE = res('', 'v1', 'nodes');
const MONITORED = [CM, POD, RS, DEPLOY, NODE];

type Ref = { apiVersion: string; kind: string; name: string; uid: string; blockOwnerDeletion?: boolean; controller?: boolean };
const ref = (kind: string, name: string, uid: string, extra: Partial<Ref> = {}): Ref => {
  const apiVersion = kind === 'ReplicaSet' || kind === 'Deployment' ? 'apps/v1' : 'v1';
  return { apiVersion, kind, name, uid, ...extra };
};
const obj = (name: string, uid: string, extra: { ns?: string | null; owners?: Ref[]; finalizers?: string[]; deleting?: boolean } = {}): Obj => ({
  metadata: {
    name, uid, ...(extra.ns === null ? {} : { namespace: extra.ns ?? 'ns' }),
    ...(extra.owners ? { ownerReferences: extra.owners } : {}),
    ...(extra.finalizers ? { finalizers: extra.finalizers } : {}),
    ...(extra.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z', deletionGracePeriodSeconds: 0 } : {}),
  },
});

/**
 * The API server's part of cascading deletion, which FakeClient lacks: DELETE with
 * propagationPolicy Foreground/Orphan records the finalizer (and the options are kept).
 */
function withPropagation(fake: FakeClient, deletes: { name: string; policy?: string }[]): KubeClient {
  return new Proxy(fake, {
    get(target, prop, receiver) {
      if (prop !== 'delete') return Reflect.get(target, prop, receiver);
      return async (r: ResourceRef, ns: string | undefined, name: string, opts?: DeleteOptions) => {
        deletes.push({ name, policy: opts?.propagationPolicy });
        const fin = opts?.propagationPolicy === 'Foreground' ? 'foregroundDeletion' : opts?.propagationPolicy === 'Orphan' ? 'orphan' : undefined;
        const cur = fake.object(r, ns ?? '', name);
        if (fin && cur && !cur.metadata.deletionTimestamp && !(cur.metadata.finalizers ?? []).includes(fin)) {
          if (opts?.preconditions?.uid && opts.preconditions.uid !== cur.metadata.uid) return target.delete(r, ns, name, opts);
          await target.patch(r, ns, name, 'merge', { metadata: { finalizers: [...(cur.metadata.finalizers ?? []), fin] } });
          const { resourceVersion: _rv, ...pre } = opts?.preconditions ?? {};
          return target.delete(r, ns, name, { ...opts, preconditions: pre });
        }
        return target.delete(r, ns, name, opts);
      };
    },
  }) as KubeClient;
}

/** Waits until the collector has been idle (no queued work, no new API calls) for a while. */
async function quiesce(gc: GarbageCollector, fake: FakeClient): Promise<void> {
  let last = -1;
  let stable = 0;
  const end = Date.now() + 5000;
  while (stable < 10 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 15));
    const n = fake.actions.length;
    const idle = gc.attemptToDeleteQueue.len() === 0 && gc.attemptToOrphanQueue.len() === 0;
    stable = n === last && idle ? stable + 1 : 0;
    last = n;
  }
}

interface Case {
  name: string;
  seed: [GcResource, Obj][];
  /** Done after the collector started (e.g. deleting an owner the way kubectl does). */
  act?: (client: KubeClient) => Promise<void>;
  /** Eventually true. */
  done?: (fake: FakeClient) => boolean;
  check: (fake: FakeClient, deletes: { name: string; policy?: string }[]) => void;
}

const exists = (fake: FakeClient, r: GcResource, name: string, ns = 'ns'): boolean => !!fake.object(r, r.namespaced ? ns : '', name);
const owners = (fake: FakeClient, r: GcResource, name: string, ns = 'ns'): string[] =>
  (fake.object(r, r.namespaced ? ns : '', name)?.metadata.ownerReferences ?? []).map((o: Ref) => o.uid);

const cases: Case[] = [
  {
    name: 'background: a dependent whose only owner is absent is deleted',
    seed: [[CM, obj('dep', 'd1', { owners: [ref('ConfigMap', 'ghost', 'g1')] })], [CM, obj('other', 'o1')]],
    done: (f) => !exists(f, CM, 'dep'),
    check: (f, deletes) => {
      assert.ok(exists(f, CM, 'other'));
      assert.deepEqual(deletes, [{ name: 'dep', policy: 'Background' }]);
    },
  },
  {
    name: 'an owner with the same name but another uid counts as absent',
    seed: [[CM, obj('owner', 'new-uid')], [CM, obj('dep', 'd1', { owners: [ref('ConfigMap', 'owner', 'old-uid')] })]],
    done: (f) => !exists(f, CM, 'dep'),
    check: (f) => assert.ok(exists(f, CM, 'owner')),
  },
  {
    name: 'a dependent with an existing owner stays, untouched',
    seed: [[CM, obj('owner', 'u1')], [CM, obj('dep', 'd1', { owners: [ref('ConfigMap', 'owner', 'u1')] })]],
    check: (f) => {
      assert.ok(exists(f, CM, 'dep'));
      assert.deepEqual(f.writes(), []);
    },
  },
  {
    name: 'one owner gone, another remains: only the dangling reference is removed',
    seed: [[CM, obj('owner', 'u1')], [CM, obj('dep', 'd1', { owners: [ref('ConfigMap', 'owner', 'u1'), ref('ConfigMap', 'ghost', 'g1')] })]],
    done: (f) => owners(f, CM, 'dep').length === 1,
    check: (f) => {
      assert.deepEqual(owners(f, CM, 'dep'), ['u1']);
      const p = f.writes().find((a) => a.verb === 'patch')!;
      assert.equal(p.patchType, 'merge');
      assert.ok(p.object!.metadata.resourceVersion, 'the patch is guarded by the resourceVersion');
    },
  },
  {
    name: 'an owner the informers do not show is verified live: it exists, the dependent stays',
    // secrets are not monitored here, so the owner is a virtual node until the live GET
    seed: [[SECRET, obj('owner', 's1')], [CM, obj('dep', 'd1', { owners: [ref('Secret', 'owner', 's1')] })]],
    check: (f) => {
      assert.ok(exists(f, CM, 'dep'));
      assert.ok(f.actions.some((a) => a.verb === 'get' && a.resource === 'secrets' && a.name === 'owner'), 'looked the owner up');
    },
  },
  {
    name: 'deleting the owner in background collects its dependents (a chain)',
    seed: [
      [DEPLOY, obj('web', 'dp1')],
      [RS, obj('web-1', 'rs1', { owners: [ref('Deployment', 'web', 'dp1', { controller: true, blockOwnerDeletion: true })] })],
      [POD, obj('web-1-a', 'p1', { owners: [ref('ReplicaSet', 'web-1', 'rs1', { controller: true, blockOwnerDeletion: true })] })],
      [POD, obj('web-1-b', 'p2', { owners: [ref('ReplicaSet', 'web-1', 'rs1', { controller: true, blockOwnerDeletion: true })] })],
    ],
    act: async (c) => { await c.delete(DEPLOY, 'ns', 'web', { propagationPolicy: 'Background' }); },
    done: (f) => f.objects(POD, 'ns').length === 0 && f.objects(RS, 'ns').length === 0,
    check: (f) => assert.equal(f.objects(DEPLOY, 'ns').length, 0),
  },
  {
    name: 'foreground: dependents first (one with dependents of its own in foreground), then the owner',
    seed: [
      [DEPLOY, obj('web', 'dp1')],
      [RS, obj('web-1', 'rs1', { owners: [ref('Deployment', 'web', 'dp1', { controller: true, blockOwnerDeletion: true })] })],
      [POD, obj('web-1-a', 'p1', { owners: [ref('ReplicaSet', 'web-1', 'rs1', { controller: true, blockOwnerDeletion: true })] })],
      [CM, obj('loose', 'c1', { owners: [ref('Deployment', 'web', 'dp1')] })],
    ],
    act: async (c) => { await c.delete(DEPLOY, 'ns', 'web', { propagationPolicy: 'Foreground' }); },
    done: (f) => !exists(f, DEPLOY, 'web') && !exists(f, CM, 'loose'),
    check: (f, deletes) => {
      assert.equal(f.objects(POD, 'ns').length, 0);
      assert.equal(f.objects(RS, 'ns').length, 0);
      assert.deepEqual(deletes.find((d) => d.name === 'web-1'), { name: 'web-1', policy: 'Foreground' }, 'the ReplicaSet has dependents: foreground too');
      assert.deepEqual(deletes.find((d) => d.name === 'web-1-a'), { name: 'web-1-a', policy: 'Background' });
      assert.deepEqual(deletes.find((d) => d.name === 'loose'), { name: 'loose', policy: 'Background' });
    },
  },
  {
    name: 'foreground: a blocking dependent held by another finalizer keeps the owner waiting',
    seed: [
      [CM, obj('owner', 'u1')],
      [CM, obj('held', 'h1', { finalizers: ['example.com/hold'], owners: [ref('ConfigMap', 'owner', 'u1', { blockOwnerDeletion: true })] })],
    ],
    act: async (c) => { await c.delete(CM, 'ns', 'owner', { propagationPolicy: 'Foreground' }); },
    done: (f) => !!f.object(CM, 'ns', 'held')?.metadata.deletionTimestamp,
    check: (f) => {
      const owner = f.object(CM, 'ns', 'owner');
      assert.ok(owner?.metadata.deletionTimestamp);
      assert.deepEqual(owner?.metadata.finalizers, ['foregroundDeletion'], 'the owner waits');
    },
  },
  {
    name: 'foreground: an owner whose blocking dependent is released proceeds once it is gone',
    seed: [
      [CM, obj('owner', 'u1', { finalizers: ['foregroundDeletion'], deleting: true })],
      [CM, obj('held', 'h1', { finalizers: ['example.com/hold'], deleting: true, owners: [ref('ConfigMap', 'owner', 'u1', { blockOwnerDeletion: true })] })],
    ],
    act: async (c) => {
      await new Promise((r) => setTimeout(r, 100));
      await c.patch(CM, 'ns', 'held', 'merge', { metadata: { finalizers: null } });
    },
    done: (f) => !exists(f, CM, 'owner'),
    check: (f) => assert.ok(!exists(f, CM, 'held')),
  },
  {
    name: 'foreground: a dependent also owned by a live owner loses only the waiting reference',
    seed: [
      [CM, obj('keeper', 'k1')],
      [CM, obj('owner', 'u1')],
      [CM, obj('dep', 'd1', { owners: [ref('ConfigMap', 'keeper', 'k1'), ref('ConfigMap', 'owner', 'u1', { blockOwnerDeletion: true })] })],
    ],
    act: async (c) => { await c.delete(CM, 'ns', 'owner', { propagationPolicy: 'Foreground' }); },
    done: (f) => !exists(f, CM, 'owner'),
    check: (f) => assert.deepEqual(owners(f, CM, 'dep'), ['k1']),
  },
  {
    name: 'orphan: references to the owner are removed, then the finalizer, and dependents stay',
    seed: [
      [RS, obj('web-1', 'rs1')],
      [POD, obj('a', 'p1', { owners: [ref('ReplicaSet', 'web-1', 'rs1', { controller: true, blockOwnerDeletion: true })] })],
      [POD, obj('b', 'p2', { owners: [ref('ReplicaSet', 'web-1', 'rs1', { controller: true, blockOwnerDeletion: true }), ref('ConfigMap', 'cm', 'c1')] })],
      [CM, obj('cm', 'c1')],
    ],
    act: async (c) => { await c.delete(RS, 'ns', 'web-1', { propagationPolicy: 'Orphan' }); },
    done: (f) => !exists(f, RS, 'web-1'),
    check: (f) => {
      assert.equal(f.object(POD, 'ns', 'a')?.metadata.ownerReferences, undefined, 'the last reference goes with the field');
      assert.deepEqual(owners(f, POD, 'b'), ['c1']);
    },
  },
  {
    name: 'a dependent already being deleted is left to finish',
    seed: [[CM, obj('dep', 'd1', { finalizers: ['example.com/x'], deleting: true, owners: [ref('ConfigMap', 'ghost', 'g1')] })]],
    check: (f) => {
      assert.ok(exists(f, CM, 'dep'));
      assert.ok(!f.writes().some((a) => a.name === 'dep'));
    },
  },
  {
    name: 'an owner of an unknown kind is never taken as absent',
    seed: [[CM, obj('dep', 'd1', { owners: [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w1' }] })]],
    check: (f) => assert.ok(exists(f, CM, 'dep')),
  },
  {
    name: 'a cluster-scoped object naming a namespaced owner is left alone',
    seed: [[NODE, obj('n1', 'n1', { ns: null, owners: [ref('ConfigMap', 'ghost', 'g1')] })]],
    check: (f) => assert.ok(exists(f, NODE, 'n1')),
  },
  {
    name: 'a cluster-scoped owner referenced from a namespace: collected once the owner is deleted',
    seed: [[NODE, obj('n1', 'n1', { ns: null })], [CM, obj('dep', 'd1', { owners: [ref('Node', 'n1', 'n1')] })]],
    act: async (c) => { await c.delete(NODE, '', 'n1'); },
    done: (f) => !exists(f, CM, 'dep'),
    check: () => {},
  },
  {
    name: 'an owner named with wrong coordinates (kind) is checked, and the dependent collected',
    seed: [[CM, obj('owner', 'u1')], [CM, obj('dep', 'd1', { owners: [ref('Secret', 'owner', 'u1')] })]],
    done: (f) => !exists(f, CM, 'dep'),
    check: (f) => assert.ok(exists(f, CM, 'owner')),
  },
];

describe('garbage collector', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      const deletes: { name: string; policy?: string }[] = [];
      const client = withPropagation(h.fake, deletes);
      const gc = new GarbageCollector({
        client, informerFor: (r) => h.factory.informerFor(r), resources: MONITORED, log: silentLogger, workers: 4,
      });
      await h.sync();
      const ac = new AbortController();
      const running = gc.run(ac.signal);
      try {
        if (c.act) await c.act(client);
        if (c.done) await until(() => c.done!(h.fake), c.name);
        await quiesce(gc, h.fake);
        c.check(h.fake, deletes);
      } finally {
        ac.abort();
        await running;
        await h.close();
      }
    });
  }
});

describe('garbage collector resources', () => {
  it('monitors every deletable resource once, events excepted', () => {
    const rs = deletableResources();
    const keys = rs.map((r) => `${r.group}/${r.plural}`);
    assert.equal(new Set(keys).size, keys.length);
    for (const k of ['/pods', '/configmaps', 'apps/deployments', 'apps/replicasets', '/namespaces', 'discovery.k8s.io/endpointslices']) assert.ok(keys.includes(k), k);
    assert.ok(!keys.includes('/events') && !keys.includes('events.k8s.io/events'));
    assert.ok(!keys.includes('/bindings') && !keys.includes('authentication.k8s.io/tokenreviews'));
    assert.equal(rs.filter((r) => r.plural === 'horizontalpodautoscalers').length, 1);
  });

  it('resolves owner kinds through the scheme', () => {
    assert.deepEqual(resolveBuiltinKind('apps/v1', 'Deployment'), { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true });
    assert.equal(resolveBuiltinKind('v1', 'Node')?.namespaced, false);
    assert.equal(resolveBuiltinKind('example.com/v1', 'Widget'), undefined);
  });
});
