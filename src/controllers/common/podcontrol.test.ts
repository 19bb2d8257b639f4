import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError, forbidden } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import { EventRecorder } from '../../client/events.js';
import { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { R } from '../testutil.js';
import { KIND_REPLICASET, newControllerRef } from './ownerref.js';
import { PodControl, getPodFromTemplate, getPodsPrefix, slowStartBatch } from './podcontrol.js';

const owner: Obj = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'rs-uid' } };
const template: Obj = {
  metadata: { labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['f'] },
  spec: { containers: [{ name: 'c', image: 'busybox' }] },
};

function setup() {
  const fake = new FakeClient();
  const recorder = new EventRecorder(fake, { component: 'replicaset-controller', log: silentLogger, maxAttempts: 1 });
  return { fake, recorder, pc: new PodControl({ client: fake, recorder }) };
}
const events = async (fake: FakeClient, recorder: EventRecorder) => {
  await recorder.flush();
  return fake.objects(R.events).map((e) => `${e.type} ${e.reason} ${e.message}`);
};

describe('getPodFromTemplate', () => {
  it('copies labels, annotations, finalizers and spec; adds generateName and the reference', () => {
    const ref = newControllerRef(owner, KIND_REPLICASET);
    const p = getPodFromTemplate(template, owner, ref);
    assert.deepEqual(p.metadata, { generateName: 'web-', labels: { app: 'web' }, annotations: { a: 'b' }, finalizers: ['f'], ownerReferences: [ref] });
    assert.deepEqual(p.spec, template.spec);
    assert.notEqual(p.spec, template.spec, 'a copy');
  });

  const prefixes: [string, string][] = [['web', 'web-'], ['a.b', 'a.b-'], ['x'.repeat(253), 'x'.repeat(253)]];
  for (const [name, want] of prefixes) it(`prefix of ${name.slice(0, 10)}`, () => assert.equal(getPodsPrefix(name), want));
});

describe('PodControl', () => {
  it('creates a pod and records SuccessfulCreate', async () => {
    const { fake, recorder, pc } = setup();
    const created = await pc.createPods('ns', template, owner, newControllerRef(owner, KIND_REPLICASET));
    assert.match(created.metadata.name, /^web-/);
    assert.deepEqual(await events(fake, recorder), [`Normal SuccessfulCreate Created pod: ${created.metadata.name}`]);
  });

  it('a refused create records FailedCreate with the API message', async () => {
    const { fake, recorder, pc } = setup();
    const msg = 'exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1';
    fake.prependReactor('create', 'pods', () => { throw forbidden('', 'pods', 'web-abcde', msg); });
    await assert.rejects(pc.createPods('ns', template, owner), /forbidden/);
    const evs = await events(fake, recorder);
    assert.deepEqual(evs, [`Warning FailedCreate Error creating: pods "web-abcde" is forbidden: ${msg}`]);
  });

  it('no event when the namespace is terminating', async () => {
    const { fake, recorder, pc } = setup();
    fake.prependReactor('create', 'pods', () => {
      throw new ApiError(403, 'Forbidden', 'namespace ns is being terminated', { causes: [{ reason: NAMESPACE_TERMINATING_CAUSE, message: 'x' }] });
    });
    await assert.rejects(pc.createPods('ns', template, owner));
    assert.deepEqual(await events(fake, recorder), []);
  });

  it('a template without labels is refused before any call', async () => {
    const { fake, pc } = setup();
    await assert.rejects(pc.createPods('ns', { spec: {} }, owner), /unable to create pods, no labels/);
    assert.equal(fake.writes().length, 0);
  });

  it('deletes with SuccessfulDelete; NotFound passes through silently; other errors FailedDelete', async () => {
    const { fake, recorder, pc } = setup();
    fake.seed(R.pods, { metadata: { name: 'p1', namespace: 'ns' } });
    await pc.deletePod('ns', 'p1', owner);
    await assert.rejects(pc.deletePod('ns', 'p1', owner), (e: unknown) => e instanceof ApiError && e.code === 404);
    fake.prependReactor('delete', 'pods', () => { throw new ApiError(500, 'InternalError', 'boom'); });
    await assert.rejects(pc.deletePod('ns', 'p2', owner), /unable to delete pods: boom/);
    assert.deepEqual(await events(fake, recorder), ['Normal SuccessfulDelete Deleted pod: p1', 'Warning FailedDelete Error deleting: boom']);
  });
});

describe('slowStartBatch', () => {
  const cases: { name: string; count: number; failAt?: number; want: { successes: number; calls: number; error: boolean } }[] = [
    { name: 'all succeed', count: 10, want: { successes: 10, calls: 10, error: false } },
    { name: 'zero', count: 0, want: { successes: 0, calls: 0, error: false } },
    // batches 1, 2, 4: the 4th call (first of the third batch) fails; the batch completes, no more start
    { name: 'failure stops after its batch', count: 20, failAt: 4, want: { successes: 6, calls: 7, error: true } },
    { name: 'first call fails', count: 500, failAt: 1, want: { successes: 0, calls: 1, error: true } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      let calls = 0;
      const r = await slowStartBatch(c.count, 1, async () => {
        calls++;
        if (calls === c.failAt) throw new Error('nope');
      });
      assert.deepEqual({ successes: r.successes, calls, error: !!r.error }, c.want);
    });
  }

  it('batch sizes double: 1, 2, 4, 8, ...', async () => {
    const sizes: number[] = [];
    let inBatch = 0;
    await slowStartBatch(20, 1, async () => {
      if (inBatch === 0) queueMicrotask(() => { sizes.push(inBatch); inBatch = 0; });
      inBatch++;
    });
    assert.deepEqual(sizes, [1, 2, 4, 8, 5]);
  });
});
