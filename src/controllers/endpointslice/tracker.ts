// Which EndpointSlice generations this controller wrote, per Service (upstream's
// EndpointSliceTracker): lets the controller ignore the informer echo of its own writes, and
// refuse to reconcile from a cache that has not caught up with them yet.

import type { Obj } from '../../api/types.js';
import { SERVICE_NAME_LABEL } from './labels.js';

const DELETION_EXPECTED = -1;

const generationOf = (s: Obj): number => (typeof s?.metadata?.generation === 'number' ? s.metadata.generation : 0);
const serviceKeyOf = (s: Obj): string => `${s?.metadata?.namespace ?? ''}/${s?.metadata?.labels?.[SERVICE_NAME_LABEL] ?? ''}`;

export class EndpointSliceTracker {
  private readonly byService = new Map<string, Map<string, number>>();

  private gens(slice: Obj, create = false): Map<string, number> | undefined {
    const k = serviceKeyOf(slice);
    let m = this.byService.get(k);
    if (!m && create) this.byService.set(k, (m = new Map()));
    return m;
  }

  has(slice: Obj): boolean {
    return this.gens(slice)?.has(slice.metadata?.uid) ?? false;
  }

  /** False when the slice is exactly a write of ours (or older): nothing new to react to. */
  shouldSync(slice: Obj): boolean {
    const g = this.gens(slice)?.get(slice.metadata?.uid);
    return g === undefined || generationOf(slice) > g;
  }

  /** Records a slice as written (the server's answer to a create/update). */
  update(slice: Obj): void {
    this.gens(slice, true)!.set(slice.metadata.uid, generationOf(slice));
  }

  expectDeletion(slice: Obj): void {
    this.gens(slice, true)!.set(slice.metadata.uid, DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; true when the deletion was ours (no need to react). */
  handleDeletion(slice: Obj): boolean {
    const m = this.gens(slice);
    if (!m) return true;
    const g = m.get(slice.metadata?.uid);
    m.delete(slice.metadata?.uid);
    return !(g !== undefined && g !== DELETION_EXPECTED);
  }

  /** The cached slices lag behind our writes (an expected deletion still there, an update not yet seen, a created slice missing). */
  staleSlices(namespace: string, service: string, slices: Obj[]): boolean {
    const m = this.byService.get(`${namespace}/${service}`);
    if (!m) return false;
    const seen = new Set<string>();
    for (const s of slices) {
      seen.add(s.metadata?.uid);
      const g = m.get(s.metadata?.uid);
      if (g !== undefined && (g === DELETION_EXPECTED || g > generationOf(s))) return true;
    }
    for (const [uid, g] of m) if (g !== DELETION_EXPECTED && !seen.has(uid)) return true;
    return false;
  }

  deleteService(namespace: string, service: string): void {
    this.byService.delete(`${namespace}/${service}`);
  }
}
