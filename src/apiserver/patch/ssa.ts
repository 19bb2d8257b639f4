// Server-side apply and managedFields tracking for ordinary writes, following kube-apiserver's
// field manager chain (k8s.io/apimachinery/pkg/util/managedfields/internal) over
// structured-merge-diff's Updater:
//   versionCheck → lastAppliedUpdater → lastAppliedManager → skipNonApplied → capManagers →
//   buildManagerInfo → managedFieldsUpdater → stripMeta → structuredMerge
// Objects are external (versioned) JSON; version conversion is not needed because every
// manager's set is kept at the version it was written with and compared as is.

import { ApiError, badRequest } from '../../api/errors.js';
import { nowRFC3339, type Obj } from '../../api/types.js';
import { FieldSet } from './fieldpath.js';
import { goMarshal } from './gojson.js';
import {
  capManagers, cloneManaged, conflictError, ConflictsError, decodeManagedFields, emptyManaged,
  encodeManagedFields, isResetManagedFields, managerIdentifier, stripManager, STRIP_SET,
  type Managed, type ManagedFieldsEntry,
} from './managedfields.js';
import { resolveSchema, type SchemaNode } from './meta.js';
import {
  addedFields, compareTyped, ensureNamedFieldsAreMembers, mergeTyped, removeItems, subtreeSet, toFieldSet,
  TypedErrors, type Comparison,
} from './typed.js';
import { deepEqual, isObj } from './util.js';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Options shared by apply and update tracking. */
export interface FieldManagerOptions {
  /** Root schema of the kind; omitted: looked up with setSchemaResolver's function, if any. */
  schema?: SchemaNode;
  /** API version the request is served at ("v1", "apps/v1"). */
  apiVersion: string;
  /** When the write happens (entry times are RFC 3339, seconds). */
  now: Date | string;
  /** "status" for writes through /status: entries carry it and are tracked apart. */
  subresource?: string;
  /**
   * Field paths whose subtrees are never owned and never conflict (the strategy's reset
   * fields): [["status"]] for the main resource of a kind with a status subresource. Default:
   * none for the main resource, [["spec"]] for "status".
   */
  resetFields?: string[][];
  /** Built-in kind (Go struct semantics for struct-typed fields); false for custom resources. Default true. */
  builtin?: boolean;
}

export interface ApplyOptions extends FieldManagerOptions {
  force: boolean;
  /** The kind being applied (checked against the configuration's kind when given). */
  kind?: string;
}

export interface ApplyResult {
  /** The new object, metadata.managedFields included. */
  result: Obj;
  managedFields: ManagedFieldsEntry[];
  /** False when the apply changed nothing but (possibly) managedFields. */
  changed: boolean;
}

interface Ctx {
  schema?: SchemaNode;
  apiVersion: string;
  now: string;
  subresource?: string;
  reset: FieldSet;
  builtin: boolean;
}

// The reset sets are a handful of constant paths: built once each (FieldSets here are only read).
const resetSets = new Map<string, FieldSet>();
function resetSet(paths: string[][]): FieldSet {
  const key = JSON.stringify(paths);
  let set = resetSets.get(key);
  if (!set) { if (resetSets.size > 100) resetSets.clear(); resetSets.set(key, (set = subtreeSet(paths))); }
  return set;
}

function makeCtx(o: FieldManagerOptions, obj: Obj | undefined): Ctx {
  const schema = 'schema' in o ? o.schema : resolveSchema(o.apiVersion, typeof obj?.kind === 'string' ? obj.kind : '');
  const reset = o.resetFields ?? (o.subresource === 'status' ? [['spec']] : []);
  return {
    schema,
    apiVersion: o.apiVersion,
    now: typeof o.now === 'string' ? o.now : nowRFC3339(o.now),
    subresource: o.subresource || undefined,
    reset: resetSet(reset),
    builtin: o.builtin ?? true,
  };
}

function withoutManagedFields(o: Obj | undefined): Obj {
  if (!o) return {};
  const c = structuredClone(o);
  if (isObj(c.metadata)) delete c.metadata.managedFields;
  return c;
}

/** o without metadata.managedFields, sharing everything else with o: for read-only use. */
function viewWithoutManagedFields(o: Obj | undefined): Obj {
  if (!o) return {};
  if (!isObj(o.metadata) || !('managedFields' in o.metadata)) return o;
  const { managedFields: _dropped, ...metadata } = o.metadata;
  return { ...o, metadata };
}

function filterComparison(c: Comparison, reset: FieldSet): Comparison {
  if (reset.empty()) return c;
  return { added: c.added.recursiveDifference(reset), modified: c.modified.recursiveDifference(reset), removed: c.removed.recursiveDifference(reset) };
}

/**
 * Updater.update: other managers lose what this write modified or added (a conflict unless
 * forced) and what it removed.
 */
function updateOthers(cmp: Comparison, m: Managed, self: string, force: boolean): void {
  const changed = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  for (const [id, vs] of m.fields) {
    if (id === self) continue;
    const c = vs.set.intersection(changed);
    if (!c.empty()) conflicts.set(id, c);
  }
  if (!force && conflicts.size) throw new ConflictsError(conflicts);
  for (const [id, vs] of [...m.fields]) {
    if (id === self) continue;
    let set = vs.set;
    const c = conflicts.get(id);
    if (c) set = set.difference(c);
    if (!cmp.removed.empty()) set = set.difference(cmp.removed);
    if (set.empty()) m.fields.delete(id);
    else if (set !== vs.set) m.fields.set(id, { ...vs, set });
  }
}

/** One Update-style write by manager `id` (managedFieldsUpdater + stripMeta + structured Update). */
function trackUpdate(live: Obj, updated: Obj, managed: Managed, id: string, ctx: Ctx): Managed {
  const m = cloneManaged(managed);
  const cmp = filterComparison(compareTyped(live, updated, ctx.schema, { builtin: ctx.builtin }), ctx.reset);
  const SELF = 'current-operation';
  updateOthers(cmp, m, SELF, true);
  const set = cmp.modified.union(cmp.added).recursiveDifference(ctx.reset);
  if (!set.empty()) m.fields.set(SELF, { set, apiVersion: ctx.apiVersion, applied: false });
  stripManager(m, SELF);
  const vs = m.fields.get(SELF);
  if (vs) {
    m.fields.delete(SELF);
    const prev = m.fields.get(id);
    m.fields.set(id, { set: prev ? vs.set.union(prev.set) : vs.set, apiVersion: vs.apiVersion, applied: false });
    m.times.set(id, ctx.now);
  }
  return m;
}

/** Which managed fields to start from (decodeLiveOrNew): a client may set managedFields itself. */
function decodeLiveOrNew(old: Obj | undefined, updated: Obj, ignoreNew: boolean): Managed {
  const fromLive = (): Managed => {
    try { return decodeManagedFields(old?.metadata?.managedFields); } catch { return emptyManaged(); }
  };
  if (ignoreNew) return fromLive();
  const mf = updated.metadata?.managedFields;
  if (isResetManagedFields(mf)) return emptyManaged();
  try {
    const m = decodeManagedFields(mf);
    if (m.fields.size) return m;
  } catch {
    // fall back to the live object's
  }
  return fromLive();
}

export type UpdateExtra = Omit<FieldManagerOptions, 'apiVersion' | 'now'>;

/**
 * metadata.managedFields after a non-apply write (create, update, JSON/merge/strategic
 * patch) by `manager`: it gains the fields it added or changed, every other manager loses
 * those and the removed ones, and entries of the same manager, operation, version and
 * subresource merge. A create records every field set. An existing object that has no
 * managedFields stays untracked (until a server-side apply). Returns undefined for "no
 * managedFields" (omit the field).
 *
 * `extra` is the subresource name, or options (schema, subresource, resetFields, builtin).
 */
export function updateManagedFields(
  old: Obj | undefined, updated: Obj, manager: string, operation: 'Update', apiVersion: string,
  now: Date | string, extra?: string | UpdateExtra,
): ManagedFieldsEntry[] | undefined {
  void operation;
  const opts: FieldManagerOptions = typeof extra === 'string' || extra === undefined
    ? { apiVersion, now, subresource: extra }
    : { ...extra, apiVersion, now };
  const ctx = makeCtx(opts, updated);
  let managed = decodeLiveOrNew(old, updated, !!ctx.subresource);
  const isCreate = !old || !old.metadata?.uid;
  if (managed.fields.size === 0 && !isCreate) return undefined; // skipNonApplied
  if (managed.fields.size === 0 && !old) return createdEntry(updated, manager, ctx);
  const id = managerIdentifier({ manager: manager || 'unknown', operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
  managed = capManagers(trackUpdate(viewWithoutManagedFields(old), viewWithoutManagedFields(updated), managed, id, ctx));
  const out = encodeManagedFields(managed);
  return out.length ? out : undefined;
}

/**
 * updateManagedFields(undefined, created, manager, 'Update', apiVersion, now, {schema,
 * resetFields}) for a create: when the object brings no managedFields of its own (nearly
 * always), the one entry is built straight away.
 */
export function createManagedFields(
  created: Obj, manager: string, apiVersion: string, now: Date | string, schema: SchemaNode | undefined, resetFields: string[][],
): ManagedFieldsEntry[] | undefined {
  if (created.metadata?.managedFields !== undefined) return updateManagedFields(undefined, created, manager, 'Update', apiVersion, now, { schema, resetFields });
  return createdEntry(created, manager, {
    schema, apiVersion, now: typeof now === 'string' ? now : nowRFC3339(now), reset: resetSet(resetFields), builtin: true,
  });
}

/**
 * The general path above, for its most common case (a create that brings no managedFields):
 * there are no other managers to take fields from, so the one entry is the created fields
 * minus the reset and stripped ones. Same result, a third of the work.
 */
function createdEntry(updated: Obj, manager: string, ctx: Ctx): ManagedFieldsEntry[] | undefined {
  const set = addedFields(viewWithoutManagedFields(updated), ctx.schema, { builtin: ctx.builtin }, { subtrees: ctx.reset, paths: STRIP_SET });
  if (set.empty()) return undefined;
  const e = {} as ManagedFieldsEntry;
  e.manager = manager || 'unknown';
  e.operation = 'Update';
  e.apiVersion = ctx.apiVersion;
  e.time = ctx.now;
  e.fieldsType = 'FieldsV1';
  e.fieldsV1 = set.toFieldsV1();
  if (ctx.subresource) e.subresource = ctx.subresource;
  return [e];
}

// ---- apply ----

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const parts = av.split('/');
  let group = '', version = '';
  if (parts.length === 1) version = parts[0];
  else if (parts.length === 2) [group, version] = parts;
  return `${group}/${version}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

function typedError(what: string, obj: Obj, e: TypedErrors): ApiError {
  const ns = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  // a shape the schema cannot hold is the client's mistake: 400, not upstream's 500
  return new ApiError(400, 'BadRequest', `failed to create typed ${what} object (${ns}/${name}; ${gvkString(obj.apiVersion, obj.kind)}): ${e.message}`);
}

/**
 * prune (merge/update.go): fields the applier owned last time and no longer applies are
 * removed from the merged object unless some manager (the applier's new set included) still
 * owns them.
 */
function prune(merged: Obj, m: Managed, lastSet: FieldSet | undefined, schema: SchemaNode | undefined): Obj {
  if (!lastSet || lastSet.empty()) return merged;
  const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, schema);
  const setOf = (o: Obj): FieldSet => named(toFieldSet(o, schema));
  const last = named(lastSet);
  let owned = new FieldSet();
  for (const vs of m.fields.values()) owned = owned.union(vs.set);
  owned = named(owned);
  const mergedSet = setOf(merged);
  const pruned0 = (removeItems(merged, last, schema) ?? {}) as Obj;
  const pruned1 = (removeItems(merged, mergedSet.difference(setOf(pruned0).union(owned)), schema) ?? {}) as Obj;
  return (removeItems(merged, mergedSet.difference(setOf(pruned1)).intersection(last), schema) ?? {}) as Obj;
}

/** structuredMergeManager.Apply + stripMeta + managedFieldsUpdater (times). */
function applyCore(live: Obj, config: Obj, managed: Managed, id: string, force: boolean, ctx: Ctx): { obj?: Obj; managed: Managed } {
  let configSet: FieldSet;
  try {
    configSet = toFieldSet(config, ctx.schema, true);
  } catch (e) {
    if (e instanceof TypedErrors) throw typedError('patch', config, e);
    throw e;
  }
  const m = cloneManaged(managed);
  const merged = (mergeTyped(live, config, ctx.schema) ?? {}) as Obj;
  const lastSet = m.fields.get(id)?.set;
  m.fields.set(id, { set: configSet.recursiveDifference(ctx.reset), apiVersion: ctx.apiVersion, applied: true });
  const result = prune(merged, m, lastSet, ctx.schema);
  const cmp = filterComparison(compareTyped(live, result, ctx.schema, { builtin: ctx.builtin }), ctx.reset);
  updateOthers(cmp, m, id, force);
  if (m.fields.get(id)?.set.empty()) m.fields.delete(id);
  stripManager(m, id);
  const noop = deepEqual(live, result);
  if (!noop) m.times.set(id, ctx.now);
  return { obj: noop ? undefined : result, managed: m };
}

/** skipNonAppliedManager + capManagers around applyCore. */
function applyTracked(live: Obj, config: Obj, managed: Managed, id: string, force: boolean, ctx: Ctx): { obj?: Obj; managed: Managed } {
  let m = managed;
  if (m.fields.size === 0) {
    // Fields that existed before the first apply belong to "before-first-apply".
    const bfa = managerIdentifier({ manager: 'before-first-apply', operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
    m = capManagers(trackUpdate({}, live, m, bfa, ctx));
  }
  const r = applyCore(live, config, m, id, force, ctx);
  return { obj: r.obj, managed: capManagers(r.managed) };
}

/**
 * The fields client-side apply last applied with the values they still have: kubectl
 * (manager "kubectl") may take them over without a conflict (lastAppliedManager).
 */
function allowedFromLastApplied(live: Obj, ctx: Ctx): FieldSet | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string' || !text) return undefined;
  let last: unknown;
  try { last = JSON.parse(text); } catch { return undefined; }
  if (!isObj(last) || last.apiVersion !== ctx.apiVersion) return undefined;
  try {
    const set = toFieldSet(last, ctx.schema, true);
    const c = compareTyped(last, live, ctx.schema, { builtin: ctx.builtin });
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

function lastAppliedValue(config: Obj): string {
  const c = structuredClone(config);
  if (isObj(c.metadata) && isObj(c.metadata.annotations)) delete c.metadata.annotations[LAST_APPLIED_ANNOTATION];
  return `${goMarshal(c)}\n`;
}

/**
 * Server-side apply of `applied` (an applied configuration, already decoded) by `manager` to
 * `live` (undefined: create). Returns the new object with managedFields, or throws:
 *  - 400 "invalid object type: <gvk>" when apiVersion/kind do not match the endpoint;
 *  - 400 "metadata.managedFields must be nil" when the configuration carries them;
 *  - 409 Conflict "Apply failed with N conflict(s): ..." unless `force`;
 *  - 500 "failed to create typed patch object (...)" for list keys missing or duplicated.
 */
export function apply(live: Obj | undefined, applied: Obj, manager: string, opts: ApplyOptions): ApplyResult {
  const kind = opts.kind ?? live?.kind ?? applied.kind;
  if (applied.apiVersion !== opts.apiVersion || applied.kind !== kind) {
    throw badRequest(`invalid object type: ${gvkString(applied.apiVersion, applied.kind)}`);
  }
  if (isObj(applied.metadata) && applied.metadata.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const ctx = makeCtx(opts, applied);
  let managed: Managed;
  try {
    managed = decodeManagedFields(live?.metadata?.managedFields);
  } catch (e) {
    throw new ApiError(400, 'BadRequest', `failed to decode managed fields: ${(e as Error).message}`);
  }
  const liveObj = withoutManagedFields(live);
  const name = manager || 'unknown';
  const id = managerIdentifier({ manager: name, operation: 'Apply', subresource: ctx.subresource });

  let r: { obj?: Obj; managed: Managed };
  try {
    r = applyTracked(liveObj, applied, managed, id, opts.force, ctx);
  } catch (e) {
    if (!(e instanceof ConflictsError)) throw e;
    if (name !== 'kubectl') throw conflictError(e);
    // Upgrading from client-side apply: conflicts on fields kubectl last applied (and that
    // still have those values) are taken over.
    const allowed = allowedFromLastApplied(liveObj, ctx);
    if (!allowed) throw conflictError(e);
    const rest = new Map<string, FieldSet>();
    for (const [mid, set] of e.conflicts) {
      const left = set.difference(allowed);
      if (!left.empty()) rest.set(mid, left);
    }
    if (rest.size) throw conflictError(new ConflictsError(rest));
    r = applyTracked(liveObj, applied, managed, id, true, ctx);
  }

  const result = r.obj ?? structuredClone(liveObj);
  // lastAppliedUpdater: kubectl keeps an existing client-side apply annotation in sync.
  if (name === 'kubectl') {
    const ann = result.metadata?.annotations;
    if (isObj(ann) && typeof ann[LAST_APPLIED_ANNOTATION] === 'string' && ann[LAST_APPLIED_ANNOTATION]) {
      ann[LAST_APPLIED_ANNOTATION] = lastAppliedValue(applied);
    }
  }
  const managedFields = encodeManagedFields(r.managed);
  result.metadata ??= {};
  if (managedFields.length) result.metadata.managedFields = managedFields;
  else delete result.metadata.managedFields;
  return { result, managedFields, changed: !deepEqual(viewWithoutManagedFields(result), liveObj) };
}

/** The set of fields an object sets, as an applier of it would own them (before stripping). */
export function computeFieldSet(obj: Obj, schema?: SchemaNode): FieldSet {
  return toFieldSet(viewWithoutManagedFields(obj), schema);
}
