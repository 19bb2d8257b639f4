// The kubelet's proxyStream: an upgrade request (SPDY/3.1 or WebSocket) for exec, attach or
// port-forward is replayed to the runtime's streaming URL and the two connections are then
// joined byte for byte. The runtime's answer — 101 Switching Protocols with the negotiated
// X-Stream-Protocol-Version / Sec-WebSocket-Protocol, or an error — reaches the client as
// the runtime wrote it; only the request line and Host change (the target's path carries the
// runtime's one-time token, the client's query is not passed on).
import type { IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { socketReply } from './reply.js';
import type { Log } from './types.js';

/** The request head sent to `target`: the client's method and headers, the target's path and host. */
export function upstreamHead(req: IncomingMessage, target: URL): Buffer {
  const lines = [`${req.method ?? 'GET'} ${target.pathname}${target.search} HTTP/1.1`, `Host: ${target.host}`];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'host') continue;
    lines.push(`${raw[i]}: ${raw[i + 1]}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

export interface ProxyOptions {
  /** Called with the upstream socket so the server can close it on shutdown. */
  track?: (s: Socket) => void;
  log?: Log;
}

/** Joins `client` (whose upgrade request is `req`, with `head` already read) to `target`. */
export function proxyUpgrade(req: IncomingMessage, client: Duplex, head: Buffer, target: string, o: ProxyOptions = {}): void {
  const url = new URL(target);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (client.destroyed) return;
  const upstream: Socket = url.protocol === 'https:'
    ? tlsConnect({ host, port, servername: /^[\d.]+$|:/.test(host) ? undefined : host })
    : netConnect({ host, port });
  o.track?.(upstream);
  let joined = false;
  const ready = url.protocol === 'https:' ? 'secureConnect' : 'connect';
  upstream.once(ready, () => {
    if (client.destroyed) {
      upstream.destroy();
      return;
    }
    joined = true;
    upstream.setNoDelay(true);
    (client as Socket).setNoDelay?.(true);
    upstream.write(upstreamHead(req, url));
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (e) => {
    if (!joined) {
      // What the kubelet's responder answers when it cannot reach the runtime.
      socketReply(client).text(500, `error dialing backend: ${e.message}\n`);
      return;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPIPE' && code !== 'ECONNRESET') o.log?.(`stream proxy to ${url.host}: ${e.message}`);
    client.destroy();
  });
  client.on('error', () => upstream.destroy());
  // Either side going away ends the session (nothing in these protocols needs a half-open
  // TCP); an orderly end from the runtime still delivers what it wrote last (pipe ends the client).
  upstream.on('close', (hadError) => { if (joined && hadError) client.destroy(); });
  client.on('close', () => upstream.destroy());
}
