// DefaultPreemption (PostFilter): when no node fits, look for a node where evicting pods of
// lower priority would make room — the fewest and least important victims, sparing pods
// protected by PodDisruptionBudgets where possible — then, through the API, mark the victims
// (DisruptionTarget condition), delete them and nominate the node for the pod
// (status.nominatedNodeName, set by the scheduler). The pod is retried once they are gone.

import { findResource } from '../../../api/resources.js';
import type { Obj } from '../../../api/types.js';
import { isNotFound } from '../../../client/errors.js';
import {
  Code, newDiagnosis, fitErrorMessage, NodeToStatus, Status, SUCCESS,
  type CycleState, type Handle, type PostFilterPlugin, type PostFilterResult,
} from '../../framework.js';
import type { NodeInfo, PodInfo } from '../../nodeinfo.js';
import { pickOneNodeForPreemption, selectVictimsOnNode, terminatingByPreemption, type Candidate } from './victims.js';

export { ERR_NO_VICTIMS } from './victims.js';

export const NAME = 'DefaultPreemption';
export const ERR_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const PODS = findResource('', 'v1', 'pods')!;

export interface DefaultPreemptionArgs {
  /** At least this percentage of the nodes are dry-run for candidates (default 10). */
  minCandidateNodesPercentage?: number;
  /** ... and at least this many (default 100). */
  minCandidateNodesAbsolute?: number;
  /** Injectable randomness for tests: the dry run starts at offset rand(n). */
  rand?: (n: number) => number;
}

type H = Pick<Handle, 'snapshot' | 'lister' | 'client' | 'recorder' | 'nominator' | 'framework' | 'schedulerName' | 'signal'>;

function calculateNumCandidates(n: number, args: DefaultPreemptionArgs): number {
  let c = Math.trunc((n * (args.minCandidateNodesPercentage ?? 10)) / 100);
  if (c < (args.minCandidateNodesAbsolute ?? 100)) c = args.minCandidateNodesAbsolute ?? 100;
  return Math.min(c, n);
}

/** PodEligibleToPreemptOthers: '' when eligible, else the reason. */
function ineligibility(h: H, pod: PodInfo, m: NodeToStatus): string {
  if (pod.pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
  const nnn: string = pod.pod.status?.nominatedNodeName ?? '';
  if (nnn) {
    if (m.get(nnn).code === Code.UnschedulableAndUnresolvable) return '';
    const node = h.snapshot().get(nnn);
    for (const p of node?.pods ?? []) {
      if (p.priority < pod.priority && terminatingByPreemption(p.pod)) return 'not eligible due to a terminating pod on the nominated node.';
    }
  }
  return '';
}

function notHelpful(numAllNodes: number, statuses: NodeToStatus): string {
  const d = newDiagnosis();
  for (const [k, v] of statuses.map) d.nodeToStatus.set(k, v);
  d.nodeToStatus.absent = Status.unresolvable(ERR_NOT_HELPFUL);
  return fitErrorMessage(numAllNodes, d);
}

export function newDefaultPreemption(h: H, args: DefaultPreemptionArgs = {}): PostFilterPlugin {
  const rand = args.rand ?? ((n: number) => Math.floor(Math.random() * n));

  async function preempt(c: Candidate, pod: PodInfo): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    await Promise.all(c.victims.map(async (v) => {
      if (v.terminating) return;
      const conds: Obj[] = (v.pod.status?.conditions ?? []).filter((x: Obj) => x?.type !== 'DisruptionTarget');
      conds.push({
        type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
        message: `${h.schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: now,
      });
      try {
        await h.client.patch(PODS, v.namespace, v.name, 'strategic', { status: { conditions: conds } }, { subresource: 'status', signal: h.signal });
        await h.client.delete(PODS, v.namespace, v.name, { signal: h.signal });
      } catch (err) {
        if (isNotFound(err)) return; // already gone
        throw err;
      }
      h.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: v.pod.metadata }, 'Normal', 'Preempted', `Preempted by pod ${pod.pod.metadata?.uid ?? ''} on node ${c.nodeName}`);
    }));
    // Lower-priority pods nominated to this node may not fit any more: let them look elsewhere.
    for (const np of h.nominator.nominatedPodsForNode(c.nodeName)) {
      if (np.priority >= pod.priority || !np.pod.status?.nominatedNodeName) continue;
      try {
        await h.client.patch(PODS, np.namespace, np.name, 'strategic', { status: { nominatedNodeName: null } }, { subresource: 'status', signal: h.signal });
      } catch { /* not critical */ }
    }
  }

  return {
    name: NAME,
    async postFilter(state: CycleState, pod: PodInfo, m: NodeToStatus): Promise<{ result?: PostFilterResult; status: Status }> {
      const wrap = (r: { result?: PostFilterResult; status: Status }): { result?: PostFilterResult; status: Status } =>
        (r.status.reasons.length > 0 && r.status.code !== Code.Success ? { result: r.result, status: new Status(r.status.code, [`preemption: ${r.status.message()}`], r.status.err) } : r);
      const why = ineligibility(h, pod, m);
      if (why) return wrap({ status: Status.unschedulable(why) });
      const all = h.snapshot().nodeInfoList;
      if (all.length === 0) return { status: Status.error(new Error('no nodes available')) };
      const potential = m.nodesWithCode(all, Code.Unschedulable);
      if (potential.length === 0) {
        return wrap({ result: { nominatedNodeName: '' }, status: Status.unschedulable(notHelpful(all.length, new NodeToStatus())) });
      }
      const pdbs = h.lister('poddisruptionbudgets')?.list() ?? [];
      const offset = rand(potential.length);
      const want = calculateNumCandidates(potential.length, args);
      const nonViolating: Candidate[] = [];
      const violating: Candidate[] = [];
      const statuses = new NodeToStatus();
      const errors: string[] = [];
      for (let i = 0; i < potential.length; i++) {
        const node: NodeInfo = potential[(offset + i) % potential.length].clone();
        const r = selectVictimsOnNode(h.framework, state.clone(), pod, node, pdbs);
        if (r.status === null && r.victims.length > 0) {
          (r.numPDBViolations === 0 ? nonViolating : violating).push({ nodeName: node.name, victims: r.victims, numPDBViolations: r.numPDBViolations });
          if (nonViolating.length > 0 && nonViolating.length + violating.length >= want) break;
          continue;
        }
        const s = r.status ?? Status.error(new Error(`expected at least one victim pod on node "${node.name}"`));
        if (s.code === Code.Error) errors.push(s.message());
        statuses.set(node.name, s);
      }
      const candidates = [...nonViolating, ...violating];
      if (candidates.length === 0) {
        if (errors.length > 0) return { status: Status.error(new Error(errors.join(', '))) };
        return wrap({ result: { nominatedNodeName: '' }, status: Status.unschedulable(notHelpful(all.length, statuses)) });
      }
      const best = pickOneNodeForPreemption(candidates)!;
      try {
        await preempt(best, pod);
      } catch (err) {
        return { status: Status.error(err) };
      }
      return { result: { nominatedNodeName: best.nodeName }, status: SUCCESS };
    },
  };
}
