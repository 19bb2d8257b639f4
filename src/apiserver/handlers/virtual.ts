// Resources that are answered, not stored: access reviews, self-subject reviews, token
// reviews, pod bindings, component statuses and the resource metrics API (metrics-api/).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { invalid, methodNotSupported } from '../../api/errors.js';
import { validateCreate } from '../../api/validation/index.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import type { Cluster } from '../cluster.js';
import { METRICS_GROUP, serveMetrics } from '../metrics-api/index.js';
import { decodeObject, mediaType, readBody, sendJSON } from '../http.js';
import type { RequestInfo } from '../requestinfo.js';
import type { RequestContext } from '../registry/strategy.js';
import { checkTypeMeta } from './decode.js';
import { notFoundResource } from './resource.js';
import { bindPod } from './subresources.js';
import { reviewToken } from './token.js';

export async function handleVirtual(cluster: Cluster, req: IncomingMessage, res: ServerResponse, ri: ResourceInfo, info: RequestInfo, q: URLSearchParams, ctx: RequestContext): Promise<void> {
  if (ri.group === METRICS_GROUP) { await serveMetrics(cluster, req, res, ri, info, q); return; }
  if (ri.plural === 'componentstatuses') {
    if (info.verb !== 'get' && info.verb !== 'list') throw methodNotSupported(ri.group, ri.plural, info.verb);
    const items = ['controller-manager', 'scheduler', 'etcd-0'].map((n) => ({
      kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: n },
      conditions: [{ type: 'Healthy', status: 'True', message: n === 'etcd-0' ? 'ok' : 'ok' }],
    }));
    if (info.name) {
      const it = items.find((i) => i.metadata.name === info.name);
      if (!it) throw notFoundResource();
      sendJSON(res, 200, it);
    } else sendJSON(res, 200, { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {}, items });
    return;
  }
  if (info.verb !== 'create' || info.subresource) throw methodNotSupported(ri.group, ri.plural, info.verb);
  const body = decodeObject(await readBody(req), mediaType(req));
  checkTypeMeta(body, ri);
  if (ri.plural !== 'bindings') {
    const errs = validateCreate(ri.group, ri.version, ri.kind, body);
    if (errs.length) throw invalid(ri.group, ri.kind, body.metadata?.name ?? '', errs);
  }
  const out: Obj = { kind: ri.kind, apiVersion: apiVersionOf(ri.group, ri.version), metadata: { ...(body.metadata ?? {}), creationTimestamp: null }, spec: body.spec ?? {} };
  const u = ctx.user;
  // Every authenticated user may do everything until RBAC enforcement lands; reviews say so.
  const allowed = u.groups.includes('system:authenticated');
  switch (ri.plural) {
    case 'bindings': {
      await bindPod(cluster.registryByName('', 'pods'), info.namespace, body.metadata?.name ?? '', body, ctx);
      sendJSON(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      return;
    }
    case 'selfsubjectaccessreviews':
    case 'subjectaccessreviews':
    case 'localsubjectaccessreviews':
      out.status = allowed ? { allowed: true, reason: u.groups.includes('system:masters') ? '' : 'allowed by the default policy' } : { allowed: false };
      if (ri.plural === 'localsubjectaccessreviews') out.metadata.namespace = info.namespace;
      break;
    case 'selfsubjectrulesreviews':
      out.status = {
        resourceRules: allowed ? [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] : [],
        nonResourceRules: allowed ? [{ verbs: ['*'], nonResourceURLs: ['*'] }] : [],
        incomplete: false,
      };
      break;
    case 'selfsubjectreviews':
      delete out.spec;
      out.status = { userInfo: { username: u.username, groups: u.groups, ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) } };
      break;
    case 'tokenreviews':
      out.status = await reviewToken(cluster, String(body.spec?.token ?? ''), body.spec?.audiences);
      break;
    default:
      throw notFoundResource();
  }
  sendJSON(res, 201, out);
}
