// The real kubelet (issue 4): the host as a node, its pods as containers through containerd's
// CRI. `skiff server` starts it in the node worker (cmd/node.ts) unless --disable-agent.

export { startKubelet, Kubelet, KubeletStartError, DEFAULT_KUBELET_PORT, type KubeletOptions, type KubeletRuntime } from './kubelet.js';
export type { ContainerLocator } from './pods/locator.js';
export type { CriRuntime } from './kuberuntime/cri.js';
export type { EnvProvider, VolumeProvider, ProbeProvider, PodRuntimeInfo } from './kuberuntime/deps.js';
