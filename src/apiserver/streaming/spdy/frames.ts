// SPDY/3.1 framing (SPDY draft 3, section 2): the frames Kubernetes' streams use, encoded and
// decoded byte for byte. Control frames start with the control bit, version 3 and a type;
// data frames with a 31-bit stream id. Header blocks (SYN_STREAM, SYN_REPLY, HEADERS) are
// name/value lists compressed with the connection's zlib context (zlib.ts).
import { HeaderCompressor, HeaderDecompressor } from './zlib.js';

export const VERSION = 3;
export const TYPE = { SYN_STREAM: 1, SYN_REPLY: 2, RST_STREAM: 3, SETTINGS: 4, PING: 6, GOAWAY: 7, HEADERS: 8, WINDOW_UPDATE: 9 } as const;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** RST_STREAM status codes used here. */
export const RST = { PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 } as const;
/** The largest payload a frame's 24-bit length can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/** Header names (lower case, as SPDY requires) to their values. */
export type SpdyHeaders = Record<string, string[]>;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; fin: boolean; unidirectional: boolean; headers: SpdyHeaders }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'headers'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

export class SpdyProtocolError extends Error {}

function encodeHeaderBlock(h: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const names = Object.keys(h);
  parts.push(u32(names.length));
  for (const name of names) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(h[name].join('\0'), 'utf8'); // several values: NUL-separated
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

function decodeHeaderBlock(b: Buffer): SpdyHeaders {
  let off = 0;
  const need = (n: number) => { if (off + n > b.length) throw new SpdyProtocolError('spdy: truncated header block'); };
  need(4);
  const count = b.readUInt32BE(off); off += 4;
  const out: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    need(4);
    const nl = b.readUInt32BE(off); off += 4;
    need(nl);
    const name = b.toString('utf8', off, off + nl); off += nl;
    need(4);
    const vl = b.readUInt32BE(off); off += 4;
    need(vl);
    const value = b.toString('utf8', off, off + vl); off += vl;
    if (name !== name.toLowerCase()) throw new SpdyProtocolError('spdy: header was not lowercased');
    (out[name] ??= []).push(...value.split('\0'));
  }
  return out;
}

/** Encodes frames for one direction of one connection (it owns that direction's zlib context). */
export class FrameWriter {
  private readonly zlib = new HeaderCompressor();

  private control(type: number, flags: number, payload: Buffer): Buffer {
    if (payload.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError('spdy: frame too large');
    const h = Buffer.alloc(8);
    h.writeUInt16BE(0x8000 | VERSION, 0);
    h.writeUInt16BE(type, 2);
    h.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
    return Buffer.concat([h, payload]);
  }

  data(streamId: number, data: Buffer, fin = false): Buffer {
    if (data.length > MAX_FRAME_PAYLOAD) throw new SpdyProtocolError('spdy: frame too large');
    const h = Buffer.alloc(8);
    h.writeUInt32BE(streamId & 0x7fffffff, 0);
    h.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24 | data.length) >>> 0, 4);
    return Buffer.concat([h, data]);
  }

  synStream(streamId: number, headers: SpdyHeaders, o: { associatedId?: number; priority?: number; fin?: boolean; unidirectional?: boolean } = {}): Buffer {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
    fixed.writeUInt32BE((o.associatedId ?? 0) & 0x7fffffff, 4);
    fixed[8] = ((o.priority ?? 0) & 0x7) << 5;
    fixed[9] = 0; // credential slot
    const flags = (o.fin ? FLAG_FIN : 0) | (o.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
    return this.control(TYPE.SYN_STREAM, flags, Buffer.concat([fixed, this.zlib.compress(encodeHeaderBlock(headers))]));
  }

  synReply(streamId: number, headers: SpdyHeaders, fin = false): Buffer {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(streamId & 0x7fffffff);
    return this.control(TYPE.SYN_REPLY, fin ? FLAG_FIN : 0, Buffer.concat([id, this.zlib.compress(encodeHeaderBlock(headers))]));
  }

  rstStream(streamId: number, status: number): Buffer {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(streamId & 0x7fffffff, 0);
    p.writeUInt32BE(status, 4);
    return this.control(TYPE.RST_STREAM, 0, p);
  }

  ping(id: number): Buffer {
    const p = Buffer.alloc(4);
    p.writeUInt32BE(id >>> 0);
    return this.control(TYPE.PING, 0, p);
  }

  goaway(lastGoodStreamId: number, status = 0): Buffer {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
    p.writeUInt32BE(status, 4);
    return this.control(TYPE.GOAWAY, 0, p);
  }

  windowUpdate(streamId: number, delta: number): Buffer {
    const p = Buffer.alloc(8);
    p.writeUInt32BE(streamId & 0x7fffffff, 0);
    p.writeUInt32BE(delta & 0x7fffffff, 4);
    return this.control(TYPE.WINDOW_UPDATE, 0, p);
  }

  settings(entries: { flags?: number; id: number; value: number }[]): Buffer {
    const p = Buffer.alloc(4 + 8 * entries.length);
    p.writeUInt32BE(entries.length, 0);
    entries.forEach((e, i) => {
      p.writeUInt32BE((((e.flags ?? 0) & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + 8 * i);
      p.writeUInt32BE(e.value >>> 0, 8 + 8 * i);
    });
    return this.control(TYPE.SETTINGS, 0, p);
  }
}

/** Decodes the byte stream of one direction into frames, however the bytes are chunked. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly zlib = new HeaderDecompressor();

  /** Adds bytes and returns every frame they complete. Throws SpdyProtocolError on garbage. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const frame = this.decode(this.buf.subarray(0, 8 + len));
      this.buf = this.buf.subarray(8 + len);
      frames.push(frame);
    }
    return frames;
  }

  private decode(f: Buffer): Frame {
    const flags = f[4];
    const p = f.subarray(8);
    if ((f[0] & 0x80) === 0) {
      return { type: 'data', streamId: f.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: Buffer.from(p) };
    }
    const version = f.readUInt16BE(0) & 0x7fff;
    if (version !== VERSION) throw new SpdyProtocolError(`spdy: unsupported version ${version}`);
    const type = f.readUInt16BE(2);
    const need = (n: number) => { if (p.length < n) throw new SpdyProtocolError(`spdy: invalid control frame ${type}`); };
    const id = () => p.readUInt32BE(0) & 0x7fffffff;
    switch (type) {
      case TYPE.SYN_STREAM:
        need(10);
        return {
          type: 'syn_stream', streamId: id(), associatedId: p.readUInt32BE(4) & 0x7fffffff, priority: p[8] >> 5,
          fin: (flags & FLAG_FIN) !== 0, unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
          headers: decodeHeaderBlock(this.zlib.decompress(p.subarray(10))),
        };
      case TYPE.SYN_REPLY:
        need(4);
        return { type: 'syn_reply', streamId: id(), fin: (flags & FLAG_FIN) !== 0, headers: decodeHeaderBlock(this.zlib.decompress(p.subarray(4))) };
      case TYPE.HEADERS:
        need(4);
        return { type: 'headers', streamId: id(), fin: (flags & FLAG_FIN) !== 0, headers: decodeHeaderBlock(this.zlib.decompress(p.subarray(4))) };
      case TYPE.RST_STREAM:
        need(8);
        return { type: 'rst_stream', streamId: id(), status: p.readUInt32BE(4) };
      case TYPE.SETTINGS: {
        need(4);
        const n = p.readUInt32BE(0);
        need(4 + 8 * n);
        const entries = [];
        for (let i = 0; i < n; i++) {
          const w = p.readUInt32BE(4 + 8 * i);
          entries.push({ flags: w >>> 24, id: w & 0xffffff, value: p.readUInt32BE(8 + 8 * i) });
        }
        return { type: 'settings', entries };
      }
      case TYPE.PING:
        need(4);
        return { type: 'ping', id: p.readUInt32BE(0) };
      case TYPE.GOAWAY:
        need(8);
        return { type: 'goaway', lastGoodStreamId: id(), status: p.readUInt32BE(4) };
      case TYPE.WINDOW_UPDATE:
        need(8);
        return { type: 'window_update', streamId: id(), delta: p.readUInt32BE(4) & 0x7fffffff };
      default:
        return { type: 'unknown', frameType: type }; // SPDY says: ignore unknown control frames
    }
  }
}
