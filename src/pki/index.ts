// PKI: the cluster CA, serving and client certificates, the ServiceAccount signing key,
// and kubeconfig files. A leaf package like api: it imports nothing else of skiff's.
export { ensurePki, ensureClientCert, ensureServingCert, wantedSANs, CLIENT_IDENTITIES, type Pki, type PkiOptions, type ClientName } from './pki.js';
export { createCA, issueCert, createSigningKey, type CertKeyPem, type CertSpec, type SigningKeyPem } from './certs.js';
export { parseCidr, firstIp, type Cidr } from './cidr.js';
export { kubeconfigYaml, type KubeconfigSpec } from './kubeconfig.js';
export { ensurePkiIsolated, ensureClientCertIsolated, ensureServingCertIsolated } from './isolated.js';
