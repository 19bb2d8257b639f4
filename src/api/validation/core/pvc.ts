// PersistentVolumeClaims and PersistentVolumes.

import { fe, type FieldError } from '../../errors.js';
import { clone, type Obj } from '../../types.js';
import { tryParseQuantity } from '../../quantity.js';
import { isDNS1123Subdomain, nameIsDNSSubdomain, validateNamespaceName } from '../names.js';
import { validateImmutableField, validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from '../meta.js';
import { validateNodeSelector } from './affinity.js';
import { validatePathNoBacksteps } from './container.js';
import { validatePositiveQuantity, validateResourceQuantityValue } from './resources.js';
import { specDiff } from './diff.js';
import { arr, child, has, isObj, key, obj, semanticEqual, str } from '../util.js';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

function validateAccessModes(modes: unknown, path: string, requiredDetail: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = arr(modes);
  if (list.length === 0) errs.push(fe.required(path, requiredDetail));
  let rwop = false;
  let other = false;
  for (const m of list) {
    if (!ACCESS_MODES.includes(m)) errs.push(fe.notSupported(path, m, ACCESS_MODES));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(m)) other = true;
  }
  if (rwop && other) errs.push(fe.forbidden(path, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

function validateDataSource(ds: Obj, path: string, withNamespace: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(ds.name)) errs.push(fe.required(child(path, 'name')));
  if (!str(ds.kind)) errs.push(fe.required(child(path, 'kind')));
  const group = str(ds.apiGroup);
  if (!group && ds.kind !== 'PersistentVolumeClaim') errs.push(fe.invalid(path, str(ds.kind), "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(fe.invalid(child(path, 'apiGroup'), group, m));
  if (withNamespace && str(ds.namespace)) {
    for (const m of validateNamespaceName(ds.namespace, false)) errs.push(fe.invalid(child(path, 'namespace'), ds.namespace, m));
  }
  return errs;
}

export function validatePersistentVolumeClaimSpec(spec0: unknown, path: string): FieldError[] {
  const spec = obj(spec0);
  const errs = validateAccessModes(spec.accessModes, child(path, 'accessModes'), 'at least 1 access mode is required');
  if (isObj(spec.selector)) errs.push(...validateLabelSelector(spec.selector, child(path, 'selector')));
  const storagePath = key(child(path, 'resources'), 'storage');
  const requests = obj(obj(spec.resources).requests);
  if (!has(requests, 'storage')) {
    errs.push(fe.required(storagePath));
  } else {
    const pos = validatePositiveQuantity(requests.storage, storagePath);
    errs.push(...(pos.length ? pos : validateResourceQuantityValue('storage', requests.storage, storagePath)));
  }
  if (str(spec.storageClassName)) {
    for (const m of nameIsDNSSubdomain(spec.storageClassName, false)) errs.push(fe.invalid(child(path, 'storageClassName'), spec.storageClassName, m));
  }
  if (has(spec, 'volumeMode') && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(fe.notSupported(child(path, 'volumeMode'), spec.volumeMode, VOLUME_MODES));
  if (isObj(spec.dataSource)) errs.push(...validateDataSource(spec.dataSource, child(path, 'dataSource'), false));
  if (isObj(spec.dataSourceRef)) errs.push(...validateDataSource(spec.dataSourceRef, child(path, 'dataSourceRef'), true));
  if (isObj(spec.dataSourceRef) && str(spec.dataSourceRef.namespace)) {
    if (isObj(spec.dataSource)) errs.push(fe.invalid(path, child(path, 'dataSource'), 'may not be specified when dataSourceRef.namespace is specified'));
  } else if (isObj(spec.dataSource) && isObj(spec.dataSourceRef)) {
    const a = spec.dataSource;
    const b = spec.dataSourceRef;
    if (str(a.apiGroup) !== str(b.apiGroup) || str(a.kind) !== str(b.kind) || str(a.name) !== str(b.name)) {
      errs.push(fe.invalid(path, child(path, 'dataSource'), 'must match dataSourceRef'));
    }
  }
  return errs;
}

export function validatePersistentVolumeClaim(pvc: Obj): FieldError[] {
  return [
    ...validateObjectMeta(pvc.metadata, true, nameIsDNSSubdomain),
    ...validatePersistentVolumeClaimSpec(pvc.spec, 'spec'),
  ];
}

export function validatePersistentVolumeClaimUpdate(pvc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata);
  errs.push(...validatePersistentVolumeClaim(pvc));
  const newSpec = clone(obj(pvc.spec));
  const oldSpec = clone(obj(old.spec));
  // The PV controller binds a claim once by setting volumeName.
  if (!str(oldSpec.volumeName)) oldSpec.volumeName = newSpec.volumeName;
  // Upgrade path from the beta storage-class annotation to the field.
  const betaKey = 'volume.beta.kubernetes.io/storage-class';
  const oldAnn = obj(obj(old.metadata).annotations);
  const newAnn = obj(obj(pvc.metadata).annotations);
  if (betaKey in oldAnn && !has(oldSpec, 'storageClassName') && newSpec.storageClassName === oldAnn[betaKey] && (!(betaKey in newAnn) || newAnn[betaKey] === oldAnn[betaKey])) {
    delete newSpec.storageClassName;
  } else {
    if (str(newAnn[betaKey]) !== str(oldAnn[betaKey])) {
      errs.push(fe.invalid(`metadata.annotations.${betaKey}`, str(newAnn[betaKey]), 'field is immutable'));
    }
    if (has(newSpec, 'storageClassName') && !has(oldSpec, 'storageClassName') && (!(betaKey in oldAnn) || newSpec.storageClassName === oldAnn[betaKey])) {
      oldSpec.storageClassName = newSpec.storageClassName;
    }
  }
  const bound = obj(pvc.status).phase === 'Bound';
  if (bound && isObj(obj(newSpec.resources).requests)) {
    newSpec.resources.requests.storage = obj(obj(oldSpec.resources).requests).storage;
    if (newSpec.resources.requests.storage === undefined) delete newSpec.resources.requests.storage;
  }
  if (bound && has(newSpec, 'volumeAttributesClassName')) newSpec.volumeAttributesClassName = oldSpec.volumeAttributesClassName;
  if (!semanticEqual(newSpec, oldSpec)) {
    errs.push(fe.forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff('core.PersistentVolumeClaimSpec', oldSpec, newSpec)}`));
  }
  const oldSize = tryParseQuantity(obj(obj(old.spec).resources).requests?.storage);
  const newSize = tryParseQuantity(obj(obj(pvc.spec).resources).requests?.storage);
  const statusSize = tryParseQuantity(obj(obj(old.status).capacity).storage);
  if (oldSize && newSize && newSize.cmp(oldSize) < 0) {
    // RecoverVolumeExpansionFailure (beta): shrinking is allowed down to above status.capacity.
    if (!statusSize || newSize.cmp(statusSize) <= 0) {
      errs.push(fe.forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
    }
  }
  errs.push(...validateImmutableField(obj(pvc.spec).volumeMode, obj(old.spec).volumeMode, 'volumeMode'));
  return errs;
}

export function validatePersistentVolumeClaimStatusUpdate(pvc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pvc.metadata, old.metadata);
  if (!str(obj(pvc.metadata).resourceVersion) && !str(obj(old.metadata).resourceVersion)) errs.push(fe.required('resourceVersion'));
  if (arr(obj(pvc.spec).accessModes).length === 0) errs.push(fe.required('Spec.accessModes'));
  for (const [r, q] of Object.entries(obj(obj(pvc.status).capacity))) {
    const tq = tryParseQuantity(q);
    if (tq && tq.sign() < 0) errs.push(fe.invalid(key('status.capacity', r), tq.value(), 'must be a valid resource quantity'));
  }
  return errs;
}

// ---- PersistentVolume ----

const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const PV_SOURCES: [string, string, (s: Obj, p: string) => FieldError[]][] = [
  ['hostPath', 'hostPath', (s, p) => (str(s.path) ? validatePathNoBacksteps(s.path, child(p, 'path')) : [fe.required(child(p, 'path'))])],
  ['gcePersistentDisk', 'gcePersistentDisk', (s, p) => (str(s.pdName) ? [] : [fe.required(child(p, 'pdName'))])],
  ['awsElasticBlockStore', 'awsElasticBlockStore', (s, p) => (str(s.volumeID) ? [] : [fe.required(child(p, 'volumeID'))])],
  ['glusterfs', 'glusterfs', (s, p) => [...(str(s.endpoints) ? [] : [fe.required(child(p, 'endpoints'))]), ...(str(s.path) ? [] : [fe.required(child(p, 'path'))])]],
  ['flocker', 'flocker', () => []],
  ['nfs', 'nfs', (s, p) => {
    const errs: FieldError[] = [];
    if (!str(s.server)) errs.push(fe.required(child(p, 'server')));
    if (!str(s.path)) errs.push(fe.required(child(p, 'path')));
    if (!str(s.path).startsWith('/')) errs.push(fe.invalid(child(p, 'path'), str(s.path), 'must be an absolute path'));
    return errs;
  }],
  ['rbd', 'rbd', (s, p) => [...(arr(s.monitors).length ? [] : [fe.required(child(p, 'monitors'))]), ...(str(s.image) ? [] : [fe.required(child(p, 'image'))])]],
  ['quobyte', 'quobyte', (s, p) => (str(s.volume) ? [] : [fe.required(child(p, 'volume'))])],
  ['cephfs', 'cephFS', (s, p) => (arr(s.monitors).length ? [] : [fe.required(child(p, 'monitors'))])],
  ['iscsi', 'iscsi', (s, p) => [...(str(s.targetPortal) ? [] : [fe.required(child(p, 'targetPortal'))]), ...(str(s.iqn) ? [] : [fe.required(child(p, 'iqn'))])]],
  ['cinder', 'cinder', (s, p) => (str(s.volumeID) ? [] : [fe.required(child(p, 'volumeID'))])],
  ['fc', 'fc', () => []],
  ['flexVolume', 'flexVolume', (s, p) => (str(s.driver) ? [] : [fe.required(child(p, 'driver'))])],
  ['azureFile', 'azureFile', (s, p) => [...(str(s.secretName) ? [] : [fe.required(child(p, 'secretName'))]), ...(str(s.shareName) ? [] : [fe.required(child(p, 'shareName'))])]],
  ['vsphereVolume', 'vsphereVolume', (s, p) => (str(s.volumePath) ? [] : [fe.required(child(p, 'volumePath'))])],
  ['photonPersistentDisk', 'photonPersistentDisk', (s, p) => (str(s.pdID) ? [] : [fe.required(child(p, 'pdID'))])],
  ['portworxVolume', 'portworxVolume', (s, p) => (str(s.volumeID) ? [] : [fe.required(child(p, 'volumeID'))])],
  ['azureDisk', 'azureDisk', (s, p) => [...(str(s.diskName) ? [] : [fe.required(child(p, 'diskName'))]), ...(str(s.diskURI) ? [] : [fe.required(child(p, 'diskURI'))])]],
  ['scaleIO', 'scaleIO', () => []],
  ['local', 'local', (s, p) => (str(s.path) ? validatePathNoBacksteps(s.path, child(p, 'path')) : [fe.required(child(p, 'path'))])],
  ['storageos', 'storageos', (s, p) => (str(s.volumeName) ? [] : [fe.required(child(p, 'volumeName'))])],
  ['csi', 'csi', (s, p) => {
    const errs: FieldError[] = [];
    const driver = str(s.driver);
    if (!driver) errs.push(fe.required(child(p, 'driver')));
    if (driver.length > 63) errs.push(fe.tooLong(child(p, 'driver'), '', 63));
    for (const m of isDNS1123Subdomain(driver.toLowerCase())) errs.push(fe.invalid(child(p, 'driver'), driver, m));
    if (!str(s.volumeHandle)) errs.push(fe.required(child(p, 'volumeHandle')));
    return errs;
  }],
];

export const PV_SOURCE_FIELDS = PV_SOURCES.map(([f]) => f);

export function validatePersistentVolume(pv: Obj): FieldError[] {
  const errs = validateObjectMeta(pv.metadata, false, nameIsDNSSubdomain);
  const spec = obj(pv.spec);
  const sp = 'spec';
  errs.push(...validateAccessModes(spec.accessModes, child(sp, 'accessModes'), ''));
  const capacity = obj(spec.capacity);
  if (Object.keys(capacity).length === 0) errs.push(fe.required(child(sp, 'capacity')));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) errs.push(fe.notSupported(child(sp, 'capacity'), capacity, ['storage']));
  for (const [r, q] of Object.entries(capacity)) {
    const p = key(child(sp, 'capacity'), r);
    const tq = tryParseQuantity(q);
    if (tq && tq.sign() < 0) errs.push(fe.invalid(p, tq.value(), 'must be a valid resource quantity'));
    errs.push(...validatePositiveQuantity(q, p));
  }
  if (str(spec.persistentVolumeReclaimPolicy) && !RECLAIM_POLICIES.includes(spec.persistentVolumeReclaimPolicy)) {
    errs.push(fe.notSupported(child(sp, 'persistentVolumeReclaimPolicy'), spec.persistentVolumeReclaimPolicy, RECLAIM_POLICIES));
  }
  let affinitySet = false;
  if (isObj(spec.nodeAffinity)) {
    affinitySet = true;
    if (isObj(spec.nodeAffinity.required)) errs.push(...validateNodeSelector(spec.nodeAffinity.required, false, child(sp, 'nodeAffinity', 'required')));
    else errs.push(fe.required(child(sp, 'nodeAffinity', 'required'), 'must specify required node constraints'));
  }
  let n = 0;
  for (const [f, forbiddenName, check] of PV_SOURCES) {
    if (!isObj(spec[f])) continue;
    if (n > 0 && f !== 'flexVolume') {
      errs.push(fe.forbidden(child(sp, forbiddenName), 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    errs.push(...check(spec[f], child(sp, f)));
    if (f === 'local' && !affinitySet) errs.push(fe.required(child(sp, 'nodeAffinity'), 'Local volume requires node affinity'));
  }
  if (n === 0) errs.push(fe.required(sp, 'must specify a volume type'));
  if (isObj(spec.hostPath) && str(spec.hostPath.path).replace(/\/+$/, '') === '' && str(spec.hostPath.path) !== '' && spec.persistentVolumeReclaimPolicy === 'Recycle') {
    errs.push(fe.forbidden(child(sp, 'persistentVolumeReclaimPolicy'), "may not be 'recycle' for a hostPath mount of '/'"));
  }
  if (str(spec.storageClassName)) {
    for (const m of nameIsDNSSubdomain(spec.storageClassName, false)) errs.push(fe.invalid(child(sp, 'storageClassName'), spec.storageClassName, m));
  }
  if (has(spec, 'volumeMode') && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(fe.notSupported(child(sp, 'volumeMode'), spec.volumeMode, VOLUME_MODES));
  return errs;
}

export function validatePersistentVolumeUpdate(pv: Obj, old: Obj): FieldError[] {
  const errs = validatePersistentVolume(pv);
  const source = (o: Obj) => Object.fromEntries(PV_SOURCE_FIELDS.map((f) => [f, obj(o.spec)[f]]));
  const newSrc = source(pv);
  const oldSrc = source(old);
  // A CSI controllerExpandSecretRef may be added later.
  if (isObj(oldSrc.csi) && !has(oldSrc.csi, 'controllerExpandSecretRef') && isObj(newSrc.csi) && has(newSrc.csi, 'controllerExpandSecretRef')) {
    newSrc.csi = { ...newSrc.csi };
    delete newSrc.csi.controllerExpandSecretRef;
  }
  if (!semanticEqual(newSrc, oldSrc)) {
    errs.push(fe.forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${specDiff('core.PersistentVolumeSource', oldSrc, newSrc)}`));
  }
  errs.push(...validateImmutableField(obj(pv.spec).volumeMode, obj(old.spec).volumeMode, 'volumeMode'));
  if (isObj(obj(old.spec).nodeAffinity) && !semanticEqual(obj(pv.spec).nodeAffinity, obj(old.spec).nodeAffinity)) {
    errs.push(fe.invalid('nodeAffinity', obj(pv.spec).nodeAffinity, 'field is immutable, except for updating from beta label to GA'));
  }
  return errs;
}

export function validatePersistentVolumeStatusUpdate(pv: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pv.metadata, old.metadata);
  if (!str(obj(pv.metadata).resourceVersion) && !str(obj(old.metadata).resourceVersion)) errs.push(fe.required('resourceVersion'));
  return errs;
}
