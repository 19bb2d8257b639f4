// core/v1 defaulting (pkg/apis/core/v1/defaults.go and the declarative +default tags):
// pod specs (also inside templates), containers, probes, volumes, services, and the rest.

import type { Obj } from '../types.js';
import { arr, has, isObj, str } from '../validation/util.js';
import type { DecodeContext } from './quantities.js';

const set = (o: Obj, k: string, v: unknown) => { if (o[k] === undefined || o[k] === null || o[k] === '') o[k] = v; };

/** parsers.ParseImageName's tag: "latest" when neither tag nor digest is given. */
export function imageTag(image: string): string | undefined {
  if (!image) return undefined;
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  if (/[A-Z]/.test(name.slice(name.indexOf('/') + 1)) || /\s/.test(image)) return undefined; // not a valid reference
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > lastSlash) return name.slice(colon + 1);
  return at >= 0 ? '' : 'latest';
}

/** Always for :latest (or no tag), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): string {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHTTPGet(h: unknown): void {
  if (!isObj(h)) return;
  set(h, 'path', '/');
  set(h, 'scheme', 'HTTP');
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  for (const [k, v] of [['timeoutSeconds', 1], ['periodSeconds', 10], ['successThreshold', 1], ['failureThreshold', 3]] as const) {
    if (!p[k]) p[k] = v;
  }
  defaultHTTPGet(p.httpGet);
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) set(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: Obj, dc: DecodeContext): void {
  if (!str(c.imagePullPolicy)) c.imagePullPolicy = defaultPullPolicy(str(c.image));
  set(c, 'terminationMessagePath', '/dev/termination-log');
  set(c, 'terminationMessagePolicy', 'File');
  for (const p of arr(c.ports)) if (isObj(p)) set(p, 'protocol', 'TCP');
  if (!isObj(c.resources)) c.resources = {};
  dc.resourceList(c.resources.limits);
  dc.resourceList(c.resources.requests);
  for (const e of arr(c.env)) {
    if (!isObj(e?.valueFrom)) continue;
    defaultFieldRef(e.valueFrom.fieldRef);
    dc.field(e.valueFrom.resourceFieldRef, 'divisor');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    for (const h of ['postStart', 'preStop']) if (isObj(c.lifecycle[h])) defaultHTTPGet(c.lifecycle[h].httpGet);
  }
}

const VOLUME_SOURCES = ['hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap', 'vsphereVolume',
  'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image'];

export function defaultPVCSpec(spec: unknown, dc: DecodeContext): void {
  if (!isObj(spec)) return;
  set(spec, 'volumeMode', 'Filesystem');
  if (isObj(spec.resources)) {
    dc.resourceList(spec.resources.requests);
    dc.resourceList(spec.resources.limits);
  }
}

function defaultVolume(v: Obj, dc: DecodeContext): void {
  if (!VOLUME_SOURCES.some((s) => isObj(v[s]))) v.emptyDir = {};
  if (isObj(v.emptyDir)) dc.field(v.emptyDir, 'sizeLimit');
  for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) if (isObj(v[s]) && !has(v[s], 'defaultMode')) v[s].defaultMode = 420;
  if (isObj(v.hostPath) && !has(v.hostPath, 'type')) v.hostPath.type = '';
  for (const item of arr(v.downwardAPI?.items)) {
    defaultFieldRef(item?.fieldRef);
    if (isObj(item?.resourceFieldRef)) dc.field(item.resourceFieldRef, 'divisor');
  }
  for (const src of arr(v.projected?.sources)) {
    if (isObj(src?.serviceAccountToken) && !has(src.serviceAccountToken, 'expirationSeconds')) src.serviceAccountToken.expirationSeconds = 3600;
    for (const item of arr(src?.downwardAPI?.items)) {
      defaultFieldRef(item?.fieldRef);
      if (isObj(item?.resourceFieldRef)) dc.field(item.resourceFieldRef, 'divisor');
    }
  }
  if (isObj(v.iscsi)) set(v.iscsi, 'iscsiInterface', 'default');
  if (isObj(v.rbd)) { set(v.rbd, 'pool', 'rbd'); set(v.rbd, 'user', 'admin'); set(v.rbd, 'keyring', '/etc/ceph/keyring'); }
  if (isObj(v.azureDisk)) {
    set(v.azureDisk, 'cachingMode', 'ReadWrite');
    set(v.azureDisk, 'fsType', 'ext4');
    if (!has(v.azureDisk, 'readOnly')) v.azureDisk.readOnly = false;
    set(v.azureDisk, 'kind', 'Shared');
  }
  if (isObj(v.scaleIO)) { set(v.scaleIO, 'storageMode', 'ThinProvisioned'); set(v.scaleIO, 'fsType', 'xfs'); }
  if (isObj(v.ephemeral?.volumeClaimTemplate)) defaultPVCSpec(v.ephemeral.volumeClaimTemplate.spec, dc);
}

/** SetDefaults_PodSpec and everything nested (applies to pods and to templates). */
export function defaultPodSpec(spec: unknown, dc: DecodeContext): void {
  if (!isObj(spec)) return;
  set(spec, 'dnsPolicy', 'ClusterFirst');
  set(spec, 'restartPolicy', 'Always');
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (typeof spec.terminationGracePeriodSeconds !== 'number') spec.terminationGracePeriodSeconds = 30;
  set(spec, 'schedulerName', 'default-scheduler');
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of arr(spec[list])) if (isObj(c)) defaultContainer(c, dc);
  }
  for (const v of arr(spec.volumes)) if (isObj(v)) defaultVolume(v, dc);
  if (isObj(spec.overhead)) dc.resourceList(spec.overhead);
  if (isObj(spec.resources)) {
    dc.resourceList(spec.resources.limits);
    dc.resourceList(spec.resources.requests);
  }
}

export function defaultPodTemplateSpec(tmpl: unknown, dc: DecodeContext): void {
  if (isObj(tmpl)) defaultPodSpec(tmpl.spec, dc);
}

/** SetDefaults_Pod: pod-only defaults on top of the spec's. */
export function defaultPod(pod: Obj, dc: DecodeContext): void {
  if (!isObj(pod.spec)) pod.spec = {};
  const spec = pod.spec;
  defaultPodSpec(spec, dc);
  // Requests default to limits, for pods only (not templates).
  for (const list of ['containers', 'initContainers']) {
    for (const c of arr(spec[list])) {
      const limits = c?.resources?.limits;
      if (!isObj(limits)) continue;
      c.resources.requests = { ...limits, ...(isObj(c.resources.requests) ? c.resources.requests : {}) };
    }
  }
  if (typeof spec.enableServiceLinks !== 'boolean') spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    for (const list of ['containers', 'initContainers']) {
      for (const c of arr(spec[list])) for (const p of arr(c?.ports)) if (isObj(p) && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
}

function isHeadless(spec: Obj): boolean {
  return spec.clusterIP === 'None' || (arr(spec.clusterIPs).length === 1 && spec.clusterIPs[0] === 'None');
}

/** SetDefaults_Service plus the IP family fields the allocator fills on a single-stack cluster. */
export function defaultService(svc: Obj): void {
  if (!isObj(svc.spec)) svc.spec = {};
  const spec = svc.spec;
  set(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  set(spec, 'type', 'ClusterIP');
  for (const p of arr(spec.ports)) {
    if (!isObj(p)) continue;
    set(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const type = spec.type;
  const external = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && arr(spec.externalIPs).length > 0);
  if (external) set(spec, 'externalTrafficPolicy', 'Cluster');
  if (!has(spec, 'internalTrafficPolicy') && (type === 'NodePort' || type === 'LoadBalancer' || type === 'ClusterIP')) spec.internalTrafficPolicy = 'Cluster';
  if (type === 'LoadBalancer') {
    if (typeof spec.allocateLoadBalancerNodePorts !== 'boolean') spec.allocateLoadBalancerNodePorts = true;
    for (const ing of arr(svc.status?.loadBalancer?.ingress)) if (isObj(ing) && str(ing.ip) && !has(ing, 'ipMode')) ing.ipMode = 'VIP';
  }
  if (type !== 'ExternalName') {
    // The strategy keeps clusterIP and clusterIPs in step (normalizeClusterIPs).
    if (str(spec.clusterIP) && arr(spec.clusterIPs).length === 0) spec.clusterIPs = [spec.clusterIP];
    else if (!str(spec.clusterIP) && arr(spec.clusterIPs).length > 0) spec.clusterIP = spec.clusterIPs[0];
    if (!has(spec, 'ipFamilyPolicy')) {
      spec.ipFamilyPolicy = isHeadless(spec) && Object.keys(spec.selector ?? {}).length === 0 ? 'RequireDualStack' : 'SingleStack';
    }
    if (arr(spec.ipFamilies).length === 0) {
      const fam = arr(spec.clusterIPs).filter((ip) => ip !== 'None').map((ip) => (String(ip).includes(':') ? 'IPv6' : 'IPv4'));
      spec.ipFamilies = fam.length ? fam : ['IPv4'];
    }
  }
}

export function defaultNamespace(ns: Obj): void {
  const name = str(ns.metadata?.name);
  if (name) {
    ns.metadata.labels = { ...(isObj(ns.metadata.labels) ? ns.metadata.labels : {}), 'kubernetes.io/metadata.name': name };
  }
  if (!isObj(ns.status)) ns.status = {};
  set(ns.status, 'phase', 'Active');
}

export function defaultSecret(secret: Obj): void {
  set(secret, 'type', 'Opaque');
  // stringData is write-only: the v1 conversion merges it into data (base64) and drops it.
  if (isObj(secret.stringData)) {
    const data = isObj(secret.data) ? secret.data : {};
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v ?? ''), 'utf8').toString('base64');
    secret.data = data;
    delete secret.stringData;
  }
}

export function defaultReplicationController(rc: Obj, dc: DecodeContext): void {
  if (!isObj(rc.spec)) rc.spec = {};
  const labels = rc.spec.template?.metadata?.labels;
  if (isObj(labels)) {
    if (!isObj(rc.spec.selector) || Object.keys(rc.spec.selector).length === 0) rc.spec.selector = { ...labels };
    if (!rc.metadata) rc.metadata = {};
    if (!isObj(rc.metadata.labels) || Object.keys(rc.metadata.labels).length === 0) rc.metadata.labels = { ...labels };
  }
  if (typeof rc.spec.replicas !== 'number') rc.spec.replicas = 1;
  defaultPodTemplateSpec(rc.spec.template, dc);
}

export function defaultPersistentVolume(pv: Obj, dc: DecodeContext): void {
  if (!isObj(pv.spec)) pv.spec = {};
  set(pv.spec, 'persistentVolumeReclaimPolicy', 'Retain');
  set(pv.spec, 'volumeMode', 'Filesystem');
  dc.resourceList(pv.spec.capacity);
  if (!isObj(pv.status)) pv.status = {};
  set(pv.status, 'phase', 'Pending');
  if (isObj(pv.spec.iscsi)) set(pv.spec.iscsi, 'iscsiInterface', 'default');
  if (isObj(pv.spec.rbd)) { set(pv.spec.rbd, 'pool', 'rbd'); set(pv.spec.rbd, 'user', 'admin'); set(pv.spec.rbd, 'keyring', '/etc/ceph/keyring'); }
  if (isObj(pv.spec.hostPath) && !has(pv.spec.hostPath, 'type')) pv.spec.hostPath.type = '';
}

export function defaultPersistentVolumeClaim(pvc: Obj, dc: DecodeContext): void {
  if (!isObj(pvc.spec)) pvc.spec = {};
  defaultPVCSpec(pvc.spec, dc);
  if (!isObj(pvc.status)) pvc.status = {};
  set(pvc.status, 'phase', 'Pending');
  dc.resourceList(pvc.status.capacity);
  dc.resourceList(pvc.status.allocatedResources);
}

export function defaultEndpoints(ep: Obj): void {
  for (const ss of arr(ep.subsets)) for (const p of arr(ss?.ports)) if (isObj(p)) set(p, 'protocol', 'TCP');
}

export function defaultNode(node: Obj, dc: DecodeContext): void {
  const status = node.status;
  if (!isObj(status)) return;
  dc.resourceList(status.capacity);
  dc.resourceList(status.allocatable);
  if (!isObj(status.allocatable) && isObj(status.capacity)) status.allocatable = { ...status.capacity };
}

export function defaultLimitRange(lr: Obj, dc: DecodeContext): void {
  for (const item of arr(lr.spec?.limits)) {
    if (!isObj(item)) continue;
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) dc.resourceList(item[f]);
    if (item.type !== 'Container') continue;
    const def = isObj(item.default) ? item.default : (item.default = {});
    const defReq = isObj(item.defaultRequest) ? item.defaultRequest : (item.defaultRequest = {});
    for (const [k, v] of Object.entries(isObj(item.max) ? item.max : {})) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
    for (const [k, v] of Object.entries(isObj(item.min) ? item.min : {})) if (!(k in defReq)) defReq[k] = v;
  }
}

export function defaultResourceQuota(rq: Obj, dc: DecodeContext): void {
  dc.resourceList(rq.spec?.hard);
  dc.resourceList(rq.status?.hard);
  dc.resourceList(rq.status?.used);
}
