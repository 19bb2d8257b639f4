// Pods and pod templates: ValidatePodSpec, pod-only rules, the update rules that make most
// of a pod immutable, and status updates.

import { fe, type FieldError } from '../../errors.js';
import { clone, type Obj } from '../../types.js';
import {
  isDNS1123Subdomain, isValidGroupID, isValidIP, isValidUserID, nameIsDNSSubdomain, inclusiveRangeError,
} from '../names.js';
import { validateAnnotations, validateImmutableField, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from '../meta.js';
import {
  validateAppArmorProfileField, validateContainerOnlyForPod, validateContainers, validateDNS1123Label, validateEphemeralContainers,
  validateInitContainers, validateLocalDescendingPath, validateQualifiedName, validateSeccompProfileField, validateWindowsOptions,
  type ContainerContext,
} from './container.js';
import { validateVolumes } from './volumes.js';
import { validateAffinity, validateTolerations, validateTopologySpreadConstraints } from './affinity.js';
import { validateResourceRequirements } from './resources.js';
import { specDiff } from './diff.js';
import { arr, child, has, index, isNum, isObj, num, obj, semanticEqual, str } from '../util.js';

const MAX_INT32 = 2147483647;
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];

export interface PodSpecOpts {
  isPod: boolean;
}

function validatePodDNSConfig(cfg: unknown, dnsPolicy: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (dnsPolicy === 'None') {
    if (!isObj(cfg)) return [fe.required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(cfg.nameservers).length === 0) return [fe.required(child(path, 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!isObj(cfg)) return errs;
  const ns = arr(cfg.nameservers);
  if (ns.length > 3) errs.push(fe.invalid(child(path, 'nameservers'), ns, 'must not have more than 3 nameservers'));
  ns.forEach((ip, i) => { for (const m of isValidIP(str(ip))) errs.push(fe.invalid(index(child(path, 'nameservers'), i), str(ip), m)); });
  const searches = arr(cfg.searches).map(str);
  if (searches.length > 32) errs.push(fe.invalid(child(path, 'searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(fe.invalid(child(path, 'searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    for (const m of isDNS1123Subdomain(trimmed)) errs.push(fe.invalid(index(child(path, 'searches'), i), trimmed, m));
  });
  arr(cfg.options).forEach((o, i) => { if (!str(o?.name)) errs.push(fe.required(index(child(path, 'options'), i), 'must not be empty')); });
  return errs;
}

const SYSCTL_RE = /^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$/;

function sysctlNamespace(name: string): 'net' | 'ipc' | undefined {
  const n = name.replace(/\//g, '.');
  if (n.startsWith('net.')) return 'net';
  if (n.startsWith('kernel.shm') || n.startsWith('kernel.msg') || n.startsWith('kernel.sem') || n.startsWith('fs.mqueue.')) return 'ipc';
  return undefined;
}

function validatePodSecurityContext(spec: Obj, path: string): FieldError[] {
  const sc = spec.securityContext;
  if (!isObj(sc)) return [];
  const errs: FieldError[] = [];
  if (isNum(sc.fsGroup)) for (const m of isValidGroupID(sc.fsGroup)) errs.push(fe.invalid(child(path, 'fsGroup'), sc.fsGroup, m));
  if (isNum(sc.runAsUser)) for (const m of isValidUserID(sc.runAsUser)) errs.push(fe.invalid(child(path, 'runAsUser'), sc.runAsUser, m));
  if (isNum(sc.runAsGroup)) for (const m of isValidGroupID(sc.runAsGroup)) errs.push(fe.invalid(child(path, 'runAsGroup'), sc.runAsGroup, m));
  arr(sc.supplementalGroups).forEach((g, i) => { for (const m of isValidGroupID(num(g))) errs.push(fe.invalid(index(child(path, 'supplementalGroups'), i), g, m)); });
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(fe.invalid(child(path, 'shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  const seen = new Set<string>();
  arr(sc.sysctls).forEach((s, i) => {
    const name = str(s?.name);
    const p = child(index(child(path, 'sysctls'), i), 'name');
    if (!name) errs.push(fe.required(p));
    else if (name.length > 253 || !SYSCTL_RE.test(name)) errs.push(fe.invalid(p, name, `must have at most 253 characters and match regex ${SYSCTL_RE.source}`));
    else if (seen.has(name)) errs.push(fe.duplicate(p, name));
    const ns = sysctlNamespace(name);
    if (spec.hostNetwork === true && ns === 'net') errs.push(fe.invalid(p, name, "may not be specified when 'hostNetwork' is true"));
    else if (spec.hostIPC === true && ns === 'ipc') errs.push(fe.invalid(p, name, "may not be specified when 'hostIPC' is true"));
    seen.add(name);
  });
  if (has(sc, 'fsGroupChangePolicy') && sc.fsGroupChangePolicy !== 'OnRootMismatch' && sc.fsGroupChangePolicy !== 'Always') {
    errs.push(fe.notSupported(child(path, 'fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  }
  errs.push(...validateSeccompProfileField(sc.seccompProfile, child(path, 'seccompProfile')));
  errs.push(...validateWindowsOptions(sc.windowsOptions, child(path, 'windowsOptions')));
  errs.push(...validateAppArmorProfileField(sc.appArmorProfile, child(path, 'appArmorProfile')));
  if (has(sc, 'supplementalGroupsPolicy') && sc.supplementalGroupsPolicy !== 'Merge' && sc.supplementalGroupsPolicy !== 'Strict') {
    errs.push(fe.notSupported(child(path, 'supplementalGroupsPolicy'), sc.supplementalGroupsPolicy, ['Merge', 'Strict']));
  }
  if (has(sc, 'seLinuxChangePolicy') && sc.seLinuxChangePolicy !== 'Recursive' && sc.seLinuxChangePolicy !== 'MountOption') {
    errs.push(fe.notSupported(child(path, 'seLinuxChangePolicy'), sc.seLinuxChangePolicy, ['MountOption', 'Recursive']));
  }
  return errs;
}

function visitContainers(spec: Obj, path: string, fn: (c: Obj, p: string) => void): void {
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    arr(spec[list]).forEach((c, i) => fn(obj(c), index(child(path, list), i)));
  }
}

function validateOSSpecific(spec: Obj, path: string): FieldError[] {
  const os = spec.os;
  if (!isObj(os)) return [];
  const name = str(os.name);
  if (!name) return [fe.required(child(path, 'os', 'name'), 'cannot be empty')];
  if (name !== 'linux' && name !== 'windows') return [fe.notSupported(child(path, 'os'), name, ['linux', 'windows'])];
  const errs: FieldError[] = [];
  const sc = obj(spec.securityContext);
  if (name === 'linux') {
    if (has(sc, 'windowsOptions')) errs.push(fe.forbidden(child(path, 'securityContext', 'windowsOptions'), 'windows options cannot be set for a linux pod'));
    visitContainers(spec, path, (c, p) => {
      if (has(obj(c.securityContext), 'windowsOptions')) errs.push(fe.forbidden(child(p, 'securityContext', 'windowsOptions'), 'windows options cannot be set for a linux pod'));
    });
    return errs;
  }
  const podFields: [string, string][] = [['appArmorProfile', 'securityContext.appArmorProfile'], ['seLinuxOptions', 'securityContext.seLinuxOptions'],
    ['seccompProfile', 'securityContext.seccompProfile'], ['fsGroup', 'securityContext.fsGroup'], ['fsGroupChangePolicy', 'securityContext.fsGroupChangePolicy'],
    ['sysctls', 'securityContext.sysctls'], ['runAsUser', 'securityContext.runAsUser'], ['runAsGroup', 'securityContext.runAsGroup'],
    ['supplementalGroups', 'securityContext.supplementalGroups'], ['supplementalGroupsPolicy', 'securityContext.supplementalGroupsPolicy'],
    ['seLinuxChangePolicy', 'securityContext.seLinuxChangePolicy']];
  for (const [f, p] of podFields) if (has(sc, f) && !(Array.isArray(sc[f]) && sc[f].length === 0)) errs.push(fe.forbidden(child(path, p), 'cannot be set for a windows pod'));
  if (has(spec, 'hostUsers')) errs.push(fe.forbidden(child(path, 'hostUsers'), 'cannot be set for a windows pod'));
  if (spec.hostPID === true) errs.push(fe.forbidden(child(path, 'hostPID'), 'cannot be set for a windows pod'));
  if (spec.hostIPC === true) errs.push(fe.forbidden(child(path, 'hostIPC'), 'cannot be set for a windows pod'));
  if (has(spec, 'shareProcessNamespace')) errs.push(fe.forbidden(child(path, 'shareProcessNamespace'), 'cannot be set for a windows pod'));
  visitContainers(spec, path, (c, p) => {
    const csc = obj(c.securityContext);
    for (const f of ['appArmorProfile', 'seLinuxOptions', 'seccompProfile', 'capabilities', 'readOnlyRootFilesystem', 'privileged', 'allowPrivilegeEscalation', 'procMount', 'runAsUser', 'runAsGroup']) {
      if (has(csc, f)) errs.push(fe.forbidden(child(p, 'securityContext', f), 'cannot be set for a windows pod'));
    }
  });
  return errs;
}

/** ValidatePodSpec. `podName` is set for real pods (generic ephemeral volume names). */
export function validatePodSpec(spec0: unknown, podName: string, path: string, opts: PodSpecOpts): FieldError[] {
  const spec = obj(spec0);
  const errs: FieldError[] = [];
  if (!isNum(spec.terminationGracePeriodSeconds)) errs.push(fe.required(child(path, 'terminationGracePeriodSeconds')));
  const gracePeriod = isNum(spec.terminationGracePeriodSeconds) ? spec.terminationGracePeriodSeconds : undefined;
  const hostUsers = spec.hostUsers !== false;
  const { vols, errs: vErrs } = validateVolumes(spec.volumes, podName, child(path, 'volumes'), { isPod: opts.isPod });
  errs.push(...vErrs);
  const claimNames = new Set(arr(spec.resourceClaims).map((c) => str(c?.name)).filter(Boolean));
  const seenClaims = new Set<string>();
  arr(spec.resourceClaims).forEach((c0, i) => {
    const c = obj(c0);
    const p = index(child(path, 'resourceClaims'), i);
    const name = str(c.name);
    if (!name) errs.push(fe.required(child(p, 'name')));
    else if (seenClaims.has(name)) errs.push(fe.duplicate(child(p, 'name'), name));
    else { errs.push(...validateDNS1123Label(name, child(p, 'name'))); seenClaims.add(name); }
    if (has(c, 'resourceClaimName') && has(c, 'resourceClaimTemplateName')) errs.push(fe.invalid(p, c, 'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified'));
    if (!has(c, 'resourceClaimName') && !has(c, 'resourceClaimTemplateName')) errs.push(fe.invalid(p, c, 'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`'));
  });
  const restartPolicy = str(spec.restartPolicy);
  const ctx: ContainerContext = { volumes: vols, podClaimNames: claimNames, restartPolicy, hostUsers };
  errs.push(...validateContainers(spec.containers, ctx, gracePeriod, child(path, 'containers')));
  errs.push(...validateInitContainers(spec.initContainers, spec.containers, ctx, gracePeriod, child(path, 'initContainers')));
  errs.push(...validateEphemeralContainers(spec.ephemeralContainers, spec.containers, spec.initContainers, ctx, child(path, 'ephemeralContainers')));
  if (spec.hostNetwork === true) {
    arr(spec.containers).forEach((c, i) => {
      arr(c?.ports).forEach((p0, j) => {
        const hp = num(p0?.hostPort);
        const cp = num(p0?.containerPort);
        if ((opts.isPod || hp !== 0) && hp !== cp) {
          errs.push(fe.invalid(child(index(child(index(child(path, 'containers'), i), 'ports'), j), 'hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  if (!restartPolicy) errs.push(fe.required(child(path, 'restartPolicy')));
  else if (!RESTART_POLICIES.includes(restartPolicy)) errs.push(fe.notSupported(child(path, 'restartPolicy'), restartPolicy, RESTART_POLICIES));
  const dnsPolicy = str(spec.dnsPolicy);
  if (!dnsPolicy) errs.push(fe.required(child(path, 'dnsPolicy')));
  else if (!DNS_POLICIES.includes(dnsPolicy)) errs.push(fe.notSupported(child(path, 'dnsPolicy'), dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, child(path, 'nodeSelector')));
  errs.push(...validatePodSecurityContext(spec, child(path, 'securityContext')));
  arr(spec.imagePullSecrets).forEach((s, i) => {
    if (!isObj(s) || Object.keys(s).some((k) => k !== 'name')) errs.push(fe.invalid(index(child(path, 'imagePullSecrets'), i), s, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, child(path, 'affinity')));
  errs.push(...validatePodDNSConfig(spec.dnsConfig, dnsPolicy, child(path, 'dnsConfig')));
  arr(spec.readinessGates).forEach((g, i) => errs.push(...validateQualifiedName(str(g?.conditionType), child(index(child(path, 'readinessGates'), i), 'conditionType'))));
  const gates = new Set<string>();
  arr(spec.schedulingGates).forEach((g, i) => {
    const name = str(g?.name);
    errs.push(...validateQualifiedName(name, index(child(path, 'schedulingGates'), i)));
    if (gates.has(name)) errs.push(fe.duplicate(index(child(path, 'schedulingGates'), i), name));
    gates.add(name);
  });
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, child(path, 'topologySpreadConstraints')));
  if (!hostUsers) {
    if (spec.hostNetwork === true) errs.push(fe.forbidden(child(path, 'hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostPID === true) errs.push(fe.forbidden(child(path, 'HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostIPC === true) errs.push(fe.forbidden(child(path, 'HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  for (const [f, v] of [['serviceAccountName', spec.serviceAccountName], ['nodeName', spec.nodeName]] as const) {
    if (str(v)) for (const m of nameIsDNSSubdomain(v, false)) errs.push(fe.invalid(child(path, f), v, m));
  }
  if (has(spec, 'activeDeadlineSeconds')) {
    const v = num(spec.activeDeadlineSeconds);
    if (v < 1 || v > MAX_INT32) errs.push(fe.invalid(child(path, 'activeDeadlineSeconds'), v, inclusiveRangeError(1, MAX_INT32)));
  }
  if (str(spec.hostname)) errs.push(...validateDNS1123Label(spec.hostname, child(path, 'hostname')));
  if (str(spec.subdomain)) errs.push(...validateDNS1123Label(spec.subdomain, child(path, 'subdomain')));
  errs.push(...validateTolerations(spec.tolerations, child(path, 'tolerations')));
  arr(spec.hostAliases).forEach((h, i) => {
    const hp = index(child(path, 'hostAliases'), i);
    for (const m of isValidIP(str(h?.ip))) errs.push(fe.invalid(child(hp, 'ip'), str(h?.ip), m));
    arr(h?.hostnames).forEach((n, j) => { for (const m of isDNS1123Subdomain(str(n))) errs.push(fe.invalid(index(child(hp, 'hostnames'), j), str(n), m)); });
  });
  for (const f of ['priorityClassName', 'runtimeClassName']) {
    if (str(spec[f])) for (const m of nameIsDNSSubdomain(spec[f], false)) errs.push(fe.invalid(child(path, f), spec[f], m));
  }
  if (has(spec, 'preemptionPolicy')) {
    const pp = str(spec.preemptionPolicy);
    if (!pp) errs.push(fe.required(child(path, 'preemptionPolicy')));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') errs.push(fe.notSupported(child(path, 'preemptionPolicy'), pp, ['PreemptLowerPriority', 'Never']));
  }
  if (isObj(spec.overhead)) errs.push(...validateResourceRequirements({ limits: spec.overhead }, new Set(), child(path, 'overhead')));
  errs.push(...validateOSSpecific(spec, path));
  return errs;
}

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';
const SECCOMP_POD = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

function validateSeccompAnnotationProfile(p: string, path: string): FieldError[] {
  if (p === 'runtime/default' || p === 'docker/default' || p === 'unconfined') return [];
  if (p.startsWith('localhost/')) return validateLocalDescendingPath(p.slice('localhost/'.length), path);
  return [fe.invalid(path, p, 'must be a valid seccomp profile')];
}

/** ValidatePodSpecificAnnotations (pods and templates). */
export function validatePodSpecificAnnotations(annotations: unknown, spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ann = obj(annotations);
  if (MIRROR_ANNOTATION in ann && !str(spec.nodeName)) {
    errs.push(fe.invalid(`${path}[${MIRROR_ANNOTATION}]`, ann[MIRROR_ANNOTATION], 'must set spec.nodeName if mirror pod annotation is set'));
  }
  if (DELETION_COST in ann) {
    const v = str(ann[DELETION_COST]);
    const n = Number(v);
    if (!/^[+-]?[0-9]+$/.test(v) || n > MAX_INT32 || n < -MAX_INT32 - 1) errs.push(fe.invalid(`${path}[${DELETION_COST}]`, v, 'must be a 32bit integer'));
  }
  for (const [k, v] of Object.entries(ann)) {
    if (k === SECCOMP_POD || k.startsWith(SECCOMP_CONTAINER_PREFIX)) errs.push(...validateSeccompAnnotationProfile(str(v), child(path, k)));
  }
  const names = new Set<string>();
  visitContainers(spec, '', (c) => names.add(str(c.name)));
  for (const [k, v] of Object.entries(ann)) {
    if (!k.startsWith(APPARMOR_PREFIX)) continue;
    const cname = k.slice(APPARMOR_PREFIX.length);
    if (!names.has(cname)) errs.push(fe.invalid(`${path}[${k}]`, cname, 'container not found'));
    const p = str(v);
    if (p && p !== 'runtime/default' && p !== 'unconfined' && !p.startsWith('localhost/')) errs.push(fe.invalid(`${path}[${k}]`, p, `invalid AppArmor profile name: ${JSON.stringify(p)}`));
  }
  return errs;
}

/** validatePodMetadataAndSpec. */
function validatePodMetadataAndSpec(pod: Obj): FieldError[] {
  const meta = obj(pod.metadata);
  const spec = obj(pod.spec);
  const errs = validateObjectMeta(meta, true, nameIsDNSSubdomain);
  errs.push(...validatePodSpecificAnnotations(meta.annotations, spec, 'metadata.annotations'));
  errs.push(...validatePodSpec(spec, str(meta.name), 'spec', { isPod: true }));
  if (!str(spec.serviceAccountName)) {
    arr(spec.volumes).forEach((v, vi) => {
      arr(obj(v?.projected).sources).forEach((s, si) => {
        if (isObj(s?.serviceAccountToken)) {
          errs.push(fe.forbidden(`spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`, 'must not be specified when serviceAccountName is not set'));
        }
      });
    });
  }
  arr(spec.containers).forEach((c, i) => errs.push(...validateContainerOnlyForPod(obj(c), `spec.containers[${i}]`)));
  arr(spec.initContainers).forEach((c, i) => errs.push(...validateContainerOnlyForPod(obj(c), `spec.initContainers[${i}]`)));
  return errs;
}

export function validatePodCreate(pod: Obj): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  const spec = obj(pod.spec);
  if (arr(spec.ephemeralContainers).length > 0) errs.push(fe.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  if (str(spec.nodeName) && arr(spec.schedulingGates).length > 0) errs.push(fe.forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

const UPDATABLE_POD_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateContainerImageUpdates(newList: unknown, oldList: unknown, path: string): { errs: FieldError[]; stop: boolean } {
  const n = arr(newList);
  if (n.length !== arr(oldList).length) return { errs: [fe.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: FieldError[] = [];
  n.forEach((c, i) => {
    const image = str(c?.image);
    if (!image) errs.push(fe.required(child(index(path, i), 'image')));
    if (image.trim().length !== image.length) errs.push(fe.invalid(child(index(path, i), 'image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errs, stop: false };
}

function tolerationsOnlyAdded(newT: unknown, oldT: unknown, path: string): FieldError[] {
  for (const old of arr(oldT)) {
    const found = arr(newT).some((t) => semanticEqual({ ...obj(old), tolerationSeconds: undefined }, { ...obj(t), tolerationSeconds: undefined }));
    if (!found) return [fe.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newT, path);
}

export function validatePodUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodMetadataAndSpec(pod));
  errs.push(...validatePodSpecificAnnotationUpdates(pod, old));
  const spec = obj(pod.spec);
  const oldSpec = obj(old.spec);
  for (const list of ['containers', 'initContainers']) {
    const r = validateContainerImageUpdates(spec[list], oldSpec[list], `spec.${list}`);
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  if (has(spec, 'activeDeadlineSeconds')) {
    const v = num(spec.activeDeadlineSeconds);
    if (v < 0 || v > MAX_INT32) return [...errs, fe.invalid('spec.activeDeadlineSeconds', v, inclusiveRangeError(0, MAX_INT32))];
    if (has(oldSpec, 'activeDeadlineSeconds') && num(oldSpec.activeDeadlineSeconds) < v) {
      return [...errs, fe.invalid('spec.activeDeadlineSeconds', v, 'must be less than or equal to previous value')];
    }
  } else if (has(oldSpec, 'activeDeadlineSeconds')) {
    errs.push(fe.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...tolerationsOnlyAdded(spec.tolerations, oldSpec.tolerations, 'spec.tolerations'));
  const newGates = arr(spec.schedulingGates).map((g) => str(g?.name));
  const oldGates = new Set(arr(oldSpec.schedulingGates).map((g) => str(g?.name)));
  newGates.forEach((g, i) => {
    if (!oldGates.has(g)) errs.push(fe.forbidden(`spec.schedulingGates[${i}].name`, `only deletion is allowed, but found new scheduling gate '${g}'`));
  });
  if (semanticEqual(spec, oldSpec)) return errs;
  const munged = clone(spec);
  for (const list of ['containers', 'initContainers']) {
    if (Array.isArray(munged[list])) munged[list] = munged[list].map((c: Obj, i: number) => ({ ...c, image: arr(oldSpec[list])[i]?.image }));
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.schedulingGates = oldSpec.schedulingGates;
  munged.tolerations = oldSpec.tolerations;
  if (isNum(oldSpec.terminationGracePeriodSeconds) && oldSpec.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  // Gated pods may gain node selector entries and node affinity requirements.
  if (arr(oldSpec.schedulingGates).length > 0) {
    const oldSel = obj(oldSpec.nodeSelector);
    const newSel = obj(munged.nodeSelector);
    if (Object.entries(oldSel).some(([k, v]) => newSel[k] !== v)) {
      errs.push(fe.invalid('spec.nodeSelector', newSel, 'only additions to spec.nodeSelector are allowed (no mutations or deletions)'));
    }
    munged.nodeSelector = oldSpec.nodeSelector;
    const oldNA = obj(oldSpec.affinity).nodeAffinity;
    if (isObj(munged.affinity)) munged.affinity = { ...munged.affinity, nodeAffinity: oldNA };
    else if (oldNA !== undefined) munged.affinity = { nodeAffinity: oldNA };
  }
  if (!semanticEqual(munged, oldSpec)) {
    errs.push(fe.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n${specDiff('core.PodSpec', oldSpec, munged)}`));
  }
  return errs;
}

function validatePodSpecificAnnotationUpdates(pod: Obj, old: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const n = obj(obj(pod.metadata).annotations);
  const o = obj(obj(old.metadata).annotations);
  const p = 'metadata.annotations';
  for (const [k, v] of Object.entries(o)) {
    if (k in n && n[k] === v) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(fe.forbidden(`${p}[${k}]`, 'may not remove or update AppArmor annotations'));
    if (k === MIRROR_ANNOTATION) errs.push(fe.forbidden(`${p}[${k}]`, 'may not remove or update mirror pod annotation'));
  }
  for (const k of Object.keys(n)) {
    if (k in o) continue;
    if (k.startsWith(APPARMOR_PREFIX)) errs.push(fe.forbidden(`${p}[${k}]`, 'may not add AppArmor annotations'));
    if (k === MIRROR_ANNOTATION) errs.push(fe.forbidden(`${p}[${k}]`, 'may not add mirror pod annotation'));
  }
  return errs;
}

const SYSTEM_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized']);

export function validatePodStatusUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodSpecificAnnotationUpdates(pod, old));
  const status = obj(pod.status);
  arr(status.conditions).forEach((c, i) => {
    if (!SYSTEM_CONDITIONS.has(str(c?.type))) errs.push(...validateQualifiedName(str(c?.type), `metadata.conditions[${i}].Type`));
  });
  if (str(obj(pod.spec).nodeName) !== str(obj(old.spec).nodeName)) errs.push(fe.forbidden('status.nodeName', 'may not be changed directly'));
  const nominated = str(status.nominatedNodeName);
  if (nominated && nominated !== str(obj(old.status).nominatedNodeName)) {
    for (const m of nameIsDNSSubdomain(nominated, false)) errs.push(fe.invalid('status.nominatedNodeName', nominated, m));
  }
  errs.push(...validateImmutableField(status.qosClass, obj(old.status).qosClass, 'status.qosClass'));
  const restart = str(obj(old.spec).restartPolicy);
  errs.push(...containerStateTransitions(status.containerStatuses, obj(old.status).containerStatuses, 'status.containerStatuses', restart, () => false));
  const restartable = new Set(arr(obj(old.spec).initContainers).filter((c) => c?.restartPolicy === 'Always').map((c) => str(c.name)));
  errs.push(...containerStateTransitions(status.initContainerStatuses, obj(old.status).initContainerStatuses, 'status.initContainerStatuses', restart, (n) => restartable.has(n)));
  errs.push(...containerStateTransitions(status.ephemeralContainerStatuses, obj(old.status).ephemeralContainerStatuses, 'status.ephemeralContainerStatuses', 'Never', () => false));
  errs.push(...validateIPList(status.podIPs, 'status.podIPs'));
  const hostIPs = arr(status.hostIPs);
  if (hostIPs.length) {
    if (str(status.hostIP) !== str(hostIPs[0]?.ip)) errs.push(fe.invalid('status.hostIPs[0].ip', str(hostIPs[0]?.ip), 'must be equal to `hostIP`'));
    errs.push(...validateIPList(hostIPs, 'status.hostIPs'));
  }
  return errs;
}

function validateIPList(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ips = arr(list).map((x) => str(x?.ip));
  ips.forEach((ip, i) => { for (const m of isValidIP(ip)) errs.push(fe.invalid(index(path, i), ip, m)); });
  if (ips.length > 1) {
    const fam = ips.map((ip) => (ip.includes(':') ? 6 : 4));
    if (ips.length > 2 || fam[0] === fam[1]) errs.push(fe.invalid(path, list, 'may specify no more than one IP for each IP family'));
    const seen = new Set<string>();
    ips.forEach((ip, i) => { if (seen.has(ip)) errs.push(fe.duplicate(index(path, i), arr(list)[i])); seen.add(ip); });
  }
  return errs;
}

function containerStateTransitions(newS: unknown, oldS: unknown, path: string, restartPolicy: string, restartable: (name: string) => boolean): FieldError[] {
  if (restartPolicy === 'Always') return [];
  const errs: FieldError[] = [];
  arr(oldS).forEach((o, i) => {
    const term = obj(o?.state).terminated;
    if (!isObj(term)) return;
    if (num(term.exitCode) !== 0 && restartPolicy === 'OnFailure') return;
    if (restartable(str(o.name))) return;
    for (const n of arr(newS)) {
      if (str(n?.name) === str(o.name) && !isObj(obj(n?.state).terminated)) {
        errs.push(fe.forbidden(`${index(path, i)}.state`, 'may not be transitioned to non-terminated state'));
      }
    }
  });
  return errs;
}

/** Only ephemeralContainers may change through the ephemeralcontainers subresource. */
export function validatePodEphemeralContainersUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(pod.metadata, old.metadata);
  errs.push(...validatePodMetadataAndSpec(pod));
  errs.push(...validatePodSpecificAnnotationUpdates(pod, old));
  if (MIRROR_ANNOTATION in obj(obj(old.metadata).annotations)) return [fe.forbidden('', 'static pods do not support ephemeral containers')];
  const byName = new Map(arr(obj(pod.spec).ephemeralContainers).map((c) => [str(c?.name), c]));
  for (const o of arr(obj(old.spec).ephemeralContainers)) {
    const n = byName.get(str(o?.name));
    if (!n) errs.push(fe.forbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(str(o?.name))} may not be removed\n`));
    else if (!semanticEqual(o, n)) errs.push(fe.forbidden('spec.ephemeralContainers', `existing ephemeral containers ${JSON.stringify(str(o?.name))} may not be changed\n`));
  }
  return errs;
}

/** ValidatePodTemplateSpec: the template inside controllers and PodTemplates. */
export function validatePodTemplateSpec(tmpl0: unknown, path: string): FieldError[] {
  const tmpl = obj(tmpl0);
  const meta = obj(tmpl.metadata);
  const spec = obj(tmpl.spec);
  const errs = validateLabels(meta.labels, child(path, 'labels'));
  errs.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  errs.push(...validatePodSpecificAnnotations(meta.annotations, spec, child(path, 'annotations')));
  errs.push(...validatePodSpec(spec, '', child(path, 'spec'), { isPod: false }));
  if (arr(spec.ephemeralContainers).length > 0) errs.push(fe.forbidden(child(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

export function validatePodTemplate(pt: Obj): FieldError[] {
  return [...validateObjectMeta(pt.metadata, true, nameIsDNSSubdomain), ...validatePodTemplateSpec(pt.template, 'template')];
}

export function validatePodTemplateUpdate(pt: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(pt.metadata, old.metadata), ...validatePodTemplateSpec(pt.template, 'template')];
}

export function validateBinding(b: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const target = obj(b.target);
  if (str(target.kind) && target.kind !== 'Node') errs.push(fe.notSupported('target.kind', target.kind, ['Node', '<empty>']));
  if (!str(target.name)) errs.push(fe.required('target.name'));
  return errs;
}

