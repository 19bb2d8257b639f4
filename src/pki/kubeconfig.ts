// Kubeconfig files for the identities in pki.ts. Certificates are embedded (*-data) so
// the file stands alone, as k3s and kubeadm write theirs.

export interface KubeconfigSpec {
  server: string;       // https://127.0.0.1:6443
  ca: string;           // PEM
  cert: string;         // PEM client certificate
  key: string;          // PEM client key
  /** Cluster, user and context name ("default", as k3s). */
  name?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

export function kubeconfigYaml(s: KubeconfigSpec): string {
  const n = s.name ?? 'default';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    certificate-authority-data: ${b64(s.ca)}`,
    `    server: ${s.server}`,
    `  name: ${n}`,
    'contexts:',
    '- context:',
    `    cluster: ${n}`,
    `    user: ${n}`,
    `  name: ${n}`,
    `current-context: ${n}`,
    'preferences: {}',
    'users:',
    `- name: ${n}`,
    '  user:',
    `    client-certificate-data: ${b64(s.cert)}`,
    `    client-key-data: ${b64(s.key)}`,
    '',
  ].join('\n');
}
