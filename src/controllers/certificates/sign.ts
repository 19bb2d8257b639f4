// Issuing a certificate for a PKCS#10 request with the cluster CA, as upstream's
// authority.Sign under PermissiveSigningPolicy: subject, public key and subject alternative
// names from the request; key usages from spec.usages; notBefore backdated 5 minutes;
// notAfter = now + duration (long-lived certs also end 5 minutes early) capped by the CA.
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { loadX509 } from '../../pki/x509.js';

type X509 = Awaited<ReturnType<typeof loadX509>>;
type Csr = InstanceType<X509['Pkcs10CertificateRequest']>;

export interface CaPem { cert: string; key: string }

const BACKDATE_MS = 5 * 60_000;
const SHORT_MS = 8 * 3_600_000;
export const MIN_DURATION_MS = 10 * 60_000;
/** --cluster-signing-duration default: one year. */
export const DEFAULT_DURATION_MS = 365 * 24 * 3_600_000;

/** signer.duration: the requested expirationSeconds within [10 min, the signer's TTL]. */
export function certDuration(expirationSeconds: number | undefined, ttlMs = DEFAULT_DURATION_MS): number {
  if (expirationSeconds === undefined || expirationSeconds === null) return ttlMs;
  const d = expirationSeconds * 1000;
  return d > ttlMs ? ttlMs : d < MIN_DURATION_MS ? MIN_DURATION_MS : d;
}

const KEY_USAGE_BITS: Record<string, number> = {
  signing: 1, 'digital signature': 1, 'content commitment': 2, 'key encipherment': 4, 'data encipherment': 8,
  'key agreement': 16, 'cert sign': 32, 'crl sign': 64, 'encipher only': 128, 'decipher only': 256,
};
const EXT_KEY_USAGES: Record<string, string> = {
  any: '2.5.29.37.0', 'server auth': '1.3.6.1.5.5.7.3.1', 'client auth': '1.3.6.1.5.5.7.3.2', 'code signing': '1.3.6.1.5.5.7.3.3',
  'email protection': '1.3.6.1.5.5.7.3.4', 's/mime': '1.3.6.1.5.5.7.3.4', 'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6', 'ipsec user': '1.3.6.1.5.5.7.3.7', timestamping: '1.3.6.1.5.5.7.3.8',
  'ocsp signing': '1.3.6.1.5.5.7.3.9', 'microsoft sgc': '1.3.6.1.4.1.311.10.3.3', 'netscape sgc': '2.16.840.1.113730.4.1',
};

/** Parses a PEM PKCS#10 request (spec.request decoded). Throws when it does not parse. */
export async function parseRequest(pem: string): Promise<Csr> {
  const x = await loadX509();
  if (!/-----BEGIN CERTIFICATE REQUEST-----/.test(pem)) throw new Error('PEM block type must be CERTIFICATE REQUEST');
  return new x.Pkcs10CertificateRequest(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE REQUEST-----')));
}

/** What the signers' checks look at: subject and subject alternative names. */
export interface RequestInfo { cn: string; orgs: string[]; dns: string[]; emails: string[]; ips: string[]; uris: string[] }

export async function requestInfo(csr: Csr): Promise<RequestInfo> {
  const x = await loadX509();
  const info: RequestInfo = { cn: csr.subjectName.getField('CN')[0] ?? '', orgs: csr.subjectName.getField('O'), dns: [], emails: [], ips: [], uris: [] };
  const raw = csr.getExtension('2.5.29.17');
  if (raw) {
    for (const n of new x.SubjectAlternativeNameExtension(raw.rawData).names.toJSON()) {
      if (n.type === 'dns') info.dns.push(n.value);
      else if (n.type === 'email') info.emails.push(n.value);
      else if (n.type === 'ip') info.ips.push(n.value);
      else if (n.type === 'url') info.uris.push(n.value);
    }
  }
  return info;
}

async function importCaKey(pem: string): Promise<{ key: CryptoKey; alg: Algorithm | EcdsaParams }> {
  const k = createPrivateKey(pem);
  const der = k.export({ type: 'pkcs8', format: 'der' });
  if (k.asymmetricKeyType === 'ec') {
    const curve = k.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : k.asymmetricKeyDetails?.namedCurve === 'secp521r1' ? 'P-521' : 'P-256';
    const hash = curve === 'P-384' ? 'SHA-384' : curve === 'P-521' ? 'SHA-512' : 'SHA-256';
    const key = await webcrypto.subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve: curve }, false, ['sign']);
    return { key, alg: { name: 'ECDSA', hash } as EcdsaParams };
  }
  if (k.asymmetricKeyType === 'rsa') {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    return { key: await webcrypto.subtle.importKey('pkcs8', der, alg, false, ['sign']), alg };
  }
  throw new Error(`unsupported CA key type ${k.asymmetricKeyType}`);
}

/** Signs `csr` with `ca` for `durationMs`; returns the certificate PEM. */
export async function signRequest(ca: CaPem, csr: Csr, usages: string[], durationMs: number, now = Date.now()): Promise<string> {
  const x = await loadX509();
  const caCert = new x.X509Certificate(ca.cert);
  const { key, alg } = await importCaKey(ca.key);
  let bits = 0;
  const eku: string[] = [];
  for (const u of usages) {
    if (KEY_USAGE_BITS[u]) bits |= KEY_USAGE_BITS[u];
    else if (EXT_KEY_USAGES[u] && !eku.includes(EXT_KEY_USAGES[u])) eku.push(EXT_KEY_USAGES[u]);
    else if (!EXT_KEY_USAGES[u]) throw new Error(`unrecognized usage: ${u}`);
  }
  const extensions: InstanceType<X509['Extension']>[] = [new x.BasicConstraintsExtension(false, undefined, true)];
  if (bits) extensions.push(new x.KeyUsagesExtension(bits, true));
  if (eku.length) extensions.push(new x.ExtendedKeyUsageExtension(eku, false));
  extensions.push(await x.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false));
  const san = csr.getExtension('2.5.29.17');
  if (san) extensions.push(new x.SubjectAlternativeNameExtension(san.rawData));
  const notAfter = Math.min(now + durationMs - (durationMs < SHORT_MS ? 0 : BACKDATE_MS), caCert.notAfter.getTime());
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, no leading zero octet
  const cert = await x.X509CertificateGenerator.create({
    serialNumber: serial.toString('hex'),
    subject: csr.subjectName,
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    publicKey: csr.publicKey,
    signingKey: key,
    signingAlgorithm: alg,
    extensions,
  });
  return cert.toString('pem') + '\n';
}
