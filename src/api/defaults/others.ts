// Defaulting for the remaining groups: networking, storage, rbac, scheduling, autoscaling,
// discovery, admissionregistration and apiextensions.

import type { Obj } from '../types.js';
import { arr, has, isObj } from '../validation/util.js';
import type { DecodeContext } from './quantities.js';

export function defaultNetworkPolicy(np: Obj): void {
  if (!isObj(np.spec)) np.spec = {};
  const spec = np.spec;
  for (const dir of ['ingress', 'egress']) {
    for (const rule of arr(spec[dir])) for (const p of arr(rule?.ports)) if (isObj(p) && !has(p, 'protocol')) p.protocol = 'TCP';
  }
  if (arr(spec.policyTypes).length === 0) {
    spec.policyTypes = arr(spec.egress).length ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

export function defaultIngressClass(ic: Obj): void {
  const params = ic.spec?.parameters;
  if (isObj(params) && !has(params, 'scope')) params.scope = 'Cluster';
}

export function defaultStorageClass(sc: Obj): void {
  if (!has(sc, 'reclaimPolicy')) sc.reclaimPolicy = 'Delete';
  if (!has(sc, 'volumeBindingMode')) sc.volumeBindingMode = 'Immediate';
}

export function defaultCSIDriver(d: Obj): void {
  if (!isObj(d.spec)) d.spec = {};
  const spec = d.spec;
  if (typeof spec.attachRequired !== 'boolean') spec.attachRequired = true;
  for (const f of ['podInfoOnMount', 'storageCapacity', 'requiresRepublish', 'seLinuxMount']) if (typeof spec[f] !== 'boolean') spec[f] = false;
  if (!has(spec, 'fsGroupPolicy')) spec.fsGroupPolicy = 'ReadWriteOnceWithFSType';
  if (arr(spec.volumeLifecycleModes).length === 0) spec.volumeLifecycleModes = ['Persistent'];
}

export function defaultCSIStorageCapacity(c: Obj, dc: DecodeContext): void {
  dc.field(c, 'capacity');
  dc.field(c, 'maximumVolumeSize');
}

export function defaultRoleBinding(rb: Obj): void {
  if (!isObj(rb.roleRef)) rb.roleRef = {};
  if (!rb.roleRef.apiGroup) rb.roleRef.apiGroup = 'rbac.authorization.k8s.io';
  for (const s of arr(rb.subjects)) {
    if (!isObj(s) || s.apiGroup) continue;
    if (s.kind === 'ServiceAccount') s.apiGroup = '';
    else if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = 'rbac.authorization.k8s.io';
  }
}

export function defaultPriorityClass(pc: Obj): void {
  if (!has(pc, 'preemptionPolicy')) pc.preemptionPolicy = 'PreemptLowerPriority';
}

const DEFAULT_SCALE_UP = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
const DEFAULT_SCALE_DOWN = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

function scalingRules(given: unknown, defaults: Obj): Obj {
  const out: Obj = JSON.parse(JSON.stringify(defaults));
  if (!isObj(given)) return out;
  for (const f of ['selectPolicy', 'stabilizationWindowSeconds', 'policies']) if (given[f] !== undefined && given[f] !== null) out[f] = given[f];
  return out;
}

export function defaultHPA(hpa: Obj, version: string, dc: DecodeContext): void {
  if (!isObj(hpa.spec)) hpa.spec = {};
  const spec = hpa.spec;
  if (typeof spec.minReplicas !== 'number') spec.minReplicas = 1;
  if (version === 'v1') return;
  if (arr(spec.metrics).length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isObj(spec.behavior)) {
    spec.behavior.scaleUp = scalingRules(spec.behavior.scaleUp, DEFAULT_SCALE_UP);
    spec.behavior.scaleDown = scalingRules(spec.behavior.scaleDown, DEFAULT_SCALE_DOWN);
  }
  for (const m of arr(spec.metrics)) {
    for (const src of ['object', 'pods', 'resource', 'external', 'containerResource']) {
      const target = m?.[src]?.target;
      if (isObj(target)) { dc.field(target, 'value'); dc.field(target, 'averageValue'); }
    }
  }
  for (const m of arr(hpa.status?.currentMetrics)) {
    for (const src of ['object', 'pods', 'resource', 'external', 'containerResource']) {
      const cur = m?.[src]?.current;
      if (isObj(cur)) { dc.field(cur, 'value'); dc.field(cur, 'averageValue'); }
    }
  }
}

export function defaultEndpointSlice(es: Obj): void {
  for (const p of arr(es.ports)) {
    if (!isObj(p)) continue;
    if (!has(p, 'name')) p.name = '';
    if (!has(p, 'protocol')) p.protocol = 'TCP';
  }
}

export function defaultWebhookConfiguration(cfg: Obj, mutating: boolean): void {
  for (const w of arr(cfg.webhooks)) {
    if (!isObj(w)) continue;
    if (!has(w, 'failurePolicy')) w.failurePolicy = 'Fail';
    if (!has(w, 'matchPolicy')) w.matchPolicy = 'Equivalent';
    if (!isObj(w.namespaceSelector)) w.namespaceSelector = {};
    if (!isObj(w.objectSelector)) w.objectSelector = {};
    if (!has(w, 'timeoutSeconds')) w.timeoutSeconds = 10;
    if (mutating && !has(w, 'reinvocationPolicy')) w.reinvocationPolicy = 'Never';
    for (const r of arr(w.rules)) if (isObj(r) && !has(r, 'scope')) r.scope = '*';
    const svc = w.clientConfig?.service;
    if (isObj(svc) && !has(svc, 'port')) svc.port = 443;
  }
}

export function defaultCRD(crd: Obj): void {
  if (!isObj(crd.spec)) crd.spec = {};
  const spec = crd.spec;
  if (!isObj(spec.names)) spec.names = {};
  const names = spec.names;
  if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  if (!isObj(spec.conversion)) spec.conversion = { strategy: 'None' };
  const svc = spec.conversion.webhook?.clientConfig?.service;
  if (isObj(svc) && !has(svc, 'port')) svc.port = 443;
}
