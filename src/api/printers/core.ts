// Printers for core/v1 kinds other than pods (kube-apiserver 1.32 column sets and cells).

import type { Obj } from '../types.js';
import { formatLabels } from '../selectors/labels.js';
import {
  ageCol, ageOf, col, containerCells, containersCol, imagesCol, n, nameCol, nameOf, quantity, selectorCol,
  sortedSet, wide, type Printer,
} from './columns.js';
import { since } from './duration.js';

export const replicationControllerPrinter: Printer = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Number of replicas requested.'),
    col('Current', 'integer', 'Number of replicas observed.'),
    col('Ready', 'integer', 'Number of ready replicas.'),
    ageCol(),
    containersCol(), imagesCol(), selectorCol(),
  ],
  print: (o, now) => {
    const [names, images] = containerCells(o.spec?.template?.spec?.containers);
    return {
      cells: [nameOf(o), n(o.spec?.replicas), n(o.status?.replicas), n(o.status?.readyReplicas), ageOf(o, now), names, images, formatLabels(o.spec?.selector)],
    };
  },
};

// ---- services ----

/** Load balancer ingress points: IPs, else hostnames, sorted and de-duplicated. */
export function loadBalancerIngress(status: Obj | undefined): string {
  const out: string[] = [];
  for (const ing of status?.ingress ?? []) {
    if (ing?.ip) out.push(ing.ip);
    else if (ing?.hostname) out.push(ing.hostname);
  }
  return sortedSet(out).join(',');
}

function serviceExternalIP(svc: Obj): string {
  const externalIPs: string[] = svc.spec?.externalIPs ?? [];
  switch (svc.spec?.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      // Server-side tables are always "wide", so the address list is never clipped.
      const lb = loadBalancerIngress(svc.status?.loadBalancer);
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return svc.spec?.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** makePortString: "80/TCP", or "80:30080/TCP" when a node port is allocated. */
export function servicePorts(ports: Obj[] | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const proto = p?.protocol ?? 'TCP';
      return p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${proto}` : `${p?.port}/${proto}`;
    })
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    nameCol(),
    col('Type', 'string', 'How the service is exposed (ClusterIP, NodePort, LoadBalancer, ExternalName).'),
    col('Cluster-IP', 'string', 'The service\'s virtual IP inside the cluster.'),
    col('External-IP', 'string', 'Addresses reachable from outside the cluster.'),
    col('Port(s)', 'string', 'Ports the service exposes.'),
    ageCol(),
    selectorCol('Label selector choosing the pods that back the service.'),
  ],
  print: (o, now) => {
    const clusterIP: string = o.spec?.clusterIPs?.[0] || o.spec?.clusterIP || '<none>';
    return {
      cells: [nameOf(o), o.spec?.type ?? 'ClusterIP', clusterIP, serviceExternalIP(o), servicePorts(o.spec?.ports) || '<none>', ageOf(o, now), formatLabels(o.spec?.selector)],
    };
  },
};

// ---- endpoints ----

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** formatEndpoints: up to three addresses (with ports), then " + N more...". */
export function formatEndpoints(ep: Obj): string {
  const subsets: Obj[] = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addrs: Obj[] = ss?.addresses ?? [];
    const ports: Obj[] = ss?.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) { more = true; break; }
        list.push(a?.ip ?? '');
      }
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) { more = true; break; }
        list.push(joinHostPort(a?.ip ?? '', p?.port ?? 0));
      }
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${count - max} more...` : s;
}

export const endpointsPrinter: Printer = {
  columns: [nameCol(), col('Endpoints', 'string', 'Ready addresses and ports behind the service.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), formatEndpoints(o), ageOf(o, now)] }),
};

// ---- nodes ----

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

export function nodeRoles(labels: Record<string, string> | undefined): string[] {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.push(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.push(v);
    }
  }
  return sortedSet(roles);
}

function nodeAddress(node: Obj, type: string): string {
  for (const a of node.status?.addresses ?? []) if (a?.type === type) return a.address;
  return '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Ready condition, plus SchedulingDisabled when cordoned.'),
    col('Roles', 'string', 'Roles from node-role.kubernetes.io/<role> labels.'),
    ageCol(),
    col('Version', 'string', 'Kubelet version the node reports.'),
    wide('Internal-IP', 'string', 'First InternalIP address of the node.'),
    wide('External-IP', 'string', 'First ExternalIP address of the node.'),
    wide('OS-Image', 'string', 'Operating system image the node reports.'),
    wide('Kernel-Version', 'string', 'Kernel version the node reports.'),
    wide('Container-Runtime', 'string', 'Container runtime name and version the node reports.'),
  ],
  print: (o, now) => {
    // Only the Ready condition is summarised; the last entry of a type wins, as in a map.
    let ready: Obj | undefined;
    for (const c of o.status?.conditions ?? []) if (c?.type === 'Ready') ready = c;
    const status: string[] = [];
    if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    if (status.length === 0) status.push('Unknown');
    if (o.spec?.unschedulable) status.push('SchedulingDisabled');
    const roles = nodeRoles(o.metadata?.labels).join(',') || '<none>';
    const info: Obj = o.status?.nodeInfo ?? {};
    return {
      cells: [
        nameOf(o), status.join(','), roles, ageOf(o, now), info.kubeletVersion ?? '',
        nodeAddress(o, 'InternalIP'), nodeAddress(o, 'ExternalIP'),
        info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
      ],
    };
  },
};

// ---- events ----

/** events.k8s.io/v1 objects print like the core/v1 events they are stored as. */
export function asCoreEvent(e: Obj): Obj {
  if (e.involvedObject || !('regarding' in e || 'note' in e || 'deprecatedSource' in e || 'reportingController' in e)) return e;
  return {
    ...e,
    involvedObject: e.regarding ?? {},
    message: e.note,
    source: e.deprecatedSource ?? {},
    firstTimestamp: e.deprecatedFirstTimestamp,
    lastTimestamp: e.deprecatedLastTimestamp,
    count: e.deprecatedCount,
    reportingComponent: e.reportingController,
  };
}

function eventSource(e: Obj): string {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  return host ? `${component}, ${host}` : component;
}

const NAME_DESC_EVENT = 'Name of the event object.';

export const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'string', 'Time since the event was last observed.'),
    col('Type', 'string', 'Normal or Warning.'),
    col('Reason', 'string', 'Short machine-readable reason for the event.'),
    col('Object', 'string', 'The object the event is about, as kind/name.'),
    wide('Subobject', 'string', 'Field path within the object (e.g. a container).'),
    wide('Source', 'string', 'Component (and host) that reported the event.'),
    col('Message', 'string', 'Human-readable description.'),
    wide('First Seen', 'string', 'Time since the event was first observed.'),
    wide('Count', 'string', 'How many times the event has occurred.'),
    col('Name', 'string', NAME_DESC_EVENT, { priority: 1, format: 'name' }),
  ],
  print: (raw, now) => {
    const e = asCoreEvent(raw);
    const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    let count: number = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (count === 0) {
      count = 1; // singleton events carry no count in the new API
    }
    const ref: Obj = e.involvedObject ?? {};
    const kind = String(ref.kind ?? '').toLowerCase();
    const target = ref.name ? `${kind}/${ref.name}` : kind;
    return {
      cells: [last, e.type ?? '', e.reason ?? '', target, ref.fieldPath ?? '', eventSource(e), String(e.message ?? '').trim(), first, n(count), nameOf(e)],
    };
  },
};
// ---- simple core kinds ----

export const namespacePrinter: Printer = {
  columns: [nameCol(), col('Status', 'string', 'Active or Terminating.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), o.status?.phase ?? '', ageOf(o, now)] }),
};

export const secretPrinter: Printer = {
  columns: [nameCol(), col('Type', 'string', 'Secret type (Opaque, kubernetes.io/tls, ...).'), col('Data', 'string', 'Number of keys in data.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), o.type ?? '', Object.keys(o.data ?? {}).length, ageOf(o, now)] }),
};

export const serviceAccountPrinter: Printer = {
  columns: [nameCol(), col('Secrets', 'string', 'Number of secrets listed on the service account.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), (o.secrets ?? []).length, ageOf(o, now)] }),
};

export const configMapPrinter: Printer = {
  columns: [nameCol(), col('Data', 'string', 'Number of keys in data and binaryData.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, ageOf(o, now)] }),
};

// ---- storage (core) ----

/** GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, duplicates dropped. */
export function accessModes(modes: string[] | undefined): string {
  const m = new Set(modes ?? []);
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

function storageClassOf(o: Obj): string {
  const ann = o.metadata?.annotations ?? {};
  if (Object.prototype.hasOwnProperty.call(ann, BETA_STORAGE_CLASS_ANNOTATION)) return ann[BETA_STORAGE_CLASS_ANNOTATION];
  return o.spec?.storageClassName ?? '';
}

export const persistentVolumePrinter: Printer = {
  columns: [
    nameCol(),
    col('Capacity', 'string', 'Storage capacity of the volume.'),
    col('Access Modes', 'string', 'How the volume can be mounted (RWO, ROX, RWX, RWOP).'),
    col('Reclaim Policy', 'string', 'What happens to the volume when released.'),
    col('Status', 'string', 'Phase of the volume.'),
    col('Claim', 'string', 'namespace/name of the bound claim.'),
    col('StorageClass', 'string', 'Storage class of the volume.'),
    col('VolumeAttributesClass', 'string', 'Volume attributes class of the volume.'),
    col('Reason', 'string', 'Why the volume is in its phase.'),
    ageCol(),
    wide('VolumeMode', 'string', 'Filesystem or Block.'),
  ],
  print: (o, now) => {
    const ref = o.spec?.claimRef;
    const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    const phase = o.metadata?.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '');
    return {
      cells: [
        nameOf(o), quantity(o.spec?.capacity?.storage), accessModes(o.spec?.accessModes), o.spec?.persistentVolumeReclaimPolicy ?? '',
        phase, claim, storageClassOf(o), o.spec?.volumeAttributesClassName ?? '<unset>', o.status?.reason ?? '', ageOf(o, now),
        o.spec?.volumeMode ?? '<unset>',
      ],
    };
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Phase of the claim.'),
    col('Volume', 'string', 'Name of the bound volume.'),
    col('Capacity', 'string', 'Capacity of the bound volume.'),
    col('Access Modes', 'string', 'Access modes of the bound volume.'),
    col('StorageClass', 'string', 'Storage class of the claim.'),
    col('VolumeAttributesClass', 'string', 'Volume attributes class of the claim.'),
    ageCol(),
    wide('VolumeMode', 'string', 'Filesystem or Block.'),
  ],
  print: (o, now) => {
    const phase = o.metadata?.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '');
    const volumeName: string = o.spec?.volumeName ?? '';
    // Capacity and modes are only shown once bound, and then from status.
    const capacity = volumeName ? quantity(o.status?.capacity?.storage) : '';
    const modes = volumeName ? accessModes(o.status?.accessModes) : '';
    return {
      cells: [
        nameOf(o), phase, volumeName, capacity, modes, storageClassOf(o), o.spec?.volumeAttributesClassName ?? '<unset>',
        ageOf(o, now), o.spec?.volumeMode ?? '<unset>',
      ],
    };
  },
};

/** ResourceQuota: "resource: used/hard" pairs, limits.* in their own column. (1.32 order: AGE second.) */
export const resourceQuotaPrinter: Printer = {
  columns: [
    nameCol(),
    ageCol(),
    col('Request', 'string', 'Used/hard for every non-limit resource in the quota.'),
    col('Limit', 'string', 'Used/hard for the limits.* resources in the quota.'),
  ],
  print: (o, now) => {
    const hard: Obj = o.status?.hard ?? {};
    const used: Obj = o.status?.used ?? {};
    const req: string[] = [];
    const lim: string[] = [];
    for (const r of sortedSet(Object.keys(hard))) {
      const pieces = r.split('.');
      const entry = `${r}: ${quantity(used[r])}/${quantity(hard[r])}`;
      (pieces.length > 1 && pieces[0] === 'limits' ? lim : req).push(entry);
    }
    return { cells: [nameOf(o), ageOf(o, now), req.join(', '), lim.join(', ')] };
  },
};

export const componentStatusPrinter: Printer = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Healthy or Unhealthy, from the Healthy condition.'),
    col('Message', 'string', 'Message of the Healthy condition.'),
    col('Error', 'string', 'Error of the Healthy condition.'),
  ],
  print: (o) => {
    let status = 'Unknown';
    let message = '';
    let error = '';
    for (const c of o.conditions ?? []) {
      if (c?.type !== 'Healthy') continue;
      status = c.status === 'True' ? 'Healthy' : 'Unhealthy';
      message = c.message ?? '';
      error = c.error ?? '';
      break;
    }
    return { cells: [nameOf(o), status, message, error] };
  },
};
