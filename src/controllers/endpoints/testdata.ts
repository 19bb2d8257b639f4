// Builders of Services, pods and nodes for the endpoints and endpointslice controller tests.

import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';

export const SERVICES = findResource('', 'v1', 'services')!;
export const PODS = findResource('', 'v1', 'pods')!;
export const NODES = findResource('', 'v1', 'nodes')!;

export interface SvcOpts {
  ns?: string;
  selector?: Record<string, string> | null;
  ports?: Obj[];
  clusterIP?: string;
  publishNotReady?: boolean;
  labels?: Record<string, string>;
  type?: string;
  created?: string;
  uid?: string;
}

export function svc(name: string, o: SvcOpts = {}): Obj {
  const spec: Obj = {
    clusterIP: o.clusterIP ?? '10.96.0.10',
    ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    type: o.type ?? 'ClusterIP',
  };
  if (o.selector !== null) spec.selector = o.selector ?? { app: name };
  if (spec.clusterIP !== 'None') spec.ipFamilies = ['IPv4'];
  if (o.publishNotReady) spec.publishNotReadyAddresses = true;
  return {
    metadata: { name, namespace: o.ns ?? 'ns', uid: o.uid ?? `svc-${name}`, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', ...(o.labels ? { labels: o.labels } : {}) },
    spec,
  };
}

export interface PodOpts {
  ns?: string;
  labels?: Record<string, string>;
  ip?: string | null;
  ready?: boolean;
  readySince?: string;
  node?: string;
  deleting?: boolean;
  phase?: string;
  hostname?: string;
  subdomain?: string;
  ports?: Obj[];
}

export function pod(name: string, o: PodOpts = {}): Obj {
  const ip = o.ip === undefined ? `10.244.0.${Number(name.replace(/\D/g, '') || 1) % 250 + 2}` : o.ip;
  const spec: Obj = {
    nodeName: o.node ?? 'node-1',
    containers: [{ name: 'main', image: 'busybox', ports: o.ports ?? [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] }],
  };
  if (o.hostname) spec.hostname = o.hostname;
  if (o.subdomain) spec.subdomain = o.subdomain;
  const status: Obj = {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:01:00Z' }],
  };
  if (ip) {
    status.podIP = ip;
    status.podIPs = [{ ip }];
  }
  return {
    metadata: {
      name, namespace: o.ns ?? 'ns', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:02:00Z', deletionGracePeriodSeconds: 30 } : {}),
    },
    spec, status,
  };
}

export function node(name: string, zone?: string): Obj {
  return { metadata: { name, ...(zone ? { labels: { 'topology.kubernetes.io/zone': zone } } : {}) } };
}
