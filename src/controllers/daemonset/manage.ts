// The per-node decisions of a DaemonSet sync (upstream podsShouldBeOnNode) and its status
// counts (updateDaemonSetStatus), as functions of the DaemonSet, the nodes and the daemon pods
// by node. Side effects (events, delayed requeues, the failed-pod back-off) go through hooks.

import type { Obj } from '../../api/types.js';
import { isPodAvailable, isPodReady } from '../common/pods.js';
import { POD_REVISION_LABEL } from '../history/history.js';
import { nodeShouldRunDaemonPod } from './predicates.js';
import { allowsSurge, comparePodsByCreationAndPhase, failedPodsBackoffKey, isPodUpdated, templateGeneration, type FailedPodsBackoff } from './util.js';

export const FAILED_DAEMON_POD_REASON = 'FailedDaemonPod';
export const SUCCEEDED_DAEMON_POD_REASON = 'SucceededDaemonPod';

export interface NodeHooks {
  backoff: FailedPodsBackoff;
  now: number;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  requeueAfter(ms: number): void;
}

/** What to create on and delete from one node. */
export function podsShouldBeOnNode(node: Obj, nodeToDaemonPods: Map<string, Obj[]>, ds: Obj, hash: string, hooks: NodeHooks): { nodesNeeding: string[]; podsToDelete: string[] } {
  const nodesNeeding: string[] = [];
  const podsToDelete: string[] = [];
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const nodeName: string = node.metadata.name;
  const daemonPods = nodeToDaemonPods.get(nodeName);

  if (shouldRun && !daemonPods) {
    nodesNeeding.push(nodeName);
  } else if (shouldContinueRunning) {
    const running: Obj[] = [];
    for (const pod of daemonPods ?? []) {
      if (pod.metadata?.deletionTimestamp) continue;
      const phase = pod.status?.phase;
      if (phase === 'Failed') {
        // The kubelet may keep rejecting the pod: back off instead of a hot create/delete loop.
        const key = failedPodsBackoffKey(ds, nodeName);
        if (hooks.backoff.isInBackOffSinceUpdate(key, hooks.now)) {
          hooks.requeueAfter(hooks.backoff.get(key));
          continue;
        }
        hooks.backoff.next(key, hooks.now);
        hooks.event('Warning', FAILED_DAEMON_POD_REASON, `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to kill it`);
        podsToDelete.push(pod.metadata.name);
      } else if (phase === 'Succeeded') {
        hooks.event('Normal', SUCCEEDED_DAEMON_POD_REASON, `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to delete it`);
        podsToDelete.push(pod.metadata.name);
      } else {
        running.push(pod);
      }
    }
    running.sort(comparePodsByCreationAndPhase);
    if (!allowsSurge(ds)) {
      // One pod per node: keep the oldest.
      for (const p of running.slice(1)) podsToDelete.push(p.metadata.name);
    } else if (running.length <= 1) {
      // Surging needs at least one non-deleted pod on the node.
      if (running.length === 0 && shouldRun) nodesNeeding.push(nodeName);
    } else {
      // With surge, keep the oldest new pod and the oldest old pod; the old one goes once it is
      // not ready or the new one is available. Everything else goes.
      let oldestNew: Obj | undefined;
      let oldestOld: Obj | undefined;
      for (const p of running) {
        if (p.metadata?.labels?.[POD_REVISION_LABEL] === hash) {
          if (!oldestNew) {
            oldestNew = p;
            continue;
          }
        } else if (!oldestOld) {
          oldestOld = p;
          continue;
        }
        podsToDelete.push(p.metadata.name);
      }
      if (oldestNew && oldestOld) {
        if (!isPodReady(oldestOld)) podsToDelete.push(oldestOld.metadata.name);
        else if (isPodAvailable(oldestNew, Number(ds.spec?.minReadySeconds ?? 0), hooks.now)) podsToDelete.push(oldestOld.metadata.name);
      }
    }
  } else if (daemonPods) {
    // Must not run here: every daemon pod on the node goes.
    for (const pod of daemonPods) if (!pod.metadata?.deletionTimestamp) podsToDelete.push(pod.metadata.name);
  }
  return { nodesNeeding, podsToDelete };
}

export interface DaemonSetCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/** The status counts; each node's oldest daemon pod stands for it. */
export function computeStatus(ds: Obj, nodes: Obj[], nodeToDaemonPods: Map<string, Obj[]>, hash: string, now: number): DaemonSetCounts {
  const minReady = Number(ds.spec?.minReadySeconds ?? 0);
  const generation = templateGeneration(ds);
  const c = { desired: 0, current: 0, misscheduled: 0, ready: 0, updated: 0, available: 0 };
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToDaemonPods.get(node.metadata.name) ?? [];
    const scheduled = pods.length > 0;
    if (!shouldRun) {
      if (scheduled) c.misscheduled++;
      continue;
    }
    c.desired++;
    if (!scheduled) continue;
    c.current++;
    const pod = [...pods].sort(comparePodsByCreationAndPhase)[0];
    if (isPodReady(pod)) {
      c.ready++;
      if (isPodAvailable(pod, minReady, now)) c.available++;
    }
    if (isPodUpdated(pod, hash, generation)) c.updated++;
  }
  return {
    desiredNumberScheduled: c.desired, currentNumberScheduled: c.current, numberMisscheduled: c.misscheduled,
    numberReady: c.ready, updatedNumberScheduled: c.updated, numberAvailable: c.available, numberUnavailable: c.desired - c.available,
  };
}
