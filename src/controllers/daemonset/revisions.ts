// DaemonSet history (upstream daemon/update.go constructHistory, snapshot, dedupCurHistories,
// cleanupHistory): one ControllerRevision per distinct pod template, named
// `<ds>-<ComputeHash(template, collisionCount)>` and labelled controller-revision-hash=<hash>;
// the revision matching the current template is the newest (its number is bumped past the
// others on a rollback), and old revisions beyond revisionHistoryLimit whose hash no pod
// carries are deleted oldest first.

import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import { isAlreadyExists } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { labelSelectorMatcher } from '../../client/selector.js';
import { computeHash } from '../common/hash.js';
import { ControllerRefManager, KIND_DAEMONSET, newControllerRef, recheckDeletionTimestamp } from '../common/ownerref.js';
import { PODS } from '../common/podcontrol.js';
import {
  CONTROLLER_REVISIONS, POD_REVISION_LABEL, maxRevision, revisionDataBytes, revisionsToTruncate, templatePatch,
} from '../history/history.js';

export const DAEMONSETS: ResourceRef = findResource('apps', 'v1', 'daemonsets')!;

/** Match: the revision holds exactly the DaemonSet's current template patch. */
export function matchesRevision(ds: Obj, revision: Obj): boolean {
  return revisionDataBytes(templatePatch(ds)) === revisionDataBytes(revision.data);
}

export interface RevisionDeps {
  client: KubeClient;
  controllerRevisions: Informer;
  signal?: AbortSignal;
  /** The DaemonSet's pods as claimed (for relabelling duplicates). */
  daemonPods(ds: Obj): Promise<Obj[]>;
}

/** The revisions the DaemonSet controls, adopting matching orphans and releasing strays. */
export async function controlledHistories(d: RevisionDeps, ds: Obj): Promise<Obj[]> {
  const all = d.controllerRevisions.store.listNamespace(ds.metadata.namespace);
  const cm = new ControllerRefManager({
    client: d.client, owner: ds, ownerKind: KIND_DAEMONSET, selector: labelSelectorMatcher(ds.spec?.selector),
    resource: CONTROLLER_REVISIONS, canAdopt: recheckDeletionTimestamp(d.client, DAEMONSETS, ds, d.signal), signal: d.signal,
  });
  return cm.claim(all);
}

/** Creates the revision for the current template (snapshot), handling name collisions. */
async function snapshot(d: RevisionDeps, ds: Obj, revision: number): Promise<Obj> {
  const collisionCount = ds.status?.collisionCount;
  const hash = computeHash(ds.spec?.template, collisionCount);
  const name = `${ds.metadata.name}-${hash}`;
  const cr: Obj = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name, namespace: ds.metadata.namespace,
      labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [POD_REVISION_LABEL]: hash },
      ownerReferences: [newControllerRef(ds, KIND_DAEMONSET)],
    },
    data: templatePatch(ds),
    revision,
  };
  if (ds.metadata.annotations && Object.keys(ds.metadata.annotations).length) cr.metadata.annotations = clone(ds.metadata.annotations);
  try {
    return await d.client.create(CONTROLLER_REVISIONS, ds.metadata.namespace, cr, { signal: d.signal });
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await d.client.get(CONTROLLER_REVISIONS, ds.metadata.namespace, name, { signal: d.signal });
    if (matchesRevision(ds, existing)) return existing;
    // Another template owns the name: bump the collision count (from a fresh read, so a stale
    // cache never bumps it twice) and let the requeue try the new name.
    const fresh = await d.client.get(DAEMONSETS, ds.metadata.namespace, ds.metadata.name, { signal: d.signal });
    if ((fresh.status?.collisionCount ?? null) !== (collisionCount ?? null)) {
      throw new Error(`found a stale collision count (${collisionCount ?? 'nil'}, expected ${fresh.status?.collisionCount ?? 'nil'}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
    }
    fresh.status = { ...(fresh.status ?? {}), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
    await d.client.updateStatus(DAEMONSETS, ds.metadata.namespace, fresh, { signal: d.signal });
    throw err;
  }
}

/** Keeps the newest of several revisions matching the template; pods are relabelled to it first. */
async function dedupCurHistories(d: RevisionDeps, ds: Obj, current: Obj[]): Promise<Obj> {
  if (current.length === 1) return current[0];
  let keep = current[0];
  for (const cr of current) if (Number(cr.revision ?? 0) >= Number(keep.revision ?? 0)) keep = cr;
  const keepHash = keep.metadata?.labels?.[POD_REVISION_LABEL];
  for (const pod of await d.daemonPods(ds)) {
    if (pod.metadata?.labels?.[POD_REVISION_LABEL] === keepHash) continue;
    await d.client.patch(PODS, ds.metadata.namespace, pod.metadata.name, 'merge', { metadata: { labels: { [POD_REVISION_LABEL]: keepHash } } }, { signal: d.signal });
  }
  for (const cr of current) {
    if (cr.metadata.name === keep.metadata.name) continue;
    await d.client.delete(CONTROLLER_REVISIONS, ds.metadata.namespace, cr.metadata.name, { signal: d.signal });
  }
  return keep;
}

/**
 * constructHistory: the current revision (created or renumbered as needed) and the old ones.
 * Revisions without the hash label get their name as the label (that avoids collisions).
 */
export async function constructHistory(d: RevisionDeps, ds: Obj): Promise<{ cur: Obj; old: Obj[] }> {
  const current: Obj[] = [];
  const old: Obj[] = [];
  for (let h of await controlledHistories(d, ds)) {
    if (h.metadata?.labels?.[POD_REVISION_LABEL] === undefined) {
      const next = clone(h);
      next.metadata.labels = { ...(next.metadata.labels ?? {}), [POD_REVISION_LABEL]: next.metadata.name };
      h = await d.client.update(CONTROLLER_REVISIONS, ds.metadata.namespace, next, { signal: d.signal });
    }
    if (matchesRevision(ds, h)) current.push(h);
    else old.push(h);
  }
  const currRevision = maxRevision(old) + 1;
  if (current.length === 0) return { cur: await snapshot(d, ds, currRevision), old };
  const cur = await dedupCurHistories(d, ds, current);
  if (Number(cur.revision ?? 0) < currRevision) {
    const next = clone(cur);
    next.revision = currRevision;
    await d.client.update(CONTROLLER_REVISIONS, ds.metadata.namespace, next, { signal: d.signal });
  }
  return { cur, old };
}

/** cleanupHistory: deletes old revisions beyond revisionHistoryLimit that no pod still uses. */
export async function cleanupHistory(d: RevisionDeps, ds: Obj, old: Obj[], podsByNode: Map<string, Obj[]>): Promise<void> {
  const limit = Number(ds.spec?.revisionHistoryLimit ?? 10);
  const excess = old.length - limit;
  if (excess <= 0) return;
  const liveHashes = new Set<string>();
  for (const pods of podsByNode.values()) {
    for (const p of pods) {
      const h = p.metadata?.labels?.[POD_REVISION_LABEL];
      if (h) liveHashes.add(h);
    }
  }
  const sorted = [...old].sort((a, b) => Number(a.revision ?? 0) - Number(b.revision ?? 0));
  for (const cr of revisionsToTruncate(sorted, (r) => liveHashes.has(r.metadata?.labels?.[POD_REVISION_LABEL]), excess)) {
    await d.client.delete(CONTROLLER_REVISIONS, ds.metadata.namespace, cr.metadata.name, { signal: d.signal });
  }
}
