// Service link variables (Docker-links compatible), as the kubelet's envvars.FromServices
// writes them: FOO_SERVICE_HOST, FOO_SERVICE_PORT(_NAME), FOO_PORT, FOO_PORT_80_TCP(_PROTO|
// _PORT|_ADDR). A pod sees the services of its namespace when enableServiceLinks is not
// false, and always the `kubernetes` service of the master namespace.

import type { Obj } from '../../api/types.js';
import type { EnvSources, EnvVar } from './types.js';

function isServiceIPSet(svc: Obj): boolean {
  const ip = svc.spec?.clusterIP;
  return !!ip && ip !== 'None';
}

function envName(s: string): string {
  return s.replace(/-/g, '_').toUpperCase();
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The variables for a set of services (each with a cluster IP and at least one port). */
export function fromServices(services: Obj[]): EnvVar[] {
  const out: EnvVar[] = [];
  for (const svc of services) {
    const ports: Obj[] = svc.spec?.ports ?? [];
    if (!isServiceIPSet(svc) || ports.length === 0) continue;
    const ip: string = svc.spec.clusterIP;
    const prefix = envName(svc.metadata.name);
    out.push({ name: `${prefix}_SERVICE_HOST`, value: ip });
    out.push({ name: `${prefix}_SERVICE_PORT`, value: String(ports[0].port) });
    for (const p of ports) {
      if (p.name) out.push({ name: `${prefix}_SERVICE_PORT_${envName(p.name)}`, value: String(p.port) });
    }
    ports.forEach((p, i) => {
      const proto = String(p.protocol || 'TCP');
      const url = `${proto.toLowerCase()}://${joinHostPort(ip, p.port)}`;
      if (i === 0) out.push({ name: `${prefix}_PORT`, value: url });
      const pp = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      out.push({ name: pp, value: url });
      out.push({ name: `${pp}_PROTO`, value: proto.toLowerCase() });
      out.push({ name: `${pp}_PORT`, value: String(p.port) });
      out.push({ name: `${pp}_ADDR`, value: ip });
    });
  }
  return out;
}

const MASTER_SERVICES = new Set(['kubernetes']);

/** kubelet getServiceEnvVarMap: the service variables a pod in `ns` sees. */
export async function serviceEnv(src: EnvSources, ns: string, enableServiceLinks: boolean, masterNamespace = 'default'): Promise<Map<string, string>> {
  const chosen = new Map<string, Obj>();
  let all: Obj[];
  try {
    const namespaces = enableServiceLinks && ns !== masterNamespace ? [masterNamespace, ns] : [masterNamespace];
    const lists = await Promise.all(namespaces.map(async (n) => (await src.listServices(n)).map((s) => ({ ns: n, s }))));
    all = lists.flat().map(({ ns: n, s }) => (s.metadata?.namespace ? s : { ...s, metadata: { ...s.metadata, namespace: n } }));
  } catch {
    throw new Error('failed to list services when setting up env vars');
  }
  for (const svc of all) {
    if (!isServiceIPSet(svc)) continue;
    const name: string = svc.metadata?.name;
    const svcNs: string = svc.metadata?.namespace ?? '';
    if (svcNs === masterNamespace && MASTER_SERVICES.has(name)) {
      if (!chosen.has(name)) chosen.set(name, svc);
    } else if (svcNs === ns && enableServiceLinks) {
      chosen.set(name, svc);
    }
  }
  // sorted by name so the environment is stable from one start to the next
  const ordered = [...chosen.keys()].sort().map((k) => chosen.get(k)!);
  return new Map(fromServices(ordered).map((e) => [e.name, e.value]));
}
