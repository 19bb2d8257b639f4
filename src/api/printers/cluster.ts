// Printers for the remaining built-in groups: networking, policy, rbac, storage,
// admission, scheduling, coordination, node, discovery, certificates, autoscaling.

import type { Obj } from '../types.js';
import { formatLabelSelector } from '../selectors/labels.js';
import { ageCol, ageOf, col, intOrString, listWithMore, n, nameCol, nameOf, quantity, wide, type Printer } from './columns.js';
import { loadBalancerIngress } from './core.js';
import { humanDuration } from './duration.js';

// ---- networking.k8s.io ----

function formatHosts(rules: Obj[] | undefined): string {
  const rs = rules ?? [];
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const r of rs) {
    if (list.length === max) more = true;
    if (!more && r?.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  const s = list.join(',');
  return more ? `${s} + ${rs.length - max} more...` : s;
}

export const ingressPrinter: Printer = {
  columns: [
    nameCol(),
    col('Class', 'string', 'IngressClass that handles this ingress.'),
    col('Hosts', 'string', 'Hosts the rules match.'),
    col('Address', 'string', 'Load balancer ingress points.'),
    col('Ports', 'string', 'Ports served (443 when TLS is configured).'),
    ageCol(),
  ],
  print: (o, now) => ({
    cells: [
      nameOf(o), o.spec?.ingressClassName ?? '<none>', formatHosts(o.spec?.rules), loadBalancerIngress(o.status?.loadBalancer),
      (o.spec?.tls ?? []).length ? '80, 443' : '80', ageOf(o, now),
    ],
  }),
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameCol(),
    col('Controller', 'string', 'Controller responsible for this class.'),
    col('Parameters', 'string', 'Reference to a resource with extra parameters.'),
    ageCol(),
  ],
  print: (o, now) => {
    const p = o.spec?.parameters;
    let params = '<none>';
    if (p) params = `${p.kind ?? ''}${p.apiGroup !== undefined && p.apiGroup !== null ? `.${p.apiGroup}` : ''}/${p.name ?? ''}`;
    return { cells: [nameOf(o), o.spec?.controller ?? '', params, ageOf(o, now)] };
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [nameCol(), col('Pod-Selector', 'string', 'Pods the policy applies to.'), ageCol()],
  // spec.podSelector is a struct upstream, never nil: an absent one prints as "<none>".
  print: (o, now) => ({ cells: [nameOf(o), formatLabelSelector(o.spec?.podSelector ?? {}), ageOf(o, now)] }),
};

// ---- policy ----

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    nameCol(),
    col('Min Available', 'string', 'Pods that must stay available.'),
    col('Max Unavailable', 'string', 'Pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Pods that may be disrupted right now.'),
    ageCol(),
  ],
  print: (o, now) => {
    const s: Obj = o.spec ?? {};
    const min = s.minAvailable !== undefined && s.minAvailable !== null ? intOrString(s.minAvailable) : 'N/A';
    const max = s.maxUnavailable !== undefined && s.maxUnavailable !== null ? intOrString(s.maxUnavailable) : 'N/A';
    return { cells: [nameOf(o), min, max, n(o.status?.disruptionsAllowed), ageOf(o, now)] };
  },
};

// ---- rbac ----

/** rbac.SubjectsStrings */
function subjects(list: Obj[] | undefined): { users: string[]; groups: string[]; sas: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const sas: string[] = [];
  for (const s of list ?? []) {
    if (s?.kind === 'ServiceAccount') sas.push(`${s.namespace ?? ''}/${s.name ?? ''}`);
    else if (s?.kind === 'User') users.push(s.name ?? '');
    else if (s?.kind === 'Group') groups.push(s.name ?? '');
  }
  return { users, groups, sas };
}

function bindingPrinter(what: string): Printer {
  return {
    columns: [
      nameCol(),
      col('Role', 'string', 'Kind/name of the role granted.'),
      ageCol(),
      wide('Users', 'string', `Users in the ${what}.`),
      wide('Groups', 'string', `Groups in the ${what}.`),
      wide('ServiceAccounts', 'string', `ServiceAccounts in the ${what}.`),
    ],
    print: (o, now) => {
      const { users, groups, sas } = subjects(o.subjects);
      return {
        cells: [nameOf(o), `${o.roleRef?.kind ?? ''}/${o.roleRef?.name ?? ''}`, ageOf(o, now), users.join(', '), groups.join(', '), sas.join(', ')],
      };
    },
  };
}

export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');

// ---- certificates ----

function csrCondition(o: Obj): string {
  let approved = false;
  let denied = false;
  let failed = false;
  for (const c of o.status?.conditions ?? []) {
    if (c?.type === 'Approved') approved = true;
    else if (c?.type === 'Denied') denied = true;
    else if (c?.type === 'Failed') failed = true;
  }
  let s = denied ? 'Denied' : approved ? 'Approved' : 'Pending';
  if (failed) s += ',Failed';
  if (o.status?.certificate) s += ',Issued';
  return s;
}

export const certificateSigningRequestPrinter: Printer = {
  columns: [
    nameCol(),
    ageCol(),
    col('SignerName', 'string', 'Signer asked to sign the request.'),
    col('Requestor', 'string', 'User who created the request.'),
    col('RequestedDuration', 'string', 'Certificate lifetime asked for.'),
    col('Condition', 'string', 'Approved/Denied/Pending, plus Failed and Issued.'),
  ],
  print: (o, now) => {
    const exp = o.spec?.expirationSeconds;
    const requested = typeof exp === 'number' ? humanDuration(exp * 1000) : '<none>';
    return { cells: [nameOf(o), ageOf(o, now), o.spec?.signerName || '<none>', o.spec?.username ?? '', requested, csrCondition(o)] };
  },
};

// ---- coordination / scheduling / node ----

export const leasePrinter: Printer = {
  columns: [nameCol(), col('Holder', 'string', 'Identity currently holding the lease.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), o.spec?.holderIdentity ?? '', ageOf(o, now)] }),
};

export const priorityClassPrinter: Printer = {
  columns: [
    nameCol(),
    col('Value', 'integer', 'Priority of pods using this class.'),
    col('Global-Default', 'boolean', 'Whether pods without a class get this one.'),
    ageCol(),
    col('PreemptionPolicy', 'string', 'Whether pods of this class may preempt others.'),
  ],
  print: (o, now) => ({ cells: [nameOf(o), n(o.value), o.globalDefault === true, ageOf(o, now), o.preemptionPolicy ?? ''] }),
};

export const runtimeClassPrinter: Printer = {
  columns: [nameCol(), col('Handler', 'string', 'CRI handler that runs pods of this class.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), o.handler ?? '', ageOf(o, now)] }),
};

// ---- storage.k8s.io ----

function isDefaultClass(o: Obj): boolean {
  const a = o.metadata?.annotations ?? {};
  return a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
}

export const storageClassPrinter: Printer = {
  columns: [
    nameCol(),
    col('Provisioner', 'string', 'Volume plugin that provisions volumes.'),
    col('ReclaimPolicy', 'string', 'Reclaim policy of provisioned volumes.'),
    col('VolumeBindingMode', 'string', 'When volumes are bound and provisioned.'),
    col('AllowVolumeExpansion', 'string', 'Whether claims may be resized.'),
    ageCol(),
  ],
  print: (o, now) => ({
    cells: [
      isDefaultClass(o) ? `${nameOf(o)} (default)` : nameOf(o), o.provisioner ?? '', o.reclaimPolicy ?? 'Delete',
      o.volumeBindingMode ?? 'Immediate', o.allowVolumeExpansion === true, ageOf(o, now),
    ],
  }),
};

export const csiDriverPrinter: Printer = {
  columns: [
    nameCol(),
    col('AttachRequired', 'boolean', 'Whether volumes need an attach step.'),
    col('PodInfoOnMount', 'boolean', 'Whether pod information is passed on mount.'),
    col('StorageCapacity', 'boolean', 'Whether the scheduler considers storage capacity.'),
    col('TokenRequests', 'string', 'Audiences of service account tokens passed to the driver.'),
    col('RequiresRepublish', 'boolean', 'Whether NodePublishVolume is called periodically.'),
    col('Modes', 'string', 'Volume lifecycle modes supported.'),
    ageCol(),
  ],
  print: (o, now) => {
    const s: Obj = o.spec ?? {};
    const modes: string[] = s.volumeLifecycleModes ?? [];
    const tokens = Array.isArray(s.tokenRequests) ? s.tokenRequests.map((t: Obj) => t?.audience ?? '').join(',') : '<unset>';
    return {
      cells: [
        nameOf(o), s.attachRequired ?? true, s.podInfoOnMount ?? false, s.storageCapacity ?? false, tokens,
        s.requiresRepublish ?? false, modes.length ? modes.join(',') : '<none>', ageOf(o, now),
      ],
    };
  },
};

export const csiNodePrinter: Printer = {
  columns: [nameCol(), col('Drivers', 'integer', 'CSI drivers registered on the node.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), (o.spec?.drivers ?? []).length, ageOf(o, now)] }),
};

export const csiStorageCapacityPrinter: Printer = {
  columns: [nameCol(), col('StorageClassName', 'string', 'Storage class the capacity is for.'), col('Capacity', 'string', 'Capacity available.')],
  print: (o) => ({ cells: [nameOf(o), o.storageClassName ?? '', o.capacity !== undefined && o.capacity !== null ? String(o.capacity) : '<unset>'] }),
};

export const volumeAttachmentPrinter: Printer = {
  columns: [
    nameCol(),
    col('Attacher', 'string', 'Driver that attaches the volume.', { format: 'name' }),
    col('PV', 'string', 'Persistent volume being attached.'),
    col('Node', 'string', 'Node the volume is attached to.'),
    col('Attached', 'boolean', 'Whether the attach succeeded.'),
    ageCol(),
  ],
  print: (o, now) => ({
    cells: [nameOf(o), o.spec?.attacher ?? '', o.spec?.source?.persistentVolumeName ?? '', o.spec?.nodeName ?? '', o.status?.attached === true, ageOf(o, now)],
  }),
};

// ---- admissionregistration ----

export const webhookConfigurationPrinter: Printer = {
  columns: [nameCol(), col('Webhooks', 'integer', 'Webhooks in this configuration.'), ageCol()],
  print: (o, now) => ({ cells: [nameOf(o), (o.webhooks ?? []).length, ageOf(o, now)] }),
};

// ---- discovery.k8s.io ----

export const endpointSlicePrinter: Printer = {
  columns: [
    nameCol(),
    col('AddressType', 'string', 'IPv4, IPv6 or FQDN.'),
    col('Ports', 'string', 'Ports of the slice.'),
    col('Endpoints', 'string', 'Addresses of the slice.'),
    ageCol(),
  ],
  print: (o, now) => {
    const max = 3;
    const ports: string[] = [];
    let morePorts = false;
    let portCount = 0;
    for (const p of o.ports ?? []) {
      if (ports.length < max) ports.push(p?.port !== undefined && p?.port !== null ? String(p.port) : p?.name ?? '*');
      else morePorts = true;
      portCount++;
    }
    const addrs: string[] = [];
    let moreAddrs = false;
    let addrCount = 0;
    for (const ep of o.endpoints ?? []) {
      for (const a of ep?.addresses ?? []) {
        if (addrs.length < max) addrs.push(a);
        else moreAddrs = true;
        addrCount++;
      }
    }
    return {
      cells: [nameOf(o), o.addressType ?? '', listWithMore(ports, morePorts, portCount, max), listWithMore(addrs, moreAddrs, addrCount, max), ageOf(o, now)],
    };
  },
};

// ---- autoscaling ----

/** autoscaling/v1 objects carry a single CPU target; print them as the v2 metric they convert to. */
function hpaMetrics(o: Obj): { specs: Obj[]; statuses: Obj[] } {
  if (Array.isArray(o.spec?.metrics)) return { specs: o.spec.metrics, statuses: o.status?.currentMetrics ?? [] };
  const target = o.spec?.targetCPUUtilizationPercentage;
  if (target === undefined || target === null) return { specs: [], statuses: [] };
  const specs = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }];
  const cur = o.status?.currentCPUUtilizationPercentage;
  const statuses = cur === undefined || cur === null ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }];
  return { specs, statuses };
}

/** formatHPAMetrics: "cpu: 40%/80%" style, at most two, then " + N more...". */
export function formatHPAMetrics(specs: Obj[], statuses: Obj[]): string {
  if (specs.length === 0) return '<none>';
  const max = 2;
  let list: string[] = [];
  specs.forEach((spec, i) => {
    const st: Obj | undefined = statuses[i];
    switch (spec?.type) {
      case 'External': {
        const t: Obj = spec.external?.target ?? {};
        if (t.averageValue !== undefined && t.averageValue !== null) {
          const cur = st?.external?.current?.averageValue;
          list.push(`${cur !== undefined && cur !== null ? quantity(cur) : '<unknown>'}/${quantity(t.averageValue)} (avg)`);
        } else {
          const cur = st?.external ? quantity(st.external.current?.value) : '<unknown>';
          list.push(`${cur}/${quantity(t.value)}`);
        }
        break;
      }
      case 'Pods': {
        const cur = st?.pods ? quantity(st.pods.current?.averageValue) : '<unknown>';
        list.push(`${cur}/${quantity(spec.pods?.target?.averageValue)}`);
        break;
      }
      case 'Object': {
        const t: Obj = spec.object?.target ?? {};
        if (t.averageValue !== undefined && t.averageValue !== null) {
          const cur = st?.object?.current?.averageValue;
          list.push(`${cur !== undefined && cur !== null ? quantity(cur) : '<unknown>'}/${quantity(t.averageValue)} (avg)`);
        } else {
          const cur = st?.object ? quantity(st.object.current?.value) : '<unknown>';
          list.push(`${cur}/${quantity(t.value)}`);
        }
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const key = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const src: Obj = spec[key] ?? {};
        const cur: Obj | undefined = st?.[key];
        const t: Obj = src.target ?? {};
        if (t.averageValue !== undefined && t.averageValue !== null) {
          list.push(`${src.name ?? ''}: ${cur ? quantity(cur.current?.averageValue) : '<unknown>'}/${quantity(t.averageValue)}`);
        } else {
          const util = cur?.current?.averageUtilization;
          const current = util !== undefined && util !== null ? `${util}%` : '<unknown>';
          const target = t.averageUtilization !== undefined && t.averageUtilization !== null ? `${t.averageUtilization}%` : '<auto>';
          list.push(`${src.name ?? ''}: ${current}/${target}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  });
  const count = list.length;
  let more = false;
  if (count > max) {
    list = list.slice(0, max);
    more = true;
  }
  const s = list.join(', ');
  return more ? `${s} + ${count - max} more...` : s;
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    nameCol(),
    col('Reference', 'string', 'Kind/name of the scaled object.'),
    col('Targets', 'string', 'Current/target values of the metrics.'),
    col('MinPods', 'string', 'Lower replica bound.'),
    col('MaxPods', 'string', 'Upper replica bound.'),
    col('Replicas', 'string', 'Current replicas.'),
    ageCol(),
  ],
  print: (o, now) => {
    const { specs, statuses } = hpaMetrics(o);
    const min = o.spec?.minReplicas;
    return {
      cells: [
        nameOf(o), `${o.spec?.scaleTargetRef?.kind ?? ''}/${o.spec?.scaleTargetRef?.name ?? ''}`, formatHPAMetrics(specs, statuses),
        typeof min === 'number' ? String(min) : '<unset>', n(o.spec?.maxReplicas), n(o.status?.currentReplicas), ageOf(o, now),
      ],
    };
  },
};

