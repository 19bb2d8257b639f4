// Small request helpers the benchmarks share.
import type { Client } from '../e2e/harness.js';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** POST that must answer 201; 429/5xx under load are retried a few times, as client-go would. */
export async function post(c: Client, path: string, body: object, what: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const r = await c.request('POST', path, body);
    if (r.status === 201) return;
    if ((r.status === 429 || r.status >= 500) && attempt < 5) { await sleep(100 * 2 ** attempt); continue; }
    throw new Error(`create ${what}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  }
}
