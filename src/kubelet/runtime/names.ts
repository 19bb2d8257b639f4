// Image names of the offline images skiff builds (images.ts) and containerd's sandbox_image.

/** Kubernetes 1.32's pause image name, so tools that look for it find it. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
/** What CRI normalises `busybox` to. */
export const BUSYBOX_IMAGE = 'docker.io/library/busybox:latest';
