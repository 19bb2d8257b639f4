// An in-memory KubeClient for unit tests (client-go's fake clientset + object tracker): one
// global resourceVersion counter, watch with replay from a resourceVersion (410 once
// compacted), finalizers and namespace lifecycle as kube-apiserver applies them, every call
// recorded as an action, and reactors to inject failures.
//
// What it does not do: validation, defaulting beyond metadata, strategic-merge list merging
// (strategic patches merge maps and replace lists), server-side apply semantics.

import { ApiError, conflict, forbidden, notFound, alreadyExists, badRequest } from '../api/errors.js';
import { apiVersionOf, findResource } from '../api/resources.js';
import { clone, nowRFC3339, type Obj } from '../api/types.js';
import { NAMESPACE_TERMINATING_CAUSE, ResourceExpiredError } from './errors.js';
import type {
  CallOptions, DeleteOptions, KubeClient, ListOptions, ObjList, PatchType, ResourceRef, SubresourceMethod,
  WatchEvent, WatchOptions,
} from './interface.js';
import { parseFieldSelector, parseLabelSelector } from './selector.js';

export interface FakeAction {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  group: string;
  resource: string;
  namespace: string;
  name?: string;
  subresource?: string;
  object?: Obj;
  patchType?: PatchType;
}

/** Return an object to answer the call, throw to fail it, return undefined to fall through. */
export type Reactor = (action: FakeAction) => Obj | undefined;

export interface FakeClientOptions {
  /** Refuse creates in namespaces that do not exist (NamespaceLifecycle admission). Default false. */
  strictNamespaces?: boolean;
}

const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces' };
const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

interface Stored { ref: ResourceRef; obj: Obj }
interface LogEntry { bucket: string; namespace: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: Obj; rev: number }
interface Watcher { bucket: string; namespace: string; match: (o: Obj) => boolean; push: (ev: WatchEvent | Error | null) => void }

function storageGroup(ref: ResourceRef): string {
  const ri = findResource(ref.group, ref.version, ref.plural);
  return ri?.storageGroup ?? ref.group;
}

function bucketOf(ref: ResourceRef): string {
  return `${storageGroup(ref)}/${ref.plural}`;
}

function kindOf(ref: ResourceRef): string {
  return ref.kind ?? findResource(ref.group, ref.version, ref.plural)?.kind ?? ref.plural;
}

function hasStatusSubresource(ref: ResourceRef): boolean {
  return !!findResource(ref.group, ref.version, ref.plural)?.subresources?.some((s) => s.name === 'status');
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Obj = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Obj) } : {};
  for (const [k, v] of Object.entries(patch as Obj)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  return path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 JSON patch (add, remove, replace, test). */
export function jsonPatch(doc: Obj, ops: Obj[]): Obj {
  const root = clone(doc);
  for (const op of ops) {
    const parts = pointer(op.path);
    const last = parts.pop()!;
    let parent: Obj = root;
    for (const p of parts) {
      parent = parent?.[p];
      if (parent === undefined || parent === null) throw badRequest(`jsonpatch ${op.op} operation does not apply: doc is missing path: ${op.path}`);
    }
    const isArr = Array.isArray(parent);
    const idx = last === '-' ? parent.length : Number(last);
    switch (op.op) {
      case 'add':
        if (isArr) (parent as unknown[]).splice(idx, 0, clone(op.value));
        else parent[last] = clone(op.value);
        break;
      case 'replace':
        if (!(last in parent)) throw badRequest(`jsonpatch replace operation does not apply: doc is missing key: ${op.path}`);
        parent[last] = clone(op.value);
        break;
      case 'remove':
        if (!(last in parent)) throw badRequest(`jsonpatch remove operation does not apply: doc is missing path: ${op.path}`);
        if (isArr) (parent as unknown[]).splice(idx, 1);
        else delete parent[last];
        break;
      case 'test':
        if (JSON.stringify(parent[last]) !== JSON.stringify(op.value)) throw new ApiError(422, 'Invalid', `testing value ${op.path} failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return root;
}

export class FakeClient implements KubeClient {
  readonly actions: FakeAction[] = [];
  private readonly buckets = new Map<string, Map<string, Stored>>();
  private readonly reactors: { verb: string; resource: string; fn: Reactor }[] = [];
  private readonly log: LogEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private rev = 0;
  private compactedRev = 0;
  private uidSeq = 0;

  constructor(private readonly opts: FakeClientOptions = {}) {}

  // ---- test helpers ----

  /** Inserts objects directly (no action recorded; a watch does see them). */
  seed(res: ResourceRef, ...objs: Obj[]): this {
    for (const o of objs) this.put(res, this.fill(res, clone(o), o.metadata?.namespace ?? ''), 'ADDED');
    return this;
  }

  /** Reactors run newest first, for a verb ('*' any) and plural ('*' any). */
  prependReactor(verb: string, resource: string, fn: Reactor): void {
    this.reactors.unshift({ verb, resource, fn });
  }

  clearActions(): void {
    this.actions.length = 0;
  }

  /** Recorded mutating calls (create/update/patch/delete/deletecollection). */
  writes(): FakeAction[] {
    return this.actions.filter((a) => MUTATING.has(a.verb));
  }

  /** A snapshot of stored objects of a resource (optionally one namespace). */
  objects(res: ResourceRef, namespace?: string): Obj[] {
    return [...(this.buckets.get(bucketOf(res))?.values() ?? [])]
      .filter((s) => namespace === undefined || (s.obj.metadata.namespace ?? '') === namespace)
      .map((s) => clone(s.obj));
  }

  object(res: ResourceRef, namespace: string, name: string): Obj | undefined {
    const s = this.buckets.get(bucketOf(res))?.get(this.key(namespace, name));
    return s ? clone(s.obj) : undefined;
  }

  /** Forgets the event history: watches from older resourceVersions get 410 Expired. */
  compact(): void {
    this.compactedRev = this.rev;
    this.log.length = 0;
  }

  /** Sends a 410 ERROR to every open watch (as a server does when its watch cache expires). */
  expireWatches(): void {
    for (const w of [...this.watchers]) w.push(new ResourceExpiredError(`too old resource version: ${this.compactedRev} (${this.rev})`));
  }

  /** Ends every open watch normally (as a server timeout does). */
  closeWatches(): void {
    for (const w of [...this.watchers]) w.push(null);
  }

  get resourceVersion(): number {
    return this.rev;
  }

  // ---- internals ----

  private key(namespace: string, name: string): string {
    return namespace ? `${namespace}/${name}` : name;
  }

  private bucket(res: ResourceRef): Map<string, Stored> {
    const b = bucketOf(res);
    let m = this.buckets.get(b);
    if (!m) this.buckets.set(b, (m = new Map()));
    return m;
  }

  private react(a: FakeAction): Obj | undefined {
    this.actions.push(a.object ? { ...a, object: clone(a.object) } : a);
    for (const r of this.reactors) {
      if ((r.verb === '*' || r.verb === a.verb) && (r.resource === '*' || r.resource === a.resource)) {
        const out = r.fn(a);
        if (out !== undefined) return clone(out);
      }
    }
    return undefined;
  }

  private action(verb: FakeAction['verb'], res: ResourceRef, namespace: string | undefined, extra: Partial<FakeAction> = {}): FakeAction {
    return { verb, group: res.group, resource: res.plural, namespace: namespace ?? '', ...extra };
  }

  private fill(res: ResourceRef, obj: Obj, namespace: string): Obj {
    obj.apiVersion = apiVersionOf(res.group, res.version);
    obj.kind = kindOf(res);
    obj.metadata = obj.metadata ?? {};
    if (namespace) obj.metadata.namespace = namespace;
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${(++this.uidSeq).toString(36).padStart(5, 'x')}`;
    if (!obj.metadata.name) throw new ApiError(422, 'Invalid', `${kindOf(res)} "" is invalid: metadata.name: Required value: name or generateName is required`);
    obj.metadata.uid = obj.metadata.uid ?? `fake-uid-${++this.uidSeq}`;
    obj.metadata.creationTimestamp = obj.metadata.creationTimestamp ?? nowRFC3339();
    if (res.group === '' && res.plural === 'namespaces') {
      obj.spec = { finalizers: ['kubernetes'], ...(obj.spec ?? {}) };
      obj.status = { phase: 'Active', ...(obj.status ?? {}) };
    }
    return obj;
  }

  private put(res: ResourceRef, obj: Obj, type: 'ADDED' | 'MODIFIED'): Obj {
    const ns = obj.metadata.namespace ?? '';
    obj.metadata.resourceVersion = String(++this.rev);
    this.bucket(res).set(this.key(ns, obj.metadata.name), { ref: res, obj });
    this.emit(res, ns, type, obj);
    return clone(obj);
  }

  private remove(res: ResourceRef, obj: Obj): Obj {
    const ns = obj.metadata.namespace ?? '';
    this.bucket(res).delete(this.key(ns, obj.metadata.name));
    obj.metadata.resourceVersion = String(++this.rev);
    this.emit(res, ns, 'DELETED', obj);
    return clone(obj);
  }

  private emit(res: ResourceRef, namespace: string, type: LogEntry['type'], obj: Obj): void {
    const e: LogEntry = { bucket: bucketOf(res), namespace, type, obj: clone(obj), rev: this.rev };
    this.log.push(e);
    for (const w of this.watchers) this.deliver(w, e);
  }

  private deliver(w: Watcher, e: LogEntry): void {
    if (w.bucket !== e.bucket || (w.namespace && w.namespace !== e.namespace) || !w.match(e.obj)) return;
    w.push({ type: e.type, object: clone(e.obj) });
  }

  private existing(res: ResourceRef, namespace: string, name: string): Stored {
    const s = this.bucket(res).get(this.key(namespace, name));
    if (!s) throw notFound(storageGroup(res), res.plural, name);
    return s;
  }

  private checkNamespace(res: ResourceRef, namespace: string, name: string): void {
    if (!namespace) return;
    const ns = this.bucket(NAMESPACES).get(namespace)?.obj;
    if (!ns) {
      if (this.opts.strictNamespaces) throw notFound('', 'namespaces', namespace);
      return;
    }
    if (ns.metadata.deletionTimestamp) {
      const err = forbidden(res.group, res.plural, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
      throw new ApiError(err.code, err.reason, err.message, {
        ...err.details,
        causes: [{ reason: NAMESPACE_TERMINATING_CAUSE, message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  /** Deletes honouring finalizers: with any left, only marks deletionTimestamp. */
  private deleteStored(res: ResourceRef, s: Stored): Obj {
    const obj = s.obj;
    const isNs = res.group === '' && res.plural === 'namespaces';
    const finalizers = [...(obj.metadata.finalizers ?? []), ...(isNs ? obj.spec?.finalizers ?? [] : [])];
    if (finalizers.length === 0) return this.remove(res, obj);
    if (obj.metadata.deletionTimestamp) return clone(obj);
    const next = clone(obj);
    next.metadata.deletionTimestamp = nowRFC3339();
    next.metadata.deletionGracePeriodSeconds = 0;
    if (isNs) next.status = { ...(next.status ?? {}), phase: 'Terminating' };
    return this.put(res, next, 'MODIFIED');
  }

  /** After a write: an object being deleted whose finalizers are all gone is removed. */
  private settle(res: ResourceRef, obj: Obj): Obj {
    const isNs = res.group === '' && res.plural === 'namespaces';
    const left = (obj.metadata.finalizers ?? []).length + (isNs ? (obj.spec?.finalizers ?? []).length : 0);
    if (obj.metadata.deletionTimestamp && left === 0) {
      const s = this.bucket(res).get(this.key(obj.metadata.namespace ?? '', obj.metadata.name));
      if (s) return this.remove(res, s.obj);
    }
    return obj;
  }

  private write(res: ResourceRef, old: Stored, next: Obj, part: 'main' | 'status' | 'finalize'): Obj {
    const isNs = res.group === '' && res.plural === 'namespaces';
    const rv = next.metadata?.resourceVersion;
    if (rv && rv !== old.obj.metadata.resourceVersion) throw conflict(storageGroup(res), res.plural, old.obj.metadata.name);
    let merged: Obj;
    if (part === 'status') {
      merged = { ...clone(old.obj), status: clone(next.status) };
    } else if (part === 'finalize') {
      merged = clone(old.obj);
      merged.spec = { ...(merged.spec ?? {}), finalizers: [...(next.spec?.finalizers ?? [])] };
    } else {
      merged = clone(next);
      // Immutable and server-owned metadata survive updates.
      for (const k of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'namespace', 'name']) {
        if (old.obj.metadata[k] !== undefined) merged.metadata[k] = old.obj.metadata[k];
        else delete merged.metadata[k];
      }
      merged.apiVersion = old.obj.apiVersion;
      merged.kind = old.obj.kind;
      if (hasStatusSubresource(res)) merged.status = clone(old.obj.status);
      if (isNs) merged.spec = { ...(merged.spec ?? {}), finalizers: clone(old.obj.spec?.finalizers) };
    }
    const unchanged = JSON.stringify({ ...merged, metadata: { ...merged.metadata, resourceVersion: '' } })
      === JSON.stringify({ ...old.obj, metadata: { ...old.obj.metadata, resourceVersion: '' } });
    if (unchanged) return clone(old.obj); // no-op writes keep the resourceVersion, as the apiserver does
    return this.settle(res, this.put(res, merged, 'MODIFIED'));
  }

  // ---- KubeClient ----

  async get(res: ResourceRef, namespace: string | undefined, name: string, _opts?: CallOptions): Promise<Obj> {
    const r = this.react(this.action('get', res, namespace, { name }));
    if (r) return r;
    return clone(this.existing(res, namespace ?? '', name).obj);
  }

  private matching(res: ResourceRef, namespace: string | undefined, opts?: ListOptions): Stored[] {
    const labels = parseLabelSelector(opts?.labelSelector);
    const fields = parseFieldSelector(opts?.fieldSelector);
    return [...this.bucket(res).entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]) => s)
      .filter((s) => (!namespace || s.obj.metadata.namespace === namespace) && labels(s.obj.metadata.labels) && fields(s.obj));
  }

  async list(res: ResourceRef, namespace: string | undefined, opts?: ListOptions & CallOptions): Promise<ObjList> {
    const r = this.react(this.action('list', res, namespace));
    if (r) return r as ObjList;
    let items = this.matching(res, namespace, opts);
    if (opts?.continue) {
      const after = Buffer.from(opts.continue, 'base64url').toString();
      items = items.filter((s) => this.key(s.obj.metadata.namespace ?? '', s.obj.metadata.name) > after);
    }
    const metadata: ObjList['metadata'] = { resourceVersion: String(this.rev) };
    if (opts?.limit && items.length > opts.limit) {
      const last = items[opts.limit - 1].obj;
      metadata.continue = Buffer.from(this.key(last.metadata.namespace ?? '', last.metadata.name)).toString('base64url');
      metadata.remainingItemCount = items.length - opts.limit;
      items = items.slice(0, opts.limit);
    }
    return { apiVersion: apiVersionOf(res.group, res.version), kind: `${kindOf(res)}List`, metadata, items: items.map((s) => clone(s.obj)) };
  }

  async create(res: ResourceRef, namespace: string | undefined, obj: Obj, opts?: CallOptions): Promise<Obj> {
    const r = this.react(this.action('create', res, namespace, { name: obj.metadata?.name, object: obj }));
    if (r) return r;
    const o = clone(obj);
    if (o.metadata?.resourceVersion) throw new ApiError(500, 'InternalError', 'resourceVersion should not be set on objects to be created');
    this.checkNamespace(res, namespace ?? '', o.metadata?.name ?? '');
    const filled = this.fill(res, o, namespace ?? '');
    if (this.bucket(res).has(this.key(namespace ?? '', filled.metadata.name))) throw alreadyExists(storageGroup(res), res.plural, filled.metadata.name);
    if (opts?.dryRun) return filled;
    return this.put(res, filled, 'ADDED');
  }

  async update(res: ResourceRef, namespace: string | undefined, obj: Obj, _opts?: CallOptions): Promise<Obj> {
    const r = this.react(this.action('update', res, namespace, { name: obj.metadata?.name, object: obj }));
    if (r) return r;
    return this.write(res, this.existing(res, namespace ?? '', obj.metadata?.name), obj, 'main');
  }

  async updateStatus(res: ResourceRef, namespace: string | undefined, obj: Obj, _opts?: CallOptions): Promise<Obj> {
    const r = this.react(this.action('update', res, namespace, { name: obj.metadata?.name, subresource: 'status', object: obj }));
    if (r) return r;
    return this.write(res, this.existing(res, namespace ?? '', obj.metadata?.name), obj, 'status');
  }

  async patch(res: ResourceRef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts?: CallOptions & { subresource?: string }): Promise<Obj> {
    const body = typeof patch === 'string' ? JSON.parse(patch) : patch;
    const r = this.react(this.action('patch', res, namespace, { name, subresource: opts?.subresource, object: body as Obj, patchType: type }));
    if (r) return r;
    const s = this.existing(res, namespace ?? '', name);
    const patched = type === 'json' ? jsonPatch(s.obj, body as Obj[]) : (mergePatch(s.obj, body) as Obj);
    // A patch carries no resourceVersion unless the caller put one in (then it is a precondition).
    if (!(body as Obj)?.metadata?.resourceVersion) patched.metadata.resourceVersion = s.obj.metadata.resourceVersion;
    return this.write(res, s, patched, opts?.subresource === 'status' ? 'status' : 'main');
  }

  async delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<Obj> {
    const r = this.react(this.action('delete', res, namespace, { name }));
    if (r) return r;
    const s = this.existing(res, namespace ?? '', name);
    const pre = opts?.preconditions;
    if (pre?.uid && pre.uid !== s.obj.metadata.uid) {
      throw conflict(storageGroup(res), res.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${s.obj.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== s.obj.metadata.resourceVersion) {
      throw conflict(storageGroup(res), res.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${s.obj.metadata.resourceVersion}`);
    }
    if (opts?.dryRun) return clone(s.obj);
    return this.deleteStored(res, s);
  }

  async deleteCollection(res: ResourceRef, namespace: string | undefined, opts?: DeleteOptions & ListOptions): Promise<Obj> {
    const r = this.react(this.action('deletecollection', res, namespace));
    if (r) return r;
    const items = this.matching(res, namespace, opts).map((s) => this.deleteStored(res, s));
    return { apiVersion: apiVersionOf(res.group, res.version), kind: `${kindOf(res)}List`, metadata: { resourceVersion: String(this.rev) }, items };
  }

  async subresource(method: SubresourceMethod, res: ResourceRef, namespace: string | undefined, name: string, subresource: string, body?: Obj, _opts?: CallOptions): Promise<Obj> {
    const verb = ({ GET: 'get', PUT: 'update', POST: 'create', PATCH: 'patch', DELETE: 'delete' } as const)[method];
    const r = this.react(this.action(verb, res, namespace, { name, subresource, object: body }));
    if (r) return r;
    const s = this.existing(res, namespace ?? '', name);
    if (method === 'GET' && subresource === 'status') return clone(s.obj);
    if (method === 'PUT' && subresource === 'status') return this.write(res, s, body ?? {}, 'status');
    if (method === 'PUT' && subresource === 'finalize' && res.group === '' && res.plural === 'namespaces') return this.write(res, s, body ?? {}, 'finalize');
    throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  }

  async *watch(res: ResourceRef, namespace: string | undefined, opts?: WatchOptions & CallOptions): AsyncGenerator<WatchEvent> {
    const r = this.react(this.action('watch', res, namespace));
    if (r) throw new Error('fake: watch reactors may only throw');
    const signal = opts?.signal;
    if (signal?.aborted) return;
    const labels = parseLabelSelector(opts?.labelSelector);
    const fields = parseFieldSelector(opts?.fieldSelector);
    const queue: (WatchEvent | Error | null)[] = [];
    let wake: (() => void) | undefined;
    const w: Watcher = {
      bucket: bucketOf(res), namespace: namespace ?? '', match: (o) => labels(o.metadata?.labels) && fields(o),
      push: (ev) => {
        queue.push(ev);
        wake?.();
      },
    };
    const rv = opts?.resourceVersion;
    if (rv && rv !== '0') {
      const from = Number(rv);
      if (from < this.compactedRev) throw new ResourceExpiredError(`too old resource version: ${from} (${this.compactedRev})`);
      for (const e of this.log) if (e.rev > from) this.deliver(w, e);
    } else {
      for (const s of this.matching(res, namespace, opts)) w.push({ type: 'ADDED', object: clone(s.obj) });
    }
    this.watchers.add(w);
    const onAbort = (): void => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        while (queue.length === 0 && !signal?.aborted) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (signal?.aborted) return;
        const ev = queue.shift()!;
        if (ev === null) return;
        if (ev instanceof Error) throw ev;
        yield ev;
      }
    } finally {
      this.watchers.delete(w);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
