// Services (ports, types, cluster IPs and families, traffic policies) and Endpoints.

import { fe, type FieldError } from '../../errors.js';
import { clone, type Obj } from '../../types.js';
import { patchServiceAllocatedValues } from '../../defaults/strategy.js';
import { ipBytes, ipFamily, isDNS1123Subdomain, isValidCIDR, isValidIP, isValidPortNum, nameIsDNS1035Label, nameIsDNSSubdomain } from '../names.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../meta.js';
import { SUPPORTED_PROTOCOLS, validateDNS1123Label, validatePortNumOrName, validateQualifiedName } from './container.js';
import { arr, child, has, index, isObj, num, obj, str } from '../util.js';

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;

function isHeadless(spec: Obj): boolean {
  const ips = arr(spec.clusterIPs);
  return ips.length === 1 && ips[0] === 'None';
}

function externallyAccessible(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
}

function needsHealthCheck(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

/** ValidateNonSpecialIP: no unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(ip: string, path: string): FieldError[] {
  const b = ipBytes(ip);
  if (!b) return [fe.invalid(path, ip, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const v4 = ipFamily(ip) === 4;
  const a = v4 ? b.slice(12) : b;
  const zero = a.every((x) => x === 0);
  if (zero) errs.push(fe.invalid(path, ip, `may not be unspecified (${ip})`));
  const loopback = v4 ? a[0] === 127 : a.slice(0, 15).every((x) => x === 0) && a[15] === 1;
  if (loopback) errs.push(fe.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  const linkLocal = v4 ? a[0] === 169 && a[1] === 254 : a[0] === 0xfe && (a[1] & 0xc0) === 0x80;
  if (linkLocal) errs.push(fe.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  const llMulticast = v4 ? a[0] === 224 && a[1] === 0 && a[2] === 0 : a[0] === 0xff && (a[1] & 0x0f) === 0x02;
  if (llMulticast) errs.push(fe.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

function validateServicePort(sp: Obj, requireName: boolean, names: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(sp.name);
  if (requireName && !name) errs.push(fe.required(child(path, 'name')));
  else if (name) {
    errs.push(...validateDNS1123Label(name, child(path, 'name')));
    if (names.has(name)) errs.push(fe.duplicate(child(path, 'name'), name));
    else names.add(name);
  }
  for (const m of isValidPortNum(num(sp.port))) errs.push(fe.invalid(child(path, 'port'), num(sp.port), m));
  const proto = str(sp.protocol);
  if (!proto) errs.push(fe.required(child(path, 'protocol')));
  else if (!SUPPORTED_PROTOCOLS.includes(proto)) errs.push(fe.notSupported(child(path, 'protocol'), proto, SUPPORTED_PROTOCOLS));
  errs.push(...validatePortNumOrName(sp.targetPort ?? 0, child(path, 'targetPort')));
  if (has(sp, 'appProtocol')) errs.push(...validateQualifiedName(str(sp.appProtocol), child(path, 'appProtocol')));
  return errs;
}

function validateClusterIPsRelated(spec: Obj): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ipsPath = 'spec.clusterIPs';
  const clusterIP = str(spec.clusterIP);
  const clusterIPs = arr(spec.clusterIPs).map(str);
  if (clusterIP) {
    if (clusterIPs.length === 0) errs.push(fe.required(ipsPath));
    else if (clusterIPs[0] !== clusterIP) errs.push(fe.invalid(ipsPath, clusterIPs, 'first value must match `clusterIP`'));
  } else if (clusterIPs.length) {
    errs.push(fe.invalid(ipsPath, clusterIPs, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  arr(spec.ipFamilies).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(fe.notSupported(index('spec.ipFamilies', i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(fe.duplicate(index('spec.ipFamilies', i), f));
    seen.add(f);
  });
  if (has(spec, 'ipFamilyPolicy') && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(spec.ipFamilyPolicy)) {
    errs.push(fe.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  }
  let invalidIPs = false;
  clusterIPs.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (clusterIPs.length > 1) {
        invalidIPs = true;
        errs.push(fe.invalid(ipsPath, clusterIPs, "'None' must be the first and only value"));
      }
      return;
    }
    const msgs = isValidIP(ip);
    if (msgs.length) invalidIPs = true;
    for (const m of msgs) errs.push(fe.invalid(index(ipsPath, i), ip, m));
  });
  if (clusterIPs.length > 2) errs.push(fe.invalid(ipsPath, clusterIPs, 'may only hold up to 2 values'));
  if (invalidIPs) return errs;
  if (clusterIPs.length > 1 && ipFamily(clusterIPs[0]) === ipFamily(clusterIPs[1])) {
    errs.push(fe.invalid(ipsPath, clusterIPs, 'may specify no more than one IP for each IP family'));
  }
  const families = arr(spec.ipFamilies);
  if (!isHeadless(spec) && clusterIPs.length && families.length) {
    clusterIPs.forEach((ip, i) => {
      if (i > families.length - 1) return;
      const fam = ipFamily(ip);
      if (families[i] === 'IPv4' && fam === 6) errs.push(fe.invalid(index(ipsPath, i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && fam !== 6) errs.push(fe.invalid(index(ipsPath, i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

export function validateService(svc: Obj): FieldError[] {
  const meta = obj(svc.metadata);
  const spec = obj(svc.spec);
  const errs = validateObjectMeta(meta, true, nameIsDNS1035Label);
  const ann = obj(meta.annotations);
  const hints = 'service.kubernetes.io/topology-aware-hints';
  const mode = 'service.kubernetes.io/topology-mode';
  if (mode in ann && hints in ann && ann[mode] !== ann[hints]) {
    errs.push(fe.invalid(`metadata.annotations[${mode}]`, ann[mode], `must match annotations[${hints}] when both are specified`));
  }
  const ports = arr(spec.ports).map(obj);
  const type = str(spec.type);
  if (ports.length === 0 && !isHeadless(spec) && type !== 'ExternalName') errs.push(fe.required('spec.ports'));
  if (type === 'LoadBalancer' && isHeadless(spec)) errs.push(fe.invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
  if (type === 'NodePort' && isHeadless(spec)) errs.push(fe.invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
  if (type === 'ExternalName') {
    if (arr(spec.clusterIPs).length > 0) errs.push(fe.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arr(spec.ipFamilies).length > 0) errs.push(fe.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (has(spec, 'ipFamilyPolicy')) errs.push(fe.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) for (const m of isDNS1123Subdomain(cname)) errs.push(fe.invalid('spec.externalName', cname, m));
    else errs.push(fe.required('spec.externalName'));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, index('spec.ports', i))));
  if (isObj(spec.selector)) errs.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = str(spec.sessionAffinity);
  if (!affinity) errs.push(fe.required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None') errs.push(fe.notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (affinity === 'ClientIP') {
    const cfg = spec.sessionAffinityConfig;
    const p = 'spec.sessionAffinityConfig';
    if (!isObj(cfg)) errs.push(fe.required(p, 'when session affinity type is ClientIP'));
    else if (!isObj(cfg.clientIP)) errs.push(fe.required(`${p}.clientIP`, 'when session affinity type is ClientIP'));
    else if (!has(cfg.clientIP, 'timeoutSeconds')) errs.push(fe.required(`${p}.clientIP.timeoutSeconds`, 'when session affinity type is ClientIP'));
    else {
      const t = num(cfg.clientIP.timeoutSeconds);
      if (t <= 0 || t > MAX_CLIENT_IP_AFFINITY_SECONDS) errs.push(fe.invalid(`${p}.clientIP.timeoutSeconds`, t, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
    }
  } else if (affinity === 'None' && has(spec, 'sessionAffinityConfig')) {
    errs.push(fe.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  errs.push(...validateClusterIPsRelated(spec));
  arr(spec.externalIPs).forEach((ip, i) => {
    const p = index('spec.externalIPs', i);
    const msgs = isValidIP(str(ip));
    if (msgs.length) for (const m of msgs) errs.push(fe.invalid(p, str(ip), m));
    else errs.push(...validateNonSpecialIP(str(ip), p));
  });
  if (!type) errs.push(fe.required('spec.type'));
  else if (!SERVICE_TYPES.includes(type)) errs.push(fe.notSupported('spec.type', type, SERVICE_TYPES));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => { if (num(p.nodePort)) errs.push(fe.forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'")); });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!num(p.nodePort)) return;
    const k = `${str(p.protocol)}/${p.nodePort}`;
    if (nodePorts.has(k)) errs.push(fe.duplicate(`spec.ports[${i}].nodePort`, p.nodePort));
    nodePorts.add(k);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const k = `${str(p.protocol)}/${num(p.port)}`;
    if (portKeys.has(k)) errs.push(fe.duplicate(index('spec.ports', i), { port: num(p.port), protocol: str(p.protocol) }));
    portKeys.add(k);
  });
  const ranges = arr(spec.loadBalancerSourceRanges);
  if (ranges.length) {
    if (type !== 'LoadBalancer') errs.push(fe.forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => { for (const m of isValidCIDR(str(r).trim())) errs.push(fe.invalid(index('spec.LoadBalancerSourceRanges', i), str(r).trim(), m)); });
  } else if ('service.beta.kubernetes.io/load-balancer-source-ranges' in ann) {
    const p = 'metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]';
    if (type !== 'LoadBalancer') errs.push(fe.forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    const val = str(ann['service.beta.kubernetes.io/load-balancer-source-ranges']).trim();
    if (val) for (const c of val.split(',')) for (const m of isValidCIDR(c.trim())) errs.push(fe.invalid(p, c.trim(), m));
  }
  if (has(spec, 'allocateLoadBalancerNodePorts') && type !== 'LoadBalancer') {
    errs.push(fe.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type === 'LoadBalancer' && !has(spec, 'allocateLoadBalancerNodePorts')) errs.push(fe.required('allocateLoadBalancerNodePorts'));
  if (type === 'LoadBalancer') {
    if (has(spec, 'loadBalancerClass')) errs.push(...validateQualifiedName(str(spec.loadBalancerClass), 'spec.loadBalancerClass'));
  } else if (has(spec, 'loadBalancerClass')) {
    errs.push(fe.forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  if (!externallyAccessible(spec)) {
    if (str(spec.externalTrafficPolicy)) errs.push(fe.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else if (!str(spec.externalTrafficPolicy)) {
    errs.push(fe.required('spec.externalTrafficPolicy'));
  } else if (spec.externalTrafficPolicy !== 'Cluster' && spec.externalTrafficPolicy !== 'Local') {
    errs.push(fe.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (!needsHealthCheck(spec)) {
    if (num(spec.healthCheckNodePort)) errs.push(fe.invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (!num(spec.healthCheckNodePort)) {
    errs.push(fe.required('spec.healthCheckNodePort'));
  } else {
    for (const m of isValidPortNum(spec.healthCheckNodePort)) errs.push(fe.invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, m));
  }
  if (!has(spec, 'internalTrafficPolicy')) {
    if (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP') errs.push(fe.required('spec.internalTrafficPolicy'));
  } else if (spec.internalTrafficPolicy !== 'Cluster' && spec.internalTrafficPolicy !== 'Local') {
    errs.push(fe.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (has(spec, 'trafficDistribution') && spec.trafficDistribution !== 'PreferClose') {
    errs.push(fe.notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return errs;
}

function validateClusterIPsUpdate(oldSpec: Obj, spec: Obj): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (isHeadless(oldSpec) && isHeadless(spec)) return [];
  const errs: FieldError[] = [];
  const o = arr(oldSpec.clusterIPs).map(str);
  const n = arr(spec.clusterIPs).map(str);
  if (o.length === n.length) {
    o.forEach((ip, i) => { if (ip !== n[i]) errs.push(fe.invalid(`spec.clusterIPs[${i}]`, n, 'may not change once set')); });
  } else if (o.length > n.length) {
    if (n.length === 0) errs.push(fe.invalid('spec.clusterIPs[0]', n, 'primary clusterIP can not be unset'));
    if (o.length && n.length && n[0] !== o[0]) errs.push(fe.invalid('spec.clusterIPs[0]', n, 'may not change once set'));
    if (n.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(fe.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (o.length && n[0] !== o[0]) {
    errs.push(fe.invalid('spec.clusterIPs[0]', n, 'may not change once set'));
  }
  return errs;
}

function validateIPFamiliesUpdate(oldSpec: Obj, spec: Obj): FieldError[] {
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  if (isHeadless(oldSpec) !== isHeadless(spec) || isHeadless(spec)) return [];
  const errs: FieldError[] = [];
  const o = arr(oldSpec.ipFamilies).map(str);
  const n = arr(spec.ipFamilies).map(str);
  if (o.length === n.length) {
    o.forEach((f, i) => { if (f !== n[i]) errs.push(fe.invalid('spec.ipFamilies[0]', n, 'may not change once set')); });
  } else if (o.length > n.length) {
    if (arr(spec.clusterIPs).length === 0) errs.push(fe.invalid('spec.ipFamilies[0]', n, 'primary ipFamily can not be unset'));
    if (n.length && n[0] !== o[0]) errs.push(fe.invalid('spec.ipFamilies[0]', arr(spec.clusterIPs), 'may not change once set'));
    if (n.length === 1 && spec.ipFamilyPolicy !== 'SingleStack') {
      errs.push(fe.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (o.length && n.length && n[0] !== o[0]) {
    errs.push(fe.invalid('spec.ipFamilies[0]', arr(spec.clusterIPs), 'may not change once set'));
  }
  return errs;
}

export function validateServiceUpdate(svc0: Obj, old: Obj): FieldError[] {
  // An update that omits allocated values keeps the stored ones (the strategy's
  // patchAllocatedValues); judge the object as it will be stored.
  const svc = clone(svc0);
  patchServiceAllocatedValues(svc, old);
  const spec = obj(svc.spec);
  const oldSpec = obj(old.spec);
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  errs.push(...validateClusterIPsUpdate(oldSpec, spec));
  errs.push(...validateIPFamiliesUpdate(oldSpec, spec));
  if (oldSpec.type === 'LoadBalancer' && spec.type === 'LoadBalancer' && str(oldSpec.loadBalancerClass) !== str(spec.loadBalancerClass)) {
    errs.push(fe.invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && num(spec.healthCheckNodePort) !== num(oldSpec.healthCheckNodePort)) {
    errs.push(fe.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  errs.push(...validateService(svc));
  return errs;
}

export function validateServiceStatusUpdate(svc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata);
  const ingress = arr(obj(obj(svc.status).loadBalancer).ingress);
  const p = 'status.loadBalancer.ingress';
  if (obj(svc.spec).type !== 'LoadBalancer' && ingress.length) {
    errs.push(fe.forbidden(p, "may only be used when `spec.type` is 'LoadBalancer'"));
    return errs;
  }
  ingress.forEach((ing, i) => {
    const ip = index(p, i);
    if (str(ing?.ip)) for (const m of isValidIP(ing.ip)) errs.push(fe.invalid(`${ip}.ip`, ing.ip, m));
    if (has(ing, 'ipMode') && !str(ing.ip)) errs.push(fe.forbidden(`${ip}.ipMode`, 'may not be specified when `ip` is not set'));
    else if (str(ing?.ip) && !has(ing, 'ipMode')) errs.push(fe.required(`${ip}.ipMode`, 'must be specified when `ip` is set'));
    else if (has(ing, 'ipMode') && ing.ipMode !== 'VIP' && ing.ipMode !== 'Proxy') errs.push(fe.notSupported(`${ip}.ipMode`, ing.ipMode, ['Proxy', 'VIP']));
    if (str(ing?.hostname)) {
      for (const m of isDNS1123Subdomain(ing.hostname)) errs.push(fe.invalid(`${ip}.hostname`, ing.hostname, m));
      if (ipFamily(ing.hostname)) errs.push(fe.invalid(`${ip}.hostname`, ing.hostname, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}

// ---- Endpoints ----

function validateEndpointAddress(a: Obj, path: string, selfEndpoints: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const m of isValidIP(str(a.ip))) errs.push(fe.invalid(child(path, 'ip'), str(a.ip), m));
  if (str(a.hostname)) errs.push(...validateDNS1123Label(a.hostname, child(path, 'hostname')));
  if (has(a, 'nodeName')) for (const m of nameIsDNSSubdomain(str(a.nodeName), false)) errs.push(fe.invalid(child(path, 'nodeName'), a.nodeName, m));
  // The server's own default/kubernetes endpoints may point at a loopback advertise address
  // (a one-machine cluster listening on 127.0.0.1); every other Endpoints object may not.
  const special = validateNonSpecialIP(str(a.ip), child(path, 'ip'));
  errs.push(...(selfEndpoints ? special.filter((e) => !str(e.detail).startsWith('may not be in the loopback range')) : special));
  return errs;
}

export function validateEndpointPort(p: Obj, requireName: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(p.name);
  if (requireName && !name) errs.push(fe.required(child(path, 'name')));
  else if (name) errs.push(...validateDNS1123Label(name, child(path, 'name')));
  for (const m of isValidPortNum(num(p.port))) errs.push(fe.invalid(child(path, 'port'), num(p.port), m));
  const proto = str(p.protocol);
  if (!proto) errs.push(fe.required(child(path, 'protocol')));
  else if (!SUPPORTED_PROTOCOLS.includes(proto)) errs.push(fe.notSupported(child(path, 'protocol'), proto, SUPPORTED_PROTOCOLS));
  if (has(p, 'appProtocol')) errs.push(...validateQualifiedName(str(p.appProtocol), child(path, 'appProtocol')));
  return errs;
}

export function validateEndpoints(ep: Obj): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain);
  const self = obj(ep.metadata).name === 'kubernetes' && obj(ep.metadata).namespace === 'default';
  arr(ep.subsets).forEach((ss0, i) => {
    const ss = obj(ss0);
    const p = index('subsets', i);
    if (arr(ss.addresses).length === 0 && arr(ss.notReadyAddresses).length === 0) errs.push(fe.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    arr(ss.addresses).forEach((a, j) => errs.push(...validateEndpointAddress(obj(a), index(`${p}.addresses`, j), self)));
    arr(ss.notReadyAddresses).forEach((a, j) => errs.push(...validateEndpointAddress(obj(a), index(`${p}.notReadyAddresses`, j), self)));
    const ports = arr(ss.ports);
    ports.forEach((pt, j) => errs.push(...validateEndpointPort(obj(pt), ports.length > 1, index(`${p}.ports`, j))));
  });
  return errs;
}

export function validateEndpointsUpdate(ep: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(ep.metadata, old.metadata), ...validateEndpoints(ep)];
}
