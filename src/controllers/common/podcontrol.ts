// PodControl (upstream RealPodControl): the one place workload controllers create and delete
// pods, so every controller records the same events:
//  - SuccessfulCreate "Created pod: NAME" / FailedCreate "Error creating: <API message>"
//    (no event when the namespace is terminating: every create would fail there);
//  - SuccessfulDelete "Deleted pod: NAME" / FailedDelete "Error deleting: <API message>"
//    (a pod already gone is no event, and the NotFound error is passed on).
// Pods from a template get generateName `<owner>-`, the template's labels, annotations and
// finalizers, its spec, and the controller reference.

import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import { hasStatusCause, isNotFound, NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { DeleteOptions, KubeClient, ResourceRef } from '../../client/interface.js';

export const PODS: ResourceRef = findResource('', 'v1', 'pods')!;

export const FAILED_CREATE_POD_REASON = 'FailedCreate';
export const SUCCESSFUL_CREATE_POD_REASON = 'SuccessfulCreate';
export const FAILED_DELETE_POD_REASON = 'FailedDelete';
export const SUCCESSFUL_DELETE_POD_REASON = 'SuccessfulDelete';

/** Largest batch of pod creations/deletions per sync (upstream BurstReplicas). */
export const BURST_REPLICAS = 500;
/** First slow-start batch size (upstream SlowStartInitialBatchSize). */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** `<name>-` when that is a valid generateName, else the name itself (getPodsPrefix). */
export function getPodsPrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  // generateName validation masks the trailing dash and checks the rest as a DNS subdomain.
  const masked = prefix.replace(/-$/, 'a');
  return masked.length <= 253 && DNS_SUBDOMAIN.test(masked) ? prefix : controllerName;
}

/** The pod a controller creates from a template (GetPodFromTemplate). */
export function getPodFromTemplate(template: Obj | undefined, owner: Obj, controllerRef?: Obj, generateName?: string): Obj {
  const meta = template?.metadata ?? {};
  const metadata: Obj = { generateName: generateName ?? getPodsPrefix(owner.metadata.name) };
  if (meta.labels && Object.keys(meta.labels).length) metadata.labels = { ...meta.labels };
  if (meta.annotations && Object.keys(meta.annotations).length) metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) metadata.finalizers = [...meta.finalizers];
  if (controllerRef) metadata.ownerReferences = [clone(controllerRef)];
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: clone(template?.spec ?? {}) };
}

export interface PodControlOptions {
  client: KubeClient;
  recorder?: EventRecorder;
}

export interface CreatePodsOptions {
  /** Instead of `<owner>-` (CreatePodsWithGenerateName). */
  generateName?: string;
  signal?: AbortSignal;
}

export class PodControl {
  constructor(private readonly o: PodControlOptions) {}

  /** Creates one pod from the template, owned by controllerRef; events go on `owner`. */
  createPods(namespace: string, template: Obj | undefined, owner: Obj, controllerRef?: Obj, opts: CreatePodsOptions = {}): Promise<Obj> {
    const pod = getPodFromTemplate(template, owner, controllerRef, opts.generateName);
    return this.createPod(namespace, pod, owner, opts.signal);
  }

  /** Creates a fully built pod (StatefulSets name theirs), with the same events. */
  async createPod(namespace: string, pod: Obj, owner: Obj, signal?: AbortSignal): Promise<Obj> {
    if (!pod.metadata?.labels || Object.keys(pod.metadata.labels).length === 0) {
      throw new Error('unable to create pods, no labels');
    }
    let created: Obj;
    try {
      created = await this.o.client.create(PODS, namespace, pod, { signal });
    } catch (err) {
      if (!hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) {
        this.o.recorder?.event(owner, 'Warning', FAILED_CREATE_POD_REASON, `Error creating: ${(err as Error).message}`);
      }
      throw err;
    }
    this.o.recorder?.event(owner, 'Normal', SUCCESSFUL_CREATE_POD_REASON, `Created pod: ${created.metadata?.name}`);
    return created;
  }

  /** Deletes a pod; NotFound is rethrown without an event (callers decide what it means). */
  async deletePod(namespace: string, name: string, owner: Obj, opts: DeleteOptions = {}): Promise<void> {
    try {
      await this.o.client.delete(PODS, namespace, name, opts);
    } catch (err) {
      if (isNotFound(err)) throw err;
      this.o.recorder?.event(owner, 'Warning', FAILED_DELETE_POD_REASON, `Error deleting: ${(err as Error).message}`);
      throw new Error(`unable to delete pods: ${(err as Error).message}`, { cause: err });
    }
    this.o.recorder?.event(owner, 'Normal', SUCCESSFUL_DELETE_POD_REASON, `Deleted pod: ${name}`);
  }

  /** A strategic-merge patch of a pod (adoption, release, labels). */
  patchPod(namespace: string, name: string, patch: Obj, signal?: AbortSignal): Promise<Obj> {
    return this.o.client.patch(PODS, namespace, name, 'strategic', patch, { signal });
  }
}

/**
 * slowStartBatch: runs `count` calls of fn in batches of 1, 2, 4, ... (each batch in
 * parallel), stopping after the first batch with a failure. Resolves to the number of
 * successes and the first error of that batch (if any); calls never started are not counted.
 */
export async function slowStartBatch(count: number, initialBatchSize: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    let error: Error | undefined;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else error ??= r.reason as Error;
    }
    if (error) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}
