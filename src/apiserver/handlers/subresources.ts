// Subresources: status, scale, namespaces' finalize, pods' binding/eviction/
// ephemeralcontainers, certificatesigningrequests' approval, the pods' streams (log,
// exec, attach, portforward), which the kubelet of the pod's node serves (streaming/), and
// nodes' proxy to the kubelet (GET only).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, conflict, methodNotSupported } from '../../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { nowRFC3339 } from '../../api/types.js';
import type { Cluster } from '../cluster.js';
import { decodeObject, mediaType, readBody, sendJSON } from '../http.js';
import type { RequestInfo } from '../requestinfo.js';
import type { Registry } from '../registry/generic.js';
import type { RequestContext } from '../registry/strategy.js';
import { finalizeNamespace } from '../registry/strategies/namespaces.js';
import { applyFieldValidation, checkTypeMeta, decodeForWrite } from './decode.js';
import { patchResource, patchPlain } from './patch.js';
import { notFoundResource, respondObject } from './resource.js';
import { createTokenRequest } from './token.js';
import { serveLog } from './logs.js';
import { serveConnect } from '../streaming/connect.js';
import { kubeletClientOf } from '../streaming/kubelet.js';
import { serveNodeProxy } from '../streaming/nodeproxy.js';

const SCALABLE = new Set(['deployments', 'replicasets', 'statefulsets', 'replicationcontrollers']);

export async function handleSubresource(cluster: Cluster, reg: Registry, req: IncomingMessage, res: ServerResponse, ri: ResourceInfo, info: RequestInfo, q: URLSearchParams, ctx: RequestContext): Promise<void> {
  const sub = (ri.subresources ?? []).find((s) => s.name === info.subresource);
  if (!sub) throw notFoundResource();
  const verb = info.verb;
  if (!sub.verbs.includes(verb)) throw methodNotSupported(ri.group, `${ri.plural}/${sub.name}`, verb);
  const ns = ri.namespaced ? info.namespace : '';
  const name = info.name;

  switch (sub.name) {
    case 'status':
    case 'ephemeralcontainers':
    case 'resize':
    case 'approval': {
      const s = sub.name === 'status' ? 'status' : sub.name;
      if (verb === 'get') { respondObject(req, res, ri, await reg.get(ns, name), 200, ctx, q); return; }
      if (verb === 'update') {
        const obj = await decodeForWrite(req, ri, q, ctx);
        const r = await reg.update(ns, name, ctx, (cur) => limitTo(s, obj, cur!), { subresource: s });
        respondObject(req, res, ri, r.obj, 200, ctx, q);
        return;
      }
      const r = await patchResource(reg, ri, req, ns, name, q, ctx, s, (desired, cur) => limitTo(s, desired, cur));
      respondObject(req, res, ri, r.obj, 200, ctx, q);
      return;
    }
    case 'scale': {
      if (!SCALABLE.has(ri.plural)) throw notFoundResource();
      if (verb === 'get') { sendJSON(res, 200, toScale(ri, await reg.get(ns, name))); return; }
      let scale: Obj | undefined;
      if (verb === 'update') {
        scale = decodeObject(await readBody(req), mediaType(req));
        if (!Number.isInteger(scale.spec?.replicas) || scale.spec.replicas < 0) {
          throw new ApiError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(scale.spec?.replicas ?? null)}: must be greater than or equal to 0`);
        }
      }
      const body = verb === 'patch' ? await readBody(req) : undefined;
      const r = await reg.update(ns, name, ctx, async (cur) => {
        const current = toScale(ri, cur!);
        const desired = scale ?? await patchPlain(mediaType(req), current, body!);
        const rv = desired.metadata?.resourceVersion;
        if (rv && rv !== cur!.metadata.resourceVersion) throw conflict(ri.group, ri.plural, name);
        const replicas = desired.spec?.replicas;
        if (!Number.isInteger(replicas) || replicas < 0) {
          throw new ApiError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`);
        }
        const next: Obj = { ...cur!, spec: { ...cur!.spec, replicas } };
        next.metadata = { ...cur!.metadata };
        delete next.metadata.resourceVersion;
        return next;
      });
      sendJSON(res, 200, toScale(ri, r.obj));
      return;
    }
    case 'finalize': {
      const obj = decodeObject(await readBody(req), mediaType(req));
      checkTypeMeta(obj, ri);
      const r = await reg.update(ns, name, ctx, (cur) => {
        const rv = obj.metadata?.resourceVersion;
        if (rv && rv !== cur!.metadata.resourceVersion) throw conflict(ri.group, ri.plural, name);
        return finalizeNamespace(obj, cur!);
      }, { subresource: 'finalize' });
      respondObject(req, res, ri, r.obj, 200, ctx, q);
      return;
    }
    case 'binding': {
      const binding = decodeObject(await readBody(req), mediaType(req));
      await bindPod(reg, ns, name, binding, ctx);
      sendJSON(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      return;
    }
    case 'eviction': {
      const ev = decodeObject(await readBody(req), mediaType(req));
      applyFieldValidation(ev, { ...ri, group: 'policy', version: 'v1', kind: 'Eviction' }, q, ctx);
      await cluster.evict(ns, name, ev, ctx);
      sendJSON(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      return;
    }
    case 'log': {
      await serveLog(cluster, res, await reg.get(ns, name), q);
      return;
    }
    case 'exec':
    case 'attach':
    case 'portforward': {
      if (ri.plural !== 'pods') throw notFoundResource();
      const pod = await reg.get(ns, name);
      const deps = { kubelet: kubeletClientOf(cluster), getNode: (n: string) => cluster.registryByName('', 'nodes').get('', n) };
      await serveConnect(deps, req, res, sub.name, pod, q);
      return;
    }
    case 'proxy': {
      if (ri.plural !== 'nodes') throw notFoundResource();
      const raw = req.url ?? '';
      const query = raw.includes('?') ? raw.slice(raw.indexOf('?') + 1) : '';
      await serveNodeProxy(kubeletClientOf(cluster), req, res, await reg.get('', name), info.parts.slice(3), query);
      return;
    }
    case 'token': {
      const tr = decodeObject(await readBody(req), mediaType(req));
      const sa = await reg.get(ns, name);
      sendJSON(res, 201, await createTokenRequest(cluster, sa, tr, ctx));
      return;
    }
    default:
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource ( ${verb} ${ri.plural} ${name}/${sub.name})`);
  }
}

/** Writes to a subresource change only that part of the object. */
function limitTo(sub: string, desired: Obj, cur: Obj): Obj {
  if (sub === 'status') return desired; // the registry's status path keeps spec and metadata
  const next: Obj = JSON.parse(JSON.stringify(cur));
  if (desired.metadata?.resourceVersion) next.metadata.resourceVersion = desired.metadata.resourceVersion; else delete next.metadata.resourceVersion;
  if (sub === 'ephemeralcontainers') next.spec.ephemeralContainers = desired.spec?.ephemeralContainers ?? [];
  else if (sub === 'resize') for (const [i, c] of (next.spec.containers ?? []).entries()) c.resources = desired.spec?.containers?.[i]?.resources ?? c.resources;
  else if (sub === 'approval') next.status = { ...(next.status ?? {}), conditions: desired.status?.conditions ?? [] };
  return next;
}

export function toScale(ri: ResourceInfo, obj: Obj): Obj {
  const m = obj.metadata;
  const sel = obj.spec?.selector;
  let selector = '';
  if (ri.plural === 'replicationcontrollers') selector = Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  else if (sel) selector = selectorString(sel);
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj.spec?.replicas ?? 0 },
    status: { replicas: obj.status?.replicas ?? 0, selector },
  };
}

function selectorString(sel: Obj): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const vals = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.sort().join(',');
}

/** pods/binding: assign a node once (kube-apiserver's BindingREST). */
export async function bindPod(reg: Registry, ns: string, name: string, binding: Obj, ctx: RequestContext): Promise<void> {
  const target = binding.target ?? {};
  if (!target.name) throw new ApiError(422, 'Invalid', `Binding "${binding.metadata?.name ?? name}" is invalid: target.name: Required value`);
  if (target.kind && target.kind !== 'Node') throw new ApiError(422, 'Invalid', `Binding "${name}" is invalid: target.kind: Invalid value: "${target.kind}": must be empty or 'Node'`);
  await reg.update(ns, name, ctx, (cur) => {
    const pod = cur!;
    if (binding.metadata?.uid && binding.metadata.uid !== pod.metadata.uid) throw conflict('', 'pods', name, `Precondition failed: UID in precondition: ${binding.metadata.uid}, UID in object meta: ${pod.metadata.uid}`);
    if (pod.metadata.deletionTimestamp) throw conflict('', 'pods', name, `pod ${name} is being deleted, cannot be assigned to a host`);
    if (pod.spec?.nodeName) throw conflict('', 'pods', name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    pod.spec.nodeName = target.name;
    const conds: Obj[] = (pod.status?.conditions ?? []).filter((c: Obj) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRFC3339(ctx.now) });
    pod.status = { ...(pod.status ?? {}), conditions: conds };
    if (binding.metadata?.annotations) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...binding.metadata.annotations };
    return pod;
  }, { subresource: 'binding' });
}

export { apiVersionOf, badRequest };
