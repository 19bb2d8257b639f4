// The kubelet's own configuration: KubeletConfiguration files and the sysctl admission.
export { DEFAULT_EVICTION_HARD, KUBELET_CONFIG_GROUP_VERSION, KubeletConfigError, loadKubeletConfig, nodeAllocatable, parseKubeletConfig, type KubeletConfig } from './kubeletconfig.js';
export { SAFE_SYSCTLS, SYSCTL_FORBIDDEN_REASON, SysctlAllowlist } from './sysctl.js';
