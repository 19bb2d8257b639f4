// The garbage collector (kube-controller-manager's garbagecollector): watches every deletable
// resource, keeps the ownerReferences graph (graph.ts), and
//  - deletes objects all of whose owners are gone (background cascading; also dependents
//    whose owner never existed or has another uid). Absence is always confirmed by a live GET
//    of the owner, never read from a cache, as upstream does.
//  - drives foreground deletion: an owner being deleted with the foregroundDeletion finalizer
//    has its dependents deleted (those that have dependents of their own in foreground too)
//    and loses the finalizer once no dependent with blockOwnerDeletion=true remains;
//  - drives orphaning: an owner being deleted with the orphan finalizer has its reference
//    removed from every dependent, then loses the finalizer.
// The API server adds those finalizers on DELETE with propagationPolicy Foreground/Orphan;
// removing the last finalizer of a deleting object makes the server delete it.

import { setMaxListeners } from 'node:events';
import { RESOURCES, findKind, storageGroupOf, GROUP_ORDER } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { sleep } from '../../client/wait.js';
import { WorkQueue, runWorkers, type SyncResult } from '../../client/workqueue.js';
import {
  FINALIZER_FOREGROUND, FINALIZER_ORPHAN, Graph, GraphNode, hasFinalizer, identityKey, identityString, ownerRefsOf,
  type GraphEvent, type Identity, type OwnerRef,
} from './graph.js';

/** A resource as the collector needs it: where it is served and whether it is namespaced. */
export interface GcResource extends ResourceRef {
  kind: string;
  namespaced: boolean;
}

// Events are never owners nor owned in practice, and are the bulk of all objects (upstream
// DefaultIgnoredResources).
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

/**
 * Every stored resource that can be listed, watched and deleted, once per storage location,
 * in its group's preferred version (what upstream's GetDeletableResources discovers).
 */
export function deletableResources(): GcResource[] {
  const preferred = new Map(GROUP_ORDER.map((g) => [g.group, g.versions[0]]));
  const byStorage = new Map<string, GcResource>();
  for (const ri of RESOURCES) {
    if (ri.virtual || IGNORED.has(`${ri.group}/${ri.plural}`)) continue;
    if (!['list', 'watch', 'delete'].every((v) => ri.verbs.includes(v))) continue;
    const key = `${storageGroupOf(ri)}/${ri.plural}`;
    const cur = byStorage.get(key);
    const isPreferred = (preferred.get(ri.group) ?? ri.version) === ri.version;
    if (cur && !isPreferred) continue;
    byStorage.set(key, { group: ri.group, version: ri.version, plural: ri.plural, kind: ri.kind, namespaced: ri.namespaced });
  }
  return [...byStorage.values()];
}

/** An apiVersion/kind through the built-in scheme. */
export function resolveBuiltinKind(apiVersion: string, kind: string): GcResource | undefined {
  const [group, version] = splitApiVersion(apiVersion);
  const ri = findKind(group, version, kind);
  return ri && !ri.virtual ? { group: ri.group, version: ri.version, plural: ri.plural, kind: ri.kind, namespaced: ri.namespaced } : undefined;
}

function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf('/');
  return i < 0 ? ['', apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

const apiVersionOfRef = (r: ResourceRef): string => (r.group ? `${r.group}/${r.version}` : r.version);

export interface GarbageCollectorOptions {
  client: KubeClient;
  /** The (shared) informer for a resource, e.g. `(r) => factory.informerFor(r)`; full or metadata-only objects both work. */
  informerFor: (res: GcResource) => Informer;
  /** What to monitor (default: deletableResources()). */
  resources?: GcResource[];
  /** Maps an ownerReference's apiVersion/kind to its resource (default: the built-in scheme). */
  resolveKind?: (apiVersion: string, kind: string) => GcResource | undefined;
  recorder?: EventRecorder;
  /** Workers per queue (upstream --concurrent-gc-syncs, default 20). */
  workers?: number;
  /** Start working even if some informers have not synced by then (default 30 s, as upstream). */
  syncTimeoutMs?: number;
  log?: Logger;
}

/** The live lookup said the object is gone; a virtual delete event went into the graph. */
const VIRTUAL_DELETED = Symbol('virtual-deleted');
class RestMappingError extends Error {}
class NamespacedOwnerOfClusterScopedObject extends Error {}

const ABSENT_CACHE_SIZE = 500;
const CONFLICT_RETRY_DELAYS_MS = [10, 50, 250];

export class GarbageCollector {
  readonly graph: Graph;
  readonly attemptToDeleteQueue = new WorkQueue<string>();
  readonly attemptToOrphanQueue = new WorkQueue<string>();
  private readonly client: KubeClient;
  private readonly log: Logger;
  private readonly informers: Informer[] = [];
  private readonly resolveKind: (apiVersion: string, kind: string) => GcResource | undefined;
  /** Owner identities confirmed absent (an LRU over Map order). */
  private readonly absent = new Map<string, true>();
  /** Back-off for virtual nodes still waiting to be observed (uid → polls). */
  private readonly unobservedPolls = new Map<string, number>();

  constructor(private readonly o: GarbageCollectorOptions) {
    this.client = o.client;
    this.log = o.log ?? stderrLogger('garbage-collector');
    this.resolveKind = o.resolveKind ?? resolveBuiltinKind;
    this.graph = new Graph({
      attemptToDelete: (n) => this.attemptToDeleteQueue.add(n.identity.uid),
      attemptToOrphan: (n) => this.attemptToOrphanQueue.add(n.identity.uid),
      markAbsent: (i) => this.markAbsent(i),
      invalidNamespaceOwnerRef: (dep, uid) => this.reportInvalidNamespaceOwnerRef(dep, uid),
    });
    for (const res of o.resources ?? deletableResources()) {
      const inf = o.informerFor(res);
      this.informers.push(inf);
      const apiVersion = apiVersionOfRef(res);
      const kind = res.kind;
      inf.addEventHandler({
        onAdd: (obj) => this.graph.apply({ type: 'add', obj, apiVersion, kind }),
        onUpdate: (oldObj, obj) => this.graph.apply({ type: 'update', obj, oldObj, apiVersion, kind }),
        onDelete: (obj) => this.graph.apply({ type: 'delete', obj, apiVersion, kind }),
      });
    }
  }

  /** Waits for the monitors (up to syncTimeoutMs, then proceeds anyway), then runs both worker pools. */
  async run(signal: AbortSignal): Promise<void> {
    const wait = new AbortController();
    setMaxListeners(0, wait.signal); // one waiter per monitored resource (dozens)
    const onAbort = (): void => wait.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(onAbort, this.o.syncTimeoutMs ?? 30_000);
    const synced = await Promise.all(this.informers.map((i) => i.waitForSync(wait.signal)));
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    if (signal.aborted) {
      this.attemptToDeleteQueue.shutdown();
      this.attemptToOrphanQueue.shutdown();
      return;
    }
    if (!synced.every(Boolean)) {
      const missing = this.informers.filter((i) => !i.hasSynced()).map((i) => i.resource.plural);
      this.log.warn(`all resource monitors could not be synced (${missing.join(', ')}), proceeding anyways`);
    }
    const workers = this.o.workers ?? 20;
    this.log.info(`caches synced; starting ${workers} workers per queue`);
    await Promise.all([
      runWorkers(this.attemptToDeleteQueue, workers, (uid, s) => this.syncAttemptToDelete(uid, s), signal, { log: this.log, name: 'garbage-collector-attempt-to-delete' }),
      runWorkers(this.attemptToOrphanQueue, workers, (uid, s) => this.syncAttemptToOrphan(uid, s), signal, { log: this.log, name: 'garbage-collector-attempt-to-orphan' }),
    ]);
  }

  // ---- attemptToDelete ----

  async syncAttemptToDelete(uid: string, signal?: AbortSignal): Promise<void | SyncResult> {
    const n = this.graph.get(uid);
    if (!n) return; // removed from the graph meanwhile: its deletion was observed
    try {
      const r = await this.attemptToDeleteItem(n, signal);
      if (r === VIRTUAL_DELETED) {
        this.unobservedPolls.delete(uid);
        return;
      }
    } catch (err) {
      if (err instanceof NamespacedOwnerOfClusterScopedObject) return; // will not resolve on retry
      throw err;
    }
    if (!n.observed && this.graph.get(uid) === n) {
      // A virtual owner that exists but has not reached us through an informer: poll until it
      // does (so one added and removed while a watch was re-established cannot linger).
      const polls = (this.unobservedPolls.get(uid) ?? 0) + 1;
      this.unobservedPolls.set(uid, polls);
      return { requeueAfterMs: Math.min(1000_000, 5 * 2 ** Math.min(polls, 20)) };
    }
    this.unobservedPolls.delete(uid);
  }

  private async attemptToDeleteItem(item: GraphNode, signal?: AbortSignal): Promise<void | typeof VIRTUAL_DELETED> {
    // Deletion is a one-way trip: wait for it to finish, then the dependents are handled.
    if (item.beingDeleted && !item.deletingDependents) return;
    let latest: Obj;
    try {
      latest = await this.getObject(item.identity, signal);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.enqueueVirtualDelete(item.identity);
      return VIRTUAL_DELETED;
    }
    if (latest.metadata?.uid !== item.identity.uid) {
      this.enqueueVirtualDelete(item.identity);
      return VIRTUAL_DELETED;
    }
    if (item.deletingDependents) return this.processDeletingDependentsItem(item, signal);
    // The graph may not have seen it yet, but it is already on its way out.
    if (latest.metadata?.deletionTimestamp && !hasFinalizer(latest, FINALIZER_FOREGROUND)) return;

    const refs = ownerRefsOf(latest);
    if (refs.length === 0) return;
    const { solid, dangling, waiting } = await this.classifyReferences(item, refs, signal);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Drop references to absent owners, and to owners waiting on their dependents (or those
      // would wait forever for an object that a solid owner keeps alive).
      const uids = [...dangling, ...waiting].map((r) => r.uid);
      this.log.info(`object ${identityString(item.identity)} has at least one existing owner; removing references to ${uids.join(', ')}`);
      await this.removeOwnerReferences(item, uids, signal);
      return;
    }
    if (waiting.length > 0 && item.dependents.size > 0) {
      for (const dep of item.dependents) {
        if (!dep.deletingDependents) continue;
        // An owner and a dependent both waiting on each other would deadlock: make our own
        // references non-blocking first (upstream's cycle breaker, with its false positives).
        this.log.info(`object ${identityString(item.identity)}: unblocking its ownerReferences to prevent a potential cycle with ${identityString(dep.identity)}`);
        await this.unblockOwnerReferences(item, signal);
        break;
      }
      this.log.info(`object ${identityString(item.identity)} has an owner deleting in foreground and dependents of its own: deleting it in foreground`);
      await this.deleteObject(item.identity, latest.metadata?.resourceVersion, refs, 'Foreground', signal);
      return;
    }
    // No owner left: collect it, honouring a propagation finalizer it already carries.
    const policy = hasFinalizer(latest, FINALIZER_ORPHAN) ? 'Orphan' : hasFinalizer(latest, FINALIZER_FOREGROUND) ? 'Foreground' : 'Background';
    this.log.info(`deleting ${identityString(item.identity)} (propagationPolicy ${policy}): no owner remains`);
    await this.deleteObject(item.identity, latest.metadata?.resourceVersion, refs, policy, signal);
  }

  private async processDeletingDependentsItem(item: GraphNode, signal?: AbortSignal): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      this.log.info(`removing the ${FINALIZER_FOREGROUND} finalizer from ${identityString(item.identity)}: no blocking dependents remain`);
      await this.removeFinalizer(item, FINALIZER_FOREGROUND, signal);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.attemptToDeleteQueue.add(dep.identity.uid);
  }

  /** Splits references into solid (owner exists, not waiting), dangling (absent) and waiting (foreground-deleting owners). */
  private async classifyReferences(item: GraphNode, refs: OwnerRef[], signal?: AbortSignal): Promise<{ solid: OwnerRef[]; dangling: OwnerRef[]; waiting: OwnerRef[] }> {
    const solid: OwnerRef[] = [];
    const dangling: OwnerRef[] = [];
    const waiting: OwnerRef[] = [];
    for (const ref of refs) {
      const [isDangling, owner] = await this.isDangling(ref, item, signal);
      if (isDangling) dangling.push(ref);
      else if (owner && owner.metadata?.deletionTimestamp && hasFinalizer(owner, FINALIZER_FOREGROUND)) waiting.push(ref);
      else solid.push(ref);
    }
    return { solid, dangling, waiting };
  }

  /** Whether the referenced owner is absent, confirmed by a live GET (or the absent-owner cache). */
  private async isDangling(ref: OwnerRef, item: GraphNode, signal?: AbortSignal): Promise<[boolean, Obj | undefined]> {
    const clusterKey: Identity = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: '' };
    if (this.isAbsent(clusterKey)) return [true, undefined];
    const nsKey: Identity = { ...clusterKey, namespace: item.identity.namespace };
    if (this.isAbsent(nsKey)) return [true, undefined];
    const res = this.resolveKind(ref.apiVersion, ref.kind);
    if (!res) throw new RestMappingError(`unable to get REST mapping for ${ref.apiVersion}/${ref.kind}`);
    if (!item.identity.namespace && res.namespaced) {
      this.log.warn(`object ${identityString(item.identity)} is cluster-scoped, but refers to a namespaced owner of type ${ref.apiVersion}/${ref.kind}`);
      throw new NamespacedOwnerOfClusterScopedObject('cluster-scoped object refers to a namespaced owner');
    }
    const absentKey = res.namespaced ? nsKey : clusterKey;
    let owner: Obj;
    try {
      owner = await this.client.get(res, res.namespaced ? item.identity.namespace : '', ref.name, { signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.markAbsent(absentKey);
      return [true, undefined];
    }
    if (owner.metadata?.uid !== ref.uid) {
      this.markAbsent(absentKey);
      return [true, undefined];
    }
    return [false, owner];
  }

  // ---- attemptToOrphan ----

  async syncAttemptToOrphan(uid: string, signal?: AbortSignal): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner) return;
    const errs: string[] = [];
    await Promise.all([...owner.dependents].map(async (dep) => {
      try {
        await this.removeOwnerReferences(dep, [owner.identity.uid], signal);
      } catch (err) {
        if (!isNotFound(err)) errs.push(`orphaning ${identityString(dep.identity)} failed, ${errMsg(err)}`);
      }
    }));
    if (errs.length) throw new Error(`orphanDependents for ${identityString(owner.identity)} failed with ${errs.join('; ')}`);
    this.log.info(`dependents of ${identityString(owner.identity)} orphaned; removing the ${FINALIZER_ORPHAN} finalizer`);
    await this.removeFinalizer(owner, FINALIZER_ORPHAN, signal);
  }

  // ---- API operations ----

  private resourceFor(i: Identity): [GcResource, string] {
    const res = this.resolveKind(i.apiVersion, i.kind);
    if (!res) throw new RestMappingError(`unable to get REST mapping for ${i.apiVersion}/${i.kind}`);
    if (res.namespaced && !i.namespace) throw new NamespacedOwnerOfClusterScopedObject(`${identityString(i)}: namespaced type without a namespace`);
    return [res, res.namespaced ? i.namespace : ''];
  }

  private getObject(i: Identity, signal?: AbortSignal): Promise<Obj> {
    const [res, ns] = this.resourceFor(i);
    return this.client.get(res, ns, i.name, { signal });
  }

  /**
   * Deletes with uid + resourceVersion preconditions. If only the resourceVersion conflicts and
   * the owners are unchanged, the decision still holds: retry without it.
   */
  private async deleteObject(i: Identity, rv: string | undefined, owners: OwnerRef[] | undefined, policy: 'Foreground' | 'Background' | 'Orphan', signal?: AbortSignal): Promise<void> {
    const [res, ns] = this.resourceFor(i);
    try {
      await this.client.delete(res, ns, i.name, { propagationPolicy: policy, preconditions: { uid: i.uid, ...(rv ? { resourceVersion: rv } : {}) }, signal });
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err) || !rv) throw err;
      let live: Obj;
      try {
        live = await this.client.get(res, ns, i.name, { signal });
      } catch (e) {
        if (isNotFound(e)) return;
        throw err;
      }
      if (live.metadata?.uid === i.uid && live.metadata?.resourceVersion !== rv && JSON.stringify(ownerRefsOf(live)) === JSON.stringify(owners ?? [])) {
        await this.deleteObject(i, undefined, undefined, policy, signal);
        return;
      }
      throw err;
    }
  }

  /**
   * Removes references to the given owner uids: a JSON merge patch of the remaining list,
   * guarded by the resourceVersion it was computed from (works for every resource, custom
   * ones included; a conflict is retried by the queue).
   */
  private async removeOwnerReferences(item: GraphNode, ownerUids: string[], signal?: AbortSignal): Promise<void> {
    const [res, ns] = this.resourceFor(item.identity);
    const live = await this.client.get(res, ns, item.identity.name, { signal });
    if (live.metadata?.uid !== item.identity.uid) return;
    const refs = ownerRefsOf(live);
    const keep = refs.filter((r) => !ownerUids.includes(r.uid));
    if (keep.length === refs.length) return;
    await this.client.patch(res, ns, item.identity.name, 'merge', {
      metadata: { resourceVersion: live.metadata.resourceVersion, ownerReferences: keep.length ? keep : null },
    }, { signal });
  }

  /** Sets blockOwnerDeletion=false on every blocking reference of the item. */
  private async unblockOwnerReferences(item: GraphNode, signal?: AbortSignal): Promise<void> {
    const [res, ns] = this.resourceFor(item.identity);
    const live = await this.client.get(res, ns, item.identity.name, { signal });
    if (live.metadata?.uid !== item.identity.uid) return;
    const refs = ownerRefsOf(live);
    if (!refs.some((r) => r.blockOwnerDeletion === true)) return;
    const next = refs.map((r) => (r.blockOwnerDeletion === true ? { ...r, blockOwnerDeletion: false } : r));
    await this.client.patch(res, ns, item.identity.name, 'merge', { metadata: { resourceVersion: live.metadata.resourceVersion, ownerReferences: next } }, { signal });
  }

  /** Removes a finalizer with read-modify-patch, retrying conflicts a few times (retry.DefaultBackoff). */
  private async removeFinalizer(n: GraphNode, finalizer: string, signal?: AbortSignal): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let obj: Obj;
      try {
        obj = await this.getObject(n.identity, signal);
      } catch (err) {
        if (isNotFound(err)) return;
        throw new Error(`cannot finalize owner ${identityString(n.identity)}, because cannot get it: ${errMsg(err)}. The garbage collector will retry later`);
      }
      if (obj.metadata?.uid !== n.identity.uid) return;
      const fins: string[] = obj.metadata?.finalizers ?? [];
      if (!fins.includes(finalizer)) return;
      const [res, ns] = this.resourceFor(n.identity);
      try {
        await this.client.patch(res, ns, n.identity.name, 'merge', {
          metadata: { resourceVersion: obj.metadata.resourceVersion, finalizers: fins.filter((f) => f !== finalizer) },
        }, { signal });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
        if (attempt >= CONFLICT_RETRY_DELAYS_MS.length) {
          throw new Error(`updateMaxRetries(${CONFLICT_RETRY_DELAYS_MS.length + 1}) has reached. The garbage collector will retry later for owner ${identityString(n.identity)}`);
        }
        if (!(await sleep(CONFLICT_RETRY_DELAYS_MS[attempt], signal))) throw err;
      }
    }
  }

  // ---- graph helpers ----

  private enqueueVirtualDelete(i: Identity): void {
    const ev: GraphEvent = {
      type: 'delete', virtual: true, apiVersion: i.apiVersion, kind: i.kind,
      obj: { metadata: { name: i.name, namespace: i.namespace || undefined, uid: i.uid } },
    };
    this.graph.apply(ev);
  }

  private markAbsent(i: Identity): void {
    const k = identityKey(i);
    this.absent.delete(k);
    this.absent.set(k, true);
    if (this.absent.size > ABSENT_CACHE_SIZE) this.absent.delete(this.absent.keys().next().value as string);
  }

  private isAbsent(i: Identity): boolean {
    return this.absent.has(identityKey(i));
  }

  private reportInvalidNamespaceOwnerRef(dep: GraphNode, ownerUid: string): void {
    const ref = dep.owners.find((r) => r.uid === ownerUid);
    if (!ref || !this.o.recorder) return;
    const invalid: Identity = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: dep.identity.namespace };
    const involved: Obj = {
      apiVersion: dep.identity.apiVersion, kind: dep.identity.kind,
      metadata: { name: dep.identity.name, namespace: dep.identity.namespace || undefined, uid: dep.identity.uid },
    };
    this.o.recorder.event(involved, 'Warning', 'OwnerRefInvalidNamespace', `ownerRef ${identityString(invalid)} does not resolve to a parent with matching namespace`);
  }
}
