// The Node a real kubelet registers and the status it keeps posting: capacity from the host
// (allocatable less the default hard-eviction thresholds), the four conditions with Ready
// following the runtime's own RuntimeReady/NetworkReady, InternalIP and Hostname addresses,
// the kubelet port, nodeInfo (containerRuntimeVersion containerd://<version>) and the images.

import type { Obj } from '../../api/types.js';
import { nodeConditions, nodeInfo, registrationLabels, type NodeHealth } from '../node/nodestatus.js';
import { nodeResources } from '../simulated/register.js';
import type { Image, StatusResponse } from '../cri/types.js';
import { nodeCapacity, type MachineInfo } from './machine.js';

export const MAX_NODE_IMAGES = 50;
export const MAX_NAMES_PER_IMAGE = 5;

export interface NodeStatusInput {
  nodeName: string;
  nodeIP: string;
  hostname: string;
  kubeletPort: number;
  machine: MachineInfo;
  maxPods?: number;
  /** Allocatable from capacity (a KubeletConfiguration's reservations and eviction thresholds). */
  allocatable?: (capacity: Record<string, string>) => Record<string, string>;
  /** containerd://<version>, once the runtime is up. */
  runtimeVersion?: string;
  health: NodeHealth;
  images: Obj[];
  /** The node as the API has it (conditions keep their transition times; ids stay). */
  current?: Obj;
  now: Date;
}

export function nodeAddresses(nodeIP: string, hostname: string): Obj[] {
  return [{ type: 'InternalIP', address: nodeIP }, { type: 'Hostname', address: hostname }];
}

export function desiredNodeStatus(i: NodeStatusInput): Obj {
  const capacity = nodeCapacity(i.machine, i.maxPods);
  const res = nodeResources(capacity, i.allocatable?.(capacity));
  const info = nodeInfo(i.nodeName, {
    machineID: i.machine.machineID || undefined,
    systemUUID: i.machine.systemUUID || undefined,
    bootID: i.machine.bootID || undefined,
    kernelVersion: i.machine.kernelVersion,
    osImage: i.machine.osImage,
    containerRuntimeVersion: i.runtimeVersion ?? '',
  });
  const out: Obj = {
    capacity: res.capacity,
    allocatable: res.allocatable,
    conditions: nodeConditions(i.current?.status?.conditions, i.health, i.now),
    addresses: nodeAddresses(i.nodeIP, i.hostname),
    daemonEndpoints: { kubeletEndpoint: { Port: i.kubeletPort } },
    nodeInfo: info,
  };
  if (i.images.length) out.images = i.images;
  return out;
}

/** The Node object to create at registration. */
export function registrationNode(i: NodeStatusInput): Obj {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: i.nodeName,
      labels: registrationLabels(i.nodeName),
      annotations: { 'volumes.kubernetes.io/controller-managed-attach-detach': 'true', 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: {},
    status: desiredNodeStatus(i),
  };
}

/** status.images: biggest first, at most 50, digests then tags (at most 5 names each). */
export function nodeImages(images: Image[]): Obj[] {
  return [...images]
    .sort((a, b) => Number(b.size ?? 0) - Number(a.size ?? 0))
    .slice(0, MAX_NODE_IMAGES)
    .map((im) => ({ names: [...(im.repoDigests ?? []), ...(im.repoTags ?? [])].slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: Number(im.size ?? 0) }))
    .filter((im) => im.names.length > 0);
}

/** Ready from the runtime's conditions (the kubelet's runtime and network readiness checks). */
export function runtimeHealth(st: StatusResponse | undefined, error?: string): NodeHealth {
  if (error !== undefined) return { ready: false, notReadyMessage: `container runtime is down: ${error}` };
  if (!st) return { ready: false };
  const cond = (t: string) => (st.status?.conditions ?? []).find((c) => c.type === t);
  const rt = cond('RuntimeReady'), net = cond('NetworkReady');
  if (!rt?.status) return { ready: false, notReadyMessage: `container runtime status check may not have completed yet: RuntimeReady=false reason:${rt?.reason ?? ''} message:${rt?.message ?? ''}` };
  if (!net?.status) return { ready: false, notReadyMessage: `container runtime network not ready: NetworkReady=false reason:${net?.reason ?? ''} message:${net?.message ?? ''}` };
  return { ready: true };
}
