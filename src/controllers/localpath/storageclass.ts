// The built-in default StorageClass, as k3s ships `local-path`: created when missing at
// controller start, never updated afterwards, so a user's edits (labels, annotations, even
// removing the default mark) survive restarts.

import { ApiError } from '../../api/errors.js';
import { findResource } from '../../api/resources.js';
import { IS_DEFAULT_CLASS_ANNOTATION, getDefaultStorageClass } from '../../api/storage-default.js';
import type { Obj } from '../../api/types.js';
import { isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { sleep } from '../../client/wait.js';

export const STORAGE_CLASSES: ResourceRef = findResource('storage.k8s.io', 'v1', 'storageclasses')!;
export const LOCAL_PATH_PROVISIONER = 'skiff.dev/local-path';
export const DEFAULT_STORAGE_CLASS_NAME = 'local-path';

/** The class as created on a fresh cluster. */
export function defaultStorageClass(isDefault = true): Obj {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: DEFAULT_STORAGE_CLASS_NAME,
      ...(isDefault ? { annotations: { [IS_DEFAULT_CLASS_ANNOTATION]: 'true' } } : {}),
    },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
  };
}

export interface EnsureDefaultStorageClassOptions {
  signal?: AbortSignal;
  log?: Logger;
  /** Attempts on transient failures (server starting, 5xx); default 10. */
  attempts?: number;
  /** First wait between attempts, doubling up to 5 s (default 500 ms). */
  retryDelayMs?: number;
}

/**
 * Creates the `local-path` StorageClass unless it exists, and returns the class as stored.
 * An existing class is returned untouched. When the admin has already made another class
 * the default, local-path is created without the default mark so there is still one default.
 */
export async function ensureDefaultStorageClass(client: KubeClient, o: EnsureDefaultStorageClassOptions = {}): Promise<Obj> {
  const log = o.log ?? stderrLogger('storageclass');
  const attempts = Math.max(1, o.attempts ?? 10);
  let delay = o.retryDelayMs ?? 500;
  for (let i = 1; ; i++) {
    try {
      return await ensureOnce(client, log, o.signal);
    } catch (err) {
      const permanent = err instanceof ApiError && err.code >= 400 && err.code < 500 && err.code !== 429;
      if (permanent || i >= attempts || o.signal?.aborted) throw err;
      log.warn(`ensuring StorageClass ${DEFAULT_STORAGE_CLASS_NAME} failed (attempt ${i}): ${errMsg(err)}`);
      if (!(await sleep(delay, o.signal))) throw err;
      delay = Math.min(delay * 2, 5000);
    }
  }
}

async function ensureOnce(client: KubeClient, log: Logger, signal?: AbortSignal): Promise<Obj> {
  try {
    return await client.get(STORAGE_CLASSES, '', DEFAULT_STORAGE_CLASS_NAME, { signal });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const classes = (await client.list(STORAGE_CLASSES, '', { signal })).items ?? [];
  const otherDefault = getDefaultStorageClass(classes);
  try {
    const out = await client.create(STORAGE_CLASSES, '', defaultStorageClass(!otherDefault), { signal });
    log.info(`created StorageClass ${DEFAULT_STORAGE_CLASS_NAME}${otherDefault ? ` (not default: ${otherDefault.metadata.name} is)` : ' (default)'}`);
    return out;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    return client.get(STORAGE_CLASSES, '', DEFAULT_STORAGE_CLASS_NAME, { signal });
  }
}
