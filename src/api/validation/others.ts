// The smaller groups: policy (PodDisruptionBudget), scheduling (PriorityClass),
// coordination (Lease), node (RuntimeClass), storage.k8s.io, discovery (EndpointSlice),
// certificates, admissionregistration and apiextensions basics.

import { fe, type FieldError } from '../errors.js';
import type { Obj } from '../types.js';
import { tryParseQuantity } from '../quantity.js';
import {
  ipFamily, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum, nameIsDNSLabel, nameIsDNSSubdomain, validateNamespaceName,
} from './names.js';
import { validateImmutableField, validateLabelSelector, validateLabels, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from './apps.js';
import { validateDNS1123Label, validateQualifiedName } from './core/container.js';
import { validateTolerations } from './core/affinity.js';
import { validateResourceRequirements } from './core/resources.js';
import { validateCSIDriverName } from './core/volumes.js';
import { arr, child, has, index, isNum, isObj, num, obj, semanticEqual, str } from './util.js';

// ---- policy/v1 PodDisruptionBudget ----

export function validatePDB(pdb: Obj): FieldError[] {
  const spec = obj(pdb.spec);
  const errs: FieldError[] = [];
  if (has(spec, 'minAvailable') && has(spec, 'maxUnavailable')) errs.push(fe.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!has(spec, f)) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`));
    errs.push(...isNotMoreThan100Percent(spec[f], `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (has(spec, 'unhealthyPodEvictionPolicy') && !['AlwaysAllow', 'IfHealthyBudget'].includes(spec.unhealthyPodEvictionPolicy)) {
    errs.push(fe.notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return errs;
}

export function validatePDBStatusUpdate(pdb: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pdb.metadata, old.metadata);
  const s = obj(pdb.status);
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) errs.push(...validateNonnegative(s[f], `status.${f}`));
  return errs;
}

// ---- scheduling.k8s.io/v1 PriorityClass ----

const HIGHEST_USER_PRIORITY = 1000000000;
const SYSTEM_CLASSES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

export function validatePriorityClass(pc: Obj): FieldError[] {
  const errs = validateObjectMeta(pc.metadata, false, nameIsDNSSubdomain);
  const name = str(obj(pc.metadata).name);
  const value = num(pc.value);
  if (name.startsWith('system-')) {
    let why: string | undefined;
    if (!(name in SYSTEM_CLASSES)) why = `${name} is not a known system priority class`;
    else if (SYSTEM_CLASSES[name] !== value) why = `value of ${name} PriorityClass must be ${SYSTEM_CLASSES[name]}`;
    else if (pc.globalDefault === true) why = `globalDefault of ${name} PriorityClass must be false`;
    if (why) errs.push(fe.forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${why}`));
  } else if (value > HIGHEST_USER_PRIORITY) {
    errs.push(fe.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (has(pc, 'preemptionPolicy')) {
    const pp = str(pc.preemptionPolicy);
    if (!pp) errs.push(fe.required('preemptionPolicy'));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(fe.notSupported('preemptionPolicy', pp, ['PreemptLowerPriority', 'Never']));
  }
  return errs;
}

export function validatePriorityClassUpdate(pc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pc.metadata, old.metadata);
  if (num(pc.value) !== num(old.value)) errs.push(fe.forbidden('value', 'may not be changed in an update.'));
  errs.push(...validateImmutableField(pc.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy'));
  return errs;
}

// ---- coordination.k8s.io/v1 Lease ----

export function validateLease(lease: Obj): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateLeaseSpec(obj(lease.spec)));
  return errs;
}

function validateLeaseSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (has(spec, 'leaseDurationSeconds') && num(spec.leaseDurationSeconds) <= 0) errs.push(fe.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  if (has(spec, 'leaseTransitions') && num(spec.leaseTransitions) < 0) errs.push(fe.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  if (has(spec, 'strategy')) {
    const s = str(spec.strategy);
    if (!s.includes('/')) {
      if (s !== 'OldestEmulationVersion') errs.push(fe.notSupported('spec.strategy.strategy', s, ['OldestEmulationVersion']));
    } else {
      for (const m of isQualifiedName(s)) errs.push(fe.invalid('spec.strategy.strategy', s, m));
    }
  }
  if (str(spec.preferredHolder) && !str(spec.strategy)) errs.push(fe.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return errs;
}

export function validateLeaseUpdate(lease: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(lease.metadata, old.metadata), ...validateLeaseSpec(obj(lease.spec))];
}

// ---- node.k8s.io/v1 RuntimeClass ----

export function validateRuntimeClass(rc: Obj): FieldError[] {
  const errs = validateObjectMeta(rc.metadata, false, nameIsDNSSubdomain);
  const handler = str(rc.handler);
  for (const m of nameIsDNSLabel(handler, false)) errs.push(fe.invalid('handler', handler, m));
  if (isObj(rc.overhead)) errs.push(...validateResourceRequirements({ limits: obj(rc.overhead.podFixed) }, new Set(), 'overhead.podFixed'));
  if (isObj(rc.scheduling)) {
    errs.push(...validateLabels(rc.scheduling.nodeSelector, 'scheduling.nodeSelector'));
    errs.push(...validateTolerations(rc.scheduling.tolerations, 'scheduling.tolerations'));
  }
  return errs;
}

export function validateRuntimeClassUpdate(rc: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateImmutableField(rc.handler, old.handler, 'handler')];
}

// ---- storage.k8s.io/v1 ----

export function validateStorageClass(sc: Obj): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  const prov = str(sc.provisioner);
  if (!prov) errs.push(fe.required('provisioner'));
  else errs.push(...validateQualifiedName(prov.toLowerCase(), 'provisioner'));
  const params = obj(sc.parameters);
  if (Object.keys(params).length > 512) errs.push(fe.tooLong('parameters', '', 512));
  else {
    let total = 0;
    for (const [k, v] of Object.entries(params)) {
      if (!k) errs.push(fe.invalid('parameters', k, 'field can not be empty.'));
      total += k.length + str(v).length;
    }
    if (total > 256 * 1024) errs.push(fe.tooLong('parameters', '', 256 * 1024));
  }
  if (str(sc.reclaimPolicy) && sc.reclaimPolicy !== 'Delete' && sc.reclaimPolicy !== 'Retain') errs.push(fe.notSupported('reclaimPolicy', sc.reclaimPolicy, ['Delete', 'Retain']));
  if (!has(sc, 'volumeBindingMode')) errs.push(fe.required('volumeBindingMode'));
  else if (sc.volumeBindingMode !== 'Immediate' && sc.volumeBindingMode !== 'WaitForFirstConsumer') {
    errs.push(fe.notSupported('volumeBindingMode', sc.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  }
  const topo = arr(sc.allowedTopologies);
  topo.forEach((term, i) => {
    const keys = new Set<string>();
    arr(term?.matchLabelExpressions).forEach((e, j) => {
      const p = index(child(index('allowedTopologies', i), 'matchLabelExpressions'), j);
      if (arr(e?.values).length === 0) errs.push(fe.required(child(p, 'values')));
      for (const m of isQualifiedName(str(e?.key))) errs.push(fe.invalid(child(p, 'key'), str(e?.key), m));
      if (keys.has(str(e?.key))) errs.push(fe.duplicate(child(p, 'key'), str(e?.key)));
      keys.add(str(e?.key));
    });
  });
  return errs;
}

export function validateStorageClassUpdate(sc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata);
  if (!semanticEqual(sc.parameters, old.parameters)) errs.push(fe.forbidden('parameters', 'updates to parameters are forbidden.'));
  if (str(sc.provisioner) !== str(old.provisioner)) errs.push(fe.forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (str(sc.reclaimPolicy) !== str(old.reclaimPolicy)) errs.push(fe.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  errs.push(...validateImmutableField(sc.volumeBindingMode, old.volumeBindingMode, 'volumeBindingMode'));
  return errs;
}

export function validateCSIDriver(d: Obj): FieldError[] {
  const errs = validateCSIDriverName(str(obj(d.metadata).name), 'metadata.name');
  errs.push(...validateObjectMeta(d.metadata, false, () => []));
  const spec = obj(d.spec);
  for (const f of ['attachRequired', 'podInfoOnMount', 'storageCapacity', 'requiresRepublish']) {
    if (!has(spec, f)) errs.push(fe.required(`spec.${f}`));
  }
  arr(spec.volumeLifecycleModes).forEach((m, i) => {
    if (m !== 'Persistent' && m !== 'Ephemeral') errs.push(fe.notSupported(index('spec.volumeLifecycleModes', i), m, ['Ephemeral', 'Persistent']));
  });
  if (has(spec, 'fsGroupPolicy') && !['ReadWriteOnceWithFSType', 'File', 'None'].includes(spec.fsGroupPolicy)) {
    errs.push(fe.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, ['File', 'None', 'ReadWriteOnceWithFSType']));
  }
  const audiences = new Set<string>();
  arr(spec.tokenRequests).forEach((t, i) => {
    const a = str(t?.audience);
    if (audiences.has(a)) errs.push(fe.duplicate(child(index('spec.tokenRequests', i), 'audience'), a));
    audiences.add(a);
    if (has(t, 'expirationSeconds') && num(t.expirationSeconds) < 600) errs.push(fe.invalid(child(index('spec.tokenRequests', i), 'expirationSeconds'), t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
  });
  return errs;
}

export function validateCSIDriverUpdate(d: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(d.metadata, old.metadata);
  errs.push(...validateCSIDriver(d).filter((e) => !e.field.startsWith('metadata.')));
  errs.push(...validateImmutableField(obj(d.spec).attachRequired, obj(old.spec).attachRequired, 'spec.attachRequired'));
  errs.push(...validateImmutableField(obj(d.spec).volumeLifecycleModes, obj(old.spec).volumeLifecycleModes, 'spec.volumeLifecycleModes'));
  return errs;
}

export function validateCSINode(n: Obj): FieldError[] {
  const errs = validateObjectMeta(n.metadata, false, nameIsDNSSubdomain);
  const names = new Set<string>();
  arr(obj(n.spec).drivers).forEach((d, i) => {
    const p = index('spec.drivers', i);
    errs.push(...validateCSIDriverName(str(d?.name), child(p, 'name')));
    if (names.has(str(d?.name))) errs.push(fe.duplicate(child(p, 'name'), d.name));
    names.add(str(d?.name));
    if (!str(d?.nodeID)) errs.push(fe.required(child(p, 'nodeID'), 'nodeID cannot be empty'));
    if (str(d?.nodeID).length > 192) errs.push(fe.tooLong(child(p, 'nodeID'), d.nodeID, 192));
    const count = obj(d?.allocatable).count;
    if (isNum(count) && count < 0) errs.push(fe.invalid(child(p, 'allocatable', 'count'), count, 'must be greater than or equal to 0'));
  });
  return errs;
}

export function validateVolumeAttachment(va: Obj): FieldError[] {
  const errs = validateObjectMeta(va.metadata, false, nameIsDNSSubdomain);
  const spec = obj(va.spec);
  errs.push(...validateCSIDriverName(str(spec.attacher), 'spec.attacher'));
  const src = obj(spec.source);
  const hasPV = str(src.persistentVolumeName).length > 0;
  const hasInline = isObj(src.inlineVolumeSpec);
  if (!hasPV && !hasInline) errs.push(fe.required('spec.source', 'must specify exactly one of persistentVolumeName and inlineVolumeSpec'));
  else if (hasPV && hasInline) errs.push(fe.forbidden('spec.source', 'must specify exactly one of persistentVolumeName and inlineVolumeSpec'));
  const node = str(spec.nodeName);
  if (!node) errs.push(fe.required('spec.nodeName'));
  else for (const m of nameIsDNSSubdomain(node, false)) errs.push(fe.invalid('spec.nodeName', node, m));
  return errs;
}

export function validateVolumeAttachmentUpdate(va: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(va.metadata, old.metadata);
  errs.push(...validateVolumeAttachment(va));
  if (!semanticEqual(va.spec, old.spec)) errs.push(fe.invalid('spec', va.spec, 'field is immutable'));
  return errs;
}

export function validateCSIStorageCapacity(c: Obj): FieldError[] {
  const errs = validateObjectMeta(c.metadata, true, nameIsDNSSubdomain);
  const sc = str(c.storageClassName);
  if (!sc) errs.push(fe.required('storageClassName'));
  else for (const m of nameIsDNSSubdomain(sc, false)) errs.push(fe.invalid('storageClassName', sc, m));
  if (isObj(c.nodeTopology)) errs.push(...validateLabelSelector(c.nodeTopology, 'nodeTopology'));
  for (const f of ['capacity', 'maximumVolumeSize']) {
    if (!has(c, f)) continue;
    const q = tryParseQuantity(c[f]);
    if (q && q.sign() < 0) errs.push(fe.invalid(f, q.toString(), 'must be greater than or equal to 0'));
  }
  return errs;
}

// ---- discovery.k8s.io/v1 EndpointSlice ----

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function validateEndpointSlice(es: Obj): FieldError[] {
  const errs = validateObjectMeta(es.metadata, true, nameIsDNSSubdomain);
  const at = str(es.addressType);
  if (!at) errs.push(fe.required('addressType'));
  else if (!ADDRESS_TYPES.includes(at)) errs.push(fe.notSupported('addressType', at, ADDRESS_TYPES));
  const eps = arr(es.endpoints);
  if (eps.length > 1000) errs.push(fe.tooMany('endpoints', eps.length, 1000));
  eps.forEach((e0, i) => {
    const e = obj(e0);
    const p = index('endpoints', i);
    const addrs = arr(e.addresses).map(str);
    if (addrs.length === 0) errs.push(fe.required(child(p, 'addresses'), 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(fe.tooMany(child(p, 'addresses'), addrs.length, 100));
    addrs.forEach((a, j) => {
      const ap = index(child(p, 'addresses'), j);
      if (at === 'IPv4' && ipFamily(a) !== 4) errs.push(fe.invalid(ap, a, 'must be a valid IPv4 address'));
      if (at === 'IPv6' && ipFamily(a) !== 6) errs.push(fe.invalid(ap, a, 'must be a valid IPv6 address'));
      if (at === 'FQDN') {
        const name = a.endsWith('.') ? a.slice(0, -1) : a;
        const msgs = isDNS1123Subdomain(name);
        if (msgs.length) errs.push(fe.invalid(ap, name, msgs.join(',')));
        else if (name.split('.').length < 2) errs.push(fe.invalid(ap, name, 'should be a domain with at least two segments separated by dots'));
      }
    });
    if (str(e.nodeName)) for (const m of nameIsDNSSubdomain(e.nodeName, false)) errs.push(fe.invalid(child(p, 'nodeName'), e.nodeName, m));
    if (str(e.hostname)) for (const m of isDNS1123Label(e.hostname)) errs.push(fe.invalid(child(p, 'hostname'), e.hostname, m));
    if (isObj(e.deprecatedTopology)) errs.push(...validateLabels(e.deprecatedTopology, child(p, 'deprecatedTopology')));
    if (str(e.zone)) errs.push(...validateLabels({ zone: e.zone }, child(p, 'zone')));
  });
  const ports = arr(es.ports);
  if (ports.length > 20000) errs.push(fe.tooMany('ports', ports.length, 20000));
  const names = new Set<string>();
  ports.forEach((pt0, i) => {
    const pt = obj(pt0);
    const p = index('ports', i);
    const name = str(pt.name);
    if (name) errs.push(...validateDNS1123Label(name, child(p, 'name')));
    if (names.has(name)) errs.push(fe.duplicate(child(p, 'name'), name));
    names.add(name);
    if (!has(pt, 'protocol')) errs.push(fe.required(child(p, 'protocol')));
    else if (!['SCTP', 'TCP', 'UDP'].includes(pt.protocol)) errs.push(fe.notSupported(child(p, 'protocol'), pt.protocol, ['SCTP', 'TCP', 'UDP']));
    if (has(pt, 'port')) for (const m of isValidPortNum(num(pt.port))) errs.push(fe.invalid(child(p, 'port'), pt.port, m));
    if (has(pt, 'appProtocol')) errs.push(...validateQualifiedName(str(pt.appProtocol), child(p, 'appProtocol')));
  });
  return errs;
}

export function validateEndpointSliceUpdate(es: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(es.metadata, old.metadata),
    ...validateEndpointSlice(es),
    ...validateImmutableField(es.addressType, old.addressType, 'addressType'),
  ];
}

// certificates.k8s.io CertificateSigningRequest rules live in certificates.ts.

// ---- admissionregistration.k8s.io/v1 webhook configurations ----

function validateWebhookName(name: string, path: string): FieldError[] {
  if (!name) return [fe.required(path)];
  const msgs = isDNS1123Subdomain(name);
  if (msgs.length) return [fe.invalid(path, name, msgs.join(','))];
  if (name.split('.').length < 3) return [fe.invalid(path, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

export function validateWebhookConfiguration(cfg: Obj, mutating: boolean): FieldError[] {
  const errs = validateObjectMeta(cfg.metadata, false, nameIsDNSSubdomain);
  const names = new Set<string>();
  arr(cfg.webhooks).forEach((w0, i) => {
    const w = obj(w0);
    const p = index('webhooks', i);
    errs.push(...validateWebhookName(str(w.name), child(p, 'name')));
    if (names.has(str(w.name))) errs.push(fe.duplicate(child(p, 'name'), w.name));
    names.add(str(w.name));
    const cc = obj(w.clientConfig);
    const hasURL = str(cc.url).length > 0;
    const hasSvc = isObj(cc.service);
    if (hasURL === hasSvc) errs.push(fe.required(child(p, 'clientConfig'), 'exactly one of url or service is required'));
    if (hasSvc) {
      const svc = cc.service;
      if (!str(svc.namespace)) errs.push(fe.required(child(p, 'clientConfig', 'service', 'namespace'), 'service namespace is required'));
      else for (const m of validateNamespaceName(svc.namespace, false)) errs.push(fe.invalid(child(p, 'clientConfig', 'service', 'namespace'), svc.namespace, m));
      if (!str(svc.name)) errs.push(fe.required(child(p, 'clientConfig', 'service', 'name'), 'service name is required'));
      if (has(svc, 'port')) for (const m of isValidPortNum(num(svc.port))) errs.push(fe.invalid(child(p, 'clientConfig', 'service', 'port'), svc.port, m));
    }
    if (!has(w, 'sideEffects')) errs.push(fe.required(child(p, 'sideEffects'), 'must specify one of None, NoneOnDryRun'));
    else if (w.sideEffects !== 'None' && w.sideEffects !== 'NoneOnDryRun') errs.push(fe.notSupported(child(p, 'sideEffects'), w.sideEffects, ['None', 'NoneOnDryRun']));
    if (arr(w.admissionReviewVersions).length === 0) errs.push(fe.required(child(p, 'admissionReviewVersions'), 'must specify one of v1, v1beta1'));
    if (has(w, 'failurePolicy') && w.failurePolicy !== 'Ignore' && w.failurePolicy !== 'Fail') errs.push(fe.notSupported(child(p, 'failurePolicy'), w.failurePolicy, ['Fail', 'Ignore']));
    if (has(w, 'matchPolicy') && w.matchPolicy !== 'Exact' && w.matchPolicy !== 'Equivalent') errs.push(fe.notSupported(child(p, 'matchPolicy'), w.matchPolicy, ['Equivalent', 'Exact']));
    if (mutating && has(w, 'reinvocationPolicy') && w.reinvocationPolicy !== 'Never' && w.reinvocationPolicy !== 'IfNeeded') {
      errs.push(fe.notSupported(child(p, 'reinvocationPolicy'), w.reinvocationPolicy, ['IfNeeded', 'Never']));
    }
    if (has(w, 'timeoutSeconds') && (num(w.timeoutSeconds) < 1 || num(w.timeoutSeconds) > 30)) {
      errs.push(fe.invalid(child(p, 'timeoutSeconds'), w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
    }
    errs.push(...validateLabelSelector(w.namespaceSelector, child(p, 'namespaceSelector')));
    errs.push(...validateLabelSelector(w.objectSelector, child(p, 'objectSelector')));
  });
  return errs;
}

// ---- apiextensions.k8s.io/v1 CustomResourceDefinition (the naming rules) ----

export function validateCRD(crd: Obj): FieldError[] {
  const errs = validateObjectMeta(crd.metadata, false, nameIsDNSSubdomain);
  const spec = obj(crd.spec);
  const names = obj(spec.names);
  const group = str(spec.group);
  const name = str(obj(crd.metadata).name);
  if (name !== `${str(names.plural)}.${group}`) errs.push(fe.invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  if (!group) errs.push(fe.required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(group)) errs.push(fe.invalid('spec.group', group, m));
    if (group.split('.').length < 2) errs.push(fe.invalid('spec.group', group, 'should be a domain with at least one dot'));
  }
  if (spec.scope !== 'Cluster' && spec.scope !== 'Namespaced') errs.push(fe.notSupported('spec.scope', str(spec.scope), ['Cluster', 'Namespaced']));
  for (const f of ['plural', 'singular']) {
    if (f === 'plural' && !str(names[f])) errs.push(fe.required(`spec.names.${f}`));
    if (str(names[f])) for (const m of isDNS1123Label(names[f])) errs.push(fe.invalid(`spec.names.${f}`, names[f], m));
  }
  if (!str(names.kind)) errs.push(fe.required('spec.names.kind'));
  const versions = arr(spec.versions);
  if (versions.length === 0) errs.push(fe.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v?.storage === true).length !== 1) errs.push(fe.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  return errs;
}

