// The contracts of the pod-data module (volume half).

import type { Clock } from '../../client/clock.js';
import type { KubeClient } from '../../client/interface.js';
import type { EnvSources } from '../env/types.js';
import type { Mounter } from './mount.js';

export interface VolumeHost {
  client: KubeClient;
  /** DATA_DIR/kubelet/pods: volumes live in <podsDir>/<podUID>/volumes/<plugin>/<name>. */
  podsDir: string;
  nodeName: string;
  /** configMaps and secrets for configMap/secret/projected volumes. */
  envSources: EnvSources;
  /** tmpfs mounting; default mount(8)/umount(8). */
  mounter?: Mounter;
  /**
   * Keep secret and projected volumes on tmpfs as the kubelet does. Default: when running
   * as root (mounting needs it); otherwise they are plain directories.
   */
  memoryBackedSecrets?: boolean;
  clock?: Clock;
}

/** A container mount in the shape of CRI's Mount (see toCriMount for cri/types' Mount). */
export interface CriMount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  selinux_relabel?: boolean;
  /** CRI MountPropagation: 0 private, 1 host-to-container, 2 bidirectional. */
  propagation?: number;
}
