// The generic registry store: create/get/list/update/delete/watch for any resource, on the
// Store interface. Kind-specific behaviour comes from the Strategy; validation and
// defaulting from src/api. Storage errors are translated to API errors here, once.
import { ApiError, alreadyExists, conflict, gone, invalid, notFound, timeout, type FieldError } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import { storageGroupOf } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { clone, nowRFC3339 } from '../../api/types.js';
import {
  CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionConflictError,
  type KV, type Store, type WatchEvent,
} from '../../storage/store.js';
import { decodeContinue, encodeContinue } from './continue.js';
import { listPrefix, objectKey } from './keys.js';
import { deepEqual, fillCreateMeta, generateName, keepSystemMeta, specChanged } from './objectmeta.js';
import type { Admission, RequestContext, Strategy } from './strategy.js';
import * as hooks from './hooks.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: Obj[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOptions extends ListOptions {
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

/** One registry per stored resource; several group-versions may share it. */
export class Registry {
  readonly group: string;
  constructor(
    readonly ri: ResourceInfo,
    readonly store: Store,
    readonly strategy: Strategy,
    readonly admission: Admission,
  ) {
    this.group = storageGroupOf(ri);
  }

  // ---- reading ----

  decode(kv: KV): Obj {
    const obj = JSON.parse(kv.value) as Obj;
    obj.metadata ??= {};
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }

  private notFound(name: string): ApiError {
    return notFound(this.ri.group, this.ri.plural, name);
  }

  async getKV(namespace: string, name: string): Promise<KV> {
    const kv = await this.store.get(objectKey(this.ri, namespace, name));
    if (!kv) throw this.notFound(name);
    return kv;
  }

  async get(namespace: string, name: string): Promise<Obj> {
    return this.decode(await this.getKV(namespace, name));
  }

  async list(namespace: string, opts: ListOptions): Promise<ListResult> {
    const prefix = listPrefix(this.ri, namespace);
    const match = hooks.makeMatcher(this.ri, opts.labelSelector, opts.fieldSelector);
    const filtered = !!(opts.labelSelector || opts.fieldSelector);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    let after: string | undefined;
    let revision = 0;
    if (opts.continue) {
      const tok = decodeContinue(opts.continue, prefix);
      after = tok.start;
      revision = tok.rv;
    } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
      const rv = parseRV(opts.resourceVersion);
      const current = await this.store.currentRevision();
      if (opts.resourceVersionMatch === 'Exact') revision = rv;
      else if (rv > current) throw timeout(`Too large resource version: ${rv}, current: ${current}`);
    }
    const items: Obj[] = [];
    let more = false, remaining = 0, lastKey = '';
    try {
      for (;;) {
        const page = await this.store.list(prefix, { limit: limit ? Math.max(limit - items.length, filtered ? 500 : 0) : 0, after, revision: revision || undefined });
        revision = page.revision;
        let i = 0;
        for (; i < page.items.length; i++) {
          const kv = page.items[i];
          lastKey = kv.key;
          const obj = this.decode(kv);
          if (match && !match(obj)) continue;
          items.push(obj);
          if (limit && items.length >= limit) { i++; break; }
        }
        const cut = i < page.items.length;
        if (limit && items.length >= limit) {
          more = cut || page.more;
          remaining = cut ? page.items.length - i + page.remaining : page.remaining;
          break;
        }
        if (!page.more) break;
        after = lastKey;
      }
    } catch (e) {
      if (opts.continue && e instanceof CompactedError) {
        throw gone('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      }
      throw translateStorageError(e, this.ri, '');
    }
    const res: ListResult = { items, resourceVersion: String(revision) };
    if (more) {
      res.continue = encodeContinue(revision, lastKey, prefix);
      if (!filtered) res.remainingItemCount = remaining;
    }
    return res;
  }

  // ---- writing ----

  /** Prepare a new object for storing: defaults, metadata, strategy, validation, admission. */
  private async prepareCreate(namespace: string, obj: Obj, ctx: RequestContext): Promise<Obj> {
    obj.metadata ??= {};
    const m = obj.metadata;
    if (this.ri.namespaced) m.namespace = namespace; else delete m.namespace;
    hooks.applyDefaults(this.ri, obj);
    hooks.normalize(this.ri, obj);
    if (!m.name && m.generateName) m.name = generateName(m.generateName);
    fillCreateMeta(obj, ctx.now);
    if (this.strategy.generation) m.generation = 1; else delete m.generation;
    if (this.strategy.statusSubresource && !this.strategy.keepStatusOnCreate) delete obj.status;
    this.strategy.prepareForCreate?.(obj, ctx);
    // As kube-apiserver: the field manager records what the client sent, then mutating
    // admission fills in (unowned) fields, then the result is validated.
    hooks.trackCreate(this.ri, obj, ctx, !!this.strategy.statusSubresource);
    await this.admission.mutateCreate?.(this.ri, obj, ctx);
    const errs: FieldError[] = [...hooks.validateCreate(this.ri, obj), ...(this.strategy.validate?.(obj, ctx) ?? [])];
    if (errs.length) throw invalid(this.ri.group, this.ri.kind, m.name ?? '', errs);
    return obj;
  }

  /** The registry takes ownership of `input` (it is filled in and returned, not copied). */
  async create(namespace: string, input: Obj, ctx: RequestContext): Promise<Obj> {
    const obj = await this.prepareCreate(namespace, input, ctx);
    await this.admission.admit?.('create', this.ri, obj, undefined, ctx);
    if (ctx.dryRun) {
      this.admission.abort?.('create', this.ri, obj, undefined);
      return obj;
    }
    try {
      const text = serialize(obj);
      const kv = await this.store.create(objectKey(this.ri, namespace, obj.metadata.name), text);
      // the stored text is exactly obj without its resourceVersion: no need to parse it back
      obj.metadata.resourceVersion = String(kv.modRevision);
      storedTexts.set(obj, { text, rv: kv.modRevision });
      return obj;
    } catch (e) {
      this.admission.abort?.('create', this.ri, obj, undefined);
      throw translateStorageError(e, this.ri, obj.metadata.name);
    }
  }

  /**
   * Read-modify-write with compare-and-swap, retried on conflicts when the caller did not
   * pin a resourceVersion (GuaranteedUpdate upstream). `mutate` returns the desired object.
   */
  async update(
    namespace: string, name: string, ctx: RequestContext,
    mutate: (current: Obj | undefined) => Obj | Promise<Obj>,
    opts: { subresource?: string; allowCreate?: boolean } = {},
  ): Promise<{ obj: Obj; created: boolean }> {
    for (let attempt = 0; ; attempt++) {
      const key = objectKey(this.ri, namespace, name);
      const kv = await this.store.get(key);
      const current = kv ? this.decode(kv) : undefined;
      if (!current && !(opts.allowCreate && !opts.subresource)) throw this.notFound(name);
      // a second parse of the stored text is a cheaper private copy than cloning the first
      const desired = await mutate(kv ? this.decode(kv) : undefined);
      desired.metadata ??= {};
      if (desired.metadata.name && desired.metadata.name !== name) {
        throw new ApiError(400, 'BadRequest', `the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
      }
      desired.metadata.name = name;
      if (!current || !kv) {
        try {
          return { obj: await this.create(namespace, desired, ctx), created: true };
        } catch (e) {
          if (e instanceof ApiError && e.reason === 'AlreadyExists' && attempt < 5) continue;
          throw e;
        }
      }
      if (desired.metadata.uid && desired.metadata.uid !== current.metadata.uid) {
        throw conflict(this.ri.group, this.ri.plural, name, `Precondition failed: UID in precondition: ${desired.metadata.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      const wantRV = desired.metadata.resourceVersion;
      if (wantRV && wantRV !== current.metadata.resourceVersion) {
        throw conflict(this.ri.group, this.ri.plural, name);
      }
      // an unconditional update writes over what is there now (AllowUnconditionalUpdate)
      if (!wantRV) desired.metadata.resourceVersion = current.metadata.resourceVersion;
      const obj = this.prepareUpdate(desired, current, ctx, opts.subresource);
      if (opts.subresource !== 'binding' && this.unchanged(obj, current)) return { obj: current, created: false };
      await this.admission.admit?.('update', this.ri, obj, current, ctx);
      if (ctx.dryRun) {
        this.admission.abort?.('update', this.ri, obj, current);
        obj.metadata.resourceVersion = current.metadata.resourceVersion;
        return { obj, created: false };
      }
      try {
        if (this.deleteDuringUpdate(obj, current)) {
          await this.store.delete(key, kv.modRevision);
          this.afterDeleted(current);
          return { obj, created: false };
        }
        const nkv = await this.store.update(key, serialize(obj), kv.modRevision);
        this.admission.committed?.('update', this.ri, obj, current);
        obj.metadata.resourceVersion = String(nkv.modRevision);
        return { obj, created: false };
      } catch (e) {
        this.admission.abort?.('update', this.ri, obj, current);
        if (e instanceof RevisionConflictError && !wantRV && attempt < 20) continue;
        throw translateStorageError(e, this.ri, name);
      }
    }
  }

  private prepareUpdate(obj: Obj, old: Obj, ctx: RequestContext, subresource?: string): Obj {
    hooks.normalize(this.ri, obj);
    const m = obj.metadata;
    if (this.ri.namespaced) m.namespace = old.metadata.namespace; else delete m.namespace;
    keepSystemMeta(obj, old);
    if (subresource === 'status') {
      hooks.applyDefaults(this.ri, obj);
      // status writes change status only (ResetObjectMetaForStatus + spec from old)
      for (const k of Object.keys(obj)) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') delete obj[k];
      for (const k of Object.keys(old)) if (k !== 'metadata' && k !== 'status' && k !== 'apiVersion' && k !== 'kind') obj[k] = clone(old[k]);
      // upstream status strategies reset spec; metadata edits (annotations, labels) stand
      this.strategy.prepareForStatusUpdate?.(obj, old);
      const errs = [...hooks.validateSubresourceUpdate(this.ri, 'status', obj, old), ...(this.strategy.validateStatusUpdate?.(obj, old) ?? [])];
      if (errs.length) throw invalid(this.ri.group, this.ri.kind, m.name, errs);
    } else if (subresource) {
      // binding, finalize, ephemeralcontainers, approval, resize: the handler built the
      // object from the current one and changed only what the subresource may change
      if (subresource === 'ephemeralcontainers') hooks.applyDefaults(this.ri, obj);
      if (this.strategy.generation && specChanged(obj, old)) m.generation = (old.metadata.generation ?? 1) + 1;
      const errs = hooks.validateSubresourceUpdate(this.ri, subresource, obj, old);
      if (errs.length) throw invalid(this.ri.group, this.ri.kind, m.name, errs);
    } else {
      hooks.applyDefaults(this.ri, obj);
      if (this.strategy.statusSubresource) {
        if (old.status !== undefined) obj.status = clone(old.status); else delete obj.status;
      }
      if (this.strategy.generation) {
        const g = old.metadata.generation ?? 1;
        m.generation = specChanged(obj, old) ? g + 1 : g;
      }
      this.strategy.prepareForUpdate?.(obj, old, ctx);
      const errs = [...hooks.validateUpdate(this.ri, obj, old), ...(this.strategy.validateUpdate?.(obj, old, ctx) ?? [])];
      if (errs.length) throw invalid(this.ri.group, this.ri.kind, m.name, errs);
    }
    // a binding is not a field manager's write upstream (BindingREST assigns the node directly)
    if (subresource !== 'binding') hooks.trackUpdate(this.ri, obj, old, ctx, subresource, !!this.strategy.statusSubresource);
    return obj;
  }

  /** No-op writes are not stored (kube-apiserver skips them: no new resourceVersion). */
  private unchanged(obj: Obj, current: Obj): boolean {
    const a = { ...obj, metadata: { ...obj.metadata, resourceVersion: undefined, managedFields: stripTimes(obj.metadata.managedFields) } };
    const b = { ...current, metadata: { ...current.metadata, resourceVersion: undefined, managedFields: stripTimes(current.metadata.managedFields) } };
    return deepEqual(a, b);
  }

  /** ShouldDeleteDuringUpdate: the last finalizer left an object already being deleted. */
  private deleteDuringUpdate(obj: Obj, old: Obj): boolean {
    const fin = obj.metadata.finalizers ?? [];
    if (fin.length || !obj.metadata.deletionTimestamp) return false;
    if (this.strategy.finalizing?.(obj)) return false;
    return (old.metadata.deletionGracePeriodSeconds ?? 0) === 0;
  }

  private afterDeleted(obj: Obj): void {
    this.strategy.afterDelete?.(obj);
    this.admission.deleted?.(this.ri, obj);
  }

  /** Returns the object and whether it is gone (200) or only marked for deletion (202). */
  async delete(namespace: string, name: string, opts: DeleteOptions, ctx: RequestContext): Promise<{ obj: Obj; deleted: boolean }> {
    const key = objectKey(this.ri, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.getKV(namespace, name);
      const cur = this.decode(kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cur.metadata.uid) {
        throw conflict(this.ri.group, this.ri.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${cur.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== cur.metadata.resourceVersion) {
        throw conflict(this.ri.group, this.ri.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${cur.metadata.resourceVersion}`);
      }
      this.admission.admitDelete?.(this.ri, cur, ctx);
      const marked = this.markForDeletion(clone(cur), opts, ctx);
      try {
        if (marked) {
          if (ctx.dryRun || deepEqual(marked, cur)) return { obj: cur, deleted: false };
          const nkv = await this.store.update(key, serialize(marked), kv.modRevision);
          return { obj: this.decode(nkv), deleted: false };
        }
        if (ctx.dryRun) return { obj: cur, deleted: true };
        const res = await this.store.delete(key, kv.modRevision);
        this.afterDeleted(cur);
        const out = this.decode(res.prev);
        out.metadata.resourceVersion = String(res.revision);
        return { obj: out, deleted: true };
      } catch (e) {
        if (e instanceof RevisionConflictError && attempt < 20) continue;
        throw translateStorageError(e, this.ri, name);
      }
    }
  }

  /**
   * Graceful deletion and finalizers: returns the object to store when deletion must wait
   * (deletionTimestamp set), or undefined to delete now.
   */
  private markForDeletion(obj: Obj, opts: DeleteOptions, ctx: RequestContext): Obj | undefined {
    const m = obj.metadata;
    const policy = opts.propagationPolicy
      ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : this.strategy.defaultOrphan ? 'Orphan' : undefined);
    let fin: string[] = [...(m.finalizers ?? [])];
    if (policy) {
      // the requested propagation replaces any other one asked for earlier
      const want = policy === 'Orphan' ? 'orphan' : policy === 'Foreground' ? 'foregroundDeletion' : '';
      fin = fin.filter((f) => (f !== 'orphan' && f !== 'foregroundDeletion') || f === want);
      if (want && !fin.includes(want)) fin.push(want);
    }
    const grace = this.strategy.gracePeriod ? this.strategy.gracePeriod(obj, opts.gracePeriodSeconds) : 0;
    const special = this.strategy.beforeDelete?.(obj, ctx);
    if (special) return special;
    if (fin.length === 0 && grace === 0) return undefined;
    if (fin.length) m.finalizers = fin; else delete m.finalizers;
    const now = ctx.now.getTime();
    if (m.deletionTimestamp) {
      // already being deleted: a shorter grace period moves the deadline closer
      if (grace < (m.deletionGracePeriodSeconds ?? 0)) {
        m.deletionGracePeriodSeconds = grace;
        m.deletionTimestamp = nowRFC3339(new Date(now + grace * 1000));
      }
      if (grace === 0 && fin.length === 0) return undefined;
      return obj;
    }
    m.deletionTimestamp = nowRFC3339(new Date(now + grace * 1000));
    m.deletionGracePeriodSeconds = grace;
    if (m.generation !== undefined) m.generation += 1;
    return obj;
  }

  async deleteCollection(namespace: string, listOpts: ListOptions, opts: DeleteOptions, ctx: RequestContext): Promise<Obj[]> {
    const { items } = await this.list(namespace, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const out: Obj[] = [];
    for (const it of items) {
      try {
        out.push((await this.delete(it.metadata.namespace ?? '', it.metadata.name, opts, ctx)).obj);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return out;
  }

  // ---- watching ----

  /**
   * Streams watch events to `send` until the signal aborts. resourceVersion "" or "0"
   * first sends the current objects as ADDED (the initial state), as kube-apiserver does.
   */
  async watch(
    namespace: string, opts: WatchOptions, signal: AbortSignal, send: (type: WatchType, obj: Obj) => void,
    sendStored?: (type: 'ADDED' | 'MODIFIED', kv: KV) => void,
  ): Promise<void> {
    const prefix = listPrefix(this.ri, namespace);
    const match = hooks.makeMatcher(this.ri, opts.labelSelector, opts.fieldSelector);
    let from: number;
    const rvParam = opts.resourceVersion ?? '';
    if (rvParam === '' || rvParam === '0' || opts.sendInitialEvents) {
      const snap = await this.list(namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: rvParam === '0' ? '' : rvParam, resourceVersionMatch: rvParam && rvParam !== '0' ? 'Exact' : undefined });
      for (const it of snap.items) send('ADDED', it);
      from = Number(snap.resourceVersion);
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) {
        send('BOOKMARK', { kind: this.ri.kind, apiVersion: this.ri.group ? `${this.ri.group}/${this.ri.version}` : this.ri.version, metadata: { resourceVersion: snap.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } } });
      }
    } else {
      from = parseRV(rvParam);
    }
    const onEvent = (ev: WatchEvent) => {
      // unfiltered adds and changes go out as stored: the watcher may not need them decoded
      if (sendStored && !match && ev.type !== 'DELETE') { sendStored(ev.prevKv ? 'MODIFIED' : 'ADDED', ev.kv); return; }
      const cur = decodeShared(this, ev.kv);
      if (ev.type === 'DELETE') {
        cur.metadata.resourceVersion = String(ev.revision);
        if (!match || match(cur)) send('DELETED', cur);
        return;
      }
      if (!match) { send(ev.prevKv ? 'MODIFIED' : 'ADDED', cur); return; }
      const now = match(cur);
      const before = ev.prevKv ? match(decodeShared(this, ev.prevKv)) : false;
      if (now && before) send('MODIFIED', cur);
      else if (now) send('ADDED', cur);
      else if (before) send('DELETED', cur);
    };
    try {
      await this.store.watch(prefix, { fromRevision: from, signal }, onEvent, (err) => {
        if (!signal.aborted) send('ERROR', hooks.errorStatus(translateStorageError(err, this.ri, '')));
      });
    } catch (e) {
      throw translateStorageError(e, this.ri, '');
    }
  }
}

/**
 * Every watcher of a resource gets the same event (the store freezes and shares its KVs):
 * the object is decoded once for all of them. Watch consumers treat it as read-only (they
 * convert or print it into new objects); a DELETE's resourceVersion, the one field set
 * here, is the same for every watcher.
 */
const decodedEvents = new WeakMap<KV, Obj>();
export function decodeShared(reg: Registry, kv: KV): Obj {
  let obj = decodedEvents.get(kv);
  if (!obj) decodedEvents.set(kv, (obj = reg.decode(kv)));
  return obj;
}

function stripTimes(mf: Obj[] | undefined): Obj[] | undefined {
  return mf?.map((e) => ({ ...e, time: undefined }));
}

/**
 * The stored text of an object a create has just returned, so its answer can be written
 * without stringifying it again (rawjson.ts). Valid only while the object is unchanged: the
 * revision is checked against metadata.resourceVersion, and callers that change a created
 * object before answering with it must not use this.
 */
const storedTexts = new WeakMap<Obj, { text: string; rv: number }>();
export function storedTextOf(obj: Obj): { text: string; rv: number } | undefined {
  const t = storedTexts.get(obj);
  return t && obj.metadata?.resourceVersion === String(t.rv) ? t : undefined;
}

/** Stored form: everything but resourceVersion (the store's revision is the truth). */
function serialize(obj: Obj): string {
  const rv = obj.metadata?.resourceVersion;
  if (rv === undefined) return JSON.stringify(obj);
  delete obj.metadata.resourceVersion;
  const s = JSON.stringify(obj);
  obj.metadata.resourceVersion = rv;
  return s;
}

function parseRV(s: string): number {
  if (!/^[0-9]+$/.test(s)) throw new ApiError(400, 'BadRequest', `invalid resource version: ${s}`);
  return Number(s);
}

export function translateStorageError(e: unknown, ri: ResourceInfo, name: string): unknown {
  if (e instanceof ApiError) return e;
  if (e instanceof KeyExistsError) return alreadyExists(ri.group, ri.plural, name);
  if (e instanceof KeyNotFoundError) return notFound(ri.group, ri.plural, name);
  if (e instanceof RevisionConflictError) return conflict(ri.group, ri.plural, name);
  if (e instanceof CompactedError) return gone(`too old resource version: ${e.requested} (${e.compacted})`);
  if (e instanceof FutureRevisionError) return timeout(`Too large resource version: ${e.requested}, current: ${e.current}`);
  return e;
}
