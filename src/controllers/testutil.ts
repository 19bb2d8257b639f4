// Test support for controllers: a FakeClient with shared informers over it, synced before the
// test acts, and torn down (informers stopped, timers cleared) by close().

import { findResource } from '../api/resources.js';
import type { Obj } from '../api/types.js';
import { FakeClient } from '../client/fake.js';
import { InformerFactory, type Informer } from '../client/informer.js';
import type { ResourceRef } from '../client/interface.js';
import { silentLogger } from '../client/log.js';

export const R = {
  namespaces: findResource('', 'v1', 'namespaces')!,
  configmaps: findResource('', 'v1', 'configmaps')!,
  secrets: findResource('', 'v1', 'secrets')!,
  pods: findResource('', 'v1', 'pods')!,
  serviceaccounts: findResource('', 'v1', 'serviceaccounts')!,
  events: findResource('', 'v1', 'events')!,
};

export interface Harness {
  fake: FakeClient;
  factory: InformerFactory;
  signal: AbortSignal;
  informer(res: ResourceRef): Informer;
  /** Starts informers asked for so far and waits for their caches. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export function harness(seed: [ResourceRef, Obj][] = []): Harness {
  const fake = new FakeClient();
  for (const [res, obj] of seed) fake.seed(res, obj);
  const factory = new InformerFactory(fake, { log: silentLogger });
  const ac = new AbortController();
  return {
    fake, factory, signal: ac.signal,
    informer: (res) => factory.informerFor(res),
    async sync() {
      factory.start(ac.signal);
      if (!(await factory.waitForCacheSync(ac.signal))) throw new Error('caches did not sync');
    },
    async close() {
      ac.abort();
      await factory.stopped();
    },
  };
}

export function ns(name: string, extra: { terminating?: boolean; phase?: string; finalizers?: string[]; deletedAt?: string } = {}): Obj {
  const o: Obj = {
    metadata: { name, ...(extra.terminating ? { deletionTimestamp: extra.deletedAt ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z') } : {}) },
    spec: { finalizers: extra.finalizers ?? ['kubernetes'] },
    status: { phase: extra.phase ?? (extra.terminating ? 'Terminating' : 'Active') },
  };
  return o;
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
