// Upgrade-aware proxying to the kubelet (k8s.io/apimachinery's UpgradeAwareHandler): the
// client's upgrade request goes to the kubelet; a 101 answer is relayed byte for byte and the
// two connections are spliced, so SPDY clients (kubectl before 1.30) talk to the kubelet
// directly; any other answer is relayed as a normal response.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { readLimited, type UpgradeResult } from './kubelet.js';

/** Request headers that stay with the API server (credentials, hop-by-hop framing). */
const DROPPED = /^(host|authorization|content-length|transfer-encoding|proxy-.*|impersonate-.*|x-forwarded-for)$/i;

/** The client's headers for the kubelet, every repeated line kept (X-Stream-Protocol-Version). */
export function forwardedHeaders(req: IncomingMessage): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i], v = req.rawHeaders[i + 1];
    if (DROPPED.test(k)) continue;
    (out[k] ??= []).push(v);
  }
  const prior = req.headers['x-forwarded-for'];
  const ip = req.socket.remoteAddress ?? '';
  out['X-Forwarded-For'] = [prior ? `${prior}, ${ip}` : ip];
  return out;
}

/** The response head as the kubelet sent it. */
function rawHead(res: IncomingMessage): string {
  let s = `HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}\r\n`;
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) s += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
  return `${s}\r\n`;
}

/** Relays a response that is not an upgrade (an error, usually) through the API server's response. */
export async function relayResponse(from: IncomingMessage, to: ServerResponse): Promise<void> {
  const body = await readLimited(from, 1 << 20);
  const headers: Record<string, string> = { 'Content-Length': String(body.length) };
  const ct = from.headers['content-type'];
  if (ct) headers['Content-Type'] = String(ct);
  to.writeHead(from.statusCode ?? 502, headers);
  to.end(body);
}

/**
 * Splices two connections and resolves once both are closed. One side's end is passed on as
 * the other's end, so what is in flight still arrives; an error tears both down.
 */
export function splice(a: Duplex, b: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let open = 2;
    for (const [x, y] of [[a, b], [b, a]] as const) {
      x.pipe(y);
      x.on('error', () => { x.destroy(); y.destroy(); });
      x.once('close', () => {
        if (!y.destroyed) {
          y.end();
          // a peer that never closes its side is cut off after a while
          setTimeout(() => y.destroy(), 30_000).unref();
        }
        if (--open === 0) resolve();
      });
    }
  });
}

/** The upgrade-aware proxy: relays the kubelet's answer to an upgrade request the client made. */
export async function proxyUpgrade(client: Duplex, clientHead: Buffer, up: UpgradeResult, res: ServerResponse): Promise<void> {
  if (!up.upgraded) { await relayResponse(up.res, res); return; }
  res.statusCode = 101; // for the request log and metrics; the head goes out raw
  client.write(rawHead(up.res));
  if (up.head.length) client.write(up.head);
  if (clientHead.length) up.socket.write(clientHead);
  await splice(client, up.socket);
}
