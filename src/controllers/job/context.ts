// What one Job sync works on, and what its parts need from the controller: shared by
// controller.ts (the sync's outline), manage.ts (creating/deleting pods) and track.ts
// (counting finished pods and the terminal conditions).

import type { Obj } from '../../api/types.js';
import type { EventRecorder } from '../../client/events.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import type { ControllerExpectations } from '../common/expectations.js';
import type { PodControl } from '../common/podcontrol.js';
import type { BackoffRecord, BackoffStore } from './backoff.js';
import type { Intervals } from './indexed.js';
import type { FinalizerExpectations } from './tracking.js';
import type { JobCondition, Uncounted } from './util.js';

export const JOBS: ResourceRef = { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job', namespaced: true };

/** The state of one sync (upstream syncJobCtx). */
export interface SyncCtx {
  key: string;
  job: Obj;
  pods: Obj[];
  activePods: Obj[];
  /** The condition the Job is heading for, once decided. */
  finished?: JobCondition;
  succeeded: number;
  failed: number;
  prevSucceededIndexes: Intervals;
  succeededIndexes: Intervals;
  failedIndexes?: Intervals;
  newBackoffRecord: BackoffRecord;
  expectedRmFinalizers: Set<string>;
  uncounted: Uncounted;
  /** backoffLimitPerIndex: the failed pod per index whose deletion waits for its replacement. */
  delayedDeletion: Map<number, Obj>;
  terminating: number;
  ready: number;
}

export interface JobDeps {
  client: KubeClient;
  podControl: PodControl;
  recorder: EventRecorder;
  expectations: ControllerExpectations;
  finalizerExpectations: FinalizerExpectations;
  backoff: BackoffStore;
  now: () => number;
  /** Sync the Job again after `ms` (at least the batch period). */
  enqueueAfter: (job: Obj, ms: number) => void;
}
