// The ownerReferences graph (upstream's GraphBuilder): one node per object uid, holding the
// object's owners (its ownerReferences) and its dependents (nodes whose ownerReferences name
// it). An owner named by a reference but not (yet) seen through an informer gets a "virtual"
// node, which the collector verifies with a live GET and removes with a virtual delete event
// if the owner is absent.
//
// Graph changes are applied in order, one at a time (JavaScript's single thread stands in for
// upstream's single processGraphChanges goroutine). Applying a change only edits the graph
// and tells the collector which nodes to look at; every API call happens in the collector.

import type { Obj } from '../../api/types.js';

export interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Where an object lives: an owner reference's coordinates plus the namespace. */
export interface Identity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** '' for cluster-scoped objects; a virtual owner starts with its first dependent's namespace. */
  namespace: string;
}

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export function identityString(i: Identity): string {
  return `[${i.apiVersion}/${i.kind}, namespace: ${i.namespace}, name: ${i.name}, uid: ${i.uid}]`;
}

export function identityKey(i: Identity): string {
  return JSON.stringify([i.apiVersion, i.kind, i.namespace, i.name, i.uid]);
}

export function sameIdentity(a: Identity, b: Identity): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.uid === b.uid && a.namespace === b.namespace;
}

/** An owner reference names exactly these coordinates (namespace aside). */
export function refMatchesCoordinates(ref: OwnerRef, i: Identity): boolean {
  return ref.uid === i.uid && ref.name === i.name && ref.kind === i.kind && ref.apiVersion === i.apiVersion;
}

export function ownerRefsOf(obj: Obj | undefined): OwnerRef[] {
  const refs = obj?.metadata?.ownerReferences;
  return Array.isArray(refs) ? (refs as OwnerRef[]) : [];
}

export function hasFinalizer(obj: Obj | undefined, f: string): boolean {
  const fins = obj?.metadata?.finalizers;
  return Array.isArray(fins) && fins.includes(f);
}

export function beingDeleted(obj: Obj | undefined): boolean {
  return !!obj?.metadata?.deletionTimestamp;
}

export class GraphNode {
  readonly dependents = new Set<GraphNode>();
  owners: OwnerRef[] = [];
  /** Being deleted with the foregroundDeletion finalizer: waits for blocking dependents. */
  deletingDependents = false;
  beingDeleted = false;
  /** Seen through an informer event; false for a virtual node made from an ownerReference. */
  observed: boolean;

  constructor(public identity: Identity, observed: boolean) {
    this.observed = observed;
  }

  /** Dependents whose reference to this node has blockOwnerDeletion=true. */
  blockingDependents(): GraphNode[] {
    const out: GraphNode[] = [];
    for (const dep of this.dependents) {
      if (dep.owners.some((o) => o.uid === this.identity.uid && o.blockOwnerDeletion === true)) out.push(dep);
    }
    return out;
  }
}

export interface GraphEvent {
  type: 'add' | 'update' | 'delete';
  /** The object (only metadata is read). */
  obj: Obj;
  oldObj?: Obj;
  /** apiVersion/kind of the informer (or, for virtual events, of the identity). */
  apiVersion: string;
  kind: string;
  /** Produced by the collector after a live lookup found the object absent. */
  virtual?: boolean;
}

/** What the graph asks of the collector while changes are applied. */
export interface GraphSink {
  attemptToDelete(n: GraphNode): void;
  attemptToOrphan(n: GraphNode): void;
  /** An owner identity confirmed absent: references to it are dangling. */
  markAbsent(i: Identity): void;
  /** A dependent references an owner in another namespace. */
  invalidNamespaceOwnerRef(dep: GraphNode, ownerUid: string): void;
}

function identityFromEvent(ev: GraphEvent): Identity {
  const m = ev.obj.metadata ?? {};
  return { apiVersion: ev.apiVersion, kind: ev.kind, name: m.name ?? '', uid: m.uid ?? '', namespace: m.namespace ?? '' };
}

/** Deletion just started with the finalizer present (or the finalizer just arrived on a deleting object). */
function deletionStartsWithFinalizer(oldObj: Obj | undefined, obj: Obj, finalizer: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, finalizer)) return false;
  if (!oldObj) return true;
  return !beingDeleted(oldObj) || !hasFinalizer(oldObj, finalizer);
}

/** Sort order of identities: kind, apiVersion, namespace, name, uid. */
function identityLess(a: Identity, b: Identity): boolean {
  for (const k of ['kind', 'apiVersion', 'namespace', 'name', 'uid'] as const) {
    if (a[k] !== b[k]) return a[k] < b[k];
  }
  return false;
}

export class Graph {
  readonly uidToNode = new Map<string, GraphNode>();

  constructor(private readonly sink: GraphSink) {}

  get(uid: string): GraphNode | undefined {
    return this.uidToNode.get(uid);
  }

  get size(): number {
    return this.uidToNode.size;
  }

  /** Applies one change (processGraphChanges). */
  apply(ev: GraphEvent): void {
    const m = ev.obj?.metadata;
    if (!m?.uid) return;
    let existing = this.uidToNode.get(m.uid);

    // A virtual node now seen through an informer takes the observed coordinates; dependents
    // that named it differently get checked (their reference may be dangling).
    if (existing && !ev.virtual && !existing.observed) {
      const observed = identityFromEvent(ev);
      if (!sameIdentity(observed, existing.identity)) {
        const [, mismatched] = this.partitionDependents([...existing.dependents], observed);
        for (const dep of mismatched) {
          if (observed.namespace && dep.identity.namespace !== observed.namespace) this.sink.invalidNamespaceOwnerRef(dep, observed.uid);
          this.sink.attemptToDelete(dep);
        }
        existing.identity = observed;
      }
      existing.observed = true;
    }

    if ((ev.type === 'add' || ev.type === 'update') && !existing) {
      const n = new GraphNode(identityFromEvent(ev), true);
      n.owners = [...ownerRefsOf(ev.obj)];
      n.beingDeleted = beingDeleted(ev.obj);
      n.deletingDependents = n.beingDeleted && hasFinalizer(ev.obj, FINALIZER_FOREGROUND);
      this.insertNode(n);
      this.processTransitions(ev.oldObj, ev.obj, n);
      return;
    }
    if ((ev.type === 'add' || ev.type === 'update') && existing) {
      const owners = ownerRefsOf(ev.obj);
      const { added, removed, changed } = referencesDiffs(existing.owners, owners);
      if (added.length || removed.length || changed.length) {
        this.addUnblockedOwnersToDeleteQueue(removed, changed);
        existing.owners = [...owners];
        this.addDependentToOwners(existing, added);
        this.removeDependentFromOwners(existing, removed);
      }
      if (beingDeleted(ev.obj)) existing.beingDeleted = true;
      this.processTransitions(ev.oldObj, ev.obj, existing);
      return;
    }
    if (ev.type === 'delete' && existing) this.processDelete(ev, existing);
  }

  private processDelete(ev: GraphEvent, existing: GraphNode): void {
    let removeExisting = true;
    if (ev.virtual) {
      const deleted = identityFromEvent(ev);
      if (!existing.observed) {
        // Dependents may disagree on the owner's coordinates: only those naming the verified
        // absent identity are dangling; the node stays for the others.
        const [matching, nonmatching] = this.partitionDependents([...existing.dependents], deleted);
        if (nonmatching.length > 0) {
          removeExisting = false;
          if (matching.length > 0) {
            this.sink.markAbsent(deleted);
            for (const dep of matching) this.sink.attemptToDelete(dep);
          }
          if (sameIdentity(existing.identity, deleted)) {
            const alt = this.alternateOwnerIdentity(nonmatching, deleted);
            if (alt) {
              existing.identity = alt;
              this.sink.attemptToDelete(existing);
            }
          }
        }
      } else if (!sameIdentity(existing.identity, deleted)) {
        // A real node is never removed on the word of a lookup at other coordinates.
        removeExisting = false;
        const [matching] = this.partitionDependents([...existing.dependents], deleted);
        if (matching.length > 0) {
          this.sink.markAbsent(deleted);
          for (const dep of matching) this.sink.attemptToDelete(dep);
        }
      }
    }
    if (!removeExisting) return;
    this.removeNode(existing);
    if (existing.dependents.size > 0) this.sink.markAbsent(identityFromEvent(ev));
    for (const dep of existing.dependents) this.sink.attemptToDelete(dep);
    // An owner waiting for its dependents may now be free to go.
    for (const o of existing.owners) {
      const owner = this.uidToNode.get(o.uid);
      if (owner?.deletingDependents) this.sink.attemptToDelete(owner);
    }
  }

  private processTransitions(oldObj: Obj | undefined, obj: Obj, n: GraphNode): void {
    if (deletionStartsWithFinalizer(oldObj, obj, FINALIZER_ORPHAN)) {
      this.sink.attemptToOrphan(n);
      return;
    }
    if (deletionStartsWithFinalizer(oldObj, obj, FINALIZER_FOREGROUND)) {
      n.deletingDependents = true;
      n.beingDeleted = true;
      for (const dep of n.dependents) this.sink.attemptToDelete(dep);
      this.sink.attemptToDelete(n);
    }
  }

  private insertNode(n: GraphNode): void {
    this.uidToNode.set(n.identity.uid, n);
    this.addDependentToOwners(n, n.owners);
  }

  private removeNode(n: GraphNode): void {
    this.uidToNode.delete(n.identity.uid);
    this.removeDependentFromOwners(n, n.owners);
  }

  /**
   * Links n under each owner, creating virtual owners (checked by the collector) for unknown
   * uids. A reference whose coordinates disagree with an existing owner node makes n suspect.
   */
  private addDependentToOwners(n: GraphNode, owners: OwnerRef[]): void {
    let suspect = false;
    for (const ref of owners) {
      let owner = this.uidToNode.get(ref.uid);
      const isNew = !owner;
      if (!owner) {
        owner = new GraphNode({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: n.identity.namespace }, false);
        this.uidToNode.set(ref.uid, owner);
      }
      owner.dependents.add(n);
      if (isNew) {
        this.sink.attemptToDelete(owner);
        continue;
      }
      if (suspect) continue;
      const ownerNamespaced = owner.identity.namespace !== '';
      if (ownerNamespaced && owner.identity.namespace !== n.identity.namespace) {
        if (owner.observed) this.sink.invalidNamespaceOwnerRef(n, ref.uid);
        suspect = true;
      } else if (!refMatchesCoordinates(ref, owner.identity)) {
        suspect = true;
      } else if (!ownerNamespaced && owner.identity.namespace !== n.identity.namespace && !owner.observed) {
        // a virtual cluster-scoped owner referenced from another namespace: may be a missing
        // namespaced owner referenced by a cluster-scoped child
        suspect = true;
      }
    }
    if (suspect) this.sink.attemptToDelete(n);
  }

  private removeDependentFromOwners(n: GraphNode, owners: OwnerRef[]): void {
    for (const ref of owners) this.uidToNode.get(ref.uid)?.dependents.delete(n);
  }

  /** References that stopped blocking their owner: an owner deleting in foreground may proceed. */
  private addUnblockedOwnersToDeleteQueue(removed: OwnerRef[], changed: [OwnerRef, OwnerRef][]): void {
    for (const ref of removed) {
      if (ref.blockOwnerDeletion !== true) continue;
      const owner = this.uidToNode.get(ref.uid);
      if (owner) this.sink.attemptToDelete(owner);
    }
    for (const [oldRef, newRef] of changed) {
      if (oldRef.blockOwnerDeletion === true && newRef.blockOwnerDeletion !== true) {
        const owner = this.uidToNode.get(newRef.uid);
        if (owner) this.sink.attemptToDelete(owner);
      }
    }
  }

  /** Dependents whose reference to owner.uid matches the identity, and those that do not. */
  private partitionDependents(deps: GraphNode[], owner: Identity): [GraphNode[], GraphNode[]] {
    const matching: GraphNode[] = [];
    const nonmatching: GraphNode[] = [];
    const ownerNamespaced = owner.namespace !== '';
    for (const dep of deps) {
      let match = false;
      let mismatch = false;
      if (ownerNamespaced && owner.namespace !== dep.identity.namespace) {
        mismatch = true;
      } else {
        for (const ref of dep.owners) {
          if (ref.uid !== owner.uid) continue;
          if (refMatchesCoordinates(ref, owner)) match = true;
          else mismatch = true;
        }
      }
      if (match) matching.push(dep);
      if (mismatch) nonmatching.push(dep);
    }
    return [matching, nonmatching];
  }

  /**
   * Another identity the dependents use for an owner uid whose `absent` identity was verified
   * missing: preferably the first one sorting after it (so repeated checks cycle through all).
   */
  private alternateOwnerIdentity(deps: GraphNode[], absent: Identity): Identity | undefined {
    const absentClusterScoped = absent.namespace === '';
    const seen = new Set<string>([identityKey(absent)]);
    let first: Identity | undefined;
    let firstFollowing: Identity | undefined;
    for (const dep of deps) {
      for (const ref of dep.owners) {
        if (ref.uid !== absent.uid) continue;
        if (refMatchesCoordinates(ref, absent) && (absentClusterScoped || absent.namespace === dep.identity.namespace)) continue;
        const alt: Identity = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: dep.identity.namespace };
        if (absentClusterScoped && alt.apiVersion === absent.apiVersion && alt.kind === absent.kind) alt.namespace = '';
        const key = identityKey(alt);
        if (seen.has(key)) continue;
        seen.add(key);
        first ??= alt;
        if (identityLess(absent, alt) && (!firstFollowing || identityLess(alt, firstFollowing))) firstFollowing = alt;
      }
    }
    return firstFollowing ?? first;
  }
}

/** Owner references added, removed and changed (same uid, different content). */
export function referencesDiffs(old: OwnerRef[], now: OwnerRef[]): { added: OwnerRef[]; removed: OwnerRef[]; changed: [OwnerRef, OwnerRef][] } {
  const oldByUid = new Map(old.map((r) => [r.uid, r]));
  const added: OwnerRef[] = [];
  const changed: [OwnerRef, OwnerRef][] = [];
  for (const r of now) {
    const o = oldByUid.get(r.uid);
    if (!o) added.push(r);
    else {
      if (!refsEqual(o, r)) changed.push([o, r]);
      oldByUid.delete(r.uid);
    }
  }
  return { added, removed: [...oldByUid.values()], changed };
}

function refsEqual(a: OwnerRef, b: OwnerRef): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.uid === b.uid
    && (a.controller ?? null) === (b.controller ?? null) && (a.blockOwnerDeletion ?? null) === (b.blockOwnerDeletion ?? null);
}
