// The pod garbage collector (kube-controller-manager's podgc controller). Every 20 s it
// force-deletes (grace period 0), after marking them Failed when they are not finished yet:
//  - finished (Succeeded/Failed) pods beyond --terminated-pod-gc-threshold (12500), evicted
//    ones first, then the oldest;
//  - terminating pods on nodes that are not Ready and carry the node.kubernetes.io/out-of-service
//    taint (their kubelet will never confirm the deletion);
//  - pods bound to nodes that no longer exist, once the node has been missing for a 40 s
//    quarantine and a live GET confirms it (these also get a DisruptionTarget condition);
//  - terminating pods that were never scheduled.

import { nowRFC3339, type Obj } from '../../api/types.js';
import { isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { sleep } from '../../client/wait.js';
import { getCondition, parseTime } from '../common/pods.js';

const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };
const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false };
export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';
const FIELD_MANAGER = 'PodGC';
/** Deletions in flight at once. */
const PARALLEL = 32;

export interface PodGCControllerOptions {
  client: KubeClient;
  pods: Informer;
  nodes: Informer;
  /** Finished pods kept before the oldest are deleted; <= 0 disables (default 12500). */
  terminatedPodThreshold?: number;
  /** Time between passes (default 20 s). */
  gcCheckPeriodMs?: number;
  /** How long a node must be missing before its pods count as orphaned (default 40 s). */
  quarantineMs?: number;
  now?: () => number;
  log?: Logger;
}

const isTerminated = (pod: Obj): boolean => {
  const phase = pod.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
};
const isEvicted = (pod: Obj): boolean => pod.status?.phase === 'Failed' && pod.status?.reason === 'Evicted';
const isNodeReady = (node: Obj): boolean => getCondition(node.status?.conditions, 'Ready')?.status === 'True';

/** Evicted pods first, then by creation time, then by name (byEvictionAndCreationTimestamp). */
function evictionAndCreationOrder(a: Obj, b: Obj): number {
  if (isEvicted(a) !== isEvicted(b)) return isEvicted(a) ? -1 : 1;
  const ta = parseTime(a.metadata?.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata?.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

export class PodGCController {
  private readonly log: Logger;
  private readonly now: () => number;
  /** Missing node name → when it was first seen missing. */
  private readonly quarantine = new Map<string, number>();

  constructor(private readonly o: PodGCControllerOptions) {
    this.log = o.log ?? stderrLogger('pod-garbage-collector');
    this.now = o.now ?? Date.now;
  }

  async run(signal: AbortSignal): Promise<void> {
    const ok = await Promise.all([this.o.pods.waitForSync(signal), this.o.nodes.waitForSync(signal)]);
    if (!ok.every(Boolean)) return;
    while (!signal.aborted) {
      try {
        await this.gc(signal);
      } catch (err) {
        if (!signal.aborted) this.log.warn(`pod gc pass failed: ${errMsg(err)}`);
      }
      if (!(await sleep(this.o.gcCheckPeriodMs ?? 20_000, signal))) break;
    }
  }

  /** One pass over the caches. */
  async gc(signal?: AbortSignal): Promise<void> {
    const pods = this.o.pods.store.list();
    const threshold = this.o.terminatedPodThreshold ?? 12_500;
    if (threshold > 0) await this.gcTerminated(pods, threshold, signal);
    await this.gcTerminating(pods, signal);
    await this.gcOrphaned(pods, signal);
    await this.gcUnscheduledTerminating(pods, signal);
  }

  private async gcTerminated(pods: Obj[], threshold: number, signal?: AbortSignal): Promise<void> {
    const terminated = pods.filter(isTerminated);
    const n = terminated.length - threshold;
    if (n <= 0) return;
    this.log.info(`garbage collecting ${n} pods (terminated pods over the threshold of ${threshold})`);
    await this.deleteAll(terminated.sort(evictionAndCreationOrder).slice(0, n), undefined, signal);
  }

  private async gcTerminating(pods: Obj[], signal?: AbortSignal): Promise<void> {
    const doomed = pods.filter((pod) => {
      if (!pod.metadata?.deletionTimestamp) return false;
      const node = pod.spec?.nodeName ? this.o.nodes.store.get('', pod.spec.nodeName) : undefined;
      if (!node) return false;
      return !isNodeReady(node) && (node.spec?.taints ?? []).some((t: Obj) => t?.key === OUT_OF_SERVICE_TAINT);
    });
    if (doomed.length === 0) return;
    this.log.info(`garbage collecting ${doomed.length} pods that are terminating on nodes tainted with ${OUT_OF_SERVICE_TAINT}`);
    await this.deleteAll(doomed.sort(evictionAndCreationOrder), undefined, signal);
  }

  private async gcOrphaned(pods: Obj[], signal?: AbortSignal): Promise<void> {
    const now = this.now();
    const quarantineMs = this.o.quarantineMs ?? 40_000;
    const missing = new Set<string>();
    for (const pod of pods) {
      const node = pod.spec?.nodeName;
      if (!node || this.o.nodes.store.get('', node)) continue;
      missing.add(node);
      if (!this.quarantine.has(node)) this.quarantine.set(node, now);
    }
    // Past quarantine and still missing, confirmed live: those nodes are gone.
    const deleted = new Set<string>();
    for (const [node, since] of [...this.quarantine]) {
      if (now - since < quarantineMs) continue;
      this.quarantine.delete(node);
      if (!missing.has(node)) continue;
      try {
        await this.o.client.get(NODES, '', node, { signal });
      } catch (err) {
        if (isNotFound(err)) deleted.add(node);
        else this.log.warn(`error while getting node ${node}: ${errMsg(err)}`);
      }
    }
    if (deleted.size === 0) return;
    const orphans = pods.filter((p) => deleted.has(p.spec?.nodeName));
    const condition = { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' };
    for (const p of orphans) this.log.info(`found orphaned pod ${p.metadata.namespace}/${p.metadata.name} assigned to the node ${p.spec.nodeName}, deleting`);
    await this.deleteAll(orphans, condition, signal);
  }

  private async gcUnscheduledTerminating(pods: Obj[], signal?: AbortSignal): Promise<void> {
    const doomed = pods.filter((p) => p.metadata?.deletionTimestamp && !p.spec?.nodeName);
    for (const p of doomed) this.log.info(`found unscheduled terminating pod ${p.metadata.namespace}/${p.metadata.name} not assigned to any node, deleting`);
    await this.deleteAll(doomed, undefined, signal);
  }

  private async deleteAll(pods: Obj[], condition: Obj | undefined, signal?: AbortSignal): Promise<void> {
    for (let i = 0; i < pods.length; i += PARALLEL) {
      await Promise.all(pods.slice(i, i + PARALLEL).map(async (pod) => {
        try {
          await this.markFailedAndDelete(pod, condition, signal);
        } catch (err) {
          if (!isNotFound(err)) this.log.warn(`failed to delete pod ${pod.metadata.namespace}/${pod.metadata.name}: ${errMsg(err)}`);
        }
      }));
    }
  }

  /**
   * Marks an unfinished pod Failed first (an orphaned pod has no kubelet left to do it, and
   * owners such as Jobs must see it fail), then deletes it at once.
   */
  private async markFailedAndDelete(pod: Obj, condition: Obj | undefined, signal?: AbortSignal): Promise<void> {
    const { namespace, name } = pod.metadata;
    this.log.info(`PodGC is force deleting Pod ${namespace}/${name}`);
    const phase = pod.status?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      const status: Obj = { phase: 'Failed' };
      if (condition) status.conditions = [{ ...condition, lastTransitionTime: nowRFC3339(new Date(this.now())) }];
      await this.o.client.patch(PODS, namespace, name, 'strategic', { status }, { subresource: 'status', fieldManager: FIELD_MANAGER, signal });
    }
    await this.o.client.delete(PODS, namespace, name, { gracePeriodSeconds: 0, signal });
  }
}
