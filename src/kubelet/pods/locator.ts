// ContainerLocator (notes/kubelet.md, for the kubelet server: logs, exec, attach,
// port-forward): which CRI container and log file a (namespace, pod, container) names, the
// way the kubelet's GetContainerLogs picks it from the pod's status — the running instance,
// else the terminated one, else the last termination; `previous` is lastState's container.
// Answers come from memory (the last relist and the last syncs), never from a CRI call.

import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import type { Container, PodSandbox } from '../cri/types.js';
import { parseContainerID } from '../kuberuntime/cri.js';
import { LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID, containerInfo } from '../kuberuntime/labels.js';
import type { RuntimePodStatus } from '../kuberuntime/status.js';

export interface ContainerLocator {
  /** The container's CRI id and log file for the current (or previous) instance, or undefined. */
  findContainer(ns: string, pod: string, container: string, opts?: { previous?: boolean }):
    { id: string; logPath: string; running: boolean; podUID: string } | undefined;
  /** The pod's sandbox id (for port-forward), or undefined. */
  findSandbox(ns: string, pod: string): { id: string; podUID: string } | undefined;
  /** Whether this kubelet has the pod at all. */
  hasPod?(ns: string, pod: string): boolean;
  /** The container's waiting reason (ContainerCreating, ErrImagePull, ...) from the pod's status. */
  waitingReason?(ns: string, pod: string, container: string): string | undefined;
}

interface KnownContainer { id: string; podUID: string; namespace: string; podName: string; name: string; restartCount: number; running: boolean; createdAt: bigint }
interface KnownSandbox { id: string; podUID: string; namespace: string; podName: string; ready: boolean; createdAt: bigint }

const big = (s: string | undefined): bigint => { try { return BigInt(s || '0'); } catch { return 0n; } };

/** The runtime's containers and sandboxes as last seen, plus each pod's status. */
export class RuntimeIndex implements ContainerLocator {
  private containers = new Map<string, KnownContainer>();
  private sandboxes = new Map<string, KnownSandbox>();

  constructor(
    private readonly logsRoot: string,
    /** The uid of the pod ns/name this kubelet runs now, if any. */
    private readonly podUID: (ns: string, name: string) => string | undefined,
    /** The pod's latest status (as computed or as the API has it). */
    private readonly podStatus: (uid: string) => Obj | undefined,
  ) {}

  /** Replaces everything with a full relist. */
  replace(containers: Container[], sandboxes: PodSandbox[]): void {
    this.containers = new Map();
    this.sandboxes = new Map();
    this.upsert(containers, sandboxes);
  }

  /** Adds or refreshes what one pod's sync saw. */
  upsert(containers: Container[], sandboxes: PodSandbox[]): void {
    for (const c of containers) {
      const info = containerInfo(c.labels, c.annotations);
      if (!info.podUID) continue;
      this.containers.set(c.id, {
        id: c.id, podUID: info.podUID, namespace: info.podNamespace, podName: info.podName, name: info.containerName,
        restartCount: info.restartCount, running: c.state === 'CONTAINER_RUNNING', createdAt: big(c.createdAt),
      });
    }
    for (const s of sandboxes) {
      const uid = s.labels?.[LABEL_POD_UID] ?? s.metadata?.uid;
      if (!uid) continue;
      this.sandboxes.set(s.id, {
        id: s.id, podUID: uid, namespace: s.labels?.[LABEL_POD_NAMESPACE] ?? s.metadata?.namespace ?? '', podName: s.labels?.[LABEL_POD_NAME] ?? s.metadata?.name ?? '',
        ready: s.state === 'SANDBOX_READY', createdAt: big(s.createdAt),
      });
    }
  }

  /** Replaces one pod's entries with what its sync just read from the runtime. */
  upsertPod(rs: RuntimePodStatus, namespace: string, podName: string): void {
    for (const [id, c] of this.containers) if (c.podUID === rs.uid) this.containers.delete(id);
    for (const [id, s] of this.sandboxes) if (s.podUID === rs.uid) this.sandboxes.delete(id);
    for (const c of rs.containers) {
      this.containers.set(c.id, {
        id: c.id, podUID: rs.uid, namespace, podName, name: c.name, restartCount: c.info.restartCount,
        running: c.state === 'running', createdAt: BigInt(c.createdAt) * 1_000_000n,
      });
    }
    for (const sb of rs.sandboxes) {
      this.sandboxes.set(sb.id, { id: sb.id, podUID: rs.uid, namespace, podName, ready: sb.ready, createdAt: BigInt(sb.createdAt) * 1_000_000n });
    }
  }

  /** Forgets removed containers and sandboxes. */
  remove(ids: Iterable<string>): void {
    for (const id of ids) {
      this.containers.delete(id);
      this.sandboxes.delete(id);
    }
  }

  /** Every container id of a pod known here (for change detection). */
  podContainers(uid: string): KnownContainer[] {
    return [...this.containers.values()].filter((c) => c.podUID === uid);
  }

  private uidFor(ns: string, pod: string): string | undefined {
    const uid = this.podUID(ns, pod);
    if (uid) return uid;
    // A pod the API no longer has (deleted moments ago): the newest sandbox with its name.
    const sbs = [...this.sandboxes.values()].filter((s) => s.namespace === ns && s.podName === pod).sort((a, b) => (b.createdAt > a.createdAt ? 1 : -1));
    return sbs[0]?.podUID;
  }

  findContainer(ns: string, pod: string, container: string, opts: { previous?: boolean } = {}): { id: string; logPath: string; running: boolean; podUID: string } | undefined {
    const uid = this.uidFor(ns, pod);
    if (!uid) return undefined;
    const status = this.podStatus(uid);
    const cs: Obj | undefined = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? []), ...(status?.ephemeralContainerStatuses ?? [])]
      .find((s: Obj) => s?.name === container);
    let id = '';
    if (cs) {
      if (opts.previous) id = parseContainerID(cs.lastState?.terminated?.containerID);
      else id = parseContainerID(cs.state?.running ? cs.containerID : cs.state?.terminated?.containerID || cs.lastState?.terminated?.containerID);
    }
    let known = id ? this.containers.get(id) : undefined;
    if (!known && !cs) {
      // No status yet (a sync is still writing it): the runtime's newest instances decide.
      const list = this.podContainers(uid).filter((c) => c.name === container).sort((a, b) => (b.createdAt > a.createdAt ? 1 : -1));
      known = opts.previous ? list[1] : list[0];
    }
    if (!known) return undefined;
    const logPath = join(this.logsRoot, `${known.namespace}_${known.podName}_${known.podUID}`, known.name, `${known.restartCount}.log`);
    return { id: known.id, logPath, running: known.running, podUID: uid };
  }

  hasPod(ns: string, pod: string): boolean {
    return this.uidFor(ns, pod) !== undefined;
  }

  waitingReason(ns: string, pod: string, container: string): string | undefined {
    const uid = this.uidFor(ns, pod);
    const status = uid ? this.podStatus(uid) : undefined;
    const cs = [...(status?.containerStatuses ?? []), ...(status?.initContainerStatuses ?? []), ...(status?.ephemeralContainerStatuses ?? [])].find((s: Obj) => s?.name === container);
    return cs?.state?.waiting?.reason;
  }

  findSandbox(ns: string, pod: string): { id: string; podUID: string } | undefined {
    const uid = this.uidFor(ns, pod);
    if (!uid) return undefined;
    const sbs = [...this.sandboxes.values()].filter((s) => s.podUID === uid).sort((a, b) => (b.createdAt > a.createdAt ? 1 : -1));
    const sb = sbs.find((s) => s.ready) ?? sbs[0];
    return sb ? { id: sb.id, podUID: uid } : undefined;
  }
}
