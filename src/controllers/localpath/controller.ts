// The built-in dynamic provisioner `skiff.dev/local-path` (what rancher.io/local-path is to
// k3s), written as an external provisioner (sig-storage-lib-external-provisioner's contract):
//  - it provisions claims the PV controller handed to it (annotation
//    volume.kubernetes.io/storage-provisioner, or the beta key, naming it) that have no volume
//    yet; for WaitForFirstConsumer classes only once the scheduler has written
//    volume.kubernetes.io/selected-node;
//  - the volume is a PersistentVolume object only, named pvc-<claim uid>, pre-bound to the
//    claim (claimRef with uid), annotated pv.kubernetes.io/provisioned-by, pinned by node
//    affinity to the selected node, with a hostPath of type DirectoryOrCreate under the node's
//    DATA_DIR/storage/<namespace>_<claim>_<pv>: the node agent makes the directory when a pod
//    mounts it. The PV controller then completes the binding;
//  - it deletes the PV objects it provisioned once they are Released with reclaim policy
//    Delete (the PV controller leaves those to the provisioner).
// Events as upstream's library: Provisioning, ProvisioningSucceeded, ProvisioningFailed.

import { posix } from 'node:path';
import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { runWorkers, WorkQueue } from '../../client/workqueue.js';
import {
  ANN_BETA_STORAGE_PROVISIONER, ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClass,
  claimReference,
} from '../volume/util.js';
import { LOCAL_PATH_PROVISIONER } from './storageclass.js';

const PVS: ResourceRef = findResource('', 'v1', 'persistentvolumes')!;
const PVCS: ResourceRef = findResource('', 'v1', 'persistentvolumeclaims')!;
const NODES: ResourceRef = findResource('', 'v1', 'nodes')!;
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
const SUPPORTED_ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteOncePod'];

export interface LocalPathProvisionerOptions {
  client: KubeClient;
  /** core/v1 persistentvolumeclaims (all namespaces) */
  claims: Informer;
  /** core/v1 persistentvolumes */
  volumes: Informer;
  /** storage.k8s.io/v1 storageclasses */
  classes: Informer;
  /** core/v1 nodes: the selected node's hostname label. Optional (falls back to a GET). */
  nodes?: Informer;
  /** Where volumes live on every node: DATA_DIR/storage. */
  storageDir: string;
  /** Provisioner name classes refer to (default skiff.dev/local-path). */
  provisionerName?: string;
  recorder?: EventRecorder;
  workers?: number;
  log?: Logger;
}

/** A provisioning failure that retrying will not fix (the library's ProvisioningFinished). */
class FinalError extends Error {}

/** The directory a volume gets: <storageDir>/<namespace>_<claim>_<pv>. */
export function volumePath(storageDir: string, claim: Obj, pvName: string): string {
  return posix.join(storageDir, `${claim.metadata.namespace}_${claim.metadata.name}_${pvName}`);
}

export class LocalPathProvisioner {
  readonly claimQueue = new WorkQueue<string>();
  readonly volumeQueue = new WorkQueue<string>();
  readonly name: string;
  private readonly log: Logger;

  constructor(private readonly o: LocalPathProvisionerOptions) {
    this.name = o.provisionerName ?? LOCAL_PATH_PROVISIONER;
    this.log = o.log ?? stderrLogger(this.name);
    const onClaim = (c: Obj): void => {
      if (this.isOurs(c) && !c.spec?.volumeName) this.claimQueue.add(metaNamespaceKey(c));
    };
    o.claims.addEventHandler({ onAdd: onClaim, onUpdate: (_old, c) => onClaim(c) });
    const onVolume = (v: Obj): void => {
      if (this.shouldDelete(v)) this.volumeQueue.add(metaNamespaceKey(v));
    };
    o.volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_old, v) => onVolume(v) });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.o.claims, this.o.volumes, this.o.classes, this.o.nodes].filter((i): i is Informer => !!i);
    const synced = await Promise.all(informers.map((i) => i.waitForSync(signal)));
    if (!synced.every(Boolean)) {
      this.claimQueue.shutdown();
      this.volumeQueue.shutdown();
      return;
    }
    this.log.info('caches synced; starting workers');
    const workers = this.o.workers ?? 4;
    await Promise.all([
      runWorkers(this.claimQueue, workers, (k, s) => this.syncClaim(k, s), signal, { log: this.log, name: `${this.name} provision` }),
      runWorkers(this.volumeQueue, workers, (k, s) => this.syncVolume(k, s), signal, { log: this.log, name: `${this.name} delete` }),
    ]);
  }

  private isOurs(claim: Obj): boolean {
    const a = claim?.metadata?.annotations ?? {};
    return a[ANN_STORAGE_PROVISIONER] === this.name || a[ANN_BETA_STORAGE_PROVISIONER] === this.name;
  }

  private shouldDelete(v: Obj): boolean {
    return v?.status?.phase === 'Released' && v.spec?.persistentVolumeReclaimPolicy === 'Delete'
      && v.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] === this.name && !v.metadata?.deletionTimestamp;
  }

  private event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.o.recorder?.event(obj, type, reason, message);
  }

  // ---- provisioning ----

  async syncClaim(key: string, signal?: AbortSignal): Promise<void> {
    const [ns, name] = splitMetaNamespaceKey(key);
    const claim = this.o.claims.store.get(ns, name);
    if (!claim || claim.spec?.volumeName || !this.isOurs(claim) || claim.metadata?.deletionTimestamp) return;
    const className = claimClass(claim);
    const sc = this.o.classes.store.get('', className);
    if (!sc) throw new Error(`storageclass.storage.k8s.io "${className}" not found`);
    if (sc.provisioner !== this.name) return;
    const selectedNode: string | undefined = claim.metadata?.annotations?.[ANN_SELECTED_NODE];
    // Delayed binding: the scheduler has not chosen a node yet.
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !selectedNode) return;

    const pvName = `pvc-${claim.metadata.uid}`;
    if (this.o.volumes.store.get('', pvName) || await this.volumeExists(pvName, signal)) return;

    this.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${key}"`);
    let volume: Obj;
    try {
      const node = selectedNode ? await this.getNode(selectedNode, signal) : undefined;
      volume = this.provision(claim, sc, pvName, node);
    } catch (err) {
      await this.provisioningFailed(claim, className, err, signal);
      return;
    }
    try {
      await this.o.client.create(PVS, '', volume, { signal });
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": error creating PersistentVolume object: ${errMsg(err)}`);
        throw err;
      }
    }
    this.log.info(`provisioned volume ${pvName} for claim ${key} at ${volume.spec.hostPath.path}`);
    this.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  private async volumeExists(name: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.o.client.get(PVS, '', name, { signal });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async getNode(name: string, signal?: AbortSignal): Promise<Obj> {
    const cached = this.o.nodes?.store.get('', name);
    if (cached) return cached;
    try {
      return await this.o.client.get(NODES, '', name, { signal });
    } catch (err) {
      if (isNotFound(err)) throw new FinalError(`failed to get target node: nodes "${name}" not found`);
      throw err;
    }
  }

  /** The PersistentVolume for the claim (no side effects). Throws FinalError for claims it cannot serve. */
  provision(claim: Obj, sc: Obj, pvName: string, node: Obj | undefined): Obj {
    if (claim.spec?.selector) throw new FinalError('claim Selector is not supported');
    if (claim.spec?.volumeMode === 'Block') throw new FinalError('Block volume mode is not supported');
    for (const m of claim.spec?.accessModes ?? []) {
      if (!SUPPORTED_ACCESS_MODES.includes(m)) throw new FinalError('NodePath only supports ReadWriteOnce and ReadWriteOncePod access modes');
    }
    if (!node) throw new FinalError('configuration error, no node was specified');
    const nodeName: string = node.metadata.name;
    const hostname: string = node.metadata?.labels?.[LABEL_HOSTNAME] ?? nodeName;
    const storage = claim.spec?.resources?.requests?.storage;
    if (storage === undefined) throw new FinalError('claim has no storage request');
    const pv: Obj = {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { [ANN_DYNAMICALLY_PROVISIONED]: this.name } },
      spec: {
        capacity: { storage },
        accessModes: clone(claim.spec.accessModes ?? ['ReadWriteOnce']),
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata.name,
        volumeMode: 'Filesystem',
        hostPath: { path: volumePath(this.o.storageDir, claim, pvName), type: 'DirectoryOrCreate' },
        nodeAffinity: {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: LABEL_HOSTNAME, operator: 'In', values: [hostname] }] }] },
        },
        claimRef: claimReference(claim),
      },
    };
    if (Array.isArray(sc.mountOptions) && sc.mountOptions.length) pv.spec.mountOptions = clone(sc.mountOptions);
    return pv;
  }

  /**
   * Reports the failure. A final one under delayed binding gives the node back to the
   * scheduler (removes selected-node) so it can choose again; other failures retry.
   */
  private async provisioningFailed(claim: Obj, className: string, err: unknown, signal?: AbortSignal): Promise<void> {
    this.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${errMsg(err)}`);
    if (!(err instanceof FinalError)) throw err;
    if (!claim.metadata?.annotations?.[ANN_SELECTED_NODE]) return;
    const next = clone(claim);
    delete next.metadata.annotations[ANN_SELECTED_NODE];
    try {
      await this.o.client.update(PVCS, next.metadata.namespace, next, { signal });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  // ---- deletion ----

  async syncVolume(name: string, signal?: AbortSignal): Promise<void> {
    const cached = this.o.volumes.store.get('', name);
    if (!cached || !this.shouldDelete(cached)) return;
    // Act on the server's copy: the volume may have been re-bound or changed meanwhile.
    let volume: Obj;
    try {
      volume = await this.o.client.get(PVS, '', name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (!this.shouldDelete(volume)) return;
    // The data directory belongs to the node; the node agent removes it with the volume.
    try {
      await this.o.client.delete(PVS, '', name, { signal, preconditions: { uid: volume.metadata.uid } });
      this.log.info(`deleted volume ${name}`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.event(volume, 'Warning', 'VolumeFailedDelete', errMsg(err));
      throw err;
    }
  }
}
