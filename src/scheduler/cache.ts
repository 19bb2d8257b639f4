// The scheduler cache (internal/cache): nodes and the pods assigned to them, fed by informers,
// plus "assumed" pods — pods the scheduler has placed but whose binding the informer has not
// reported yet — so the next cycle already sees their resources.
//
//   assume(pod, node) → finishBinding(pod) → informer add/update confirms it
//                     ↘ forget(pod) when binding fails
//
// An index of assigned pods by label (`key=value`) lets topology spread and inter-pod
// affinity find matching pods without scanning every node.

import type { Obj } from '../api/types.js';
import { NodeInfo, PodInfo, podKey, Snapshot } from './nodeinfo.js';

interface PodState {
  pi: PodInfo;
  assumed: boolean;
  bindingFinished: boolean;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private readonly byLabel = new Map<string, Set<PodInfo>>();
  /** Bumped when nodes come or go (the snapshot's node list must be rebuilt). */
  private structureGen = 0;
  /** Bumped when a node gains its first / loses its last pod with affinity. */
  private affinityGen = 0;
  private readonly snap = new Snapshot();

  // ---- nodes ----

  private nodeInfo(name: string): NodeInfo {
    let n = this.nodes.get(name);
    if (!n) this.nodes.set(name, (n = new NodeInfo(name)));
    return n;
  }

  addNode(node: Obj): void {
    const name = node.metadata?.name ?? '';
    const n = this.nodeInfo(name);
    const had = !!n.node;
    const oldZone = had ? zoneOf(n) : '';
    n.setNode(node);
    if (!had || zoneOf(n) !== oldZone) this.structureGen++;
  }

  updateNode(node: Obj): void {
    this.addNode(node);
  }

  removeNode(node: Obj): void {
    const name = node.metadata?.name ?? '';
    const n = this.nodes.get(name);
    if (!n) return;
    // Pods may still point at the node (their deletion comes later): keep a node-less entry.
    if (n.pods.length === 0) this.nodes.delete(name);
    else n.node = null;
    this.structureGen++;
  }

  getNodeInfo(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  get nodeCount(): number {
    let c = 0;
    for (const n of this.nodes.values()) if (n.node) c++;
    return c;
  }

  // ---- pods ----

  private place(pi: PodInfo): void {
    const n = this.nodeInfo(pi.nodeName);
    const hadAff = affinityBits(n);
    n.addPod(pi);
    const hasAff = affinityBits(n);
    if (hadAff !== hasAff) this.affinityGen++;
    for (const k in pi.labels) {
      const lk = `${k}=${pi.labels[k]}`;
      let set = this.byLabel.get(lk);
      if (!set) this.byLabel.set(lk, (set = new Set()));
      set.add(pi);
    }
  }

  private unplace(pi: PodInfo): void {
    const n = this.nodes.get(pi.nodeName);
    if (n) {
      const hadAff = affinityBits(n);
      n.removePod(pi);
      const hasAff = affinityBits(n);
      if (hadAff !== hasAff) this.affinityGen++;
      if (!n.node && n.pods.length === 0) this.nodes.delete(pi.nodeName);
    }
    for (const k in pi.labels) {
      const lk = `${k}=${pi.labels[k]}`;
      const set = this.byLabel.get(lk);
      if (!set) continue;
      set.delete(pi);
      if (set.size === 0) this.byLabel.delete(lk);
    }
  }

  /** Places `pi` (which carries spec.nodeName) before the API confirms it. */
  assumePod(pi: PodInfo): void {
    if (this.pods.has(pi.key)) throw new Error(`pod ${pi.namespace}/${pi.name} is already in the cache`);
    this.place(pi);
    this.pods.set(pi.key, { pi, assumed: true, bindingFinished: false });
  }

  finishBinding(pi: PodInfo): void {
    const s = this.pods.get(pi.key);
    if (s?.assumed) s.bindingFinished = true;
  }

  /** Undoes assumePod (binding failed). */
  forgetPod(pi: PodInfo): void {
    const s = this.pods.get(pi.key);
    if (!s || !s.assumed) return;
    this.unplace(s.pi);
    this.pods.delete(pi.key);
  }

  isAssumed(pod: Obj): boolean {
    return this.pods.get(podKey(pod))?.assumed ?? false;
  }

  /** The informer reports an assigned pod (add or update). Confirms an assumed pod. */
  addOrUpdatePod(pi: PodInfo): void {
    const s = this.pods.get(pi.key);
    if (s) this.unplace(s.pi);
    this.place(pi);
    this.pods.set(pi.key, { pi, assumed: false, bindingFinished: true });
  }

  removePod(pod: Obj): void {
    const key = podKey(pod);
    const s = this.pods.get(key);
    if (!s) return;
    this.unplace(s.pi);
    this.pods.delete(key);
  }

  getPod(pod: Obj): PodInfo | undefined {
    return this.pods.get(podKey(pod))?.pi;
  }

  get podCount(): number {
    return this.pods.size;
  }

  /** Assigned pods carrying label key=value. */
  podsWithLabel(key: string, value: string): Set<PodInfo> | undefined {
    return this.byLabel.get(`${key}=${value}`);
  }

  /** The snapshot for the next cycle; cheap unless nodes came or went. */
  snapshot(): Snapshot {
    const s = this.snap;
    if (s.builtFrom !== this.structureGen) {
      s.setNodes(this.nodes.values());
      s.builtFrom = this.structureGen;
      s.affinityBuiltFrom = -1;
    }
    if (s.affinityBuiltFrom !== this.affinityGen) {
      s.rebuildAffinityLists();
      s.affinityBuiltFrom = this.affinityGen;
    }
    return s;
  }
}

function affinityBits(n: NodeInfo): number {
  return (n.podsWithAffinity.length > 0 ? 1 : 0) | (n.podsWithRequiredAntiAffinity.length > 0 ? 2 : 0);
}

function zoneOf(n: NodeInfo): string {
  const l = n.labels;
  return `${l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? ''}/${l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? ''}`;
}
