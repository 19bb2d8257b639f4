// Resource names and quantities (ResourceRequirements, quota and limit range names), as
// core validation and pkg/apis/core/helper classify them.

import { fe, type FieldError } from '../../errors.js';
import { QUANTITY_FORMAT_ERROR, Quantity, tryParseQuantity } from '../../quantity.js';
import { isQualifiedName } from '../names.js';
import { IS_NEGATIVE } from '../meta.js';
import { arr, child, index, isObj, key, obj, str } from '../util.js';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers',
  'resourcequotas', 'secrets', 'persistentvolumeclaims', 'configmaps', 'storage', 'requests.storage',
  'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_QUOTA_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers', 'requests.cpu', 'requests.memory', 'requests.storage',
  'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'cpu', 'memory',
  'storage', 'ephemeral-storage',
]);
const INTEGER_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

/** Native: unprefixed, or under kubernetes.io/. */
export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

function isStandardResourceName(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || isHugePageResourceName(name) || name.startsWith('requests.hugepages-');
}

export function isStandardQuotaResourceName(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || name.startsWith('requests.hugepages-') || name.startsWith('count/');
}

function isIntegerResourceName(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);
}

export function validateResourceName(name: string, path: string): FieldError[] {
  const errs = isQualifiedName(name).map((m) => fe.invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) errs.push(fe.invalid(path, name, 'must be a standard resource type or fully qualified'));
  return errs;
}

export function validateContainerResourceName(name: string, path: string): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResourceName(name)) {
      errs.push(fe.invalid(path, name, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(fe.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateQuotaResourceName(name: string, path: string): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/') && !isStandardQuotaResourceName(name)) errs.push(fe.invalid(path, name, 'must be a standard resource for quota'));
  return errs;
}

/** Parse a quantity field; an unparseable one yields an error (upstream never decodes it). */
export function quantityAt(value: unknown, path: string, errs: FieldError[]): Quantity | undefined {
  const q = tryParseQuantity(value);
  if (!q) errs.push(fe.invalid(path, value, QUANTITY_FORMAT_ERROR));
  return q;
}

/** ValidateResourceQuantityValue: not negative; integral for integer resources. */
export function validateResourceQuantityValue(name: string, value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const q = quantityAt(value, path, errs);
  if (!q) return errs;
  if (q.sign() < 0) errs.push(fe.invalid(path, q.toString(), IS_NEGATIVE));
  if (isIntegerResourceName(name) && q.scaledValue(-3) % 1000n !== 0n) errs.push(fe.invalid(path, q.toString(), 'must be an integer'));
  return errs;
}

export function validatePositiveQuantity(value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const q = quantityAt(value, path, errs);
  if (q && q.sign() <= 0) errs.push(fe.invalid(path, q.toString(), 'must be greater than zero'));
  return errs;
}

export function validateNonnegativeQuantity(value: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const q = quantityAt(value, path, errs);
  if (q && q.sign() < 0) errs.push(fe.invalid(path, q.toString(), IS_NEGATIVE));
  return errs;
}

const HUGEPAGE_SIZES: Record<string, bigint> = {};

function hugePageSize(name: string): bigint | undefined {
  if (name in HUGEPAGE_SIZES) return HUGEPAGE_SIZES[name];
  const q = tryParseQuantity(name.slice('hugepages-'.length));
  if (!q || q.sign() <= 0) return undefined;
  return (HUGEPAGE_SIZES[name] = q.valueBig());
}

/**
 * Container (and pod overhead) ResourceRequirements: names, quantities, requests <= limits,
 * and the rules for resources that may not be overcommitted.
 */
export function validateResourceRequirements(req: unknown, podClaimNames: Set<string>, path: string, nameFn = validateContainerResourceName): FieldError[] {
  const errs: FieldError[] = [];
  const r = obj(req);
  const limits = obj(r.limits);
  const requests = obj(r.requests);
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  let limCPUMem = false;
  let reqCPUMem = false;
  let limHuge = false;
  let reqHuge = false;
  for (const [name, value] of Object.entries(limits)) {
    const p = key(limPath, name);
    errs.push(...nameFn(name, p));
    errs.push(...validateResourceQuantityValue(name, value, p));
    if (isHugePageResourceName(name)) {
      limHuge = true;
      errs.push(...validateHugePageValue(name, value, p));
    }
    if (name === 'cpu' || name === 'memory') limCPUMem = true;
  }
  for (const [name, value] of Object.entries(requests)) {
    const p = key(reqPath, name);
    errs.push(...nameFn(name, p));
    errs.push(...validateResourceQuantityValue(name, value, p));
    const q = tryParseQuantity(value);
    if (name in limits) {
      const lim = tryParseQuantity(limits[name]);
      if (q && lim) {
        if (q.cmp(lim) !== 0 && !isOvercommitAllowed(name)) {
          errs.push(fe.invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
        } else if (q.cmp(lim) > 0) {
          errs.push(fe.invalid(reqPath, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
        }
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(fe.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePageResourceName(name)) {
      reqHuge = true;
      errs.push(...validateHugePageValue(name, value, p));
    }
    if (name === 'cpu' || name === 'memory') reqCPUMem = true;
  }
  if (!limCPUMem && !reqCPUMem && (reqHuge || limHuge)) errs.push(fe.forbidden(path, 'HugePages require cpu or memory'));
  errs.push(...validateResourceClaimNames(r.claims, podClaimNames, child(path, 'claims')));
  return errs;
}

function validateHugePageValue(name: string, value: unknown, path: string): FieldError[] {
  const q = tryParseQuantity(value);
  const size = hugePageSize(name);
  if (!q || size === undefined) return [];
  const v = q.valueBig();
  if (v <= 0n || v % size !== 0n) return [fe.invalid(path, q.toString(), `${q.toString()} is not positive integer multiple of ${name}`)];
  return [];
}

function validateResourceClaimNames(claims: unknown, podClaimNames: Set<string>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  arr(claims).forEach((c, i) => {
    const name = str(isObj(c) ? c.name : undefined);
    if (!name) {
      errs.push(fe.required(index(path, i)));
      return;
    }
    const request = str(c.request);
    const k = request ? `${name}/${request}` : name;
    if (names.has(name) || names.has(k)) errs.push(fe.duplicate(index(path, i), name));
    names.add(k);
    if (!podClaimNames.has(name)) {
      const e = fe.notFound(index(path, i), name);
      e.detail = podClaimNames.size === 0
        ? 'must be one of the names in pod.spec.resourceClaims which is empty'
        : `must be one of the names in pod.spec.resourceClaims: ${[...podClaimNames].sort().join(', ')}`;
      errs.push(e);
    }
  });
  return errs;
}
