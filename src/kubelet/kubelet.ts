// The real kubelet: one node, the host, running the pods bound to it as containers through
// containerd's CRI.
//
// startKubelet registers the Node (or adopts the one a previous run registered), keeps its
// Lease and status, waits for the node IPAM controller's podCIDR, then brings the container
// runtime up through the caller's `runtime` callback (containerd's CNI config needs the
// CIDR). From then on:
//  - a pod informer (spec.nodeName=<node>) feeds a workqueue keyed by pod uid; one sync at a
//    time per pod (pods/sync.ts), many pods in parallel;
//  - a relist of the runtime every second (the kubelet's PLEG) requeues pods whose
//    containers changed state, and pods the API no longer has (their leftovers go);
//  - probe results requeue pods (readiness into status, liveness into restarts);
//  - the relist also backs the ContainerLocator the kubelet server uses for logs and exec.
// Aborting the signal stops all of it; containers keep running and are re-adopted next time.

import os from 'node:os';
import { join } from 'node:path';
import { findResource } from '../api/resources.js';
import { nowRFC3339, type Obj } from '../api/types.js';
import { realClock, type Clock } from '../client/clock.js';
import { runController } from '../client/controller.js';
import { isAlreadyExists, isNotFound } from '../client/errors.js';
import { EventRecorder } from '../client/events.js';
import { Informer } from '../client/informer.js';
import type { KubeClient, ResourceRef } from '../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../client/log.js';
import { sleep } from '../client/wait.js';
import { WorkQueue } from '../client/workqueue.js';
import type { VersionResponse } from './cri/types.js';
import { DEFAULT_LEASE_DURATION_SECONDS, NodeLeases } from './node/lease.js';
import { NETWORK_NOT_READY_MESSAGE, conditionsChanged, nodePodCIDRs, type NodeHealth } from './node/nodestatus.js';
import { SIMULATED_LABEL } from './simulated/register.js';
import type { CriRuntime } from './kuberuntime/cri.js';
import type { EnvProvider, ProbeProvider, VolumeProvider } from './kuberuntime/deps.js';
import { hostResolv } from './kuberuntime/dns.js';
import { LABEL_POD_UID } from './kuberuntime/labels.js';
import { machineInfo, type MachineInfo } from './kuberuntime/machine.js';
import { RuntimeManager } from './kuberuntime/manager.js';
import { desiredNodeStatus, nodeImages, registrationNode, runtimeHealth, type NodeStatusInput } from './kuberuntime/node.js';
import { swapAccounting } from './kuberuntime/resources.js';
import { PodCgroups } from './kuberuntime/cgroups.js';
import { isTerminalPhase } from './node/podstatus.js';
import { predicateAdmit } from './pods/admit.js';
import { tryParseQuantity } from '../api/quantity.js';
import { envSourcesFromClient, expandCommand, makeEnvironment } from './env/index.js';
import { nodeAllocatable, SysctlAllowlist, type KubeletConfig } from './config/index.js';
import { ProbeManager } from './prober/index.js';
import { VolumeManager } from './volumes/index.js';
import { RuntimeIndex, type ContainerLocator } from './pods/locator.js';
import { canonicalJson } from './pods/statuspatch.js';
import { PODS, PodSyncer } from './pods/sync.js';
import { StaticPods } from './static/manager.js';
import { isMirrorPod } from './static/source.js';

export const NODES: ResourceRef = findResource('', 'v1', 'nodes')!;
export const DEFAULT_KUBELET_PORT = 10250;
/** The kubelet's nodeStatusReportFrequency: unchanged status is re-posted this often. */
const STATUS_REPORT_MS = 300_000;

export interface KubeletRuntime {
  cri: CriRuntime;
  version: VersionResponse;
}

export interface KubeletOptions {
  /** An API client with the node's identity (system:node:<name>). */
  client: KubeClient;
  nodeName: string;
  dataDir: string;
  /** The node's InternalIP. */
  nodeIP: string;
  hostname?: string;
  kubeletPort?: number;
  /** Brings the container runtime up for the node's pod CIDR; throws with the reason when it cannot. */
  runtime: (podCIDR: string) => Promise<KubeletRuntime>;
  clusterDNS?: string[];
  clusterDomain?: string;
  signal: AbortSignal;
  log?: Logger;
  clock?: Clock;
  /** The env, volume and probe modules (defaults: ./env, ./volumes, ./prober). */
  modules?: { env?: EnvProvider; volumes?: (podsDir: string) => VolumeProvider; probes?: (onChange: (podUID: string) => void, cri: CriRuntime, recorder: EventRecorder) => ProbeProvider };
  relistIntervalMs?: number;
  nodeStatusIntervalMs?: number;
  leaseDurationSeconds?: number;
  /** The node's pods' cgroup (default /kubepods); QoS tiers and pod cgroups go below it. */
  cgroupRoot?: string;
  /** The cgroup file system (default /sys/fs/cgroup; tests point it elsewhere). */
  cgroupFs?: string;
  podWorkers?: number;
  /** A KubeletConfiguration (--kubelet-config): maxPods, allocatable, allowed sysctls, registerNode. */
  config?: KubeletConfig;
  /** Where static pods' manifests are (a directory or one file); none without it. */
  staticPodPath?: string;
}

/** The runtime could not start: nothing of the node is left registered. */
export class KubeletStartError extends Error {}

export class Kubelet {
  readonly nodeName: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly machine: MachineInfo;
  readonly recorder: EventRecorder;
  readonly nodes: Informer;
  readonly queue = new WorkQueue<string>();
  /** Pods bound to this node by uid, and uid by namespace/name. */
  readonly pods = new Map<string, Obj>();
  private readonly byKey = new Map<string, string>();
  private nodeUID = '';
  private created = false;
  private cri?: CriRuntime;
  private runtimeVersion?: string;
  private runtimeError?: string;
  private syncer?: PodSyncer;
  private index?: RuntimeIndex;
  private reportedAt = 0;
  private relistSig = new Map<string, string>();
  /** Pods this kubelet admitted (canAdmitPod passed); they count against the node's room. */
  private readonly admitted = new Set<string>();
  private readonly loops: Promise<unknown>[] = [];
  private readonly leases: NodeLeases;

  constructor(readonly o: KubeletOptions) {
    this.nodeName = o.nodeName;
    this.log = o.log ?? stderrLogger('kubelet');
    this.clock = o.clock ?? realClock;
    this.machine = machineInfo(o.dataDir);
    this.recorder = new EventRecorder(o.client, { component: 'kubelet', host: o.nodeName, signal: o.signal, log: this.log });
    this.nodes = new Informer(o.client, NODES, { fieldSelector: `metadata.name=${o.nodeName}`, log: this.log });
    this.leases = new NodeLeases(o.client, o.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS);
  }

  /** The locator for the kubelet server (logs, exec, attach, port-forward); empty until pods run. */
  readonly locator: ContainerLocator = {
    findContainer: (ns, pod, container, opts) => this.index?.findContainer(ns, pod, container, opts),
    findSandbox: (ns, pod) => this.index?.findSandbox(ns, pod),
    hasPod: (ns, pod) => this.index?.hasPod(ns, pod) ?? false,
    waitingReason: (ns, pod, container) => this.index?.waitingReason(ns, pod, container),
  };

  /** Resolves once every loop has stopped (after the signal aborted). */
  get stopped(): Promise<void> {
    return Promise.allSettled(this.loops).then(() => undefined);
  }

  private statusInput(health: NodeHealth, images: Obj[], current?: Obj): NodeStatusInput {
    return {
      nodeName: this.nodeName, nodeIP: this.o.nodeIP, hostname: this.o.hostname ?? os.hostname(), kubeletPort: this.o.kubeletPort ?? DEFAULT_KUBELET_PORT,
      machine: this.machine, runtimeVersion: this.runtimeVersion, health, images, current, now: new Date(this.clock.now()),
      ...(this.o.config ? { maxPods: this.o.config.maxPods, allocatable: (cap: Record<string, string>) => nodeAllocatable(cap, this.o.config!) } : {}),
    };
  }

  /** Creates the Node, or adopts an existing one of this name (a previous run's). */
  async register(): Promise<void> {
    const signal = this.o.signal;
    const want = registrationNode(this.statusInput({ ready: false, notReadyMessage: NETWORK_NOT_READY_MESSAGE }, []));
    if (this.o.config?.registerNode === false) {
      // registerNode: false — someone else creates the Node; until then this retries.
      const n = await this.o.client.get(NODES, '', this.nodeName, { signal });
      this.nodeUID = n.metadata.uid;
      return;
    }
    try {
      const n = await this.o.client.create(NODES, '', want, { signal });
      this.nodeUID = n.metadata.uid;
      this.created = true;
      this.log.info(`node ${this.nodeName}: registered`);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const n = await this.o.client.get(NODES, '', this.nodeName, { signal });
      if (n.metadata?.labels?.[SIMULATED_LABEL] === 'true') throw new KubeletStartError(`a simulated node named ${this.nodeName} exists; the host's node cannot register under its name`);
      this.nodeUID = n.metadata.uid;
      const missing = Object.entries(want.metadata.labels as Record<string, string>).filter(([k, v]) => n.metadata?.labels?.[k] !== v);
      if (missing.length) await this.o.client.patch(NODES, '', this.nodeName, 'merge', { metadata: { labels: Object.fromEntries(missing) } }, { signal });
      this.log.info(`node ${this.nodeName}: already registered; adopting it`);
    }
  }

  private currentNode(): Obj | undefined {
    return this.nodes.store.get('', this.nodeName);
  }

  private async waitForPodCIDR(): Promise<string> {
    const signal = this.o.signal;
    const t0 = this.clock.now();
    let warned = false;
    while (!signal.aborted) {
      const node = this.currentNode();
      const cidrs = node ? nodePodCIDRs(node) : [];
      if (cidrs.length) return cidrs[0];
      if (!warned && this.clock.now() - t0 > 30_000) {
        this.log.warn(`node ${this.nodeName}: still waiting for a podCIDR from the node IPAM controller`);
        warned = true;
      }
      await sleep(100, signal);
    }
    throw new KubeletStartError('stopped while waiting for the node\'s podCIDR');
  }

  async start(): Promise<void> {
    const signal = this.o.signal;
    this.loops.push(this.nodes.run(signal));
    // The API server may not be ready for the node yet (RBAC bootstrap, a restart): retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.register();
        break;
      } catch (e) {
        if (e instanceof KubeletStartError || signal.aborted) throw e;
        if (attempt === 1 || attempt % 10 === 0) this.log.warn(`node ${this.nodeName}: unable to register (${attempt}x): ${errMsg(e)}`);
        if (!(await sleep(Math.min(7_000, 100 * 2 ** attempt), signal))) throw new KubeletStartError('stopped before the node registered');
      }
    }
    await this.nodes.waitForSync(signal);
    this.loops.push(this.loop(() => this.renewLease(), (this.o.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS) * 250));
    this.loops.push(this.loop(() => this.syncNodeStatus(), this.o.nodeStatusIntervalMs ?? 10_000));
    const cidr = await this.waitForPodCIDR();
    let rt: KubeletRuntime;
    try {
      rt = await this.o.runtime(cidr);
    } catch (e) {
      if (this.created) await this.o.client.delete(NODES, '', this.nodeName, { preconditions: { uid: this.nodeUID } }).catch(() => undefined);
      throw new KubeletStartError(errMsg(e));
    }
    this.cri = rt.cri;
    this.runtimeVersion = `${rt.version.runtimeName}://${rt.version.runtimeVersion}`;
    this.startPods(rt.cri);
    void this.syncNodeStatus().catch((e) => this.log.warn(`node status: ${errMsg(e)}`));
  }

  private startPods(cri: CriRuntime): void {
    const o = this.o;
    const signal = o.signal;
    const event = (pod: Obj, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): void =>
      this.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata }, type, reason, message, undefined, fieldPath);
    const onChange = (uid: string): void => this.queue.add(uid);
    const probes = o.modules?.probes?.(onChange, cri, this.recorder) ?? new ProbeManager({
      runtime: { execSync: (containerId, cmd, timeout) => cri.execSync({ containerId, cmd, timeout }) },
      recorder: this.recorder, clock: this.clock, onChange, log: this.log,
    });
    signal.addEventListener('abort', () => (probes as Partial<ProbeManager>).stop?.(), { once: true });
    const envSources = envSourcesFromClient(o.client);
    const env: EnvProvider = o.modules?.env ?? {
      makeEnvironment: (pod, c, info, ev) => makeEnvironment(pod, c, envSources, info, ev),
      expandCommand,
    };
    const podsDir = join(o.dataDir, 'kubelet', 'pods');
    const volumes = o.modules?.volumes?.(podsDir) ?? new VolumeManager({ client: o.client, podsDir, nodeName: this.nodeName, envSources, clock: this.clock });
    const podCgroups = this.podCgroups();
    const runtime = new RuntimeManager({
      cri, dataDir: o.dataDir, env, volumes, probes, event,
      clusterDomain: o.clusterDomain ?? 'cluster.local', clusterDNS: o.clusterDNS ?? [], hostResolv: hostResolv(),
      memoryCapacity: this.machine.memoryBytes, limitSwap: swapAccounting(), cgroupRoot: o.cgroupRoot, podCgroups, clock: this.clock, log: this.log,
      getSecret: envSources.getSecret,
    });
    const sysctls = new SysctlAllowlist(o.config?.allowedUnsafeSysctls ?? []);
    // admission as canAdmitPod's handlers run: sysctls, then whether the pod fits the node
    const admit = (pod: Obj): { reason: string; message: string } | undefined => {
      const why = sysctls.admit(pod) ?? predicateAdmit(pod, this.currentNode(), this.activePods(pod.metadata.uid));
      if (!why) this.admitted.add(pod.metadata.uid);
      return why;
    };
    // static pods (staticPodPath) join the API's pods here, keyed by their own uid
    const statics = o.staticPodPath ? new StaticPods({
      client: o.client, nodeName: this.nodeName, path: o.staticPodPath, nodeUID: () => this.nodeUID || undefined, log: this.log,
      intervalMs: o.config?.fileCheckFrequencyMs,
      onPod: (p) => this.podSeen(p, this.syncer?.isOwnWrite(p)),
      onGone: (uid) => this.podGone(uid),
    }) : undefined;
    const index = new RuntimeIndex(runtime.logsRoot, (ns, name) => this.byKey.get(`${ns}/${name}`),
      (uid) => this.syncer?.records.get(uid)?.status ?? this.pods.get(uid)?.status);
    this.index = index;
    this.syncer = new PodSyncer({
      client: o.client, runtime, probes, volumes, event, nodeName: this.nodeName,
      hostIPs: () => [o.nodeIP],
      allocatable: () => this.currentNode()?.status?.allocatable ?? {},
      onRecord: (rec) => index.upsertPod(rec.runtime, rec.namespace, rec.name),
      onForget: (uid) => {
        this.admitted.delete(uid);
        index.remove(index.podContainers(uid).map((c) => c.id));
      },
      admit,
      mirrorOf: (pod) => statics?.mirrorOf(pod),
      clock: this.clock, log: this.log,
    });
    const pods = new Informer(o.client, PODS, { fieldSelector: `spec.nodeName=${this.nodeName}`, log: this.log });
    pods.addEventHandler({
      // mirror pods are the API's view of static pods: never run as pods of their own
      onAdd: (p) => (isMirrorPod(p) ? statics?.mirrorSeen(p) : this.podSeen(p)),
      onUpdate: (_old, p) => (isMirrorPod(p) ? statics?.mirrorSeen(p) : this.podSeen(p, this.syncer?.isOwnWrite(p))),
      onDelete: (p) => {
        if (isMirrorPod(p)) { statics?.mirrorGone(p); return; }
        const uid: string = p.metadata?.uid;
        this.pods.delete(uid);
        const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
        if (this.byKey.get(key) === uid) this.byKey.delete(key);
        this.queue.add(uid);
      },
    });
    this.loops.push(pods.run(signal));
    if (statics) this.loops.push(statics.run(signal));
    this.loops.push(runController({
      name: 'kubelet-pods', queue: this.queue, informers: [pods], workers: o.podWorkers ?? 16, log: this.log,
      sync: async (uid, s) => {
        const out = await this.syncer!.sync(uid, this.pods.get(uid), s);
        return out.requeueAfterMs !== undefined ? { requeueAfterMs: out.requeueAfterMs } : undefined;
      },
    }, signal));
    this.loops.push(this.loop(() => this.relist(pods), o.relistIntervalMs ?? 1000));
  }

  /**
   * The QoS tier cgroups, made (or brought back to their settings) as the kubelet starts
   * running pods, and the pod cgroups' settings from the KubeletConfiguration.
   */
  private podCgroups(): PodCgroups {
    const o = this.o;
    const reserved = (k: string): number => (tryParseQuantity(o.config?.systemReserved[k])?.value() ?? 0) + (tryParseQuantity(o.config?.kubeReserved[k])?.value() ?? 0);
    const cg = new PodCgroups({
      fsRoot: o.cgroupFs, cgroupRoot: o.cgroupRoot, log: this.log,
      resources: { enforceCPULimits: o.config?.cpuCFSQuota ?? true, podPidsLimit: o.config?.podPidsLimit },
      activePods: () => this.activePods(),
    });
    // the node's pods as a whole get the node's CPUs and its memory less what is reserved
    const milliCPU = Math.max(0, this.machine.cpus * 1000 - ((tryParseQuantity(o.config?.systemReserved.cpu)?.milliValue() ?? 0) + (tryParseQuantity(o.config?.kubeReserved.cpu)?.milliValue() ?? 0)));
    cg.ensureQOS({ milliCPU, memoryBytes: Math.max(0, this.machine.memoryBytes - reserved('memory')) });
    return cg;
  }

  /** The pods that take room on the node: admitted (by this run, or a previous one) and not finished. */
  private activePods(except?: string): Obj[] {
    const out: Obj[] = [];
    for (const [uid, p] of this.pods) {
      if (uid === except) continue;
      const status = this.syncer?.records.get(uid)?.status ?? p.status;
      if (isTerminalPhase(status?.phase)) continue;
      if (this.admitted.has(uid) || status?.startTime) out.push(p);
    }
    return out;
  }

  /** A static pod whose file went: it stops like a pod the API no longer has. */
  private podGone(uid: string): void {
    const p = this.pods.get(uid);
    this.pods.delete(uid);
    const key = `${p?.metadata?.namespace}/${p?.metadata?.name}`;
    if (this.byKey.get(key) === uid) this.byKey.delete(key);
    this.queue.add(uid);
  }

  /** A pod added or changed; the echo of this kubelet's own status write needs no sync. */
  private podSeen(p: Obj, ownWrite = false): void {
    const uid: string = p.metadata?.uid;
    if (!uid) return;
    this.pods.set(uid, p);
    this.byKey.set(`${p.metadata.namespace}/${p.metadata.name}`, uid);
    if (!ownWrite) this.queue.add(uid);
  }

  /** PLEG: requeue pods whose containers or sandboxes changed, and pods only the runtime still has. */
  private async relist(pods: Informer): Promise<void> {
    const cri = this.cri!;
    const signal = this.o.signal;
    let cs, sbs;
    try {
      [cs, sbs] = await Promise.all([cri.listContainers({}, { signal, timeoutMs: 10_000 }), cri.listPodSandbox({}, { signal, timeoutMs: 10_000 })]);
    } catch (e) {
      if (signal.aborted) return;
      if (this.runtimeError === undefined) this.log.warn(`container runtime: ${errMsg(e)}`);
      this.runtimeError = errMsg(e);
      return;
    }
    this.runtimeError = undefined;
    this.index?.replace(cs.containers, sbs.items);
    const sig = new Map<string, string[]>();
    const add = (uid: string | undefined, s: string): void => { if (uid) sig.set(uid, [...(sig.get(uid) ?? []), s]); };
    for (const c of cs.containers) add(c.labels?.[LABEL_POD_UID], `${c.id}:${c.state}`);
    for (const s of sbs.items) add(s.labels?.[LABEL_POD_UID] ?? s.metadata?.uid, `${s.id}:${s.state}`);
    const next = new Map<string, string>();
    for (const [uid, parts] of sig) {
      const v = parts.sort().join(',');
      next.set(uid, v);
      const orphan = pods.hasSynced() && !this.pods.has(uid);
      if (this.relistSig.get(uid) !== v || orphan) this.queue.add(uid);
    }
    this.relistSig = next;
  }

  private async renewLease(): Promise<void> {
    if (!this.nodeUID) return;
    await this.leases.renew({ name: this.nodeName, uid: this.nodeUID }, new Date(this.clock.now()), this.o.signal);
  }

  /** Posts node status when it changed, else every few minutes (re-registering a deleted node). */
  async syncNodeStatus(): Promise<void> {
    const signal = this.o.signal;
    let node = this.currentNode();
    if (!node) {
      try {
        node = await this.o.client.get(NODES, '', this.nodeName, { signal });
      } catch (e) {
        if (!isNotFound(e)) throw e;
        this.log.warn(`node ${this.nodeName}: the Node object is gone; registering again`);
        this.leases.forget(this.nodeName);
        await this.register();
        return;
      }
    }
    this.nodeUID = node.metadata.uid;
    let health: NodeHealth;
    let images: Obj[] = [];
    if (!nodePodCIDRs(node).length) health = { ready: false, notReadyMessage: NETWORK_NOT_READY_MESSAGE };
    else if (!this.cri) health = { ready: false };
    else {
      try {
        health = runtimeHealth(await this.cri.status({}, { signal, timeoutMs: 10_000 }), this.runtimeError);
        images = nodeImages((await this.cri.listImages({}, { signal, timeoutMs: 10_000 })).images);
      } catch (e) {
        if (signal.aborted) return;
        health = runtimeHealth(undefined, errMsg(e));
      }
    }
    const want = desiredNodeStatus(this.statusInput(health, images, node));
    const cur: Obj = node.status ?? {};
    for (const k of ['machineID', 'systemUUID', 'bootID']) if (!want.nodeInfo[k] && cur.nodeInfo?.[k]) want.nodeInfo[k] = cur.nodeInfo[k];
    const changed = conditionsChanged(cur.conditions, want.conditions)
      || ['addresses', 'capacity', 'allocatable', 'daemonEndpoints', 'nodeInfo', 'images'].some((k) => canonicalJson(cur[k]) !== canonicalJson(want[k]));
    const now = this.clock.now();
    if (!changed && now - this.reportedAt < STATUS_REPORT_MS) return;
    await this.o.client.patch(NODES, '', this.nodeName, 'strategic', { status: want }, { subresource: 'status', signal });
    this.reportedAt = now;
    if (changed && health.ready !== (cur.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True')) {
      this.log.info(`node ${this.nodeName}: ${health.ready ? 'Ready' : `NotReady (${health.notReadyMessage ?? ''})`} at ${nowRFC3339(new Date(now))}`);
    }
  }

  private async loop(fn: () => Promise<void>, intervalMs: number): Promise<void> {
    const signal = this.o.signal;
    while (!signal.aborted) {
      try {
        await fn();
      } catch (e) {
        if (!signal.aborted) this.log.warn(errMsg(e));
      }
      if (!(await sleep(intervalMs, signal))) return;
    }
  }
}

/**
 * Starts the kubelet for this host: registers the node, waits for its podCIDR, starts the
 * runtime and runs the node's pods. Throws KubeletStartError when the runtime cannot start
 * (a node registered by this call is deleted again).
 */
export async function startKubelet(o: KubeletOptions): Promise<Kubelet> {
  const k = new Kubelet(o);
  await k.start();
  return k;
}
