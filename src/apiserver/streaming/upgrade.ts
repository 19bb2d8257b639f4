// Upgrade requests (SPDY and WebSocket) reach the API server's normal request path with a
// response object bound to the raw connection, so authentication, routing and error answers
// work as for any request; the streaming handlers then take the connection over.
import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface Upgrade {
  socket: Duplex;
  /** Bytes the client sent after the request head. */
  head: Buffer;
}

const upgrades = new WeakMap<IncomingMessage, Upgrade>();

/**
 * A response for an upgrade request: written like any other (errors, refusals), it goes out
 * on the connection and then closes it. Connections still open when `signal` aborts (the
 * server stops) are dropped, since the HTTP server no longer tracks them.
 */
export function upgradeResponse(req: IncomingMessage, socket: Duplex, head: Buffer, signal: AbortSignal): ServerResponse {
  upgrades.set(req, { socket, head });
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => { res.detachSocket(socket as Socket); socket.end(); });
  socket.on('error', () => socket.destroy());
  track(socket, signal);
  return res;
}

// Open upgraded connections per server stop signal: one abort listener per server, however
// many streams are open.
const open = new WeakMap<AbortSignal, Set<Duplex>>();

function track(socket: Duplex, signal: AbortSignal): void {
  if (signal.aborted) { socket.destroy(); return; }
  let set = open.get(signal);
  if (!set) {
    const sockets = new Set<Duplex>();
    open.set(signal, sockets);
    signal.addEventListener('abort', () => { for (const s of sockets) s.destroy(); }, { once: true });
    set = sockets;
  }
  set.add(socket);
  socket.once('close', () => set.delete(socket));
}

/** The raw connection of an upgrade request, for the handler that takes it over. */
export function takeUpgrade(req: IncomingMessage): Upgrade | undefined {
  return upgrades.get(req);
}

/** Whether the client asked for a WebSocket (Connection: Upgrade, Upgrade: websocket). */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  const conn = String(req.headers.connection ?? '').toLowerCase();
  return conn.split(',').some((t) => t.trim() === 'upgrade') && String(req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/**
 * Completes the WebSocket handshake, answering with `protocol` (or no subprotocol). Rejects
 * if the handshake is invalid; the ws library has then answered the client with the error.
 *
 * The subprotocol is chosen by the caller and added to the answer here: the ws library
 * refuses to parse offers that are not RFC 7230 tokens, and kubectl's port-forward offers
 * "SPDY/3.1+portforward.k8s.io" (Go's WebSocket library accepts any text).
 */
export function acceptWebSocket(req: IncomingMessage, up: Upgrade, protocol: string | undefined): Promise<WebSocket> {
  const wss = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
  if (protocol) wss.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
  const offered = req.headers['sec-websocket-protocol'];
  delete req.headers['sec-websocket-protocol'];
  return new Promise<WebSocket>((resolve, reject) => {
    const failed = () => reject(new Error('websocket handshake failed'));
    up.socket.once('close', failed);
    wss.handleUpgrade(req, up.socket, up.head, (ws) => {
      up.socket.off('close', failed);
      resolve(ws);
    });
  }).finally(() => { if (offered !== undefined) req.headers['sec-websocket-protocol'] = offered; });
}
