// Resource arithmetic as the scheduler needs it: quantities become plain numbers once (CPU in
// millicores, everything else in integer units, as resource.Quantity's MilliValue/Value), and
// a pod's effective requests follow k8s.io/component-helpers' PodRequests:
//   sum(containers) + sum(restartable init containers), at least max over init containers of
//   (that init container + the restartable init containers started before it), plus overhead.
// Numbers are doubles: exact up to 2^53 bytes (8 PiB), far beyond any node.

import type { Obj } from '../api/types.js';
import { tryParseQuantity } from '../api/quantity.js';

/** Requests the scheduler assumes for containers that set none (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

// Quantity texts repeat endlessly ("100m", "1Gi"): parse each once. Bounded so hostile input
// cannot grow it without limit.
const milliCache = new Map<string, number>();
const valueCache = new Map<string, number>();
const CACHE_MAX = 50_000;

function cached(cache: Map<string, number>, q: unknown, milli: boolean): number {
  const key = typeof q === 'string' ? q : typeof q === 'number' ? String(q) : '';
  let v = cache.get(key);
  if (v !== undefined) return v;
  const parsed = tryParseQuantity(q);
  v = parsed ? (milli ? parsed.milliValue() : parsed.value()) : 0;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(key, v);
  return v;
}

/** MilliValue of a quantity (0 when unparsable; validation rejects those before us). */
export function milliValue(q: unknown): number {
  return cached(milliCache, q, true);
}

/** Value (rounded up) of a quantity. */
export function intValue(q: unknown): number {
  return cached(valueCache, q, false);
}

/** v1helper.IsNativeResource: no domain, or a kubernetes.io domain. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** v1helper.IsExtendedResourceName: a domain-qualified name outside kubernetes.io, not a quota "requests." name. */
export function isExtendedResourceName(name: string): boolean {
  return !isNativeResource(name) && !name.startsWith('requests.');
}

/** schedutil.IsScalarResourceName: extended resources, hugepages, attachable volumes. */
export function isScalarResourceName(name: string): boolean {
  return isExtendedResourceName(name) || name.startsWith('hugepages-') || name.startsWith('attachable-volumes-');
}

/** A set of compute resources (framework.Resource). */
export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  /** Extended resources, hugepages, ...; null until one is set (most pods have none). */
  scalar: Map<string, number> | null = null;

  /** Adds a ResourceList (name → quantity) as upstream's Resource.Add. */
  addList(list: Obj | undefined | null): this {
    if (!list) return this;
    for (const name in list) {
      const q = list[name];
      switch (name) {
        case 'cpu': this.milliCPU += milliValue(q); break;
        case 'memory': this.memory += intValue(q); break;
        case 'ephemeral-storage': this.ephemeralStorage += intValue(q); break;
        case 'pods': this.allowedPodNumber += intValue(q); break;
        default: if (isScalarResourceName(name)) this.addScalar(name, intValue(q));
      }
    }
    return this;
  }

  addScalar(name: string, v: number): void {
    if (!this.scalar) this.scalar = new Map();
    this.scalar.set(name, (this.scalar.get(name) ?? 0) + v);
  }

  getScalar(name: string): number {
    return this.scalar?.get(name) ?? 0;
  }

  add(o: Resource, sign = 1): void {
    this.milliCPU += sign * o.milliCPU;
    this.memory += sign * o.memory;
    this.ephemeralStorage += sign * o.ephemeralStorage;
    this.allowedPodNumber += sign * o.allowedPodNumber;
    if (o.scalar) for (const [k, v] of o.scalar) this.addScalar(k, sign * v);
  }

  /** Each resource becomes max(this, o). */
  max(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    if (o.scalar) for (const [k, v] of o.scalar) {
      if (!this.scalar) this.scalar = new Map();
      this.scalar.set(k, Math.max(this.scalar.get(k) ?? 0, v));
    }
  }

  clone(): Resource {
    const r = new Resource();
    r.milliCPU = this.milliCPU;
    r.memory = this.memory;
    r.ephemeralStorage = this.ephemeralStorage;
    r.allowedPodNumber = this.allowedPodNumber;
    if (this.scalar) r.scalar = new Map(this.scalar);
    return r;
  }

  isZero(): boolean {
    if (this.milliCPU !== 0 || this.memory !== 0 || this.ephemeralStorage !== 0) return false;
    if (this.scalar) for (const v of this.scalar.values()) if (v !== 0) return false;
    return true;
  }
}

/**
 * A container's requests after API defaulting: a resource with a limit but no request
 * requests its limit (so an apiserver that did not default yet gives the same answer).
 */
function containerRequests(c: Obj, nonMissing: boolean): Resource {
  const res = c?.resources ?? {};
  const reqs: Obj | undefined = res.requests;
  const limits: Obj | undefined = res.limits;
  const r = new Resource();
  r.addList(limits && reqs ? { ...limits, ...reqs } : reqs ?? limits);
  if (nonMissing) {
    const has = (k: string): boolean => (reqs != null && k in reqs) || (limits != null && k in limits);
    if (!has('cpu')) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (!has('memory')) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * resourcehelper.PodRequests. nonMissing substitutes DEFAULT_* for containers without a
 * CPU/memory request (what NodeInfo.NonZeroRequested and LeastAllocated scoring use).
 */
export function podRequests(pod: Obj, nonMissing = false): Resource {
  const spec = pod?.spec ?? {};
  const reqs = new Resource();
  for (const c of spec.containers ?? []) reqs.add(containerRequests(c, nonMissing));
  const restartable = new Resource();
  const initMax = new Resource();
  for (const c of spec.initContainers ?? []) {
    const cr = containerRequests(c, nonMissing);
    if (c.restartPolicy === 'Always') {
      // Sidecars run for the pod's lifetime: they add to the sum and to every later init step.
      reqs.add(cr);
      restartable.add(cr);
      initMax.max(restartable);
    } else {
      cr.add(restartable);
      initMax.max(cr);
    }
  }
  reqs.max(initMax);
  if (spec.overhead) reqs.addList(spec.overhead);
  return reqs;
}
