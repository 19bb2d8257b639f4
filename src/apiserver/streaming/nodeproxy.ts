// nodes/{name}/proxy/{path}: the API server as a reverse proxy to the node's kubelet, so
// `kubectl get --raw /api/v1/nodes/NODE/proxy/stats/summary` (and /healthz, /pods, ...)
// reach it with the API server's kubelet client identity. Only GET and HEAD here (what the
// kubelet's read-only endpoints need); the kubelet's status, type and body pass through.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, methodNotSupported } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { SIMULATED_LABEL } from './connect.js';
import { KubeletDialError, type KubeletClient } from './kubelet.js';

/** Headers copied from the kubelet's answer. */
const PASSED = ['content-type', 'content-length', 'content-encoding', 'cache-control', 'x-content-type-options'];

/** `parts` are the request's path segments after ".../proxy" (already split); query is passed as is. */
export async function serveNodeProxy(kubelet: KubeletClient, req: IncomingMessage, res: ServerResponse, node: Obj, parts: string[], query: string): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') throw methodNotSupported('', 'nodes/proxy', method.toLowerCase());
  const name = node.metadata.name;
  if (node.metadata.labels?.[SIMULATED_LABEL] === 'true') {
    throw new ApiError(503, 'ServiceUnavailable', `error trying to reach service: node "${name}" is simulated and runs no kubelet`);
  }
  const path = `/${parts.map(encodeURIComponent).join('/')}${query ? `?${query}` : ''}`;
  const target = kubelet.target(node);
  const stop = new AbortController();
  res.once('close', () => stop.abort());
  let from: IncomingMessage;
  try {
    from = await kubelet.get(target, path, stop.signal);
  } catch (e) {
    if (stop.signal.aborted) return;
    if (e instanceof KubeletDialError) throw new ApiError(503, 'ServiceUnavailable', `error trying to reach service: ${e.message}`);
    throw e;
  }
  const headers: Record<string, string> = {};
  for (const h of PASSED) { const v = from.headers[h]; if (typeof v === 'string') headers[h] = v; }
  res.writeHead(from.statusCode ?? 502, headers);
  if (method === 'HEAD') { from.destroy(); res.end(); return; }
  await new Promise<void>((resolve) => {
    from.pipe(res);
    from.once('end', () => resolve());
    from.once('error', () => { res.destroy(); resolve(); });
    res.once('close', () => { from.destroy(); resolve(); });
  });
}
