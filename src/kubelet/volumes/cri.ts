// CriMount (snake_case, numeric propagation, as the plan names it) to the Mount of
// src/kubelet/cri/types.ts that CriClient.createContainer takes.

import type { Mount, MountPropagation } from '../cri/types.js';
import type { CriMount } from './types.js';

const PROPAGATION: MountPropagation[] = ['PROPAGATION_PRIVATE', 'PROPAGATION_HOST_TO_CONTAINER', 'PROPAGATION_BIDIRECTIONAL'];

export function toCriMount(m: CriMount): Mount {
  return {
    containerPath: m.container_path,
    hostPath: m.host_path,
    readonly: m.readonly,
    selinuxRelabel: m.selinux_relabel ?? false,
    propagation: PROPAGATION[m.propagation ?? 0] ?? 'PROPAGATION_PRIVATE',
  };
}
