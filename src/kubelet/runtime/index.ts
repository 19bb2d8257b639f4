// The node agent's real container runtime: prerequisites, skiff's own containerd, the pod
// network's CNI config and the offline images. The kubelet talks to the result through
// ../cri/client.js (CriClient on handle.socket).

export { ensureRuntimePackages, checkRequirements, planRuntimeInstall, REQUIRED_PACKAGES, type RuntimePackagesResult } from './install.js';
export { startContainerd, containerdLayout, renderContainerdConfig, probeOverlay, type ContainerdHandle, type StartContainerdOptions, type Snapshotter } from './containerd.js';
export { writeCniConfig, renderCniConfig, missingCniPlugins, DEFAULT_BRIDGE, DEFAULT_CNI_BIN_DIR, type CniOptions } from './cni.js';
export { ensureOfflineImages, buildOfflineImages, importImage, listImages, formatImageTable, type EnsuredImage, type ImageInfo } from './images.js';
export { PAUSE_IMAGE, BUSYBOX_IMAGE } from './names.js';
export { startRuntime, type StartRuntimeOptions, type RuntimeResult } from './setup.js';
