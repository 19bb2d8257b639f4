import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../../client/clock.js';
import { createCA, issueCert } from '../../pki/index.js';
import { httpProbe } from './http.js';
import type { ProbeOutcome } from './types.js';

interface Seen { url: string; headers: http.IncomingHttpHeaders }

function handler(seen: Seen[], arrived: () => void): http.RequestListener {
  return (req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const u = new URL(req.url ?? '/', 'http://x');
    switch (u.pathname) {
      case '/ok': return void res.end('fine');
      case '/204': res.statusCode = 204; return void res.end();
      case '/missing.html': res.statusCode = 404; return void res.end('not here');
      case '/error': res.statusCode = 500; return void res.end();
      case '/to-ok': res.writeHead(302, { Location: '/ok' }); return void res.end();
      case '/to-other-host': res.writeHead(301, { Location: 'http://other.invalid/ok' }); return void res.end('<a href="http://other.invalid/ok">Moved</a>');
      case '/no-location': res.statusCode = 302; return void res.end('stay');
      case '/loop': res.writeHead(307, { Location: `/loop?n=${Number(u.searchParams.get('n') ?? 0) + 1}` }); return void res.end();
      case '/big': return void res.end('x'.repeat(20_000));
      case '/hang': arrived(); return; // never answers
      case '/drop': req.socket.destroy(); return;
      default: res.statusCode = 404; res.end();
    }
  };
}

function listen(s: net.Server): Promise<number> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));
}

describe('httpProbe', () => {
  const seen: Seen[] = [];
  let onArrive: () => void = () => undefined;
  const server = http.createServer(handler(seen, () => onArrive()));
  let tlsServer: https.Server;
  let port = 0;
  let tlsPort = 0;
  let closed = 0;

  before(async () => {
    port = await listen(server);
    const ca = await createCA('test-ca', 1);
    const cert = await issueCert(ca, { cn: 'pod', usage: 'server', ips: ['127.0.0.1'], days: 1 });
    tlsServer = https.createServer({ cert: cert.cert, key: cert.key }, handler(seen, () => onArrive()));
    tlsPort = await listen(tlsServer);
    const tmp = http.createServer();
    closed = await listen(tmp);
    await new Promise((r) => tmp.close(r));
  });
  after(async () => {
    server.closeAllConnections();
    tlsServer.closeAllConnections();
    await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => tlsServer.close(r))]);
  });

  const container = { name: 'c', ports: [{ name: 'web', containerPort: 0 }] };
  const probe = (action: Record<string, unknown>, clock = new FakeClock(), signal = new AbortController().signal) =>
    httpProbe({ port, ...action }, container, '127.0.0.1', 1, { clock, signal });

  const cases: { name: string; action: () => Record<string, unknown>; want: () => ProbeOutcome }[] = [
    { name: '200 succeeds with the body', action: () => ({ path: '/ok' }), want: () => ({ result: 'success', output: 'fine' }) },
    { name: '204 succeeds', action: () => ({ path: '/204' }), want: () => ({ result: 'success', output: '' }) },
    { name: '404 fails with the status code only', action: () => ({ path: '/missing.html' }), want: () => ({ result: 'failure', output: 'HTTP probe failed with statuscode: 404' }) },
    { name: '500 fails', action: () => ({ path: '/error' }), want: () => ({ result: 'failure', output: 'HTTP probe failed with statuscode: 500' }) },
    { name: 'a same-host redirect is followed', action: () => ({ path: '/to-ok' }), want: () => ({ result: 'success', output: 'fine' }) },
    {
      name: 'a redirect to another host is not followed: warning',
      action: () => ({ path: '/to-other-host' }),
      want: () => ({ result: 'warning', output: 'Probe terminated redirects, Response body: <a href="http://other.invalid/ok">Moved</a>' }),
    },
    { name: 'a 3xx without Location is a warning', action: () => ({ path: '/no-location' }), want: () => ({ result: 'warning', output: 'Probe terminated redirects, Response body: stay' }) },
    {
      name: 'redirect loops stop after 10 redirects',
      action: () => ({ path: '/loop' }),
      want: () => ({ result: 'failure', output: `Get "http://127.0.0.1:${port}/loop?n=10": stopped after 10 redirects` }),
    },
    { name: 'the body read is cut at 10 KiB', action: () => ({ path: '/big' }), want: () => ({ result: 'success', output: 'x'.repeat(10_240) }) },
    {
      name: 'connection refused reads like Go',
      action: () => ({ path: '/missing.html', port: closed }),
      want: () => ({ result: 'failure', output: `Get "http://127.0.0.1:${closed}/missing.html": dial tcp 127.0.0.1:${closed}: connect: connection refused` }),
    },
    { name: 'a dropped connection is EOF', action: () => ({ path: '/drop' }), want: () => ({ result: 'failure', output: `Get "http://127.0.0.1:${port}/drop": EOF` }) },
    { name: 'https without verification', action: () => ({ path: '/ok', scheme: 'HTTPS', port: tlsPort }), want: () => ({ result: 'success', output: 'fine' }) },
    {
      name: 'https against a plain http server',
      action: () => ({ path: '/ok', scheme: 'HTTPS' }),
      want: () => ({ result: 'failure', output: `Get "https://127.0.0.1:${port}/ok": http: server gave HTTP response to HTTPS client` }),
    },
  ];
  for (const tc of cases) {
    it(tc.name, async () => {
      const clock = new FakeClock();
      assert.deepEqual(await probe(tc.action(), clock), tc.want());
      assert.equal(clock.pending(), 0, 'no timer left behind');
    });
  }

  it('sends the kubelet headers, custom headers and a Host override', async () => {
    seen.length = 0;
    await probe({ path: '/ok', httpHeaders: [{ name: 'x-probe', value: 'a' }, { name: 'Host', value: 'web.example' }] });
    const h = seen[0].headers;
    assert.equal(h['user-agent'], 'kube-probe/1.32');
    assert.equal(h.accept, '*/*');
    assert.equal(h['x-probe'], 'a');
    assert.equal(h.host, 'web.example');
    assert.equal(h.connection, 'close');
    assert.equal(h['accept-encoding'], undefined, 'compression is disabled');
  });

  it('the default Host is host:port, as Go writes it', async () => {
    seen.length = 0;
    await probe({ path: '/ok' });
    assert.equal(seen[0].headers.host, `127.0.0.1:${port}`);
  });

  it('port by container port name', async () => {
    const out = await httpProbe({ path: '/ok', port: 'web' }, { name: 'c', ports: [{ name: 'web', containerPort: port }] }, '127.0.0.1', 1,
      { clock: new FakeClock(), signal: new AbortController().signal });
    assert.equal(out.result, 'success');
  });

  it('an unknown port name errors the probe', async () => {
    const out = await probe({ path: '/ok', port: 'nope' });
    assert.equal(out.result, 'unknown');
    assert.equal(out.error?.message, 'strconv.Atoi: parsing "nope": invalid syntax');
  });

  it('times out awaiting headers', async () => {
    const clock = new FakeClock();
    const arrived = new Promise<void>((r) => (onArrive = r));
    const p = probe({ path: '/hang' }, clock);
    await arrived;
    clock.advance(1000);
    assert.deepEqual(await p, { result: 'failure', output: `Get "http://127.0.0.1:${port}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
  });

  it('cancellation errors the probe', async () => {
    const ac = new AbortController();
    const arrived = new Promise<void>((r) => (onArrive = r));
    const p = probe({ path: '/hang' }, new FakeClock(), ac.signal);
    await arrived;
    ac.abort();
    const out = await p;
    assert.equal(out.result, 'unknown');
    assert.ok(out.error);
  });
});
