// ServiceAccounts controller: every Active namespace has a `default` ServiceAccount; one that
// is deleted is created again. Keys are namespace names.

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { NAMESPACE_TERMINATING_CAUSE, hasStatusCause, isAlreadyExists } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/workqueue.js';

export const SERVICE_ACCOUNTS: ResourceRef = findResource('', 'v1', 'serviceaccounts')!;

export interface ServiceAccountsControllerOptions {
  client: KubeClient;
  namespaces: Informer;
  serviceAccounts: Informer;
  /** Names to ensure in each namespace (default ["default"]). */
  names?: string[];
  workers?: number;
  log?: Logger;
}

export class ServiceAccountsController {
  readonly queue: WorkQueue<string>;
  private readonly names: string[];
  private readonly log: Logger;

  constructor(private readonly o: ServiceAccountsControllerOptions) {
    this.queue = new WorkQueue<string>();
    this.names = o.names ?? ['default'];
    this.log = o.log ?? stderrLogger('serviceaccount-controller');
    const enqueueNs = (ns: Obj): void => this.queue.add(ns.metadata.name);
    o.namespaces.addEventHandler({ onAdd: enqueueNs, onUpdate: (_old, ns) => enqueueNs(ns) });
    o.serviceAccounts.addEventHandler({
      onDelete: (sa) => {
        if (this.names.includes(sa.metadata?.name)) this.queue.add(sa.metadata.namespace);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'serviceaccount-controller', queue: this.queue, informers: [this.o.namespaces, this.o.serviceAccounts],
      workers: this.o.workers ?? 5, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  async sync(namespace: string, signal?: AbortSignal): Promise<void> {
    const ns = this.o.namespaces.store.get('', namespace);
    if (!ns || ns.status?.phase !== 'Active') return;
    const failures: string[] = [];
    for (const name of this.names) {
      if (this.o.serviceAccounts.store.get(namespace, name)) continue;
      try {
        await this.o.client.create(SERVICE_ACCOUNTS, namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } }, { signal });
      } catch (err) {
        // A namespace that began terminating needs no accounts.
        if (isAlreadyExists(err) || hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) continue;
        failures.push(errMsg(err));
      }
    }
    if (failures.length) throw new Error(failures.join('; '));
  }
}
