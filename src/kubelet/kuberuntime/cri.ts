// The part of the CRI client the kubelet core calls. Code takes this type, not CriClient, so
// unit tests drive it with a fake runtime (fakecri.ts).

import type { CriClient } from '../cri/client.js';

export type CriRuntime = Pick<CriClient,
  | 'version' | 'status'
  | 'runPodSandbox' | 'stopPodSandbox' | 'removePodSandbox' | 'podSandboxStatus' | 'listPodSandbox'
  | 'createContainer' | 'startContainer' | 'stopContainer' | 'removeContainer' | 'listContainers' | 'containerStatus'
  | 'execSync'
  | 'listImages' | 'imageStatus' | 'pullImage'>;

/** The runtime name in container IDs (`containerd://<id>`). */
export const RUNTIME_NAME = 'containerd';

export function containerIDString(id: string): string {
  return `${RUNTIME_NAME}://${id}`;
}

/** The bare id of `containerd://<id>` (or of a bare id). */
export function parseContainerID(s: string | undefined): string {
  if (!s) return '';
  const i = s.indexOf('://');
  return i >= 0 ? s.slice(i + 3) : s;
}
