// A SPDY/3.1 connection carrying several streams, as Kubernetes' httpstream/spdy uses it:
// the client opens streams (SYN_STREAM with a "streamtype" header) and waits for each
// SYN_REPLY; data frames carry the bytes; a FIN half-closes one direction. Like the Go
// implementation (moby/spdystream) it ignores SETTINGS and WINDOW_UPDATE and sends neither,
// so there is no per-stream flow control: back-pressure is the TCP connection's.
//
// Each stream is a Node Duplex: write() sends DATA frames, end() sends the FIN, and the
// readable side ends when the peer's FIN (or RST_STREAM, or the connection's end) arrives.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { FrameReader, FrameWriter, RST, SpdyProtocolError, type Frame, type SpdyHeaders } from './frames.js';

/** Largest DATA frame written (spdystream writes one frame per Write; this bounds it). */
const MAX_DATA = 64 * 1024;
/** client-go waits this long for a SYN_REPLY before giving up on a stream. */
export const STREAM_REPLY_TIMEOUT_MS = 30_000;

export class SpdyStream extends Duplex {
  /** The peer's SYN_REPLY headers (streams we opened). */
  replyHeaders: SpdyHeaders = {};
  /** Set once the peer's FIN or RST_STREAM arrived. */
  remoteClosed = false;
  private localClosed = false;
  private reset = false;

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: SpdyHeaders) {
    super({ allowHalfOpen: true });
  }

  /** First value of a header, case-insensitively. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  override _read(): void { /* frames are pushed as they arrive */ }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    // the peer reset the stream: what is still written goes nowhere, as with a closed pipe
    if (this.reset) { cb(); return; }
    this.session.sendData(this.id, chunk, false, cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.localClosed = true;
    if (this.reset) { cb(); return; }
    this.session.sendData(this.id, Buffer.alloc(0), true, cb);
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    // a stream dropped before both sides finished is reset, so the peer stops sending
    if (!this.reset && !(this.localClosed && this.remoteClosed)) this.session.sendReset(this.id, RST.CANCEL);
    this.session.forget(this.id);
    cb(err);
  }

  /** @internal the session delivers the peer's frames here */
  deliver(data: Buffer, fin: boolean): void {
    if (this.remoteClosed) return;
    if (data.length) this.push(data);
    if (fin) { this.remoteClosed = true; this.push(null); }
  }

  /** @internal the peer reset the stream, or the connection is gone */
  abort(): void {
    this.reset = true;
    if (!this.remoteClosed) { this.remoteClosed = true; this.push(null); }
    this.destroy();
  }
}

export interface SpdySessionOptions {
  /** Server sessions accept streams and use even ids; clients open streams with odd ids. */
  server: boolean;
  /** Bytes the transport already read past the HTTP upgrade response. */
  head?: Buffer;
}

/**
 * Events: 'stream' (SpdyStream: a stream the peer opened; already replied to),
 * 'goaway', 'close' (the transport ended), 'error' (protocol errors; the session closes).
 */
export class SpdySession extends EventEmitter {
  private readonly streams = new Map<number, SpdyStream>();
  private readonly replies = new Map<number, { resolve: (s: SpdyStream) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly reader = new FrameReader();
  private readonly writer = new FrameWriter();
  private nextStreamId: number;
  private lastPeerStreamId = 0;
  private closed = false;
  private closing = false;
  goneAway = false;

  constructor(readonly socket: Duplex, private readonly o: SpdySessionOptions) {
    super();
    this.nextStreamId = o.server ? 2 : 1;
    socket.on('data', (c: Buffer) => this.onBytes(c));
    socket.on('end', () => this.shutdown());
    socket.on('close', () => this.shutdown());
    socket.on('error', () => this.shutdown());
    if (o.head?.length) queueMicrotask(() => this.onBytes(o.head!));
  }

  get isClosed(): boolean { return this.closed; }

  /** Opens a stream and resolves once the peer replied (SYN_REPLY), as client-go waits. */
  openStream(headers: Record<string, string | string[]>, timeoutMs = STREAM_REPLY_TIMEOUT_MS): Promise<SpdyStream> {
    if (this.closed || this.closing || this.goneAway) return Promise.reject(new Error('spdy: connection is closed'));
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const h: SpdyHeaders = {};
    for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = Array.isArray(v) ? v : [v];
    const stream = new SpdyStream(this, id, h);
    this.streams.set(id, stream);
    return new Promise<SpdyStream>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        stream.abort();
        reject(new Error('timeout waiting for SPDY stream reply'));
      }, timeoutMs);
      this.replies.set(id, { resolve, reject, timer });
      this.send(this.writer.synStream(id, h));
    });
  }

  /**
   * Ends the connection once what the streams still hold is written: GOAWAY, then the
   * transport's FIN.
   */
  close(): void {
    if (this.closed || this.closing) return;
    this.closing = true;
    // a peer that stops reading for this long is dropped
    const deadline = Date.now() + 30_000;
    const attempt = () => {
      if (this.closed) return;
      if ([...this.streams.values()].some((s) => s.writableLength > 0)) {
        if (Date.now() > deadline) this.destroy(); else setTimeout(attempt, 10);
        return;
      }
      if (!this.goneAway) this.send(this.writer.goaway(this.lastPeerStreamId));
      this.goneAway = true;
      this.socket.end();
    };
    attempt();
  }

  /** Drops the connection at once. */
  destroy(): void {
    this.socket.destroy();
    this.shutdown();
  }

  pause(): void { this.socket.pause(); }
  resume(): void { this.socket.resume(); }

  /**
   * @internal Hands the bytes to the transport at once; `cb` (the stream's next write) waits
   * only while the transport is congested.
   */
  sendData(id: number, data: Buffer, fin: boolean, cb: (e?: Error | null) => void): void {
    if (this.closed || !this.socket.writable) { cb(new Error('spdy: connection is closed')); return; }
    let off = 0, ok = true;
    do {
      const part = data.subarray(off, off + MAX_DATA);
      off += part.length;
      ok = this.socket.write(this.writer.data(id, part, fin && off >= data.length));
    } while (off < data.length);
    if (ok) cb(); else this.socket.once('drain', () => cb());
  }

  /** @internal */
  sendReset(id: number, status: number): void {
    if (!this.closed) this.send(this.writer.rstStream(id, status));
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
  }

  private send(frame: Buffer): void {
    if (this.socket.writable) this.socket.write(frame);
  }

  private onBytes(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: Frame): void {
    switch (f.type) {
      case 'data':
        this.streams.get(f.streamId)?.deliver(f.data, f.fin);
        return;
      case 'syn_stream': {
        const ours = (f.streamId % 2 === 0) === !!this.o.server;
        if (!this.o.server || ours || f.streamId <= this.lastPeerStreamId || this.goneAway) {
          this.sendReset(f.streamId, RST.PROTOCOL_ERROR);
          return;
        }
        this.lastPeerStreamId = f.streamId;
        const s = new SpdyStream(this, f.streamId, f.headers);
        this.streams.set(f.streamId, s);
        this.send(this.writer.synReply(f.streamId, {}));
        if (f.fin) s.deliver(Buffer.alloc(0), true);
        this.emit('stream', s);
        return;
      }
      case 'syn_reply': {
        const waiter = this.replies.get(f.streamId);
        const s = this.streams.get(f.streamId);
        if (!waiter || !s) return;
        this.replies.delete(f.streamId);
        clearTimeout(waiter.timer);
        s.replyHeaders = f.headers;
        if (f.fin) s.deliver(Buffer.alloc(0), true);
        waiter.resolve(s);
        return;
      }
      case 'rst_stream': {
        const waiter = this.replies.get(f.streamId);
        if (waiter) {
          this.replies.delete(f.streamId);
          clearTimeout(waiter.timer);
          waiter.reject(new Error(`spdy: stream ${f.streamId} was reset (status ${f.status})`));
        }
        this.streams.get(f.streamId)?.abort();
        return;
      }
      case 'ping':
        // answer the peer's pings (odd ids come from clients, even ones from servers)
        if ((f.id % 2 === 1) === !!this.o.server) this.send(this.writer.ping(f.id));
        return;
      case 'goaway':
        this.goneAway = true;
        this.emit('goaway');
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE, HEADERS, unknown: nothing to do
    }
  }

  private fail(e: Error): void {
    if (this.listenerCount('error')) this.emit('error', e instanceof SpdyProtocolError ? e : new SpdyProtocolError(e.message));
    this.destroy();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [id, w] of this.replies) {
      clearTimeout(w.timer);
      w.reject(new Error('spdy: connection closed before the stream was accepted'));
      this.replies.delete(id);
    }
    for (const s of [...this.streams.values()]) s.abort();
    this.streams.clear();
    this.emit('close');
  }
}
