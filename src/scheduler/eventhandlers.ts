// Informer event handlers (kube-scheduler's eventhandlers.go): assigned pods and nodes feed
// the cache, unassigned pods of this scheduler feed the queue, and changes that may help
// parked pods become cluster events for the queue.

import type { Obj } from '../api/types.js';
import type { Informer } from '../client/informer.js';
import type { SchedulerCache } from './cache.js';
import { Action, type ClusterEvent, type EventResource } from './framework.js';
import type { PodInfo } from './nodeinfo.js';
import type { SchedulingQueue } from './queue.js';

export interface HandlerContext {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** Is this scheduler responsible for the pod (spec.schedulerName)? */
  responsible(pod: Obj): boolean;
  podInfo(pod: Obj): PodInfo;
  /** A pod waiting at Permit is rejected when deleted. */
  podDeleted?(pod: Obj): void;
}

export const EVENT_ASSIGNED_POD_ADD: ClusterEvent = { resource: 'AssignedPod', actions: Action.Add, label: 'AssignedPodAdd' };
export const EVENT_ASSIGNED_POD_DELETE: ClusterEvent = { resource: 'AssignedPod', actions: Action.Delete, label: 'AssignedPodDelete' };
export const EVENT_NODE_ADD: ClusterEvent = { resource: 'Node', actions: Action.Add, label: 'NodeAdd' };

const assigned = (pod: Obj): boolean => !!pod?.spec?.nodeName;
const terminal = (pod: Obj): boolean => pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Which scheduling-relevant parts of a node changed (nodeSchedulingPropertiesChange). */
export function nodeChangeActions(old: Obj, node: Obj): number {
  let a = 0;
  if (!same(old.status?.allocatable, node.status?.allocatable)) a |= Action.UpdateNodeAllocatable;
  if (!same(old.metadata?.labels, node.metadata?.labels)) a |= Action.UpdateNodeLabel;
  if (!same(old.spec?.taints, node.spec?.taints) || !!old.spec?.unschedulable !== !!node.spec?.unschedulable) a |= Action.UpdateNodeTaint;
  const conds = (n: Obj): string => JSON.stringify((n.status?.conditions ?? []).map((c: Obj) => [c.type, c.status]));
  if (conds(old) !== conds(node)) a |= Action.UpdateNodeCondition;
  if (!same(old.metadata?.annotations, node.metadata?.annotations)) a |= Action.UpdateNodeAnnotation;
  return a;
}

export function addPodHandlers(inf: Informer, c: HandlerContext): void {
  const removeAssigned = (pod: Obj): void => {
    if (!c.cache.getPod(pod)) return;
    c.cache.removePod(pod);
    c.queue.moveAllToActiveOrBackoffQueue(EVENT_ASSIGNED_POD_DELETE, pod, undefined);
  };
  const onDelete = (pod: Obj): void => {
    removeAssigned(pod);
    c.queue.delete(pod);
    c.podDeleted?.(pod);
  };
  inf.addEventHandler({
    onAdd(pod) {
      if (terminal(pod)) return;
      if (assigned(pod)) {
        c.cache.addOrUpdatePod(c.podInfo(pod));
        c.queue.moveAllToActiveOrBackoffQueue(EVENT_ASSIGNED_POD_ADD, undefined, pod);
      } else if (c.responsible(pod)) {
        c.queue.add(c.podInfo(pod));
      }
    },
    onUpdate(old, pod) {
      if (old === pod) return; // resync
      if (terminal(pod)) {
        onDelete(pod);
        return;
      }
      if (assigned(pod)) {
        const wasAssigned = assigned(old);
        if (!wasAssigned) c.queue.delete(pod);
        c.cache.addOrUpdatePod(c.podInfo(pod));
        if (!wasAssigned) c.queue.moveAllToActiveOrBackoffQueue(EVENT_ASSIGNED_POD_ADD, undefined, pod);
        else if (!same(old.metadata?.labels, pod.metadata?.labels)) {
          c.queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', actions: Action.UpdatePodLabel }, old, pod);
        }
        return;
      }
      if (assigned(old)) removeAssigned(old);
      if (c.cache.isAssumed(pod)) return; // placed by us; the binding is in flight
      if (c.responsible(pod)) c.queue.update(old, c.podInfo(pod));
    },
    onDelete,
  });
}

export function addNodeHandlers(inf: Informer, c: HandlerContext): void {
  inf.addEventHandler({
    onAdd(node) {
      c.cache.addNode(node);
      c.queue.moveAllToActiveOrBackoffQueue(EVENT_NODE_ADD, undefined, node);
    },
    onUpdate(old, node) {
      if (old === node) return;
      c.cache.updateNode(node);
      const actions = nodeChangeActions(old, node);
      if (actions !== 0) c.queue.moveAllToActiveOrBackoffQueue({ resource: 'Node', actions, label: 'NodeUpdate' }, old, node);
    },
    onDelete(node) {
      c.cache.removeNode(node);
    },
  });
}

/** Changes of objects some plugin waits for (claims, volumes, classes, namespaces). */
export function addObjectEventHandlers(inf: Informer, resource: EventResource, c: HandlerContext): void {
  inf.addEventHandler({
    onAdd(obj, initial) {
      if (!initial) c.queue.moveAllToActiveOrBackoffQueue({ resource, actions: Action.Add }, undefined, obj);
    },
    onUpdate(old, obj) {
      if (old !== obj) c.queue.moveAllToActiveOrBackoffQueue({ resource, actions: Action.UpdateOther }, old, obj);
    },
    onDelete(obj) {
      c.queue.moveAllToActiveOrBackoffQueue({ resource, actions: Action.Delete }, obj, undefined);
    },
  });
}
