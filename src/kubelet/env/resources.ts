// resourceFieldRef values (env and downwardAPI volumes), as the kubelet computes them:
// limits a container does not set fall back to the node's allocatable (so a process can
// size itself to what it may actually use); the value is divided by the divisor (default
// 1) and rounded up.

import { Quantity, tryParseQuantity } from '../../api/quantity.js';
import type { Obj } from '../../api/types.js';
import type { PodRuntimeInfo } from './types.js';

const DEFAULTED = ['cpu', 'memory', 'ephemeral-storage'];

/** The container of that name among containers, then init containers (then ephemeral ones). */
export function findContainer(pod: Obj, name: string): Obj {
  for (const list of [pod.spec?.containers, pod.spec?.initContainers, pod.spec?.ephemeralContainers]) {
    const c = (list as Obj[] | undefined)?.find((x) => x.name === name);
    if (c) return c;
  }
  throw new Error(`container ${name} not found`);
}

/** The container's limits with cpu/memory/ephemeral-storage defaulted to node allocatable. */
export function limitsWithAllocatable(container: Obj, allocatable: Record<string, string>): Record<string, string> {
  const limits: Record<string, string> = { ...(container.resources?.limits ?? {}) };
  for (const r of DEFAULTED) {
    const q = tryParseQuantity(limits[r]);
    if ((!q || q.isZero()) && allocatable[r] !== undefined) limits[r] = allocatable[r];
  }
  return limits;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return q * b === a || (a < 0n) !== (b < 0n) ? q : q + 1n;
}

function qty(v: string | undefined): Quantity {
  return tryParseQuantity(v) ?? Quantity.fromInt(0);
}

/** resource.ExtractContainerResourceValue over explicit requests/limits. */
export function containerResourceValue(resource: string, divisorText: string | undefined, requests: Record<string, string>, limits: Record<string, string>): string {
  let divisor = tryParseQuantity(divisorText);
  if (!divisor || divisor.isZero()) divisor = Quantity.fromInt(1);
  const cpu = (q: Quantity): string => ceilDiv(q.scaledValue(-3), divisor!.scaledValue(-3)).toString();
  const bytes = (q: Quantity): string => ceilDiv(q.valueBig(), divisor!.valueBig()).toString();
  switch (resource) {
    case 'limits.cpu': return cpu(qty(limits.cpu));
    case 'limits.memory': return bytes(qty(limits.memory));
    case 'limits.ephemeral-storage': return bytes(qty(limits['ephemeral-storage']));
    case 'requests.cpu': return cpu(qty(requests.cpu));
    case 'requests.memory': return bytes(qty(requests.memory));
    case 'requests.ephemeral-storage': return bytes(qty(requests['ephemeral-storage']));
  }
  const m = /^(requests|limits)\.(hugepages-.+)$/.exec(resource);
  if (m) return bytes(qty((m[1] === 'requests' ? requests : limits)[m[2]]));
  throw new Error(`unsupported container resource : ${resource}`);
}

/**
 * The value of a resourceFieldRef: for `ref.containerName` if set, else for `containerName`
 * (the container whose env is being built), with unset limits defaulted to node allocatable.
 */
export function resourceFieldValue(pod: Obj, containerName: string, ref: Obj, info: PodRuntimeInfo): string {
  const container = findContainer(pod, ref.containerName || containerName);
  const limits = limitsWithAllocatable(container, info.nodeAllocatable ?? {});
  return containerResourceValue(String(ref.resource ?? ''), ref.divisor === undefined ? undefined : String(ref.divisor), container.resources?.requests ?? {}, limits);
}
