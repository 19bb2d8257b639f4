// The scheduling framework's vocabulary (k8s.io/kube-scheduler/framework): status codes, the
// cycle state, the extension points a plugin may implement, cluster events for requeueing,
// the per-node statuses of a failed cycle and the FitError text users read in events.
//
// Extension points, in cycle order:
//   PreEnqueue → QueueSort → PreFilter → Filter → PostFilter → PreScore → Score
//   (+ NormalizeScore) → Reserve/Unreserve → Permit → PreBind → Bind → PostBind
// Filter and Score run once per node in the hot loop: they return `null` for success (no
// allocation) and may return shared, immutable Status objects for failures.

import type { Obj } from '../api/types.js';
import type { KubeClient } from '../client/interface.js';
import type { NodeInfo, PodInfo, Snapshot } from './nodeinfo.js';

export { NodeInfo, PodInfo, Snapshot } from './nodeinfo.js';

export enum Code {
  Success = 0,
  /** An internal error: the pod is retried with back-off, no preemption. */
  Error = 1,
  /** Rejected; preemption might help. */
  Unschedulable = 2,
  /** Rejected and preemption cannot help. */
  UnschedulableAndUnresolvable = 3,
  /** Permit: wait for an allow/reject. */
  Wait = 4,
  /** PreFilter/PreScore: skip this plugin's Filter/Score; Bind: let the next binder bind. */
  Skip = 5,
}

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

/** An immutable result: a code, the reasons (joined by ", " into the message) and an optional cause. */
export class Status {
  constructor(readonly code: Code, readonly reasons: readonly string[] = [], readonly err?: Error) {}

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }

  static error(err: unknown): Status {
    const e = err instanceof Error ? err : new Error(String(err));
    return new Status(Code.Error, [e.message], e);
  }

  message(): string {
    return this.reasons.join(', ');
  }

  /** Unschedulable or UnschedulableAndUnresolvable. */
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }
}

export const SUCCESS = new Status(Code.Success);
export const SKIP = new Status(Code.Skip);

/** null (and Success) mean success. */
export function isSuccess(s: Status | null | undefined): boolean {
  return !s || s.code === Code.Success;
}

/** Per-plugin data a cycle carries from PreFilter to Filter, PreScore to Score. Must clone for simulations. */
export interface StateData {
  clone(): StateData;
}

/** framework.CycleState: plugin data for one pod's scheduling cycle. */
export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** Filter plugins whose PreFilter returned Skip. */
  skipFilterPlugins = new Set<string>();
  /** Score plugins whose PreScore returned Skip. */
  skipScorePlugins = new Set<string>();

  read<T extends StateData>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }

  write(key: string, v: StateData): void {
    this.data.set(key, v);
  }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    c.skipFilterPlugins = new Set(this.skipFilterPlugins);
    c.skipScorePlugins = new Set(this.skipScorePlugins);
    return c;
  }
}

// ---- cluster events (EnqueueExtensions) ----

export type EventResource =
  | 'Node' | 'AssignedPod' | 'UnscheduledPod' | 'PersistentVolumeClaim' | 'PersistentVolume'
  | 'StorageClass' | 'Namespace' | 'PodDisruptionBudget' | 'WildCard';

/** Bit flags, as framework.ActionType. */
export const Action = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  /** Taints and spec.unschedulable. */
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
  UpdatePodLabel: 128,
  UpdatePodScaleDown: 256,
  UpdatePodTolerations: 512,
  UpdatePodSchedulingGatesEliminated: 1024,
  /** Any other update of the object. */
  UpdateOther: 2048,
} as const;
export const ACTION_UPDATE = 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048;
export const ACTION_ALL = 1 | 2 | ACTION_UPDATE;

export interface ClusterEvent {
  resource: EventResource;
  actions: number;
  /** A label for logs/metrics, e.g. "NodeAdd". */
  label?: string;
}

export type QueueingHint = 'Queue' | 'Skip';

export interface ClusterEventWithHint {
  event: ClusterEvent;
  /** Decides whether this change may make `pod` schedulable; omitted means Queue. */
  hint?(pod: Obj, oldObj: Obj | undefined, newObj: Obj | undefined): QueueingHint;
}

export function eventMatches(registered: ClusterEvent, happened: ClusterEvent): boolean {
  return (registered.resource === 'WildCard' || happened.resource === 'WildCard' || registered.resource === happened.resource)
    && (registered.actions & happened.actions) !== 0;
}

// ---- plugin interfaces ----

export interface Plugin {
  readonly name: string;
  /** Events that may make a pod this plugin rejected schedulable. */
  eventsToRegister?(): ClusterEventWithHint[];
}

export interface PreEnqueuePlugin extends Plugin {
  preEnqueue(pod: PodInfo): Status | null;
}

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** What PreFilter may narrow the candidate nodes to (undefined: all nodes). */
export class PreFilterResult {
  constructor(readonly nodeNames: ReadonlySet<string>) {}
}

export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: PodInfo, podToAdd: PodInfo, nodeInfo: NodeInfo): Status | null;
  removePod(state: CycleState, podToSchedule: PodInfo, podToRemove: PodInfo, nodeInfo: NodeInfo): Status | null;
}

export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): Status | PreFilterResult | null;
  preFilterExtensions?(): PreFilterExtensions | undefined;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
}

export interface PostFilterResult {
  /** Set: nominate this node; '' clears a nomination; undefined leaves it. */
  nominatedNodeName?: string;
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<{ result?: PostFilterResult; status: Status }>;
}

export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number): Status | null;
}

export interface ScorePlugin extends Plugin {
  /** A score in [0, 100] (before normalisation any scale). Throw for errors. */
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Rewrites scores[0..count) in place into [0, 100]; nodes[i] is the node of scores[i]. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: Float64Array, count: number, nodes: readonly NodeInfo[]): void;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: PodInfo, nodeName: string): Status | null;
  unreserve(state: CycleState, pod: PodInfo, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Status Wait with timeoutMs parks the pod until allowed, rejected or timed out. */
  permit(state: CycleState, pod: PodInfo, nodeName: string): { status: Status | null; timeoutMs?: number };
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null>;
}

export interface BindPlugin extends Plugin {
  /** Skip lets the next bind plugin handle the pod. */
  bind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: PodInfo, nodeName: string): void;
}

/** A pod in the scheduling queue (framework.QueuedPodInfo). */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When it was (re)added to the queue (ms, monotonic). */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  initialAttemptTimestamp?: number;
  /** Plugins that rejected it in its last attempt (decides which events requeue it). */
  unschedulablePlugins: Set<string>;
  /** Rejected by PreEnqueue: waits for an update of the pod itself. */
  gated: boolean;
  /** Tie-breaker for equal timestamps: insertion order. */
  seq: number;
}

// ---- failed cycles ----

/** framework.NodeToStatus: explicit per-node statuses plus one for nodes absent from the map. */
export class NodeToStatus {
  readonly map = new Map<string, Status>();
  absent: Status = new Status(Code.UnschedulableAndUnresolvable);

  get(name: string): Status {
    return this.map.get(name) ?? this.absent;
  }

  set(name: string, s: Status): void {
    this.map.set(name, s);
  }

  get size(): number {
    return this.map.size;
  }

  /** Nodes whose status has this code (absent nodes count with the absent status). */
  nodesWithCode(all: readonly NodeInfo[], code: Code): NodeInfo[] {
    const out: NodeInfo[] = [];
    for (const n of all) if (this.get(n.name).code === code) out.push(n);
    return out;
  }
}

export interface Diagnosis {
  nodeToStatus: NodeToStatus;
  unschedulablePlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

export function newDiagnosis(): Diagnosis {
  return { nodeToStatus: new NodeToStatus(), unschedulablePlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
}

/**
 * FitError.Error(): "0/N nodes are available: <PreFilterMsg>. <count reason, ...>. <PostFilterMsg>"
 * Reasons are counted over nodes and sorted as strings ("1 Insufficient cpu" < "2 node(s) ...").
 */
export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg !== '') {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const counts = new Map<string, number>();
    for (const s of d.nodeToStatus.map.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
    const absent = numAllNodes - d.nodeToStatus.size;
    if (absent > 0) for (const r of d.nodeToStatus.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + absent);
    const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort(goStringLess);
    if (parts.length) msg += ` ${parts.join(', ')}.`;
  }
  if (d.postFilterMsg !== '') msg += ` ${d.postFilterMsg}`;
  return msg;
}

/** Go's sort.Strings order: bytewise (UTF-16 code units agree for the ASCII reasons here). */
function goStringLess(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a failed scheduling cycle ends with (not an Error: its message grows after PostFilter). */
export class FitError {
  constructor(readonly pod: PodInfo, readonly numAllNodes: number, readonly diagnosis: Diagnosis) {}

  get message(): string {
    return fitErrorMessage(this.numAllNodes, this.diagnosis);
  }
}

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/**
 * How many feasible nodes to look for before scoring (numFeasibleNodesToFind): every node
 * below 100; else `percentage`% of them, where 0 means adaptive: 50% minus 1% per 125 nodes,
 * at least 5%, and never fewer than 100 nodes.
 */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  const MIN_NODES = 100;
  const MIN_PERCENTAGE = 5;
  if (numAllNodes < MIN_NODES) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (!(pct > 0)) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_PERCENTAGE) pct = MIN_PERCENTAGE;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_NODES ? MIN_NODES : n;
}

/**
 * helper.DefaultNormalizeScore: scale scores to [0, maxPriority] by the maximum; `reverse`
 * turns "more is worse" counts into scores.
 */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: Float64Array, count: number): void {
  let max = 0;
  for (let i = 0; i < count; i++) if (scores[i] > max) max = scores[i];
  if (max === 0) {
    if (reverse) for (let i = 0; i < count; i++) scores[i] = maxPriority;
    return;
  }
  for (let i = 0; i < count; i++) {
    let s = Math.trunc((maxPriority * scores[i]) / max);
    if (reverse) s = maxPriority - s;
    scores[i] = s;
  }
}

// ---- what plugins may use ----

/** A read-only object cache (an informer's store). */
export interface Lister {
  get(namespace: string, name: string): Obj | undefined;
  list(): Obj[];
  listNamespace(namespace: string): Obj[];
}

export type ListerName =
  | 'pods' | 'nodes' | 'namespaces' | 'persistentvolumeclaims' | 'persistentvolumes' | 'storageclasses'
  | 'services' | 'replicationcontrollers' | 'replicasets' | 'statefulsets' | 'poddisruptionbudgets' | 'priorityclasses';

/** Records events (an EventRecorder fits). */
export interface Recorder {
  event(obj: Obj, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Pods nominated to nodes by preemption (waiting for their victims to leave). */
export interface PodNominator {
  nominatedPodsForNode(nodeName: string): readonly PodInfo[];
  hasNominatedPods(): boolean;
  addNominatedPod(pi: PodInfo, nodeName: string): void;
  deleteNominatedPodIfExists(pod: Obj): void;
}

/** Framework operations plugins may call back into (preemption simulates filters). */
export interface FrameworkRunner {
  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): Status | null;
  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): Status | null;
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null;
}

/** framework.Handle: what the scheduler lends its plugins. */
export interface Handle {
  readonly client: KubeClient;
  readonly schedulerName: string;
  /** The snapshot of the cycle in progress. */
  snapshot(): Snapshot;
  lister(name: ListerName): Lister | undefined;
  readonly recorder: Recorder;
  readonly nominator: PodNominator;
  readonly framework: FrameworkRunner;
  /** Assigned pods (incl. assumed) whose labels may match: a superset filtered by callers. */
  assignedPodsWithLabel(key: string, value: string): Iterable<PodInfo> | undefined;
  /** The signal the scheduler runs under (API calls made by plugins use it). */
  readonly signal: AbortSignal;
}

export type PluginFactory = (h: Handle) => Plugin;
