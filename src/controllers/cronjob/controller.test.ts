import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alreadyExists } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { R, harness, until } from '../testutil.js';
import { CRONJOBS, CronJobController, JOBS } from './controller.js';

const T = (s: string): number => Date.parse(s);
const NS = 'ns';
const CJ_UID = 'cj-uid';
const minutes = (iso: string): number => Math.floor(T(iso) / 60000);

function cronJob(spec: Obj = {}, status: Obj = {}, meta: Obj = {}): Obj {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: 'tick', namespace: NS, uid: CJ_UID, creationTimestamp: '2024-01-01T10:00:30Z', ...meta },
    spec: {
      schedule: '* * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: { app: 'tick' }, annotations: { note: 'x' } },
        spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } },
      },
      ...spec,
    },
    status,
  };
}

interface JobOpts { finished?: 'Complete' | 'Failed'; started?: string; completed?: string; manual?: boolean; uid?: string }

function job(name: string, o: JobOpts = {}): Obj {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name, namespace: NS, uid: o.uid ?? `uid-${name}`,
      ...(o.manual ? { annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' } } : {}),
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: CJ_UID, controller: true, ...(o.manual ? {} : { blockOwnerDeletion: true }) }],
    },
    spec: { template: { spec: { containers: [] } } },
    status: {
      ...(o.started ? { startTime: o.started } : {}),
      ...(o.completed ? { completionTime: o.completed } : {}),
      ...(o.finished ? { conditions: [{ type: o.finished, status: 'True' }] } : {}),
    },
  };
}

const ref = (name: string): Obj => ({ kind: 'Job', namespace: NS, name, uid: `uid-${name}`, apiVersion: 'batch/v1' });

interface Case {
  name: string;
  cj: Obj;
  jobs?: Obj[];
  now: string;
  react?: (fake: FakeClient) => void;
  writes?: string[];
  requeueMs?: number;
  active?: string[];
  status?: Obj;
  events?: string[];
  check?: (fake: FakeClient) => void;
  throws?: RegExp;
}

const cases: Case[] = [
  { name: 'before the first activation: nothing, wake at it', cj: cronJob(), now: '2024-01-01T10:00:50Z', writes: [], requeueMs: 10_100 },
  {
    name: 'an activation is due: one Job named by its minute, owned by the CronJob',
    cj: cronJob(), now: '2024-01-01T10:01:05Z',
    writes: [`create jobs tick-${minutes('2024-01-01T10:01:00Z')}`, 'update cronjobs/status tick'],
    requeueMs: 55_100,
    active: [`tick-${minutes('2024-01-01T10:01:00Z')}`],
    status: { lastScheduleTime: '2024-01-01T10:01:00Z' },
    events: [`Normal SuccessfulCreate Created job tick-${minutes('2024-01-01T10:01:00Z')}`],
    check: (fake) => {
      const j = fake.object(JOBS, NS, `tick-${minutes('2024-01-01T10:01:00Z')}`)!;
      assert.deepEqual(j.metadata.labels, { app: 'tick' });
      assert.deepEqual(j.metadata.annotations, { note: 'x', 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2024-01-01T10:01:00Z' });
      assert.deepEqual(j.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: CJ_UID, controller: true, blockOwnerDeletion: true }]);
      assert.equal(j.spec.template.spec.restartPolicy, 'OnFailure');
    },
  },
  { name: 'an activation already started is not started again', cj: cronJob({}, { lastScheduleTime: '2024-01-01T10:01:00Z' }), now: '2024-01-01T10:01:30Z', writes: [], requeueMs: 30_100 },
  { name: 'suspended: nothing and no wake-up', cj: cronJob({ suspend: true }), now: '2024-01-01T10:05:00Z', writes: [], requeueMs: undefined },
  {
    name: 'Forbid with a running Job skips the activation',
    cj: cronJob({ concurrencyPolicy: 'Forbid' }, { active: [ref('tick-1')], lastScheduleTime: '2024-01-01T10:01:00Z' }),
    jobs: [job('tick-1')], now: '2024-01-01T10:02:05Z', writes: [], requeueMs: 55_100,
    events: ['Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'],
  },
  {
    name: 'Replace deletes the running Job and starts the new one',
    cj: cronJob({ concurrencyPolicy: 'Replace' }, { active: [ref('tick-1')], lastScheduleTime: '2024-01-01T10:01:00Z' }),
    jobs: [job('tick-1')], now: '2024-01-01T10:02:05Z',
    writes: ['delete jobs tick-1', `create jobs tick-${minutes('2024-01-01T10:02:00Z')}`, 'update cronjobs/status tick'],
    active: [`tick-${minutes('2024-01-01T10:02:00Z')}`],
    events: ['Normal SuccessfulDelete Deleted job tick-1', `Normal SuccessfulCreate Created job tick-${minutes('2024-01-01T10:02:00Z')}`],
  },
  {
    name: 'Allow runs them side by side',
    cj: cronJob({}, { active: [ref('tick-1')], lastScheduleTime: '2024-01-01T10:01:00Z' }),
    jobs: [job('tick-1')], now: '2024-01-01T10:02:05Z',
    writes: [`create jobs tick-${minutes('2024-01-01T10:02:00Z')}`, 'update cronjobs/status tick'],
    active: ['tick-1', `tick-${minutes('2024-01-01T10:02:00Z')}`],
  },
  {
    name: 'a finished Job leaves status.active and sets lastSuccessfulTime',
    cj: cronJob({}, { active: [ref('tick-1')], lastScheduleTime: '2024-01-01T10:01:00Z' }),
    jobs: [job('tick-1', { finished: 'Complete', started: '2024-01-01T10:01:01Z', completed: '2024-01-01T10:01:09Z' })],
    now: '2024-01-01T10:01:30Z', writes: ['update cronjobs/status tick'], active: [],
    status: { lastSuccessfulTime: '2024-01-01T10:01:09Z' },
    events: ['Normal SawCompletedJob Saw completed job: tick-1, condition: Complete'],
  },
  {
    name: 'a job from `kubectl create job --from=cronjob/tick` is reported, never made active',
    cj: cronJob({}, { lastScheduleTime: '2024-01-01T10:01:00Z' }),
    jobs: [job('manual', { manual: true })], now: '2024-01-01T10:01:30Z', writes: [], active: [],
    events: ['Warning UnexpectedJob Saw a job that the controller did not create or forgot: manual'],
  },
  {
    name: 'a finished manual Job counts for lastSuccessfulTime',
    cj: cronJob({}, { lastScheduleTime: '2024-01-01T10:01:00Z' }),
    jobs: [job('manual', { manual: true, finished: 'Complete', completed: '2024-01-01T10:01:20Z' })], now: '2024-01-01T10:01:30Z',
    writes: ['update cronjobs/status tick'], status: { lastSuccessfulTime: '2024-01-01T10:01:20Z' }, events: [],
  },
  {
    name: 'an active Job that is gone is dropped',
    cj: cronJob({}, { active: [ref('gone')], lastScheduleTime: '2024-01-01T10:01:00Z' }),
    now: '2024-01-01T10:01:30Z', writes: ['update cronjobs/status tick'], active: [],
    events: ['Normal MissingJob Active job went missing: gone'],
  },
  {
    name: 'history limits delete the oldest finished Jobs',
    cj: cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }, { lastScheduleTime: '2024-01-01T10:03:00Z' }),
    jobs: [
      job('ok-1', { finished: 'Complete', started: '2024-01-01T10:01:00Z', completed: '2024-01-01T10:01:05Z' }),
      job('ok-3', { finished: 'Complete', started: '2024-01-01T10:03:00Z', completed: '2024-01-01T10:03:05Z' }),
      job('ok-2', { finished: 'Complete', started: '2024-01-01T10:02:00Z', completed: '2024-01-01T10:02:05Z' }),
      job('bad', { finished: 'Failed', started: '2024-01-01T10:00:00Z' }),
    ],
    now: '2024-01-01T10:03:30Z',
    writes: ['delete jobs ok-1', 'delete jobs ok-2', 'delete jobs bad', 'update cronjobs/status tick'],
    status: { lastSuccessfulTime: '2024-01-01T10:03:05Z' },
  },
  {
    name: 'spec.timeZone: the schedule runs in that zone and the annotation carries its offset',
    cj: cronJob({ schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }, {}, { creationTimestamp: '2023-12-31T12:00:00Z' }),
    now: '2024-01-01T00:00:30Z',
    writes: [`create jobs tick-${minutes('2024-01-01T00:00:00Z')}`, 'update cronjobs/status tick'],
    check: (fake) => {
      const j = fake.object(JOBS, NS, `tick-${minutes('2024-01-01T00:00:00Z')}`)!;
      assert.equal(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-01-01T09:00:00+09:00');
    },
    requeueMs: 24 * 3600_000 - 30_000 + 100,
  },
  {
    name: 'an unknown time zone is reported and nothing runs',
    cj: cronJob({ timeZone: 'Mars/Olympus' }), now: '2024-01-01T10:05:00Z', writes: [], requeueMs: undefined,
    events: ['Warning UnknownTimeZone invalid timeZone: "Mars/Olympus": unknown time zone Mars/Olympus'],
  },
  {
    name: 'a TZ= prefix (allowed on old objects) works, with a warning',
    cj: cronJob({ schedule: 'TZ=UTC * * * * *' }), now: '2024-01-01T10:01:05Z',
    writes: [`create jobs tick-${minutes('2024-01-01T10:01:00Z')}`, 'update cronjobs/status tick'],
    events: [
      'Warning UnsupportedSchedule CRON_TZ or TZ used in schedule "TZ=UTC * * * * *" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details',
      `Normal SuccessfulCreate Created job tick-${minutes('2024-01-01T10:01:00Z')}`,
    ],
  },
  {
    name: 'too many missed activations: a warning, then only the latest runs',
    cj: cronJob(), now: '2024-01-01T13:00:10Z',
    writes: [`create jobs tick-${minutes('2024-01-01T13:00:00Z')}`, 'update cronjobs/status tick'],
    events: [
      'Warning TooManyMissedTimes too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      `Normal SuccessfulCreate Created job tick-${minutes('2024-01-01T13:00:00Z')}`,
    ],
  },
  {
    name: 'startingDeadlineSeconds: activations older than the deadline are skipped',
    cj: cronJob({ startingDeadlineSeconds: 10 }), now: '2024-01-01T10:01:40Z', writes: [], requeueMs: 20_100,
  },
  {
    name: 'a schedule that never fires is reported',
    cj: cronJob({ schedule: '0 0 31 2 *' }), now: '2024-06-01T00:00:00Z', writes: [], requeueMs: undefined,
    events: ['Warning InvalidSchedule invalid schedule: 0 0 31 2 * : time difference between two schedules is less than 1 second'],
  },
  {
    name: 'the Job exists already (the status update was lost): it becomes active without a second create event',
    cj: cronJob(), now: '2024-01-01T10:01:05Z',
    react: (fake) => {
      fake.seed(JOBS, { ...job(`tick-${minutes('2024-01-01T10:01:00Z')}`) });
      fake.prependReactor('create', 'jobs', () => { throw alreadyExists('batch', 'jobs', 'x'); });
    },
    writes: [`create jobs tick-${minutes('2024-01-01T10:01:00Z')}`, 'update cronjobs/status tick'],
    active: [`tick-${minutes('2024-01-01T10:01:00Z')}`], events: [],
  },
  {
    name: 'a CronJob being deleted starts nothing',
    cj: cronJob({}, {}, { deletionTimestamp: '2024-01-01T10:00:59Z', finalizers: ['x'] }), now: '2024-01-01T10:01:05Z', writes: [], requeueMs: undefined,
  },
];

function describeWrite(a: { verb: string; resource: string; subresource?: string; name?: string; object?: Obj }): string {
  return `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''} ${a.name ?? a.object?.metadata?.name}`;
}

describe('cronjob controller sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const seed: [ResourceRef, Obj][] = [[CRONJOBS, c.cj], ...(c.jobs ?? []).map((j): [ResourceRef, Obj] => [JOBS, j])];
      const h = harness(seed);
      const ctl = new CronJobController({ client: h.fake, cronJobs: h.informer(CRONJOBS), jobs: h.informer(JOBS), now: () => T(c.now), localTimeZone: 'UTC', log: silentLogger });
      try {
        await h.sync();
        h.fake.clearActions();
        c.react?.(h.fake);
        const r = await ctl.sync(`${NS}/tick`);
        await ctl.recorder.flush();
        const writes = h.fake.writes().filter((a) => a.resource !== 'events');
        if (c.writes) assert.deepEqual(writes.map(describeWrite), c.writes);
        if ('requeueMs' in c) assert.equal(r ? r.requeueAfterMs : undefined, c.requeueMs);
        const stored = h.fake.object(CRONJOBS, NS, 'tick')!;
        if (c.active) assert.deepEqual((stored.status?.active ?? []).map((x: Obj) => x.name), c.active);
        for (const [k, v] of Object.entries(c.status ?? {})) assert.deepEqual(stored.status?.[k], v, `status.${k}`);
        if (c.events) assert.deepEqual(h.fake.objects(R.events, NS).map((e) => `${e.type} ${e.reason} ${e.message}`), c.events);
        c.check?.(h.fake);
      } finally {
        ctl.queue.shutdown();
        await h.close();
      }
    });
  }
});

describe('cronjob controller run', () => {
  it('wakes at the activation without polling and records the Job', async () => {
    const h = harness();
    const ctl = new CronJobController({ client: h.fake, cronJobs: h.informer(CRONJOBS), jobs: h.informer(JOBS), log: silentLogger, localTimeZone: 'UTC' });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    try {
      const created = new Date(Date.now() - 1000).toISOString().replace(/\.\d+Z$/, 'Z');
      await h.fake.create(CRONJOBS, NS, cronJob({ schedule: '@every 2s' }, {}, { creationTimestamp: created }));
      await until(() => !!h.fake.object(CRONJOBS, NS, 'tick')?.status?.lastScheduleTime, 'first activation', 5000);
      const jobs = h.fake.objects(JOBS, NS);
      assert.equal(jobs.length, 1);
      assert.deepEqual(h.fake.object(CRONJOBS, NS, 'tick')!.status.active.map((a: Obj) => a.name), [jobs[0].metadata.name]);
      // Between activations the controller only reads its caches: no API calls at all.
      const before = h.fake.actions.filter((a) => a.verb !== 'watch' && a.resource !== 'events').length;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(h.fake.actions.filter((a) => a.verb !== 'watch' && a.resource !== 'events').length, before);
    } finally {
      await h.close();
      await run;
    }
  });
});
