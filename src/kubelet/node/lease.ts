// Node heartbeats through coordination.k8s.io Leases in kube-node-lease (the kubelet's
// nodelease controller): one Lease per node, named after it, owned by the Node (so the
// garbage collector removes it with the node), holderIdentity = node name, renewed every
// leaseDuration/4 by updating spec.renewTime. The last written Lease is kept so a renewal is a
// single PUT; a conflict or a missing Lease costs one extra GET/POST.

import { findResource } from '../../api/resources.js';
import { nowMicro, type Obj } from '../../api/types.js';
import { isConflict, isNotFound, isAlreadyExists } from '../../client/errors.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';

export const LEASES: ResourceRef = findResource('coordination.k8s.io', 'v1', 'leases')!;
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const DEFAULT_LEASE_DURATION_SECONDS = 40;

export interface LeaseTarget { name: string; uid: string }

/** A fresh node Lease, as the kubelet creates it. */
export function newNodeLease(node: LeaseTarget, durationSeconds: number, now: Date): Obj {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name: node.name, namespace: NODE_LEASE_NAMESPACE,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }],
    },
    spec: { holderIdentity: node.name, leaseDurationSeconds: durationSeconds, renewTime: nowMicro(now) },
  };
}

export class NodeLeases {
  private readonly cache = new Map<string, Obj>();

  constructor(private readonly client: KubeClient, private readonly durationSeconds = DEFAULT_LEASE_DURATION_SECONDS) {}

  /** Creates or renews the node's Lease at `now`. Throws on API errors other than the ones it heals. */
  async renew(node: LeaseTarget, now: Date, signal?: AbortSignal): Promise<Obj> {
    let lease = this.cache.get(node.name);
    if (!lease || lease.metadata?.ownerReferences?.[0]?.uid !== node.uid) {
      const got = await this.ensure(node, now, signal);
      lease = got.lease;
      // Just created with this renewTime: that is the renewal.
      if (got.created) {
        this.cache.set(node.name, lease);
        return lease;
      }
    }
    for (let attempt = 0; ; attempt++) {
      const next: Obj = { ...lease, metadata: { ...lease.metadata }, spec: { ...lease.spec, holderIdentity: node.name, leaseDurationSeconds: this.durationSeconds, renewTime: nowMicro(now) } };
      // A Lease left by an earlier incarnation of the node is re-owned by this one.
      next.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }];
      try {
        const out = await this.client.update(LEASES, NODE_LEASE_NAMESPACE, next, { signal });
        this.cache.set(node.name, out);
        return out;
      } catch (err) {
        this.cache.delete(node.name);
        if (attempt >= 1 || !(isConflict(err) || isNotFound(err))) throw err;
        const got = await this.ensure(node, now, signal);
        if (got.created) {
          this.cache.set(node.name, got.lease);
          return got.lease;
        }
        lease = got.lease;
      }
    }
  }

  /** Forgets a node (after it was deleted); its Lease goes with it through owner references. */
  forget(name: string): void {
    this.cache.delete(name);
  }

  private async ensure(node: LeaseTarget, now: Date, signal?: AbortSignal): Promise<{ lease: Obj; created: boolean }> {
    try {
      return { lease: await this.client.get(LEASES, NODE_LEASE_NAMESPACE, node.name, { signal }), created: false };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      return { lease: await this.client.create(LEASES, NODE_LEASE_NAMESPACE, newNodeLease(node, this.durationSeconds, now), { signal }), created: true };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      return { lease: await this.client.get(LEASES, NODE_LEASE_NAMESPACE, node.name, { signal }), created: false };
    }
  }
}
