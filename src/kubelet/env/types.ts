// The contracts of the pod-data module (env half): where configMaps, secrets and services
// come from, what the kubelet knows about the pod at container start, and the error the core
// turns into the waiting reason CreateContainerConfigError.

import type { Obj } from '../../api/types.js';

export interface EnvSources {
  /** The ConfigMap, or undefined when it does not exist (other failures throw). */
  getConfigMap(ns: string, name: string): Promise<Obj | undefined>;
  /** The Secret, or undefined when it does not exist (other failures throw). */
  getSecret(ns: string, name: string): Promise<Obj | undefined>;
  /** Services of a namespace, for the service-link variables (FOO_SERVICE_HOST, ...). */
  listServices(ns: string): Promise<Obj[]>;
}

export interface PodRuntimeInfo {
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  hostIPs?: string[];
  nodeName: string;
  /** The node's allocatable resources (cpu, memory, ephemeral-storage, hugepages-*): limits default to these. */
  nodeAllocatable: Record<string, string>;
  /** Where the `kubernetes` service lives; "default" unless told otherwise. */
  masterServiceNamespace?: string;
}

export interface EnvVar {
  name: string;
  value: string;
}

/** A container cannot be configured (missing configMap/secret/key, bad field path, ...). */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}

/** Events the kubelet records while building an environment (type, reason, message). */
export type EnvEventSink = (type: 'Normal' | 'Warning', reason: string, message: string) => void;
