// Service ClusterIP and NodePort allocation (the REST storage's allocators upstream), with
// kube-apiserver's messages: "provided IP is already allocated", "provided port is not in
// the valid range. The range of valid ports is 30000-32767".
import { fe, invalid, type FieldError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { IPAllocator, PortAllocator } from './ipalloc.js';

interface Reservation { ips: string[]; ports: number[] }

export class ServiceAllocator {
  readonly ips: IPAllocator;
  readonly ports: PortAllocator;
  constructor(readonly serviceCIDR: string, nodePortRange: [number, number]) {
    this.ips = new IPAllocator(serviceCIDR);
    this.ports = new PortAllocator(nodePortRange[0], nodePortRange[1]);
  }

  /** Record what a stored Service holds (start-up rebuild). */
  restore(svc: Obj): void {
    for (const ip of svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])) if (this.ips.inRange(ip)) this.ips.reserve(ip);
    for (const p of nodePortsOf(svc)) this.ports.reserve(p);
  }

  /**
   * Fill and reserve ClusterIP and NodePorts for a Service being created or updated.
   * Returns what was newly reserved, so a failed or dry-run write can give it back.
   */
  allocate(svc: Obj, old: Obj | undefined): Reservation {
    const spec = svc.spec ?? (svc.spec = {});
    const name = svc.metadata?.name ?? '';
    const errs: FieldError[] = [];
    const got: Reservation = { ips: [], ports: [] };
    const type = spec.type ?? 'ClusterIP';

    // ClusterIP: immutable once set; an update that omits it keeps the old one
    if (old && (old.spec?.clusterIP ?? '') !== '' && (spec.clusterIP === undefined || spec.clusterIP === '')) {
      spec.clusterIP = old.spec.clusterIP;
      if (old.spec.clusterIPs) spec.clusterIPs = old.spec.clusterIPs;
    }
    if (type === 'ExternalName') {
      // ExternalName services have no ClusterIP; one an update drops is released by the caller
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    } else if (!old || !old.spec?.clusterIP || old.spec.clusterIP !== spec.clusterIP) {
      const want: string | undefined = spec.clusterIP || spec.clusterIPs?.[0] || undefined;
      if (want) {
        if (!this.ips.inRange(want)) {
          errs.push(fe.invalid('spec.clusterIPs', [want], `failed to allocate IP ${want}: the provided IP (${want}) is not in the valid range. The range of valid IPs is ${this.serviceCIDR}`));
        } else if (this.ips.has(want)) {
          errs.push(fe.invalid('spec.clusterIPs', [want], `failed to allocate IP ${want}: provided IP is already allocated`));
        } else {
          this.ips.reserve(want); got.ips.push(want);
          spec.clusterIP = want; spec.clusterIPs = [want];
        }
      } else {
        const ip = this.ips.allocate();
        if (!ip) errs.push(fe.internal('spec.clusterIPs', 'failed to allocate a serviceIP: range is full'));
        else { got.ips.push(ip); spec.clusterIP = ip; spec.clusterIPs = [ip]; }
      }
    }

    // NodePorts for NodePort and LoadBalancer services
    const wantsNodePorts = type === 'NodePort' || (type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
    const oldPorts: Obj[] = old?.spec?.ports ?? [];
    const oldHeld = new Set(old ? nodePortsOf(old) : []);
    const seen = new Set<number>();
    (spec.ports ?? []).forEach((p: Obj, i: number) => {
      if (!wantsNodePorts) { if (type === 'ClusterIP' || type === 'ExternalName') delete p.nodePort; return; }
      if (!p.nodePort && old) {
        // an update that omits the nodePort keeps the one allocated for this port
        const prev = oldPorts.find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP') && q.nodePort);
        if (prev) p.nodePort = prev.nodePort;
      }
      if (p.nodePort) {
        const n = Number(p.nodePort);
        if (oldHeld.has(n) || seen.has(n)) { seen.add(n); return; }
        if (!this.ports.inRange(n)) {
          errs.push(fe.invalid(`spec.ports[${i}].nodePort`, n, `provided port is not in the valid range. The range of valid ports is ${this.ports.min}-${this.ports.max}`));
        } else if (this.ports.has(n)) {
          errs.push(fe.invalid(`spec.ports[${i}].nodePort`, n, 'provided port is already allocated'));
        } else {
          this.ports.reserve(n); got.ports.push(n); seen.add(n);
        }
      } else {
        const n = this.ports.allocate();
        if (n === undefined) errs.push(fe.internal(`spec.ports[${i}].nodePort`, 'failed to allocate a nodePort: range is full'));
        else { p.nodePort = n; got.ports.push(n); seen.add(n); }
      }
    });
    if (type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort) {
      const n = old?.spec?.healthCheckNodePort ?? this.ports.allocate();
      if (n !== undefined) { spec.healthCheckNodePort = n; if (!old?.spec?.healthCheckNodePort) got.ports.push(n); }
    }
    if (errs.length) {
      this.release(got);
      throw invalid('', 'Service', name, errs);
    }
    return got;
  }

  release(r: Reservation): void {
    for (const ip of r.ips) this.ips.release(ip);
    for (const p of r.ports) this.ports.release(p);
  }

  /** After an update committed: give back what the old object held and the new one does not. */
  releaseDropped(obj: Obj, old: Obj): void {
    const nowIPs = new Set<string>(obj.spec?.clusterIPs ?? []);
    for (const ip of old.spec?.clusterIPs ?? []) if (!nowIPs.has(ip)) this.ips.release(ip);
    const nowPorts = new Set(nodePortsOf(obj));
    for (const p of nodePortsOf(old)) if (!nowPorts.has(p)) this.ports.release(p);
  }

  releaseAll(svc: Obj): void {
    for (const ip of svc.spec?.clusterIPs ?? []) this.ips.release(ip);
    for (const p of nodePortsOf(svc)) this.ports.release(p);
  }
}

export function nodePortsOf(svc: Obj): number[] {
  const out: number[] = [];
  for (const p of svc.spec?.ports ?? []) if (p.nodePort) out.push(Number(p.nodePort));
  if (svc.spec?.healthCheckNodePort) out.push(Number(svc.spec.healthCheckNodePort));
  return out;
}
