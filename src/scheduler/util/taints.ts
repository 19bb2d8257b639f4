// Taints and tolerations (k8s.io/api/core/v1 Toleration.ToleratesTaint and
// v1helper.FindMatchingUntoleratedTaint).

import type { Obj } from '../../api/types.js';

export interface Taint { key: string; value: string; effect: string }
export interface Toleration { key: string; operator: string; value: string; effect: string }

export function parseTaints(list: unknown): Taint[] {
  if (!Array.isArray(list) || list.length === 0) return NO_TAINTS;
  return list.map((t: Obj) => ({ key: t?.key ?? '', value: t?.value ?? '', effect: t?.effect ?? '' }));
}

export function parseTolerations(list: unknown): Toleration[] {
  if (!Array.isArray(list) || list.length === 0) return NO_TOLERATIONS;
  return list.map((t: Obj) => ({ key: t?.key ?? '', operator: t?.operator ?? '', value: t?.value ?? '', effect: t?.effect ?? '' }));
}

const NO_TAINTS: Taint[] = [];
const NO_TOLERATIONS: Toleration[] = [];

/** An empty effect/key matches any; operator "" or Equal compares values, Exists does not. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== '' && t.key !== taint.key) return false;
  switch (t.operator) {
    case '': case 'Equal': return t.value === taint.value;
    case 'Exists': return true;
    default: return false;
  }
}

export function tolerationsTolerateTaint(tols: readonly Toleration[], taint: Taint): boolean {
  for (let i = 0; i < tols.length; i++) if (toleratesTaint(tols[i], taint)) return true;
  return false;
}

/** The first taint passing `filter` that no toleration tolerates, or undefined. */
export function findUntoleratedTaint(taints: readonly Taint[], tols: readonly Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  for (let i = 0; i < taints.length; i++) {
    const taint = taints[i];
    if (filter(taint) && !tolerationsTolerateTaint(tols, taint)) return taint;
  }
  return undefined;
}
