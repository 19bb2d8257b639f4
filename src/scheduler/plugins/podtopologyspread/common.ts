// Shared by PodTopologySpread's filtering and scoring: constraints as the scheduler uses them,
// the system default constraints, node inclusion and counting matching pods.

import type { Obj } from '../../../api/types.js';
import { fromLabelSelectorObject, LabelSelector, newRequirement, selectorFromSet, type Requirement } from '../../../api/selectors/index.js';
import type { Handle } from '../../framework.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../nodeinfo.js';
import { requiredNodeAffinityOf } from '../../util/nodeselector.js';
import { tolerationsTolerateTaint } from '../../util/taints.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  /** Honor: only nodes matching the pod's node affinity/selector count. */
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  /** Honor: only nodes whose taints the pod tolerates count. */
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

/** The pod's constraints with the given whenUnsatisfiable, matchLabelKeys folded in. */
export function podConstraints(pod: Obj, action: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  const labels: Record<string, string> = pod?.metadata?.labels ?? {};
  for (const c of pod?.spec?.topologySpreadConstraints ?? []) {
    if (c?.whenUnsatisfiable !== action) continue;
    let selector = fromLabelSelectorObject(c.labelSelector);
    const extra: Requirement[] = [];
    for (const k of c.matchLabelKeys ?? []) if (k in labels) extra.push(newRequirement(k, 'in', [labels[k]]));
    if (extra.length) selector = selector.add(...extra);
    out.push({
      maxSkew: Number(c.maxSkew ?? 1),
      topologyKey: String(c.topologyKey ?? ''),
      selector,
      minDomains: Number(c.minDomains ?? 1),
      nodeAffinityPolicy: c.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
    });
  }
  return out;
}

const SYSTEM_DEFAULTS: { topologyKey: string; maxSkew: number }[] = [
  { topologyKey: HOSTNAME_LABEL, maxSkew: 3 },
  { topologyKey: ZONE_LABEL, maxSkew: 5 },
];

/**
 * helper.DefaultSelector: the union of the selectors of the Services selecting the pod and of
 * its controller (ReplicationController, ReplicaSet, StatefulSet).
 */
export function defaultSelector(h: Pick<Handle, 'lister'>, pod: Obj): LabelSelector {
  const ns: string = pod?.metadata?.namespace ?? '';
  const labels: Record<string, string> = pod?.metadata?.labels ?? {};
  const set: Record<string, string> = {};
  for (const svc of h.lister('services')?.listNamespace(ns) ?? []) {
    const sel: Record<string, string> | undefined = svc.spec?.selector;
    if (!sel || Object.keys(sel).length === 0) continue;
    if (Object.entries(sel).every(([k, v]) => labels[k] === v)) Object.assign(set, sel);
  }
  let selector = selectorFromSet(set);
  const owner = (pod?.metadata?.ownerReferences ?? []).find((o: Obj) => o?.controller);
  if (!owner) return selector;
  const group = String(owner.apiVersion ?? '').includes('/') ? String(owner.apiVersion).split('/')[0] : '';
  try {
    if (group === '' && owner.kind === 'ReplicationController') {
      const rc = h.lister('replicationcontrollers')?.get(ns, owner.name);
      if (rc?.spec?.selector) selector = selectorFromSet({ ...set, ...rc.spec.selector });
    } else if (group === 'apps' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet')) {
      const obj = h.lister(owner.kind === 'ReplicaSet' ? 'replicasets' : 'statefulsets')?.get(ns, owner.name);
      if (obj?.spec?.selector) {
        const other = fromLabelSelectorObject(obj.spec.selector);
        if (!other.matchesNothing()) selector = selector.add(...other.requirements);
      }
    }
  } catch { /* an invalid selector adds nothing */ }
  return selector;
}

/** The system default constraints (ScheduleAnyway), or none when nothing selects the pod. */
export function defaultConstraints(h: Pick<Handle, 'lister'>, pod: Obj): Constraint[] {
  const selector = defaultSelector(h, pod);
  if (selector.isEmpty()) return [];
  return SYSTEM_DEFAULTS.map((d) => ({
    maxSkew: d.maxSkew, topologyKey: d.topologyKey, selector, minDomains: 1, nodeAffinityPolicy: 'Honor', nodeTaintsPolicy: 'Ignore',
  }));
}

export function nodeHasAllKeys(labels: Record<string, string>, constraints: readonly Constraint[]): boolean {
  for (const c of constraints) if (labels[c.topologyKey] === undefined) return false;
  return true;
}

/** matchNodeInclusionPolicies. */
export function nodeIncluded(c: Constraint, pod: PodInfo, node: NodeInfo): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !requiredNodeAffinityOf(pod.pod).matches(node.labels, node.name)) return false;
  if (c.nodeTaintsPolicy === 'Honor') {
    for (const t of node.taints) {
      if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerationsTolerateTaint(pod.tolerations, t)) return false;
    }
  }
  return true;
}

/** Non-terminating pods of `namespace` on the node whose labels the selector matches. */
export function countPodsMatchSelector(pods: readonly PodInfo[], selector: LabelSelector, namespace: string): number {
  if (selector.matchesNothing()) return 0;
  let n = 0;
  for (const p of pods) {
    if (p.namespace !== namespace || p.terminating) continue;
    if (selector.matches(p.labels)) n++;
  }
  return n;
}

/** A label the selector pins to one value, usable to look candidates up in the label index. */
export function exactLabel(selector: LabelSelector): [string, string] | undefined {
  for (const r of selector.requirements) {
    if ((r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1) return [r.key, r.values[0]];
  }
  return undefined;
}

/**
 * Calls fn(node) once per assigned, non-terminating pod of `namespace` matching `selector`,
 * with the pod's node. Uses the label index when the selector pins a label; else scans nodes.
 */
export function forEachMatchingPod(h: Pick<Handle, 'assignedPodsWithLabel'>, snapshot: Snapshot, selector: LabelSelector, namespace: string, fn: (node: NodeInfo) => void): void {
  if (selector.matchesNothing()) return;
  const exact = exactLabel(selector);
  const candidates = exact ? h.assignedPodsWithLabel(exact[0], exact[1]) : undefined;
  if (exact && candidates !== undefined) {
    for (const p of candidates) {
      if (p.namespace !== namespace || p.terminating || !selector.matches(p.labels)) continue;
      const node = snapshot.get(p.nodeName);
      if (node) fn(node);
    }
    return;
  }
  if (exact) return; // nobody carries the pinned label
  for (const node of snapshot.nodeInfoList) {
    for (const p of node.pods) {
      if (p.namespace !== namespace || p.terminating || !selector.matches(p.labels)) continue;
      fn(node);
    }
  }
}
