// What the runtime manager needs from the kubelet's other modules, as interfaces (see
// notes/kubelet.md): the environment and command (module B: env), volume set-up and mounts
// (module B: volumes), probe results (module C: prober). kubelet.ts binds the real modules;
// tests bind stand-ins.

import type { Obj } from '../../api/types.js';
import type { PodRuntimeInfo } from '../env/types.js';
import type { CriMount } from '../volumes/index.js';

export type { PodRuntimeInfo };

export interface EnvProvider {
  /** Throws an error with reason 'CreateContainerConfigError' (and the kubelet's message) when a source is missing. */
  makeEnvironment(pod: Obj, container: Obj, info: PodRuntimeInfo, event?: (type: 'Normal' | 'Warning', reason: string, message: string) => void): Promise<{ name: string; value: string }[]>;
  expandCommand(container: Obj, env: { name: string; value: string }[]): { command: string[]; args: string[] };
}

export interface VolumeProvider {
  /** Throws an error with reason 'FailedMount' (message as the kubelet's event) when a volume cannot be set up. */
  setUp(pod: Obj, info: PodRuntimeInfo): Promise<void>;
  /** Throws (reason CreateContainerConfigError) when a mount cannot be made; env expands subPathExpr. */
  mountsFor(pod: Obj, container: Obj, env: { name: string; value: string }[]): CriMount[];
  refresh(pod: Obj, info: PodRuntimeInfo): Promise<void>;
  tearDown(podUID: string): Promise<void>;
}

export interface ProbeProvider {
  addContainer(pod: Obj, containerName: string, containerId: string, podIP: string | undefined, startedAt: Date): void;
  removeContainer(podUID: string, containerName: string): void;
  removePod(podUID: string): void;
  /** Readiness (true when the container has no readiness probe and has started). */
  ready(podUID: string, containerName: string): boolean;
  /** The startup probe passed (true when there is none). */
  started(podUID: string, containerName: string): boolean;
  /** A message when the container failed its liveness probe and must be restarted. */
  livenessFailure(podUID: string, containerName: string): string | undefined;
  /** The pod is terminating: liveness and startup probes may no longer fail it. */
  stopLivenessAndStartup?(podUID: string): void;
}

/** An error carrying a kubelet reason (CreateContainerConfigError, FailedMount, ...). */
export function errorReason(e: unknown): string | undefined {
  const r = (e as { reason?: unknown })?.reason;
  return typeof r === 'string' ? r : undefined;
}
