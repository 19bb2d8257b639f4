// The disruption controller (kube-controller-manager's disruption controller): keeps every
// PodDisruptionBudget's status — how many selected pods are healthy (Ready, not being
// deleted, not recently evicted), how many must be, how many are expected (from the scale of
// the controllers owning the pods when a percentage or maxUnavailable asks for it), how many
// disruptions are allowed, and the DisruptionAllowed condition the eviction API relies on.
// It also forgets evictions that did not lead to a deletion within 2 minutes (disruptedPods),
// and resets DisruptionTarget pod conditions left behind by evictions that never happened.

import { findKind } from '../../api/resources.js';
import { nowRFC3339, type Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isConflict, isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { labelSelectorMatcher } from '../../client/selector.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue, runWorkers, type SyncResult } from '../../client/workqueue.js';
import { getControllerOf } from '../common/ownerref.js';
import { getCondition, isPodReady, isPodTerminal, parseTime } from '../common/pods.js';

export const PDBS: ResourceRef = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true };
const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };

/** An eviction not followed by a deletion within this time is forgotten (DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
/** A DisruptionTarget condition not followed by a deletion within this time is reset. */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;
export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
const FIELD_MANAGER = 'DisruptionController';

export interface DisruptionControllerOptions {
  client: KubeClient;
  pods: Informer;
  pdbs: Informer;
  replicaSets: Informer;
  deployments: Informer;
  statefulSets: Informer;
  replicationControllers: Informer;
  recorder?: EventRecorder;
  workers?: number;
  now?: () => number;
  log?: Logger;
}

interface Scale { uid: string; replicas: number }

/** A missing selector matches nothing; an empty one everything (policy/v1). */
export const selectorMatcher = labelSelectorMatcher;

/** An int-or-percent scaled against total (intstr.GetScaledValueFromIntOrPercent). */
export function scaledValue(v: number | string, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}": must be an integer or percentage (e.g "5%")`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function sameGroup(ref: Obj, kind: string, groups: string[]): boolean {
  const apiVersion: string = ref.apiVersion ?? '';
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return ref.kind === kind && groups.includes(group);
}

export class DisruptionController {
  readonly queue = new WorkQueue<string>();
  readonly staleQueue = new WorkQueue<string>();
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly o: DisruptionControllerOptions) {
    this.log = o.log ?? stderrLogger('disruption-controller');
    this.now = o.now ?? Date.now;
    const enqueuePdb = (pdb: Obj): void => this.queue.add(metaNamespaceKey(pdb));
    o.pdbs.addEventHandler({ onAdd: enqueuePdb, onUpdate: (_old, pdb) => enqueuePdb(pdb), onDelete: enqueuePdb });
    const onPod = (pod: Obj, old?: Obj): void => {
      const pdbs = this.pdbsForPod(pod);
      if (old) for (const p of this.pdbsForPod(old)) if (!pdbs.includes(p)) pdbs.push(p);
      for (const p of pdbs) enqueuePdb(p);
      const wait = this.staleDisruptionWait(pod);
      if (wait !== undefined) this.staleQueue.addAfter(metaNamespaceKey(pod), wait);
    };
    o.pods.addEventHandler({
      onAdd: (pod) => {
        onPod(pod);
        this.warnMultiple(pod);
      },
      onUpdate: (old, pod) => onPod(pod, old),
      onDelete: (pod) => onPod(pod),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    const informers = [this.o.pods, this.o.pdbs, this.o.replicaSets, this.o.deployments, this.o.statefulSets, this.o.replicationControllers];
    return Promise.all([
      runController({ name: 'disruption-controller', queue: this.queue, informers, workers: this.o.workers ?? 1, sync: (k, s) => this.sync(k, s), log: this.log }, signal),
      (async () => {
        const ok = await Promise.all(informers.map((i) => i.waitForSync(signal)));
        if (!ok.every(Boolean)) {
          this.staleQueue.shutdown();
          return;
        }
        await runWorkers(this.staleQueue, 1, (k, s) => this.syncStalePodDisruption(k, s), signal, { log: this.log, name: 'disruption-stale-pod' });
      })(),
    ]).then(() => undefined);
  }

  private pdbsForPod(pod: Obj): Obj[] {
    const labels = pod?.metadata?.labels;
    return this.o.pdbs.store.listNamespace(pod?.metadata?.namespace ?? '').filter((pdb) => {
      try {
        return selectorMatcher(pdb.spec?.selector)(labels);
      } catch {
        return false;
      }
    });
  }

  /** The event upstream records when a pod falls under several budgets (eviction refuses such pods). */
  private warnMultiple(pod: Obj): void {
    const pdbs = this.pdbsForPod(pod);
    if (pdbs.length > 1) {
      this.o.recorder?.event(pod, 'Warning', 'MultiplePodDisruptionBudgets',
        `Pod "${pod.metadata.namespace}"/"${pod.metadata.name}" matches multiple PodDisruptionBudgets.  Chose "${pdbs[0].metadata.name}" arbitrarily.`);
    }
  }

  async sync(key: string, signal?: AbortSignal): Promise<void | SyncResult> {
    const [ns, name] = splitMetaNamespaceKey(key);
    const pdb = this.o.pdbs.store.get(ns, name);
    if (!pdb) return;
    try {
      return await this.trySync(pdb, signal);
    } catch (err) {
      if (isConflict(err)) throw err;
      this.log.warn(`failed to sync pdb ${key}: ${errMsg(err)}`);
      await this.failSafe(pdb, err, signal);
    }
  }

  private async trySync(pdb: Obj, signal?: AbortSignal): Promise<void | SyncResult> {
    let pods: Obj[];
    try {
      pods = this.podsForPdb(pdb);
    } catch (err) {
      this.o.recorder?.event(pdb, 'Warning', 'NoPods', `Failed to get pods: ${errMsg(err)}`);
      throw err;
    }
    if (pods.length === 0) this.o.recorder?.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let counts: { expected: number; desiredHealthy: number; unmanaged: string[] };
    try {
      counts = await this.expectedPodCount(pdb, pods, signal);
    } catch (err) {
      this.o.recorder?.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${errMsg(err)}`);
      throw err;
    }
    const { expected, desiredHealthy, unmanaged } = counts;
    if (unmanaged.length > 0) {
      this.o.recorder?.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${selectorString(pdb.spec?.selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
    }
    const now = this.now();
    const { disrupted, recheckAt } = this.buildDisruptedPodMap(pods, pdb, now);
    const healthy = countHealthyPods(pods, disrupted, now);
    await this.updateStatus(pdb, healthy, desiredHealthy, expected, disrupted, signal);
    if (recheckAt !== undefined) return { requeueAfterMs: Math.max(0, recheckAt - now) };
  }

  private podsForPdb(pdb: Obj): Obj[] {
    const match = selectorMatcher(pdb.spec?.selector);
    return this.o.pods.store.listNamespace(pdb.metadata.namespace).filter((p) => match(p.metadata?.labels));
  }

  private async expectedPodCount(pdb: Obj, pods: Obj[], signal?: AbortSignal): Promise<{ expected: number; desiredHealthy: number; unmanaged: string[] }> {
    const { maxUnavailable, minAvailable } = pdb.spec ?? {};
    if (maxUnavailable !== undefined && maxUnavailable !== null) {
      const { expected, unmanaged } = await this.expectedScale(pods, signal);
      const max = scaledValue(maxUnavailable, expected, true);
      return { expected, desiredHealthy: Math.max(0, expected - max), unmanaged };
    }
    if (typeof minAvailable === 'number') return { expected: pods.length, desiredHealthy: minAvailable, unmanaged: [] };
    if (typeof minAvailable === 'string') {
      const { expected, unmanaged } = await this.expectedScale(pods, signal);
      return { expected, desiredHealthy: scaledValue(minAvailable, expected, true), unmanaged };
    }
    return { expected: 0, desiredHealthy: 0, unmanaged: [] };
  }

  /** The sum of the scales of the controllers owning the pods (each counted once). */
  private async expectedScale(pods: Obj[], signal?: AbortSignal): Promise<{ expected: number; unmanaged: string[] }> {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = getControllerOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata.name);
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = await this.findController(ref, pod.metadata.namespace, signal);
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
      scales.set(found.uid, found.replicas);
    }
    let expected = 0;
    for (const n of scales.values()) expected += n;
    return { expected, unmanaged };
  }

  /** The finders, in upstream's order: RC, Deployment (through its RS), RS, StatefulSet, any scale subresource. */
  private async findController(ref: Obj, ns: string, signal?: AbortSignal): Promise<Scale | undefined> {
    const replicas = (o: Obj): number => (typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1);
    const owned = (inf: Informer, name: string, uid: string): Obj | undefined => {
      const o = inf.store.get(ns, name);
      return o && o.metadata?.uid === uid ? o : undefined;
    };
    if (sameGroup(ref, 'ReplicationController', [''])) {
      const rc = owned(this.o.replicationControllers, ref.name, ref.uid);
      if (rc) return { uid: rc.metadata.uid, replicas: replicas(rc) };
    }
    if (sameGroup(ref, 'ReplicaSet', ['apps', 'extensions'])) {
      const rs = owned(this.o.replicaSets, ref.name, ref.uid);
      if (rs) {
        const rsOwner = getControllerOf(rs);
        if (rsOwner && sameGroup(rsOwner, 'Deployment', ['apps', 'extensions'])) {
          const d = owned(this.o.deployments, rsOwner.name, rsOwner.uid);
          if (d) return { uid: d.metadata.uid, replicas: replicas(d) };
        }
        // An RS controlled by a Deployment answers only through it.
        if (!rsOwner || rsOwner.kind !== 'Deployment') return { uid: rs.metadata.uid, replicas: replicas(rs) };
      }
    }
    if (sameGroup(ref, 'StatefulSet', ['apps'])) {
      const ss = owned(this.o.statefulSets, ref.name, ref.uid);
      if (ss) return { uid: ss.metadata.uid, replicas: replicas(ss) };
    }
    return this.scaleController(ref, ns, signal);
  }

  /** Any other owner kind answers through its scale subresource, if it has one. */
  private async scaleController(ref: Obj, ns: string, signal?: AbortSignal): Promise<Scale | undefined> {
    const apiVersion: string = ref.apiVersion ?? '';
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const ri = findKind(group, version, ref.kind);
    if (!ri) throw new Error(`no matches for kind "${ref.kind}" in version "${apiVersion}"`);
    const gr = ri.group ? `${ri.plural}.${ri.group}` : ri.plural;
    if (!ri.subresources?.some((s) => s.name === 'scale')) throw new Error(`${gr} does not implement the scale subresource`);
    let scale: Obj;
    try {
      scale = await this.o.client.subresource('GET', ri, ri.namespaced ? ns : '', ref.name, 'scale', undefined, { signal });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    if (scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: scale.metadata.uid, replicas: scale.spec?.replicas ?? 0 };
  }

  /** Pods evicted recently enough to be counted as going away; and when to look again. */
  private buildDisruptedPodMap(pods: Obj[], pdb: Obj, now: number): { disrupted: Record<string, string>; recheckAt?: number } {
    const known: Record<string, string> = pdb.status?.disruptedPods ?? {};
    const disrupted: Record<string, string> = {};
    let recheckAt: number | undefined;
    for (const pod of pods) {
      if (pod.metadata?.deletionTimestamp) continue;
      const at = known[pod.metadata.name];
      if (at === undefined) continue;
      const expectedDeletion = (parseTime(at) ?? 0) + DELETION_TIMEOUT_MS;
      if (expectedDeletion < now) {
        // (upstream names the namespace twice in this message)
        this.o.recorder?.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.namespace} to be deleted but it wasn't`);
      } else {
        if (recheckAt === undefined || expectedDeletion < recheckAt) recheckAt = expectedDeletion;
        disrupted[pod.metadata.name] = at;
      }
    }
    return { disrupted, recheckAt };
  }

  private async updateStatus(pdb: Obj, currentHealthy: number, desiredHealthy: number, expectedPods: number, disrupted: Record<string, string>, signal?: AbortSignal): Promise<void> {
    // No disruption while no pods are expected: a budget whose first pods appear before
    // this controller has counted them must not allow evicting them.
    let disruptionsAllowed = currentHealthy - desiredHealthy;
    if (expectedPods <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
    const st = pdb.status ?? {};
    const generation = pdb.metadata?.generation ?? 0;
    if (st.currentHealthy === currentHealthy && st.desiredHealthy === desiredHealthy && st.expectedPods === expectedPods
      && st.disruptionsAllowed === disruptionsAllowed && sameMap(st.disruptedPods, disrupted)
      && (st.observedGeneration ?? 0) === generation && conditionsUpToDate(pdb)) return;
    const status: Obj = {
      currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, observedGeneration: generation,
      ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
      conditions: st.conditions ?? [],
    };
    status.conditions = setStatusCondition(status.conditions, disruptionsAllowed > 0
      ? { type: DISRUPTION_ALLOWED, status: 'True', reason: 'SufficientPods', message: '', observedGeneration: generation }
      : { type: DISRUPTION_ALLOWED, status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: generation });
    await this.o.client.updateStatus(PDBS, pdb.metadata.namespace, { ...pdb, status }, { signal });
  }

  /** On failure: allow no disruption and say why (SyncFailed), as upstream's failSafe. */
  private async failSafe(pdb: Obj, err: unknown, signal?: AbortSignal): Promise<void> {
    const st = { ...(pdb.status ?? {}) };
    st.disruptionsAllowed = 0;
    st.conditions = setStatusCondition(st.conditions ?? [], {
      type: DISRUPTION_ALLOWED, status: 'False', reason: 'SyncFailed', message: errMsg(err), observedGeneration: st.observedGeneration ?? 0,
    });
    await this.o.client.updateStatus(PDBS, pdb.metadata.namespace, { ...pdb, status: st }, { signal });
  }

  // ---- stale DisruptionTarget conditions ----

  /** ms until a pod's DisruptionTarget condition counts as stale, or undefined if it has none to clean. */
  private staleDisruptionWait(pod: Obj): number | undefined {
    if (pod?.metadata?.deletionTimestamp) return undefined;
    const cond = getCondition(pod?.status?.conditions, 'DisruptionTarget');
    // Kubelet's own are never stale; neither are those of finished pods.
    if (!cond || cond.status !== 'True' || cond.reason === 'TerminationByKubelet' || isPodTerminal(pod)) return undefined;
    const since = parseTime(cond.lastTransitionTime) ?? 0;
    return Math.max(0, STALE_POD_DISRUPTION_TIMEOUT_MS - (this.now() - since));
  }

  async syncStalePodDisruption(key: string, signal?: AbortSignal): Promise<void> {
    const [ns, name] = splitMetaNamespaceKey(key);
    let pod: Obj;
    try {
      pod = await this.o.client.get(PODS, ns, name, { signal });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const wait = this.staleDisruptionWait(pod);
    if (wait === undefined) return;
    if (wait > 0) {
      this.staleQueue.addAfter(key, wait);
      return;
    }
    // Only the condition's status and time are ours to set; its reason/message stay.
    await this.o.client.patch(PODS, ns, name, 'strategic', {
      metadata: { resourceVersion: pod.metadata.resourceVersion },
      status: { conditions: [{ type: 'DisruptionTarget', status: 'False', lastTransitionTime: nowRFC3339() }] },
    }, { subresource: 'status', fieldManager: FIELD_MANAGER, signal });
    this.log.info(`reset stale DisruptionTarget condition to False on pod ${key}`);
  }
}

function countHealthyPods(pods: Obj[], disrupted: Record<string, string>, now: number): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disrupted[pod.metadata.name];
    if (at !== undefined && (parseTime(at) ?? 0) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a![k] === b[k]);
}

function conditionsUpToDate(pdb: Obj): boolean {
  const cond = getCondition(pdb.status?.conditions, DISRUPTION_ALLOWED);
  if (!cond) return false;
  if ((pdb.status?.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === 'SufficientPods';
  return cond.status === 'False' && cond.reason === 'InsufficientPods';
}

/** metav1 SetStatusCondition: lastTransitionTime moves only when the status changes. */
export function setStatusCondition(conditions: Obj[], c: Obj): Obj[] {
  const out = conditions.map((x) => ({ ...x }));
  const cur = out.find((x) => x.type === c.type);
  if (!cur) {
    out.push({ ...c, lastTransitionTime: c.lastTransitionTime ?? nowRFC3339() });
    return out;
  }
  if (cur.status !== c.status) {
    cur.status = c.status;
    cur.lastTransitionTime = c.lastTransitionTime ?? nowRFC3339();
  }
  cur.reason = c.reason;
  cur.message = c.message;
  cur.observedGeneration = c.observedGeneration;
  return out;
}

/** A label selector as Go's %v prints a *metav1.LabelSelector (for the UnmanagedPods message). */
function selectorString(sel: Obj | undefined): string {
  if (!sel) return '<nil>';
  const labels = Object.entries<string>(sel.matchLabels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}: ${v},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((e: Obj) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],}`).join(',');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
