// SchedulingGates: a pod with spec.schedulingGates stays out of the active queue until the
// gates are removed (an update of the pod itself brings it back).

import { Action, Status, type PreEnqueuePlugin } from '../../framework.js';
import type { PodInfo } from '../../nodeinfo.js';

export const NAME = 'SchedulingGates';

export function newSchedulingGates(): PreEnqueuePlugin {
  return {
    name: NAME,
    preEnqueue(pi: PodInfo): Status | null {
      const gates: { name?: string }[] = pi.pod?.spec?.schedulingGates ?? [];
      if (gates.length === 0) return null;
      return Status.unresolvable(`waiting for scheduling gates: [${gates.map((g) => g?.name ?? '').join(' ')}]`);
    },
    eventsToRegister: () => [{ event: { resource: 'UnscheduledPod', actions: Action.UpdatePodSchedulingGatesEliminated } }],
  };
}
