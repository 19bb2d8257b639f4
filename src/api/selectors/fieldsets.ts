// Which fields each built-in resource can be selected by, and their values for an object.
//
// kube-apiserver does this in two steps, and so do we: first the version's field label
// conversion function accepts (or renames, or rejects) each label — its error is the 400
// message users see — then the registry's GetAttrs computes the object's selectable field
// set, and the selector is matched against it. Kinds without a conversion function get the
// default: metadata.name and metadata.namespace only.

import { badRequest } from '../errors.js';
import type { ResourceInfo } from '../resources.js';
import type { Obj } from '../types.js';
import { FieldSelector, parseFieldSelector, type Fields } from './fields.js';
import { goQuote } from './validation.js';

type Converter = (label: string) => string;

class LabelError extends Error {}

function allow(labels: string[], reject: (label: string) => string, renames: Record<string, string> = {}): Converter {
  const ok = new Set(labels);
  return (label) => {
    if (ok.has(label)) return label;
    if (Object.prototype.hasOwnProperty.call(renames, label)) return renames[label];
    throw new LabelError(reject(label));
  };
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

/** runtime.DefaultMetaV1FieldSelectorConversion */
const defaultConverter: Converter = (label) => {
  if (label === 'metadata.name' || label === 'metadata.namespace') return label;
  throw new LabelError(`${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
};

const EVENT_FIELDS = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
  'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
  'reason', 'reportingComponent', 'source', 'type', 'metadata.namespace', 'metadata.name',
];

// events.k8s.io names map onto the core/v1 field set the event registry computes.
const EVENTS_V1_MAPPING: Record<string, string> = {
  reason: 'reason',
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reportingController: 'reportingComponent',
  type: 'type',
  'metadata.namespace': 'metadata.namespace',
  'metadata.name': 'metadata.name',
};

/** Keyed by "group/version/Kind" — conversion functions are registered per version. */
const CONVERTERS: Record<string, Converter> = {
  '/v1/Pod': allow(
    ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName',
      'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs',
      'status.nominatedNodeName'],
    notSupported,
    { 'spec.host': 'spec.nodeName' }, // old v1 clients
  ),
  '/v1/Node': allow(['metadata.name', 'spec.unschedulable'], notSupported),
  '/v1/ReplicationController': allow(['metadata.name', 'metadata.namespace', 'status.replicas'], notSupported),
  '/v1/Event': allow(EVENT_FIELDS, notSupported),
  '/v1/Namespace': allow(['status.phase', 'metadata.name'], notSupported),
  '/v1/Secret': allow(['type', 'metadata.namespace', 'metadata.name'], notSupported),
  'batch/v1/Job': allow(['metadata.name', 'metadata.namespace', 'status.successful'], (l) => `field label ${goQuote(l)} not supported for Job`),
  'certificates.k8s.io/v1/CertificateSigningRequest': allow(['metadata.name', 'spec.signerName'], notSupported),
  'events.k8s.io/v1/Event': (label) => {
    if (Object.prototype.hasOwnProperty.call(EVENTS_V1_MAPPING, label)) return EVENTS_V1_MAPPING[label];
    throw new LabelError(notSupported(label));
  },
};

/** The label a selector term is matched under, or ApiError 400 with upstream's message. */
export function convertFieldLabel(ri: ResourceInfo, label: string): string {
  const conv = CONVERTERS[`${ri.group}/${ri.version}/${ri.kind}`] ?? defaultConverter;
  try {
    return conv(label);
  } catch (e) {
    if (e instanceof LabelError) throw badRequest(e.message);
    throw e;
  }
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const int = (v: unknown): string => String(typeof v === 'number' ? Math.trunc(v) : 0);

/** Per-kind fields beyond metadata (keyed by storage group + kind). */
const SPECIFIC: Record<string, (o: Obj) => Fields> = {
  '/Pod': (o) => {
    const ips: Obj[] = o.status?.podIPs ?? [];
    return {
      'spec.nodeName': str(o.spec?.nodeName),
      'spec.restartPolicy': str(o.spec?.restartPolicy),
      'spec.schedulerName': str(o.spec?.schedulerName),
      'spec.serviceAccountName': str(o.spec?.serviceAccountName),
      'spec.hostNetwork': o.spec?.hostNetwork === true ? 'true' : 'false',
      'status.phase': str(o.status?.phase),
      // Only the first address is selectable (upstream leaves status.podIPs out of the set).
      'status.podIP': str(ips[0]?.ip ?? o.status?.podIP),
      'status.nominatedNodeName': str(o.status?.nominatedNodeName),
    };
  },
  '/Node': (o) => ({ 'spec.unschedulable': o.spec?.unschedulable === true ? 'true' : 'false' }),
  '/ReplicationController': (o) => ({ 'status.replicas': int(o.status?.replicas) }),
  '/Namespace': (o) => ({ 'status.phase': str(o.status?.phase) }),
  '/Secret': (o) => ({ type: str(o.type) }),
  '/Event': eventFields,
  'apps/ReplicaSet': (o) => ({ 'status.replicas': int(o.status?.replicas) }),
  'batch/Job': (o) => ({ 'status.successful': int(o.status?.succeeded) }),
  'certificates.k8s.io/CertificateSigningRequest': (o) => ({ 'spec.signerName': str(o.spec?.signerName) }),
};

/** Events may arrive in core/v1 or events.k8s.io/v1 shape; both select the same way. */
function eventFields(o: Obj): Fields {
  const ref: Obj = o.involvedObject ?? o.regarding ?? {};
  const reporting = str(o.reportingComponent ?? o.reportingController);
  const source = str(o.source?.component ?? o.deprecatedSource?.component) || reporting;
  return {
    'involvedObject.kind': str(ref.kind),
    'involvedObject.namespace': str(ref.namespace),
    'involvedObject.name': str(ref.name),
    'involvedObject.uid': str(ref.uid),
    'involvedObject.apiVersion': str(ref.apiVersion),
    'involvedObject.resourceVersion': str(ref.resourceVersion),
    'involvedObject.fieldPath': str(ref.fieldPath),
    reason: str(o.reason),
    reportingComponent: reporting,
    source,
    type: str(o.type),
  };
}

/** The object's selectable field set (GetAttrs): metadata.name, metadata.namespace when namespaced, plus per-kind fields. */
export function selectableFields(ri: ResourceInfo, obj: Obj): Fields {
  const group = ri.storageGroup ?? ri.group;
  const specific = SPECIFIC[`${group}/${ri.kind}`];
  const f: Fields = specific ? specific(obj) : {};
  f['metadata.name'] = str(obj?.metadata?.name);
  if (ri.namespaced) f['metadata.namespace'] = str(obj?.metadata?.namespace);
  return f;
}

export type FieldMatcher = ((obj: Obj) => boolean) & {
  /** The converted selector (labels renamed as the registry sees them). */
  readonly selector: FieldSelector;
  /** True when nothing is filtered (an empty selector). */
  readonly empty: boolean;
};

/**
 * Parse `s`, convert its labels for `ri` and return a matcher over objects of that resource.
 * Throws ApiError 400 BadRequest with upstream's text for a malformed selector or a field
 * the resource does not support.
 */
export function fieldSelectorFor(ri: ResourceInfo, s: string): FieldMatcher {
  const parsed = parseFieldSelector(s ?? '');
  const selector = parsed.transform((field, value) => ({ field: convertFieldLabel(ri, field), value }));
  const fn = selector.isEmpty() ? () => true : (obj: Obj) => selector.matches(selectableFields(ri, obj));
  return Object.assign(fn, { selector, empty: selector.isEmpty() });
}

