// The RollingUpdate decisions of a DaemonSet (upstream update.go rollingUpdate), as a pure
// function of the DaemonSet, its nodes and the daemon pods on them:
//  - maxSurge 0: delete old pods while at most maxUnavailable pods are unavailable (old pods
//    that are unavailable anyway may always go); manage() then creates the new ones;
//  - maxSurge > 0: create a new pod next to an old one on up to maxSurge nodes (at once where
//    the old pod is unavailable), and delete the old pod once the new one is available.
// Deleted pods do not count as unavailable, so an update progresses while nodes are down.

import type { Obj } from '../../api/types.js';
import { isPodAvailable } from '../common/pods.js';
import { nodeShouldRunDaemonPod } from './predicates.js';
import { isPodUpdated, surgeCount, templateGeneration, unavailableCount } from './util.js';

export interface RollingDecision {
  podsToDelete: string[];
  nodesToCreate: string[];
}

export interface Budgets {
  maxSurge: number;
  maxUnavailable: number;
  desiredNumberScheduled: number;
}

/**
 * updatedDesiredNodeCounts: the surge/unavailability budgets for the nodes that should run the
 * DaemonSet; those nodes without pods get an empty entry in nodeToDaemonPods (modified).
 */
export function updatedDesiredNodeCounts(ds: Obj, nodes: Obj[], nodeToDaemonPods: Map<string, Obj[]>): Budgets {
  let desired = 0;
  for (const node of nodes) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desired++;
    if (!nodeToDaemonPods.has(node.metadata.name)) nodeToDaemonPods.set(node.metadata.name, []);
  }
  let maxUnavailable = unavailableCount(ds, desired);
  const maxSurge = surgeCount(ds, desired);
  // An impossible configuration (both zero) falls back to one unavailable pod at a time.
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desiredNumberScheduled: desired };
}

/** findUpdatedPodsOnNode: at most one new and one old non-deleted pod, or ok=false. */
export function findUpdatedPodsOnNode(ds: Obj, pods: Obj[], hash: string): { newPod?: Obj; oldPod?: Obj; ok: boolean } {
  let newPod: Obj | undefined;
  let oldPod: Obj | undefined;
  const generation = templateGeneration(ds);
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

export interface RollingInput {
  ds: Obj;
  nodes: Obj[];
  /** Daemon pods by target node (deleted terminal pods excluded). */
  nodeToDaemonPods: Map<string, Obj[]>;
  hash: string;
  now: number;
  /** Still-cached pods (a pod to delete for scheduling reasons must still exist). */
  podExists: (name: string) => boolean;
}

export function rollingUpdate(i: RollingInput): RollingDecision {
  const { ds, hash, now } = i;
  const minReady = Number(ds.spec?.minReadySeconds ?? 0);
  const available = (p: Obj): boolean => isPodAvailable(p, minReady, now);
  const nodeByName = new Map(i.nodes.map((n) => [n.metadata.name, n]));
  const shouldRunOn = (nodeName: string): boolean => {
    const node = nodeByName.get(nodeName);
    if (!node) throw new Error(`couldn't get node for nodeName "${nodeName}": node "${nodeName}" not found`);
    return nodeShouldRunDaemonPod(node, ds).shouldRun;
  };
  const { maxSurge, maxUnavailable, desiredNumberScheduled } = updatedDesiredNodeCounts(ds, i.nodes, i.nodeToDaemonPods);

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowedReplacements: string[] = [];
    const candidates: string[] = [];
    for (const pods of i.nodeToDaemonPods.values()) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, pods, hash);
      if (!ok) {
        // Excess pods: manage() cleans up; count the node as unavailable meanwhile.
        numUnavailable++;
        continue;
      }
      if ((!oldPod && !newPod) || (oldPod && newPod)) {
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (!available(oldPod!)) {
        allowedReplacements.push(oldPod!.metadata.name);
        numUnavailable++;
      } else if (numUnavailable < maxUnavailable) {
        candidates.push(oldPod!.metadata.name);
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { podsToDelete: [...allowedReplacements, ...candidates.slice(0, remaining)], nodesToCreate: [] };
  }

  const oldPodsToDelete: string[] = [];
  const shouldNotRunPodsToDelete: string[] = [];
  const candidateNewNodes: string[] = [];
  const allowedNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [nodeName, pods] of i.nodeToDaemonPods) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, pods, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    // Availability counts every node, also those being sunset by scheduling constraints.
    if (oldPod) {
      if (available(oldPod)) numAvailable++;
    } else if (newPod && available(newPod)) numAvailable++;

    if (!oldPod) continue; // manage() handles nodes with only a new pod or none
    if (!newPod) {
      if (!available(oldPod)) {
        if (!shouldRunOn(nodeName)) {
          oldPodsToDelete.push(oldPod.metadata.name);
          continue;
        }
        allowedNewNodes.push(nodeName);
      } else {
        if (!shouldRunOn(nodeName)) {
          shouldNotRunPodsToDelete.push(oldPod.metadata.name);
          continue;
        }
        if (numSurge >= maxSurge) continue;
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    // Already surged here: wait for the new pod, then retire the old one.
    if (!available(newPod)) {
      numSurge++;
      continue;
    }
    oldPodsToDelete.push(oldPod.metadata.name);
  }

  // With surge the owner expects full availability: retire pods on nodes that no longer qualify
  // only as new pods elsewhere become available.
  let deletable = numAvailable - desiredNumberScheduled;
  if (deletable > 0) {
    deletable = Math.min(deletable, shouldNotRunPodsToDelete.length);
    for (const name of shouldNotRunPodsToDelete.slice(0, deletable)) if (i.podExists(name)) oldPodsToDelete.push(name);
  }
  const remainingSurge = Math.min(Math.max(0, maxSurge - numSurge), candidateNewNodes.length);
  return { podsToDelete: oldPodsToDelete, nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)] };
}
