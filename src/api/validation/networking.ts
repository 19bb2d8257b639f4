// networking.k8s.io/v1: NetworkPolicies, Ingresses and IngressClasses.

import { fe, type FieldError } from '../errors.js';
import type { Obj } from '../types.js';
import {
  ipFamily, isDNS1123Subdomain, isDomainPrefixedPath, isValidCIDR, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain,
  nameIsDNS1035Label, nameIsDNSSubdomain, parseCIDR, pathSegmentName, validateNamespaceName, ipBytes,
} from './names.js';
import { validateImmutableField, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { arr, child, has, index, isObj, obj, str } from './util.js';

function validateNetworkPolicyPort(port: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (has(port, 'protocol') && !['TCP', 'UDP', 'SCTP'].includes(port.protocol)) errs.push(fe.notSupported(child(path, 'protocol'), port.protocol, ['TCP', 'UDP', 'SCTP']));
  if (has(port, 'port')) {
    if (typeof port.port === 'number') {
      for (const m of isValidPortNum(port.port)) errs.push(fe.invalid(child(path, 'port'), port.port, m));
      if (has(port, 'endPort')) {
        if (port.endPort < port.port) errs.push(fe.invalid(child(path, 'endPort'), port.endPort, 'must be greater than or equal to `port`'));
        for (const m of isValidPortNum(port.endPort)) errs.push(fe.invalid(child(path, 'endPort'), port.endPort, m));
      }
    } else {
      if (has(port, 'endPort')) errs.push(fe.invalid(child(path, 'endPort'), port.endPort, 'may not be specified when `port` is non-numeric'));
      for (const m of isValidPortName(str(port.port))) errs.push(fe.invalid(child(path, 'port'), str(port.port), m));
    }
  } else if (has(port, 'endPort')) {
    errs.push(fe.invalid(child(path, 'endPort'), port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

function cidrContains(outer: string, inner: string): boolean {
  const a = parseCIDR(outer);
  const b = parseCIDR(inner);
  if (!a || !b || a.family !== b.family || a.bits >= b.bits) return false;
  const ab = ipBytes(a.ip)!;
  const bb = ipBytes(b.ip)!;
  const offset = a.family === 4 ? 12 : 0;
  for (let bit = 0; bit < a.bits; bit++) {
    const byte = offset + (bit >> 3);
    const mask = 0x80 >> (bit & 7);
    if ((ab[byte] & mask) !== (bb[byte] & mask)) return false;
  }
  return true;
}

function validateIPBlock(ipb: Obj, path: string): FieldError[] {
  if (!str(ipb.cidr)) return [fe.required(child(path, 'cidr'))];
  const errs = isValidCIDR(ipb.cidr).map((m) => fe.invalid(child(path, 'cidr'), ipb.cidr, m));
  if (errs.length) return errs;
  arr(ipb.except).forEach((e, i) => {
    const p = index(child(path, 'except'), i);
    const msgs = isValidCIDR(str(e));
    for (const m of msgs) errs.push(fe.invalid(p, str(e), m));
    if (!msgs.length && !cidrContains(ipb.cidr, str(e))) errs.push(fe.invalid(p, str(e), 'must be a strict subset of `cidr`'));
  });
  return errs;
}

function validatePeer(peer: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  if (isObj(peer.podSelector)) { n++; errs.push(...validateLabelSelector(peer.podSelector, child(path, 'podSelector'))); }
  if (isObj(peer.namespaceSelector)) { n++; errs.push(...validateLabelSelector(peer.namespaceSelector, child(path, 'namespaceSelector'))); }
  if (isObj(peer.ipBlock)) { n++; errs.push(...validateIPBlock(peer.ipBlock, child(path, 'ipBlock'))); }
  if (n === 0) errs.push(fe.required(path, 'must specify a peer'));
  else if (n > 1 && isObj(peer.ipBlock)) errs.push(fe.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

export function validateNetworkPolicy(np: Obj): FieldError[] {
  const errs = validateObjectMeta(np.metadata, true, nameIsDNSSubdomain);
  const spec = obj(np.spec);
  errs.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    arr(spec[dir]).forEach((rule, i) => {
      const rp = index(`spec.${dir}`, i);
      arr(rule?.ports).forEach((p, j) => errs.push(...validateNetworkPolicyPort(obj(p), index(`${rp}.ports`, j))));
      arr(rule?.[peers]).forEach((p, j) => errs.push(...validatePeer(obj(p), index(`${rp}.${peers}`, j))));
    });
  }
  const types = arr(spec.policyTypes);
  if (types.length > 2) {
    errs.push(fe.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => { if (t !== 'Ingress' && t !== 'Egress') errs.push(fe.notSupported(index('spec.policyTypes', i), t, ['Ingress', 'Egress'])); });
  return errs;
}

export function validateNetworkPolicyUpdate(np: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(np.metadata, old.metadata), ...validateNetworkPolicy(np).filter((e) => !e.field.startsWith('metadata.'))];
}

// ---- Ingress ----

const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];

function validateIngressBackend(b: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const hasResource = isObj(b.resource);
  const hasService = isObj(b.service);
  if (hasResource && hasService) return [fe.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = b.resource;
    const rp = child(path, 'resource');
    if (has(r, 'apiGroup')) for (const m of isDNS1123Subdomain(str(r.apiGroup))) errs.push(fe.invalid(child(rp, 'apiGroup'), r.apiGroup, m));
    if (!str(r.kind)) errs.push(fe.required(child(rp, 'kind')));
    else for (const m of pathSegmentName(r.kind, false)) errs.push(fe.invalid(child(rp, 'kind'), r.kind, m));
    if (!str(r.name)) errs.push(fe.required(child(rp, 'name')));
    else for (const m of pathSegmentName(r.name, false)) errs.push(fe.invalid(child(rp, 'name'), r.name, m));
    return errs;
  }
  if (!hasService) return [fe.invalid(path, '', 'resource or service backend is required')];
  const s = b.service;
  const name = str(s.name);
  if (!name) errs.push(fe.required(child(path, 'service', 'name')));
  else for (const m of nameIsDNS1035Label(name, false)) errs.push(fe.invalid(child(path, 'service', 'name'), name, m));
  const port = obj(s.port);
  const hasName = str(port.name).length > 0;
  const hasNumber = typeof port.number === 'number' && port.number !== 0;
  if (hasName && hasNumber) errs.push(fe.invalid(path, '', 'cannot set both port name & port number'));
  else if (hasName) for (const m of isValidPortName(port.name)) errs.push(fe.invalid(child(path, 'service', 'port', 'name'), port.name, m));
  else if (hasNumber) for (const m of isValidPortNum(port.number)) errs.push(fe.invalid(child(path, 'service', 'port', 'number'), port.number, m));
  else errs.push(fe.required(path, 'port name or number is required'));
  return errs;
}

function validateHTTPPath(p: Obj, path: string): FieldError[] {
  if (!has(p, 'pathType')) return [fe.required(child(path, 'pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const pth = str(p.path);
  switch (p.pathType) {
    case 'Exact': case 'Prefix':
      if (!pth.startsWith('/')) errs.push(fe.invalid(child(path, 'path'), pth, 'must be an absolute path'));
      if (pth) {
        for (const s of INVALID_SEQUENCES) if (pth.includes(s)) errs.push(fe.invalid(child(path, 'path'), pth, `must not contain '${s}'`));
        for (const s of INVALID_SUFFIXES) if (pth.endsWith(s)) errs.push(fe.invalid(child(path, 'path'), pth, `cannot end with '${s}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (pth && !pth.startsWith('/')) errs.push(fe.invalid(child(path, 'path'), pth, 'must be an absolute path'));
      break;
    default:
      errs.push(fe.notSupported(child(path, 'pathType'), p.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
  }
  errs.push(...validateIngressBackend(obj(p.backend), child(path, 'backend')));
  return errs;
}

function validateIngressSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = arr(spec.rules);
  if (rules.length === 0 && !isObj(spec.defaultBackend)) errs.push(fe.invalid(path, rules, 'either `defaultBackend` or `rules` must be specified'));
  if (isObj(spec.defaultBackend)) errs.push(...validateIngressBackend(spec.defaultBackend, child(path, 'defaultBackend')));
  rules.forEach((r0, i) => {
    const r = obj(r0);
    const rp = index(child(path, 'rules'), i);
    const host = str(r.host);
    if (host) {
      if (ipFamily(host)) errs.push(fe.invalid(child(rp, 'host'), host, 'must be a DNS name, not an IP address'));
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) errs.push(fe.invalid(child(rp, 'host'), host, m));
    }
    if (isObj(r.http)) {
      const paths = arr(r.http.paths);
      if (paths.length === 0) errs.push(fe.required(child(rp, 'http', 'paths')));
      paths.forEach((p, j) => errs.push(...validateHTTPPath(obj(p), index(child(rp, 'http', 'paths'), j))));
    }
  });
  arr(spec.tls).forEach((t, i) => {
    const tp = index(child(path, 'tls'), i);
    arr(t?.hosts).forEach((h, j) => {
      const host = str(h);
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) errs.push(fe.invalid(index(child(tp, 'hosts'), j), host, m));
    });
    if (str(t?.secretName)) for (const m of nameIsDNSSubdomain(t.secretName, false)) errs.push(fe.invalid(child(tp, 'secretName'), t.secretName, m));
  });
  if (has(spec, 'ingressClassName')) {
    for (const m of nameIsDNSSubdomain(str(spec.ingressClassName), false)) errs.push(fe.invalid(child(path, 'ingressClassName'), spec.ingressClassName, m));
  }
  return errs;
}

export function validateIngress(ing: Obj): FieldError[] {
  const errs = validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain);
  errs.push(...validateIngressSpec(obj(ing.spec), 'spec'));
  const ann = obj(obj(ing.metadata).annotations);
  const cls = 'kubernetes.io/ingress.class';
  if (cls in ann && has(obj(ing.spec), 'ingressClassName') && ann[cls] !== ing.spec.ingressClassName) {
    errs.push(fe.invalid(`annotations.${cls}`, ann[cls], 'must match `ingressClassName` when both are specified'));
  }
  return errs;
}

export function validateIngressUpdate(ing: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ing.metadata, old.metadata),
    ...validateObjectMeta(ing.metadata, true, nameIsDNSSubdomain),
    ...validateIngressSpec(obj(ing.spec), 'spec'),
  ];
}

function validateIngressClassSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const controller = str(spec.controller);
  if (!controller) errs.push(fe.required('spec.controller'));
  else {
    if (controller.length > 250) errs.push(fe.tooLong('spec.controller', '', 250));
    for (const e of isDomainPrefixedPath(controller)) errs.push(fe.invalid('spec.controller', e.value, e.msg));
  }
  if (isObj(spec.parameters)) {
    const p = spec.parameters;
    const pp = 'spec.parameters';
    if (has(p, 'apiGroup')) for (const m of isDNS1123Subdomain(str(p.apiGroup))) errs.push(fe.invalid(`${pp}.apiGroup`, p.apiGroup, m));
    if (!str(p.kind)) errs.push(fe.required(`${pp}.kind`));
    else for (const m of pathSegmentName(p.kind, false)) errs.push(fe.invalid(`${pp}.kind`, p.kind, m));
    if (!str(p.name)) errs.push(fe.required(`${pp}.name`));
    else for (const m of pathSegmentName(p.name, false)) errs.push(fe.invalid(`${pp}.name`, p.name, m));
    if (!has(p, 'scope')) errs.push(fe.required(`${pp}.scope`));
    else if (p.scope !== 'Namespace' && p.scope !== 'Cluster') errs.push(fe.notSupported(`${pp}.scope`, p.scope, ['Cluster', 'Namespace']));
    else if (p.scope === 'Namespace') {
      if (!has(p, 'namespace')) errs.push(fe.required(`${pp}.namespace`, "`parameters.scope` is set to 'Namespace'"));
      else for (const m of validateNamespaceName(str(p.namespace), false)) errs.push(fe.invalid(`${pp}.namespace`, p.namespace, m));
    } else if (has(p, 'namespace')) {
      errs.push(fe.forbidden(`${pp}.namespace`, "`parameters.scope` is set to 'Cluster'"));
    }
  }
  return errs;
}

export function validateIngressClass(ic: Obj): FieldError[] {
  return [...validateObjectMeta(ic.metadata, false, nameIsDNSSubdomain), ...validateIngressClassSpec(obj(ic.spec))];
}

export function validateIngressClassUpdate(ic: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(ic.metadata, old.metadata),
    ...validateImmutableField(obj(ic.spec).controller, obj(old.spec).controller, 'spec.controller'),
    ...validateIngressClass(ic),
  ];
}
