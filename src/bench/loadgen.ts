// A light closed-loop HTTP/1.1 load generator for the benchmarks, in the spirit of wrk or
// hey: C keep-alive TLS connections, each sending its next request as soon as the previous
// answer is complete. It writes pre-formatted request bytes and reads just the status line
// and Content-Length (or chunked framing) of each answer, so on a 2-core machine the client
// does not eat the CPU the server is being measured with (node:http's client costs several
// times more per request and would make its own queueing part of every latency).
import { connect, type TLSSocket } from 'node:tls';

export interface LoadTarget {
  host: string;
  port: number;
  ca: string;
  cert: string;
  key: string;
}

export interface LoadResult {
  /** Latencies in ms, sorted ascending. */
  latencies: number[];
  seconds: number;
}

/** One request to send: the method, path and JSON body for request number i. */
export type RequestFor = (i: number) => { method: string; path: string; body?: string; expect: number };

export async function closedLoop(t: LoadTarget, total: number, concurrency: number, make: RequestFor): Promise<LoadResult> {
  const conns = await Promise.all(Array.from({ length: Math.min(concurrency, total) }, () => open(t)));
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  try {
    await Promise.all(conns.map(async (c) => {
      while (next < total) {
        const i = next++;
        const r = make(i);
        const started = performance.now();
        const status = await c.send(r.method, r.path, t.host, r.body);
        lat.push(performance.now() - started);
        if (status !== r.expect) throw new Error(`${r.method} ${r.path}: HTTP ${status}, want ${r.expect}`);
      }
    }));
  } finally {
    for (const c of conns) c.close();
  }
  return { latencies: lat.sort((a, b) => a - b), seconds: (performance.now() - t0) / 1000 };
}

interface Conn {
  send(method: string, path: string, host: string, body?: string): Promise<number>;
  close(): void;
}

function open(t: LoadTarget): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const sock: TLSSocket = connect({ host: t.host, port: t.port, ca: t.ca, cert: t.cert, key: t.key, servername: 'localhost' }, () => {
      sock.off('error', reject);
      resolve(new ResponseReader(sock));
    });
    sock.once('error', reject);
    sock.setNoDelay(true);
  });
}

/** Reads one HTTP/1.1 response at a time off a keep-alive socket. */
class ResponseReader implements Conn {
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (status: number) => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly sock: TLSSocket) {
    sock.on('data', (d: Buffer) => { this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d; this.parse(); });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  send(method: string, path: string, host: string, body?: string): Promise<number> {
    const len = body === undefined ? 0 : Buffer.byteLength(body);
    const head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nAccept: application/json\r\n`
      + (body === undefined ? '' : `Content-Type: application/json\r\nContent-Length: ${len}\r\n`) + '\r\n';
    return new Promise<number>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sock.write(body === undefined ? head : head + body);
    });
  }

  close(): void {
    this.waiting = null;
    this.sock.destroy();
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = null;
    w?.reject(e);
  }

  private parse(): void {
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buf.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    let total: number;
    if (m) {
      total = end + 4 + Number(m[1]);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const last = this.buf.indexOf('\r\n0\r\n\r\n', end);
      if (last < 0) return;
      total = last + 7;
    } else {
      total = end + 4;
    }
    if (this.buf.length < total) return;
    this.buf = this.buf.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    w.resolve(status);
  }
}
