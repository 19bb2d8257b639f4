import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { constants, createDeflate, deflateSync, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { FrameReader, FrameWriter, type Frame } from './frames.js';
import { SpdySession, type SpdyStream } from './session.js';
import { HeaderCompressor, HeaderDecompressor } from './zlib.js';

test('the SPDY/3 dictionary is the 1,423 bytes of the spec', () => {
  assert.equal(SPDY3_DICTIONARY.length, 1423);
  assert.deepEqual([...SPDY3_DICTIONARY.subarray(0, 11)], [0, 0, 0, 7, ...Buffer.from('options')]);
  assert.equal(SPDY3_DICTIONARY.subarray(-22).toString('latin1'), 'charset=iso-8859-1,utf-,*,enq=0.'.slice(-22));
  // zlib names a dictionary by its Adler-32: ours must be the one zlib computes
  const ref = deflateSync(Buffer.from('x'), { dictionary: SPDY3_DICTIONARY });
  const ours = new HeaderCompressor().compress(Buffer.from('x'));
  assert.deepEqual(ours.subarray(2, 6), ref.subarray(2, 6));
});

test('header blocks we compress inflate with zlib, one stream across blocks, large ones too', () => {
  const c = new HeaderCompressor();
  const blocks = [Buffer.from('first'), Buffer.alloc(0), Buffer.alloc(70_000, 'y'), Buffer.from('last')];
  const wire = blocks.map((b) => c.compress(b));
  // each block ends as a sync flush does; Go's inflater hands out nothing before that marker
  for (const w of wire) assert.deepEqual([...w.subarray(-5)], [0, 0, 0, 0xff, 0xff]);
  let all = Buffer.alloc(0);
  const seen: string[] = [];
  let produced = 0;
  for (const w of wire) {
    all = Buffer.concat([all, w]);
    const out = inflateSync(all, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    seen.push(out.subarray(produced).toString());
    produced = out.length;
  }
  assert.deepEqual(seen, blocks.map((b) => b.toString()));
});

test('header blocks compressed by a real deflater (as Go sends them) decompress block by block', async () => {
  const d = createDeflate({ dictionary: SPDY3_DICTIONARY });
  const out: Buffer[] = [];
  d.on('data', (b: Buffer) => out.push(b));
  const blocks: Buffer[] = [];
  for (const text of ['streamtype error', 'streamtype stdout', 'streamtype stdout again']) {
    d.write(text);
    await new Promise<void>((r) => d.flush(constants.Z_SYNC_FLUSH, () => r()));
    blocks.push(Buffer.concat(out.splice(0)));
  }
  d.close();
  const dec = new HeaderDecompressor();
  assert.deepEqual(blocks.map((b) => dec.decompress(b).toString()), ['streamtype error', 'streamtype stdout', 'streamtype stdout again']);
});

test('every frame type survives encoding and decoding, however the bytes are split', () => {
  const w = new FrameWriter();
  const bytes = Buffer.concat([
    w.synStream(1, { streamtype: ['error'], port: ['80', '81'] }, { priority: 3, fin: true }),
    w.synReply(1, { a: ['b'] }),
    w.data(1, Buffer.from('hello'), true),
    w.data(3, Buffer.alloc(0)),
    w.rstStream(3, 5),
    w.settings([{ id: 7, value: 65536 }]),
    w.ping(2),
    w.windowUpdate(1, 1000),
    w.goaway(7, 0),
  ]);
  const r = new FrameReader();
  const frames: Frame[] = [];
  for (const b of bytes) frames.push(...r.push(Buffer.from([b])));
  assert.deepEqual(frames, [
    { type: 'syn_stream', streamId: 1, associatedId: 0, priority: 3, fin: true, unidirectional: false, headers: { streamtype: ['error'], port: ['80', '81'] } },
    { type: 'syn_reply', streamId: 1, fin: false, headers: { a: ['b'] } },
    { type: 'data', streamId: 1, fin: true, data: Buffer.from('hello') },
    { type: 'data', streamId: 3, fin: false, data: Buffer.alloc(0) },
    { type: 'rst_stream', streamId: 3, status: 5 },
    { type: 'settings', entries: [{ flags: 0, id: 7, value: 65536 }] },
    { type: 'ping', id: 2 },
    { type: 'window_update', streamId: 1, delta: 1000 },
    { type: 'goaway', lastGoodStreamId: 7, status: 0 },
  ]);
  // another SPDY version is refused
  assert.throws(() => new FrameReader().push(Buffer.from([0x80, 2, 0, 1, 0, 0, 0, 0])), /unsupported version 2/);
});

/** A client and a server session over a loopback TCP connection. */
async function pair(t: { after: (fn: () => void | Promise<void>) => void }, serverRole = true): Promise<{ client: SpdySession; server: SpdySession; raw: Socket }> {
  let serverSock: Socket | undefined;
  const srv = createServer((s) => { serverSock = s; });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const raw = connect(port, '127.0.0.1');
  await new Promise<void>((r) => raw.once('connect', r));
  while (!serverSock) await new Promise((r) => setImmediate(r));
  const client = new SpdySession(raw, { server: false });
  const server = new SpdySession(serverSock, { server: serverRole });
  t.after(async () => {
    raw.destroy(); serverSock?.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  });
  return { client, server, raw };
}

const collect = (s: SpdyStream) => new Promise<string>((resolve) => {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  s.on('end', () => resolve(Buffer.concat(parts).toString()));
});

test('a client opens streams, both sides write and half-close them', async (t) => {
  const { client, server } = await pair(t);
  const accepted: SpdyStream[] = [];
  server.on('stream', (s: SpdyStream) => {
    accepted.push(s);
    // echo in upper case, then close our side once the client closed its side
    s.on('data', (d: Buffer) => s.write(d.toString().toUpperCase()));
    s.on('end', () => s.end('!'));
  });
  const a = await client.openStream({ streamtype: 'stdin' });
  const b = await client.openStream({ StreamType: 'stdout', port: ['1', '2'] });
  assert.deepEqual([a.id, b.id], [1, 3]);
  assert.deepEqual(accepted.map((s) => s.header('streamtype')), ['stdin', 'stdout']);
  assert.deepEqual(accepted[1].headers.port, ['1', '2']);
  const gotA = collect(a), gotB = collect(b);
  a.write('abc');
  b.write('x'.repeat(200_000)); // more than one DATA frame
  a.end();
  b.end();
  assert.equal(await gotA, 'ABC!');
  assert.equal(await gotB, 'X'.repeat(200_000) + '!');
});

test('a reset stream ends on both sides; pings are answered; the connection end ends every stream', async (t) => {
  const { client, server, raw } = await pair(t);
  const accepted: SpdyStream[] = [];
  server.on('stream', (s: SpdyStream) => { s.on('error', () => {}); accepted.push(s); });
  const a = await client.openStream({ streamtype: 'data' });
  const closed = new Promise((r) => accepted[0].once('close', r));
  a.destroy(); // RST_STREAM CANCEL
  await closed;
  assert.equal(accepted[0].remoteClosed, true);

  // the server's ping (even id) comes back from the client session
  const pong = new Promise<Buffer>((resolve) => raw.once('data', resolve));
  const sock = server.socket;
  sock.write(new FrameWriter().ping(2));
  const frames = new FrameReader().push(await pong);
  assert.deepEqual(frames, [{ type: 'ping', id: 2 }]);

  const b = await client.openStream({ streamtype: 'data' });
  const ended = new Promise((r) => b.once('close', r));
  const sessionClosed = new Promise((r) => client.once('close', r));
  server.destroy();
  await Promise.all([ended, sessionClosed]);
  await assert.rejects(client.openStream({ streamtype: 'x' }), /closed/);
});

test('a stream the peer never answers times out; a refused one rejects', async (t) => {
  const { client, server } = await pair(t);
  server.socket.removeAllListeners('data'); // the server stops reading frames
  await assert.rejects(client.openStream({ streamtype: 'x' }, 50), /timeout waiting for SPDY stream reply/);
  // a client session accepts no streams: it resets them
  const two = await pair(t, false);
  await assert.rejects(two.client.openStream({ streamtype: 'x' }), /stream 1 was reset \(status 1\)/);
});
