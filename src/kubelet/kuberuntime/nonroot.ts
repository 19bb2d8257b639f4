// runAsNonRoot enforcement (kuberuntime's verifyRunAsNonRoot): the kubelet refuses to create
// a container whose effective security context asks for a non-root user when the user it
// would run as is root, or cannot be told. The image's user comes from CRI ImageStatus
// (uid, else username); an image with neither runs as root.

import type { Obj } from '../../api/types.js';
import type { Image } from '../cri/types.js';

const podFullName = (pod: Obj): string => `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;

/** The image's user as the kubelet's getImageUser reads it: a uid, a name, or root. */
export function imageUser(image: Pick<Image, 'uid' | 'username'> | null | undefined): { uid?: number; username?: string } {
  const v = image?.uid?.value;
  if (v !== undefined && v !== null) return { uid: Number(v) };
  if (image?.username) return { username: image.username };
  return { uid: 0 };
}

/** The kubelet's error message when runAsNonRoot cannot be honoured, else undefined. */
export function verifyRunAsNonRoot(pod: Obj, container: Obj, user: { uid?: number; username?: string }): string | undefined {
  const psc: Obj = pod.spec?.securityContext ?? {};
  const csc: Obj = container.securityContext ?? {};
  const nonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
  if (nonRoot !== true) return undefined;
  const runAsUser = csc.runAsUser ?? psc.runAsUser;
  const who = `(pod: ${JSON.stringify(podFullName(pod))}, container: ${container.name})`;
  if (runAsUser !== undefined && runAsUser !== null) {
    return Number(runAsUser) === 0 ? `container's runAsUser breaks non-root policy ${who}` : undefined;
  }
  if (user.uid === 0) return `container has runAsNonRoot and image will run as root ${who}`;
  if (user.uid === undefined && user.username) {
    return `container has runAsNonRoot and image has non-numeric user (${user.username}), cannot verify user is non-root ${who}`;
  }
  return undefined;
}
