import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../api/errors.js';
import { findResource } from '../api/resources.js';
import { createCA, issueCert } from '../pki/index.js'; // tests may use pki (scripts/lint.mjs)
import { ResourceExpiredError, isConflict, isNotFound } from './errors.js';
import { RestClient, forEachWatchEvent, resourcePath } from './rest.js';

const PODS = findResource('', 'v1', 'pods')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;

interface Seen { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; body: string }
type Handler = (req: Seen, res: http.ServerResponse) => void;

/** A scripted server on 127.0.0.1: records each request and lets the test answer it. */
async function serve(handler: Handler, server: http.Server = http.createServer()): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const s = { method: req.method ?? '', path: u.pathname, query: u.searchParams, headers: req.headers, body };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const proto = server instanceof https.Server ? 'https' : 'http';
  return {
    url: `${proto}://127.0.0.1:${port}`, seen,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const json = (res: http.ServerResponse, code: number, body: unknown): void => {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

describe('resourcePath', () => {
  const cases: [string, string, string | undefined, string | undefined, string | undefined, string][] = [
    ['core namespaced collection', 'pods', 'ns1', undefined, undefined, '/api/v1/namespaces/ns1/pods'],
    ['core all namespaces', 'pods', '', undefined, undefined, '/api/v1/pods'],
    ['core object', 'pods', 'ns1', 'p', undefined, '/api/v1/namespaces/ns1/pods/p'],
    ['subresource', 'pods', 'ns1', 'p', 'status', '/api/v1/namespaces/ns1/pods/p/status'],
    ['cluster-scoped object', 'namespaces', '', 'x', undefined, '/api/v1/namespaces/x'],
    ['namespace finalize', 'namespaces', undefined, 'x', 'finalize', '/api/v1/namespaces/x/finalize'],
    ['group resource', 'deployments', 'd', 'web', 'scale', '/apis/apps/v1/namespaces/d/deployments/web/scale'],
  ];
  for (const [name, plural, ns, obj, sub, want] of cases) {
    it(name, () => {
      const ri = { pods: PODS, namespaces: NAMESPACES, deployments: DEPLOYMENTS }[plural]!;
      assert.equal(resourcePath(ri, ns, obj, sub), want);
    });
  }
  it('escapes names', () => assert.equal(resourcePath(PODS, 'a', 'b c'), '/api/v1/namespaces/a/pods/b%20c'));
  it('refuses an empty name', () => assert.throws(() => resourcePath(PODS, 'a', '')));
});

describe('RestClient verbs over HTTP', () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  let client: RestClient;
  let reply: Handler = (_s, res) => json(res, 200, {});
  before(async () => {
    srv = await serve((s, res) => reply(s, res));
    client = new RestClient({ server: srv.url, userAgent: 'skiff-test/1', token: 'tok' });
  });
  after(async () => {
    client.close();
    await srv.close();
  });

  it('get sends Accept, User-Agent and the bearer token', async () => {
    reply = (_s, res) => json(res, 200, { kind: 'Pod', metadata: { name: 'p' } });
    const got = await client.get(PODS, 'ns', 'p');
    assert.equal(got.metadata.name, 'p');
    const s = srv.seen.at(-1)!;
    assert.equal(s.method, 'GET');
    assert.equal(s.path, '/api/v1/namespaces/ns/pods/p');
    assert.equal(s.headers['user-agent'], 'skiff-test/1');
    assert.equal(s.headers.accept, 'application/json');
    assert.equal(s.headers.authorization, 'Bearer tok');
  });

  it('list passes every list option', async () => {
    reply = (_s, res) => json(res, 200, { kind: 'PodList', metadata: { resourceVersion: '7', continue: 'c2' }, items: [{ metadata: { name: 'a' } }] });
    const l = await client.list(PODS, 'ns', { labelSelector: 'a=b', fieldSelector: 'metadata.name=x', limit: 5, continue: 'c1', resourceVersion: '3', resourceVersionMatch: 'NotOlderThan' });
    assert.equal(l.metadata.continue, 'c2');
    assert.equal(l.items.length, 1);
    const q = srv.seen.at(-1)!.query;
    assert.deepEqual(Object.fromEntries(q), { labelSelector: 'a=b', fieldSelector: 'metadata.name=x', limit: '5', continue: 'c1', resourceVersion: '3', resourceVersionMatch: 'NotOlderThan' });
  });

  it('create/update/updateStatus send JSON to the right paths', async () => {
    reply = (s, res) => json(res, s.method === 'POST' ? 201 : 200, JSON.parse(s.body));
    const obj = { metadata: { name: 'p', namespace: 'ns', resourceVersion: '4' }, spec: {} };
    await client.create(PODS, 'ns', obj, { dryRun: true, fieldManager: 'me' });
    let s = srv.seen.at(-1)!;
    assert.equal(`${s.method} ${s.path}`, 'POST /api/v1/namespaces/ns/pods');
    assert.equal(s.query.get('dryRun'), 'All');
    assert.equal(s.query.get('fieldManager'), 'me');
    assert.equal(s.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(s.body), obj);
    await client.update(PODS, 'ns', obj);
    s = srv.seen.at(-1)!;
    assert.equal(`${s.method} ${s.path}`, 'PUT /api/v1/namespaces/ns/pods/p');
    await client.updateStatus(PODS, 'ns', obj);
    s = srv.seen.at(-1)!;
    assert.equal(`${s.method} ${s.path}`, 'PUT /api/v1/namespaces/ns/pods/p/status');
  });

  it('patch uses the content type of each patch type', async () => {
    reply = (_s, res) => json(res, 200, { metadata: { name: 'p' } });
    const want = { json: 'application/json-patch+json', merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', apply: 'application/apply-patch+yaml' } as const;
    for (const [type, ct] of Object.entries(want)) {
      await client.patch(PODS, 'ns', 'p', type as keyof typeof want, type === 'apply' ? 'metadata:\n  name: p\n' : { a: 1 }, { fieldManager: 'm', force: type === 'apply' });
      const s = srv.seen.at(-1)!;
      assert.equal(s.method, 'PATCH');
      assert.equal(s.headers['content-type'], ct);
      if (type === 'apply') {
        assert.equal(s.body, 'metadata:\n  name: p\n');
        assert.equal(s.query.get('force'), 'true');
      } else assert.deepEqual(JSON.parse(s.body), { a: 1 });
    }
    await client.patch(DEPLOYMENTS, 'ns', 'web', 'merge', { spec: { replicas: 2 } }, { subresource: 'scale' });
    assert.equal(srv.seen.at(-1)!.path, '/apis/apps/v1/namespaces/ns/deployments/web/scale');
  });

  it('delete and deleteCollection send DeleteOptions in the body', async () => {
    reply = (_s, res) => json(res, 200, { kind: 'Status', status: 'Success' });
    await client.delete(PODS, 'ns', 'p', { propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1' } });
    let s = srv.seen.at(-1)!;
    assert.equal(`${s.method} ${s.path}`, 'DELETE /api/v1/namespaces/ns/pods/p');
    assert.deepEqual(JSON.parse(s.body), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { uid: 'u1' } });
    await client.deleteCollection(PODS, 'ns', { labelSelector: 'x=y', propagationPolicy: 'Background' });
    s = srv.seen.at(-1)!;
    assert.equal(`${s.method} ${s.path}`, 'DELETE /api/v1/namespaces/ns/pods');
    assert.equal(s.query.get('labelSelector'), 'x=y');
    assert.equal(JSON.parse(s.body).propagationPolicy, 'Background');
  });

  it('subresource PUT reaches namespaces/NAME/finalize', async () => {
    reply = (s, res) => json(res, 200, JSON.parse(s.body));
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gone' }, spec: { finalizers: [] } };
    const out = await client.subresource('PUT', NAMESPACES, '', 'gone', 'finalize', ns);
    const s = srv.seen.at(-1)!;
    assert.equal(`${s.method} ${s.path}`, 'PUT /api/v1/namespaces/gone/finalize');
    assert.deepEqual(out, ns);
  });

  it('errors are ApiErrors built from the Status body', async () => {
    reply = (_s, res) => json(res, 404, {
      kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'pods "p" not found', reason: 'NotFound',
      details: { name: 'p', kind: 'pods' }, code: 404,
    });
    await assert.rejects(client.get(PODS, 'ns', 'p'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 404);
      assert.equal(err.reason, 'NotFound');
      assert.equal(err.message, 'pods "p" not found');
      assert.deepEqual(err.details, { name: 'p', kind: 'pods' });
      assert.ok(isNotFound(err));
      return true;
    });
    reply = (_s, res) => json(res, 409, { kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409, message: 'Operation cannot be fulfilled' });
    await assert.rejects(client.update(PODS, 'ns', { metadata: { name: 'p' } }), (err) => isConflict(err));
  });

  it('a response without a Status still becomes a typed error', async () => {
    reply = (_s, res) => {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found');
    };
    await assert.rejects(client.get(PODS, 'ns', 'p'), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.reason, 'NotFound');
      assert.equal(err.message, 'the server could not find the requested resource');
      return true;
    });
    reply = (_s, res) => {
      res.writeHead(410);
      res.end();
    };
    await assert.rejects(client.list(PODS, 'ns'), (err) => err instanceof ResourceExpiredError);
  });

  it('a network failure rejects with the socket error', async () => {
    const dead = new RestClient({ server: 'http://127.0.0.1:1' });
    await assert.rejects(dead.get(PODS, 'ns', 'p'), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
    dead.close();
  });

  it('a server that never answers times out', async () => {
    const held: http.ServerResponse[] = [];
    reply = (_s, res) => void held.push(res);
    const impatient = new RestClient({ server: srv.url, timeoutMs: 30 });
    await assert.rejects(impatient.get(PODS, 'ns', 'slow'), /timed out waiting for the server/);
    impatient.close();
    for (const r of held) r.end();
  });

  it('an aborted request rejects with AbortError', async () => {
    let hold: http.ServerResponse | undefined;
    reply = (_s, res) => (hold = res); // never answers
    const ac = new AbortController();
    const p = client.get(PODS, 'ns', 'slow', { signal: ac.signal });
    while (!hold) await new Promise((r) => setTimeout(r, 2));
    ac.abort();
    await assert.rejects(p, (err: Error) => err.name === 'AbortError');
    hold.end();
  });
});

describe('RestClient watch', () => {
  let srv: Awaited<ReturnType<typeof serve>>;
  let client: RestClient;
  let reply: Handler = () => undefined;
  before(async () => {
    srv = await serve((s, res) => reply(s, res));
    client = new RestClient({ server: srv.url });
  });
  after(async () => {
    client.close();
    await srv.close();
  });

  const ev = (type: string, name: string, rv: string): string => JSON.stringify({ type, object: { kind: 'Pod', metadata: { name, resourceVersion: rv } } }) + '\n';

  it('parses newline-delimited events split across chunks, passing watch options', async () => {
    reply = (_s, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      const text = ev('ADDED', 'a', '2') + ev('MODIFIED', 'a', '3') + ev('BOOKMARK', '', '4') + ev('DELETED', 'a', '5');
      // deliver in awkward pieces: mid-line and mid-UTF-8 boundaries are all fine
      const cut = [7, 40, 41, 90, text.length];
      let from = 0;
      const next = (): void => {
        const to = cut.shift();
        if (to === undefined) return void res.end();
        res.write(text.slice(from, to));
        from = to;
        setTimeout(next, 2);
      };
      next();
    };
    const got: string[] = [];
    for await (const e of client.watch(PODS, 'ns', { resourceVersion: '1', allowWatchBookmarks: true, timeoutSeconds: 30, labelSelector: 'a=b' })) {
      got.push(`${e.type}:${e.object.metadata.resourceVersion}`);
    }
    assert.deepEqual(got, ['ADDED:2', 'MODIFIED:3', 'BOOKMARK:4', 'DELETED:5']);
    const q = srv.seen.at(-1)!.query;
    assert.equal(q.get('watch'), 'true');
    assert.equal(q.get('resourceVersion'), '1');
    assert.equal(q.get('allowWatchBookmarks'), 'true');
    assert.equal(q.get('timeoutSeconds'), '30');
    assert.equal(q.get('labelSelector'), 'a=b');
  });

  it('an ERROR event with 410 throws ResourceExpiredError after the earlier events', async () => {
    reply = (_s, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(ev('ADDED', 'a', '2'));
      res.write(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'too old resource version: 1 (5)', reason: 'Expired', code: 410 } }) + '\n');
      res.end();
    };
    const got: string[] = [];
    await assert.rejects(async () => {
      for await (const e of client.watch(PODS, 'ns', { resourceVersion: '1' })) got.push(e.type);
    }, (err: unknown) => {
      assert.ok(err instanceof ResourceExpiredError);
      assert.equal(err.code, 410);
      assert.equal(err.message, 'too old resource version: 1 (5)');
      return true;
    });
    assert.deepEqual(got, ['ADDED']);
  });

  it('a non-200 watch answer throws its Status', async () => {
    reply = (_s, res) => json(res, 403, { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'pods is forbidden' });
    await assert.rejects(async () => {
      for await (const _ of client.watch(PODS, 'ns')) { /* nothing */ }
    }, (err: unknown) => err instanceof ApiError && err.code === 403 && err.message === 'pods is forbidden');
  });

  it('abort ends the iteration quietly and closes the connection', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    reply = (_s, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(ev('ADDED', 'a', '2'));
      res.on('close', () => closed());
    };
    const ac = new AbortController();
    const got: string[] = [];
    for await (const e of client.watch(PODS, 'ns', { signal: ac.signal })) {
      got.push(e.type);
      ac.abort();
    }
    assert.deepEqual(got, ['ADDED']);
    await serverSawClose;
  });

  it('breaking out of the loop closes the stream; the callback form sees every event', async () => {
    let closed!: () => void;
    const serverSawClose = new Promise<void>((r) => (closed = r));
    reply = (_s, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(ev('ADDED', 'a', '2') + ev('ADDED', 'b', '3'));
      res.on('close', () => closed());
    };
    for await (const _ of client.watch(PODS, 'ns')) break;
    await serverSawClose;

    reply = (_s, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(ev('ADDED', 'a', '2') + ev('DELETED', 'a', '3'));
    };
    const seen: string[] = [];
    await forEachWatchEvent(client, PODS, 'ns', {}, (e) => void seen.push(e.type));
    assert.deepEqual(seen, ['ADDED', 'DELETED']);
  });
});

describe('RestClient over TLS with client certificates', () => {
  const pem: Record<string, string> = {};
  before(async () => {
    const ca = await createCA('test-ca', 1);
    const server = await issueCert(ca, { cn: '127.0.0.1', usage: 'server', ips: ['127.0.0.1'], days: 1 });
    const client = await issueCert(ca, { cn: 'tester', orgs: ['testers'], usage: 'client', days: 1 });
    Object.assign(pem, { 'ca.crt': ca.cert, 'server.crt': server.cert, 'server.key': server.key, 'client.crt': client.cert, 'client.key': client.key });
  });

  it('verifies the server against the CA and presents the client certificate', async () => {
    const server = https.createServer({ ca: pem['ca.crt'], cert: pem['server.crt'], key: pem['server.key'], requestCert: true, rejectUnauthorized: true });
    let cn = '';
    const srv = await serve((_s, res) => json(res, 200, { user: cn }), server);
    server.on('secureConnection', (sock) => (cn = String(sock.getPeerCertificate().subject?.CN ?? '')));
    const client = new RestClient({ server: srv.url, ca: pem['ca.crt'], cert: pem['client.crt'], key: pem['client.key'] });
    try {
      const out = await client.get(NAMESPACES, '', 'default');
      assert.equal(out.user, 'tester');
      // keep-alive: a second call reuses the pooled socket
      await client.get(NAMESPACES, '', 'default');
      // without the client certificate the server refuses the handshake
      const anon = new RestClient({ server: srv.url, ca: pem['ca.crt'] });
      await assert.rejects(anon.get(NAMESPACES, '', 'default'));
      anon.close();
      // a client that does not trust the CA refuses the server
      const untrusting = new RestClient({ server: srv.url, cert: pem['client.crt'], key: pem['client.key'] });
      await assert.rejects(untrusting.get(NAMESPACES, '', 'default'), (err: NodeJS.ErrnoException) => /self.signed|unable to verify|UNABLE_TO_GET_ISSUER/i.test(`${err.code} ${err.message}`));
      untrusting.close();
    } finally {
      client.close();
      await srv.close();
    }
  });
});
