import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FakeClock } from '../../client/clock.js';
import { tcpProbe } from './tcp.js';

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** A port nothing listens on: bind one, close it. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

describe('tcpProbe', () => {
  const server = net.createServer((sock) => sock.on('error', () => undefined));
  let open = 0;
  let closed = 0;
  before(async () => {
    open = await listen(server);
    closed = await closedPort();
  });
  after(() => new Promise((r) => server.close(r)));

  const ctx = (clock = new FakeClock()) => ({ clock, signal: new AbortController().signal });

  it('succeeds when the port accepts a connection', async () => {
    const c = ctx();
    assert.deepEqual(await tcpProbe('127.0.0.1', open, 1, c), { result: 'success', output: '' });
    assert.equal(c.clock.pending(), 0);
  });

  it('fails with the dial error when nothing listens', async () => {
    assert.deepEqual(await tcpProbe('127.0.0.1', closed, 1, ctx()), {
      result: 'failure', output: `dial tcp 127.0.0.1:${closed}: connect: connection refused`,
    });
  });

  it('fails with i/o timeout when the connection does not open in time', async () => {
    const c = ctx();
    const p = tcpProbe('127.0.0.1', open, 2, c);
    c.clock.advance(2000); // before the event loop ever completes the connect
    assert.deepEqual(await p, { result: 'failure', output: `dial tcp 127.0.0.1:${open}: i/o timeout` });
  });
});
