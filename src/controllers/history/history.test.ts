import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conflict } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { parseLabelSelector } from '../../client/selector.js';
import { harness, until } from '../testutil.js';
import {
  CONTROLLER_REVISIONS, History, applyRevision, controllerRevisionName, equalRevision, hashControllerRevision,
  newControllerRevision, nextRevision, revisionDataBytes, revisionsToTruncate, sortControllerRevisions, templatePatch,
} from './history.js';

const STS = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

// What kube-controller-manager 1.33 stored for a StatefulSet "test" (upstream's compatibility
// fixture): the same template must give the same bytes and the same name.
const UPSTREAM_DATA = '{"spec":{"template":{"$patch":"replace","metadata":{"annotations":{"test":"value"},"creationTimestamp":null,"labels":{"app":"foo"}},"spec":{"containers":[{"image":"test","imagePullPolicy":"Always","name":"test","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":30}}}}';
const upstreamSet = (): Obj => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet',
  metadata: { name: 'test', namespace: 'test', uid: 'ssuid' },
  spec: {
    template: {
      metadata: { annotations: { test: 'value' }, labels: { app: 'foo' } },
      spec: {
        terminationGracePeriodSeconds: 30, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', securityContext: {}, schedulerName: 'default-scheduler',
        containers: [{ name: 'test', image: 'test', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'Always' }],
      },
    },
  },
});

const rev = (name: string, revision: number, data: Obj, extra: Obj = {}): Obj => ({ metadata: { name, namespace: 'ns', creationTimestamp: '2024-01-01T00:00:00Z', ...extra }, revision, data });

describe('revision data and names', () => {
  it('reproduces upstream bytes and name for the same template', () => {
    const data = templatePatch(upstreamSet());
    assert.equal(revisionDataBytes(data), UPSTREAM_DATA);
    const cr = newControllerRevision(upstreamSet(), STS, { app: 'foo' }, data, 1, 0);
    assert.equal(cr.metadata.name, 'test-c77f6d978');
    assert.deepEqual(cr.metadata.labels, { app: 'foo', 'controller.kubernetes.io/hash': 'c77f6d978' });
    assert.deepEqual(cr.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'test', uid: 'ssuid', controller: true, blockOwnerDeletion: true }]);
    assert.equal(cr.revision, 1);
  });

  it('the collision count changes the hash; no count differs from zero', () => {
    const data = templatePatch(upstreamSet());
    const names = new Set([hashControllerRevision(data), hashControllerRevision(data, 0), hashControllerRevision(data, 1)]);
    assert.equal(names.size, 3);
  });

  it('keeps an explicit creationTimestamp and does not touch the parent', () => {
    const set = upstreamSet();
    set.spec.template.metadata.creationTimestamp = null;
    const data = templatePatch(set);
    assert.equal(revisionDataBytes(data), UPSTREAM_DATA);
    assert.equal(set.spec.template.$patch, undefined);
  });

  it('cuts long prefixes to 223 characters', () => {
    assert.equal(controllerRevisionName('x'.repeat(300), 'h'), `${'x'.repeat(223)}-h`);
    assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
  });
});

describe('revision helpers', () => {
  const a = templatePatch(upstreamSet());
  const b = templatePatch({ spec: { template: { spec: { containers: [{ name: 'x', image: 'y' }] } } } });
  it('equalRevision compares data bytes, whatever the key order', () => {
    const reordered = JSON.parse(JSON.stringify({ spec: { template: { spec: a.spec.template.spec, metadata: a.spec.template.metadata, $patch: 'replace' } } }));
    assert.ok(equalRevision(rev('a', 1, a), rev('b', 2, reordered)));
    assert.ok(!equalRevision(rev('a', 1, a), rev('b', 1, b)));
    assert.ok(equalRevision(undefined, undefined));
    assert.ok(!equalRevision(rev('a', 1, a), undefined));
  });

  it('sorts by revision, then creation time, then name; nextRevision follows the last', () => {
    const list = [rev('c', 2, a), rev('b', 1, a, { creationTimestamp: '2024-01-02T00:00:00Z' }), rev('a', 1, a, { creationTimestamp: '2024-01-02T00:00:00Z' }), rev('z', 1, a)];
    assert.deepEqual(sortControllerRevisions(list).map((r) => r.metadata.name), ['z', 'a', 'b', 'c']);
    assert.equal(nextRevision(list), 3);
    assert.equal(nextRevision([]), 1);
  });

  it('applyRevision replaces the template and keeps everything else', () => {
    const set = { metadata: { name: 's' }, spec: { replicas: 3, template: { metadata: { labels: { old: '1' } }, spec: { containers: [{ name: 'old' }] } } } };
    const out = applyRevision(set, { data: b });
    assert.equal(out.spec.replicas, 3);
    assert.deepEqual(out.spec.template, { metadata: {}, spec: { containers: [{ name: 'x', image: 'y' }] } });
    assert.deepEqual(set.spec.template.metadata.labels, { old: '1' }, 'the parent is not modified');
  });

  const truncCases: { name: string; live: string[]; excess: number; want: string[] }[] = [
    { name: 'oldest first', live: [], excess: 2, want: ['r1', 'r2'] },
    { name: 'live ones are skipped', live: ['r1', 'r3'], excess: 2, want: ['r2', 'r4'] },
    { name: 'nothing in excess', live: [], excess: 0, want: [] },
    { name: 'more excess than candidates', live: ['r2'], excess: 9, want: ['r1', 'r3', 'r4'] },
  ];
  for (const c of truncCases) {
    it(`revisionsToTruncate: ${c.name}`, () => {
      const sorted = [1, 2, 3, 4].map((i) => rev(`r${i}`, i, a));
      assert.deepEqual(revisionsToTruncate(sorted, (r) => c.live.includes(r.metadata.name), c.excess).map((r) => r.metadata.name), c.want);
    });
  }
});

describe('History', () => {
  const parent = (): Obj => ({ metadata: { name: 'web', namespace: 'ns', uid: 'u1' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } });

  it('lists revisions matching the selector that the parent owns or nobody controls', async () => {
    const owned = (uid: string) => ({ ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'x', uid, controller: true }] });
    const h = harness([
      [CONTROLLER_REVISIONS, { metadata: { name: 'mine', namespace: 'ns', labels: { app: 'web' }, ...owned('u1') }, revision: 1 }],
      [CONTROLLER_REVISIONS, { metadata: { name: 'orphan', namespace: 'ns', labels: { app: 'web' } }, revision: 1 }],
      [CONTROLLER_REVISIONS, { metadata: { name: 'other', namespace: 'ns', labels: { app: 'web' }, ...owned('u2') }, revision: 1 }],
      [CONTROLLER_REVISIONS, { metadata: { name: 'unlabelled', namespace: 'ns', labels: { app: 'db' } }, revision: 1 }],
      [CONTROLLER_REVISIONS, { metadata: { name: 'elsewhere', namespace: 'other', labels: { app: 'web' } }, revision: 1 }],
    ]);
    try {
      const hist = new History(h.fake, h.informer(CONTROLLER_REVISIONS));
      await h.sync();
      assert.deepEqual(hist.list(parent(), parseLabelSelector('app=web')).map((r) => r.metadata.name).sort(), ['mine', 'orphan']);
    } finally {
      await h.close();
    }
  });

  it('create: an identical existing revision is returned; a different one bumps the collision count', async () => {
    const h = harness();
    try {
      const hist = new History(h.fake, h.informer(CONTROLLER_REVISIONS));
      await h.sync();
      const data = templatePatch(parent());
      const cr = newControllerRevision(parent(), STS, { app: 'web' }, data, 1, 0);
      const first = await hist.create(parent(), cr, 0);
      assert.equal(first.collisionCount, 0);
      assert.equal(first.revision.metadata.name, cr.metadata.name);
      const again = await hist.create(parent(), cr, 0);
      assert.equal(again.collisionCount, 0);
      assert.equal(again.revision.metadata.uid, first.revision.metadata.uid);

      // Someone else's data under the name the next revision wants.
      const other = templatePatch({ spec: { template: { spec: { containers: [{ name: 'c', image: 'j' }] } } } });
      const squatted = controllerRevisionName('web', hashControllerRevision(other, 0));
      await h.fake.create(CONTROLLER_REVISIONS, 'ns', { metadata: { name: squatted }, data, revision: 9 });
      const bumped = await hist.create(parent(), newControllerRevision(parent(), STS, {}, other, 2, 0), 0);
      assert.equal(bumped.collisionCount, 1);
      assert.equal(bumped.revision.metadata.name, controllerRevisionName('web', hashControllerRevision(other, 1)));
    } finally {
      await h.close();
    }
  });

  it('updateRevision retries conflicts from the cache', async () => {
    const h = harness([[CONTROLLER_REVISIONS, { metadata: { name: 'r', namespace: 'ns' }, revision: 1 }]]);
    try {
      const inf = h.informer(CONTROLLER_REVISIONS);
      const hist = new History(h.fake, inf);
      await h.sync();
      const stale = { ...inf.store.get('ns', 'r')!, metadata: { ...inf.store.get('ns', 'r')!.metadata } };
      let failures = 1;
      h.fake.prependReactor('update', 'controllerrevisions', () => {
        if (failures-- > 0) throw conflict('apps', 'controllerrevisions', 'r');
        return undefined;
      });
      const out = await hist.updateRevision(stale, 5);
      assert.equal(out.revision, 5);
      await until(() => h.fake.object(CONTROLLER_REVISIONS, 'ns', 'r')?.revision === 5, 'revision renumbered');
      assert.equal(h.fake.writes().filter((w) => w.verb === 'update').length, 2);
    } finally {
      await h.close();
    }
  });

  it('adopt and release patch the owner references by uid', async () => {
    const h = harness([[CONTROLLER_REVISIONS, { metadata: { name: 'r', namespace: 'ns', uid: 'ru' }, revision: 1 }]]);
    try {
      const hist = new History(h.fake, h.informer(CONTROLLER_REVISIONS));
      await h.sync();
      const r = h.fake.object(CONTROLLER_REVISIONS, 'ns', 'r')!;
      const adopted = await hist.adopt(parent(), STS, r);
      assert.equal(adopted.metadata.ownerReferences[0].uid, 'u1');
      await assert.rejects(hist.adopt(parent(), STS, adopted), /attempt to adopt revision owned by/);
      h.fake.clearActions();
      await hist.release(parent(), adopted);
      assert.deepEqual(h.fake.writes()[0].object, { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'u1' }], uid: 'ru' } });
      assert.equal(h.fake.writes()[0].patchType, 'strategic');
    } finally {
      await h.close();
    }
  });
});
