// PATCH: JSON patch, merge patch, strategic merge patch and server-side apply, applied to
// the current object inside the registry's compare-and-swap loop.
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest, notFound } from '../../api/errors.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { convertToStorage } from '../../api/conversion.js';
import { schemaNodeFor } from '../../api/openapi/schema.js';
import { apply, applyPatch, decodeApplyBody, validatePatchOptions, type PatchType } from '../patch/index.js';
import { mediaType, readBody } from '../http.js';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../yamlguard.js';
import type { Registry } from '../registry/generic.js';
import type { RequestContext } from '../registry/strategy.js';
import { managerFromUserAgent, resetFieldsFor } from '../registry/hooks.js';
import { applyFieldValidation, checkTypeMeta } from './decode.js';
import { toExternal } from './output.js';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

function patchTypeOf(ct: string): PatchType {
  const t = PATCH_TYPES[ct];
  if (!t) {
    throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
  return t;
}

/** Patch a free-standing object (the Scale subresource). */
export async function patchPlain(ct: string, current: Obj, body: Buffer): Promise<Obj> {
  const t = patchTypeOf(ct);
  if (t === 'apply') throw new ApiError(415, 'UnsupportedMediaType', 'apply patches are not supported on this subresource');
  return applyPatch(t === 'strategic' ? 'merge' : t, current, body, {});
}

export async function patchResource(
  reg: Registry, ri: ResourceInfo, req: IncomingMessage, ns: string, name: string, q: URLSearchParams,
  ctx: RequestContext, subresource: string, limit?: (desired: Obj, current: Obj) => Obj,
): Promise<{ obj: Obj; created: boolean }> {
  const type = patchTypeOf(mediaType(req));
  const body = await readBody(req);
  if (body.length === 0) throw badRequest('the body of the request was empty');
  // YAML apply bodies have their own guard in the decoder; every other patch is JSON
  if (type !== 'apply' && jsonTooDeep(body.toString('utf8'))) throw badRequest(`error decoding patch: exceeded max depth of ${MAX_JSON_DEPTH}`);
  const force = q.get('force');
  validatePatchOptions(type, { fieldManager: ctx.fieldManager, force: force ?? undefined });
  const schema = schemaNodeFor(ri.group, ri.version, ri.kind);

  return reg.update(ns, name, ctx, (cur) => {
    if (!cur && type !== 'apply') throw notFound(ri.group, ri.plural, name);
    let desired: Obj;
    if (type === 'apply') {
      const live = cur ? toExternal(ri, cur) : undefined;
      const applied = decodeApplyBody(body);
      checkTypeMeta(applied, ri); // a shape the kind cannot have is refused before merging
      desired = apply(live, applied, ctx.fieldManager ?? managerFromUserAgent(ctx.userAgent), {
        force: force === 'true', schema, apiVersion: apiVersionOf(ri.group, ri.version), kind: ri.kind,
        now: ctx.now, subresource: subresource || undefined,
        resetFields: resetFieldsFor(!!reg.strategy.statusSubresource, subresource || undefined), builtin: true,
      }).result;
      ctx.managedFieldsDone = true;
    } else {
      desired = applyPatch(type, toExternal(ri, cur!), body, { schema });
    }
    if (desired === null || typeof desired !== 'object' || Array.isArray(desired)) throw badRequest('the patched object is not an object');
    checkTypeMeta(desired, ri);
    desired.metadata ??= {};
    if (desired.metadata.name !== undefined && desired.metadata.name !== name) {
      throw badRequest(`the name of the object (${desired.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (ri.namespaced && desired.metadata.namespace && desired.metadata.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    applyFieldValidation(desired, ri, q, ctx);
    desired = convertToStorage(ri, desired);
    return limit && cur ? limit(desired, cur) : desired;
  }, { subresource: subresource || undefined, allowCreate: type === 'apply' });
}
