// Pod (anti-)affinity terms, pre-processed once per pod (framework.AffinityTerm): the label
// selector compiled, the namespaces resolved (none listed and no namespaceSelector → the pod's
// own namespace), matchLabelKeys/mismatchLabelKeys folded into the selector.

import type { Obj } from '../../api/types.js';
import { fromLabelSelectorObject, LabelSelector, newRequirement, type Requirement } from '../../api/selectors/index.js';

export interface AffinityTerm {
  namespaces: Set<string>;
  /** LabelSelector.nothing() when the term has no namespaceSelector. */
  namespaceSelector: LabelSelector;
  selector: LabelSelector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

const NOTHING = LabelSelector.nothing();

/**
 * AffinityTerm.Matches: does a pod (namespace + labels) match the term? nsLabels are the labels
 * of the pod's namespace (undefined when unknown: only an empty namespaceSelector matches).
 */
export function termMatchesPod(t: AffinityTerm, podNamespace: string, podLabels: Record<string, string> | undefined, nsLabels: Record<string, string> | undefined): boolean {
  if (t.namespaces.has(podNamespace) || t.namespaceSelector.matches(nsLabels ?? {})) {
    return t.selector.matches(podLabels);
  }
  return false;
}

/** Throws ApiError on an invalid selector (the pod then fails scheduling with that error). */
export function compileAffinityTerm(pod: Obj, term: Obj): AffinityTerm {
  const ns: string = pod?.metadata?.namespace ?? '';
  let selector = fromLabelSelectorObject(term?.labelSelector);
  const labels: Record<string, string> = pod?.metadata?.labels ?? {};
  // matchLabelKeys / mismatchLabelKeys: add key in/notin (the pod's own value) requirements.
  if (term?.labelSelector != null) {
    const extra: Requirement[] = [];
    for (const k of term?.matchLabelKeys ?? []) if (k in labels) extra.push(newRequirement(k, 'in', [labels[k]]));
    for (const k of term?.mismatchLabelKeys ?? []) if (k in labels) extra.push(newRequirement(k, 'notin', [labels[k]]));
    if (extra.length) selector = selector.add(...extra);
  }
  const names: string[] = term?.namespaces ?? [];
  const namespaces = new Set<string>(names.length === 0 && term?.namespaceSelector == null ? [ns] : names);
  const namespaceSelector = term?.namespaceSelector == null ? NOTHING : fromLabelSelectorObject(term.namespaceSelector);
  return { namespaces, namespaceSelector, selector, topologyKey: String(term?.topologyKey ?? '') };
}

export function compileAffinityTerms(pod: Obj, terms: unknown): AffinityTerm[] {
  if (!Array.isArray(terms) || terms.length === 0) return [];
  return terms.map((t) => compileAffinityTerm(pod, t));
}

export function compileWeightedTerms(pod: Obj, terms: unknown): WeightedAffinityTerm[] {
  if (!Array.isArray(terms) || terms.length === 0) return [];
  return terms.map((t: Obj) => ({ ...compileAffinityTerm(pod, t?.podAffinityTerm ?? {}), weight: Number(t?.weight ?? 0) }));
}

/**
 * mergeAffinityTermNamespacesIfNotEmpty: a term's non-empty namespaceSelector becomes the
 * namespaces it selects now, so matching other pods needs no namespace lookups.
 */
export function mergeNamespaces<T extends AffinityTerm>(t: T, namespaces: () => { name: string; labels: Record<string, string> }[]): T {
  if (t.namespaceSelector.matchesNothing() || t.namespaceSelector.isEmpty()) return t;
  const names = new Set(t.namespaces);
  for (const ns of namespaces()) if (t.namespaceSelector.matches(ns.labels)) names.add(ns.name);
  return { ...t, namespaces: names, namespaceSelector: NOTHING };
}
