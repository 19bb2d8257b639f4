// Containers (regular, init, ephemeral): name, image, ports, env, mounts, probes, lifecycle,
// resources and security context, in the order core validation reports them.

import { fe, type FieldError } from '../../errors.js';
import type { Obj } from '../../types.js';
import {
  isConfigMapKey, isDNS1123Label, isHTTPHeaderName, isQualifiedName, isRelaxedEnvVarName, isValidGroupID,
  isValidPortName, isValidPortNum, isValidUserID, nameIsDNSSubdomain,
} from '../names.js';
import { validateNonnegative } from '../meta.js';
import { validateResourceRequirements } from './resources.js';
import { arr, child, has, index, isNum, isObj, num, obj, str } from '../util.js';

export interface PodOpts {
  /** The top-level object is a Pod (not a template in a controller). */
  isPod: boolean;
}

export const SUPPORTED_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function validateDNS1123Label(value: string, path: string): FieldError[] {
  return isDNS1123Label(value).map((m) => fe.invalid(path, value, m));
}

export function validateQualifiedName(value: string, path: string): FieldError[] {
  return isQualifiedName(value).map((m) => fe.invalid(path, value, m));
}

function validateContainerPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(ports).forEach((p0, i) => {
    const p = obj(p0);
    const ip = index(path, i);
    const name = str(p.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length) for (const m of msgs) errs.push(fe.invalid(child(ip, 'name'), name, m));
      else if (names.has(name)) errs.push(fe.duplicate(child(ip, 'name'), name));
      else names.add(name);
    }
    if (!num(p.containerPort)) errs.push(fe.required(child(ip, 'containerPort')));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(fe.invalid(child(ip, 'containerPort'), p.containerPort, m));
    if (num(p.hostPort)) for (const m of isValidPortNum(p.hostPort)) errs.push(fe.invalid(child(ip, 'hostPort'), p.hostPort, m));
    const proto = str(p.protocol);
    if (!proto) errs.push(fe.required(child(ip, 'protocol')));
    else if (!SUPPORTED_PROTOCOLS.includes(proto)) errs.push(fe.notSupported(child(ip, 'protocol'), proto, SUPPORTED_PROTOCOLS));
  });
  return errs;
}

const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
export const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];
const DOWNWARD_LABELS = new Set(['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP',
  'status.hostIPs', 'status.podIP', 'status.podIPs', 'spec.host']);
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];
const MEMORY_DIVISORS = ['1', '1k', '1M', '1G', '1T', '1P', '1E', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei'];

/** fieldpath.SplitMaybeSubscriptedPath: "metadata.labels['x']" -> ["metadata.labels", "x"]. */
function splitSubscript(p: string): [string, string] | undefined {
  if (!p.endsWith("']")) return undefined;
  const s = p.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

export function validateObjectFieldSelector(fs: Obj, expressions: string[], path: string): FieldError[] {
  const apiVersion = str(fs.apiVersion);
  const fieldPath = str(fs.fieldPath);
  if (!apiVersion) return [fe.required(child(path, 'apiVersion'))];
  if (!fieldPath) return [fe.required(child(path, 'fieldPath'))];
  let internal = fieldPath;
  if (apiVersion !== 'v1') return [fe.invalid(child(path, 'fieldPath'), fieldPath, `error converting fieldPath: unsupported pod version: ${apiVersion}`)];
  const sub = splitSubscript(fieldPath);
  if (sub) {
    if (sub[0] !== 'metadata.annotations' && sub[0] !== 'metadata.labels') {
      return [fe.invalid(child(path, 'fieldPath'), fieldPath, `error converting fieldPath: field label does not support subscript: ${fieldPath}`)];
    }
    return validateQualifiedName(sub[0] === 'metadata.annotations' ? sub[1].toLowerCase() : sub[1], path);
  }
  if (!DOWNWARD_LABELS.has(fieldPath)) return [fe.invalid(child(path, 'fieldPath'), fieldPath, `error converting fieldPath: field label not supported: ${fieldPath}`)];
  if (fieldPath === 'spec.host') internal = 'spec.nodeName';
  if (!expressions.includes(internal)) return [fe.notSupported(child(path, 'fieldPath'), internal, [...expressions].sort())];
  return [];
}

export function validateResourceFieldSelector(fs: Obj, path: string, volume: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const resource = str(fs.resource);
  if (volume && !str(fs.containerName)) errs.push(fe.required(child(path, 'containerName')));
  else if (!resource) errs.push(fe.required(child(path, 'resource')));
  else if (!RESOURCE_FIELD_PATHS.includes(resource) && !resource.startsWith('requests.hugepages-') && !resource.startsWith('limits.hugepages-')) {
    errs.push(fe.notSupported(child(path, 'resource'), resource, RESOURCE_FIELD_PATHS));
  }
  const divisor = fs.divisor;
  if (divisor !== undefined && divisor !== null && divisor !== '0' && divisor !== 0) {
    const d = String(divisor);
    if ((resource === 'limits.cpu' || resource === 'requests.cpu') && d !== '1m' && d !== '1') {
      errs.push(fe.invalid(child(path, 'divisor'), resource, "only divisor's values 1m and 1 are supported with the cpu resource"));
    } else if ((resource === 'limits.memory' || resource === 'requests.memory') && !MEMORY_DIVISORS.includes(d)) {
      errs.push(fe.invalid(child(path, 'divisor'), resource, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource"));
    } else if ((resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') && !MEMORY_DIVISORS.includes(d)) {
      errs.push(fe.invalid(child(path, 'divisor'), resource, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource"));
    } else if ((resource.startsWith('requests.hugepages-') || resource.startsWith('limits.hugepages-')) && !MEMORY_DIVISORS.includes(d)) {
      errs.push(fe.invalid(child(path, 'divisor'), resource, "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the hugepages resource"));
    }
  }
  return errs;
}

function validateKeySelector(s: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(s.name);
  for (const m of nameIsDNSSubdomain(name, false)) errs.push(fe.invalid(child(path, 'name'), name, m));
  const k = str(s.key);
  if (!k) errs.push(fe.required(child(path, 'key')));
  else for (const m of isConfigMapKey(k)) errs.push(fe.invalid(child(path, 'key'), k, m));
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(env).forEach((e0, i) => {
    const e = obj(e0);
    const ip = index(path, i);
    const name = str(e.name);
    // RelaxedEnvironmentVariableValidation is on by default in 1.32.
    if (!name) errs.push(fe.required(child(ip, 'name')));
    else for (const m of isRelaxedEnvVarName(name)) errs.push(fe.invalid(child(ip, 'name'), name, m));
    if (!isObj(e.valueFrom)) return;
    const vf = e.valueFrom;
    const vp = child(ip, 'valueFrom');
    let n = 0;
    if (isObj(vf.fieldRef)) { n++; errs.push(...validateObjectFieldSelector(vf.fieldRef, ENV_FIELD_PATHS, child(vp, 'fieldRef'))); }
    if (isObj(vf.resourceFieldRef)) { n++; errs.push(...validateResourceFieldSelector(vf.resourceFieldRef, child(vp, 'resourceFieldRef'), false)); }
    if (isObj(vf.configMapKeyRef)) { n++; errs.push(...validateKeySelector(vf.configMapKeyRef, child(vp, 'configMapKeyRef'))); }
    if (isObj(vf.secretKeyRef)) { n++; errs.push(...validateKeySelector(vf.secretKeyRef, child(vp, 'secretKeyRef'))); }
    if (n === 0) errs.push(fe.invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(e.value)) errs.push(fe.invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(fe.invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  arr(envFrom).forEach((e0, i) => {
    const e = obj(e0);
    const ip = index(path, i);
    const prefix = str(e.prefix);
    if (prefix) for (const m of isRelaxedEnvVarName(prefix)) errs.push(fe.invalid(child(ip, 'prefix'), prefix, m));
    let n = 0;
    for (const [f, label] of [['configMapRef', 'configMapRef'], ['secretRef', 'secretRef']] as const) {
      if (!isObj(e[f])) continue;
      n++;
      const name = str(e[f].name);
      if (!name) errs.push(fe.required(child(ip, label, 'name')));
      else for (const m of nameIsDNSSubdomain(name, true)) errs.push(fe.invalid(child(ip, label, 'name'), name, m));
    }
    if (n === 0) errs.push(fe.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(fe.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** Relative path without '..' elements (validateLocalDescendingPath). */
export function validateLocalDescendingPath(p: string, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(fe.invalid(path, p, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(p, path));
  return errs;
}

export function validatePathNoBacksteps(p: string, path: string): FieldError[] {
  return p.replace(/\\/g, '/').split('/').includes('..') ? [fe.invalid(path, p, "must not contain '..'")] : [];
}

export function validateLocalNonReservedPath(p: string, path: string): FieldError[] {
  const errs = validateLocalDescendingPath(p, path);
  if (p.startsWith('..') && !p.startsWith('../')) errs.push(fe.invalid(path, p, "must not start with '..'"));
  return errs;
}

export type VolumeMap = Map<string, Obj>;

function validateVolumeMounts(mounts: unknown, devices: Map<string, string>, volumes: VolumeMap, ctr: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  arr(mounts).forEach((m0, i) => {
    const m = obj(m0);
    const ip = index(path, i);
    const name = str(m.name);
    const mountPath = str(m.mountPath);
    if (!name) errs.push(fe.required(child(ip, 'name')));
    if (!volumes.has(name)) errs.push(fe.notFound(child(ip, 'name'), name));
    if (!mountPath) errs.push(fe.required(child(ip, 'mountPath')));
    if (mountPoints.has(mountPath)) errs.push(fe.invalid(child(ip, 'mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    if (devices.has(name)) errs.push(fe.invalid(child(ip, 'name'), name, 'must not already exist in volumeDevices'));
    if ([...devices.values()].includes(mountPath)) errs.push(fe.invalid(child(ip, 'mountPath'), mountPath, 'must not already exist as a path in volumeDevices'));
    const vol = volumes.get(name);
    if (vol && isObj(vol.image)) {
      if (str(m.subPath)) errs.push(fe.invalid(child(ip, 'subPath'), m.subPath, 'not allowed in image volume sources'));
      if (str(m.subPathExpr)) errs.push(fe.invalid(child(ip, 'subPathExpr'), m.subPathExpr, 'not allowed in image volume sources'));
    }
    // Upstream reports these two against the list path, not the item.
    if (str(m.subPath)) errs.push(...validateLocalDescendingPath(m.subPath, child(path, 'subPath')));
    if (str(m.subPathExpr)) {
      if (str(m.subPath)) errs.push(fe.invalid(child(ip, 'subPathExpr'), m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(m.subPathExpr, child(path, 'subPathExpr')));
    }
    if (has(m, 'mountPropagation')) {
      const mp = str(m.mountPropagation);
      const supported = ['Bidirectional', 'HostToContainer', 'None'];
      if (!supported.includes(mp)) errs.push(fe.notSupported(child(path, 'mountPropagation'), mp, supported));
      if (mp === 'Bidirectional' && obj(ctr.securityContext).privileged !== true) {
        errs.push(fe.forbidden(child(path, 'mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
    if (has(m, 'recursiveReadOnly')) {
      const rro = str(m.recursiveReadOnly);
      const rp = child(path, 'recursiveReadOnly');
      if (rro === 'Enabled' || rro === 'IfPossible') {
        if (m.readOnly !== true) errs.push(fe.forbidden(rp, 'may only be specified when readOnly is true'));
        if (has(m, 'mountPropagation') && m.mountPropagation !== 'None') errs.push(fe.forbidden(rp, 'may only be specified when mountPropagation is None or not specified'));
      } else if (rro !== 'Disabled') {
        errs.push(fe.notSupported(rp, rro, ['Disabled', 'Enabled', 'IfPossible']));
      }
    }
  });
  return errs;
}

function validateVolumeDevices(devs: unknown, mounts: Map<string, string>, volumes: VolumeMap, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  const names = new Set<string>();
  arr(devs).forEach((d0, i) => {
    const d = obj(d0);
    const ip = index(path, i);
    const name = str(d.name);
    const devPath = str(d.devicePath);
    const vol = volumes.get(name);
    if (!name) errs.push(fe.required(child(ip, 'name')));
    if (names.has(name)) errs.push(fe.invalid(child(ip, 'name'), name, 'must be unique'));
    if (vol && !isObj(vol.persistentVolumeClaim) && !isObj(vol.ephemeral)) {
      errs.push(fe.invalid(child(ip, 'name'), name, 'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode'));
    }
    if (!vol) errs.push(fe.notFound(child(ip, 'name'), name));
    if (!devPath) errs.push(fe.required(child(ip, 'devicePath')));
    if (paths.has(devPath)) errs.push(fe.invalid(child(ip, 'devicePath'), devPath, 'must be unique'));
    if (devPath && validatePathNoBacksteps(devPath, '').length) errs.push(fe.invalid(child(ip, 'devicePath'), devPath, "can not contain backsteps ('..')"));
    else paths.add(devPath);
    if (mounts.has(name)) errs.push(fe.invalid(child(ip, 'name'), name, 'must not already exist in volumeMounts'));
    if ([...mounts.values()].includes(devPath)) errs.push(fe.invalid(child(ip, 'devicePath'), devPath, 'must not already exist as a path in volumeMounts'));
    if (name) names.add(name);
  });
  return errs;
}

/** int-or-string port: a port number or an IANA port name. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') return isValidPortNum(port).map((m) => fe.invalid(path, port, m));
  if (typeof port === 'string') return isValidPortName(port).map((m) => fe.invalid(path, port, m));
  return [fe.internal(path, `unknown type: ${typeof port}`)];
}

function validateHandler(h: Obj, gracePeriod: number | undefined, path: string, kinds: string[]): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const kind of ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep']) {
    if (!kinds.includes(kind) || !isObj(h[kind])) continue;
    const p = child(path, kind);
    if (n > 0) {
      errs.push(fe.forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const a = h[kind];
    switch (kind) {
      case 'exec':
        if (arr(a.command).length === 0) errs.push(fe.required(child(p, 'command')));
        break;
      case 'httpGet': {
        if (!str(a.path)) errs.push(fe.required(child(p, 'path')));
        errs.push(...validatePortNumOrName(a.port, child(p, 'port')));
        const scheme = str(a.scheme);
        if (scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(fe.notSupported(child(p, 'scheme'), scheme, ['HTTP', 'HTTPS']));
        for (const hd of arr(a.httpHeaders)) for (const m of isHTTPHeaderName(str(hd?.name))) errs.push(fe.invalid(child(p, 'httpHeaders'), str(hd?.name), m));
        break;
      }
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(a.port, child(p, 'port')));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(num(a.port), child(p, 'port')));
        break;
      case 'sleep': {
        const secs = num(a.seconds);
        if (gracePeriod !== undefined && (secs <= 0 || secs > gracePeriod)) {
          errs.push(fe.invalid(p, secs, `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`));
        }
        break;
      }
    }
  }
  if (n === 0) errs.push(fe.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: unknown, gracePeriod: number | undefined, path: string, kind: 'liveness' | 'readiness' | 'startup'): FieldError[] {
  if (!isObj(probe)) return [];
  const errs = validateHandler(probe, gracePeriod, path, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegative(probe[f], child(path, f)));
  }
  if (isNum(probe.terminationGracePeriodSeconds) && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(fe.invalid(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (kind !== 'readiness' && num(probe.successThreshold) !== 1) {
    errs.push(fe.invalid(child(path, 'successThreshold'), num(probe.successThreshold), 'must be 1'));
  }
  if (kind === 'readiness' && has(probe, 'terminationGracePeriodSeconds')) {
    errs.push(fe.invalid(child(path, 'terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}

function validateLifecycle(lc: Obj, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const h of ['postStart', 'preStop']) {
    if (isObj(lc[h])) errs.push(...validateHandler(lc[h], gracePeriod, child(path, h), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

export function validatePullPolicy(policy: unknown, path: string): FieldError[] {
  const p = str(policy);
  if (!p) return [fe.required(path)];
  return PULL_POLICIES.includes(p) ? [] : [fe.notSupported(path, p, PULL_POLICIES)];
}

function validateResizePolicy(list: unknown, path: string, podRestartPolicy: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arr(list).forEach((p0, i) => {
    const p = obj(p0);
    const rn = str(p.resourceName);
    if (seen.has(rn)) errs.push(fe.duplicate(index(path, i), rn));
    seen.add(rn);
    if (!rn) errs.push(fe.required(path));
    else if (rn !== 'cpu' && rn !== 'memory') errs.push(fe.notSupported(path, rn, ['cpu', 'memory']));
    const rp = str(p.restartPolicy);
    if (!rp) errs.push(fe.required(path));
    else if (rp !== 'NotRequired' && rp !== 'RestartContainer') errs.push(fe.notSupported(path, rp, ['NotRequired', 'RestartContainer']));
    if (podRestartPolicy === 'Never' && rp !== 'NotRequired') errs.push(fe.invalid(path, rp, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
  });
  return errs;
}

export function validateSeccompProfileField(sp: unknown, path: string): FieldError[] {
  if (!isObj(sp)) return [];
  const errs: FieldError[] = [];
  const t = str(sp.type);
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (!t) errs.push(fe.required(child(path, 'type'), 'type is required when seccompProfile is set'));
  else if (!types.includes(t)) errs.push(fe.notSupported(child(path, 'type'), t, types));
  if (t === 'Localhost') {
    if (!has(sp, 'localhostProfile')) errs.push(fe.required(child(path, 'localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(str(sp.localhostProfile), child(path, 'localhostProfile')));
  } else if (has(sp, 'localhostProfile')) {
    errs.push(fe.invalid(child(path, 'localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

export function validateAppArmorProfileField(p: unknown, path: string): FieldError[] {
  if (!isObj(p)) return [];
  const errs: FieldError[] = [];
  const t = str(p.type);
  if (t === 'Localhost') {
    if (!has(p, 'localhostProfile')) {
      errs.push(fe.required(child(path, 'localhostProfile'), 'must be set when AppArmor type is Localhost'));
    } else {
      const lp = str(p.localhostProfile);
      if (lp.trim() !== lp) errs.push(fe.invalid(child(path, 'localhostProfile'), lp, 'must not be padded with whitespace'));
      else if (!lp) errs.push(fe.required(child(path, 'localhostProfile'), 'must be set when AppArmor type is Localhost'));
      if (lp.length > 4095) errs.push(fe.tooLong(child(path, 'localhostProfile'), '', 4095));
    }
  } else if (t === 'RuntimeDefault' || t === 'Unconfined') {
    if (has(p, 'localhostProfile')) errs.push(fe.invalid(child(path, 'localhostProfile'), p.localhostProfile, 'can only be set when AppArmor type is Localhost'));
  } else if (!t) {
    errs.push(fe.required(child(path, 'type'), 'type is required when appArmorProfile is set'));
  } else {
    errs.push(fe.notSupported(child(path, 'type'), t, ['Localhost', 'RuntimeDefault', 'Unconfined']));
  }
  return errs;
}

export function validateSecurityContext(sc: unknown, path: string, hostUsers: boolean): FieldError[] {
  if (!isObj(sc)) return [];
  const errs: FieldError[] = [];
  // The cluster allows privileged containers (kube-apiserver --allow-privileged=true, as kubeadm and k3s run it).
  if (isNum(sc.runAsUser)) for (const m of isValidUserID(sc.runAsUser)) errs.push(fe.invalid(child(path, 'runAsUser'), sc.runAsUser, m));
  if (isNum(sc.runAsGroup)) for (const m of isValidGroupID(sc.runAsGroup)) errs.push(fe.invalid(child(path, 'runAsGroup'), sc.runAsGroup, m));
  if (has(sc, 'procMount')) {
    const pm = str(sc.procMount);
    if (pm !== 'Default' && pm !== 'Unmasked') errs.push(fe.notSupported(child(path, 'procMount'), pm, ['Default', 'Unmasked']));
    if (hostUsers && pm === 'Unmasked') errs.push(fe.invalid(child(path, 'procMount'), pm, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfileField(sc.seccompProfile, child(path, 'seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(fe.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const cap of arr(obj(sc.capabilities).add)) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(fe.invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  errs.push(...validateWindowsOptions(sc.windowsOptions, child(path, 'windowsOptions')));
  errs.push(...validateAppArmorProfileField(sc.appArmorProfile, child(path, 'appArmorProfile')));
  return errs;
}

export function validateWindowsOptions(w: unknown, path: string): FieldError[] {
  if (!isObj(w)) return [];
  const errs: FieldError[] = [];
  if (has(w, 'gmsaCredentialSpecName')) {
    for (const m of nameIsDNSSubdomain(str(w.gmsaCredentialSpecName), false)) errs.push(fe.invalid(child(path, 'gmsaCredentialSpecName'), w.gmsaCredentialSpecName, m));
  }
  if (has(w, 'gmsaCredentialSpec')) {
    const l = str(w.gmsaCredentialSpec).length;
    if (l === 0) errs.push(fe.invalid(child(path, 'gmsaCredentialSpec'), w.gmsaCredentialSpec, 'gmsaCredentialSpec cannot be an empty string'));
    else if (l > 64 * 1024) errs.push(fe.invalid(child(path, 'gmsaCredentialSpec'), w.gmsaCredentialSpec, 'gmsaCredentialSpec size must be under 64 KiB'));
  }
  if (has(w, 'runAsUserName')) {
    const u = str(w.runAsUserName);
    if (u.length === 0) errs.push(fe.invalid(child(path, 'runAsUserName'), u, 'runAsUserName cannot be an empty string'));
    else if (/[\x00-\x1f\x7f]/.test(u)) errs.push(fe.invalid(child(path, 'runAsUserName'), u, 'runAsUserName cannot contain control characters'));
    else if (u.split('\\').length > 2) errs.push(fe.invalid(child(path, 'runAsUserName'), u, 'runAsUserName cannot contain more than one backslash'));
  }
  return errs;
}

export interface ContainerContext {
  volumes: VolumeMap;
  podClaimNames: Set<string>;
  restartPolicy: string;
  hostUsers: boolean;
}

/** validateContainerCommon: what every container kind must satisfy. */
export function validateContainerCommon(c: Obj, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(fe.required(child(path, 'name')));
  else errs.push(...validateDNS1123Label(name, child(path, 'name')));
  if (!str(c.image)) errs.push(fe.required(child(path, 'image')));
  const tmp = str(c.terminationMessagePolicy);
  if (!tmp) errs.push(fe.required(child(path, 'terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') errs.push(fe.notSupported(child(path, 'terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  const mounts = new Map(arr(c.volumeMounts).map((m) => [str(m?.name), str(m?.mountPath)] as [string, string]));
  const devices = new Map(arr(c.volumeDevices).map((d) => [str(d?.name), str(d?.devicePath)] as [string, string]));
  errs.push(...validateContainerPorts(c.ports, child(path, 'ports')));
  errs.push(...validateEnv(c.env, child(path, 'env')));
  errs.push(...validateEnvFrom(c.envFrom, child(path, 'envFrom')));
  errs.push(...validateVolumeMounts(c.volumeMounts, devices, ctx.volumes, c, child(path, 'volumeMounts')));
  errs.push(...validateVolumeDevices(c.volumeDevices, mounts, ctx.volumes, child(path, 'volumeDevices')));
  errs.push(...validatePullPolicy(c.imagePullPolicy, child(path, 'imagePullPolicy')));
  errs.push(...validateResourceRequirements(c.resources, ctx.podClaimNames, child(path, 'resources')));
  errs.push(...validateResizePolicy(c.resizePolicy, child(path, 'resizePolicy'), ctx.restartPolicy));
  errs.push(...validateSecurityContext(c.securityContext, child(path, 'securityContext'), ctx.hostUsers));
  return errs;
}

/** Host port conflicts within a list of containers ("TCP//8080"). */
export function checkHostPortConflicts(containers: Obj[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    arr(c.ports).forEach((p0, pi) => {
      const p = obj(p0);
      if (!num(p.hostPort)) return;
      const k = `${str(p.protocol)}/${str(p.hostIP)}/${p.hostPort}`;
      if (seen.has(k)) errs.push(fe.duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), k));
      else seen.add(k);
    });
  });
  return errs;
}

export function validateContainers(containers: unknown, ctx: ContainerContext, gracePeriod: number | undefined, path: string): FieldError[] {
  const list = arr(containers).map(obj);
  if (list.length === 0) return [fe.required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    const name = str(c.name);
    if (names.has(name)) errs.push(fe.duplicate(child(p, 'name'), name));
    else names.add(name);
    if (isObj(c.lifecycle)) errs.push(...validateLifecycle(c.lifecycle, gracePeriod, child(p, 'lifecycle')));
    errs.push(...validateProbe(c.livenessProbe, gracePeriod, child(p, 'livenessProbe'), 'liveness'));
    errs.push(...validateProbe(c.readinessProbe, gracePeriod, child(p, 'readinessProbe'), 'readiness'));
    errs.push(...validateProbe(c.startupProbe, gracePeriod, child(p, 'startupProbe'), 'startup'));
    if (has(c, 'restartPolicy')) errs.push(fe.forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(list, path));
  return errs;
}

export function validateInitContainers(containers: unknown, regular: unknown, ctx: ContainerContext, gracePeriod: number | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(arr(regular).map((c) => str(c?.name)));
  arr(containers).map(obj).forEach((c, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(c, ctx, p));
    let restartAlways = false;
    if (has(c, 'restartPolicy')) {
      if (c.restartPolicy !== 'Always') errs.push(fe.notSupported(child(p, 'restartPolicy'), c.restartPolicy, ['Always']));
      restartAlways = c.restartPolicy === 'Always';
    }
    const name = str(c.name);
    if (names.has(name)) errs.push(fe.duplicate(child(p, 'name'), name));
    else if (name) names.add(name);
    errs.push(...checkHostPortConflicts([c], path));
    if (restartAlways) {
      if (isObj(c.lifecycle)) errs.push(...validateLifecycle(c.lifecycle, gracePeriod, child(p, 'lifecycle')));
      errs.push(...validateProbe(c.livenessProbe, gracePeriod, child(p, 'livenessProbe'), 'liveness'));
      errs.push(...validateProbe(c.readinessProbe, gracePeriod, child(p, 'readinessProbe'), 'readiness'));
      errs.push(...validateProbe(c.startupProbe, gracePeriod, child(p, 'startupProbe'), 'startup'));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (has(c, f)) errs.push(fe.forbidden(child(p, f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
    if (arr(c.resizePolicy).length > 0) errs.push(fe.invalid(child(p, 'resizePolicy'), c.resizePolicy, 'must not be set for init containers'));
  });
  return errs;
}

const EPHEMERAL_ALLOWED = new Set(['name', 'image', 'command', 'args', 'workingDir', 'envFrom', 'env', 'volumeMounts', 'volumeDevices',
  'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'securityContext', 'stdin', 'stdinOnce', 'tty', 'targetContainerName']);

export function validateEphemeralContainers(list: unknown, containers: unknown, initContainers: unknown, ctx: ContainerContext, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const items = arr(list).map(obj);
  if (items.length === 0) return errs;
  const other = new Set([...arr(containers), ...arr(initContainers)].map((c) => str(c?.name)));
  const all = new Set(other);
  items.forEach((ec, i) => {
    const p = index(path, i);
    errs.push(...validateContainerCommon(ec, ctx, p));
    errs.push(...validateContainerOnlyForPod(ec, p));
    const name = str(ec.name);
    if (all.has(name)) errs.push(fe.duplicate(child(p, 'name'), name));
    else all.add(name);
    if (str(ec.targetContainerName) && !other.has(ec.targetContainerName)) errs.push(fe.notFound(child(p, 'targetContainerName'), ec.targetContainerName));
    for (const [k, v] of Object.entries(ec)) {
      if (EPHEMERAL_ALLOWED.has(k) || v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && v.length === 0)) continue;
      if (k === 'resources' && Object.keys(obj(v)).every((x) => !Object.keys(obj(obj(v)[x])).length)) continue;
      errs.push(fe.forbidden(child(p, k), 'cannot be set for an Ephemeral Container'));
    }
    arr(ec.volumeMounts).forEach((vm, j) => {
      if (str(vm?.subPath)) errs.push(fe.forbidden(child(index(child(p, 'volumeMounts'), j), 'subPath'), 'cannot be set for an Ephemeral Container'));
      if (str(vm?.subPathExpr)) errs.push(fe.forbidden(child(index(child(p, 'volumeMounts'), j), 'subPathExpr'), 'cannot be set for an Ephemeral Container'));
    });
  });
  return errs;
}

/** Pod (not template) rule: no whitespace around the image. */
export function validateContainerOnlyForPod(c: Obj, path: string): FieldError[] {
  const image = str(c.image);
  return image.length !== image.trim().length ? [fe.invalid(child(path, 'image'), image, 'must not have leading or trailing whitespace')] : [];
}
