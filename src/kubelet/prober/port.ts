// Probe ports (probe.ResolveContainerPort): a number, or the name of one of the container's
// ports, or — as a last resort — a number written as a string.

import type { Obj } from '../../api/types.js';

export function resolveContainerPort(port: unknown, container: Obj): number {
  let n: number;
  if (typeof port === 'number') {
    n = port;
  } else if (typeof port === 'string') {
    const named = (container.ports ?? []).find((p: Obj) => p.name === port);
    if (named) n = Number(named.containerPort);
    else if (/^[+-]?\d+$/.test(port)) n = Number(port);
    else throw new Error(`strconv.Atoi: parsing ${JSON.stringify(port)}: invalid syntax`);
  } else {
    throw new Error(`intOrString had no kind: ${JSON.stringify(port)}`);
  }
  if (Number.isInteger(n) && n > 0 && n < 65536) return n;
  throw new Error(`invalid port number: ${n}`);
}
