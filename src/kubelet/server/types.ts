// What the kubelet server needs from the rest of the kubelet: where containers and their
// logs are (the core's ContainerLocator, see notes/kubelet.md) and the CRI streaming calls.
import type { AttachRequest, ContainerStatusRequest, ContainerStatusResponse, ExecRequest, PortForwardRequest, UrlResponse } from '../cri/types.js';
import type { CallOptions } from '../cri/client.js';
import type { Obj } from '../../api/types.js';
import type { Summary } from '../stats/types.js';

export interface LocatedContainer {
  /** The container's CRI id. */
  id: string;
  /** Its CRI log file (absolute). */
  logPath: string;
  running: boolean;
  podUID: string;
}

/** Implemented by the kubelet core (module A); structurally the same interface. */
export interface ContainerLocator {
  /** The container's CRI id and log file for the current (or previous) instance, or undefined. */
  findContainer(ns: string, pod: string, container: string, opts?: { previous?: boolean }): LocatedContainer | undefined;
  /** The pod's sandbox id (for port-forward), or undefined. */
  findSandbox(ns: string, pod: string): { id: string; podUID: string } | undefined;
  /**
   * Optional: whether the kubelet has this pod at all (for "pod does not exist" answers).
   * Without it, a pod with neither sandbox nor container counts as unknown to this node.
   */
  hasPod?(ns: string, pod: string): boolean;
  /**
   * Optional: the container's waiting reason (ContainerCreating, ErrImagePull, ...) when it
   * has no instance yet, for the kubelet's "is waiting to start" message.
   */
  waitingReason?(ns: string, pod: string, container: string): string | undefined;
  /** Optional: the pods this kubelet runs (GET /pods answers them as a v1 PodList). */
  pods?(): Obj[];
}

/** Where /stats/summary's answer comes from (src/kubelet/stats StatsProvider). */
export interface StatsSource {
  summary(opts?: { onlyCpuAndMemory?: boolean }): Promise<Summary>;
}

/** The CRI calls the server makes (CriClient has them). */
export interface StreamingRuntime {
  exec(req: ExecRequest, opts?: CallOptions): Promise<UrlResponse>;
  attach(req: AttachRequest, opts?: CallOptions): Promise<UrlResponse>;
  /** Optional (CriClient has it): lets attach check the container's process is still there. */
  containerStatus?(req: ContainerStatusRequest, opts?: CallOptions): Promise<ContainerStatusResponse>;
  portForward(req: PortForwardRequest, opts?: CallOptions): Promise<UrlResponse>;
}

export type Log = (msg: string) => void;
