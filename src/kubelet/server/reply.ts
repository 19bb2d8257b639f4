// One way to answer a request whether it arrived as a plain request (a ServerResponse) or
// as an upgrade request (a raw socket, where the response is written by hand).
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

export interface Reply {
  /** A complete response with a plain-text body (the kubelet's errors are plain text). */
  text(code: number, body: string, headers?: Record<string, string>): void;
}

export function responseReply(res: ServerResponse): Reply {
  return {
    text(code, body, headers = {}) {
      if (res.headersSent) {
        res.end();
        return;
      }
      const buf = Buffer.from(body);
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': String(buf.length), ...headers });
      res.end(buf);
    },
  };
}

export function socketReply(socket: Duplex): Reply {
  return {
    text(code, body, headers = {}) {
      if (socket.destroyed) return;
      const buf = Buffer.from(body);
      const all: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': String(buf.length), Connection: 'close', ...headers };
      const head = `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
      socket.end(Buffer.concat([Buffer.from(head, 'latin1'), buf]));
    },
  };
}
