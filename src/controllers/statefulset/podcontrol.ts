// StatefulPodControl (upstream stateful_pod_control.go): creates a pod's claims before the pod,
// repairs identity and storage of existing pods, deletes pods, keeps claim owner references in
// line with the retention policy, and records StatefulSet events in upstream's wording:
//   SuccessfulCreate "create Pod web-0 in StatefulSet web successful"
//   FailedCreate     "create Pod web-0 in StatefulSet web failed error: <err>"
//   SuccessfulCreate "create Claim data-web-0 Pod web-0 in StatefulSet web success"
//   FailedCreate     "create Claim data-web-0 for Pod web-0 in StatefulSet web failed error: <err>"
// (and the same for update/delete). Reads come from the informer caches.

import { clone, type Obj } from '../../api/types.js';
import { isAlreadyExists } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/interface.js';
import { AggregateError_ } from '../common/ownerref.js';
import { PODS } from '../common/podcontrol.js';
import { retryOnConflict } from '../history/history.js';
import {
  KIND_POD, PVCS, getOrdinal, getPersistentVolumeClaimName, getPersistentVolumeClaims, hasStaleOwnerRef, identityMatches,
  isClaimOwnerUpToDate, retentionPolicy, storageMatches, updateClaimOwnerRefs, updateIdentity, updateStorage,
} from './utils.js';

const title = (verb: string): string => verb.charAt(0).toUpperCase() + verb.slice(1);

export interface StatefulPodControlOptions {
  client: KubeClient;
  pods: Informer;
  claims: Informer;
  recorder: EventRecorder;
  signal?: () => AbortSignal | undefined;
}

export class StatefulPodControl {
  constructor(private readonly o: StatefulPodControlOptions) {}

  private get signal(): AbortSignal | undefined {
    return this.o.signal?.();
  }

  private getClaim(namespace: string, name: string): Obj | undefined {
    return this.o.claims.store.get(namespace, name);
  }

  recordPodEvent(verb: string, set: Obj, pod: Obj, err?: unknown): void {
    if (!err) {
      this.o.recorder.event(set, 'Normal', `Successful${title(verb)}`, `${verb.toLowerCase()} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    } else {
      this.o.recorder.event(set, 'Warning', `Failed${title(verb)}`, `${verb.toLowerCase()} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message ?? err}`);
    }
  }

  recordClaimEvent(verb: string, set: Obj, pod: Obj, claim: Obj, err?: unknown): void {
    if (!err) {
      this.o.recorder.event(set, 'Normal', `Successful${title(verb)}`, `${verb.toLowerCase()} Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    } else {
      this.o.recorder.event(set, 'Warning', `Failed${title(verb)}`, `${verb.toLowerCase()} Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message ?? err}`);
    }
  }

  /** Claims first (so the pod never starts without them), then the pod, then claim owners. */
  async createStatefulPod(set: Obj, pod: Obj): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (err) {
      this.recordPodEvent('create', set, pod, err);
      throw err;
    }
    let err: unknown;
    try {
      await this.o.client.create(PODS, pod.metadata.namespace, pod, { signal: this.signal });
    } catch (e) {
      // The cache lagged: the pod exists. No event, but the sync is retried.
      if (isAlreadyExists(e)) throw e;
      err = e;
    }
    if (!err) {
      try {
        await this.updatePodClaimForRetentionPolicy(set, pod);
      } catch (e) {
        this.recordPodEvent('update', set, pod, e);
        throw e;
      }
    }
    this.recordPodEvent('create', set, pod, err);
    if (err) throw err;
  }

  /** Repairs identity, storage and claim ownership of an existing pod (retrying conflicts). */
  async updateStatefulPod(set: Obj, podIn: Obj): Promise<void> {
    let pod = clone(podIn);
    let attempted = false;
    let failure: unknown;
    try {
      await retryOnConflict(async () => {
        let consistent = true;
        if (!identityMatches(set, pod)) {
          updateIdentity(set, pod);
          consistent = false;
        }
        if (!storageMatches(set, pod)) {
          updateStorage(set, pod);
          consistent = false;
          try {
            await this.createPersistentVolumeClaims(set, pod);
          } catch (err) {
            this.recordPodEvent('update', set, pod, err);
            throw err;
          }
        }
        if (!this.claimsMatchRetentionPolicy(set, pod)) {
          try {
            await this.updatePodClaimForRetentionPolicy(set, pod);
          } catch (err) {
            this.recordPodEvent('update', set, pod, err);
            throw err;
          }
          consistent = false;
        }
        if (consistent) return;
        attempted = true;
        try {
          await this.o.client.update(PODS, pod.metadata.namespace, pod, { signal: this.signal });
        } catch (err) {
          const cached = this.o.pods.store.get(set.metadata.namespace, pod.metadata.name);
          if (cached) pod = clone(cached);
          throw err;
        }
      }, { steps: 4, delayMs: 10, factor: 5, signal: this.signal });
    } catch (err) {
      failure = err;
    }
    if (attempted) this.recordPodEvent('update', set, pod, failure);
    if (failure) throw failure;
  }

  async deleteStatefulPod(set: Obj, pod: Obj): Promise<void> {
    let err: unknown;
    try {
      await this.o.client.delete(PODS, pod.metadata.namespace, pod.metadata.name, { signal: this.signal });
    } catch (e) {
      err = e;
    }
    this.recordPodEvent('delete', set, pod, err);
    if (err) throw err;
  }

  /** The pod's existing claims carry the owner references the retention policy asks for. */
  claimsMatchRetentionPolicy(set: Obj, pod: Obj): boolean {
    const ordinal = getOrdinal(pod);
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const claim = this.getClaim(set.metadata.namespace, getPersistentVolumeClaimName(set, t, ordinal));
      if (claim && !isClaimOwnerUpToDate(claim, set, pod)) return false;
    }
    return true;
  }

  /** Rewrites the owner references of the pod's claims that do not match the policy. */
  async updatePodClaimForRetentionPolicy(set: Obj, pod: Obj): Promise<void> {
    const ordinal = getOrdinal(pod);
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      const name = getPersistentVolumeClaimName(set, t, ordinal);
      const cached = this.getClaim(set.metadata.namespace, name);
      if (!cached || isClaimOwnerUpToDate(cached, set, pod)) continue; // a missing claim is made later
      const claim = clone(cached);
      updateClaimOwnerRefs(claim, set, pod);
      try {
        await this.o.client.update(PVCS, claim.metadata.namespace, claim, { signal: this.signal });
      } catch (err) {
        throw new Error(`Could not update claim ${name} for delete policy ownerRefs: ${(err as Error).message}`);
      }
    }
  }

  /**
   * A claim left owned by an earlier pod of the same name (WhenScaled=Delete) is about to be
   * garbage collected: the pod must wait for it to go rather than mount it.
   */
  podClaimIsStale(set: Obj, pod: Obj): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const pvc = this.getClaim(claim.metadata.namespace, claim.metadata.name);
      if (pvc && hasStaleOwnerRef(pvc, pod, KIND_POD)) return true;
    }
    return false;
  }

  /** Creates missing claims of a pending pod and fixes their owners. */
  async createMissingPersistentVolumeClaims(set: Obj, pod: Obj): Promise<void> {
    await this.createPersistentVolumeClaims(set, pod);
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (err) {
      this.recordPodEvent('update', set, pod, err);
      throw err;
    }
  }

  /** Creates every claim the pod needs that does not exist; a claim being deleted is an error. */
  async createPersistentVolumeClaims(set: Obj, pod: Obj): Promise<void> {
    const errs: Error[] = [];
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const existing = this.getClaim(claim.metadata.namespace, claim.metadata.name);
      if (existing) {
        if (existing.metadata?.deletionTimestamp) errs.push(new Error(`pvc ${claim.metadata.name} is being deleted`));
        continue;
      }
      try {
        await this.o.client.create(PVCS, claim.metadata.namespace, claim, { signal: this.signal });
        this.recordClaimEvent('create', set, pod, claim);
      } catch (err) {
        errs.push(new Error(`failed to create PVC ${claim.metadata.name}: ${(err as Error).message}`));
        if (!isAlreadyExists(err)) this.recordClaimEvent('create', set, pod, claim, err);
      }
    }
    if (errs.length) throw new AggregateError_(errs);
  }
}
