// A KubeletConfiguration file (--kubelet-config FILE, kubelet.config.k8s.io/v1beta1, YAML or
// JSON), decoded strictly as the kubelet decodes it: unknown fields and wrong types are
// errors naming the field, then the values are checked (upstream's validation messages)
// and defaulted. What skiff's kubelet acts on: staticPodPath, maxPods, clusterDNS,
// clusterDomain, evictionHard/systemReserved/kubeReserved (→ allocatable),
// allowedUnsafeSysctls (→ sysctl admission), registerNode, cgroupRoot, podPidsLimit and
// cpuCFSQuota (pod cgroups), the node status
// and lease timings, fileCheckFrequency. Relative paths are relative to the file.

import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { tryParseQuantity } from '../../api/quantity.js';
import { KUBELET_CONFIGURATION, checkSchema, parseGoDuration } from './schema.js';
import { SysctlAllowlist } from './sysctl.js';

export const KUBELET_CONFIG_GROUP_VERSION = 'kubelet.config.k8s.io/v1beta1';

/** The eviction signals the kubelet knows. */
export const EVICTION_SIGNALS = [
  'memory.available', 'allocatableMemory.available', 'nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree',
  'containerfs.available', 'containerfs.inodesFree', 'pid.available',
];
export const DEFAULT_EVICTION_HARD: Record<string, string> = { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%' };

export interface KubeletConfig {
  /** The file it came from. */
  source: string;
  staticPodPath?: string;
  maxPods: number;
  clusterDNS: string[];
  clusterDomain?: string;
  evictionHard: Record<string, string>;
  systemReserved: Record<string, string>;
  kubeReserved: Record<string, string>;
  allowedUnsafeSysctls: string[];
  serializeImagePulls: boolean;
  registerNode: boolean;
  cgroupRoot?: string;
  /** The most processes a pod may have (its cgroup's pids limit); -1 = unlimited. */
  podPidsLimit: number;
  /** Enforce CPU limits with CFS quota (pod and container cgroups). */
  cpuCFSQuota: boolean;
  nodeStatusUpdateFrequencyMs?: number;
  nodeLeaseDurationSeconds?: number;
  fileCheckFrequencyMs: number;
  /** The decoded document (every field, as written). */
  raw: Record<string, unknown>;
}

export class KubeletConfigError extends Error {}

/** Reads and decodes a KubeletConfiguration file; throws KubeletConfigError saying what is wrong. */
export function loadKubeletConfig(path: string): KubeletConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new KubeletConfigError(`failed to load Kubelet config file ${path}: ${(e as Error).message}`);
  }
  return parseKubeletConfig(text, resolve(path));
}

function decode(text: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try { return JSON.parse(trimmed); } catch (e) { throw new Error(`failed to decode: ${(e as Error).message}`); }
  }
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length !== 1) throw new Error(docs.length ? 'failed to decode: the file holds more than one document' : 'failed to decode: the file is empty');
  const d = docs[0];
  if (d.errors.length) throw new Error(`failed to decode: ${d.errors[0].message}`);
  const v = d.toJS();
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('failed to decode: not a KubeletConfiguration object');
  return v;
}

/** Decodes, validates and defaults a KubeletConfiguration; `source` is its absolute path. */
export function parseKubeletConfig(text: string, source: string): KubeletConfig {
  const fail = (msg: string): never => { throw new KubeletConfigError(`failed to load Kubelet config file ${source}: ${msg}`); };
  let raw: Record<string, unknown> = {};
  try { raw = decode(text); } catch (e) { fail((e as Error).message); }
  if (!raw.kind) fail(`Object 'Kind' is missing in '${JSON.stringify(raw)}'`);
  if (raw.apiVersion !== KUBELET_CONFIG_GROUP_VERSION || raw.kind !== 'KubeletConfiguration') {
    fail(`no kind ${JSON.stringify(raw.kind)} is registered for version ${JSON.stringify(raw.apiVersion ?? '')} in scheme (want apiVersion ${KUBELET_CONFIG_GROUP_VERSION}, kind KubeletConfiguration)`);
  }
  const errs = checkSchema(raw, KUBELET_CONFIGURATION, 'KubeletConfiguration');
  const unknown = errs.filter((e) => e.startsWith('unknown field'));
  if (unknown.length) fail(`strict decoding error: ${unknown.join(', ')}`);
  if (errs.length) fail(`failed to decode: ${errs.join(', ')}`);

  const r = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const bad: string[] = [];
  const maxPods = r.maxPods ?? 110;
  if (maxPods < 0) bad.push(`invalid configuration: maxPods (--max-pods) ${maxPods} must not be a negative number`);
  if (r.nodeLeaseDurationSeconds !== undefined && r.nodeLeaseDurationSeconds <= 0) bad.push('invalid configuration: nodeLeaseDurationSeconds must be greater than 0');
  for (const ip of r.clusterDNS ?? []) if (!isIP(ip)) bad.push(`invalid configuration: clusterDNS ${JSON.stringify(ip)} is not a valid IP address`);
  const evictionGiven = r.evictionHard !== undefined;
  const evictionHard: Record<string, string> = evictionGiven
    ? (r.mergeDefaultEvictionSettings ? { ...DEFAULT_EVICTION_HARD, ...r.evictionHard } : { ...r.evictionHard })
    : { ...DEFAULT_EVICTION_HARD };
  for (const [signal, v] of Object.entries(evictionHard)) {
    if (!EVICTION_SIGNALS.includes(signal)) { bad.push(`invalid configuration: evictionHard: unsupported eviction signal ${signal}`); continue; }
    const err = thresholdError(v);
    if (err) bad.push(`invalid configuration: evictionHard[${signal}]: ${err}`);
  }
  for (const [field, m] of [['systemReserved', r.systemReserved], ['kubeReserved', r.kubeReserved]] as const) {
    for (const [k, v] of Object.entries((m ?? {}) as Record<string, string>)) {
      const q = tryParseQuantity(v);
      if (!q) bad.push(`invalid configuration: ${field}[${k}]: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
      else if (q.sign() < 0) bad.push(`invalid configuration: ${field}[${k}] ${v} must not be negative`);
    }
  }
  try { new SysctlAllowlist(r.allowedUnsafeSysctls ?? []); } catch (e) { bad.push(`invalid configuration: allowedUnsafeSysctls: ${(e as Error).message}`); }
  if (bad.length) fail(bad.join(', '));

  const rel = (p: string | undefined): string | undefined => (p ? (isAbsolute(p) ? p : resolve(dirname(source), p)) : undefined);
  return {
    source,
    staticPodPath: rel(r.staticPodPath),
    maxPods,
    clusterDNS: [...(r.clusterDNS ?? [])],
    clusterDomain: r.clusterDomain || undefined,
    evictionHard,
    systemReserved: { ...(r.systemReserved ?? {}) },
    kubeReserved: { ...(r.kubeReserved ?? {}) },
    allowedUnsafeSysctls: [...(r.allowedUnsafeSysctls ?? [])],
    serializeImagePulls: r.serializeImagePulls ?? true,
    registerNode: r.registerNode ?? true,
    cgroupRoot: r.cgroupRoot || undefined,
    podPidsLimit: r.podPidsLimit ?? -1,
    cpuCFSQuota: r.cpuCFSQuota ?? true,
    nodeStatusUpdateFrequencyMs: r.nodeStatusUpdateFrequency ? parseGoDuration(r.nodeStatusUpdateFrequency) : undefined,
    nodeLeaseDurationSeconds: r.nodeLeaseDurationSeconds,
    fileCheckFrequencyMs: r.fileCheckFrequency ? parseGoDuration(r.fileCheckFrequency) : 20_000,
    raw,
  };
}

function thresholdError(v: string): string | undefined {
  if (v.endsWith('%')) {
    const p = Number(v.slice(0, -1));
    if (v.length === 1 || !Number.isFinite(p)) return `invalid percentage ${JSON.stringify(v)}`;
    if (p < 0 || p > 100) return `threshold percentage ${v} must be between 0% and 100%`;
    return undefined;
  }
  const q = tryParseQuantity(v);
  if (!q) return `invalid quantity ${JSON.stringify(v)}`;
  if (q.sign() < 0) return `eviction threshold ${v} must be positive`;
  return undefined;
}

const bytes = (q: string | undefined): bigint => {
  const p = q === undefined ? undefined : tryParseQuantity(q);
  return p ? BigInt(p.value()) : 0n;
};

/** A hard-eviction threshold in bytes of `capacity` (a percentage or a quantity). */
function thresholdBytes(v: string | undefined, capacity: bigint): bigint {
  if (v === undefined) return 0n;
  if (v.endsWith('%')) return (capacity * BigInt(Math.round(Number(v.slice(0, -1)) * 100))) / 10000n;
  return bytes(v);
}

const kib = (b: bigint): string => (b % 1024n === 0n ? `${b / 1024n}Ki` : String(b));

/**
 * Node allocatable (upstream's GetNodeAllocatableAbsolute + hard eviction): capacity less
 * systemReserved and kubeReserved, less the memory.available and nodefs.available hard
 * eviction thresholds; never below zero.
 */
export function nodeAllocatable(capacity: Record<string, string>, cfg: Pick<KubeletConfig, 'evictionHard' | 'systemReserved' | 'kubeReserved'>): Record<string, string> {
  const out: Record<string, string> = { ...capacity };
  const reserved = (k: string): bigint => bytes(cfg.systemReserved[k]) + bytes(cfg.kubeReserved[k]);
  const milli = (q: string | undefined): bigint => { const p = q === undefined ? undefined : tryParseQuantity(q); return p ? BigInt(p.milliValue()) : 0n; };
  if (capacity.cpu !== undefined) {
    let m = milli(capacity.cpu) - milli(cfg.systemReserved.cpu) - milli(cfg.kubeReserved.cpu);
    if (m < 0n) m = 0n;
    out.cpu = m % 1000n === 0n ? String(m / 1000n) : `${m}m`;
  }
  if (capacity.memory !== undefined) {
    const cap = bytes(capacity.memory);
    let b = cap - reserved('memory') - thresholdBytes(cfg.evictionHard['memory.available'], cap);
    if (b < 0n) b = 0n;
    out.memory = kib(b);
  }
  if (capacity['ephemeral-storage'] !== undefined) {
    const cap = bytes(capacity['ephemeral-storage']);
    let b = cap - reserved('ephemeral-storage') - thresholdBytes(cfg.evictionHard['nodefs.available'], cap);
    if (b < 0n) b = 0n;
    out['ephemeral-storage'] = kib(b);
  }
  if (capacity.pid !== undefined) out.pid = capacity.pid;
  return out;
}
