import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { DEFAULT_STORAGE_CLASS_NAME, LOCAL_PATH_PROVISIONER, STORAGE_CLASSES, ensureDefaultStorageClass } from './storageclass.js';

const DEFAULT = 'storageclass.kubernetes.io/is-default-class';
const opts = { log: silentLogger, retryDelayMs: 1 };

describe('ensureDefaultStorageClass', () => {
  it('creates local-path as the default class on a fresh cluster', async () => {
    const fake = new FakeClient();
    const out = await ensureDefaultStorageClass(fake, opts);
    const stored = fake.object(STORAGE_CLASSES, '', DEFAULT_STORAGE_CLASS_NAME)!;
    assert.deepEqual(out, stored);
    assert.equal(stored.metadata.annotations[DEFAULT], 'true');
    assert.equal(stored.provisioner, LOCAL_PATH_PROVISIONER);
    assert.equal(stored.reclaimPolicy, 'Delete');
    assert.equal(stored.volumeBindingMode, 'WaitForFirstConsumer');
  });

  it('never touches an existing class (user edits survive)', async () => {
    const edited: Obj = {
      metadata: { name: 'local-path', labels: { mine: 'yes' }, annotations: { [DEFAULT]: 'false' } },
      provisioner: LOCAL_PATH_PROVISIONER, reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer',
    };
    const fake = new FakeClient().seed(STORAGE_CLASSES, edited);
    const out = await ensureDefaultStorageClass(fake, opts);
    assert.equal(fake.writes().length, 0);
    assert.equal(out.reclaimPolicy, 'Retain');
    assert.equal(out.metadata.annotations[DEFAULT], 'false');
  });

  it('another class is already the default: local-path is created without the mark', async () => {
    const fake = new FakeClient().seed(STORAGE_CLASSES, { metadata: { name: 'fast', annotations: { [DEFAULT]: 'true' } }, provisioner: 'example.com/x' });
    const out = await ensureDefaultStorageClass(fake, opts);
    assert.equal(out.metadata.annotations?.[DEFAULT], undefined);
    assert.equal(fake.objects(STORAGE_CLASSES).length, 2);
  });

  it('a racing creator wins: its class is returned', async () => {
    const fake = new FakeClient();
    fake.prependReactor('create', 'storageclasses', () => {
      fake.prependReactor('create', 'storageclasses', () => undefined);
      void fake.seed(STORAGE_CLASSES, { metadata: { name: 'local-path', labels: { by: 'other' } }, provisioner: LOCAL_PATH_PROVISIONER });
      throw new ApiError(409, 'AlreadyExists', 'storageclasses.storage.k8s.io "local-path" already exists');
    });
    const out = await ensureDefaultStorageClass(fake, opts);
    assert.equal(out.metadata.labels.by, 'other');
  });

  it('retries transient failures, gives up on refusals', async () => {
    let failures = 2;
    const fake = new FakeClient();
    fake.prependReactor('get', 'storageclasses', () => {
      if (failures-- > 0) throw new ApiError(503, 'ServiceUnavailable', 'starting');
      return undefined;
    });
    await ensureDefaultStorageClass(fake, opts);
    assert.ok(fake.object(STORAGE_CLASSES, '', 'local-path'));

    const refused = new FakeClient();
    let calls = 0;
    refused.prependReactor('get', 'storageclasses', () => {
      calls++;
      throw new ApiError(403, 'Forbidden', 'no');
    });
    await assert.rejects(ensureDefaultStorageClass(refused, opts), /no/);
    assert.equal(calls, 1);

    const down = new FakeClient();
    down.prependReactor('get', 'storageclasses', () => {
      throw new ApiError(500, 'InternalError', 'down');
    });
    await assert.rejects(ensureDefaultStorageClass(down, { ...opts, attempts: 3 }), /down/);
    assert.equal(down.actions.filter((a) => a.verb === 'get').length, 3);
  });
});
