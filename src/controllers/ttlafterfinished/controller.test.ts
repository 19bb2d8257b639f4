import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { harness, until } from '../testutil.js';
import { JOBS, TTLAfterFinishedController } from './controller.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const at = (secondsAgo: number): string => new Date(NOW - secondsAgo * 1000).toISOString().replace('.000Z', 'Z');

function job(o: { ttl?: number; finished?: 'Complete' | 'Failed'; finishedAgo?: number; deleting?: boolean } = {}): Obj {
  return {
    metadata: { name: 'pi', namespace: 'ns', uid: 'u1', ...(o.deleting ? { deletionTimestamp: at(1), finalizers: ['foregroundDeletion'] } : {}) },
    spec: { ...(o.ttl !== undefined ? { ttlSecondsAfterFinished: o.ttl } : {}), template: {} },
    status: o.finished ? { conditions: [{ type: o.finished, status: 'True', lastTransitionTime: at(o.finishedAgo ?? 0) }] } : {},
  };
}

interface Case {
  name: string;
  job?: Obj;
  /** What the server says when the controller re-reads the Job (default: the same Job). */
  fresh?: Obj;
  writes: string[];
  requeueMs?: number;
  throws?: RegExp;
}

const cases: Case[] = [
  { name: 'expired: deleted in the foreground with a uid precondition', job: job({ ttl: 100, finished: 'Complete', finishedAgo: 100 }), writes: ['delete pi Foreground u1'] },
  { name: 'failed Jobs too', job: job({ ttl: 0, finished: 'Failed', finishedAgo: 0 }), writes: ['delete pi Foreground u1'] },
  { name: 'not yet: wake when it expires', job: job({ ttl: 100, finished: 'Complete', finishedAgo: 40 }), writes: [], requeueMs: 60_000 },
  { name: 'running Jobs are ignored', job: job({ ttl: 10 }), writes: [] },
  { name: 'Jobs without a TTL are kept', job: job({ finished: 'Complete', finishedAgo: 1000 }), writes: [] },
  { name: 'Jobs being deleted are left alone', job: job({ ttl: 0, finished: 'Complete', deleting: true }), writes: [] },
  { name: 'a Job gone from the cache is nothing to do', writes: [] },
  { name: 'a TTL raised meanwhile (seen on the server) postpones', job: job({ ttl: 10, finished: 'Complete', finishedAgo: 50 }), fresh: job({ ttl: 3600, finished: 'Complete', finishedAgo: 50 }), writes: [], requeueMs: 3_550_000 },
  { name: 'a TTL removed meanwhile keeps the Job', job: job({ ttl: 10, finished: 'Complete', finishedAgo: 50 }), fresh: job({ finished: 'Complete', finishedAgo: 50 }), writes: [] },
  {
    name: 'a finished condition without a time is an error',
    job: { ...job({ ttl: 1 }), status: { conditions: [{ type: 'Complete', status: 'True' }] } },
    writes: [], throws: /unable to find the time when the Job ns\/pi finished/,
  },
];

describe('ttl-after-finished controller sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.job ? [[JOBS, c.job]] : []);
      const ctl = new TTLAfterFinishedController({ client: h.fake, jobs: h.informer(JOBS), now: () => NOW, log: silentLogger });
      const deletes: string[] = [];
      try {
        await h.sync();
        if (c.fresh) h.fake.prependReactor('get', 'jobs', () => c.fresh);
        const del = h.fake.delete.bind(h.fake) as FakeClient['delete'];
        h.fake.delete = async (res, ns, name, opts) => {
          deletes.push(`delete ${name} ${opts?.propagationPolicy} ${opts?.preconditions?.uid}`);
          return del(res, ns, name, opts);
        };
        let r: unknown;
        if (c.throws) await assert.rejects(ctl.sync('ns/pi'), c.throws);
        else r = await ctl.sync('ns/pi');
        assert.deepEqual(deletes, c.writes);
        assert.equal((r as { requeueAfterMs?: number } | undefined)?.requeueAfterMs, c.requeueMs);
      } finally {
        ctl.queue.shutdown();
        await h.close();
      }
    });
  }
});

describe('ttl-after-finished controller run', () => {
  it('deletes a Job when its TTL runs out', async () => {
    const h = harness();
    const ctl = new TTLAfterFinishedController({ client: h.fake, jobs: h.informer(JOBS), log: silentLogger });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    try {
      const now = new Date().toISOString();
      await h.fake.create(JOBS, 'ns', { metadata: { name: 'pi' }, spec: { ttlSecondsAfterFinished: 1 }, status: { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: now }] } });
      await until(() => !h.fake.object(JOBS, 'ns', 'pi'), 'job deleted', 4000);
    } finally {
      await h.close();
      await run;
    }
  });
});
