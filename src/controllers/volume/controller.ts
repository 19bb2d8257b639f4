// The PersistentVolume binder (kube-controller-manager's persistentvolume-binder, the "pv
// controller"). It keeps the two-way link between a claim (spec.volumeName) and a volume
// (spec.claimRef) and the phases that describe it:
//  - claims: Pending until bound, Bound, Lost when their volume disappears or is taken;
//  - volumes: Available (free or reserved for a claim), Bound, Released once their claim is
//    gone, Failed when reclaiming went wrong.
// Binding writes the volume first (claimRef + pv.kubernetes.io/bound-by-controller), then its
// status, then the claim (volumeName + bound-by-controller + bind-completed), then its status,
// so a crash at any point is repaired by the next sync. Claims that match no volume get the
// default StorageClass retroactively, wait for their first consumer (WaitForFirstConsumer:
// until the scheduler writes volume.kubernetes.io/selected-node), or are handed to their
// class's provisioner (volume.kubernetes.io/storage-provisioner annotations + an
// ExternalProvisioning event). Released volumes are reclaimed: Retain keeps them, Delete
// leaves dynamically provisioned ones to their provisioner (which deletes the PV object).
//
// Like upstream, one worker per queue (binding is not re-entrant) and a local cache that
// also holds this controller's own writes, so a stale informer copy never undoes them.
// Everything else runs from the informer caches; a 15 s resync retries what waits.

import { findResource } from '../../api/resources.js';
import { claimHasStorageClass, getDefaultStorageClass } from '../../api/storage-default.js';
import { clone, nowRFC3339, type Obj } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { sleep } from '../../client/wait.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER, checkVolumeSatisfyClaim, claimClass, claimKey, claimReference, findBestMatchForClaim,
  hasAnnotation, isVolumeBoundToClaim, storageOf, volumeCapacity, volumeClass, volumeModeMismatch,
} from './util.js';

export const PVS: ResourceRef = findResource('', 'v1', 'persistentvolumes')!;
export const PVCS: ResourceRef = findResource('', 'v1', 'persistentvolumeclaims')!;

const POD_PVC_INDEX = 'persistentvolume-controller/pvc';
const NO_STORAGE_CLASS_MESSAGE = 'no persistent volumes available for this claim and no storage class is set';

export interface PersistentVolumeControllerOptions {
  client: KubeClient;
  /** core/v1 persistentvolumes */
  volumes: Informer;
  /** core/v1 persistentvolumeclaims (all namespaces) */
  claims: Informer;
  /** storage.k8s.io/v1 storageclasses */
  classes: Informer;
  /** core/v1 pods: names the unscheduled pods a WaitForFirstConsumer claim waits for. Optional. */
  pods?: Informer;
  /** core/v1 nodes: node affinity of static volumes for claims the scheduler placed. Optional. */
  nodes?: Informer;
  recorder?: EventRecorder;
  /** Every claim and volume is synced again this often (upstream --pvclaimbinder-sync-period, 15 s). */
  resyncPeriodMs?: number;
  log?: Logger;
}

/** Resource versions compared as numbers, as upstream's storeObjectUpdate does. */
function rvOf(o: Obj | undefined): bigint | undefined {
  const rv = o?.metadata?.resourceVersion;
  return typeof rv === 'string' && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

/** Pods index their claims as `namespace/claim` (ephemeral volumes: `<pod>-<volume>`). */
function podClaimKeys(pod: Obj): string[] {
  const ns = pod?.metadata?.namespace ?? '';
  const out: string[] = [];
  for (const v of pod?.spec?.volumes ?? []) {
    if (v?.persistentVolumeClaim?.claimName) out.push(`${ns}/${v.persistentVolumeClaim.claimName}`);
    else if (v?.ephemeral) out.push(`${ns}/${pod.metadata?.name}-${v.name}`);
  }
  return out;
}

export class PersistentVolumeController {
  readonly volumeQueue = new WorkQueue<string>();
  readonly claimQueue = new WorkQueue<string>();
  /** Latest known volumes/claims: informer events plus this controller's own writes. */
  private readonly volumes = new Map<string, Obj>();
  private readonly claims = new Map<string, Obj>();
  private readonly log: Logger;

  constructor(private readonly o: PersistentVolumeControllerOptions) {
    this.log = o.log ?? stderrLogger('persistentvolume-controller');
    const volumeKey = (v: Obj): void => this.volumeQueue.add(metaNamespaceKey(v));
    const claimKeyOf = (c: Obj): void => this.claimQueue.add(metaNamespaceKey(c));
    o.volumes.addEventHandler({ onAdd: volumeKey, onUpdate: (_old, v) => volumeKey(v), onDelete: volumeKey });
    o.claims.addEventHandler({ onAdd: claimKeyOf, onUpdate: (_old, c) => claimKeyOf(c), onDelete: claimKeyOf });
    // A new or changed class (a new default, say) may unblock waiting claims at once.
    o.classes.addEventHandler({ onAdd: () => this.enqueueUnboundClaims(), onUpdate: () => this.enqueueUnboundClaims() });
    if (o.pods) {
      try {
        o.pods.addIndexers({ [POD_PVC_INDEX]: podClaimKeys });
      } catch { /* shared informer already indexed by another instance */ }
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.o.volumes, this.o.claims, this.o.classes, this.o.pods, this.o.nodes].filter((i): i is Informer => !!i);
    const synced = await Promise.all(informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) {
      this.volumeQueue.shutdown();
      this.claimQueue.shutdown();
      return;
    }
    this.initializeCaches();
    this.log.info('caches synced; starting workers');
    await Promise.all([
      runWorkers(this.volumeQueue, 1, (k, s) => this.syncVolumeKey(k, s), signal, { log: this.log, name: 'persistentvolume-controller volumes' }),
      runWorkers(this.claimQueue, 1, (k, s) => this.syncClaimKey(k, s), signal, { log: this.log, name: 'persistentvolume-controller claims' }),
      this.resyncLoop(signal),
    ]);
  }

  /** Fills the local caches from the (synced) informers; run() does this before any sync. */
  initializeCaches(): void {
    for (const v of this.o.volumes.store.list()) this.storeNewer(this.volumes, v);
    for (const c of this.o.claims.store.list()) this.storeNewer(this.claims, c);
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    while (await sleep(this.o.resyncPeriodMs ?? 15_000, signal)) {
      for (const v of this.o.volumes.store.list()) this.volumeQueue.add(metaNamespaceKey(v));
      for (const c of this.o.claims.store.list()) this.claimQueue.add(metaNamespaceKey(c));
    }
  }

  /** Unbound claims that may now find a volume: all, or those of a class or naming a volume. */
  private enqueueUnboundClaims(volume?: Obj): void {
    for (const c of this.o.claims.store.list()) {
      if (hasAnnotation(c, ANN_BIND_COMPLETED)) continue;
      if (volume && (c.spec?.volumeName ? c.spec.volumeName !== volume.metadata.name : claimClass(c) !== volumeClass(volume))) continue;
      this.claimQueue.add(metaNamespaceKey(c));
    }
  }

  /** Keeps obj unless the cache holds a newer version; false when obj is older (skip it). */
  private storeNewer(cache: Map<string, Obj>, obj: Obj): boolean {
    const key = metaNamespaceKey(obj);
    const old = cache.get(key);
    const a = rvOf(old);
    const b = rvOf(obj);
    if (old && a !== undefined && b !== undefined && a > b) return false;
    cache.set(key, obj);
    return true;
  }

  private event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.o.recorder?.event(obj, type, reason, message);
  }

  // ---- claims ----

  async syncClaimKey(key: string, signal?: AbortSignal): Promise<void> {
    const [ns, name] = splitMetaNamespaceKey(key);
    const claim = this.o.claims.store.get(ns, name);
    if (!claim) {
      // Deleted: let its volume notice now rather than at the next resync.
      const cached = this.claims.get(key);
      this.claims.delete(key);
      if (cached?.spec?.volumeName) this.volumeQueue.add(cached.spec.volumeName);
      return;
    }
    if (!this.storeNewer(this.claims, claim)) return;
    await this.syncClaim(claim, signal);
  }

  async syncClaim(claim: Obj, signal?: AbortSignal): Promise<void> {
    if (!hasAnnotation(claim, ANN_BIND_COMPLETED)) await this.syncUnboundClaim(claim, signal);
    else await this.syncBoundClaim(claim, signal);
  }

  private isDelayBinding(claim: Obj): boolean {
    const name = claimClass(claim);
    if (!name) return false;
    return this.o.classes.store.get('', name)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  private async syncUnboundClaim(claim: Obj, signal?: AbortSignal): Promise<void> {
    const volumeName: string = claim.spec?.volumeName ?? '';
    if (!volumeName) {
      const delay = this.isDelayBinding(claim);
      let volume = findBestMatchForClaim(claim, this.volumes.values(), { delayBinding: delay });
      const selectedNode: string | undefined = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
      if (!volume && delay && selectedNode) {
        // Skiff: the scheduler placed the pod but binds no static volumes itself, so bind an
        // existing volume that fits the chosen node before asking for a new one.
        const node = this.o.nodes?.store.get('', selectedNode) ?? { metadata: { name: selectedNode } };
        volume = findBestMatchForClaim(claim, this.volumes.values(), { delayBinding: true, node });
      }
      if (volume) {
        await this.bind(volume, claim, signal);
        return;
      }
      if (await this.assignDefaultStorageClass(claim, signal)) return; // the update event syncs it again
      if (delay && !selectedNode) {
        this.emitEventForUnboundDelayBindingClaim(claim);
      } else if (claimClass(claim) !== '') {
        await this.provisionClaim(claim, signal);
        return;
      } else {
        this.event(claim, 'Normal', 'FailedBinding', NO_STORAGE_CLASS_MESSAGE);
      }
      await this.updateClaimStatus(claim, 'Pending', undefined, signal);
      return;
    }
    // The user asked for a specific volume.
    const volume = this.volumes.get(volumeName);
    if (!volume) {
      await this.updateClaimStatus(claim, 'Pending', undefined, signal);
      return;
    }
    if (!volume.spec?.claimRef) {
      const why = checkVolumeSatisfyClaim(volume, claim);
      if (why) {
        this.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume "${volumeName}": ${why}`);
        await this.updateClaimStatus(claim, 'Pending', undefined, signal);
      } else {
        await this.bind(volume, claim, signal);
      }
      return;
    }
    if (isVolumeBoundToClaim(volume, claim)) {
      await this.bind(volume, claim, signal);
      return;
    }
    this.event(claim, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
    if (!hasAnnotation(claim, ANN_BOUND_BY_CONTROLLER)) {
      await this.updateClaimStatus(claim, 'Pending', undefined, signal);
      return;
    }
    throw new Error(`invalid binding of claim "${claimKey(claim.metadata)}" to volume "${volumeName}": volume already claimed by "${claimKey(volume.spec.claimRef)}"`);
  }

  private async syncBoundClaim(claim: Obj, signal?: AbortSignal): Promise<void> {
    const volumeName: string = claim.spec?.volumeName ?? '';
    if (!volumeName) {
      await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!', signal);
      return;
    }
    const volume = this.volumes.get(volumeName);
    if (!volume) {
      await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!', signal);
      return;
    }
    const ref = volume.spec?.claimRef;
    if (!ref || ref.uid === claim.metadata?.uid) {
      // Unbound volume (or our write not seen yet), or all is well: bind() repairs or no-ops.
      await this.bind(volume, claim, signal);
      return;
    }
    await this.updateClaimStatusWithEvent(claim, 'Lost', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly', signal);
  }

  /** The scheduler has not placed a consumer yet: say what the claim waits for. */
  private emitEventForUnboundDelayBindingClaim(claim: Obj): void {
    let reason = 'WaitForFirstConsumer';
    let message = 'waiting for first consumer to be created before binding';
    const pods = this.o.pods ? this.o.pods.store.byIndex(POD_PVC_INDEX, metaNamespaceKey(claim)) : [];
    const names = pods
      .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.spec?.nodeName)
      .map((p) => String(p.metadata?.name));
    if (names.length > 0) {
      reason = 'WaitForPodScheduled';
      message = names.length > 1 ? `waiting for pods ${names.join(',')} to be scheduled` : `waiting for pod ${names[0]} to be scheduled`;
    }
    this.event(claim, 'Normal', reason, message);
  }

  /** RetroactiveDefaultStorageClass: a claim without a class gets today's default. */
  private async assignDefaultStorageClass(claim: Obj, signal?: AbortSignal): Promise<boolean> {
    if (claimHasStorageClass(claim)) return false;
    const sc = getDefaultStorageClass(this.o.classes.store.list());
    if (!sc) return false;
    const next = clone(claim);
    next.spec = { ...(next.spec ?? {}), storageClassName: sc.metadata.name };
    const out = await this.o.client.update(PVCS, next.metadata.namespace, next, { signal });
    this.storeNewer(this.claims, out);
    this.log.info(`assigned StorageClass ${sc.metadata.name} to claim ${metaNamespaceKey(claim)}`);
    return true;
  }

  /** Hands the claim to its class's provisioner. Skiff has no in-tree (kubernetes.io/) provisioners. */
  private async provisionClaim(claim: Obj, signal?: AbortSignal): Promise<void> {
    const className = claimClass(claim);
    const sc = this.o.classes.store.get('', className);
    if (!sc) {
      this.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    const provisioner = String(sc.provisioner ?? '');
    if (provisioner.startsWith('kubernetes.io/')) {
      this.event(claim, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`);
      return;
    }
    let current = claim;
    if (claim.metadata?.annotations?.[ANN_BETA_STORAGE_PROVISIONER] !== provisioner
      || claim.metadata?.annotations?.[ANN_STORAGE_PROVISIONER] !== provisioner) {
      const next = clone(claim);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner };
      try {
        current = await this.o.client.update(PVCS, next.metadata.namespace, next, { signal });
      } catch (err) {
        this.event(claim, 'Warning', 'ProvisioningFailed', `Error saving claim: ${errMsg(err)}`);
        throw err;
      }
      this.storeNewer(this.claims, current);
    }
    this.event(current, 'Normal', 'ExternalProvisioning',
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`);
  }

  // ---- volumes ----

  async syncVolumeKey(name: string, signal?: AbortSignal): Promise<void> {
    const volume = this.o.volumes.store.get('', name);
    if (!volume) {
      const cached = this.volumes.get(name);
      this.volumes.delete(name);
      if (cached?.spec?.claimRef) this.claimQueue.add(claimKey(cached.spec.claimRef));
      return;
    }
    if (!this.storeNewer(this.volumes, volume)) return;
    await this.syncVolume(volume, signal);
  }

  async syncVolume(volume: Obj, signal?: AbortSignal): Promise<void> {
    const ref = volume.spec?.claimRef;
    if (!ref) {
      await this.updateVolumePhase(volume, 'Available', '', signal);
      // A free volume may satisfy a waiting claim now rather than at the next resync.
      this.enqueueUnboundClaims(volume);
      return;
    }
    if (!ref.uid) {
      // Reserved for a claim that is not bound yet: the claim's sync binds it.
      await this.updateVolumePhase(volume, 'Available', '', signal);
      this.claimQueue.add(claimKey(ref));
      return;
    }
    let claim = await this.findClaimOf(volume, signal);
    if (claim && claim.metadata?.uid !== ref.uid) {
      // Our copy may predate a delete-and-recreate under the same name: ask the server.
      claim = await this.getClaim(ref.namespace, ref.name, signal);
      if (claim && claim.metadata?.uid !== ref.uid) claim = undefined;
    }
    if (!claim) {
      // The claim is gone. Keep a Failed phase visible while retrying the reclaim.
      let v = volume;
      const phase = volume.status?.phase;
      if (phase !== 'Released' && phase !== 'Failed') {
        this.log.info(`volume ${volume.metadata.name} is released and reclaim policy "${volume.spec?.persistentVolumeReclaimPolicy}" will be executed`);
        v = await this.updateVolumePhase(volume, 'Released', '', signal);
      }
      await this.reclaimVolume(v, signal);
      return;
    }
    if (!claim.spec?.volumeName) {
      if (volumeModeMismatch(claim, volume)) {
        this.event(volume, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume to requested PersistentVolumeClaim "${claim.metadata.name}" due to incompatible volumeMode.`);
        this.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind PersistentVolume "${volume.metadata.name}" to requested PersistentVolumeClaim due to incompatible volumeMode.`);
        return;
      }
      // Bound (or provisioned) for a claim that does not point back yet: its sync finishes it.
      this.claimQueue.add(metaNamespaceKey(claim));
      return;
    }
    if (claim.spec.volumeName === volume.metadata.name) {
      await this.updateVolumePhase(volume, 'Bound', '', signal);
      return;
    }
    // The claim got bound to another volume.
    if (hasAnnotation(volume, ANN_DYNAMICALLY_PROVISIONED) && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') {
      let v = volume;
      const phase = volume.status?.phase;
      if (phase !== 'Released' && phase !== 'Failed') v = await this.updateVolumePhase(volume, 'Released', '', signal);
      await this.reclaimVolume(v, signal);
      return;
    }
    await this.unbindVolume(volume, signal);
  }

  /** The claim a volume points at: local cache, informer, then (unless already released) the server. */
  private async findClaimOf(volume: Obj, signal?: AbortSignal): Promise<Obj | undefined> {
    const ref = volume.spec.claimRef;
    const key = claimKey(ref);
    const cached = this.claims.get(key) ?? this.o.claims.store.getByKey(key);
    if (cached) return cached;
    const phase = volume.status?.phase;
    if (phase === 'Released' || phase === 'Failed') return undefined;
    // A provisioner or the scheduler may have written the volume before our claim cache saw the claim.
    return this.getClaim(ref.namespace, ref.name, signal);
  }

  private async getClaim(namespace: string, name: string, signal?: AbortSignal): Promise<Obj | undefined> {
    try {
      return await this.o.client.get(PVCS, namespace, name, { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Applies spec.persistentVolumeReclaimPolicy to a released volume. */
  private async reclaimVolume(volume: Obj, signal?: AbortSignal): Promise<void> {
    switch (volume.spec?.persistentVolumeReclaimPolicy) {
      case 'Retain':
        return;
      case 'Recycle':
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!', signal);
        return;
      case 'Delete':
        await this.deleteVolumeOperation(volume, signal);
        return;
      default:
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy', signal);
    }
  }

  /**
   * Delete policy. A volume from an external provisioner (any provisioned-by name outside
   * kubernetes.io/, such as skiff.dev/local-path) or a CSI volume is its provisioner's to
   * delete; skiff has no in-tree deleters, so anything else is marked Failed.
   */
  private async deleteVolumeOperation(volume: Obj, signal?: AbortSignal): Promise<void> {
    let fresh: Obj;
    try {
      fresh = await this.o.client.get(PVS, '', volume.metadata.name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (fresh.metadata?.deletionTimestamp) return;
    if (!this.isVolumeReleased(fresh)) return;
    const provisioner: string = fresh.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] ?? '';
    if ((provisioner && !provisioner.startsWith('kubernetes.io/')) || fresh.spec?.csi) return;
    this.storeNewer(this.volumes, fresh);
    const why = provisioner
      ? `no deletable volume plugin matched name: ${provisioner}`
      : `error getting deleter volume plugin for volume "${fresh.metadata.name}": no deletable volume plugin matched`;
    await this.updateVolumePhaseWithEvent(fresh, 'Failed', 'VolumeFailedDelete', why, signal);
  }

  /** Bound to a claim that no longer exists (by uid) or that is bound to another volume. */
  private isVolumeReleased(volume: Obj): boolean {
    const ref = volume.spec?.claimRef;
    if (!ref || !ref.uid) return false;
    const claim = this.claims.get(claimKey(ref));
    if (claim && claim.metadata?.uid === ref.uid) {
      return !!claim.spec?.volumeName && claim.spec.volumeName !== volume.metadata.name;
    }
    return true;
  }

  // ---- writes ----

  /** Volume first (spec, status), then the claim (spec, status). */
  private async bind(volume: Obj, claim: Obj, signal?: AbortSignal): Promise<void> {
    let v = await this.bindVolumeToClaim(volume, claim, signal);
    v = await this.updateVolumePhase(v, 'Bound', '', signal);
    const c = await this.bindClaimToVolume(claim, v, signal);
    await this.updateClaimStatus(c, 'Bound', v, signal);
  }

  private async bindVolumeToClaim(volume: Obj, claim: Obj, signal?: AbortSignal): Promise<Obj> {
    const setByController = !isVolumeBoundToClaim(volume, claim);
    const next = clone(volume);
    let dirty = false;
    const ref = volume.spec?.claimRef;
    if (!ref || ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace || ref.uid !== claim.metadata.uid) {
      next.spec.claimRef = claimReference(claim);
      dirty = true;
    }
    if (setByController && !hasAnnotation(next, ANN_BOUND_BY_CONTROLLER)) {
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      dirty = true;
    }
    if (!dirty) return volume;
    this.log.info(`claim ${metaNamespaceKey(claim)} bound to volume ${volume.metadata.name}`);
    const out = await this.o.client.update(PVS, '', next, { signal });
    this.storeNewer(this.volumes, out);
    return out;
  }

  private async bindClaimToVolume(claim: Obj, volume: Obj, signal?: AbortSignal): Promise<Obj> {
    const next = clone(claim);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}) };
    let dirty = false;
    if (claim.spec?.volumeName !== volume.metadata.name) {
      next.spec = { ...(next.spec ?? {}), volumeName: volume.metadata.name };
      if (!hasAnnotation(next, ANN_BOUND_BY_CONTROLLER)) next.metadata.annotations[ANN_BOUND_BY_CONTROLLER] = 'yes';
      dirty = true;
    }
    if (!hasAnnotation(next, ANN_BIND_COMPLETED)) {
      next.metadata.annotations[ANN_BIND_COMPLETED] = 'yes';
      dirty = true;
    }
    if (!dirty) return claim;
    const out = await this.o.client.update(PVCS, next.metadata.namespace, next, { signal });
    this.storeNewer(this.claims, out);
    return out;
  }

  /** Rolls back a binding: a controller-made one entirely, a user's pre-binding only its uid. */
  private async unbindVolume(volume: Obj, signal?: AbortSignal): Promise<void> {
    const next = clone(volume);
    if (hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER)) {
      delete next.spec.claimRef;
      delete next.metadata.annotations[ANN_BOUND_BY_CONTROLLER];
      if (Object.keys(next.metadata.annotations).length === 0) delete next.metadata.annotations;
    } else {
      next.spec.claimRef = { ...next.spec.claimRef };
      delete next.spec.claimRef.uid;
    }
    const out = await this.o.client.update(PVS, '', next, { signal });
    this.storeNewer(this.volumes, out);
    await this.updateVolumePhase(out, 'Available', '', signal);
  }

  private async updateVolumePhase(volume: Obj, phase: string, message: string, signal?: AbortSignal): Promise<Obj> {
    if (volume.status?.phase === phase) return volume;
    const next = clone(volume);
    next.status = { ...(next.status ?? {}), phase };
    if (message) next.status.message = message;
    else delete next.status.message;
    // The API server's strategy stamps this too; setting it keeps the time right either way.
    next.status.lastPhaseTransitionTime = nowRFC3339();
    const out = await this.o.client.updateStatus(PVS, '', next, { signal });
    this.storeNewer(this.volumes, out);
    this.log.info(`volume ${volume.metadata.name} entered phase ${phase}`);
    return out;
  }

  private async updateVolumePhaseWithEvent(volume: Obj, phase: string, reason: string, message: string, signal?: AbortSignal): Promise<Obj> {
    if (volume.status?.phase === phase) return volume;
    const out = await this.updateVolumePhase(volume, phase, message, signal);
    this.event(out, 'Warning', reason, message);
    return out;
  }

  /** Phase plus, for Bound, the volume's access modes and (when becoming Bound) capacity. */
  private async updateClaimStatus(claim: Obj, phase: string, volume: Obj | undefined, signal?: AbortSignal): Promise<Obj> {
    const next = clone(claim);
    next.status = { ...(next.status ?? {}) };
    let dirty = false;
    if (claim.status?.phase !== phase) {
      next.status.phase = phase;
      dirty = true;
    }
    if (!volume) {
      for (const f of ['accessModes', 'capacity']) {
        if (next.status[f] !== undefined) {
          delete next.status[f];
          dirty = true;
        }
      }
    } else {
      const modes = volume.spec?.accessModes;
      if (JSON.stringify(claim.status?.accessModes) !== JSON.stringify(modes)) {
        if (modes === undefined) delete next.status.accessModes;
        else next.status.accessModes = clone(modes);
        dirty = true;
      }
      // Capacity is set when the claim becomes Bound; a later difference may be a resize.
      if (claim.status?.phase !== phase) {
        if (!volume.spec?.capacity?.storage) throw new Error(`PersistentVolume "${volume.metadata.name}" is without a storage capacity`);
        if (claim.status?.capacity?.storage === undefined || volumeCapacity(volume).cmp(storageOf(claim.status.capacity)) !== 0) {
          next.status.capacity = clone(volume.spec.capacity);
          dirty = true;
        }
      }
    }
    if (!dirty) return claim;
    const out = await this.o.client.updateStatus(PVCS, next.metadata.namespace, next, { signal });
    this.storeNewer(this.claims, out);
    if (claim.status?.phase !== phase) this.log.info(`claim ${metaNamespaceKey(claim)} entered phase ${phase}`);
    return out;
  }

  private async updateClaimStatusWithEvent(claim: Obj, phase: string, reason: string, message: string, signal?: AbortSignal): Promise<void> {
    if (claim.status?.phase === phase) return;
    const out = await this.updateClaimStatus(claim, phase, undefined, signal);
    this.event(out, 'Warning', reason, message);
  }
}
