// A Service whose type changes sheds what only the old type needed (dropTypeDependentFields
// upstream): NodePort/LoadBalancer → ClusterIP drops node ports and traffic policy; →
// ExternalName also drops the ClusterIP. Fields the client changed in the same request stay.
import type { Obj } from '../../../api/types.js';

const needsNodePorts = (t: string) => t === 'NodePort' || t === 'LoadBalancer';

export function dropTypeDependentFields(svc: Obj, old: Obj): void {
  const spec = svc.spec ?? {}, oldSpec = old.spec ?? {};
  const type = spec.type ?? 'ClusterIP', oldType = oldSpec.type ?? 'ClusterIP';
  if (type === oldType) return;
  if (needsNodePorts(oldType) && !needsNodePorts(type)) {
    for (const p of spec.ports ?? []) {
      const prev = (oldSpec.ports ?? []).find((q: Obj) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (p.nodePort !== undefined && (!prev || prev.nodePort === p.nodePort)) delete p.nodePort;
    }
    if (spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
    if (spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  }
  if (oldType === 'LoadBalancer' && type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === oldSpec.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (type === 'ExternalName' && oldType !== 'ExternalName') {
    if (spec.clusterIP === oldSpec.clusterIP) { delete spec.clusterIP; delete spec.clusterIPs; }
    if (JSON.stringify(spec.ipFamilies) === JSON.stringify(oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === oldSpec.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === oldSpec.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
}
