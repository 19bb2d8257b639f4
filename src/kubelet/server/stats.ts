// GET /stats/summary (the Summary API, stats/v1alpha1; `only_cpu_and_memory=true` trims it to
// what metrics-server needs) and GET /pods (the kubelet's pods as a v1 PodList), as JSON.
// The kubelet serves /stats/summary for GET and POST; POST's body ({"only_cpu_and_memory": …})
// is not supported here, the query parameter is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply } from './reply.js';
import type { ContainerLocator, StatsSource } from './types.js';

function json(res: ServerResponse, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(buf.length) });
  res.end(buf);
}

export async function serveStatsSummary(stats: StatsSource | undefined, _req: IncomingMessage, q: URLSearchParams, res: ServerResponse, reply: Reply): Promise<void> {
  if (!stats) return reply.text(503, 'stats are not available: the container runtime is not running');
  const only = q.get('only_cpu_and_memory');
  if (only !== null && !['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False', 'T', 'F'].includes(only)) {
    return reply.text(400, `Internal Error: strconv.ParseBool: parsing ${JSON.stringify(only)}: invalid syntax`);
  }
  let summary;
  try {
    summary = await stats.summary({ onlyCpuAndMemory: only !== null && /^(1|t|true)$/i.test(only) });
  } catch (e) {
    return reply.text(500, `Internal Error: failed to get summary stats: ${(e as Error).message}`);
  }
  json(res, summary);
}

export function servePods(locator: ContainerLocator, res: ServerResponse, reply: Reply): void {
  if (!locator.pods) return reply.text(503, 'the pod list is not available');
  json(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: locator.pods() });
}
