// Port-forward over WebSocket (kubectl 1.30+, kube-apiserver's TunnelingHandler): the client
// offers the subprotocol "SPDY/3.1+portforward.k8s.io" and sends the SPDY connection's bytes
// inside binary WebSocket messages. The API server opens a real SPDY upgrade to the kubelet
// with the protocols that follow the prefix, answers the WebSocket handshake with the one the
// kubelet chose, and from then on only moves bytes: message payloads to the kubelet, kubelet
// bytes as binary messages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { offeredProtocols } from './channels.js';
import type { UpgradeResult } from './kubelet.js';
import { relayResponse } from './proxy.js';
import { acceptWebSocket, type Upgrade } from './upgrade.js';

export const TUNNELING_PREFIX = 'SPDY/3.1+';
const HIGH_WATER = 4 << 20;
const LOW_WATER = 1 << 20;

/** The SPDY protocols a tunnelling request offers ("SPDY/3.1+portforward.k8s.io" → "portforward.k8s.io"). */
export function tunneledProtocols(req: IncomingMessage): string[] {
  return offeredProtocols(req.headers['sec-websocket-protocol'])
    .filter((p) => p.startsWith(TUNNELING_PREFIX) && p.endsWith('.k8s.io'))
    .map((p) => p.slice(TUNNELING_PREFIX.length));
}

export async function tunnelPortForward(req: IncomingMessage, client: Upgrade, res: ServerResponse, up: UpgradeResult): Promise<void> {
  if (!up.upgraded) { await relayResponse(up.res, res); return; }
  const connection = String(up.res.headers.connection ?? '').toLowerCase();
  const upgrade = String(up.res.headers.upgrade ?? '').toLowerCase();
  if (!connection.includes('upgrade') || !upgrade.includes('spdy/3.1')) {
    up.socket.destroy();
    const msg = 'unable to upgrade: missing upgrade headers in response\n';
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': Buffer.byteLength(msg) });
    res.end(msg);
    return;
  }
  const chosen = String(up.res.headers['x-stream-protocol-version'] ?? '').trim();
  const kubelet = up.socket;
  let ws: WebSocket;
  try {
    ws = await acceptWebSocket(req, client, chosen ? TUNNELING_PREFIX + chosen : undefined);
  } catch {
    kubelet.destroy();
    return;
  }
  res.statusCode = 101;

  await new Promise<void>((resolve) => {
    let paused = false;
    const toClient = (d: Buffer) => {
      ws.send(d, { binary: true }, () => {
        if (paused && ws.bufferedAmount < LOW_WATER) { paused = false; kubelet.resume(); }
      });
      if (!paused && ws.bufferedAmount > HIGH_WATER) { paused = true; kubelet.pause(); }
    };
    if (up.head.length) toClient(up.head);
    kubelet.on('data', toClient);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      // client-go's tunnelling connection only ever sends binary messages
      if (!isBinary) { ws.close(1003, 'invalid message type received'); return; }
      if (!kubelet.write(data) && !ws.isPaused) {
        ws.pause();
        kubelet.once('drain', () => ws.resume());
      }
    });
    let left = 2;
    const done = () => { if (--left === 0) resolve(); };
    kubelet.on('error', () => kubelet.destroy());
    kubelet.once('close', () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      done();
    });
    ws.on('error', () => { /* ends in 'close' */ });
    ws.once('close', () => {
      if (ws.isPaused) ws.resume();
      kubelet.end();
      setTimeout(() => kubelet.destroy(), 30_000).unref();
      done();
    });
  });
}
