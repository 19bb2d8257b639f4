// rbac.authorization.k8s.io/v1: Roles, ClusterRoles and their bindings. Names only need to
// be valid path segments (as OpenShift-compatible RBAC always allowed).

import { fe, type FieldError } from '../errors.js';
import type { Obj } from '../types.js';
import { nameIsDNSSubdomain, pathSegmentName } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { arr, index, obj, semanticEqual, str } from './util.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validatePolicyRule(rule: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (arr(rule.verbs).length === 0) errs.push(fe.required(`${path}.verbs`, 'verbs must contain at least one value'));
  const nonResource = arr(rule.nonResourceURLs);
  if (nonResource.length > 0) {
    if (namespaced) errs.push(fe.invalid(`${path}.nonResourceURLs`, nonResource, 'namespaced rules cannot apply to non-resource URLs'));
    if (arr(rule.apiGroups).length || arr(rule.resources).length || arr(rule.resourceNames).length) {
      errs.push(fe.invalid(`${path}.nonResourceURLs`, nonResource, 'rules cannot apply to both regular resources and non-resource URLs'));
    }
    return errs;
  }
  if (arr(rule.apiGroups).length === 0) errs.push(fe.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  if (arr(rule.resources).length === 0) errs.push(fe.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  if (arr(rule.resourceNames).length > 0 && arr(rule.resources).length > 1) {
    errs.push(fe.required(`${path}.resourceNames`, 'resource names cannot apply to multiple resources'));
  }
  return errs;
}

export function validateRole(role: Obj, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(role.metadata, namespaced, pathSegmentName);
  arr(role.rules).forEach((r, i) => errs.push(...validatePolicyRule(obj(r), namespaced, index('rules', i))));
  return errs;
}

export function validateRoleUpdate(role: Obj, old: Obj, namespaced: boolean): FieldError[] {
  return [...validateRole(role, namespaced), ...validateObjectMetaUpdate(role.metadata, old.metadata)];
}

function validateSubject(s: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(s.name);
  if (!name) errs.push(fe.required(`${path}.name`));
  switch (s.kind) {
    case 'ServiceAccount':
      if (name) for (const m of nameIsDNSSubdomain(name, false)) errs.push(fe.invalid(`${path}.name`, name, m));
      if (str(s.apiGroup)) errs.push(fe.notSupported(`${path}.apiGroup`, s.apiGroup, ['']));
      if (!namespaced && !str(s.namespace)) errs.push(fe.required(`${path}.namespace`));
      break;
    case 'User':
      if (!name) errs.push(fe.invalid(`${path}.name`, name, 'user name cannot be empty'));
      if (s.apiGroup !== RBAC_GROUP) errs.push(fe.notSupported(`${path}.apiGroup`, str(s.apiGroup), [RBAC_GROUP]));
      break;
    case 'Group':
      if (!name) errs.push(fe.invalid(`${path}.name`, name, 'group name cannot be empty'));
      if (s.apiGroup !== RBAC_GROUP) errs.push(fe.notSupported(`${path}.apiGroup`, str(s.apiGroup), [RBAC_GROUP]));
      break;
    default:
      errs.push(fe.notSupported(`${path}.kind`, str(s.kind), ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

export function validateRoleBinding(rb: Obj, namespaced: boolean): FieldError[] {
  const errs = validateObjectMeta(rb.metadata, namespaced, pathSegmentName);
  const ref = obj(rb.roleRef);
  if (ref.apiGroup !== RBAC_GROUP) errs.push(fe.notSupported('roleRef.apiGroup', str(ref.apiGroup), [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) errs.push(fe.notSupported('roleRef.kind', str(ref.kind), kinds));
  if (!str(ref.name)) errs.push(fe.required('roleRef.name'));
  else for (const m of pathSegmentName(ref.name, false)) errs.push(fe.invalid('roleRef.name', ref.name, m));
  arr(rb.subjects).forEach((s, i) => errs.push(...validateSubject(obj(s), namespaced, index('subjects', i))));
  return errs;
}

export function validateRoleBindingUpdate(rb: Obj, old: Obj, namespaced: boolean): FieldError[] {
  const errs = [...validateRoleBinding(rb, namespaced), ...validateObjectMetaUpdate(rb.metadata, old.metadata)];
  if (!semanticEqual(rb.roleRef, old.roleRef)) errs.push(fe.invalid('roleRef', rb.roleRef, 'cannot change roleRef'));
  return errs;
}
