// Cluster-level core kinds: Namespaces and Nodes.

import { fe, type FieldError } from '../../errors.js';
import type { Obj } from '../../types.js';
import { isQualifiedName, isValidCIDR, nameIsDNSSubdomain, parseCIDR, validateNamespaceName } from '../names.js';
import { validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from '../meta.js';
import { validateTaints } from './affinity.js';
import { validateResourceQuantityValue } from './resources.js';
import { arr, index, obj, semanticEqual, str } from '../util.js';

function validateNamespaceFinalizer(name: string, path: string): FieldError[] {
  return [...isQualifiedName(name).map((m) => fe.invalid(path, name, m)), ...validateKubeFinalizerName(name, path)];
}

export function validateNamespace(ns: Obj): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, false, validateNamespaceName);
  for (const f of arr(obj(ns.spec).finalizers)) errs.push(...validateNamespaceFinalizer(str(f), 'spec.finalizers'));
  return errs;
}

export function validateNamespaceUpdate(ns: Obj, old: Obj): FieldError[] {
  return validateObjectMetaUpdate(ns.metadata, old.metadata);
}

export function validateNamespaceStatusUpdate(ns: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  const phase = str(obj(ns.status).phase);
  if (!obj(ns.metadata).deletionTimestamp) {
    if (phase !== 'Active') errs.push(fe.invalid('status.Phase', phase, "may only be 'Active' if `deletionTimestamp` is empty"));
  } else if (phase !== 'Terminating') {
    errs.push(fe.invalid('status.Phase', phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
  }
  return errs;
}

export function validateNamespaceFinalizeUpdate(ns: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(ns.metadata, old.metadata);
  arr(obj(ns.spec).finalizers).forEach((f, i) => errs.push(...validateNamespaceFinalizer(str(f), index('spec.finalizers', i))));
  return errs;
}

function validateNodeResources(node: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const status = obj(node.status);
  for (const [k, v] of Object.entries(obj(status.capacity))) errs.push(...validateResourceQuantityValue(k, v, `status.capacity.${k}`));
  for (const [k, v] of Object.entries(obj(status.allocatable))) errs.push(...validateResourceQuantityValue(k, v, `status.allocatable.${k}`));
  return errs;
}

export function validateNode(node: Obj): FieldError[] {
  const errs = validateObjectMeta(node.metadata, false, nameIsDNSSubdomain);
  const spec = obj(node.spec);
  errs.push(...validateTaints(spec.taints, 'metadata.taints'));
  errs.push(...validateNodeResources(node));
  const cidrs = arr(spec.podCIDRs).map(str);
  cidrs.forEach((c, i) => { for (const m of isValidCIDR(c)) errs.push(fe.invalid(index('spec.podCIDRs', i), c, m)); });
  if (cidrs.length > 1) {
    const fams = cidrs.map((c) => parseCIDR(c)?.family);
    if (cidrs.length > 2 || fams[0] === fams[1]) errs.push(fe.invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => { if (seen.has(c)) errs.push(fe.duplicate(index('spec.podCIDRs', i), c)); seen.add(c); });
  }
  return errs;
}

export function validateNodeUpdate(node: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(node.metadata, old.metadata);
  errs.push(...validateNodeResources(node));
  const seen: Obj[] = [];
  arr(obj(node.status).addresses).forEach((a, i) => {
    if (seen.some((s) => semanticEqual(s, a))) errs.push(fe.duplicate(index('status.addresses', i), a));
    seen.push(a);
  });
  const spec = obj(node.spec);
  const oldSpec = obj(old.spec);
  const oldCIDRs = arr(oldSpec.podCIDRs).map(str);
  const newCIDRs = arr(spec.podCIDRs).map(str);
  if (oldCIDRs.length > 0) {
    const msg = 'node updates may not change podCIDR except from "" to valid';
    if (oldCIDRs.length !== newCIDRs.length) errs.push(fe.forbidden('spec.podCIDRs', msg));
    else oldCIDRs.forEach((c, i) => { if (c !== newCIDRs[i]) errs.push(fe.forbidden('spec.podCIDRs', msg)); });
  }
  if (str(oldSpec.providerID) && oldSpec.providerID !== spec.providerID) {
    errs.push(fe.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  errs.push(...validateTaints(spec.taints, 'metadata.taints'));
  if (str(spec.externalID) !== str(oldSpec.externalID)) errs.push(fe.forbidden('spec.externalID', 'may not be updated'));
  return errs;
}
