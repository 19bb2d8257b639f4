// The registry's calls into src/api (defaulting, validation, selectors) and the apply
// machinery (managedFields), gathered in one place so the generic store reads simply.
import type { ApiError, FieldError } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import { applyDefaults as defaults } from '../../api/defaults/index.js';
import {
  validateCreate as vCreate, validateUpdate as vUpdate, validateStatusUpdate as vStatus,
  validateEphemeralContainersUpdate, validateNamespaceFinalize, validateCertificateApprovalUpdate,
} from '../../api/validation/index.js';
import { parseLabelSelector, fieldSelectorFor } from '../../api/selectors/index.js';
import { createManagedFields, updateManagedFields } from '../patch/index.js';
import { schemaNodeFor } from '../../api/openapi/schema.js';
import { dropEmptyOptional } from '../../api/openapi/omitempty.js';
import { statusObject } from '../status.js';
import type { RequestContext } from './strategy.js';

export function applyDefaults(ri: ResourceInfo, obj: Obj): void {
  defaults(ri.group, ri.version, ri.kind, obj);
}

/** What a Go round trip does to JSON: empty optional lists and maps disappear. */
export function normalize(ri: ResourceInfo, obj: Obj): void {
  dropEmptyOptional(ri.group, ri.version, ri.kind, obj);
}

export function validateCreate(ri: ResourceInfo, obj: Obj): FieldError[] {
  return vCreate(ri.group, ri.version, ri.kind, obj);
}

export function validateUpdate(ri: ResourceInfo, obj: Obj, old: Obj): FieldError[] {
  return vUpdate(ri.group, ri.version, ri.kind, obj, old);
}

/** Validation of a subresource write: status, ephemeralcontainers, finalize, approval have their own rules. */
export function validateSubresourceUpdate(ri: ResourceInfo, subresource: string, obj: Obj, old: Obj): FieldError[] {
  if (subresource === 'status') return vStatus(ri.group, ri.version, ri.kind, obj, old);
  if (subresource === 'ephemeralcontainers') return validateEphemeralContainersUpdate(obj, old);
  if (subresource === 'finalize') return validateNamespaceFinalize(obj, old);
  if (subresource === 'approval') return validateCertificateApprovalUpdate(obj, old);
  return [];
}

/** A predicate for label and field selectors, or undefined when neither is given. */
export function makeMatcher(ri: ResourceInfo, labelSelector?: string, fieldSelector?: string): ((o: Obj) => boolean) | undefined {
  const ls = labelSelector ? parseLabelSelector(labelSelector) : undefined;
  const fs = fieldSelector ? fieldSelectorFor(ri, fieldSelector) : undefined;
  if (!ls && !fs) return undefined;
  return (o: Obj) => (!ls || ls.matches(o.metadata?.labels ?? {})) && (!fs || fs(o));
}

function apiVersion(ri: ResourceInfo): string {
  return ri.group ? `${ri.group}/${ri.version}` : ri.version;
}

function manager(ctx: RequestContext): string {
  return ctx.fieldManager || managerFromUserAgent(ctx.userAgent);
}

/** fieldManager default: the user agent up to the first "/" (kube-apiserver's rule). */
export function managerFromUserAgent(ua: string | undefined): string {
  const s = (ua ?? '').split('/')[0];
  return s.length > 128 ? s.slice(0, 128) : s || 'unknown';
}

/**
 * Fields a write to this (sub)resource may not own: a main-resource write never owns
 * status when status is its own subresource, and a status write never owns spec.
 */
export function resetFieldsFor(statusSubresource: boolean, subresource?: string): string[][] {
  if (subresource === 'status') return [['spec']];
  return statusSubresource ? [['status']] : [];
}

/** managedFields for an object created through an Update-style write. */
export function trackCreate(ri: ResourceInfo, obj: Obj, ctx: RequestContext, statusSubresource = false): void {
  if (ctx.managedFieldsDone) return; // server-side apply computed them already
  obj.metadata.managedFields = createManagedFields(obj, manager(ctx), apiVersion(ri), ctx.now,
    schemaNodeFor(ri.group, ri.version, ri.kind), resetFieldsFor(statusSubresource));
}

export function trackUpdate(ri: ResourceInfo, obj: Obj, old: Obj, ctx: RequestContext, subresource?: string, statusSubresource = false): void {
  if (ctx.managedFieldsDone) return;
  const sub = subresource === 'status' ? 'status' : undefined;
  obj.metadata.managedFields = updateManagedFields(old, obj, manager(ctx), 'Update', apiVersion(ri), ctx.now,
    { schema: schemaNodeFor(ri.group, ri.version, ri.kind), subresource: sub, resetFields: resetFieldsFor(statusSubresource, sub) });
}

export function errorStatus(e: unknown): Obj {
  return statusObject(e as ApiError);
}
