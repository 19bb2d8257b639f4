// certificates.k8s.io/v1 CertificateSigningRequest: create/update/status/approval rules
// as upstream's certificates validation (validateCertificateSigningRequest and friends).
//
// The request must be a PEM "CERTIFICATE REQUEST" whose PKCS#10 signature verifies. That
// check runs inside the registry's synchronous validation, so it uses a small DER reader
// and node:crypto here instead of @peculiar/x509 (whose import is asynchronous); the
// signer controller uses @peculiar/x509 to read the subject and extensions.

import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { fe, type FieldError } from '../errors.js';
import type { Obj } from '../types.js';
import { isDNS1123Label, isDNS1123Subdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate, validateImmutableField } from './meta.js';
import { arr, child, has, index, num, obj, str } from './util.js';

export const KEY_USAGES = ['any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment',
  'decipher only', 'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel', 'ipsec user',
  'key agreement', 'key encipherment', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime', 'server auth', 'signing',
  'timestamping']; // sorted, as sets.List() prints them

export const LEGACY_UNKNOWN_SIGNER = 'kubernetes.io/legacy-unknown';
const TRUE_ONLY_CONDITIONS = new Set(['Approved', 'Denied', 'Failed']);
const ALL_STATUSES = ['False', 'True', 'Unknown'];

// ---- PKCS#10 ----

interface Tlv { tag: number; start: number; body: number; end: number }

function readTlv(b: Buffer, at: number, limit = b.length): Tlv {
  if (at + 2 > limit) throw new Error('asn1: syntax error: data truncated');
  const tag = b[at];
  if ((tag & 0x1f) === 0x1f) throw new Error('asn1: structure error: tags don\'t match');
  let len = b[at + 1];
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || body + n > limit) throw new Error('asn1: syntax error: invalid length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[body + i];
    body += n;
  }
  if (body + len > limit) throw new Error('asn1: syntax error: data truncated');
  return { tag, start: at, body, end: body + len };
}

/** The children of a constructed TLV. */
function children(b: Buffer, t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = t.body; at < t.end;) {
    const c = readTlv(b, at, t.end);
    out.push(c);
    at = c.end;
  }
  return out;
}

function oid(b: Buffer, t: Tlv): string {
  const bytes = b.subarray(t.body, t.end);
  if (bytes.length === 0) throw new Error('asn1: syntax error: zero length OBJECT IDENTIFIER');
  const parts: number[] = [];
  let v = 0;
  for (const x of bytes) {
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) { parts.push(v); v = 0; }
  }
  const first = parts.shift()!;
  return [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80, ...parts].join('.');
}

/** Signature algorithm OIDs Go's x509 verifies CSRs with → node:crypto digest (null: none). */
const SIG_ALGS: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1', '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};

/** The first PEM block of `text` (pem.Decode skips anything before it). */
export function firstPemBlock(text: string): { type: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  if (/^[\w-]+:/m.test(m[2])) return { type: m[1], der: Buffer.alloc(0) }; // headers: not a plain block
  return { type: m[1], der: Buffer.from(m[2].replace(/\s+/g, ''), 'base64') };
}

/**
 * certificates.ParseCSR + CheckSignature: the PEM block must be a CERTIFICATE REQUEST whose
 * DER parses as PKCS#10 and whose self-signature verifies. Throws with Go's message texts.
 */
export function checkCSR(pem: Buffer): void {
  const block = firstPemBlock(pem.toString('latin1'));
  if (!block || block.type !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  const b = block.der;
  const top = readTlv(b, 0);
  if (top.tag !== 0x30) throw new Error('asn1: structure error: tags don\'t match');
  if (top.end !== b.length) throw new Error('x509: trailing data after X.509 certificate request');
  const [info, alg, sig] = children(b, top);
  if (!info || !alg || !sig || info.tag !== 0x30 || alg.tag !== 0x30 || sig.tag !== 0x03) throw new Error('asn1: structure error: tags don\'t match');
  const parts = children(b, info);
  if (parts.length < 3 || parts[0].tag !== 0x02 || parts[1].tag !== 0x30 || parts[2].tag !== 0x30) throw new Error('asn1: structure error: tags don\'t match');
  const spki = b.subarray(parts[2].start, parts[2].end);
  let key;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw new Error('x509: unsupported public key type');
  }
  const algOid = children(b, alg)[0];
  if (!algOid || algOid.tag !== 0x06) throw new Error('asn1: structure error: tags don\'t match');
  const digest = SIG_ALGS[oid(b, algOid)];
  if (digest === undefined) throw new Error('x509: cannot verify signature: algorithm unimplemented');
  const sigBytes = b.subarray(sig.body + 1, sig.end); // skip the unused-bits octet
  let ok = false;
  try {
    ok = cryptoVerify(digest, b.subarray(info.start, info.end), key, sigBytes);
  } catch {
    ok = false;
  }
  if (!ok) {
    const kt = key.asymmetricKeyType;
    throw new Error(kt === 'rsa' ? 'crypto/rsa: verification error' : kt === 'ec' ? 'x509: ECDSA verification failure' : 'x509: Ed25519 verification failure');
  }
}

/** %#v of a []byte, as field.Invalid prints spec.request. */
function goBytes(v: Buffer): string {
  return `[]byte{${[...v].map((x) => `0x${x.toString(16)}`).join(', ')}}`;
}

function requestBytes(csr: Obj): Buffer {
  return Buffer.from(str(obj(csr.spec).request), 'base64');
}

// ---- signerName ----

/** ValidateSignerName: "<fqdn>/<path>" with DNS labels in the domain and subdomains in the path. */
export function validateSignerName(path: string, signerName: string): FieldError[] {
  if (!signerName) return [fe.required(path)];
  const segs = signerName.split('/');
  if (segs.length !== 2) return [fe.invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const errs: FieldError[] = [];
  if (segs[0].length > 253) errs.push(fe.tooLong(path, segs[0], 253));
  const domain = segs[0].split('.');
  for (const l of domain) {
    const m = isDNS1123Label(l);
    if (m.length) { for (const x of m) errs.push(fe.invalid(path, segs[0], `validating label "${l}": ${x}`)); break; }
  }
  if (domain.length < 2) errs.push(fe.invalid(path, segs[0], 'should be a domain with at least two segments separated by dots'));
  for (const l of segs[1].split('.')) {
    const m = isDNS1123Subdomain(l);
    if (m.length) { for (const x of m) errs.push(fe.invalid(path, segs[1], `validating label "${l}": ${x}`)); break; }
  }
  if (signerName.length > 253 + 253 + 63 + 1 + 1) errs.push(fe.tooLong(path, signerName, 571));
  return errs;
}

// ---- conditions ----

interface Opts {
  allowSettingApprovalConditions?: boolean;
  allowSettingCertificate?: boolean;
  // tolerated when the stored object already has the problem (upstream's getValidationOptions)
  allowBothApprovedAndDenied?: boolean;
  allowLegacySignerName?: boolean;
  allowDuplicateConditionTypes?: boolean;
  allowEmptyConditionType?: boolean;
  allowArbitraryCertificate?: boolean;
  allowUnknownUsages?: boolean;
  allowDuplicateUsages?: boolean;
}

const conditions = (csr: Obj | undefined): Obj[] => arr(obj(csr?.status).conditions).map(obj);
const usagesOf = (csr: Obj | undefined): string[] => arr(obj(csr?.spec).usages).map(str);

function optsFor(csr: Obj, old?: Obj): Opts {
  if (!old) return {};
  const types = conditions(old).map((c) => str(c.type));
  const u = usagesOf(old);
  const cert = str(obj(csr.status).certificate);
  const oldCert = str(obj(old.status).certificate);
  return {
    allowBothApprovedAndDenied: types.includes('Approved') && types.includes('Denied'),
    allowLegacySignerName: str(obj(old.spec).signerName) === LEGACY_UNKNOWN_SIGNER,
    allowDuplicateConditionTypes: new Set(types).size !== types.length,
    allowEmptyConditionType: types.includes(''),
    allowArbitraryCertificate: cert === oldCert || certificateError(Buffer.from(oldCert, 'base64')) !== undefined,
    allowUnknownUsages: u.some((x) => !KEY_USAGES.includes(x)),
    allowDuplicateUsages: new Set(u).size !== u.length,
  };
}

/** validateCertificate: status.certificate holds only CERTIFICATE PEM blocks (at least one). */
function certificateError(pem: Buffer): string | undefined {
  if (pem.length === 0) return undefined;
  const text = pem.toString('latin1');
  const re = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g;
  let blocks = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${m[1]}"`;
    if (/^[\w-]+:/m.test(m[2])) return 'no PEM block headers are permitted';
    const der = Buffer.from(m[2].replace(/\s+/g, ''), 'base64');
    try {
      const t = readTlv(der, 0);
      if (t.tag !== 0x30) throw new Error('x509: malformed certificate');
    } catch {
      return 'x509: malformed certificate';
    }
    blocks++;
  }
  return blocks === 0 ? 'must contain at least one CERTIFICATE PEM block' : undefined;
}

function validateConditions(path: string, csr: Obj, o: Opts): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditions(csr).forEach((c, i) => {
    const p = index(path, i);
    const type = str(c.type);
    if (!o.allowEmptyConditionType && !type) errs.push(fe.required(child(p, 'type')));
    const allowed = TRUE_ONLY_CONDITIONS.has(type) ? ['True'] : ALL_STATUSES;
    if (!str(c.status)) errs.push(fe.required(child(p, 'status')));
    else if (!allowed.includes(c.status)) errs.push(fe.notSupported(child(p, 'status'), c.status, allowed));
    if (!o.allowBothApprovedAndDenied) {
      if (type === 'Approved') {
        approved = true;
        if (denied) errs.push(fe.invalid(child(p, 'type'), type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (type === 'Denied') {
        denied = true;
        if (approved) errs.push(fe.invalid(child(p, 'type'), type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!o.allowDuplicateConditionTypes) {
      if (seen.has(type)) errs.push(fe.duplicate(child(p, 'type'), type));
      seen.add(type);
    }
  });
  return errs;
}

// ---- the object ----

function validate(csr: Obj, o: Opts): FieldError[] {
  const errs = validateObjectMeta(csr.metadata, false, () => []);
  const spec = obj(csr.spec);
  const req = requestBytes(csr);
  try {
    checkCSR(req);
  } catch (e) {
    // field.Invalid(spec.request, []byte, err): the value prints as Go's %#v of the bytes
    errs.push({ type: 'FieldValueInvalid', field: 'spec.request', detail: `${goBytes(req)}: ${(e as Error).message}` });
  }
  const usages = arr(spec.usages);
  if (usages.length === 0) errs.push(fe.required('spec.usages'));
  if (!o.allowUnknownUsages) {
    usages.forEach((u, i) => { if (!KEY_USAGES.includes(u)) errs.push(fe.notSupported(index('spec.usages', i), u, KEY_USAGES)); });
  }
  if (!o.allowDuplicateUsages) {
    const seen = new Set<unknown>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(fe.duplicate(index('spec.usages', i), u));
      seen.add(u);
    });
  }
  const signer = str(spec.signerName);
  if (!o.allowLegacySignerName && signer === LEGACY_UNKNOWN_SIGNER) {
    errs.push(fe.invalid('spec.signerName', signer, 'the legacy signerName is not allowed via this API version'));
  } else {
    errs.push(...validateSignerName('spec.signerName', signer));
  }
  if (has(spec, 'expirationSeconds') && num(spec.expirationSeconds) < 600) {
    errs.push(fe.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions('status.conditions', csr, o));
  if (!o.allowArbitraryCertificate) {
    const msg = certificateError(Buffer.from(str(obj(csr.status).certificate), 'base64'));
    if (msg) errs.push(fe.invalid('status.certificate', '<certificate data>', msg));
  }
  return errs;
}

const findConditions = (csr: Obj, type: string): Obj[] => conditions(csr).filter((c) => c.type === type);

function validateUpdateWith(csr: Obj, old: Obj, o: Opts): FieldError[] {
  const errs = validate(csr, o);
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (findConditions(csr, t).length < findConditions(old, t).length) {
      errs.push(fe.forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
    }
  }
  if (!o.allowSettingApprovalConditions) {
    for (const t of ['Approved', 'Denied']) {
      const a = findConditions(old, t);
      const b = findConditions(csr, t);
      if (b.length > a.length) errs.push(fe.forbidden('status.conditions', `updates may not add a condition of type "${t}"`));
      else if (b.length === a.length && JSON.stringify(a) !== JSON.stringify(b)) {
        errs.push(fe.forbidden('status.conditions', `updates may not modify a condition of type "${t}"`));
      }
    }
  }
  const cert = str(obj(csr.status).certificate);
  const oldCert = str(obj(old.status).certificate);
  if (cert !== oldCert) {
    if (!o.allowSettingCertificate) errs.push(fe.forbidden('status.certificate', 'updates may not set certificate content'));
    else if (oldCert) errs.push(fe.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  errs.push(...validateObjectMetaUpdate(csr.metadata, old.metadata));
  return errs;
}

export function validateCSR(csr: Obj): FieldError[] {
  return validate(csr, optsFor(csr));
}

export function validateCSRUpdate(csr: Obj, old: Obj): FieldError[] {
  // the request is fixed once made (the spec is never rewritten by an update)
  return [...validateUpdateWith(csr, old, optsFor(csr, old)), ...validateImmutableField(csr.spec, old.spec, 'spec')];
}

/** The /status subresource: signers set status.certificate and the Failed condition. */
export function validateCSRStatusUpdate(csr: Obj, old: Obj): FieldError[] {
  return validateUpdateWith(csr, old, { ...optsFor(csr, old), allowSettingCertificate: true });
}

/** The /approval subresource: approvers add Approved or Denied. */
export function validateCSRApprovalUpdate(csr: Obj, old: Obj): FieldError[] {
  return validateUpdateWith(csr, old, { ...optsFor(csr, old), allowSettingApprovalConditions: true });
}

/** True when `v` is a CSR condition list entry of `type` with status True. */
export function hasTrueCondition(csr: Obj, type: string): boolean {
  return conditions(csr).some((c) => c.type === type && c.status === 'True');
}
