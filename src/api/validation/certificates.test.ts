import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { invalid } from '../errors.js';
import type { Obj } from '../types.js';
import { loadX509 } from '../../pki/x509.js';
import { validateCertificateApprovalUpdate, validateCreate, validateStatusUpdate, validateUpdate } from './index.js';
import { checkCSR } from './certificates.js';

const G = 'certificates.k8s.io';
const K = 'CertificateSigningRequest';
let REQUEST = ''; // base64 of a PEM CSR, made once

before(async () => {
  const x = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const csr = await x.Pkcs10CertificateRequestGenerator.create({ name: 'CN=jane, O=devs', keys, signingAlgorithm: alg });
  REQUEST = Buffer.from(csr.toString('pem')).toString('base64');
});

const csr = (spec: Obj = {}, status?: Obj): Obj => ({
  metadata: { name: 'c', resourceVersion: '1' },
  spec: { request: REQUEST, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...spec },
  ...(status ? { status } : {}),
});
const msg = (errs: { field: string }[]) => (errs.length ? invalid(G, K, 'c', errs as never).message : '');
const cond = (type: string, status = 'True') => ({ type, status, reason: 'R', message: 'm' });

test('a well-formed request is valid', () => {
  assert.equal(msg(validateCreate(G, 'v1', K, csr({ expirationSeconds: 600 }))), '');
});

test('the request must be a PEM CERTIFICATE REQUEST that parses and verifies', () => {
  const notPem = msg(validateCreate(G, 'v1', K, csr({ request: Buffer.from('no').toString('base64') })));
  assert.equal(notPem, `${K}.${G} "c" is invalid: spec.request: Invalid value: []byte{0x6e, 0x6f}: PEM block type must be CERTIFICATE REQUEST`);
  const cert = Buffer.from('-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n');
  assert.throws(() => checkCSR(cert), /PEM block type must be CERTIFICATE REQUEST/);
  const garbage = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAEC\n-----END CERTIFICATE REQUEST-----\n');
  assert.throws(() => checkCSR(garbage), /asn1/);
  // flip one byte of the signature: still parses, no longer verifies
  const pem = Buffer.from(REQUEST, 'base64').toString();
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  der[der.length - 3] ^= 0x01;
  const bad = Buffer.from(`-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`);
  assert.throws(() => checkCSR(bad), /verification/);
  checkCSR(Buffer.from(`leading text\n${pem}`)); // text before the block is skipped, as pem.Decode does
});

test('signerName, usages and expirationSeconds', () => {
  assert.match(msg(validateCreate(G, 'v1', K, csr({ signerName: undefined }))), /spec\.signerName: Required value/);
  assert.match(msg(validateCreate(G, 'v1', K, csr({ signerName: 'nodomain' }))),
    /spec\.signerName: Invalid value: "nodomain": must be a fully qualified domain and path of the form 'example.com\/signer-name'/);
  assert.match(msg(validateCreate(G, 'v1', K, csr({ signerName: 'example/x' }))), /should be a domain with at least two segments separated by dots/);
  assert.match(msg(validateCreate(G, 'v1', K, csr({ signerName: 'kubernetes.io/legacy-unknown' }))), /the legacy signerName is not allowed via this API version/);
  assert.match(msg(validateCreate(G, 'v1', K, csr({ usages: [] }))), /spec\.usages: Required value/);
  assert.match(msg(validateCreate(G, 'v1', K, csr({ usages: ['client auth', 'bogus'] }))), /spec\.usages\[1\]: Unsupported value: "bogus": supported values: "any", "cert sign"/);
  assert.match(msg(validateCreate(G, 'v1', K, csr({ usages: ['client auth', 'client auth'] }))), /spec\.usages\[1\]: Duplicate value: "client auth"/);
  assert.match(msg(validateCreate(G, 'v1', K, csr({ expirationSeconds: 100 }))),
    /spec\.expirationSeconds: Invalid value: 100: may not specify a duration less than 600 seconds \(10 minutes\)/);
});

test('approval: Approved and Denied are exclusive, conditions stay, types are unique', () => {
  const approved = csr({}, { conditions: [cond('Approved')] });
  assert.equal(msg(validateCertificateApprovalUpdate(approved, csr())), '');
  const both = csr({}, { conditions: [cond('Approved'), cond('Denied')] });
  assert.match(msg(validateCertificateApprovalUpdate(both, approved)),
    /status\.conditions\[1\]\.type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive/);
  assert.match(msg(validateCertificateApprovalUpdate(csr({}, { conditions: [] }), approved)), /status\.conditions: Forbidden: updates may not remove a condition of type "Approved"/);
  const dup = csr({}, { conditions: [cond('Approved'), cond('Approved')] });
  assert.match(msg(validateCertificateApprovalUpdate(dup, approved)), /status\.conditions\[1\]\.type: Duplicate value: "Approved"/);
  assert.match(msg(validateCertificateApprovalUpdate(csr({}, { conditions: [cond('Approved', 'False')] }), csr())),
    /status\.conditions\[0\]\.status: Unsupported value: "False": supported values: "True"/);
  // stored data that already has both keeps being writable
  assert.equal(msg(validateCertificateApprovalUpdate(both, both)), '');
});

test('status: signers set the certificate and Failed, never approval', () => {
  const approved = csr({}, { conditions: [cond('Approved')] });
  const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n').toString('base64');
  const issued = csr({}, { conditions: [cond('Approved')], certificate: pem });
  assert.equal(msg(validateStatusUpdate(G, 'v1', K, issued, approved)), '');
  assert.match(msg(validateStatusUpdate(G, 'v1', K, csr({}, { conditions: [cond('Approved')], certificate: Buffer.from('junk').toString('base64') }), approved)),
    /status\.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block/);
  assert.match(msg(validateStatusUpdate(G, 'v1', K, csr({}, { conditions: [cond('Approved')], certificate: Buffer.from('x' + Buffer.from(pem, 'base64').toString()).toString('base64') }), issued)),
    /status\.certificate: Forbidden: updates may not modify existing certificate content/);
  assert.match(msg(validateStatusUpdate(G, 'v1', K, csr({}, { conditions: [cond('Denied')] }), csr())), /updates may not add a condition of type "Denied"/);
  assert.equal(msg(validateStatusUpdate(G, 'v1', K, csr({}, { conditions: [cond('Approved'), cond('Failed')] }), approved)), '');
  assert.match(msg(validateCertificateApprovalUpdate(issued, approved)), /status\.certificate: Forbidden: updates may not set certificate content/);
});

test('the spec is immutable', () => {
  assert.match(msg(validateUpdate(G, 'v1', K, csr({ expirationSeconds: 3600 }), csr())), /spec: Invalid value: .*field is immutable/);
});
