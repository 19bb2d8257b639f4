// PrioritySort: the activeQ order — higher priority first, then the pod waiting longest.

import type { QueueSortPlugin, QueuedPodInfo } from '../../framework.js';

export const NAME = 'PrioritySort';

export function less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
  const p1 = a.podInfo.priority;
  const p2 = b.podInfo.priority;
  if (p1 !== p2) return p1 > p2;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
  return a.seq < b.seq;
}

export function newPrioritySort(): QueueSortPlugin {
  return { name: NAME, less };
}
