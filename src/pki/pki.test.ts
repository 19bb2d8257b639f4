import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:tls';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { ensurePki, ensureClientCert } from './pki.js';
import { kubeconfigYaml } from './kubeconfig.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'skiff-pki-'));
}

test('first start creates everything quickly; later starts reuse it', async () => {
  const dir = tempDir();
  try {
    const t0 = performance.now();
    const a = await ensurePki(dir, { serviceCIDR: '10.43.0.0/16' });
    const first = performance.now() - t0;
    assert.ok(first < 1000, `first start took ${first} ms`);
    assert.deepEqual(a.created.map((c) => c.split(' ')[0]).sort(),
      ['admin', 'apiserver-kubelet-client', 'ca', 'controller-manager', 'sa', 'scheduler', 'server']);

    const t1 = performance.now();
    const b = await ensurePki(dir, { serviceCIDR: '10.43.0.0/16' });
    const second = performance.now() - t1;
    assert.deepEqual(b.created, []);
    assert.equal(b.ca.cert, a.ca.cert);
    assert.equal(b.serving.cert, a.serving.cert);
    assert.equal(b.clients.admin.key, a.clients.admin.key);
    assert.ok(second < 200, `reuse took ${second} ms`);

    // private keys are readable by the owner only
    assert.equal(statSync(join(dir, 'pki', 'ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'pki', 'sa.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'pki')).mode & 0o777, 0o700);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('certificates carry the identities and SANs Kubernetes clients expect', async () => {
  const dir = tempDir();
  try {
    const p = await ensurePki(dir, { serviceCIDR: '10.44.0.0/16', extraSANs: ['skiff.example', '127.0.0.9'] });
    const ca = new X509Certificate(p.ca.cert);
    assert.equal(ca.ca, true);
    const srv = new X509Certificate(p.serving.cert);
    assert.ok(srv.verify(ca.publicKey));
    for (const h of ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local', hostname().toLowerCase(), 'skiff.example']) {
      assert.equal(srv.checkHost(h, { subject: 'never' }), h, `SAN ${h}`);
    }
    for (const ip of ['127.0.0.1', '10.44.0.1', '127.0.0.9']) assert.equal(srv.checkIP(ip), ip, `SAN ${ip}`);
    assert.equal(srv.checkIP('10.43.0.1'), undefined);
    assert.ok(srv.keyUsage?.includes('1.3.6.1.5.5.7.3.1'), 'serverAuth');

    const admin = new X509Certificate(p.clients.admin.cert);
    assert.match(admin.subject, /CN=system:admin/);
    assert.match(admin.subject, /O=system:masters/);
    assert.ok(admin.keyUsage?.includes('1.3.6.1.5.5.7.3.2'), 'clientAuth');
    assert.match(new X509Certificate(p.clients['controller-manager'].cert).subject, /^CN=system:kube-controller-manager$/);
    assert.match(new X509Certificate(p.clients.scheduler.cert).subject, /^CN=system:kube-scheduler$/);
    assert.equal(new X509Certificate(p.clients['apiserver-kubelet-client'].cert).subject, 'O=system:masters\nCN=kube-apiserver-kubelet-client');
    // CA lives 10 years, leaves one
    const years = (c: X509Certificate) => (Date.parse(c.validTo) - Date.now()) / (365 * 86_400_000);
    assert.ok(years(ca) > 9.9 && years(srv) > 0.9 && years(srv) < 1.1);

    // the ServiceAccount key pair signs and verifies (ES256)
    const sig = sign('sha256', Buffer.from('x'), { key: createPrivateKey(p.serviceAccount.privateKeyPem), dsaEncoding: 'ieee-p1363' });
    assert.ok(verify('sha256', Buffer.from('x'), { key: createPublicKey(p.serviceAccount.publicKeyPem), dsaEncoding: 'ieee-p1363' }, sig));

    const node = await ensureClientCert(p, 'node-a', 'system:node:a', ['system:nodes']);
    assert.match(new X509Certificate(node.cert).subject, /CN=system:node:a/);
    assert.equal((await ensureClientCert(p, 'node-a', 'system:node:a', ['system:nodes'])).cert, node.cert);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a mutual TLS handshake works with the issued serving and client certificates', async () => {
  const dir = tempDir();
  const p = await ensurePki(dir);
  const server = createServer({ cert: p.serving.cert, key: p.serving.key, ca: p.ca.cert, requestCert: true, rejectUnauthorized: true },
    (s) => { s.end((s.getPeerCertificate().subject as { CN?: string }).CN ?? ''); });
  try {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const got = await new Promise<string>((resolve, reject) => {
      const c = connect({ port, host: '127.0.0.1', servername: 'kubernetes.default.svc', ca: p.ca.cert,
        cert: p.clients.admin.cert, key: p.clients.admin.key }, () => {
        let out = '';
        c.setEncoding('utf8').on('data', (d) => (out += d)).on('end', () => resolve(out));
      });
      c.on('error', reject);
    });
    assert.equal(got, 'system:admin');
  } finally {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
});

test('re-issues what no longer fits: SANs, CA change, broken files', async () => {
  const dir = tempDir();
  try {
    const a = await ensurePki(dir);
    // a new address to cover re-issues only the serving cert
    const b = await ensurePki(dir, { extraSANs: ['10.9.8.7'] });
    assert.deepEqual(b.created, ['server (does not cover 10.9.8.7)']);
    assert.notEqual(b.serving.cert, a.serving.cert);
    assert.equal(b.clients.admin.cert, a.clients.admin.cert);
    // a corrupt leaf is replaced
    writeFileSync(join(dir, 'pki', 'scheduler.crt'), 'garbage');
    const c = await ensurePki(dir, { extraSANs: ['10.9.8.7'] });
    assert.equal(c.created.length, 1);
    assert.match(c.created[0], /^scheduler \(unreadable/);
    // a mismatched key is replaced
    writeFileSync(join(dir, 'pki', 'admin.key'), readFileSync(join(dir, 'pki', 'scheduler.key')));
    assert.deepEqual((await ensurePki(dir, { extraSANs: ['10.9.8.7'] })).created, ['admin (key does not match)']);
    // a new CA re-issues every leaf
    rmSync(join(dir, 'pki', 'ca.key'));
    const d = await ensurePki(dir, { extraSANs: ['10.9.8.7'] });
    assert.equal(d.created.length, 6);
    assert.ok(d.created.includes('server (not signed by the current CA)'));
    assert.notEqual(d.ca.cert, a.ca.cert);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubeconfig embeds the credentials', () => {
  const y = kubeconfigYaml({ server: 'https://127.0.0.1:6443', ca: 'CA', cert: 'CERT', key: 'KEY' });
  assert.match(y, /certificate-authority-data: Q0E=/);
  assert.match(y, /server: https:\/\/127\.0\.0\.1:6443/);
  assert.match(y, /current-context: default/);
  assert.match(y, /client-key-data: S0VZ/);
});
