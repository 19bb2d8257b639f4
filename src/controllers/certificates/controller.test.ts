import assert from 'node:assert/strict';
import { X509Certificate, webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { silentLogger } from '../../client/log.js';
import { createCA, type CertKeyPem } from '../../pki/certs.js';
import { loadX509 } from '../../pki/x509.js';
import { harness } from '../testutil.js';
import { CSRS, CSRSigningController, KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET } from './controller.js';
import { certDuration, DEFAULT_DURATION_MS, MIN_DURATION_MS } from './sign.js';

let CA: CertKeyPem;
const requests = new Map<string, string>(); // subject → base64 PEM CSR

async function makeRequest(subject: string, dns?: string[]): Promise<string> {
  const x = await loadX509();
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions = dns ? [new x.SubjectAlternativeNameExtension(dns.map((value) => ({ type: 'dns' as const, value })))] : [];
  const csr = await x.Pkcs10CertificateRequestGenerator.create({ name: subject, keys, signingAlgorithm: alg, extensions });
  return Buffer.from(csr.toString('pem')).toString('base64');
}

before(async () => {
  CA = await createCA('test-ca', 3650);
  for (const s of ['CN=jane, O=devs', 'CN=system:node:n1, O=system:nodes', 'CN=system:node:n1, O=devs']) requests.set(s, await makeRequest(s));
  requests.set('san', await makeRequest('CN=system:node:n1, O=system:nodes', ['n1.example']));
});

const cond = (type: string) => ({ type, status: 'True', reason: 'R', message: 'm' });
function csr(o: { subject?: string; signer?: string; usages?: string[]; conditions?: string[]; certificate?: string; expirationSeconds?: number } = {}): Obj {
  return {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'c' },
    spec: {
      request: requests.get(o.subject ?? 'CN=jane, O=devs'), signerName: o.signer ?? KUBE_APISERVER_CLIENT, usages: o.usages ?? ['client auth'],
      ...(o.expirationSeconds ? { expirationSeconds: o.expirationSeconds } : {}),
    },
    status: { conditions: (o.conditions ?? ['Approved']).map(cond), ...(o.certificate ? { certificate: o.certificate } : {}) },
  };
}

function issued(o: Obj): X509Certificate {
  assert.ok(o.status.certificate, 'no certificate');
  const cert = new X509Certificate(Buffer.from(o.status.certificate, 'base64'));
  assert.ok(cert.verify(new X509Certificate(CA.cert).publicKey), 'not signed by the CA');
  assert.equal(cert.checkIssued(new X509Certificate(CA.cert)), true);
  return cert;
}

interface Case { name: string; obj: () => Obj; writes: string[]; want?: (o: Obj) => void }

const cases: Case[] = [
  {
    name: 'an approved client request is issued for its expirationSeconds',
    obj: () => csr({ usages: ['client auth', 'digital signature', 'key encipherment'], expirationSeconds: 86400 }),
    writes: ['update c/status'],
    want: (o) => {
      const cert = issued(o);
      assert.equal(cert.subject, 'CN=jane\nO=devs');
      assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
      assert.equal(cert.ca, false);
      const span = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
      assert.equal(span, 86400_000, 'one day, backdated 5 minutes at both ends');
      assert.ok(Math.abs(Date.parse(cert.validFrom) - (Date.now() - 300_000)) < 60_000);
    },
  },
  { name: 'pending: nothing', obj: () => csr({ conditions: [] }), writes: [] },
  { name: 'denied: nothing', obj: () => csr({ conditions: ['Denied'] }), writes: [] },
  { name: 'failed: nothing', obj: () => csr({ conditions: ['Approved', 'Failed'] }), writes: [] },
  { name: 'already issued: nothing', obj: () => csr({ certificate: 'Zm9v' }), writes: [] },
  { name: 'kubelet-serving belongs to another signer', obj: () => csr({ signer: 'kubernetes.io/kubelet-serving', usages: ['server auth'] }), writes: [] },
  { name: 'someone else\'s signer', obj: () => csr({ signer: 'example.com/x' }), writes: [] },
  {
    name: 'a client request asking for server auth fails',
    obj: () => csr({ usages: ['client auth', 'server auth'] }),
    writes: ['update c/status'],
    want: (o) => {
      const f = o.status.conditions.find((c: Obj) => c.type === 'Failed');
      assert.deepEqual([f.status, f.reason, f.message], ['True', 'SignerValidationFailure', 'invalid usage for client certificate: server auth']);
      assert.equal(o.status.certificate, undefined);
    },
  },
  {
    name: 'a client request without client auth fails',
    obj: () => csr({ usages: ['digital signature'] }),
    writes: ['update c/status'],
    want: (o) => assert.equal(o.status.conditions[1].message, 'missing required usage for client certificate: client auth'),
  },
  {
    name: 'a kubelet client request is issued',
    obj: () => csr({ signer: KUBE_APISERVER_CLIENT_KUBELET, subject: 'CN=system:node:n1, O=system:nodes', usages: ['digital signature', 'client auth'] }),
    writes: ['update c/status'],
    want: (o) => assert.equal(issued(o).subject, 'CN=system:node:n1\nO=system:nodes'),
  },
  {
    name: 'a kubelet client request outside system:nodes fails',
    obj: () => csr({ signer: KUBE_APISERVER_CLIENT_KUBELET, subject: 'CN=system:node:n1, O=devs', usages: ['digital signature', 'client auth'] }),
    writes: ['update c/status'],
    want: (o) => assert.equal(o.status.conditions[1].message, 'subject organization is not system:nodes'),
  },
  {
    name: 'a kubelet client request with DNS names fails',
    obj: () => csr({ signer: KUBE_APISERVER_CLIENT_KUBELET, subject: 'san', usages: ['digital signature', 'client auth'] }),
    writes: ['update c/status'],
    want: (o) => assert.equal(o.status.conditions[1].message, 'DNS subjectAltNames are not allowed'),
  },
  {
    name: 'a kubelet client request with other usages fails',
    obj: () => csr({ signer: KUBE_APISERVER_CLIENT_KUBELET, subject: 'CN=system:node:n1, O=system:nodes', usages: ['client auth'] }),
    writes: ['update c/status'],
    want: (o) => assert.equal(o.status.conditions[1].message, 'usages did not match [client auth digital signature key encipherment]'),
  },
];

describe('csr signing sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness([[CSRS, c.obj()]]);
      try {
        const ctl = new CSRSigningController({ client: h.fake, csrs: h.informer(CSRS), ca: CA, log: silentLogger });
        await h.sync();
        h.fake.clearActions();
        await ctl.sync('c');
        assert.deepEqual(h.fake.writes().map((a) => `${a.verb} ${a.name}${a.subresource ? `/${a.subresource}` : ''}`), c.writes);
        c.want?.(h.fake.object(CSRS, '', 'c')!);
        ctl.queue.shutdown();
      } finally {
        await h.close();
      }
    });
  }

  it('a missing CSR is no work', async () => {
    const h = harness();
    try {
      const ctl = new CSRSigningController({ client: h.fake, csrs: h.informer(CSRS), ca: CA, log: silentLogger });
      await h.sync();
      await ctl.sync('gone');
      assert.deepEqual(h.fake.writes(), []);
      ctl.queue.shutdown();
    } finally {
      await h.close();
    }
  });
});

describe('certificate duration', () => {
  it('honours expirationSeconds between 10 minutes and the signer TTL', () => {
    assert.equal(certDuration(undefined), DEFAULT_DURATION_MS);
    assert.equal(certDuration(3600), 3_600_000);
    assert.equal(certDuration(60), MIN_DURATION_MS);
    assert.equal(certDuration(10 * 365 * 86400), DEFAULT_DURATION_MS);
    assert.equal(certDuration(7200, 3_600_000), 3_600_000);
  });
});
