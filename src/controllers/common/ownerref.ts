// Controller references and the ControllerRefManager (upstream pkg/controller
// controller_ref_manager.go): a controller owns the objects whose ownerReferences carry its
// uid with controller=true. Each sync it "claims" candidates:
//  - ours and still matching → keep;
//  - ours but no longer matching → release (strategic-merge patch deleting our reference),
//    unless the owner is being deleted;
//  - orphans that match, are not being deleted, and live in the owner's namespace → adopt
//    (strategic-merge patch adding a controller reference), after re-reading the owner once
//    from the API to be sure it is not being deleted (canAdopt);
//  - owned by another controller → ignore.
// Both patches carry the dependent's uid, so a recreated object of the same name is never
// touched (the API server refuses a uid change).

import type { Obj } from '../../api/types.js';
import { isInvalid, isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import type { IndexFunc } from '../../client/store.js';

/** The group/version and kind that go into a controller reference. */
export interface OwnerKind {
  apiVersion: string;
  kind: string;
}

export const KIND_REPLICASET: OwnerKind = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
export const KIND_REPLICATIONCONTROLLER: OwnerKind = { apiVersion: 'v1', kind: 'ReplicationController' };
export const KIND_DEPLOYMENT: OwnerKind = { apiVersion: 'apps/v1', kind: 'Deployment' };
export const KIND_DAEMONSET: OwnerKind = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
export const KIND_STATEFULSET: OwnerKind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
export const KIND_JOB: OwnerKind = { apiVersion: 'batch/v1', kind: 'Job' };
export const KIND_CRONJOB: OwnerKind = { apiVersion: 'batch/v1', kind: 'CronJob' };

/** metav1.NewControllerRef: controller and blockOwnerDeletion both true. */
export function newControllerRef(owner: Obj, kind: OwnerKind): Obj {
  return {
    apiVersion: kind.apiVersion, kind: kind.kind, name: owner.metadata.name, uid: owner.metadata.uid,
    controller: true, blockOwnerDeletion: true,
  };
}

/** The owner reference with controller=true, if any (metav1.GetControllerOf). */
export function getControllerOf(obj: Obj | undefined): Obj | undefined {
  return (obj?.metadata?.ownerReferences ?? []).find((r: Obj) => r?.controller === true);
}

/** Whether obj's controller reference carries this uid. */
export function isControlledBy(obj: Obj | undefined, ownerUid: string): boolean {
  return getControllerOf(obj)?.uid === ownerUid;
}

/** Controller references differ (by uid, as upstream compares them). */
export function controllerRefChanged(a: Obj | undefined, b: Obj | undefined): boolean {
  return getControllerOf(a)?.uid !== getControllerOf(b)?.uid;
}

/** The strategic-merge patch that makes `owner` the controller of the object with `uid`. */
export function adoptPatch(owner: Obj, kind: OwnerKind, uid: string, finalizers: string[] = []): Obj {
  const metadata: Obj = { ownerReferences: [newControllerRef(owner, kind)], uid };
  if (finalizers.length) metadata.finalizers = [...finalizers];
  return { metadata };
}

/** The strategic-merge patch removing the references to `ownerUids` (and `finalizers`). */
export function releasePatch(uid: string, ownerUids: string[], finalizers: string[] = []): Obj {
  const metadata: Obj = { ownerReferences: ownerUids.map((u) => ({ $patch: 'delete', uid: u })), uid };
  if (finalizers.length) metadata['$deleteFromPrimitiveList/finalizers'] = [...finalizers];
  return { metadata };
}

/**
 * controller.RecheckDeletionTimestamp: a canAdopt that reads the owner fresh from the API
 * and refuses when it is gone, replaced (another uid) or being deleted.
 */
export function recheckDeletionTimestamp(client: KubeClient, res: ResourceRef, owner: Obj, signal?: AbortSignal): () => Promise<void> {
  const { namespace, name, uid } = owner.metadata;
  const kind = owner.kind ?? res.kind ?? res.plural;
  return async () => {
    let fresh: Obj;
    try {
      fresh = await client.get(res, namespace, name, { signal });
    } catch (err) {
      throw new Error(`can't recheck DeletionTimestamp: ${(err as Error).message}`);
    }
    if (fresh.metadata?.uid !== uid) {
      throw new Error(`can't recheck DeletionTimestamp: original ${kind} ${namespace}/${name} is gone: got uid ${fresh.metadata?.uid}, wanted ${uid}`);
    }
    if (fresh.metadata?.deletionTimestamp) throw new Error(`${namespace}/${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}

export interface ControllerRefManagerOptions {
  client: KubeClient;
  /** The controller (as cached). */
  owner: Obj;
  ownerKind: OwnerKind;
  /** The owner's selector as a predicate over labels (see labelSelectorMatcher). */
  selector: (labels: Record<string, string> | undefined) => boolean;
  /** The dependents' resource (pods, replicasets, controllerrevisions, ...). */
  resource: ResourceRef;
  /** Throws when adoption must not happen; called at most once per manager. */
  canAdopt: () => Promise<void>;
  /** Finalizers added on adoption and removed on release (Jobs' batch.kubernetes.io/job-tracking). */
  finalizers?: string[];
  signal?: AbortSignal;
}

/** Several errors as one (utilerrors.NewAggregate's message format). */
export class AggregateError_ extends Error {
  constructor(readonly errors: Error[]) {
    super(errors.length === 1 ? errors[0].message : `[${errors.map((e) => e.message).join(', ')}]`);
  }
}

export class ControllerRefManager {
  private canAdoptResult?: Promise<void>;

  constructor(private readonly o: ControllerRefManagerOptions) {}

  /**
   * Returns the objects the owner now controls (in input order). Adoption/release failures
   * (other than the object having vanished) are thrown as one error after every candidate was
   * tried, so the caller requeues; objects not claimed are simply left out.
   */
  async claim(objs: Obj[], filters: ((o: Obj) => boolean)[] = []): Promise<Obj[]> {
    const claimed: Obj[] = [];
    const errs: Error[] = [];
    for (const obj of objs) {
      try {
        if (await this.claimOne(obj, filters)) claimed.push(obj);
      } catch (err) {
        errs.push(err as Error);
      }
    }
    if (errs.length) throw new AggregateError_(errs);
    return claimed;
  }

  private matches(obj: Obj, filters: ((o: Obj) => boolean)[]): boolean {
    if (!this.o.selector(obj.metadata?.labels)) return false;
    return filters.every((f) => f(obj));
  }

  private async claimOne(obj: Obj, filters: ((o: Obj) => boolean)[]): Promise<boolean> {
    const owner = this.o.owner;
    const ref = getControllerOf(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) return false; // someone else's
      if (this.matches(obj, filters)) return true;
      if (owner.metadata.deletionTimestamp) return false;
      try {
        await this.release(obj);
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      return false;
    }
    // An orphan.
    if (owner.metadata.deletionTimestamp || !this.matches(obj, filters)) return false;
    if (obj.metadata?.deletionTimestamp) return false;
    if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata?.namespace) return false;
    try {
      await this.adopt(obj);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    return true;
  }

  async adopt(obj: Obj): Promise<Obj> {
    this.canAdoptResult ??= this.o.canAdopt();
    try {
      await this.canAdoptResult;
    } catch (err) {
      const kind = this.o.resource.kind ?? obj.kind ?? this.o.resource.plural;
      throw new Error(`can't adopt ${kind} ${obj.metadata.namespace}/${obj.metadata.name} (${obj.metadata.uid}): ${(err as Error).message}`);
    }
    const patch = adoptPatch(this.o.owner, this.o.ownerKind, obj.metadata.uid, this.o.finalizers);
    return this.o.client.patch(this.o.resource, obj.metadata.namespace, obj.metadata.name, 'strategic', patch, { signal: this.o.signal });
  }

  /** Removes our reference; an object gone or recreated (uid mismatch → Invalid) is fine. */
  async release(obj: Obj): Promise<void> {
    const patch = releasePatch(obj.metadata.uid, [this.o.owner.metadata.uid], this.o.finalizers);
    try {
      await this.o.client.patch(this.o.resource, obj.metadata.namespace, obj.metadata.name, 'strategic', patch, { signal: this.o.signal });
    } catch (err) {
      if (isNotFound(err) || isInvalid(err)) return;
      throw err;
    }
  }
}

// ---- informer index by controller ----

/**
 * Index of objects by their controller's uid; objects without a controller are indexed as
 * `orphan:<namespace>` so a controller finds its candidates without scanning the namespace.
 */
export const CONTROLLER_INDEX = 'skiff.controllerUIDOrOrphan';

export const controllerIndexFunc: IndexFunc = (obj) => {
  const ref = getControllerOf(obj);
  return [ref?.uid ? String(ref.uid) : orphanIndexKey(obj?.metadata?.namespace ?? '')];
};

export function orphanIndexKey(namespace: string): string {
  return `orphan:${namespace}`;
}

/** Adds CONTROLLER_INDEX to a (shared) informer unless another controller already did. */
export function ensureControllerIndex(inf: Informer): void {
  try {
    inf.addIndexers({ [CONTROLLER_INDEX]: controllerIndexFunc });
  } catch (err) {
    if (!/indexer conflict/.test((err as Error).message)) throw err;
  }
}

/** Objects controlled by `ownerUid` plus the orphans of its namespace (claim candidates). */
export function ownedAndOrphans(inf: Informer, ownerUid: string, namespace: string): Obj[] {
  return [...inf.store.byIndex(CONTROLLER_INDEX, ownerUid), ...inf.store.byIndex(CONTROLLER_INDEX, orphanIndexKey(namespace))];
}
