// Resource requests: verbs on collections and objects, dispatched to the registry.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, methodNotSupported } from '../../api/errors.js';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { convertToStorage } from '../../api/conversion.js';
import type { Cluster } from '../cluster.js';
import { decodeObject, readBody, sendJSON, sendText, mediaType } from '../http.js';
import { stringify as stringifyYaml } from 'yaml';
import { ensureProtobuf, protobuf } from '../protobuf-lazy.js';
import type { RequestInfo } from '../requestinfo.js';
import { storedTextOf, type DeleteOptions, type ListOptions, type Registry } from '../registry/generic.js';
import { servedJSON } from '../registry/rawjson.js';
import type { RequestContext, UserInfo } from '../registry/strategy.js';
import { decodeForWrite, fieldValidationParam } from './decode.js';
import { listObject, negotiate, partialMetadata, tableObject, toExternal } from './output.js';
import { patchResource } from './patch.js';
import { handleSubresource } from './subresources.js';
import { handleVirtual } from './virtual.js';
import { serveWatch } from './watch.js';

export function notFoundResource(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** PUT or PATCH on a collection URL: go-restful has no route, kube-apiserver answers 405. */
function collectionMethodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
}

export function makeContext(req: IncomingMessage, q: URLSearchParams, user: UserInfo): RequestContext {
  const dry = q.getAll('dryRun');
  for (const d of dry) if (d !== 'All') throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
  const fm = q.get('fieldManager') ?? undefined;
  if (fm !== undefined && (fm.length > 128 || /[^\x20-\x7e]/.test(fm))) {
    throw badRequest(`fieldManager: Invalid value: ${JSON.stringify(fm)}: must be less than 128 characters and printable`);
  }
  return { user, dryRun: dry.length > 0, now: new Date(), fieldManager: fm, userAgent: String(req.headers['user-agent'] ?? ''), warnings: [] };
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v))) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}

export function listOptions(q: URLSearchParams): ListOptions {
  const limit = intParam(q, 'limit');
  return {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit !== undefined && limit > 0 ? limit : undefined,
    continue: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  };
}

/** YAML as kube-apiserver writes it (sigs.k8s.io/yaml: keys sorted). */
function toYaml(v: unknown): string {
  return stringifyYaml(v, { sortMapEntries: true });
}

function warningHeaders(ctx: RequestContext): Record<string, string> {
  const h: Record<string, string> = {};
  if (ctx.warnings.length) h.Warning = ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`).join(', ');
  return h;
}

function sendWithWarnings(res: ServerResponse, code: number, body: Obj, ctx: RequestContext, yaml = false): void {
  const h = warningHeaders(ctx);
  if (yaml) sendText(res, code, toYaml(body), 'application/yaml');
  else sendJSON(res, code, body, h);
}

export function respondObject(req: IncomingMessage, res: ServerResponse, ri: ResourceInfo, obj: Obj, code: number, ctx: RequestContext, q: URLSearchParams): void {
  const out = negotiate(req);
  if (out === 'table') { sendWithWarnings(res, code, tableObject(ri, [obj], q, { resourceVersion: obj.metadata?.resourceVersion }), ctx); return; }
  if (out === 'metadata') { sendWithWarnings(res, code, partialMetadata(obj), ctx); return; }
  if (out === 'protobuf') { sendProtobuf(res, code, toExternal(ri, obj)); return; }
  const stored = out === 'object' ? storedTextOf(obj) : undefined;
  const text = stored && servedJSON(ri, stored.text, stored.rv);
  if (text) { sendJSON(res, code, text, warningHeaders(ctx)); return; }
  sendWithWarnings(res, code, toExternal(ri, obj), ctx, out === 'yaml');
}

/** A Kubernetes protobuf answer; kinds without a protobuf encoding get JSON (as a CRD would). */
function sendProtobuf(res: ServerResponse, code: number, body: Obj): void {
  if (!protobuf().hasProtobufEncoding(body.apiVersion, body.kind)) { sendJSON(res, code, body); return; }
  const buf = protobuf().encodeK8sProtobuf(body);
  res.writeHead(code, { 'Content-Type': 'application/vnd.kubernetes.protobuf', 'Content-Length': buf.length });
  res.end(buf);
}

/** DeleteOptions from the query and the body (JSON, YAML or protobuf); dryRun may come in either. */
async function readDeleteOptions(req: IncomingMessage, q: URLSearchParams, ctx: RequestContext): Promise<DeleteOptions> {
  const body = await readBody(req);
  const o: Obj = body.length > 0 ? decodeObject(body, mediaType(req)) : {};
  if (o.dryRun !== undefined) {
    if (!Array.isArray(o.dryRun) || o.dryRun.some((d: unknown) => d !== 'All')) throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(o.dryRun)}: supported values: "All"`);
    if (o.dryRun.length) ctx.dryRun = true;
  }
  const grace = intParam(q, 'gracePeriodSeconds') ?? (typeof o.gracePeriodSeconds === 'number' ? o.gracePeriodSeconds : undefined);
  const policy = q.get('propagationPolicy') ?? o.propagationPolicy;
  if (policy !== undefined && policy !== null && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  const orphan = q.get('orphanDependents') ?? o.orphanDependents;
  if (policy && orphan !== undefined && orphan !== null) {
    throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "${policy}": orphanDependents and deletionPropagation cannot be both set`);
  }
  return {
    gracePeriodSeconds: grace !== undefined && grace < 0 ? 0 : grace,
    propagationPolicy: policy ?? undefined,
    orphanDependents: orphan === undefined || orphan === null ? undefined : orphan === true || orphan === 'true',
    preconditions: o.preconditions ?? undefined,
  };
}

export async function handleResource(cluster: Cluster, req: IncomingMessage, res: ServerResponse, info: RequestInfo, q: URLSearchParams, user: UserInfo, serverSignal: AbortSignal): Promise<void> {
  const ri = findResource(info.group, info.version, info.resource);
  // only a proxy subresource takes a path after it (nodes/NAME/proxy/stats/summary)
  if (!ri || (info.parts.length > 3 && info.subresource !== 'proxy')) throw notFoundResource();
  await ensureProtobuf(req.headers.accept, req.headers['content-type']);
  if (!ri.namespaced && info.namespace && info.resource !== 'namespaces') throw notFoundResource();
  if (info.verb === 'proxy') throw notFoundResource();
  const ctx = makeContext(req, q, user);
  if (ri.virtual) { await handleVirtual(cluster, req, res, ri, info, q, ctx); return; }
  const reg = cluster.registry(ri);
  if (!reg) throw notFoundResource();
  if (info.subresource) { await handleSubresource(cluster, reg, req, res, ri, info, q, ctx); return; }

  const ns = ri.namespaced ? info.namespace : '';
  const verb = info.verb;
  const allowed = verb === 'watch' ? ri.verbs.includes('watch') || ri.verbs.includes('list') : ri.verbs.includes(verb);
  if (!allowed) throw methodNotSupported(ri.group, ri.plural, verb);

  switch (verb) {
    case 'get': {
      const obj = await reg.get(ns, info.name);
      respondObject(req, res, ri, obj, 200, ctx, q);
      return;
    }
    case 'list': {
      const r = await reg.list(ns, listOptions(q));
      const out = negotiate(req);
      if (out === 'table') sendJSON(res, 200, tableObject(ri, r.items, q, r));
      else if (out === 'metadata') sendJSON(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: r.resourceVersion, continue: r.continue, remainingItemCount: r.remainingItemCount }, items: r.items.map(partialMetadata) });
      else if (out === 'yaml') sendText(res, 200, toYaml(listObject(ri, r.items, r)), 'application/yaml');
      else if (out === 'protobuf') sendProtobuf(res, 200, listObject(ri, r.items, r));
      else sendJSON(res, 200, listObject(ri, r.items, r));
      return;
    }
    case 'watch':
      await serveWatch(reg, ri, req, res, ns, q, serverSignal);
      return;
    case 'create': {
      if (info.name) throw methodNotSupported(ri.group, ri.plural, 'create');
      if (ri.namespaced && !ns) throw notFoundResource();
      const obj = convertToStorage(ri, await decodeForWrite(req, ri, q, ctx));
      checkNamespace(obj, ns, ri);
      const created = await reg.create(ns, obj, ctx);
      respondObject(req, res, ri, created, 201, ctx, q);
      return;
    }
    case 'update': {
      if (!info.name) throw collectionMethodNotAllowed();
      const obj = convertToStorage(ri, await decodeForWrite(req, ri, q, ctx));
      checkNamespace(obj, ns, ri);
      if (obj.metadata?.name && obj.metadata.name !== info.name) {
        throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
      }
      const r = await reg.update(ns, info.name, ctx, () => obj, { allowCreate: !!reg.strategy.allowCreateOnUpdate });
      respondObject(req, res, ri, r.obj, r.created ? 201 : 200, ctx, q);
      return;
    }
    case 'patch': {
      if (!info.name) throw collectionMethodNotAllowed();
      const r = await patchResource(reg, ri, req, ns, info.name, q, ctx, '');
      respondObject(req, res, ri, r.obj, r.created ? 201 : 200, ctx, q);
      return;
    }
    case 'delete': {
      const opts = await readDeleteOptions(req, q, ctx);
      const r = await reg.delete(ns, info.name, opts, ctx);
      if (r.deleted && !(ri.group === '' && ri.plural === 'pods')) {
        sendWithWarnings(res, 200, {
          kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
          details: { name: info.name, group: ri.group || undefined, kind: ri.plural, uid: r.obj.metadata?.uid },
        }, ctx);
      } else {
        respondObject(req, res, ri, r.obj, r.deleted ? 200 : 202, ctx, q);
      }
      return;
    }
    case 'deletecollection': {
      if (ri.namespaced && !ns && !ri.verbs.includes('deletecollection')) throw notFoundResource();
      const opts = await readDeleteOptions(req, q, ctx);
      const items = await reg.deleteCollection(ns, listOptions(q), opts, ctx);
      sendWithWarnings(res, 200, listObject(ri, items, { resourceVersion: '' }), ctx);
      return;
    }
    default:
      throw methodNotSupported(ri.group, ri.plural, verb);
  }
}

/** The body's namespace must agree with the URL's (EnsureObjectNamespaceMatchesRequestNamespace). */
export function checkNamespace(obj: Obj, ns: string, ri: ResourceInfo): void {
  obj.metadata ??= {};
  const bodyNs = obj.metadata.namespace;
  if (!ri.namespaced) { delete obj.metadata.namespace; return; }
  if (bodyNs && bodyNs !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  obj.metadata.namespace = ns;
}

export { mediaType, fieldValidationParam, type Registry };
