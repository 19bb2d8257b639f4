// Registering simulated nodes: Node objects as a kubelet registers them (hostname/OS/arch
// labels, the attach-detach annotation, capacity and allocatable) plus the label that hands
// them to a simulated node agent. Registration is only API writes, so it can run in any
// process (a CLI's `skiff nodes add N`) while the agent inside the server runs the nodes:
// heartbeats, status and pods.
//
// The requested capacity travels in an annotation as well as in status: the API server may
// drop status on create, and the agent, as the only writer of node status, reads it there.

import { canonicalize } from '../../api/quantity.js';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { isAlreadyExists } from '../../client/errors.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { LABEL_INSTANCE_TYPE, goArch, registrationLabels } from '../node/nodestatus.js';

export const NODES: ResourceRef = findResource('', 'v1', 'nodes')!;

/** Nodes carrying this label (value "true") are run by a simulated node agent. */
export const SIMULATED_LABEL = 'skiff.dev/simulated';
export const SIMULATED_SELECTOR = `${SIMULATED_LABEL}=true`;
/** JSON {capacity, allocatable} requested at registration. */
export const RESOURCES_ANNOTATION = 'skiff.dev/simulated-resources';
export const DEFAULT_NAME_PREFIX = 'sim-node-';

export type ResourceList = Record<string, string>;

/** The defaults: a 4-CPU, 16 GiB machine with 100 GiB of disk and the kubelet's 110 pods (as a kubelet reports them). */
export const DEFAULT_CAPACITY: ResourceList = {
  cpu: '4', 'ephemeral-storage': '104857600Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16777216Ki', pods: '110',
};

const KI = 1024n;

function toBytes(q: string): bigint | undefined {
  const m = /^(\d+)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(q.trim());
  if (!m) return undefined;
  const mult: Record<string, bigint> = { '': 1n, Ki: KI, Mi: KI ** 2n, Gi: KI ** 3n, Ti: KI ** 4n, Pi: KI ** 5n, k: 1000n, M: 1000n ** 2n, G: 1000n ** 3n, T: 1000n ** 4n, P: 1000n ** 5n };
  return BigInt(m[1]) * mult[m[2] ?? ''];
}

/** Memory-like quantities the way a kubelet reports them (in Ki when whole kibibytes). */
function kubeletQuantity(q: string): string {
  const b = toBytes(q);
  if (b === undefined) return q;
  return b % KI === 0n ? `${b / KI}Ki` : String(b);
}

/**
 * Capacity with defaults filled in, and allocatable as the kubelet derives it with its
 * default hard-eviction thresholds: memory less 100Mi, ephemeral storage 90%.
 */
export function nodeResources(capacity: ResourceList = {}, allocatable?: ResourceList): { capacity: ResourceList; allocatable: ResourceList } {
  const cap: ResourceList = { ...DEFAULT_CAPACITY };
  for (const [k, v] of Object.entries(capacity)) cap[k] = k === 'memory' || k === 'ephemeral-storage' ? kubeletQuantity(String(v)) : String(v);
  if (allocatable) return { capacity: canonicalList(cap), allocatable: canonicalList({ ...cap, ...allocatable }) };
  const alloc: ResourceList = { ...cap };
  const mem = toBytes(cap.memory ?? '');
  if (mem !== undefined && mem > 100n * KI * KI) alloc.memory = kubeletQuantity(String(mem - 100n * KI * KI));
  const disk = toBytes(cap['ephemeral-storage'] ?? '');
  if (disk !== undefined) alloc['ephemeral-storage'] = String((disk * 9n) / 10n);
  return { capacity: canonicalList(cap), allocatable: canonicalList(alloc) };
}

/**
 * Quantities as the API server stores them ("16777216Ki" is kept as "16Gi"), so what the
 * agent wants compares equal to what it reads back.
 */
export function canonicalList(l: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(l)) {
    try {
      out[k] = canonicalize(v);
    } catch {
      out[k] = String(v);
    }
  }
  return out;
}

export interface SimulatedNodeTemplate {
  /** Overrides of the default capacity (cpu, memory, pods, ephemeral-storage, extended resources). */
  capacity?: ResourceList;
  /** Explicit allocatable (default: capacity less the kubelet's eviction thresholds). */
  allocatable?: ResourceList;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** --register-with-taints */
  taints?: Obj[];
  /** node.kubernetes.io/instance-type */
  instanceType?: string;
  /** Go architecture name (default: this machine's). */
  arch?: string;
}

/** The Node object a kubelet would register for `name`. */
export function simulatedNode(name: string, t: SimulatedNodeTemplate = {}): Obj {
  const res = nodeResources(t.capacity, t.allocatable);
  const labels: Record<string, string> = { ...registrationLabels(name, 'linux', t.arch ?? goArch()), [SIMULATED_LABEL]: 'true', ...(t.labels ?? {}) };
  if (t.instanceType) labels[LABEL_INSTANCE_TYPE] = t.instanceType;
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name, labels,
      annotations: {
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        [RESOURCES_ANNOTATION]: JSON.stringify(res),
        ...(t.annotations ?? {}),
      },
    },
    spec: t.taints?.length ? { taints: t.taints } : {},
    status: { capacity: res.capacity, allocatable: res.allocatable },
  };
}

/** The {capacity, allocatable} a node was registered with, if it says. */
export function registeredResources(node: Obj): { capacity: ResourceList; allocatable: ResourceList } | undefined {
  const raw = node?.metadata?.annotations?.[RESOURCES_ANNOTATION];
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw);
    if (v && typeof v.capacity === 'object' && typeof v.allocatable === 'object') return { capacity: canonicalList(v.capacity), allocatable: canonicalList(v.allocatable) };
  } catch { /* a hand-edited annotation: fall back to defaults */ }
  return undefined;
}

export interface RegisterOptions extends SimulatedNodeTemplate {
  client: KubeClient;
  signal?: AbortSignal;
  /** Parallel creates (default 32). */
  concurrency?: number;
}

/** Creates the nodes (an existing node of the same name is left as it is). Returns the names. */
export async function registerSimulatedNodes(names: string[], o: RegisterOptions): Promise<string[]> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length && !o.signal?.aborted) {
      const name = names[next++];
      try {
        await o.client.create(NODES, '', simulatedNode(name, o), { signal: o.signal });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 32, names.length)) }, worker));
  return names;
}

export interface AddSimulatedNodesOptions extends RegisterOptions {
  count: number;
  /** Names are PREFIX1, PREFIX2, ... (default "sim-node-"). */
  namePrefix?: string;
}

/**
 * Adds `count` more simulated nodes to a cluster, numbered after the highest existing
 * PREFIXn. A running agent (startSimulatedNodes, e.g. inside `skiff server`) picks them up.
 */
export async function addSimulatedNodes(o: AddSimulatedNodesOptions): Promise<string[]> {
  const prefix = o.namePrefix ?? DEFAULT_NAME_PREFIX;
  let max = 0;
  let cont: string | undefined;
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)$`);
  do {
    const page = await o.client.list(NODES, '', { labelSelector: SIMULATED_SELECTOR, limit: 500, continue: cont, signal: o.signal });
    for (const n of page.items ?? []) {
      const m = re.exec(n.metadata?.name ?? '');
      if (m) max = Math.max(max, Number(m[1]));
    }
    cont = page.metadata?.continue || undefined;
  } while (cont);
  const names = Array.from({ length: Math.max(0, o.count) }, (_, i) => `${prefix}${max + i + 1}`);
  return registerSimulatedNodes(names, o);
}
