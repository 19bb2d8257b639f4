// TypeScript shapes of the CRI v1 messages in api.proto, as @grpc/proto-loader presents them
// with the options client.ts uses: camelCase field names, enums as their names, int64/uint64
// as decimal strings on the way out (nanosecond timestamps exceed 2^53) and number or string
// on the way in, bytes as Buffer, and defaults filled in on responses (so a response's
// scalars and lists are always present; unset sub-messages are null).

/** int64/uint64: responses carry decimal strings; requests accept either. */
export type Int64 = string | number;
export type StrMap = Record<string, string>;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type SupplementalGroupsPolicy = 'Merge' | 'Strict';
export type ProfileType = 'RuntimeDefault' | 'Unconfined' | 'Localhost';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface VersionRequest { version?: string }
export interface VersionResponse { version: string; runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }

export interface StatusRequest { verbose?: boolean }
export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface RuntimeHandler { name: string; features: { recursiveReadOnlyMounts: boolean; userNamespaces: boolean } | null }
export interface StatusResponse {
  status: { conditions: RuntimeCondition[] } | null;
  info: StrMap;
  runtimeHandlers: RuntimeHandler[];
  features: { supplementalGroupsPolicy: boolean } | null;
}

export interface Int64Value { value: Int64 }
export interface UInt64Value { value: Int64 }
export interface KeyValue { key: string; value: string }
export interface ImageSpec { image: string; annotations?: StrMap; userSpecifiedImage?: string; runtimeHandler?: string }
export interface PortMapping { protocol?: Protocol; containerPort?: number; hostPort?: number; hostIp?: string }
export interface DNSConfig { servers?: string[]; searches?: string[]; options?: string[] }
export interface IDMapping { hostId: number; containerId: number; length: number }
export interface Mount {
  containerPath: string;
  hostPath?: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
  uidMappings?: IDMapping[];
  gidMappings?: IDMapping[];
  recursiveReadOnly?: boolean;
  image?: ImageSpec | null;
}
export interface NamespaceOption {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  targetId?: string;
  usernsOptions?: { mode?: NamespaceMode; uids?: IDMapping[]; gids?: IDMapping[] } | null;
}
export interface SELinuxOption { user?: string; role?: string; type?: string; level?: string }
export interface SecurityProfile { profileType?: ProfileType; localhostRef?: string }
export interface LinuxContainerResources {
  cpuPeriod?: Int64;
  cpuQuota?: Int64;
  cpuShares?: Int64;
  memoryLimitInBytes?: Int64;
  /** Never negative on a node without CAP_SYS_RESOURCE (see design.md); containerd clamps with restrict_oom_score_adj. */
  oomScoreAdj?: Int64;
  cpusetCpus?: string;
  cpusetMems?: string;
  hugepageLimits?: { pageSize: string; limit: Int64 }[];
  unified?: StrMap;
  memorySwapLimitInBytes?: Int64;
}

// ---- sandboxes

export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption | null;
  selinuxOptions?: SELinuxOption | null;
  runAsUser?: Int64Value | null;
  runAsGroup?: Int64Value | null;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  privileged?: boolean;
  seccomp?: SecurityProfile | null;
  apparmor?: SecurityProfile | null;
  seccompProfilePath?: string;
}
export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  /** Host directory of the pod's container logs (kubelet: /var/log/pods/NS_NAME_UID). */
  logDirectory?: string;
  dnsConfig?: DNSConfig | null;
  portMappings?: PortMapping[];
  labels?: StrMap;
  annotations?: StrMap;
  linux?: {
    cgroupParent?: string;
    securityContext?: LinuxSandboxSecurityContext | null;
    sysctls?: StrMap;
    overhead?: LinuxContainerResources | null;
    resources?: LinuxContainerResources | null;
  } | null;
}
export interface RunPodSandboxRequest { config: PodSandboxConfig; runtimeHandler?: string }
export interface RunPodSandboxResponse { podSandboxId: string }
export interface PodSandboxIdRequest { podSandboxId: string }
export interface PodSandboxStatusRequest { podSandboxId: string; verbose?: boolean }
export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  createdAt: string;
  network: { ip: string; additionalIps: { ip: string }[] } | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
  labels: StrMap;
  annotations: StrMap;
  runtimeHandler: string;
}
export interface PodSandboxStatusResponse {
  status: PodSandboxStatus | null;
  /** Verbose only: JSON strings (containerd: "info" holds pid, netns path, config). */
  info: StrMap;
  containersStatuses: ContainerStatus[];
  timestamp: string;
}
export interface PodSandboxFilter { id?: string; state?: { state: PodSandboxState } | null; labelSelector?: StrMap }
export interface ListPodSandboxRequest { filter?: PodSandboxFilter | null }
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  createdAt: string;
  labels: StrMap;
  annotations: StrMap;
  runtimeHandler: string;
}
export interface ListPodSandboxResponse { items: PodSandbox[] }

// ---- containers

export interface LinuxContainerSecurityContext {
  capabilities?: { addCapabilities?: string[]; dropCapabilities?: string[]; addAmbientCapabilities?: string[] } | null;
  privileged?: boolean;
  namespaceOptions?: NamespaceOption | null;
  selinuxOptions?: SELinuxOption | null;
  runAsUser?: Int64Value | null;
  runAsGroup?: Int64Value | null;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: SecurityProfile | null;
  apparmor?: SecurityProfile | null;
  apparmorProfile?: string;
  seccompProfilePath?: string;
}
export interface ContainerMetadata { name: string; attempt?: number }
export interface Device { containerPath: string; hostPath: string; permissions: string }
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  devices?: Device[];
  labels?: StrMap;
  annotations?: StrMap;
  /** Relative to the sandbox's logDirectory (kubelet: NAME/RESTARTCOUNT.log). */
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: { resources?: LinuxContainerResources | null; securityContext?: LinuxContainerSecurityContext | null } | null;
  CDIDevices?: { name: string }[];
}
export interface CreateContainerRequest { podSandboxId: string; config: ContainerConfig; sandboxConfig: PodSandboxConfig }
export interface CreateContainerResponse { containerId: string }
export interface ContainerIdRequest { containerId: string }
export interface StopContainerRequest { containerId: string; /** seconds; 0 kills at once */ timeout?: Int64 }
export interface ContainerFilter { id?: string; state?: { state: ContainerState } | null; podSandboxId?: string; labelSelector?: StrMap }
export interface ListContainersRequest { filter?: ContainerFilter | null }
export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  imageRef: string;
  state: ContainerState;
  createdAt: string;
  labels: StrMap;
  annotations: StrMap;
  imageId: string;
}
export interface ListContainersResponse { containers: Container[] }
export interface ContainerStatusRequest { containerId: string; verbose?: boolean }
export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerState;
  /** Nanoseconds since the epoch, as decimal strings; "0" when unset. */
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  image: ImageSpec | null;
  imageRef: string;
  /** "OOMKilled" for cgroup OOM kills, "Completed"/"Error" from containerd otherwise. */
  reason: string;
  message: string;
  labels: StrMap;
  annotations: StrMap;
  mounts: Mount[];
  logPath: string;
  resources: { linux: LinuxContainerResources | null } | null;
  imageId: string;
  user: { linux: { uid: string; gid: string; supplementalGroups: string[] } | null } | null;
  imageSource: string;
}
export interface ContainerStatusResponse { status: ContainerStatus | null; info: StrMap }
export interface UpdateContainerResourcesRequest { containerId: string; linux?: LinuxContainerResources | null; annotations?: StrMap }

export interface ExecSyncRequest { containerId: string; cmd: string[]; /** seconds; 0 = no limit */ timeout?: Int64 }
export interface ExecSyncResponse { stdout: Buffer; stderr: Buffer; exitCode: number }
export interface ExecRequest { containerId: string; cmd: string[]; tty?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean }
export interface AttachRequest { containerId: string; stdin?: boolean; tty?: boolean; stdout?: boolean; stderr?: boolean }
export interface PortForwardRequest { podSandboxId: string; port?: number[] }
export interface UrlResponse { url: string }

// ---- stats

export interface FilesystemUsage { timestamp: string; fsId: { mountpoint: string } | null; usedBytes: UInt64Value | null; inodesUsed: UInt64Value | null }
export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata | null; labels: StrMap; annotations: StrMap } | null;
  cpu: { timestamp: string; usageCoreNanoSeconds: UInt64Value | null; usageNanoCores: UInt64Value | null } | null;
  memory: {
    timestamp: string;
    workingSetBytes: UInt64Value | null;
    availableBytes: UInt64Value | null;
    usageBytes: UInt64Value | null;
    rssBytes: UInt64Value | null;
    pageFaults: UInt64Value | null;
    majorPageFaults: UInt64Value | null;
  } | null;
  writableLayer: FilesystemUsage | null;
  swap: { timestamp: string; swapAvailableBytes: UInt64Value | null; swapUsageBytes: UInt64Value | null } | null;
}
export interface ContainerStatsResponse { stats: ContainerStats | null }
export interface ListContainerStatsRequest { filter?: { id?: string; podSandboxId?: string; labelSelector?: StrMap } | null }
export interface ListContainerStatsResponse { stats: ContainerStats[] }
export interface NetworkInterfaceUsage { name: string; rxBytes: UInt64Value | null; rxErrors: UInt64Value | null; txBytes: UInt64Value | null; txErrors: UInt64Value | null }
export interface PodSandboxStats {
  attributes: { id: string; metadata: PodSandboxMetadata | null; labels: StrMap; annotations: StrMap } | null;
  linux: {
    cpu: ContainerStats['cpu'];
    memory: ContainerStats['memory'];
    network: { timestamp: string; defaultInterface: NetworkInterfaceUsage | null; interfaces: NetworkInterfaceUsage[] } | null;
    process: { timestamp: string; processCount: UInt64Value | null } | null;
    containers: ContainerStats[];
  } | null;
}
export interface ListPodSandboxStatsRequest { filter?: { id?: string; labelSelector?: StrMap } | null }
export interface ListPodSandboxStatsResponse { stats: PodSandboxStats[] }

// ---- images

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: string;
  uid: Int64Value | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
  imageSource: string;
}
export interface ListImagesRequest { filter?: { image?: ImageSpec | null } | null }
export interface ListImagesResponse { images: Image[] }
export interface ImageStatusRequest { image: ImageSpec; verbose?: boolean }
/** image is null when the runtime does not have it (not an error). */
export interface ImageStatusResponse { image: Image | null; info: StrMap }
export interface AuthConfig { username?: string; password?: string; auth?: string; serverAddress?: string; identityToken?: string; registryToken?: string }
export interface PullImageRequest { image: ImageSpec; auth?: AuthConfig | null; sandboxConfig?: PodSandboxConfig | null }
export interface PullImageResponse { imageRef: string }
export interface RemoveImageRequest { image: ImageSpec }
export interface ImageFsInfoResponse { imageFilesystems: FilesystemUsage[]; containerFilesystems: FilesystemUsage[] }

/** Requests and responses without fields. */
export type Empty = Record<string, never>;
