// The worker side of isolated.ts: one call, one answer, then the thread ends.
import { parentPort, workerData } from 'node:worker_threads';
import type { IsolatedCall } from './isolated.js';
import { ensureClientCert, ensurePki, ensureServingCert } from './pki.js';

async function main(call: IsolatedCall): Promise<unknown> {
  switch (call.op) {
    case 'ensurePki': return ensurePki(call.dataDir, call.opts);
    case 'ensureClientCert': return ensureClientCert(call.pki, call.fileBase, call.cn, call.orgs);
    case 'ensureServingCert': return ensureServingCert(call.pki, call.fileBase, call.cn, call.dns, call.ips);
  }
}

main(workerData as IsolatedCall).then(
  (value) => parentPort!.postMessage({ ok: true, value }),
  (e) => parentPort!.postMessage({ ok: false, error: (e as Error)?.stack ?? String(e) }),
);
