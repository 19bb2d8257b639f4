// ControllerRevisions as the DaemonSet and StatefulSet controllers keep them (upstream
// pkg/controller/history plus the getPatch/applyRevision helpers both controllers share):
//  - a revision's `data` is a strategic merge patch that puts the parent's pod template back:
//    {"spec":{"template":{"$patch":"replace", ...template}}}, marshalled like Go marshals a
//    map (sorted keys), so `kubectl rollout history --revision N` and `rollout undo` work;
//  - StatefulSet revisions are named `<parent>-<hash>` where the hash is FNV-32 (not 32a) of the
//    data bytes plus the collision count, safe-encoded, and labelled
//    controller.kubernetes.io/hash; DaemonSet revisions use the pod-template hash instead;
//  - revisions are listed from the informer cache (matching the selector, owned by the parent
//    or by nobody), created with collision handling, renumbered, adopted/released by patch.

import { findResource } from '../../api/resources.js';
import { clone, type Obj } from '../../api/types.js';
import { isAlreadyExists, isConflict, isInvalid, isNotFound } from '../../client/errors.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import type { Matcher } from '../../client/selector.js';
import { sleep } from '../../client/wait.js';
import { safeEncodeString } from '../common/hash.js';
import { adoptPatch, getControllerOf, newControllerRef, releasePatch, type OwnerKind } from '../common/ownerref.js';
import { goJSON } from './gojson.js';

export const CONTROLLER_REVISIONS: ResourceRef = findResource('apps', 'v1', 'controllerrevisions')!;

/** The label holding a revision's data hash (history.ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';
/** apps.ControllerRevisionHashLabelKey / DefaultDaemonSetUniqueLabelKey: on pods (and DaemonSet revisions). */
export const POD_REVISION_LABEL = 'controller-revision-hash';

/** FNV-1 32-bit (Go's hash/fnv New32: multiply, then xor). */
export function fnv32(data: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of data) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

/**
 * The revision data for a DaemonSet or StatefulSet: a patch replacing spec.template. The
 * template's metadata carries `creationTimestamp: null` as Go's typed encoding always writes it,
 * so the bytes (and therefore the names) match what kube-controller-manager produces.
 */
export function templatePatch(parent: Obj): Obj {
  const template: Obj = clone(parent.spec?.template ?? {});
  template.metadata = template.metadata ?? {};
  if (!('creationTimestamp' in template.metadata)) template.metadata.creationTimestamp = null;
  template.spec = template.spec ?? {};
  template.$patch = 'replace';
  return { spec: { template } };
}

/** The bytes a revision's data stands for (as upstream compares Data.Raw). */
export function revisionDataBytes(data: unknown): string {
  return goJSON(data ?? null);
}

/** HashControllerRevision: FNV-32 of the data bytes, then the collision count in decimal. */
export function hashControllerRevision(data: unknown, probe?: number): string {
  const buf = Buffer.from(revisionDataBytes(data), 'utf8');
  let h = fnv32(buf);
  if (probe !== undefined && probe !== null) h = fnv32(Buffer.from(String(probe)), h);
  return safeEncodeString(String(h));
}

/** `<prefix>-<hash>`, the prefix cut to 223 bytes so the name stays within 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** NewControllerRevision: owned by parent, labelled with the template labels and the data hash. */
export function newControllerRevision(parent: Obj, parentKind: OwnerKind, templateLabels: Record<string, string> | undefined, data: Obj, revision: number, collisionCount?: number): Obj {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.metadata.name, hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(parent, parentKind)],
    },
    data,
    revision,
  };
}

/** EqualRevision: same data bytes (numeric hash labels, never produced by safe encoding, are compared first). */
export function equalRevision(a: Obj | undefined, b: Obj | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && /^-?\d+$/.test(ha) && /^-?\d+$/.test(hb) && Number(ha) !== Number(hb)) return false;
  return revisionDataBytes(a.data) === revisionDataBytes(b.data);
}

export function findEqualRevisions(revisions: Obj[], needle: Obj): Obj[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** SortControllerRevisions: by revision, then creation time, then name (stable). */
export function sortControllerRevisions(revisions: Obj[]): Obj[] {
  return revisions.sort((a, b) => {
    const ra = Number(a.revision ?? 0);
    const rb = Number(b.revision ?? 0);
    if (ra !== rb) return ra - rb;
    const ta = a.metadata?.creationTimestamp ?? '';
    const tb = b.metadata?.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });
}

/** One more than the last (sorted) revision, or 1. */
export function nextRevision(sorted: Obj[]): number {
  return sorted.length === 0 ? 1 : Number(sorted[sorted.length - 1].revision ?? 0) + 1;
}

export function maxRevision(revisions: Obj[]): number {
  return revisions.reduce((m, r) => Math.max(m, Number(r.revision ?? 0)), 0);
}

/**
 * History truncation shared by both controllers: of `sorted` revisions (oldest first), the
 * first `excess` that are not live. DaemonSets pass len(old) - limit, StatefulSets the count of
 * non-live revisions - limit.
 */
export function revisionsToTruncate(sorted: Obj[], isLive: (rev: Obj) => boolean, excess: number): Obj[] {
  const out: Obj[] = [];
  for (const rev of sorted) {
    if (out.length >= excess) break;
    if (!isLive(rev)) out.push(rev);
  }
  return out;
}

/**
 * Applies a revision to its parent (ApplyRevision): a strategic merge of `data` into a copy of
 * parent. Revisions only ever hold maps (the template is replaced whole through `$patch`), so
 * maps merge, `$patch: replace` replaces, `$patch: delete` removes, null deletes, the rest is set.
 */
export function applyRevision(parent: Obj, revision: Obj): Obj {
  return mergeMaps(clone(parent), revision.data ?? {}) as Obj;
}

function mergeMaps(orig: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const p = patch as Obj;
  const directive = p.$patch;
  if (directive === 'delete') return undefined;
  const base: Obj = directive === 'replace' || orig === null || typeof orig !== 'object' || Array.isArray(orig) ? {} : { ...(orig as Obj) };
  for (const [k, v] of Object.entries(p)) {
    if (k === '$patch') continue;
    if (v === null) {
      delete base[k];
      continue;
    }
    const merged = mergeMaps(base[k], v);
    if (merged === undefined) delete base[k];
    else base[k] = merged;
  }
  return base;
}

/** retry.RetryOnConflict: up to `steps` attempts, sleeping between conflicts. */
export async function retryOnConflict<T>(fn: () => Promise<T>, opts: { steps?: number; delayMs?: number; factor?: number; signal?: AbortSignal } = {}): Promise<T> {
  const steps = opts.steps ?? 5;
  let delay = opts.delayMs ?? 10;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConflict(err) || i >= steps) throw err;
    }
    if (!(await sleep(delay * (1 + Math.random() * 0.1), opts.signal))) throw new Error('aborted');
    delay *= opts.factor ?? 1;
  }
}

/** A controller's view of its revisions: reads from the informer cache, writes through the client. */
export class History {
  /** `signal` may be a getter, for controllers that learn theirs in run(). */
  constructor(private readonly client: KubeClient, private readonly revisions: Informer, private readonly signalOf?: AbortSignal | (() => AbortSignal | undefined)) {}

  private get signal(): AbortSignal | undefined {
    return typeof this.signalOf === 'function' ? this.signalOf() : this.signalOf;
  }

  /** Revisions in parent's namespace matching `selector` that parent owns or nobody controls. */
  list(parent: Obj, selector: Matcher): Obj[] {
    const uid = parent.metadata?.uid;
    return this.revisions.store.listNamespace(parent.metadata.namespace ?? '').filter((r) => {
      if (!selector(r.metadata?.labels)) return false;
      const ref = getControllerOf(r);
      return !ref || ref.uid === uid;
    });
  }

  /**
   * Creates `revision` under parent, renaming it with a bumped collision count while a different
   * revision holds the name. Returns the created (or identical existing) revision and the count.
   */
  async create(parent: Obj, revision: Obj, collisionCount: number): Promise<{ revision: Obj; collisionCount: number }> {
    const ns = parent.metadata.namespace;
    for (;;) {
      const candidate = clone(revision);
      candidate.metadata.namespace = ns;
      candidate.metadata.name = controllerRevisionName(parent.metadata.name, hashControllerRevision(revision.data, collisionCount));
      try {
        const created = await this.client.create(CONTROLLER_REVISIONS, ns, candidate, { signal: this.signal });
        return { revision: created, collisionCount };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      const exists = await this.client.get(CONTROLLER_REVISIONS, ns, candidate.metadata.name, { signal: this.signal });
      if (revisionDataBytes(exists.data) === revisionDataBytes(candidate.data)) return { revision: exists, collisionCount };
      collisionCount++;
    }
  }

  /** Sets revision.revision to newRevision, re-reading the cached copy on conflicts. */
  async updateRevision(revision: Obj, newRevision: number): Promise<Obj> {
    let cur = clone(revision);
    return retryOnConflict(async () => {
      if (Number(cur.revision) === newRevision) return cur;
      const next = clone(cur);
      next.revision = newRevision;
      try {
        return await this.client.update(CONTROLLER_REVISIONS, next.metadata.namespace, next, { signal: this.signal });
      } catch (err) {
        const cached = this.revisions.store.get(cur.metadata.namespace, cur.metadata.name);
        if (cached) cur = clone(cached);
        throw err;
      }
    }, { steps: 4, delayMs: 10, factor: 5, signal: this.signal });
  }

  async delete(revision: Obj): Promise<void> {
    try {
      await this.client.delete(CONTROLLER_REVISIONS, revision.metadata.namespace, revision.metadata.name, { signal: this.signal });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Adds parent as controller through a strategic merge patch (refused if someone else controls it). */
  async adopt(parent: Obj, parentKind: OwnerKind, revision: Obj): Promise<Obj> {
    const owner = getControllerOf(revision);
    if (owner) throw new Error(`attempt to adopt revision owned by ${JSON.stringify(owner)}`);
    return this.client.patch(CONTROLLER_REVISIONS, parent.metadata.namespace, revision.metadata.name, 'strategic',
      adoptPatch(parent, parentKind, revision.metadata.uid), { signal: this.signal });
  }

  /** Removes parent's owner reference; a revision that is gone or not ours any more is ignored. */
  async release(parent: Obj, revision: Obj): Promise<Obj | undefined> {
    try {
      return await this.client.patch(CONTROLLER_REVISIONS, revision.metadata.namespace, revision.metadata.name, 'strategic',
        releasePatch(revision.metadata.uid, [parent.metadata.uid]), { signal: this.signal });
    } catch (err) {
      if (isNotFound(err) || isInvalid(err)) return undefined;
      throw err;
    }
  }
}
