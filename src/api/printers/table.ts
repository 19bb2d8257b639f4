// Server-side printing: turn objects of one resource into a meta.k8s.io Table, as
// kube-apiserver answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
//
// Every built-in kind with an upstream printer has one here (same columns, types, formats,
// priorities and cell contents); any other resource — roles, limitranges, CRDs, reviews —
// gets the generic table kube-apiserver uses when a resource has no printer: Name and
// "Created At".

import { badRequest } from '../errors.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import type { Obj } from '../types.js';
import { goQuote } from '../selectors/validation.js';
import {
  certificateSigningRequestPrinter, clusterRoleBindingPrinter, csiDriverPrinter, csiNodePrinter, csiStorageCapacityPrinter,
  endpointSlicePrinter, horizontalPodAutoscalerPrinter, ingressClassPrinter, ingressPrinter, leasePrinter, networkPolicyPrinter,
  podDisruptionBudgetPrinter, priorityClassPrinter, roleBindingPrinter, runtimeClassPrinter, storageClassPrinter,
  volumeAttachmentPrinter, webhookConfigurationPrinter,
} from './cluster.js';
import { col, NAME_DESC, type ColumnDef, type Printer, type PrintedRow } from './columns.js';
import {
  componentStatusPrinter, configMapPrinter, endpointsPrinter, eventPrinter, namespacePrinter, nodePrinter,
  persistentVolumeClaimPrinter, persistentVolumePrinter, replicationControllerPrinter, resourceQuotaPrinter, secretPrinter,
  serviceAccountPrinter, servicePrinter,
} from './core.js';
import { podPrinter, podTemplatePrinter } from './pod.js';
import {
  controllerRevisionPrinter, cronJobPrinter, daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter, statefulSetPrinter,
} from './workloads.js';

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export interface TableOptions {
  /** metav1.TableOptions.includeObject; default (and "") is Metadata. */
  includeObject?: IncludeObject | string;
  /** Clock for AGE-style cells; defaults to the current time. */
  now?: Date;
  /** metav1.TableOptions.noHeaders: leave columnDefinitions empty (watch events after the first). */
  noHeaders?: boolean;
  /** Group/version of the Table being served (PartialObjectMetadata takes it); default meta.k8s.io/v1. */
  tableGroupVersion?: string;
}

/** RFC 3339 in UTC with second precision; Go's zero time when unset, as metav1.Time prints it. */
function createdAt(ts: unknown): string {
  const t = typeof ts === 'string' ? Date.parse(ts) : NaN;
  if (Number.isNaN(t)) return '0001-01-01T00:00:00Z';
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** rest.defaultTableConvertor: what kube-apiserver prints for resources without a printer. */
export const defaultPrinter: Printer = {
  columns: [
    col('Name', 'string', NAME_DESC, { format: 'name' }),
    col('Created At', 'date', 'When the object was created (metadata.creationTimestamp).'),
  ],
  print: (o) => ({ cells: [o?.metadata?.name ?? '', createdAt(o?.metadata?.creationTimestamp)] }),
};

/** Keyed by "group/Kind": every served version of a kind prints the same way. */
const PRINTERS: Record<string, Printer> = {
  '/Pod': podPrinter,
  '/PodTemplate': podTemplatePrinter,
  '/ReplicationController': replicationControllerPrinter,
  '/Service': servicePrinter,
  '/Endpoints': endpointsPrinter,
  '/Node': nodePrinter,
  '/Event': eventPrinter,
  '/Namespace': namespacePrinter,
  '/Secret': secretPrinter,
  '/ServiceAccount': serviceAccountPrinter,
  '/ConfigMap': configMapPrinter,
  '/PersistentVolume': persistentVolumePrinter,
  '/PersistentVolumeClaim': persistentVolumeClaimPrinter,
  '/ResourceQuota': resourceQuotaPrinter,
  '/ComponentStatus': componentStatusPrinter,
  'apps/ReplicaSet': replicaSetPrinter,
  'apps/Deployment': deploymentPrinter,
  'apps/StatefulSet': statefulSetPrinter,
  'apps/DaemonSet': daemonSetPrinter,
  'apps/ControllerRevision': controllerRevisionPrinter,
  'batch/Job': jobPrinter,
  'batch/CronJob': cronJobPrinter,
  'events.k8s.io/Event': eventPrinter,
  'autoscaling/HorizontalPodAutoscaler': horizontalPodAutoscalerPrinter,
  'networking.k8s.io/Ingress': ingressPrinter,
  'networking.k8s.io/IngressClass': ingressClassPrinter,
  'networking.k8s.io/NetworkPolicy': networkPolicyPrinter,
  'policy/PodDisruptionBudget': podDisruptionBudgetPrinter,
  'rbac.authorization.k8s.io/RoleBinding': roleBindingPrinter,
  'rbac.authorization.k8s.io/ClusterRoleBinding': clusterRoleBindingPrinter,
  'certificates.k8s.io/CertificateSigningRequest': certificateSigningRequestPrinter,
  'coordination.k8s.io/Lease': leasePrinter,
  'scheduling.k8s.io/PriorityClass': priorityClassPrinter,
  'node.k8s.io/RuntimeClass': runtimeClassPrinter,
  'storage.k8s.io/StorageClass': storageClassPrinter,
  'storage.k8s.io/CSIDriver': csiDriverPrinter,
  'storage.k8s.io/CSINode': csiNodePrinter,
  'storage.k8s.io/CSIStorageCapacity': csiStorageCapacityPrinter,
  'storage.k8s.io/VolumeAttachment': volumeAttachmentPrinter,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': webhookConfigurationPrinter,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': webhookConfigurationPrinter,
  'discovery.k8s.io/EndpointSlice': endpointSlicePrinter,
};

/** The printer for a resource: its own when upstream has one, else the default Name/Created At table. */
export function printerFor(ri: Pick<ResourceInfo, 'group' | 'kind'>): Printer {
  return PRINTERS[`${ri.group}/${ri.kind}`] ?? defaultPrinter;
}

/** Whether the resource has a dedicated printer (false: the generic table is used). */
export function hasPrinter(ri: Pick<ResourceInfo, 'group' | 'kind'>): boolean {
  return `${ri.group}/${ri.kind}` in PRINTERS;
}

function rowObject(ri: ResourceInfo, item: Obj, include: string, tableGV: string): Obj | null {
  switch (include) {
    case '':
    case 'Metadata':
      return { kind: 'PartialObjectMetadata', apiVersion: tableGV, metadata: item?.metadata ?? {} };
    case 'Object':
      if (item?.apiVersion && item?.kind) return item;
      return { apiVersion: apiVersionOf(ri.group, ri.version), kind: ri.kind, ...item };
    case 'None':
      return null;
    default:
      throw badRequest(`unrecognized includeObject value: ${goQuote(include)}`);
  }
}

/**
 * Column definitions and rows for `items` (objects of resource `ri`). Rows are
 * `{cells, object}` plus `conditions` where upstream sets them. Throws ApiError 400 for an
 * unknown includeObject value. The caller wraps the result into
 * `{kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: {...}, columnDefinitions, rows}`
 * (see tableFor).
 */
export function toTable(ri: ResourceInfo, items: Obj[], opts: TableOptions = {}): { columnDefinitions: Obj[]; rows: Obj[] } {
  const printer = printerFor(ri);
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  const tableGV = opts.tableGroupVersion ?? 'meta.k8s.io/v1';
  // Validate includeObject even for an empty list, as the server would reject the request.
  rowObject(ri, {}, include, tableGV);
  const rows = items.map((item) => {
    const printed: PrintedRow = printer.print(item ?? {}, now);
    const row: Obj = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions.map((c) => ({ ...c }));
    row.object = rowObject(ri, item, include, tableGV);
    return row;
  });
  const columnDefinitions = opts.noHeaders ? [] : printer.columns.map((c: ColumnDef) => ({ ...c }));
  return { columnDefinitions, rows };
}

export interface TableListMeta { resourceVersion?: string; continue?: string; remainingItemCount?: number }

/** A complete metav1.Table object (empty list-meta fields are omitted, as upstream does). */
export function tableFor(ri: ResourceInfo, items: Obj[], listMeta: TableListMeta = {}, opts: TableOptions = {}): Obj {
  const { columnDefinitions, rows } = toTable(ri, items, opts);
  const metadata: Obj = {};
  if (listMeta.resourceVersion) metadata.resourceVersion = listMeta.resourceVersion;
  if (listMeta.continue) metadata.continue = listMeta.continue;
  if (listMeta.remainingItemCount !== undefined && listMeta.remainingItemCount !== null) metadata.remainingItemCount = listMeta.remainingItemCount;
  return { kind: 'Table', apiVersion: opts.tableGroupVersion ?? 'meta.k8s.io/v1', metadata, columnDefinitions, rows };
}
