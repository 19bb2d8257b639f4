// Pod volumes: one source per volume, each source's required fields, key-to-path items,
// projections and generic ephemeral volumes.

import { fe, type FieldError } from '../../errors.js';
import type { Obj } from '../../types.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain } from '../names.js';
import { validateTemplateObjectMeta } from '../meta.js';
import {
  VOLUME_FIELD_PATHS, validateDNS1123Label, validateLocalDescendingPath, validateLocalNonReservedPath,
  validateObjectFieldSelector, validatePathNoBacksteps, validatePullPolicy, validateResourceFieldSelector, type VolumeMap,
} from './container.js';
import { validatePersistentVolumeClaimSpec } from './pvc.js';
import { tryParseQuantity } from '../../quantity.js';
import { arr, child, has, index, isNum, isObj, num, obj, str } from '../util.js';

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(mode: unknown, path: string): FieldError[] {
  return isNum(mode) && (mode > 0o777 || mode < 0) ? [fe.invalid(path, mode, FILE_MODE_ERROR)] : [];
}

function validateKeyToPath(kp: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(kp.key)) errs.push(fe.required(child(path, 'key')));
  if (!str(kp.path)) errs.push(fe.required(child(path, 'path')));
  errs.push(...validateLocalNonReservedPath(str(kp.path), child(path, 'path')));
  errs.push(...validateMode(kp.mode, child(path, 'mode')));
  return errs;
}

function validateItems(items: unknown, path: string): FieldError[] {
  return arr(items).flatMap((kp, i) => validateKeyToPath(obj(kp), index(path, i)));
}

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function validateHostPath(hp: Obj, path: string): FieldError[] {
  if (!str(hp.path)) return [fe.required(child(path, 'path'))];
  const errs = validatePathNoBacksteps(str(hp.path), child(path, 'path'));
  if (has(hp, 'type') && !HOST_PATH_TYPES.includes(str(hp.type))) errs.push(fe.notSupported(child(path, 'type'), hp.type, HOST_PATH_TYPES));
  return errs;
}

function validateDownwardAPIFile(file: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(file.path)) errs.push(fe.required(child(path, 'path')));
  errs.push(...validateLocalNonReservedPath(str(file.path), child(path, 'path')));
  if (isObj(file.fieldRef)) {
    errs.push(...validateObjectFieldSelector(file.fieldRef, VOLUME_FIELD_PATHS, child(path, 'fieldRef')));
    if (isObj(file.resourceFieldRef)) errs.push(fe.invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
  } else if (isObj(file.resourceFieldRef)) {
    errs.push(...validateResourceFieldSelector(file.resourceFieldRef, child(path, 'resourceFieldRef'), true));
  } else {
    errs.push(fe.required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateMode(file.mode, child(path, 'mode')));
  return errs;
}

function validateProjected(p: Obj, path: string, opts: VolumeOpts): FieldError[] {
  const errs = validateMode(p.defaultMode, child(path, 'defaultMode'));
  const paths = new Set<string>();
  const claim = (cur: string, value: unknown) => {
    if (paths.has(cur)) errs.push(fe.invalid(path, value, 'conflicting duplicate paths'));
    else paths.add(cur);
  };
  arr(p.sources).forEach((s0, i) => {
    const s = obj(s0);
    const sp = index(child(path, 'sources'), i);
    let n = 0;
    for (const kind of ['secret', 'configMap'] as const) {
      if (!isObj(s[kind])) continue;
      n++;
      const pp = child(sp, kind);
      if (!str(s[kind].name)) errs.push(fe.required(child(pp, 'name')));
      arr(s[kind].items).forEach((kp, j) => {
        errs.push(...validateKeyToPath(obj(kp), index(child(pp, 'items'), j)));
        if (str(kp?.path)) claim(kp.path, str(s[kind].name));
      });
    }
    if (isObj(s.downwardAPI)) {
      n++;
      for (const file of arr(s.downwardAPI.items)) {
        errs.push(...validateDownwardAPIFile(obj(file), child(sp, 'downwardAPI')));
        if (str(file?.path)) claim(file.path, file.path);
      }
    }
    if (isObj(s.serviceAccountToken)) {
      n++;
      const t = s.serviceAccountToken;
      const pp = child(sp, 'serviceAccountToken');
      const exp = num(t.expirationSeconds);
      if (exp < 600) errs.push(fe.invalid(child(pp, 'expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) errs.push(fe.invalid(child(pp, 'expirationSeconds'), exp, 'may not specify a duration larger than 2^32 seconds'));
      if (!str(t.path)) errs.push(fe.required(child(path, 'path')));
      else if (!opts.allowNonLocalProjectedTokenPath) errs.push(...validateLocalNonReservedPath(t.path, child(path, 'path')));
    }
    if (isObj(s.clusterTrustBundle)) {
      n++;
      const c = s.clusterTrustBundle;
      const pp = child(sp, 'clusterTrustBundle');
      const usingName = has(c, 'name');
      const usingSigner = has(c, 'signerName');
      if (usingName && usingSigner) errs.push(fe.invalid(pp, c, 'only one of name and signerName may be used'));
      else if (usingName) {
        if (!str(c.name)) errs.push(fe.required(child(pp, 'name'), 'must be a valid object name'));
        if (has(c, 'labelSelector')) errs.push(fe.invalid(child(pp, 'labelSelector'), c.labelSelector, 'labelSelector must be unset if name is specified'));
      } else if (usingSigner) {
        if (!str(c.signerName)) errs.push(fe.required(child(pp, 'signerName'), 'must be a valid signer name'));
      } else {
        errs.push(fe.required(pp, 'either name or signerName must be specified'));
      }
      if (!str(c.path)) errs.push(fe.required(child(pp, 'path')));
      errs.push(...validateLocalNonReservedPath(str(c.path), child(pp, 'path')));
      claim(str(c.path), str(c.path));
    }
    if (n > 1) errs.push(fe.forbidden(sp, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

function validateCSIDriverNameField(driver: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!driver) errs.push(fe.required(path));
  if (driver.length > 63) errs.push(fe.tooLong(path, '', 63));
  for (const m of isDNS1123Subdomain(driver.toLowerCase())) errs.push(fe.invalid(path, driver, m));
  return errs;
}

export { validateCSIDriverNameField as validateCSIDriverName };

type SourceCheck = (src: Obj, path: string, ctx: { volName: string; podName: string; opts: VolumeOpts }) => FieldError[];

const required = (...fields: string[]): SourceCheck => (src, path) => fields.filter((f) => {
  const v = src[f];
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}).map((f) => fe.required(child(path, f)));

// In upstream's order; [json field, name in "more than 1 volume type" errors, name for nested paths, checks].
const SOURCES: [string, string, string, SourceCheck][] = [
  ['emptyDir', 'emptyDir', 'emptyDir', (src, path) => {
    const q = tryParseQuantity(src.sizeLimit);
    return q && q.sign() < 0 ? [fe.forbidden(child(path, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity')] : [];
  }],
  ['hostPath', 'hostPath', 'hostPath', (src, path) => validateHostPath(src, path)],
  ['gitRepo', 'gitRepo', 'gitRepo', (src, path) => [...required('repository')(src, path, undefined as never), ...validateLocalDescendingPath(str(src.directory), child(path, 'directory'))]],
  ['gcePersistentDisk', 'gcePersistentDisk', 'persistentDisk', (src, path) => {
    const errs = required('pdName')(src, path, undefined as never);
    const part = num(src.partition);
    if (part < 0 || part > 255) errs.push(fe.invalid(child(path, 'partition'), part, 'must be between 1 and 255, inclusive'));
    return errs;
  }],
  ['awsElasticBlockStore', 'awsElasticBlockStore', 'awsElasticBlockStore', (src, path) => {
    const errs = required('volumeID')(src, path, undefined as never);
    const part = num(src.partition);
    if (part < 0 || part > 255) errs.push(fe.invalid(child(path, 'partition'), part, 'must be between 1 and 255, inclusive'));
    return errs;
  }],
  ['secret', 'secret', 'secret', (src, path) => [
    ...required('secretName')(src, path, undefined as never),
    ...validateMode(src.defaultMode, child(path, 'defaultMode')),
    ...validateItems(src.items, child(path, 'items')),
  ]],
  ['nfs', 'nfs', 'nfs', (src, path) => {
    const errs = required('server', 'path')(src, path, undefined as never);
    if (!str(src.path).startsWith('/')) errs.push(fe.invalid(child(path, 'path'), str(src.path), 'must be an absolute path'));
    return errs;
  }],
  ['iscsi', 'iscsi', 'iscsi', required('targetPortal', 'iqn')],
  ['glusterfs', 'glusterfs', 'glusterfs', (src, path) => {
    const errs: FieldError[] = [];
    if (!str(src.endpoints)) errs.push(fe.required(child(path, 'endpoints')));
    if (!str(src.path)) errs.push(fe.required(child(path, 'path')));
    return errs;
  }],
  ['flocker', 'flocker', 'flocker', (src, path) => {
    const errs: FieldError[] = [];
    if (!str(src.datasetName) && !str(src.datasetUUID)) errs.push(fe.required(path, 'one of datasetName and datasetUUID is required'));
    if (str(src.datasetName) && str(src.datasetUUID)) errs.push(fe.invalid(path, 'resource', 'datasetName and datasetUUID can not be specified simultaneously'));
    if (str(src.datasetName).includes('/')) errs.push(fe.invalid(child(path, 'datasetName'), src.datasetName, "must not contain '/'"));
    return errs;
  }],
  ['persistentVolumeClaim', 'persistentVolumeClaim', 'persistentVolumeClaim', required('claimName')],
  ['rbd', 'rbd', 'rbd', required('monitors', 'image')],
  ['cinder', 'cinder', 'cinder', required('volumeID')],
  ['cephfs', 'cephFS', 'cephfs', required('monitors')],
  ['quobyte', 'quobyte', 'quobyte', (src, path) => {
    const errs: FieldError[] = [];
    if (!str(src.registry)) errs.push(fe.required(child(path, 'registry'), 'must be a host:port pair or multiple pairs separated by commas'));
    if (!str(src.volume)) errs.push(fe.required(child(path, 'volume')));
    return errs;
  }],
  ['downwardAPI', 'downwarAPI', 'downwardAPI', (src, path) => [
    ...validateMode(src.defaultMode, child(path, 'defaultMode')),
    ...arr(src.items).flatMap((f) => validateDownwardAPIFile(obj(f), path)),
  ]],
  ['fc', 'fc', 'fc', (src, path) => {
    const errs: FieldError[] = [];
    const wwns = arr(src.targetWWNs);
    const wwids = arr(src.wwids);
    if (!wwns.length && !wwids.length) errs.push(fe.required(child(path, 'targetWWNs'), 'must specify either targetWWNs or wwids, but not both'));
    if (wwns.length && wwids.length) errs.push(fe.invalid(child(path, 'targetWWNs'), wwns, 'targetWWNs and wwids can not be specified simultaneously'));
    if (wwns.length) {
      if (!isNum(src.lun)) errs.push(fe.required(child(path, 'lun'), 'lun is required if targetWWNs is specified'));
      else if (src.lun < 0 || src.lun > 255) errs.push(fe.invalid(child(path, 'lun'), src.lun, 'must be between 0 and 255, inclusive'));
    }
    return errs;
  }],
  ['flexVolume', 'flexVolume', 'flexVolume', required('driver')],
  ['configMap', 'configMap', 'configMap', (src, path) => [
    ...required('name')(src, path, undefined as never),
    ...validateMode(src.defaultMode, child(path, 'defaultMode')),
    ...validateItems(src.items, child(path, 'items')),
  ]],
  ['azureFile', 'azureFile', 'azureFile', required('secretName', 'shareName')],
  ['vsphereVolume', 'vsphereVolume', 'vsphereVolume', required('volumePath')],
  ['photonPersistentDisk', 'photonPersistentDisk', 'photonPersistentDisk', required('pdID')],
  ['portworxVolume', 'portworxVolume', 'portworxVolume', required('volumeID')],
  ['azureDisk', 'azureDisk', 'azureDisk', required('diskName', 'diskURI')],
  ['storageos', 'storageos', 'storageos', (src, path) => {
    if (!str(src.volumeName)) return [fe.required(child(path, 'volumeName'))];
    return validateDNS1123Label(str(src.volumeName), child(path, 'volumeName'));
  }],
  ['projected', 'projected', 'projected', (src, path, ctx) => validateProjected(src, path, ctx.opts)],
  ['scaleIO', 'scaleIO', 'scaleIO', required('gateway', 'system', 'volumeName')],
  ['csi', 'csi', 'csi', (src, path) => {
    const errs = validateCSIDriverNameField(str(src.driver), child(path, 'driver'));
    if (isObj(src.nodePublishSecretRef)) {
      const name = str(src.nodePublishSecretRef.name);
      if (!name) errs.push(fe.required(child(path, 'nodePublishSecretRef', 'name')));
      else for (const m of nameIsDNSSubdomain(name, false)) errs.push(fe.invalid(child(path, 'name'), name, m));
    }
    return errs;
  }],
  ['ephemeral', 'ephemeral', 'ephemeral', (src, path, ctx) => {
    const errs: FieldError[] = [];
    if (!isObj(src.volumeClaimTemplate)) errs.push(fe.required(child(path, 'volumeClaimTemplate')));
    else {
      const tp = child(path, 'volumeClaimTemplate');
      errs.push(...validateTemplateObjectMeta(src.volumeClaimTemplate.metadata, child(tp, 'metadata')));
      errs.push(...validatePersistentVolumeClaimSpec(src.volumeClaimTemplate.spec, child(tp, 'spec')));
    }
    if (ctx.podName && ctx.volName) {
      const pvcName = `${ctx.podName}-${ctx.volName}`;
      for (const m of nameIsDNSSubdomain(pvcName, false)) errs.push(fe.invalid(child(path.replace(/\.ephemeral$/, ''), 'name'), ctx.volName, `PVC name "${pvcName}": ${m}`));
    }
    return errs;
  }],
  ['image', 'image', 'image', (src, path, ctx) => {
    const errs: FieldError[] = [];
    if (ctx.opts.isPod && !str(src.reference)) errs.push(fe.required(child(path, 'reference')));
    errs.push(...validatePullPolicy(src.pullPolicy, child(path, 'pullPolicy')));
    return errs;
  }],
];

export interface VolumeOpts {
  isPod: boolean;
  allowNonLocalProjectedTokenPath?: boolean;
}

export function validateVolumeSource(vol: Obj, path: string, volName: string, podName: string, opts: VolumeOpts): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const [field, forbiddenName, nested, check] of SOURCES) {
    if (!isObj(vol[field])) continue;
    if (n > 0) {
      errs.push(fe.forbidden(child(path, forbiddenName), 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    errs.push(...check(vol[field], child(path, nested), { volName, podName, opts }));
  }
  if (n === 0) errs.push(fe.required(path, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: returns the volumes that validated (mounts may only use those). */
export function validateVolumes(volumes: unknown, podName: string, path: string, opts: VolumeOpts): { vols: VolumeMap; errs: FieldError[] } {
  const errs: FieldError[] = [];
  const vols: VolumeMap = new Map();
  const created = new Set<string>();
  if (podName) for (const v of arr(volumes)) if (isObj(v?.ephemeral)) created.add(`${podName}-${str(v.name)}`);
  arr(volumes).map(obj).forEach((v, i) => {
    const ip = index(path, i);
    const name = str(v.name);
    const el = validateVolumeSource(v, ip, name, podName, opts);
    if (!name) el.push(fe.required(child(ip, 'name')));
    else el.push(...validateDNS1123Label(name, child(ip, 'name')));
    if (vols.has(name)) el.push(fe.duplicate(child(ip, 'name'), name));
    if (el.length === 0) vols.set(name, v);
    else errs.push(...el);
    if (isObj(v.persistentVolumeClaim) && created.has(str(v.persistentVolumeClaim.claimName))) {
      errs.push(fe.invalid(child(ip, 'persistentVolumeClaim', 'claimName'), v.persistentVolumeClaim.claimName, 'must not reference a PVC that gets created for an ephemeral volume'));
    }
  });
  return { vols, errs };
}

