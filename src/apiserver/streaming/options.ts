// Connect options of pods/exec, pods/attach and pods/portforward, decoded from the query as
// kube-apiserver's parameter codec does, and the kubelet URL they become (streamLocation and
// streamParams in pkg/registry/core/pod/strategy.go).
import { badRequest } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';

/**
 * A boolean query parameter as url.Values converts it: absent, "false" or "0" is false and
 * anything else (even an empty value) is true.
 */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== 'false' && v !== '0';
}

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

export interface ExecOptions extends StreamOptions {
  container: string;
  command: string[];
}

/**
 * PodExecOptions / PodAttachOptions. The v1 defaulter sets stdout and stderr after the query
 * is decoded, so both are always on, whatever the client asked (kube-apiserver does the same).
 */
export function execOptions(q: URLSearchParams, withCommand: boolean): ExecOptions {
  return {
    container: q.get('container') ?? '',
    command: withCommand ? q.getAll('command') : [],
    stdin: boolParam(q, 'stdin'),
    stdout: true,
    stderr: true,
    tty: boolParam(q, 'tty'),
  };
}

/** PodPortForwardOptions.ports: int32 values (kubectl sends the ports in stream headers instead). */
export function portForwardPorts(q: URLSearchParams): number[] {
  return q.getAll('ports').map((p) => {
    if (!/^[+-]?\d+$/.test(p) || Math.abs(Number(p)) > 2 ** 31) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(p)}: invalid syntax`);
    return Number(p);
  });
}

/** The kubelet's query for exec/attach: the command words, then error/input/output/tty as "1". */
export function kubeletStreamQuery(o: ExecOptions): string {
  // url.Values.Encode sorts by key
  const p = new URLSearchParams();
  for (const c of o.command) p.append('command', c);
  if (o.stderr) p.append('error', '1');
  if (o.stdin) p.append('input', '1');
  if (o.stdout) p.append('output', '1');
  if (o.tty) p.append('tty', '1');
  return p.toString();
}

export function kubeletPortForwardQuery(ports: number[]): string {
  return ports.length ? `port=${ports.join(',')}` : '';
}

const names = (cs: Obj[] | undefined): string[] => (cs ?? []).map((c: Obj) => c.name);

/** The container a stream addresses: the named one (which must exist) or the pod's only one. */
export function resolveContainer(pod: Obj, container: string): string {
  const name = pod.metadata.name;
  const containers = names(pod.spec?.containers);
  if (!container) {
    if (containers.length === 1) return containers[0];
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    const inits = names(pod.spec?.initContainers);
    const initPart = inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : '';
    throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]${initPart}`);
  }
  const all = [...containers, ...names(pod.spec?.initContainers), ...names(pod.spec?.ephemeralContainers)];
  if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}
