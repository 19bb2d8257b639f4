// DaemonSet helpers with no I/O (upstream pkg/controller/daemon/util and friends): surge and
// unavailability budgets, which pods count as updated, the pod template a new daemon pod is
// made from, pod ordering, and the per-node back-off for deleting failed pods.

import { clone, type Obj } from '../../api/types.js';
import { POD_REVISION_LABEL } from '../history/history.js';
import { addDaemonPodTolerations } from './predicates.js';

/** Annotation the API server keeps the deprecated spec.templateGeneration in (apps/v1). */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
/** Pod label carrying that generation (extensions.DaemonSetTemplateGenerationKey). */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/**
 * intstr.GetScaledValueFromIntOrPercent: an integer as is, "N%" of total rounded up or down.
 * Throws on anything else (validation keeps such values out).
 */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function rollingUpdate(ds: Obj): Obj | undefined {
  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return undefined;
  return ds.spec?.updateStrategy?.rollingUpdate;
}

/** SurgeCount: extra pods allowed during an update (0 unless RollingUpdate with maxSurge). */
export function surgeCount(ds: Obj, numberToSchedule: number): number {
  const r = rollingUpdate(ds);
  if (!r || r.maxSurge === undefined || r.maxSurge === null) return 0;
  return scaledValue(r.maxSurge, numberToSchedule, true);
}

/** UnavailableCount: pods that may be unavailable during an update. */
export function unavailableCount(ds: Obj, numberToSchedule: number): number {
  const r = rollingUpdate(ds);
  if (!r) return 0;
  return scaledValue(r.maxUnavailable, numberToSchedule, true);
}

/** AllowsSurge: more than one pod per node may run during an update. */
export function allowsSurge(ds: Obj): boolean {
  try {
    return surgeCount(ds, 1) > 0;
  } catch {
    return false;
  }
}

/** The deprecated template generation, or undefined when absent or unparsable. */
export function templateGeneration(ds: Obj): string | undefined {
  const v = ds.metadata?.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  return v !== undefined && /^-?\d+$/.test(v) ? String(BigInt(v)) : undefined;
}

/** IsPodUpdated: the pod carries the current revision hash (or, for old pods, the template generation). */
export function isPodUpdated(pod: Obj, hash: string, generation: string | undefined): boolean {
  const labels = pod.metadata?.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === generation;
  const hashMatches = hash.length > 0 && labels[POD_REVISION_LABEL] === hash;
  return hashMatches || templateMatches;
}

/** CreatePodTemplate: the template plus default tolerations, generation and revision labels. */
export function daemonPodTemplate(ds: Obj, hash: string): Obj {
  const t: Obj = clone(ds.spec?.template ?? {});
  t.metadata = t.metadata ?? {};
  t.spec = t.spec ?? {};
  addDaemonPodTolerations(t.spec);
  t.metadata.labels = { ...(t.metadata.labels ?? {}) };
  const generation = templateGeneration(ds);
  if (generation !== undefined) t.metadata.labels[TEMPLATE_GENERATION_LABEL] = generation;
  if (hash) t.metadata.labels[POD_REVISION_LABEL] = hash;
  return t;
}

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest, then by name. */
export function comparePodsByCreationAndPhase(a: Obj, b: Obj): number {
  const sa = !!a.spec?.nodeName;
  const sb = !!b.spec?.nodeName;
  if (sa !== sb) return sa ? -1 : 1;
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta === tb) return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  return Date.parse(ta) < Date.parse(tb) ? -1 : 1;
}

/** The empty LabelSelector (selects every pod): a DaemonSet with it is refused. */
export function selectsEverything(selector: Obj | undefined): boolean {
  if (!selector) return false;
  const labels = selector.matchLabels ?? {};
  const exprs = selector.matchExpressions ?? [];
  return Object.keys(labels).length === 0 && exprs.length === 0;
}

/**
 * flowcontrol.Backoff keyed by DaemonSet uid/generation/node: the delay before a failed pod on
 * a node is deleted again doubles from `initialMs` up to `maxMs`; entries idle for twice the
 * maximum start over and are garbage collected.
 */
export class FailedPodsBackoff {
  private readonly entries = new Map<string, { backoff: number; lastUpdate: number }>();
  constructor(private readonly initialMs = 1000, private readonly maxMs = 15 * 60 * 1000, readonly now: () => number = Date.now) {}

  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /** Counts a failure: the next delay (initial, or double the previous one). */
  next(key: string, now = this.now()): void {
    const e = this.entries.get(key);
    if (!e || now - e.lastUpdate > 2 * this.maxMs) this.entries.set(key, { backoff: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { backoff: Math.min(e.backoff * 2, this.maxMs), lastUpdate: now });
  }

  /** True while less than the current delay has passed since the last failure. */
  isInBackOffSinceUpdate(key: string, now = this.now()): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (now - e.lastUpdate > 2 * this.maxMs) return false;
    return now - e.lastUpdate < e.backoff;
  }

  /** Drops entries idle for more than twice the maximum delay. */
  gc(now = this.now()): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }

  get size(): number {
    return this.entries.size;
  }
}

export function failedPodsBackoffKey(ds: Obj, nodeName: string): string {
  return `${ds.metadata?.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}
