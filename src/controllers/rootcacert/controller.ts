// Root CA publisher: every namespace holds ConfigMap kube-root-ca.crt whose `ca.crt` is the
// cluster CA bundle (pods mount it through projected service-account volumes to verify the
// API server). Edits and deletions are undone. Keys are namespace names.

import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { NAMESPACE_TERMINATING_CAUSE, hasStatusCause, isAlreadyExists, isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { stderrLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/workqueue.js';

export const CONFIG_MAPS: ResourceRef = findResource('', 'v1', 'configmaps')!;
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** Upstream's text verbatim: users and tools read this annotation. */
export const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. '
  + 'No other usage is guaranteed across distributions of Kubernetes clusters.';

export interface RootCACertPublisherOptions {
  client: KubeClient;
  namespaces: Informer;
  configMaps: Informer;
  /** PEM bundle to publish. */
  rootCA: string;
  workers?: number;
  log?: Logger;
}

export class RootCACertPublisher {
  readonly queue: WorkQueue<string>;
  private readonly log: Logger;

  constructor(private readonly o: RootCACertPublisherOptions) {
    this.queue = new WorkQueue<string>();
    this.log = o.log ?? stderrLogger('root-ca-cert-publisher');
    const enqueueNs = (ns: Obj): void => this.queue.add(ns.metadata.name);
    o.namespaces.addEventHandler({ onAdd: enqueueNs, onUpdate: (_old, ns) => enqueueNs(ns) });
    const enqueueCm = (cm: Obj): void => {
      if (cm.metadata?.name === ROOT_CA_CONFIGMAP) this.queue.add(cm.metadata.namespace);
    };
    o.configMaps.addEventHandler({ onUpdate: (_old, cm) => enqueueCm(cm), onDelete: enqueueCm });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'root-ca-cert-publisher', queue: this.queue, informers: [this.o.namespaces, this.o.configMaps],
      workers: this.o.workers ?? 1, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  async sync(namespace: string, signal?: AbortSignal): Promise<void> {
    const ns = this.o.namespaces.store.get('', namespace);
    // Gone or terminating: nothing may be created there any more.
    if (!ns || ns.metadata?.deletionTimestamp) return;
    const data = { 'ca.crt': this.o.rootCA };
    const cm = this.o.configMaps.store.get(namespace, ROOT_CA_CONFIGMAP);
    if (!cm) {
      try {
        await this.o.client.create(CONFIG_MAPS, namespace, {
          apiVersion: 'v1', kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } },
          data,
        }, { signal });
      } catch (err) {
        // The informer will show the existing one; a missing or terminating namespace is no retry.
        if (isAlreadyExists(err) || isNotFound(err) || hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) return;
        throw err;
      }
      return;
    }
    const sameData = Object.keys(cm.data ?? {}).length === 1 && cm.data?.['ca.crt'] === this.o.rootCA;
    if (sameData && cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION]) return;
    const next = clone(cm);
    next.data = data;
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: DESCRIPTION };
    try {
      await this.o.client.update(CONFIG_MAPS, namespace, next, { signal });
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile: the delete event requeues
      throw err;
    }
  }
}
