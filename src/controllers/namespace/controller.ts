// Namespace lifecycle (kube-controller-manager's namespace controller). When a Namespace has a
// deletionTimestamp (the API server also sets status.phase=Terminating and keeps the
// "kubernetes" entry in spec.finalizers), this controller deletes everything inside it, one
// deletecollection per namespaced resource, waits until the content is gone (requeueing with
// a delay while it remains), reports progress in the namespace's status conditions, and
// finally removes "kubernetes" through PUT /api/v1/namespaces/NAME/finalize, after which the
// API server removes the namespace itself.

import { RESOURCES, findResource, storageGroupOf } from '../../api/resources.js';
import { clone, nowRFC3339, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isConflict, isMethodNotSupported, isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { WorkQueue, type SyncResult } from '../../client/workqueue.js';

export const NAMESPACES: ResourceRef = findResource('', 'v1', 'namespaces')!;
export const FINALIZER_KUBERNETES = 'kubernetes';
/** Assumed time for finalizers on remaining content to finish (upstream finalizerEstimateSeconds). */
const FINALIZER_ESTIMATE_SECONDS = 15;
const CONFLICT_RETRIES = 5;

export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

/** The "all is well" variant of each condition (reasons and messages as upstream). */
const OK_CONDITION: Record<(typeof CONDITION_TYPES)[number], [string, string]> = {
  NamespaceDeletionDiscoveryFailure: ['ResourcesDiscovered', 'All resources successfully discovered'],
  NamespaceDeletionGroupVersionParsingFailure: ['ParsedGroupVersions', 'All legacy kube types successfully parsed'],
  NamespaceDeletionContentFailure: ['ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
  NamespaceContentRemaining: ['ContentRemoved', 'All content successfully removed'],
  NamespaceFinalizersRemaining: ['ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
};

interface ResourceToDelete extends ResourceRef { verbs: string[] }

/**
 * Every stored, namespaced resource that can be listed and deleted, once per storage location
 * (events.k8s.io events are core events; autoscaling v1 and v2 share one store).
 */
export function deletableNamespacedResources(): ResourceToDelete[] {
  const seen = new Set<string>();
  const out: ResourceToDelete[] = [];
  for (const ri of RESOURCES) {
    if (!ri.namespaced || ri.virtual || !ri.verbs.includes('list')) continue;
    if (!ri.verbs.includes('delete') && !ri.verbs.includes('deletecollection')) continue;
    const key = `${storageGroupOf(ri)}/${ri.plural}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ group: ri.group, version: ri.version, plural: ri.plural, kind: ri.kind, verbs: ri.verbs });
  }
  return out;
}

export interface NamespaceControllerOptions {
  client: KubeClient;
  namespaces: Informer;
  /** What to empty a namespace of (default: deletableNamespacedResources()). */
  resources?: () => ResourceToDelete[];
  workers?: number;
  /**
   * Wait after a namespace event before acting, so every API server has seen the
   * deletionTimestamp and refuses new content (upstream namespaceDeletionGracePeriod: 5 s).
   */
  deletionGracePeriodMs?: number;
  /** Assumed seconds for finalizers on remaining content to finish (default 15, as upstream). */
  finalizerEstimateSeconds?: number;
  log?: Logger;
}

interface GvrResult { estimate: number; remaining: number; finalizers: Map<string, number> }

export class NamespaceController {
  readonly queue: WorkQueue<string>;
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly resources: () => ResourceToDelete[];
  /** Resources whose deletecollection/list the server refused (405/404): not asked again. */
  private readonly unsupported = new Set<string>();

  constructor(private readonly o: NamespaceControllerOptions) {
    this.client = o.client;
    this.log = o.log ?? stderrLogger('namespace-controller');
    this.resources = o.resources ?? deletableNamespacedResources;
    this.queue = new WorkQueue<string>();
    const enqueue = (ns: Obj): void => {
      // Only namespaces being deleted need this controller.
      if (!ns?.metadata?.deletionTimestamp) return;
      this.queue.addAfter(ns.metadata.name, o.deletionGracePeriodMs ?? 5000);
    };
    o.namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'namespace-controller', queue: this.queue, informers: [this.o.namespaces],
      workers: this.o.workers ?? 10, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  async sync(key: string, signal?: AbortSignal): Promise<void | SyncResult> {
    const cached = this.o.namespaces.store.get('', key);
    if (!cached || !cached.metadata?.deletionTimestamp) return;
    // Several actors edit a terminating namespace: work from its latest state.
    let ns: Obj;
    try {
      ns = await this.client.get(NAMESPACES, '', key, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!ns.metadata?.deletionTimestamp) return;
    const terminating = await this.retryOnConflict(ns, (cur) => this.ensureTerminating(cur, signal), signal);
    if (!terminating) return;
    ns = terminating;
    if (!(ns.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) return;

    const estimate = await this.deleteAllContent(ns, signal);
    if (estimate > 0) {
      this.log.info(`namespace ${key}: content remains, estimate ${estimate} s`);
      return { requeueAfterMs: (Math.floor(estimate / 2) + 1) * 1000 };
    }
    await this.retryOnConflict(ns, (cur) => this.finalize(cur, signal), signal);
  }

  /** Runs fn, re-reading the namespace on conflicts. Resolves undefined if it disappeared. */
  private async retryOnConflict(ns: Obj, fn: (cur: Obj) => Promise<Obj>, signal?: AbortSignal): Promise<Obj | undefined> {
    let cur = ns;
    for (let i = 0; ; i++) {
      try {
        return await fn(cur);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        if (!isConflict(err) || i >= CONFLICT_RETRIES) throw err;
      }
      let latest: Obj;
      try {
        latest = await this.client.get(NAMESPACES, '', cur.metadata.name, { signal });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
      if (latest.metadata?.uid !== cur.metadata?.uid) throw new Error('namespace uid has changed across retries');
      cur = latest;
    }
  }

  private async ensureTerminating(ns: Obj, signal?: AbortSignal): Promise<Obj> {
    if (ns.status?.phase === 'Terminating') return ns;
    const next = clone(ns);
    next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    return this.client.updateStatus(NAMESPACES, '', next, { signal });
  }

  private async finalize(ns: Obj, signal?: AbortSignal): Promise<Obj> {
    const next = clone(ns);
    const rest = [...new Set<string>((ns.spec?.finalizers ?? []).filter((f: string) => f !== FINALIZER_KUBERNETES))].sort();
    next.spec = { ...(next.spec ?? {}), finalizers: rest };
    const out = await this.client.subresource('PUT', NAMESPACES, '', ns.metadata.name, 'finalize', next, { signal });
    this.log.info(`namespace ${ns.metadata.name}: finalized`);
    return out;
  }

  /** Deletes every resource type's content; returns seconds to wait before checking again. */
  private async deleteAllContent(ns: Obj, signal?: AbortSignal): Promise<number> {
    const name: string = ns.metadata.name;
    let estimate = 0;
    const errs: string[] = [];
    const remaining: string[] = [];
    const finalizers = new Map<string, number>();
    for (const res of this.resources()) {
      if (signal?.aborted) throw new Error('aborted');
      try {
        const r = await this.deleteAllOf(res, name, ns.metadata.deletionTimestamp, signal);
        estimate = Math.max(estimate, r.estimate);
        if (r.remaining > 0) remaining.push(`${res.plural}.${res.group} has ${r.remaining} resource instances`);
        for (const [f, n] of r.finalizers) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
      } catch (err) {
        if (err instanceof RemainingError) {
          remaining.push(`${res.plural}.${res.group} has ${err.remaining} resource instances`);
        }
        errs.push(errMsg(err));
      }
    }
    const failures: Obj[] = [];
    const now = nowRFC3339();
    const cond = (type: string, reason: string, message: string): Obj => ({ type, status: 'True', lastTransitionTime: now, reason, message });
    if (errs.length) failures.push(cond('NamespaceDeletionContentFailure', 'ContentDeletionFailed', `Failed to delete all resource types, ${errs.length} remaining: ${errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`}`));
    if (remaining.length) failures.push(cond('NamespaceContentRemaining', 'SomeResourcesRemain', `Some resources are remaining: ${remaining.sort().join(', ')}`));
    if (finalizers.size) {
      const parts = [...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).sort();
      failures.push(cond('NamespaceFinalizersRemaining', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${parts.join(', ')}`));
    }
    await this.updateConditions(ns, failures, signal);
    if (errs.length) throw new Error(`namespace ${name}: ${errs.join('; ')}`);
    return estimate;
  }

  /** Writes the conditions when any changed; a failure here is only logged (as upstream). */
  private async updateConditions(ns: Obj, failures: Obj[], signal?: AbortSignal): Promise<void> {
    const next = clone(ns);
    const conditions: Obj[] = [...(next.status?.conditions ?? [])];
    let changed = false;
    const now = nowRFC3339();
    for (const type of CONDITION_TYPES) {
      const want = failures.find((c) => c.type === type)
        ?? { type, status: 'False', lastTransitionTime: now, reason: OK_CONDITION[type][0], message: OK_CONDITION[type][1] };
      const i = conditions.findIndex((c) => c.type === type);
      if (i < 0) {
        conditions.push(want);
        changed = true;
      } else if (conditions[i].status !== want.status || conditions[i].reason !== want.reason || conditions[i].message !== want.message) {
        conditions[i] = want;
        changed = true;
      }
    }
    if (!changed) return;
    next.status = { ...(next.status ?? {}), conditions };
    try {
      const out = await this.client.updateStatus(NAMESPACES, '', next, { signal });
      // Carry the new resourceVersion so the finalize call does not conflict with our own write.
      ns.metadata.resourceVersion = out?.metadata?.resourceVersion ?? ns.metadata.resourceVersion;
      ns.status = out?.status ?? next.status;
    } catch (err) {
      this.log.warn(`couldn't update status conditions for namespace ${ns.metadata.name}: ${errMsg(err)}`);
    }
  }

  private opKey(op: string, res: ResourceRef): string {
    return `${op}|${res.group}/${res.version}/${res.plural}`;
  }

  private async deleteAllOf(res: ResourceToDelete, namespace: string, deletedAt: string, signal?: AbortSignal): Promise<GvrResult> {
    let estimate = 0;
    if (res.group === '' && res.plural === 'pods') estimate = await this.estimatePods(namespace, deletedAt, signal);

    // Deletes must not orphan dependents: the namespace owns everything in it.
    const opts = { propagationPolicy: 'Background' as const, signal };
    let collected = false;
    if (res.verbs.includes('deletecollection') && !this.unsupported.has(this.opKey('deletecollection', res))) {
      try {
        await this.client.deleteCollection(res, namespace, opts);
        collected = true;
      } catch (err) {
        if (!isMethodNotSupported(err) && !isNotFound(err)) throw err;
        this.unsupported.add(this.opKey('deletecollection', res));
      }
    }
    if (!collected) {
      const items = await this.listItems(res, namespace, signal);
      for (const it of items ?? []) {
        try {
          await this.client.delete(res, namespace, it.metadata.name, opts);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }

    const left = await this.listItems(res, namespace, signal);
    if (!left || left.length === 0) return { estimate: 0, remaining: 0, finalizers: new Map() };
    const finalizers = new Map<string, number>();
    for (const it of left) for (const f of it.metadata?.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (estimate > 0) return { estimate, remaining: left.length, finalizers };
    if (finalizers.size > 0) return { estimate: this.o.finalizerEstimateSeconds ?? FINALIZER_ESTIMATE_SECONDS, remaining: left.length, finalizers };
    // Nothing holds them, yet they are still there: treat as a failure and retry with back-off.
    throw new RemainingError(left.length, `unexpected items still remain in namespace: ${namespace} for gvr: ${res.group}/${res.version}, Resource=${res.plural}`);
  }

  /** Items of a resource in the namespace, or undefined when the server does not serve listing it. */
  private async listItems(res: ResourceToDelete, namespace: string, signal?: AbortSignal): Promise<Obj[] | undefined> {
    if (this.unsupported.has(this.opKey('list', res))) return undefined;
    try {
      return (await this.client.list(res, namespace, { signal })).items ?? [];
    } catch (err) {
      if (isMethodNotSupported(err) || isNotFound(err)) {
        this.unsupported.add(this.opKey('list', res));
        return undefined;
      }
      throw err;
    }
  }

  /** Seconds until the longest-grace non-terminal pod should be gone (estimateGracefulTermination). */
  private async estimatePods(namespace: string, deletedAt: string, signal?: AbortSignal): Promise<number> {
    const pods = await this.listItems({ group: '', version: 'v1', plural: 'pods', verbs: [] }, namespace, signal);
    let grace = 0;
    for (const p of pods ?? []) {
      const phase = p.status?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') continue;
      const g = p.spec?.terminationGracePeriodSeconds;
      if (typeof g === 'number' && g > grace) grace = g;
    }
    const elapsed = (Date.now() - Date.parse(deletedAt)) / 1000;
    return Math.max(0, Math.floor(grace - (Number.isFinite(elapsed) ? elapsed : 0)));
  }
}

/** Content that should be gone but is not, with nothing (finalizer, grace period) explaining why. */
class RemainingError extends Error {
  constructor(readonly remaining: number, message: string) {
    super(message);
  }
}
