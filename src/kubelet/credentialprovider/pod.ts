// The keyring of one pod (the kubelet's getPullSecretsForPod + MakeDockerKeyring): its
// spec.imagePullSecrets read through the API; secrets that cannot be read are named in one
// FailedToRetrieveImagePullSecret warning and the pull goes on without them.

import type { Obj } from '../../api/types.js';
import type { DockerKeyring } from './keyring.js';
import { keyringFromSecrets } from './secrets.js';

export type SecretGetter = (ns: string, name: string) => Promise<Obj | undefined>;
export type PodEvent = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

/** Reads the pod's pull secrets; throws only when one of them does not parse. */
export async function podPullKeyring(pod: Obj, getSecret: SecretGetter, event: PodEvent): Promise<DockerKeyring> {
  const ns: string = pod.metadata?.namespace ?? 'default';
  const secrets: Obj[] = [];
  const failed: string[] = [];
  for (const ref of (pod.spec?.imagePullSecrets ?? []) as Obj[]) {
    const name = ref?.name;
    if (!name) continue;
    const s = await getSecret(ns, name).catch(() => undefined);
    if (s) secrets.push(s);
    else failed.push(name);
  }
  if (failed.length) {
    event('Warning', 'FailedToRetrieveImagePullSecret',
      `Unable to retrieve some image pull secrets (${failed.join(', ')}); attempting to pull the image may not succeed.`);
  }
  return keyringFromSecrets(secrets);
}
