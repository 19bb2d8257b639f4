// Creating keys and certificates (ECDSA P-256 / SHA-256: fast to generate, accepted by
// kubectl, client-go and every TLS stack skiff talks to). Creation only: checking
// existing files lives in pki.ts and uses node:crypto, which needs no extra import.
import { webcrypto, randomBytes } from 'node:crypto';
import { loadX509 } from './x509.js';

export interface CertKeyPem {
  cert: string; // PEM certificate
  key: string;  // PEM PKCS#8 private key
}

export interface SigningKeyPem {
  privateKeyPem: string; // PKCS#8
  publicKeyPem: string;  // SPKI
}

export type CertUsage = 'server' | 'client' | 'server+client';

export interface CertSpec {
  /** Subject common name (the user name for client certificates). */
  cn: string;
  /** Subject organisations (the groups for client certificates). */
  orgs?: string[];
  usage: CertUsage;
  /** Subject alternative names (server certificates). */
  dns?: string[];
  ips?: string[];
  days: number;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const subtle = webcrypto.subtle;
/** Backdate notBefore so a peer whose clock runs a little behind still accepts the cert. */
const BACKDATE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function pemDer(text: string): Buffer {
  return Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

/** A positive 128-bit serial number, as RFC 5280 asks (at most 20 octets, non-negative). */
function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  b[0] |= 0x01; // no leading zero octet, so the DER encoding keeps all 16 bytes
  return b.toString('hex');
}

function dn(cn: string, orgs: string[] = []): string {
  // Escape the characters RFC 4514 reserves; names like "system:masters" pass unchanged.
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, '\\$1');
  return [...orgs.map((o) => `O=${esc(o)}`), `CN=${esc(cn)}`].join(', ');
}

async function newKeys(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function exportKey(k: CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await subtle.exportKey('pkcs8', k));
}

/** A self-signed CA that may sign leaf certificates only (pathLen 0). */
export async function createCA(cn: string, days: number): Promise<CertKeyPem> {
  const x = await loadX509();
  const keys = await newKeys();
  const now = Date.now();
  const cert = await x.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: dn(cn),
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + days * DAY_MS),
    signingAlgorithm: ALG,
    keys,
    extensions: [
      new x.BasicConstraintsExtension(true, 0, true),
      new x.KeyUsagesExtension(x.KeyUsageFlags.keyCertSign | x.KeyUsageFlags.cRLSign | x.KeyUsageFlags.digitalSignature, true),
      await x.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem') + '\n', key: await exportKey(keys.privateKey) };
}

/** A leaf certificate signed by `ca`. */
export async function issueCert(ca: CertKeyPem, spec: CertSpec): Promise<CertKeyPem> {
  const x = await loadX509();
  const [keys, caKey] = await Promise.all([
    newKeys(),
    subtle.importKey('pkcs8', pemDer(ca.key), ALG, false, ['sign']),
  ]);
  const caCert = new x.X509Certificate(ca.cert);
  const eku = spec.usage === 'server' ? [x.ExtendedKeyUsage.serverAuth]
    : spec.usage === 'client' ? [x.ExtendedKeyUsage.clientAuth]
    : [x.ExtendedKeyUsage.serverAuth, x.ExtendedKeyUsage.clientAuth];
  const extensions: InstanceType<typeof x.Extension>[] = [
    new x.BasicConstraintsExtension(false, undefined, true),
    new x.KeyUsagesExtension(x.KeyUsageFlags.digitalSignature | x.KeyUsageFlags.keyEncipherment, true),
    new x.ExtendedKeyUsageExtension(eku, false),
    await x.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false),
    await x.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  const names = [
    ...(spec.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(spec.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length) extensions.push(new x.SubjectAlternativeNameExtension(names, false));
  const now = Date.now();
  const cert = await x.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: dn(spec.cn, spec.orgs),
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(Math.min(now + spec.days * DAY_MS, caCert.notAfter.getTime())),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions,
  });
  return { cert: cert.toString('pem') + '\n', key: await exportKey(keys.privateKey) };
}

/** The key pair that signs (private) and verifies (public) ServiceAccount tokens: ES256. */
export async function createSigningKey(): Promise<SigningKeyPem> {
  const keys = await newKeys();
  return {
    privateKeyPem: await exportKey(keys.privateKey),
    publicKeyPem: pem('PUBLIC KEY', await subtle.exportKey('spki', keys.publicKey)),
  };
}
