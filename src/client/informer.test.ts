import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { findResource } from '../api/resources.js';
import type { Obj } from '../api/types.js';
import { FakeClient } from './fake.js';
import { Informer, InformerFactory, type EventHandler } from './informer.js';
import { silentLogger } from './log.js';
import { RestClient } from './rest.js';

const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 3));
  }
}

interface Req { path: string; query: URLSearchParams }

/**
 * A small API server on 127.0.0.1 for one resource: paged lists, chunked watches that stay
 * open until the test ends them, and controls to change objects, send a 410 ERROR event, or
 * close watches normally.
 */
class ScriptedApi {
  readonly objects = new Map<string, Obj>();
  readonly requests: Req[] = [];
  rv = 10;
  listStatus = 200;
  private readonly watches = new Set<http.ServerResponse>();
  private server = http.createServer((req, res) => this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  get openWatches(): number {
    return this.watches.size;
  }

  watchRequests(): Req[] {
    return this.requests.filter((r) => r.query.get('watch') === 'true');
  }

  listRequests(): Req[] {
    return this.requests.filter((r) => r.query.get('watch') !== 'true');
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    this.requests.push({ path: u.pathname, query: u.searchParams });
    if (u.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
      this.watches.add(res);
      res.on('close', () => this.watches.delete(res));
      return;
    }
    if (this.listStatus !== 200) {
      res.writeHead(this.listStatus, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', code: this.listStatus, reason: 'InternalError', message: 'etcd is down' }));
      return;
    }
    const names = [...this.objects.keys()].sort();
    const limit = Number(u.searchParams.get('limit') ?? 0);
    const after = u.searchParams.get('continue') ?? '';
    const rest = names.filter((n) => n > after);
    const page = limit ? rest.slice(0, limit) : rest;
    const more = page.length < rest.length;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({
      kind: 'ConfigMapList', apiVersion: 'v1',
      metadata: { resourceVersion: String(this.rv), ...(more ? { continue: page.at(-1) } : {}) },
      // as kube-apiserver: list items carry no apiVersion/kind
      items: page.map((n) => {
        const { apiVersion: _a, kind: _k, ...rest } = this.objects.get(n)!;
        return rest;
      }),
    }));
  }

  private send(line: unknown): void {
    for (const w of this.watches) w.write(JSON.stringify(line) + '\n');
  }

  /** Changes an object and tells open watches (unless quiet: as if the watch missed it). */
  set(name: string, data: Record<string, string>, quiet = false): Obj {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: name.startsWith('x') ? 'xs' : 'ns', resourceVersion: String(++this.rv), labels: { app: name[0] } }, data };
    const type = this.objects.has(name) ? 'MODIFIED' : 'ADDED';
    this.objects.set(name, obj);
    if (!quiet) this.send({ type, object: obj });
    return obj;
  }

  remove(name: string, quiet = false): void {
    const obj = { ...this.objects.get(name)!, metadata: { ...this.objects.get(name)!.metadata, resourceVersion: String(++this.rv) } };
    this.objects.delete(name);
    if (!quiet) this.send({ type: 'DELETED', object: obj });
  }

  bookmark(): void {
    this.send({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(++this.rv) } } });
  }

  /** The watch cache no longer has the client's resourceVersion: ERROR 410, stream ends. */
  expire(): void {
    this.send({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 1 (50)', reason: 'Expired', code: 410 } });
    for (const w of this.watches) w.end();
  }

  /** Ends watches normally, as timeoutSeconds does. */
  closeWatches(): void {
    for (const w of this.watches) w.end();
  }
}

/** Records handler calls as compact strings. */
function recorder(): { calls: string[]; handler: EventHandler } {
  const calls: string[] = [];
  return {
    calls,
    handler: {
      onAdd: (o, initial) => calls.push(`add ${o.metadata.name}${initial ? ' (initial)' : ''}`),
      onUpdate: (old, cur) => calls.push(`update ${cur.metadata.name} ${old.metadata.resourceVersion}->${cur.metadata.resourceVersion}`),
      onDelete: (o) => calls.push(`delete ${o.metadata.name}`),
    },
  };
}

describe('Informer against an HTTP API', () => {
  let api: ScriptedApi;
  let client: RestClient;
  let ac: AbortController;
  let running: Promise<void> | undefined;

  beforeEach(async () => {
    api = new ScriptedApi();
    await api.start();
    client = new RestClient({ server: api.url });
    ac = new AbortController();
    running = undefined;
  });
  afterEach(async () => {
    ac.abort();
    await running;
    client.close();
    await api.stop();
  });

  const start = (inf: Informer): void => {
    running = inf.run(ac.signal);
  };
  const informer = (extra: ConstructorParameters<typeof Informer>[2] = {}): Informer =>
    new Informer(client, CONFIGMAPS, { pageSize: 2, backoffInitialMs: 5, backoffMaxMs: 20, log: silentLogger, ...extra });

  it('lists in pages, then watches from the list resourceVersion with bookmarks', async () => {
    for (const n of ['a1', 'b1', 'c1', 'd1', 'e1']) api.set(n, { v: '1' });
    const inf = informer();
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    start(inf);
    assert.equal(await inf.waitForSync(ac.signal), true);
    assert.equal(inf.hasSynced(), true);
    assert.deepEqual(rec.calls, ['add a1 (initial)', 'add b1 (initial)', 'add c1 (initial)', 'add d1 (initial)', 'add e1 (initial)']);
    const lists = api.listRequests();
    assert.equal(lists.length, 3, '5 items in pages of 2');
    assert.deepEqual(lists.map((r) => r.query.get('continue')), [null, 'b1', 'd1']);
    assert.ok(lists.every((r) => r.query.get('limit') === '2'));
    await until(() => api.openWatches === 1, 'the watch');
    const w = api.watchRequests()[0];
    assert.equal(w.path, '/api/v1/configmaps');
    assert.equal(w.query.get('resourceVersion'), '15');
    assert.equal(w.query.get('allowWatchBookmarks'), 'true');
    const t = Number(w.query.get('timeoutSeconds'));
    assert.ok(t >= 300 && t < 600, `watch timeout ${t} in [300, 600)`);
    assert.equal(inf.lastSyncResourceVersion(), '15');
    const a1 = inf.store.get('ns', 'a1')!;
    assert.equal(a1.kind, 'ConfigMap', 'kind restored from the list kind');
    assert.equal(a1.apiVersion, 'v1');
  });

  it('applies watch events to the cache and calls handlers; bookmarks only move the resourceVersion', async () => {
    api.set('a1', { v: '1' });
    const inf = informer();
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    start(inf);
    await inf.waitForSync(ac.signal);
    await until(() => api.openWatches === 1, 'the watch');
    api.set('b1', { v: '1' });
    api.set('a1', { v: '2' });
    api.remove('b1');
    api.bookmark();
    await until(() => inf.lastSyncResourceVersion() === String(api.rv), 'the bookmark');
    assert.deepEqual(rec.calls, ['add a1 (initial)', 'add b1', 'update a1 11->13', 'delete b1']);
    assert.deepEqual(inf.store.listKeys(), ['ns/a1']);
    assert.equal(inf.store.get('ns', 'a1')?.data.v, '2');
  });

  it('a 410 Expired ERROR event forces a relist that reconciles missed changes', async () => {
    api.set('a1', { v: '1' });
    api.set('b1', { v: '1' });
    const inf = informer();
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    start(inf);
    await inf.waitForSync(ac.signal);
    await until(() => api.openWatches === 1, 'the watch');
    rec.calls.length = 0;
    // changes the informer never hears about, then the watch expires
    api.remove('a1', true);
    api.set('c1', { v: '1' }, true);
    api.set('b1', { v: '2' }, true);
    const listsBefore = api.listRequests().length;
    api.expire();
    await until(() => api.listRequests().length > listsBefore && api.openWatches === 1, 'relist and a new watch');
    assert.deepEqual(rec.calls.sort(), ['add c1', 'delete a1', 'update b1 12->15'].sort());
    assert.deepEqual(inf.store.listKeys().sort(), ['ns/b1', 'ns/c1']);
    assert.equal(api.watchRequests().at(-1)!.query.get('resourceVersion'), '15', 'the new watch starts at the relist');
  });

  it('a watch that ends normally is re-opened from the last resourceVersion, without a relist', async () => {
    api.set('a1', { v: '1' });
    const inf = informer();
    start(inf);
    await inf.waitForSync(ac.signal);
    await until(() => api.openWatches === 1, 'the watch');
    api.set('a1', { v: '2' });
    await until(() => inf.store.get('ns', 'a1')?.data.v === '2', 'the update');
    // let the watch live > 1 s? Not needed: it delivered an event, so it was healthy
    api.closeWatches();
    await until(() => api.watchRequests().length === 2 && api.openWatches === 1, 'the second watch');
    assert.equal(api.listRequests().length, 1, 'no relist');
    assert.equal(api.watchRequests()[1].query.get('resourceVersion'), '12');
  });

  it('retries a failing list with back-off until it succeeds', async () => {
    api.listStatus = 500;
    api.set('a1', { v: '1' });
    const inf = informer();
    start(inf);
    await until(() => api.listRequests().length >= 3, 'three failed lists');
    assert.equal(inf.hasSynced(), false);
    api.listStatus = 200;
    assert.equal(await inf.waitForSync(ac.signal), true);
    assert.equal(inf.store.size, 1);
  });

  it('abort stops the informer: run() resolves and the watch connection closes', async () => {
    const inf = informer();
    start(inf);
    await inf.waitForSync(ac.signal);
    await until(() => api.openWatches === 1, 'the watch');
    ac.abort();
    await running;
    await until(() => api.openWatches === 0, 'the server to see the watch close');
  });

  it('namespace index, custom indexers and namespace scoping', async () => {
    api.set('a1', { v: '1' });
    api.set('a2', { v: '1' });
    api.set('x1', { v: '1' });
    const inf = informer({ indexers: { byApp: (o) => [o.metadata.labels?.app ?? ''] } });
    start(inf);
    await inf.waitForSync(ac.signal);
    assert.deepEqual(inf.store.listNamespace('ns').map((o) => o.metadata.name).sort(), ['a1', 'a2']);
    assert.deepEqual(inf.store.byIndex('byApp', 'x').map((o) => o.metadata.name), ['x1']);
    inf.addIndexers({ byName: (o) => [o.metadata.name] });
    assert.equal(inf.store.byIndex('byName', 'a2').length, 1, 'indexers added later index existing objects');
    assert.throws(() => inf.store.byIndex('nope', 'x'));

    const scoped = new Informer(client, CONFIGMAPS, { namespace: 'xs', log: silentLogger });
    const scopedRun = scoped.run(ac.signal);
    await scoped.waitForSync(ac.signal);
    assert.equal(api.listRequests().at(-1)!.path, '/api/v1/namespaces/xs/configmaps');
    ac.abort();
    await scopedRun;
  });

  it('periodic resync calls onUpdate(obj, obj); a late handler gets the cache replayed', async () => {
    api.set('a1', { v: '1' });
    const inf = informer({ resyncMs: 10 });
    start(inf);
    await inf.waitForSync(ac.signal);
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    assert.deepEqual(rec.calls, ['add a1 (initial)']);
    await until(() => rec.calls.filter((c) => c === 'update a1 11->11').length >= 2, 'two resyncs');
  });

  it('a throwing handler does not stop other handlers or the informer', async () => {
    api.set('a1', { v: '1' });
    const inf = informer();
    inf.addEventHandler({ onAdd: () => { throw new Error('bad handler'); } });
    const rec = recorder();
    inf.addEventHandler(rec.handler);
    start(inf);
    await inf.waitForSync(ac.signal);
    await until(() => api.openWatches === 1, 'the watch');
    api.set('b1', { v: '1' });
    await until(() => rec.calls.includes('add b1'), 'the second add');
  });
});

describe('Informer odds and ends', () => {
  it('waitForSync resolves false when its signal aborts first', async () => {
    const inf = new Informer(new FakeClient(), CONFIGMAPS, { log: silentLogger });
    const ac = new AbortController();
    const p = inf.waitForSync(ac.signal);
    ac.abort();
    assert.equal(await p, false);
  });

  it('an informer runs once', async () => {
    const fake = new FakeClient();
    const inf = new Informer(fake, CONFIGMAPS, { log: silentLogger });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await assert.rejects(inf.run(ac.signal));
    ac.abort();
    await run;
  });

  it('the factory shares one informer per resource and syncs them all', async () => {
    const fake = new FakeClient();
    fake.seed(CONFIGMAPS, { metadata: { name: 'c', namespace: 'n' } });
    fake.seed(SECRETS, { metadata: { name: 's', namespace: 'n' } });
    const f = new InformerFactory(fake, { log: silentLogger });
    const a = f.informerFor(CONFIGMAPS);
    assert.equal(f.informerFor(CONFIGMAPS), a);
    assert.notEqual(f.informerFor(CONFIGMAPS, { namespace: 'n' }), a);
    const s = f.informerFor(SECRETS);
    const ac = new AbortController();
    f.start(ac.signal);
    f.start(ac.signal); // idempotent
    assert.equal(await f.waitForCacheSync(ac.signal), true);
    assert.equal(a.store.size, 1);
    assert.equal(s.store.size, 1);
    // the fake's watch feeds the cache too
    await fake.create(CONFIGMAPS, 'n', { metadata: { name: 'd' } });
    await until(() => a.store.size === 2, 'the watch event');
    ac.abort();
    await f.stopped();
  });

  it('relists from a fake client after expiry', async () => {
    const fake = new FakeClient();
    fake.seed(CONFIGMAPS, { metadata: { name: 'c', namespace: 'n' } });
    const inf = new Informer(fake, CONFIGMAPS, { log: silentLogger, backoffInitialMs: 5 });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    await inf.waitForSync(ac.signal);
    await until(() => fake.actions.some((a) => a.verb === 'watch'), 'the watch');
    const lists = (): number => fake.actions.filter((a) => a.verb === 'list').length;
    fake.compact();
    fake.expireWatches();
    await until(() => lists() === 2, 'a relist');
    ac.abort();
    await run;
  });
});
