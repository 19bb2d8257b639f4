// Shared by InterPodAffinity's filtering and scoring: topology-pair counters and candidate
// lookup through the assigned-pods label index.

import type { Handle } from '../../framework.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../nodeinfo.js';
import { exactLabel } from '../podtopologyspread/common.js';
import { mergeNamespaces, type AffinityTerm } from '../../util/podaffinity.js';

export const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

/** topologyToMatchedTermCount: `key\0value` → count; zero entries are dropped. */
export class PairCounts {
  readonly m = new Map<string, number>();

  add(key: string, value: string, delta: number): void {
    const k = pairKey(key, value);
    const v = (this.m.get(k) ?? 0) + delta;
    if (v === 0) this.m.delete(k); else this.m.set(k, v);
  }

  get(key: string, value: string): number {
    return this.m.get(pairKey(key, value)) ?? 0;
  }

  get size(): number {
    return this.m.size;
  }

  clone(): PairCounts {
    const c = new PairCounts();
    for (const [k, v] of this.m) c.m.set(k, v);
    return c;
  }
}

/** The labels of a namespace (undefined when unknown). */
export function namespaceLabels(h: Pick<Handle, 'lister'>, ns: string): Record<string, string> | undefined {
  const obj = h.lister('namespaces')?.get('', ns);
  return obj ? obj.metadata?.labels ?? {} : undefined;
}

export function mergeTermNamespaces<T extends AffinityTerm>(h: Pick<Handle, 'lister'>, terms: T[]): T[] {
  if (terms.every((t) => t.namespaceSelector.matchesNothing() || t.namespaceSelector.isEmpty())) return terms;
  const all = () => (h.lister('namespaces')?.list() ?? []).map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
  return terms.map((t) => mergeNamespaces(t, all));
}

/**
 * Calls fn(pod, node) for every assigned pod that may match `term`'s label selector (a superset:
 * callers check the term), through the label index when the selector pins a label.
 */
export function forEachCandidate(h: Pick<Handle, 'assignedPodsWithLabel'>, snapshot: Snapshot, term: AffinityTerm, fn: (p: PodInfo, node: NodeInfo) => void): void {
  if (term.selector.matchesNothing()) return;
  const exact = exactLabel(term.selector);
  if (exact) {
    const set = h.assignedPodsWithLabel(exact[0], exact[1]);
    if (!set) return;
    for (const p of set) {
      const node = snapshot.get(p.nodeName);
      if (node) fn(p, node);
    }
    return;
  }
  for (const node of snapshot.nodeInfoList) for (const p of node.pods) fn(p, node);
}
