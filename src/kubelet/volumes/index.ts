// Pod data, volume half: volumes set up on this node and the CRI mounts containers get.
export { VolumeManager, type MountedVolume } from './manager.js';
export type { CriMount, VolumeHost } from './types.js';
export { VolumeError } from './errors.js';
export { systemMounter, type Mounter } from './mount.js';
export { AtomicWriter, type FileProjection, type Payload } from './atomicwriter.js';
export { toCriMount } from './cri.js';
