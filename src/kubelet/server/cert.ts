// The kubelet's serving certificate, signed by the cluster CA so the API server can verify
// it: valid for the node's name, localhost and the node's addresses.
import { issueCert, type CertKeyPem } from '../../pki/index.js';

/** Subject system:node:<name> / O=system:nodes, as a kubelet's approved serving CSR has. */
export function kubeletServingCert(ca: CertKeyPem, nodeName: string, ips: string[] = []): Promise<CertKeyPem> {
  const dns = [...new Set([nodeName, 'localhost'])];
  const addrs = [...new Set(['127.0.0.1', ...ips])];
  return issueCert(ca, { cn: `system:node:${nodeName}`, orgs: ['system:nodes'], usage: 'server', dns, ips: addrs, days: 365 });
}
