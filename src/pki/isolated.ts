// Certificate creation in a short-lived worker thread. Creating certificates needs
// @peculiar/x509 and its dependencies; once imported, a module stays in its isolate for
// good (~10 MB of code, sources and heap). A worker that exits takes all of that with it,
// so a long-running process that creates certificates only at start-up (or when a node
// joins) does not carry the library for ever.
import { Worker } from 'node:worker_threads';
import type { CertKeyPem } from './certs.js';
import type { Pki, PkiOptions } from './pki.js';

export type IsolatedCall =
  | { op: 'ensurePki'; dataDir: string; opts: PkiOptions }
  | { op: 'ensureClientCert'; pki: Pki; fileBase: string; cn: string; orgs: string[] }
  | { op: 'ensureServingCert'; pki: Pki; fileBase: string; cn: string; dns: string[]; ips: string[] };

function run<T>(call: IsolatedCall): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w = new Worker(new URL('./isolated-worker.js', import.meta.url), { workerData: call });
    let settled = false;
    w.once('message', (m: { ok: true; value: T } | { ok: false; error: string }) => {
      settled = true;
      if (m.ok) resolve(m.value); else reject(new Error(m.error));
    });
    w.once('error', (e) => { settled = true; reject(e); });
    w.once('exit', (code) => { if (!settled) reject(new Error(`certificate worker exited with code ${code}`)); });
  });
}

/** ensurePki (pki.ts) in a worker thread. */
export function ensurePkiIsolated(dataDir: string, opts: PkiOptions = {}): Promise<Pki> {
  return run<Pki>({ op: 'ensurePki', dataDir, opts });
}

/** ensureClientCert (pki.ts) in a worker thread. */
export function ensureClientCertIsolated(pki: Pki, fileBase: string, cn: string, orgs: string[] = []): Promise<CertKeyPem> {
  return run<CertKeyPem>({ op: 'ensureClientCert', pki, fileBase, cn, orgs });
}

/** ensureServingCert (pki.ts) in a worker thread. */
export function ensureServingCertIsolated(pki: Pki, fileBase: string, cn: string, dns: string[], ips: string[]): Promise<CertKeyPem> {
  return run<CertKeyPem>({ op: 'ensureServingCert', pki, fileBase, cn, dns, ips });
}
