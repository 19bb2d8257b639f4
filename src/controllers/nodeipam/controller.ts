// Node IPAM (kube-controller-manager's range allocator): every Node gets spec.podCIDR and
// spec.podCIDRs — one subnet per cluster CIDR (one per IP family), /24 (IPv4) and /64 (IPv6)
// by default — out of --cluster-cidr, minus the service range. Subnets nodes already carry are
// occupied first (so a restart hands out nothing twice), a deleted node's go back to the pool.
// When the pool is empty the node gets a CIDRNotAvailable event and is retried with back-off.

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import { isNotFound } from '../../client/errors.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient, ResourceRef } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { WorkQueue } from '../../client/workqueue.js';
import { CidrSet } from './cidrset.js';

export const NODES: ResourceRef = findResource('', 'v1', 'nodes')!;
export const DEFAULT_CLUSTER_CIDR = '10.42.0.0/16';
/** Attempts at patching a node's CIDRs before giving the subnet back (upstream cidrUpdateRetries). */
const CIDR_UPDATE_RETRIES = 3;

export interface NodeIpamControllerOptions {
  client: KubeClient;
  nodes: Informer;
  recorder?: EventRecorder;
  /** --cluster-cidr: one CIDR or a comma-separated pair (dual-stack). Default 10.42.0.0/16. */
  clusterCIDR?: string | string[];
  /** --service-cluster-ip-range: kept out of the pod subnets where it overlaps. */
  serviceCIDR?: string | string[];
  /** --node-cidr-mask-size-ipv4 (default 24) / -ipv6 (default 64). */
  nodeCIDRMaskSizeIPv4?: number;
  nodeCIDRMaskSizeIPv6?: number;
  /** Parallel node patches (upstream cidrUpdateWorkers: 30). */
  workers?: number;
  log?: Logger;
}

const list = (v: string | string[] | undefined, dflt: string[] = []): string[] =>
  v === undefined ? dflt : (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);

/** node.spec.podCIDRs, or the single-stack spec.podCIDR. */
function podCIDRs(node: Obj): string[] {
  const l: unknown = node?.spec?.podCIDRs;
  if (Array.isArray(l) && l.length) return l.map(String);
  return node?.spec?.podCIDR ? [String(node.spec.podCIDR)] : [];
}

export class NodeIpamController {
  readonly queue = new WorkQueue<string>();
  readonly sets: CidrSet[];
  private readonly log: Logger;
  /** CIDRs patched onto nodes whose update the cache has not shown yet. */
  private readonly pending = new Map<string, string[]>();
  private readonly warned = new Set<string>();

  /** Throws on an invalid configuration (bad CIDRs, a mask that does not fit). */
  constructor(private readonly o: NodeIpamControllerOptions) {
    this.log = o.log ?? stderrLogger('node-ipam-controller');
    const clusters = list(o.clusterCIDR, [DEFAULT_CLUSTER_CIDR]);
    if (clusters.length === 0 || clusters.length > 2) throw new Error(`--cluster-cidr: want one CIDR or one per IP family, got ${clusters.length}`);
    this.sets = clusters.map((c) => new CidrSet(c, c.includes(':') ? o.nodeCIDRMaskSizeIPv6 ?? 64 : o.nodeCIDRMaskSizeIPv4 ?? 24));
    if (this.sets.length === 2 && this.sets[0].cluster.family === this.sets[1].cluster.family) throw new Error('--cluster-cidr: dual-stack needs one IPv4 and one IPv6 CIDR');
    for (const svc of list(o.serviceCIDR)) {
      for (const set of this.sets) {
        const overlap = set.overlap(svc);
        if (overlap) set.occupy(overlap);
      }
    }
    o.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(n.metadata.name),
      onUpdate: (_old, n) => this.queue.add(n.metadata.name),
      onDelete: (n) => this.release(n),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    if (!(await this.o.nodes.waitForSync(signal))) {
      this.queue.shutdown();
      return;
    }
    // What nodes already carry is taken before anything is handed out.
    for (const n of this.o.nodes.store.list()) this.occupy(n);
    await runController({
      name: 'node-ipam-controller', queue: this.queue, informers: [this.o.nodes], workers: this.o.workers ?? 30,
      sync: (k, s) => this.sync(k, s), log: this.log,
    }, signal);
  }

  async sync(name: string, signal?: AbortSignal): Promise<void> {
    const node = this.o.nodes.store.get('', name);
    if (!node) return;
    const have = podCIDRs(node);
    if (have.length) {
      this.pending.delete(name);
      this.occupy(node);
      return;
    }
    if (this.pending.has(name)) return; // patched; waiting for the cache to catch up
    const allocated: string[] = [];
    for (const [i, set] of this.sets.entries()) {
      try {
        allocated.push(set.allocateNext());
      } catch (err) {
        allocated.forEach((c, j) => this.sets[j].release(c));
        this.statusChange(node, 'CIDRNotAvailable');
        throw new Error(`failed to allocate cidr from cluster cidr at idx:${i}: ${errMsg(err)}`);
      }
    }
    let last: unknown;
    for (let attempt = 0; attempt < CIDR_UPDATE_RETRIES; attempt++) {
      try {
        await this.o.client.patch(NODES, '', name, 'strategic', { spec: { podCIDR: allocated[0], podCIDRs: allocated } }, { signal });
        this.pending.set(name, allocated);
        this.log.info(`set node ${name} PodCIDR to ${allocated.join(',')}`);
        return;
      } catch (err) {
        last = err;
        if (isNotFound(err) || signal?.aborted) break;
      }
    }
    allocated.forEach((c, j) => this.sets[j].release(c));
    if (!isNotFound(last) && !signal?.aborted) {
      this.statusChange(node, 'CIDRAssignmentFailed');
      throw last;
    }
  }

  private occupy(node: Obj): void {
    for (const cidr of podCIDRs(node)) {
      const set = this.sets.find((s) => s.overlap(cidr) !== undefined && (cidr.includes(':') ? 6 : 4) === s.cluster.family);
      try {
        if (!set) throw new Error(`no cluster CIDR of its family contains it`);
        set.occupy(cidr);
      } catch (err) {
        const key = `${node.metadata.name}/${cidr}`;
        if (!this.warned.has(key)) this.log.warn(`node ${node.metadata.name}: podCIDR ${cidr} cannot be marked as taken: ${errMsg(err)}`);
        this.warned.add(key);
      }
    }
  }

  private release(node: Obj): void {
    const name = node?.metadata?.name;
    const cidrs = podCIDRs(node).length ? podCIDRs(node) : this.pending.get(name) ?? [];
    this.pending.delete(name);
    for (const cidr of cidrs) {
      const set = this.sets.find((s) => s.overlap(cidr) !== undefined && (cidr.includes(':') ? 6 : 4) === s.cluster.family);
      try {
        set?.release(cidr);
      } catch { /* outside the cluster CIDR: never ours */ }
    }
  }

  /** RecordNodeStatusChange: "Node NAME status is now: STATUS". */
  private statusChange(node: Obj, status: string): void {
    this.o.recorder?.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.uid } }, 'Normal', status, `Node ${node.metadata.name} status is now: ${status}`);
  }
}
