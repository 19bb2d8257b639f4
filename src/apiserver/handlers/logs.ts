// pods/log: the options and container are checked here, as kube-apiserver's LogREST does; the
// bytes come from the kubelet of the pod's node (/containerLogs), streamed as they arrive so
// `kubectl logs -f` follows. A pod that no node runs yet has no log (an empty answer, as
// upstream); simulated nodes run no containers, so their pods' logs are empty too.
import type { ServerResponse } from 'node:http';
import { ApiError, badRequest } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import type { Cluster } from '../cluster.js';
import { sendText } from '../http.js';
import { SIMULATED_LABEL } from '../streaming/connect.js';
import { hostPort, KubeletDialError, kubeletClientOf, readLimited } from '../streaming/kubelet.js';
import { boolParam } from '../streaming/options.js';

export async function serveLog(cluster: Cluster, res: ServerResponse, pod: Obj, q: URLSearchParams): Promise<void> {
  const name = pod.metadata.name;
  const containers: string[] = (pod.spec?.containers ?? []).map((c: Obj) => c.name);
  const inits: string[] = (pod.spec?.initContainers ?? []).map((c: Obj) => c.name);
  const ephemeral: string[] = (pod.spec?.ephemeralContainers ?? []).map((c: Obj) => c.name);
  for (const p of ['sinceSeconds', 'tailLines', 'limitBytes']) {
    const v = q.get(p);
    if (v !== null && (!/^-?\d+$/.test(v) || Number(v) < (p === 'tailLines' ? 0 : 1))) {
      throw new ApiError(422, 'Invalid', `PodLogOptions "${name}" is invalid: ${p}: Invalid value: ${v}: must be ${p === 'tailLines' ? 'greater than or equal to 0' : 'greater than 0'}`);
    }
  }
  const sinceTime = q.get('sinceTime');
  let since: Date | undefined;
  if (sinceTime !== null) {
    since = new Date(sinceTime);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(sinceTime) || Number.isNaN(since.getTime())) {
      throw badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as "2006"`);
    }
    if (q.get('sinceSeconds') !== null) {
      throw new ApiError(422, 'Invalid', `PodLogOptions "${name}" is invalid: : Forbidden: at most one of \`sinceTime\` or \`sinceSeconds\` may be specified`);
    }
  }
  let container = q.get('container') ?? '';
  if (!container) {
    if (containers.length === 1) container = containers[0];
    else {
      const initPart = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '';
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`);
    }
  }
  if (![...containers, ...inits, ...ephemeral].includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) { sendText(res, 200, ''); return; }
  const node = await cluster.registryByName('', 'nodes').get('', nodeName).catch(() => undefined);
  if (!node || node.metadata.labels?.[SIMULATED_LABEL] === 'true') { sendText(res, 200, ''); return; }

  // the kubelet's query, as LogLocation builds it (url.Values.Encode: sorted keys)
  const params = new URLSearchParams();
  if (boolParam(q, 'follow')) params.set('follow', 'true');
  const limitBytes = q.get('limitBytes');
  if (limitBytes !== null) params.set('limitBytes', String(Number(limitBytes)));
  if (boolParam(q, 'previous')) params.set('previous', 'true');
  const sinceSeconds = q.get('sinceSeconds');
  if (sinceSeconds !== null) params.set('sinceSeconds', String(Number(sinceSeconds)));
  if (since) params.set('sinceTime', since.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const tailLines = q.get('tailLines');
  if (tailLines !== null) params.set('tailLines', String(Number(tailLines)));
  if (boolParam(q, 'timestamps')) params.set('timestamps', 'true');
  const query = params.toString();
  const seg = encodeURIComponent;
  const path = `/containerLogs/${seg(pod.metadata.namespace)}/${seg(name)}/${seg(container)}${query ? `?${query}` : ''}`;

  const kubelet = kubeletClientOf(cluster);
  const target = kubelet.target(node);
  const stop = new AbortController();
  res.once('close', () => stop.abort());
  let from;
  try {
    from = await kubelet.get(target, path, stop.signal);
  } catch (e) {
    if (stop.signal.aborted) return;
    if (e instanceof KubeletDialError) throw new ApiError(500, '', `Get "https://${hostPort(target.host, target.port)}${path}": ${e.message}`);
    throw e;
  }
  const code = from.statusCode ?? 500;
  if (code < 200 || code > 206) throw kubeletError(code, (await readLimited(from)).toString('utf8'), name);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  res.socket?.setNoDelay(true);
  await new Promise<void>((resolve) => {
    from.on('data', (c: Buffer) => { if (!res.write(c)) { from.pause(); res.once('drain', () => from.resume()); } });
    from.once('end', () => { res.end(); resolve(); });
    from.once('error', () => { res.destroy(); resolve(); });
    res.once('close', () => { from.destroy(); resolve(); });
  });
}

/** A kubelet error answer as kube-apiserver's GenericHttpResponseChecker reports it. */
function kubeletError(code: number, body: string, name: string): ApiError {
  if (code === 500) return new ApiError(500, 'InternalError', `Internal error occurred: ${body}`, { causes: [{ message: body }] });
  if (code === 400) return badRequest(body);
  const generic: Record<number, [string, string]> = {
    401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
    403: ['Forbidden', body],
    404: ['NotFound', 'the server could not find the requested resource'],
    405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
    429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
    503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
    504: ['Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request'],
  };
  let [reason, message] = generic[code] ?? ['', `the server responded with the status code ${code} but did not return more information`];
  if (!generic[code] && code >= 500) { reason = 'InternalError'; message = `an error on the server (${JSON.stringify(body)}) has prevented the request from succeeding`; }
  return new ApiError(code, reason, `${message} ( pods/log ${name})`, { name, kind: 'pods/log' });
}
