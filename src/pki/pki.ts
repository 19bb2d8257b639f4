// The cluster's PKI under DATA_DIR/pki: created on first start, reused afterwards.
//
//   ca.crt/ca.key                     cluster CA (10 years); signs every cert below and is
//                                     the client CA the API server trusts
//   server.crt/server.key             API serving cert (SANs: loopback, host names and
//                                     addresses, kubernetes.default..., the service IP)
//   admin.crt/.key                    CN=system:admin, O=system:masters (as k3s)
//   controller-manager.crt/.key       CN=system:kube-controller-manager
//   scheduler.crt/.key                CN=system:kube-scheduler
//   apiserver-kubelet-client.crt/.key CN=kube-apiserver-kubelet-client, O=system:masters: the
//                                     API server's identity towards kubelets (as kubeadm)
//   sa.key/sa.pub                     ServiceAccount token signing key (ES256)
//
// Reuse is checked with node:crypto only (no @peculiar/x509 import), so later starts cost
// a few milliseconds. A leaf is re-issued when it is missing, unreadable, not signed by
// the current CA, does not match its key, has a different subject, expires within 90
// days, or (serving cert) no longer covers every wanted host name and address.
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createCA, createSigningKey, issueCert, type CertKeyPem, type CertSpec, type SigningKeyPem } from './certs.js';
import { firstIp, parseCidr } from './cidr.js';

export interface PkiOptions {
  /** Service network; its first address is the `kubernetes` Service IP (default 10.43.0.0/16). */
  serviceCIDR?: string;
  /** More names or IP addresses the serving certificate must cover (--tls-san, --host). */
  extraSANs?: string[];
  clusterDomain?: string;
}

/** Client identities issued at start-up: file base name → subject. */
export const CLIENT_IDENTITIES = {
  admin: { cn: 'system:admin', orgs: ['system:masters'] },
  'controller-manager': { cn: 'system:kube-controller-manager', orgs: [] },
  scheduler: { cn: 'system:kube-scheduler', orgs: [] },
  'apiserver-kubelet-client': { cn: 'kube-apiserver-kubelet-client', orgs: ['system:masters'] },
} as const;
export type ClientName = keyof typeof CLIENT_IDENTITIES;

export interface Pki {
  dir: string;
  ca: CertKeyPem;
  serving: CertKeyPem;
  clients: Record<ClientName, CertKeyPem>;
  serviceAccount: SigningKeyPem;
  /** The SANs the serving certificate was checked against. */
  sans: { dns: string[]; ips: string[] };
  /** What this call (re)created, with the reason: empty when everything was reused. */
  created: string[];
}

const CA_DAYS = 3650;
const LEAF_DAYS = 365;
const RENEW_BEFORE_MS = 90 * 86_400_000; // k3s renews certificates expiring within 90 days

export async function ensurePki(dataDir: string, opts: PkiOptions = {}): Promise<Pki> {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const sans = wantedSANs(opts);

  let ca = readPair(dir, 'ca');
  const caProblem = ca ? checkCA(ca) : 'missing';
  if (caProblem) {
    ca = await createCA(`skiff-ca@${Math.floor(Date.now() / 1000)}`, CA_DAYS);
    writePair(dir, 'ca', ca);
    created.push(`ca (${caProblem})`);
  }
  const caPem = ca!;
  const caX509 = new X509Certificate(caPem.cert);

  const leaf = async (name: string, spec: CertSpec): Promise<CertKeyPem> => {
    const cur = readPair(dir, name);
    const problem = cur ? checkLeaf(cur, caX509, spec) : 'missing';
    if (!problem) return cur!;
    const next = await issueCert(caPem, spec);
    writePair(dir, name, next);
    created.push(`${name} (${problem})`);
    return next;
  };

  const clientNames = Object.keys(CLIENT_IDENTITIES) as ClientName[];
  const [serving, serviceAccount, ...clientPairs] = await Promise.all([
    leaf('server', { cn: 'kube-apiserver', usage: 'server', dns: sans.dns, ips: sans.ips, days: LEAF_DAYS }),
    ensureSigningKey(dir, created),
    ...clientNames.map((n) => {
      const id = CLIENT_IDENTITIES[n];
      return leaf(n, { cn: id.cn, orgs: [...id.orgs], usage: 'client', days: LEAF_DAYS });
    }),
  ]);
  const clients = Object.fromEntries(clientNames.map((n, i) => [n, clientPairs[i]])) as Record<ClientName, CertKeyPem>;
  return { dir, ca: caPem, serving, clients, serviceAccount, sans, created };
}

/**
 * Issues (or reuses) one more client certificate under DIR/pki, for identities that join
 * later (node agents: CN=system:node:NAME, O=system:nodes).
 */
export async function ensureClientCert(pki: Pki, fileBase: string, cn: string, orgs: string[] = []): Promise<CertKeyPem> {
  const spec: CertSpec = { cn, orgs, usage: 'client', days: LEAF_DAYS };
  const cur = readPair(pki.dir, fileBase);
  if (cur && !checkLeaf(cur, new X509Certificate(pki.ca.cert), spec)) return cur;
  const next = await issueCert(pki.ca, spec);
  writePair(pki.dir, fileBase, next);
  return next;
}

/**
 * Issues (or reuses) one more serving certificate under DIR/pki, e.g. a kubelet's
 * (CN=NODE, SANs the node's names and addresses).
 */
export async function ensureServingCert(pki: Pki, fileBase: string, cn: string, dns: string[], ips: string[]): Promise<CertKeyPem> {
  const spec: CertSpec = { cn, usage: 'server', dns, ips, days: LEAF_DAYS };
  const cur = readPair(pki.dir, fileBase);
  if (cur && !checkLeaf(cur, new X509Certificate(pki.ca.cert), spec)) return cur;
  const next = await issueCert(pki.ca, spec);
  writePair(pki.dir, fileBase, next);
  return next;
}

/** Every name and address the API serving certificate must cover. */
export function wantedSANs(opts: PkiOptions = {}): { dns: string[]; ips: string[] } {
  const domain = opts.clusterDomain ?? 'cluster.local';
  const dns = new Set<string>(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`]);
  const ips = new Set<string>(['127.0.0.1', '::1', firstIp(parseCidr(opts.serviceCIDR ?? '10.43.0.0/16'))]);
  const host = hostname().toLowerCase();
  if (host && !isIP(host)) dns.add(host);
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      // Link-local IPv6 addresses need a zone to be dialled; nobody reaches the API by them.
      if (a.family === 'IPv6' && /^fe80:/i.test(a.address)) continue;
      ips.add(a.address);
    }
  }
  for (const s of opts.extraSANs ?? []) {
    if (!s || s === '0.0.0.0' || s === '::') continue; // wildcard listen addresses are not names
    if (isIP(s)) ips.add(s); else dns.add(s.toLowerCase());
  }
  return { dns: [...dns], ips: [...ips] };
}

function readPair(dir: string, name: string): CertKeyPem | null {
  const c = join(dir, `${name}.crt`), k = join(dir, `${name}.key`);
  if (!existsSync(c) || !existsSync(k)) return null;
  return { cert: readFileSync(c, 'utf8'), key: readFileSync(k, 'utf8') };
}

/** Key first, then cert, each atomically: a crash leaves a mismatched pair, which checkLeaf catches. */
function writePair(dir: string, name: string, p: CertKeyPem): void {
  writeAtomic(join(dir, `${name}.key`), p.key, 0o600);
  writeAtomic(join(dir, `${name}.crt`), p.cert, 0o644);
}

function writeAtomic(path: string, data: string, mode: number): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode); // writeFileSync's mode is filtered by the umask and ignored for existing files
  renameSync(tmp, path);
}

function checkCA(p: CertKeyPem): string | null {
  try {
    const c = new X509Certificate(p.cert);
    if (!c.ca) return 'not a CA';
    if (!c.checkPrivateKey(createPrivateKey(p.key))) return 'key does not match';
    if (Date.parse(c.validTo) <= Date.now() + 86_400_000) return 'expired';
    return null;
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
}

function checkLeaf(p: CertKeyPem, ca: X509Certificate, spec: CertSpec): string | null {
  try {
    const c = new X509Certificate(p.cert);
    if (!c.verify(ca.publicKey)) return 'not signed by the current CA';
    if (!c.checkPrivateKey(createPrivateKey(p.key))) return 'key does not match';
    if (Date.parse(c.validTo) - Date.now() < RENEW_BEFORE_MS) return 'expires soon';
    const want = [...(spec.orgs ?? []).map((o) => `O=${o}`), `CN=${spec.cn}`].sort().join('\n');
    if (c.subject.split('\n').sort().join('\n') !== want) return 'subject changed';
    for (const d of spec.dns ?? []) {
      if (c.checkHost(d, { subject: 'never', wildcards: false }) === undefined) return `does not cover ${d}`;
    }
    for (const ip of spec.ips ?? []) {
      if (c.checkIP(ip) === undefined) return `does not cover ${ip}`;
    }
    return null;
  } catch (e) {
    return `unreadable: ${(e as Error).message}`;
  }
}

async function ensureSigningKey(dir: string, created: string[]): Promise<SigningKeyPem> {
  const kf = join(dir, 'sa.key'), pf = join(dir, 'sa.pub');
  let problem = 'missing';
  if (existsSync(kf) && existsSync(pf)) {
    problem = 'key pair does not match';
    try {
      const privateKeyPem = readFileSync(kf, 'utf8'), publicKeyPem = readFileSync(pf, 'utf8');
      const derived = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' });
      const stored = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'pem' });
      if (derived === stored) return { privateKeyPem, publicKeyPem };
    } catch (e) {
      problem = `unreadable: ${(e as Error).message}`;
    }
  }
  // A new signing key invalidates tokens signed by the old one; it only happens when the
  // files are missing or broken, never on a normal restart.
  const k = await createSigningKey();
  writeAtomic(kf, k.privateKeyPem, 0o600);
  writeAtomic(pf, k.publicKeyPem, 0o644);
  created.push(`sa (${problem})`);
  return k;
}
