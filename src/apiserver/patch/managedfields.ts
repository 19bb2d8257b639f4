// metadata.managedFields: the wire entries, manager identifiers, and the bookkeeping around
// them that kube-apiserver's field manager does (k8s.io/apimachinery/pkg/util/managedfields):
// decoding and encoding, sorting, the cap on Update managers, default manager names, and the
// 409 conflict error of server-side apply with upstream's exact message.

import { ApiError } from '../../api/errors.js';
import { FieldSet, fieldPath, pathString, type Path } from './fieldpath.js';
import { compareGoStrings, goMarshalStruct, goQuote } from './gojson.js';
import { isObj } from './util.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface VersionedSet { set: FieldSet; apiVersion: string; applied: boolean }

/** Managed fields keyed by manager identifier (see managerIdentifier), with their times. */
export interface Managed { fields: Map<string, VersionedSet>; times: Map<string, string | undefined> }

export const emptyManaged = (): Managed => ({ fields: new Map(), times: new Map() });

export function cloneManaged(m: Managed): Managed {
  return { fields: new Map(m.fields), times: new Map(m.times) };
}

export interface ManagerInfo { manager: string; operation: 'Apply' | 'Update'; apiVersion?: string; subresource?: string }

// Every write builds and parses these identifiers, and a cluster has few distinct managers:
// both directions are memoized (bounded, so odd client names cannot grow them for ever).
const ID_CACHE_MAX = 1000;
const idByKey = new Map<string, string>();
const infoById = new Map<string, ManagerInfo>();

function remember<K, V>(m: Map<K, V>, k: K, v: V): V {
  if (m.size >= ID_CACHE_MAX) m.clear();
  m.set(k, v);
  return v;
}

/**
 * BuildManagerIdentifier: the JSON of the entry without time and fields; an applier's
 * identifier also leaves out the API version, so it is the same whatever version it applies.
 */
export function managerIdentifier(m: ManagerInfo): string {
  const key = `${m.manager}\u0000${m.operation}\u0000${m.apiVersion ?? ''}\u0000${m.subresource ?? ''}`;
  return idByKey.get(key) ?? remember(idByKey, key, computeIdentifier(m));
}

function computeIdentifier(m: ManagerInfo): string {
  return goMarshalStruct({
    manager: m.manager || undefined,
    operation: m.operation,
    apiVersion: m.operation === 'Apply' ? undefined : m.apiVersion || undefined,
    subresource: m.subresource || undefined,
  });
}

export function parseIdentifier(id: string): ManagerInfo {
  const hit = infoById.get(id);
  return { ...(hit ?? remember(infoById, id, computeParse(id))) };
}

function computeParse(id: string): ManagerInfo {
  try {
    const o = JSON.parse(id) as Record<string, string>;
    return { manager: o.manager ?? '', operation: o.operation === 'Apply' ? 'Apply' : 'Update', apiVersion: o.apiVersion, subresource: o.subresource };
  } catch {
    return { manager: id, operation: 'Update' };
  }
}

/** How a conflict message names a manager: "kubectl-client-side-apply" using v1 */
export function printManager(id: string): string {
  let info: ManagerInfo;
  try {
    info = JSON.parse(id) as ManagerInfo;
  } catch {
    return goQuote(id);
  }
  let s = goQuote(info.manager ?? '');
  if (info.subresource) s += ` with subresource ${goQuote(info.subresource)}`;
  if (info.operation === 'Update') s += ` using ${info.apiVersion ?? ''}`;
  return s;
}

/** True for `managedFields: [{}]`, the documented way to clear them. */
export function isResetManagedFields(mf: unknown): boolean {
  if (!Array.isArray(mf) || mf.length !== 1 || !isObj(mf[0])) return false;
  return Object.values(mf[0]).every((v) => v === undefined || v === null || v === '');
}

/** Decodes metadata.managedFields; throws Error with upstream's text on a bad entry. */
export function decodeManagedFields(entries: unknown): Managed {
  const m = emptyManaged();
  if (entries === undefined || entries === null) return m;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  entries.forEach((e, i) => {
    if (!isObj(e)) throw new Error(`managed fields entry ${i} must be an object`);
    const operation = e.operation;
    if (operation !== 'Apply' && operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    const apiVersion = typeof e.apiVersion === 'string' ? e.apiVersion : '';
    if (!apiVersion) throw new Error('apiVersion must not be empty');
    if (e.fieldsType === undefined || e.fieldsType === '') throw new Error(`missing fieldsType in managed fields entry ${i}`);
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType ${goQuote(String(e.fieldsType))} in managed fields entry ${i}`);
    const id = managerIdentifier({
      manager: typeof e.manager === 'string' ? e.manager : '', operation, apiVersion,
      subresource: typeof e.subresource === 'string' ? e.subresource : undefined,
    });
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      throw new Error(`error decoding versioned set from entry ${i}: ${(err as Error).message}`);
    }
    m.fields.set(id, { set, apiVersion, applied: operation === 'Apply' });
    m.times.set(id, typeof e.time === 'string' ? e.time : undefined);
  });
  return m;
}

const seconds = (t: string | undefined): number => {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
};

/** Encodes managed fields as metadata.managedFields, sorted as upstream sorts them. */
export function encodeManagedFields(m: Managed): ManagedFieldsEntry[] {
  const out: ManagedFieldsEntry[] = [];
  for (const [id, vs] of m.fields) {
    if (vs.set.empty()) continue;
    const info = parseIdentifier(id);
    const e: ManagedFieldsEntry = {} as ManagedFieldsEntry;
    if (info.manager) e.manager = info.manager;
    e.operation = vs.applied ? 'Apply' : 'Update';
    e.apiVersion = vs.apiVersion;
    const t = m.times.get(id);
    if (t) e.time = t;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = vs.set.toFieldsV1();
    if (info.subresource) e.subresource = info.subresource;
    out.push(e);
  }
  const cmp = (a: string | undefined, b: string | undefined): number => compareGoStrings(a ?? '', b ?? '');
  return out.sort((p, q) =>
    cmp(p.operation, q.operation)
    || seconds(p.time) - seconds(q.time)
    || cmp(p.manager, q.manager)
    || cmp(p.apiVersion, q.apiVersion)
    || cmp(p.subresource, q.subresource));
}

/** Fields no manager ever owns (stripMetaManager). */
export const STRIP_SET = FieldSet.of(
  fieldPath('apiVersion'), fieldPath('kind'), fieldPath('metadata'),
  fieldPath('metadata', 'name'), fieldPath('metadata', 'namespace'), fieldPath('metadata', 'creationTimestamp'),
  fieldPath('metadata', 'selfLink'), fieldPath('metadata', 'uid'), fieldPath('metadata', 'clusterName'),
  fieldPath('metadata', 'generation'), fieldPath('metadata', 'managedFields'), fieldPath('metadata', 'resourceVersion'),
);

/** Strips STRIP_SET from one manager's set, dropping the manager when nothing is left. */
export function stripManager(m: Managed, id: string): void {
  const vs = m.fields.get(id);
  if (!vs) return;
  const set = vs.set.difference(STRIP_SET);
  if (set.empty()) m.fields.delete(id);
  else m.fields.set(id, { ...vs, set });
}

export const DEFAULT_MAX_UPDATE_MANAGERS = 10;
const ANCIENT_CHANGES = 'ancient-changes';

/**
 * capManagersManager: past the maximum number of Update managers, the oldest are merged into
 * one "ancient-changes" entry per API version.
 */
export function capManagers(m: Managed, max = DEFAULT_MAX_UPDATE_MANAGERS): Managed {
  const updaters = [...m.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= max) return m;
  updaters.sort((a, b) => seconds(m.times.get(a)) - seconds(m.times.get(b)) || compareGoStrings(a, b));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const vs = m.fields.get(id)!;
    const bucket = managerIdentifier({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstOfVersion.get(vs.apiVersion);
    if (first === undefined) { firstOfVersion.set(vs.apiVersion, id); continue; }
    if (!m.fields.has(bucket)) {
      const s = m.fields.get(first)!;
      m.fields.delete(first);
      m.fields.set(bucket, s);
    }
    m.fields.set(bucket, { set: vs.set.union(m.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: false });
    m.fields.delete(id);
    m.times.set(bucket, m.times.get(id));
    length--;
  }
  return m;
}

// ---- conflicts ----

/** Fields of other managers an apply would change, by manager identifier. */
export class ConflictsError extends Error {
  constructor(readonly conflicts: Map<string, FieldSet>) {
    super('conflicts');
  }

  list(): { id: string; path: Path }[] {
    const out: { id: string; path: Path }[] = [];
    for (const id of [...this.conflicts.keys()].sort(compareGoStrings)) {
      for (const path of this.conflicts.get(id)!.paths()) out.push({ id, path });
    }
    return out;
  }
}

/** The 409 kube-apiserver answers for apply conflicts (NewConflictError). */
export function conflictError(c: ConflictsError): ApiError {
  const list = c.list();
  let message: string;
  if (list.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(list[0].id)}: ${pathString(list[0].path)}`;
  } else {
    const lines: string[] = [];
    let last = '';
    for (const { id, path } of list) {
      if (id !== last) { lines.push(`conflicts with ${printManager(id)}:`); last = id; }
      lines.push(`- ${pathString(path)}`);
    }
    message = `Apply failed with ${list.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, {
    causes: list.map(({ id, path }) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(id)}`, field: pathString(path) })),
  });
}

// ---- manager names ----

export const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * The manager kube-apiserver records when a request has no fieldManager: the User-Agent up
 * to its first "/", without unprintable characters, at most 128 bytes. "kubectl/v1.32.0
 * (linux/amd64) kubernetes/abc" gives "kubectl"; kubectl itself sends explicit names for its
 * commands (kubectl-client-side-apply, kubectl-edit, kubectl-label, ...). An empty result is
 * recorded as "unknown".
 */
export function defaultManagerFromUserAgent(ua: string | undefined): string {
  const prefix = (ua ?? '').split('/')[0];
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue;
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += n;
  }
  return out;
}
