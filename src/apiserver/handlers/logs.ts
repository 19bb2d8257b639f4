// pods/log: the container is checked here, as kube-apiserver's LogREST does; the bytes come
// from the node agent. A pod that no node runs yet has no log (an empty answer, as upstream);
// simulated nodes run no containers, so their pods' logs are empty too.
import type { ServerResponse } from 'node:http';
import { ApiError, badRequest } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import type { Cluster } from '../cluster.js';
import { sendText } from '../http.js';

const SIMULATED_LABEL = 'skiff.dev/simulated';

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
  throw new ApiError(503, 'ServiceUnavailable', `the node agent on ${nodeName} does not serve container logs yet`);
}
