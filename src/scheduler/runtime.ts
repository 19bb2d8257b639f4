// The framework runtime (frameworkImpl): plugins grouped by extension point, run in their
// configured order. The Filter loop stops at a node's first rejection (so the first failing
// plugin names the reason), Score sums weight × normalised score into reusable buffers.

import {
  Code, isSuccess, MAX_NODE_SCORE, MIN_NODE_SCORE, PreFilterResult, SKIP, Status,
  type BindPlugin, type ClusterEventWithHint, type CycleState, type FilterPlugin, type FrameworkRunner, type NodeToStatus,
  type Plugin, type PermitPlugin, type PostBindPlugin, type PostFilterPlugin, type PostFilterResult, type PreBindPlugin,
  type PreEnqueuePlugin, type PreFilterPlugin, type PreScorePlugin, type QueuedPodInfo, type QueueSortPlugin,
  type ReservePlugin, type ScorePlugin, type PodNominator,
} from './framework.js';
import type { NodeInfo, PodInfo, Snapshot } from './nodeinfo.js';

const has = <K extends string>(p: Plugin, m: K): p is Plugin & Record<K, (...a: never[]) => unknown> =>
  typeof (p as unknown as Record<string, unknown>)[m] === 'function';

export interface PreFilterOutcome {
  status: Status | null;
  /** The plugin that rejected (or errored). */
  plugin?: string;
  /** Candidate nodes when a plugin narrowed them. */
  nodeNames?: ReadonlySet<string>;
  /** Plugins that narrowed the nodes. */
  pluginsWithNodes: string[];
}

interface WaitingPod {
  pending: Set<string>;
  done: Promise<Status | null>;
  finish(s: Status | null): void;
}

export class Framework implements FrameworkRunner {
  readonly preEnqueuePlugins: PreEnqueuePlugin[] = [];
  readonly queueSort?: QueueSortPlugin;
  readonly preFilterPlugins: PreFilterPlugin[] = [];
  readonly filterPlugins: FilterPlugin[] = [];
  readonly postFilterPlugins: PostFilterPlugin[] = [];
  readonly preScorePlugins: PreScorePlugin[] = [];
  readonly scorePlugins: ScorePlugin[] = [];
  private readonly scoreWeights: number[] = [];
  readonly reservePlugins: ReservePlugin[] = [];
  readonly permitPlugins: PermitPlugin[] = [];
  readonly preBindPlugins: PreBindPlugin[] = [];
  readonly bindPlugins: BindPlugin[] = [];
  readonly postBindPlugins: PostBindPlugin[] = [];
  /** The plugin whose Filter rejected the last node (runFilter). */
  lastFilterPlugin = '';
  private scoreBufs: Float64Array[] = [];
  private totals = new Float64Array(0);
  private readonly waiting = new Map<string, WaitingPod>();
  nominator?: PodNominator;

  constructor(readonly plugins: readonly Plugin[], weights: Record<string, number> = {}) {
    for (const p of plugins) {
      if (has(p, 'preEnqueue')) this.preEnqueuePlugins.push(p as PreEnqueuePlugin);
      if (has(p, 'less') && !this.queueSort) (this as { queueSort?: QueueSortPlugin }).queueSort = p as QueueSortPlugin;
      if (has(p, 'preFilter')) this.preFilterPlugins.push(p as PreFilterPlugin);
      if (has(p, 'filter')) this.filterPlugins.push(p as FilterPlugin);
      if (has(p, 'postFilter')) this.postFilterPlugins.push(p as PostFilterPlugin);
      if (has(p, 'preScore')) this.preScorePlugins.push(p as PreScorePlugin);
      if (has(p, 'score')) {
        this.scorePlugins.push(p as ScorePlugin);
        this.scoreWeights.push(weights[p.name] ?? 1);
      }
      if (has(p, 'reserve')) this.reservePlugins.push(p as ReservePlugin);
      if (has(p, 'permit')) this.permitPlugins.push(p as PermitPlugin);
      if (has(p, 'preBind')) this.preBindPlugins.push(p as PreBindPlugin);
      if (has(p, 'bind')) this.bindPlugins.push(p as BindPlugin);
      if (has(p, 'postBind')) this.postBindPlugins.push(p as PostBindPlugin);
    }
  }

  /** Events per plugin, for the queue. */
  pluginEvents(): Map<string, ClusterEventWithHint[]> {
    const m = new Map<string, ClusterEventWithHint[]>();
    for (const p of this.plugins) if (p.eventsToRegister) m.set(p.name, p.eventsToRegister());
    return m;
  }

  less = (a: QueuedPodInfo, b: QueuedPodInfo): boolean => {
    if (this.queueSort) return this.queueSort.less(a, b);
    return a.timestamp < b.timestamp || (a.timestamp === b.timestamp && a.seq < b.seq);
  };

  runPreEnqueue(pi: PodInfo): { plugin: string; status: Status } | null {
    for (const p of this.preEnqueuePlugins) {
      const s = p.preEnqueue(pi);
      if (!isSuccess(s)) return { plugin: p.name, status: s! };
    }
    return null;
  }

  runPreFilter(state: CycleState, pod: PodInfo, snapshot: Snapshot): PreFilterOutcome {
    let nodeNames: Set<string> | undefined;
    const pluginsWithNodes: string[] = [];
    for (const p of this.preFilterPlugins) {
      let r: Status | PreFilterResult | null;
      try {
        r = p.preFilter(state, pod, snapshot);
      } catch (err) {
        return { status: Status.error(err), plugin: p.name, pluginsWithNodes };
      }
      if (r instanceof PreFilterResult) {
        pluginsWithNodes.push(p.name);
        nodeNames = nodeNames ? new Set([...nodeNames].filter((n) => r!.nodeNames.has(n))) : new Set(r.nodeNames);
        if (nodeNames.size === 0) {
          const msg = pluginsWithNodes.length === 1
            ? `node(s) didn't satisfy plugin ${pluginsWithNodes[0]}`
            : `node(s) didn't satisfy plugin(s) [${pluginsWithNodes.join(' ')}] simultaneously`;
          return { status: Status.unresolvable(msg), plugin: p.name, nodeNames, pluginsWithNodes };
        }
        continue;
      }
      if (isSuccess(r)) continue;
      if (r!.code === Code.Skip) {
        state.skipFilterPlugins.add(p.name);
        continue;
      }
      return { status: r, plugin: p.name, nodeNames, pluginsWithNodes };
    }
    return { status: null, nodeNames, pluginsWithNodes };
  }

  runPreFilterExtensionAddPod(state: CycleState, pod: PodInfo, toAdd: PodInfo, node: NodeInfo): Status | null {
    for (const p of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.addPod(state, pod, toAdd, node);
      if (!isSuccess(s)) return s;
    }
    return null;
  }

  runPreFilterExtensionRemovePod(state: CycleState, pod: PodInfo, toRemove: PodInfo, node: NodeInfo): Status | null {
    for (const p of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.removePod(state, pod, toRemove, node);
      if (!isSuccess(s)) return s;
    }
    return null;
  }

  /** The filter plugins this cycle runs (those not skipped at PreFilter). */
  activeFilters(state: CycleState): FilterPlugin[] {
    if (state.skipFilterPlugins.size === 0) return this.filterPlugins;
    return this.filterPlugins.filter((p) => !state.skipFilterPlugins.has(p.name));
  }

  /** Runs the filters on one node; the first rejection wins (lastFilterPlugin names it). */
  runFilter(state: CycleState, pod: PodInfo, node: NodeInfo, filters: FilterPlugin[] = this.activeFilters(state)): Status | null {
    for (let i = 0; i < filters.length; i++) {
      let s: Status | null;
      try {
        s = filters[i].filter(state, pod, node);
      } catch (err) {
        s = Status.error(err);
      }
      if (s !== null && s.code !== Code.Success) {
        this.lastFilterPlugin = filters[i].name;
        return s;
      }
    }
    return null;
  }

  /**
   * RunFilterPluginsWithNominatedPods: when pods of equal or higher priority are nominated to
   * the node, the pod must fit with them added (and, as upstream, also without them).
   */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: PodInfo, node: NodeInfo, filters?: FilterPlugin[]): Status | null {
    const nominated = this.nominator?.hasNominatedPods() ? this.nominator.nominatedPodsForNode(node.name) : undefined;
    if (nominated && nominated.length > 0) {
      let stateWith: CycleState | undefined;
      let nodeWith: NodeInfo | undefined;
      for (const np of nominated) {
        if (np.key === pod.key || np.priority < pod.priority) continue;
        if (!stateWith) {
          stateWith = state.clone();
          nodeWith = node.clone();
        }
        nodeWith!.addPod(np);
        const s = this.runPreFilterExtensionAddPod(stateWith, pod, np, nodeWith!);
        if (!isSuccess(s)) return s;
      }
      if (stateWith) {
        const s = this.runFilter(stateWith, pod, nodeWith!, filters);
        if (!isSuccess(s)) return s;
      }
    }
    return this.runFilter(state, pod, node, filters);
  }

  async runPostFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus): Promise<{ result?: PostFilterResult; status: Status; plugin?: string }> {
    const reasons: string[] = [];
    let result: PostFilterResult | undefined;
    for (const p of this.postFilterPlugins) {
      let r: { result?: PostFilterResult; status: Status };
      try {
        r = await p.postFilter(state, pod, statuses);
      } catch (err) {
        return { status: Status.error(err), plugin: p.name };
      }
      if (r.status.code === Code.Success) return { result: r.result, status: r.status, plugin: p.name };
      if (r.status.code === Code.Error) return { result: r.result, status: r.status, plugin: p.name };
      if (r.result) result = r.result;
      reasons.push(...r.status.reasons);
    }
    return { result, status: new Status(Code.Unschedulable, reasons) };
  }

  /** Runs PreScore; plugins answering Skip are left out of Score. Returns an error status or null. */
  runPreScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number): Status | null {
    for (const p of this.preScorePlugins) {
      let s: Status | null;
      try {
        s = p.preScore(state, pod, nodes, count);
      } catch (err) {
        return Status.error(err);
      }
      if (isSuccess(s)) continue;
      if (s!.code === Code.Skip) {
        state.skipScorePlugins.add(p.name);
        continue;
      }
      return s;
    }
    return null;
  }

  /**
   * Scores nodes[0..count): each plugin fills its buffer, normalises it, and adds
   * weight × score to the totals. The returned array is reused by the next call.
   */
  runScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], count: number): Float64Array {
    if (this.totals.length < count) this.totals = new Float64Array(Math.max(count, this.totals.length * 2));
    const totals = this.totals;
    totals.fill(0, 0, count);
    for (let pi = 0; pi < this.scorePlugins.length; pi++) {
      const p = this.scorePlugins[pi];
      if (state.skipScorePlugins.has(p.name)) continue;
      let buf = this.scoreBufs[pi];
      if (!buf || buf.length < count) buf = this.scoreBufs[pi] = new Float64Array(Math.max(count, (buf?.length ?? 0) * 2));
      for (let i = 0; i < count; i++) buf[i] = p.score(state, pod, nodes[i]);
      p.normalizeScore?.(state, pod, buf, count, nodes);
      const w = this.scoreWeights[pi];
      for (let i = 0; i < count; i++) {
        const s = buf[i];
        if (!(s >= MIN_NODE_SCORE && s <= MAX_NODE_SCORE)) {
          throw new Error(`plugin "${p.name}" returns an invalid score ${s}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`);
        }
        totals[i] += s * w;
      }
    }
    return totals;
  }

  runReserve(state: CycleState, pod: PodInfo, nodeName: string): { status: Status | null; plugin?: string } {
    for (const p of this.reservePlugins) {
      let s: Status | null;
      try {
        s = p.reserve(state, pod, nodeName);
      } catch (err) {
        s = Status.error(err);
      }
      if (!isSuccess(s)) return { status: s, plugin: p.name };
    }
    return { status: null };
  }

  /** Unreserve runs in reverse order and must not fail. */
  runUnreserve(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (let i = this.reservePlugins.length - 1; i >= 0; i--) {
      try {
        this.reservePlugins[i].unreserve(state, pod, nodeName);
      } catch { /* unreserve is best effort */ }
    }
  }

  /** Permit: a rejection fails the pod; Wait parks it until every waiting plugin allows. */
  runPermit(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): { status: Status | null; plugin?: string } {
    const waits: { plugin: string; timeoutMs: number }[] = [];
    for (const p of this.permitPlugins) {
      const r = p.permit(state, pod, nodeName);
      if (isSuccess(r.status)) continue;
      if (r.status!.code === Code.Wait) {
        waits.push({ plugin: p.name, timeoutMs: Math.min(r.timeoutMs ?? 0, 15 * 60_000) });
        continue;
      }
      return { status: r.status, plugin: p.name };
    }
    if (waits.length > 0) {
      let resolveDone!: (s: Status | null) => void;
      const done = new Promise<Status | null>((resolve) => (resolveDone = resolve));
      const timers: NodeJS.Timeout[] = [];
      const finish = (s: Status | null): void => {
        for (const t of timers) clearTimeout(t);
        signal.removeEventListener('abort', onAbort);
        this.waiting.delete(pod.key);
        resolveDone(s);
      };
      const onAbort = (): void => finish(new Status(Code.Error, ['scheduler stopped']));
      for (const x of waits) {
        timers.push(setTimeout(() => finish(Status.unschedulable(`rejected due to timeout after waiting ${x.timeoutMs / 1000}s at plugin ${x.plugin}`)), x.timeoutMs));
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(pod.key, { pending: new Set(waits.map((x) => x.plugin)), done, finish });
      return { status: new Status(Code.Wait) };
    }
    return { status: null };
  }

  /** Resolves when a waiting pod is allowed (null) or rejected; immediately if it is not waiting. */
  waitOnPermit(pod: PodInfo): Promise<Status | null> {
    return this.waiting.get(pod.key)?.done ?? Promise.resolve(null);
  }

  /** framework.WaitingPod.Allow. */
  allowWaitingPod(key: string, plugin: string): void {
    const w = this.waiting.get(key);
    if (!w) return;
    w.pending.delete(plugin);
    if (w.pending.size === 0) w.finish(null);
  }

  /** framework.WaitingPod.Reject. */
  rejectWaitingPod(key: string, plugin: string, msg: string): boolean {
    const w = this.waiting.get(key);
    if (!w) return false;
    w.finish(Status.unschedulable(msg || `rejected by ${plugin}`));
    return true;
  }

  async runPreBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null> {
    for (const p of this.preBindPlugins) {
      let s: Status | null;
      try {
        s = await p.preBind(state, pod, nodeName, signal);
      } catch (err) {
        s = Status.error(err);
      }
      if (!isSuccess(s)) return s;
    }
    return null;
  }

  async runBind(state: CycleState, pod: PodInfo, nodeName: string, signal: AbortSignal): Promise<Status | null> {
    for (const p of this.bindPlugins) {
      let s: Status | null;
      try {
        s = await p.bind(state, pod, nodeName, signal);
      } catch (err) {
        s = Status.error(err);
      }
      if (s === SKIP || s?.code === Code.Skip) continue;
      return s;
    }
    return new Status(Code.Error, ['no bind plugin bound the pod']);
  }

  runPostBind(state: CycleState, pod: PodInfo, nodeName: string): void {
    for (const p of this.postBindPlugins) {
      try {
        p.postBind(state, pod, nodeName);
      } catch { /* informational */ }
    }
  }
}
