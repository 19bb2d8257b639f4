// Shared informers (client-go's reflector + indexer + shared informer in one): list (paged),
// then watch from the list's resourceVersion with bookmarks; a watch that ends normally is
// re-opened from the last resourceVersion seen, a 410 Expired (or any failure) relists, with
// exponential back-off between failing attempts. Handlers run synchronously, in order, for
// every change; they must be cheap (controllers only enqueue keys).
//
// Everything stops when the run's AbortSignal aborts: the watch request is destroyed, timers
// are cleared, run() resolves.

import type { Obj } from '../api/types.js';
import { isExpired, isTooManyRequests } from './errors.js';
import type { KubeClient, ResourceRef, WatchEvent } from './interface.js';
import { errMsg, stderrLogger, type Logger } from './log.js';
import { Indexer, metaNamespaceKey, type IndexFunc } from './store.js';
import { Backoff, sleep } from './wait.js';

export interface EventHandler {
  /** isInInitialList: the object came from the informer's first list (or a replay to a late handler). */
  onAdd?(obj: Obj, isInInitialList: boolean): void;
  /** Also called with old === new-version objects on relists and periodic resyncs. */
  onUpdate?(oldObj: Obj, newObj: Obj): void;
  /** The object's last known state. */
  onDelete?(obj: Obj): void;
}

export interface InformerOptions {
  /** Restrict to one namespace ('' or undefined: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Periodic resync: every handler's onUpdate(obj, obj) for each cached object. 0/undefined: off. */
  resyncMs?: number;
  /** List page size (limit). Default 500. */
  pageSize?: number;
  /** Watches ask the server to close after [t, 2t) seconds so connections rotate. Default 300. */
  minWatchTimeoutSeconds?: number;
  /** Back-off between failing list/watch attempts. Defaults 800 ms → 30 s (as client-go). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  indexers?: Record<string, IndexFunc>;
  log?: Logger;
}

type ListWatcher = Pick<KubeClient, 'list' | 'watch'>;

export class Informer {
  readonly store: Indexer;
  private readonly handlers: EventHandler[] = [];
  private synced = false;
  private syncWaiters = new Set<(ok: boolean) => void>();
  private started = false;
  private stopped = false;
  private lastRV = '';
  private readonly log: Logger;

  constructor(private readonly client: ListWatcher, readonly resource: ResourceRef, private readonly opts: InformerOptions = {}) {
    this.store = new Indexer(opts.indexers);
    this.log = opts.log ?? stderrLogger(`informer ${resource.plural}`);
  }

  /** Handlers added after the cache filled get an onAdd for every cached object first. */
  addEventHandler(h: EventHandler): void {
    this.handlers.push(h);
    for (const obj of this.store.list()) this.call(h, 'onAdd', obj, true);
  }

  addIndexers(indexers: Record<string, IndexFunc>): void {
    this.store.addIndexers(indexers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once the first list is in the cache, false if the signal or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted || this.stopped) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        this.syncWaiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve(ok);
      };
      const onAbort = (): void => done(false);
      this.syncWaiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Runs until `signal` aborts. An informer runs once. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) throw new Error(`informer for ${this.resource.plural} already started`);
    this.started = true;
    const backoff = new Backoff(this.opts.backoffInitialMs ?? 800, this.opts.backoffMaxMs ?? 30_000, 2, 1);
    const resync = this.opts.resyncMs ? setInterval(() => this.resync(), this.opts.resyncMs) : undefined;
    try {
      while (!signal.aborted) {
        let delay: number;
        try {
          await this.listAndReplace(signal);
          delay = (await this.watchUntilRelist(signal, backoff)) ? 0 : backoff.next();
        } catch (err) {
          if (signal.aborted) break;
          this.log.warn(`list/watch of ${this.resource.plural} failed: ${errMsg(err)}`);
          delay = backoff.next();
        }
        if (delay > 0 && !(await sleep(delay, signal))) break;
      }
    } finally {
      if (resync) clearInterval(resync);
      this.stopped = true;
      for (const w of [...this.syncWaiters]) w(false);
    }
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const items: Obj[] = [];
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.list(this.resource, this.opts.namespace, {
        labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
        limit: this.opts.pageSize ?? 500, continue: cont, signal,
      });
      // List items carry no apiVersion/kind on the wire; put them back so cached objects are
      // whole (event recorders and owner references need them).
      const kind = page.kind?.replace(/List$/, '') || this.resource.kind;
      for (const it of page.items ?? []) {
        if (!it.kind && kind) it.kind = kind;
        if (!it.apiVersion && page.apiVersion) it.apiVersion = page.apiVersion;
        items.push(it);
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont && !signal.aborted);
    if (signal.aborted) return;
    this.replace(items, rv);
  }

  /**
   * Watches from lastRV, re-opening streams that end normally. Returns true when a quick relist
   * is due (410 after a healthy watch), false when the relist should back off; throws on errors.
   */
  private async watchUntilRelist(signal: AbortSignal, backoff: Backoff): Promise<boolean> {
    const minTimeout = this.opts.minWatchTimeoutSeconds ?? 300;
    while (!signal.aborted) {
      const started = Date.now();
      let events = 0;
      try {
        const stream = this.client.watch(this.resource, this.opts.namespace, {
          labelSelector: this.opts.labelSelector, fieldSelector: this.opts.fieldSelector,
          resourceVersion: this.lastRV, allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(minTimeout * (1 + Math.random())), signal,
        });
        for await (const ev of stream) {
          events++;
          this.handle(ev);
        }
      } catch (err) {
        if (signal.aborted) return false;
        if (isExpired(err)) {
          this.log.info(`watch of ${this.resource.plural} expired (${errMsg(err)}); relisting`);
          return Date.now() - started > 1000 || events > 0;
        }
        if (isTooManyRequests(err)) {
          if (!(await sleep(backoff.next(), signal))) return false;
          continue;
        }
        throw err;
      }
      if (signal.aborted) return false;
      // A watch that closes at once with nothing in it points at a server problem: relist
      // after a back-off instead of spinning (client-go's "very short watch").
      if (Date.now() - started < 1000 && events === 0) throw new Error('very short watch: closed with no items received');
      backoff.reset();
    }
    return false;
  }

  private handle(ev: WatchEvent): void {
    const obj = ev.object;
    const rv = obj?.metadata?.resourceVersion;
    switch (ev.type) {
      case 'ADDED':
      case 'MODIFIED': {
        const old = this.store.set(obj);
        if (old) this.dispatch('onUpdate', old, obj);
        else this.dispatch('onAdd', obj, false);
        break;
      }
      case 'DELETED': {
        const old = this.store.deleteKey(metaNamespaceKey(obj));
        this.dispatch('onDelete', obj ?? old);
        break;
      }
      case 'BOOKMARK':
        break;
      default:
        this.log.warn(`unexpected watch event type ${String(ev.type)}`);
        return;
    }
    if (rv) this.lastRV = rv;
  }

  /** Makes the cache equal the list: adds, updates (every surviving object) and deletes. */
  private replace(items: Obj[], rv: string): void {
    const keep = new Set<string>();
    for (const obj of items) {
      keep.add(metaNamespaceKey(obj));
      const old = this.store.set(obj);
      if (old) this.dispatch('onUpdate', old, obj);
      else this.dispatch('onAdd', obj, !this.synced);
    }
    for (const key of this.store.listKeys()) {
      if (keep.has(key)) continue;
      const old = this.store.deleteKey(key);
      if (old) this.dispatch('onDelete', old);
    }
    this.lastRV = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of [...this.syncWaiters]) w(true);
    }
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.store.list()) this.dispatch('onUpdate', obj, obj);
  }

  private dispatch(kind: 'onAdd' | 'onUpdate' | 'onDelete', a: Obj, b?: Obj | boolean): void {
    for (const h of this.handlers) this.call(h, kind, a, b);
  }

  private call(h: EventHandler, kind: 'onAdd' | 'onUpdate' | 'onDelete', a: Obj, b?: Obj | boolean): void {
    try {
      if (kind === 'onAdd') h.onAdd?.(a, b as boolean);
      else if (kind === 'onUpdate') h.onUpdate?.(a, b as Obj);
      else h.onDelete?.(a);
    } catch (err) {
      this.log.error(`event handler ${kind} for ${this.resource.plural} threw: ${errMsg(err)}`);
    }
  }
}

/** One informer per resource (and namespace/selector), shared by every controller that asks. */
export class InformerFactory {
  private readonly informers = new Map<string, Informer>();
  private readonly runs = new Map<string, Promise<void>>();

  constructor(private readonly client: ListWatcher, private readonly defaults: InformerOptions = {}) {}

  /** The first caller's options (resync, page size, ...) win for a shared informer. */
  informerFor(res: ResourceRef, opts: InformerOptions = {}): Informer {
    const o = { ...this.defaults, ...opts };
    const key = [res.group, res.version, res.plural, o.namespace ?? '', o.labelSelector ?? '', o.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, res, o);
      this.informers.set(key, inf);
    }
    return inf;
  }

  /** Starts every informer not yet running; call again after asking for more. */
  start(signal: AbortSignal): void {
    for (const [key, inf] of this.informers) {
      if (this.runs.has(key)) continue;
      this.runs.set(key, inf.run(signal));
    }
  }

  /** True when every informer asked for so far has synced; false if the signal aborted first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const results = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return results.every(Boolean);
  }

  /** Resolves when every started informer has stopped (after its signal aborted). */
  async stopped(): Promise<void> {
    await Promise.all(this.runs.values());
  }
}
