// TEST HELPER ONLY (server.e2e.ts): the least of a SPDY/3.1 client that lets an end-to-end
// test speak to containerd's streaming server through the kubelet server the way kubectl
// does — open streams with headers, send data, read data. Production SPDY lives in
// src/apiserver/streaming, which kubelet code must not import.
//
// Header blocks are sent as zlib *stored* (uncompressed) deflate blocks without a preset
// dictionary: any conforming zlib reader (Go's spdystream in containerd included) accepts
// them, so no SPDY dictionary or compressor is needed. Incoming header blocks (SYN_REPLY)
// are not decoded: a test only needs stream data, ends and resets.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

const VERSION = 3;
const SYN_STREAM = 1;
const SYN_REPLY = 2;
const RST_STREAM = 3;
const PING = 6;
const GOAWAY = 7;
const WINDOW_UPDATE = 9;
const FLAG_FIN = 0x01;

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | VERSION, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(((flags & 0xff) << 24) | payload.length, 4);
  return Buffer.concat([h, payload]);
}

function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h.writeUInt32BE(((flags & 0xff) << 24) | data.length, 4);
  return Buffer.concat([h, data]);
}

function headerBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const entries = Object.entries(headers);
  parts.push(u32(entries.length));
  for (const [k, v] of entries) {
    const kb = Buffer.from(k.toLowerCase());
    const vb = Buffer.from(v);
    parts.push(u32(kb.length), kb, u32(vb.length), vb);
  }
  return Buffer.concat(parts);
}

/**
 * A deflate stored block (not final) with the bytes as they are, then the empty stored block
 * of a sync flush: inflaters (Go's included) hand out a block's bytes only once they see the
 * next block begin, and the flush marker is that beginning without reading past the frame.
 */
function storedBlock(data: Buffer): Buffer {
  if (data.length > 0xffff) throw new Error('header block too large for one stored block');
  const h = Buffer.alloc(5);
  h[0] = 0x00; // BFINAL=0, BTYPE=00 (stored), padding to the byte boundary
  h.writeUInt16LE(data.length, 1);
  h.writeUInt16LE(~data.length & 0xffff, 3);
  return Buffer.concat([h, data, Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff])]);
}

export class SpdyStream extends EventEmitter {
  readonly chunks: Buffer[] = [];
  ended = false;
  reset: number | undefined;

  constructor(readonly id: number, private readonly session: SpdySession) {
    super();
  }

  write(data: Buffer | string): void {
    this.session.send(dataFrame(this.id, 0, Buffer.from(data)));
  }

  /** Our half-close (SPDY FIN); `data` is sent with it. */
  end(data: Buffer | string = Buffer.alloc(0)): void {
    this.session.send(dataFrame(this.id, FLAG_FIN, Buffer.from(data)));
  }

  text(): string {
    return Buffer.concat(this.chunks).toString();
  }

  /** Resolves when the peer has half-closed (FIN), reset the stream, or the session ended. */
  done(): Promise<void> {
    if (this.ended || this.reset !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.once('done', resolve));
  }

  /** @internal */
  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('done');
  }
}

/** A client session over an upgraded connection (after the 101). */
export class SpdySession {
  private nextId = 1;
  private zlibStarted = false;
  private buf = Buffer.alloc(0);
  readonly streams = new Map<number, SpdyStream>();
  closed = false;

  constructor(private readonly socket: Duplex, head: Buffer = Buffer.alloc(0)) {
    socket.on('data', (d: Buffer) => this.receive(d));
    socket.on('close', () => this.shutdown());
    socket.on('error', () => this.shutdown());
    if (head.length) this.receive(head);
  }

  /** SYN_STREAM with these headers (e.g. streamType: stdout). */
  open(headers: Record<string, string>): SpdyStream {
    const id = this.nextId;
    this.nextId += 2;
    const s = new SpdyStream(id, this);
    this.streams.set(id, s);
    const ids = Buffer.alloc(10);
    ids.writeUInt32BE(id, 0);
    ids.writeUInt32BE(0, 4); // no associated stream
    ids[8] = 0; // priority 0, slot 0
    const prefix = this.zlibStarted ? Buffer.alloc(0) : Buffer.from([0x78, 0x01]); // zlib header, no dictionary
    this.zlibStarted = true;
    this.send(controlFrame(SYN_STREAM, 0, Buffer.concat([ids, prefix, storedBlock(headerBlock(headers))])));
    return s;
  }

  /** @internal */
  send(frame: Buffer): void {
    if (!this.closed) this.socket.write(frame);
  }

  close(): void {
    this.socket.destroy();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.finish();
  }

  private receive(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) return;
      const frame = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      this.frame(frame);
    }
  }

  private frame(f: Buffer): void {
    const flags = f[4];
    const payload = f.subarray(8);
    if (!(f[0] & 0x80)) {
      const s = this.streams.get(f.readUInt32BE(0) & 0x7fffffff);
      if (!s) return;
      if (payload.length) {
        s.chunks.push(Buffer.from(payload));
        s.emit('data', payload);
        // SPDY/3.1 flow control: give back what we consumed, to the stream and the session.
        const wu = (id: number) => { const b = Buffer.alloc(8); b.writeUInt32BE(id, 0); b.writeUInt32BE(payload.length, 4); return controlFrame(WINDOW_UPDATE, 0, b); };
        this.send(Buffer.concat([wu(s.id), wu(0)]));
      }
      if (flags & FLAG_FIN) s.finish();
      return;
    }
    const type = f.readUInt16BE(2);
    switch (type) {
      case SYN_REPLY: {
        const s = this.streams.get(payload.readUInt32BE(0) & 0x7fffffff);
        if (s && flags & FLAG_FIN) s.finish();
        break;
      }
      case RST_STREAM: {
        const s = this.streams.get(payload.readUInt32BE(0) & 0x7fffffff);
        if (s) {
          s.reset = payload.readUInt32BE(4);
          s.finish();
        }
        break;
      }
      case PING:
        this.send(controlFrame(PING, 0, Buffer.from(payload))); // answer with the same id
        break;
      case GOAWAY:
        this.shutdown();
        break;
      default:
        break; // SETTINGS, HEADERS, WINDOW_UPDATE: nothing a short test needs
    }
  }
}
