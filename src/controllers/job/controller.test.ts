import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { withStrategicMetadataPatches } from '../common/testing.js';
import { R, harness, until } from '../testutil.js';
import { JOBS, JobController } from './controller.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const at = (secondsAgo: number): string => new Date(NOW - secondsAgo * 1000).toISOString().replace('.000Z', 'Z');
const FIN = 'batch.kubernetes.io/job-tracking';
const UID = 'job-uid-1';
const NS = 'ns';

function job(spec: Obj = {}, status: Obj = {}, meta: Obj = {}): Obj {
  const labels = { 'batch.kubernetes.io/controller-uid': UID, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': UID, 'job-name': 'pi' };
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'pi', namespace: NS, uid: UID, generation: 1, creationTimestamp: at(600), ...meta },
    spec: {
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
      ...spec,
    },
    status,
  };
}

interface PodOpts {
  phase?: string;
  ready?: boolean;
  finalizer?: boolean;
  index?: number;
  owned?: boolean;
  deleting?: boolean;
  exitCode?: number;
  finishedAgo?: number;
  conditions?: Obj[];
  annotations?: Record<string, string>;
  restarts?: number;
}

function pod(name: string, o: PodOpts = {}): Obj {
  const phase = o.phase ?? 'Running';
  const annotations: Record<string, string> = { ...(o.annotations ?? {}) };
  const labels: Record<string, string> = { 'batch.kubernetes.io/controller-uid': UID, 'batch.kubernetes.io/job-name': 'pi' };
  if (o.index !== undefined) {
    annotations['batch.kubernetes.io/job-completion-index'] = String(o.index);
    labels['batch.kubernetes.io/job-completion-index'] = String(o.index);
  }
  const terminated = phase === 'Succeeded' || phase === 'Failed'
    ? { terminated: { exitCode: o.exitCode ?? (phase === 'Failed' ? 1 : 0), finishedAt: at(o.finishedAgo ?? 30) } }
    : { running: { startedAt: at(60) } };
  return {
    metadata: {
      name, namespace: NS, uid: `uid-${name}`, creationTimestamp: at(120), labels, annotations,
      ...(o.owned === false ? {} : { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: UID, controller: true, blockOwnerDeletion: true }] }),
      ...(o.finalizer === false ? {} : { finalizers: [FIN] }),
      ...(o.deleting ? { deletionTimestamp: at(1), deletionGracePeriodSeconds: 30 } : {}),
    },
    spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'busybox' }] },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: at(o.finishedAgo ?? 30) }, ...(o.conditions ?? [])],
      containerStatuses: [{ name: 'main', restartCount: o.restarts ?? 0, state: terminated }],
    },
  };
}

interface Case {
  name: string;
  job: Obj;
  pods?: Obj[];
  react?: (fake: FakeClient) => void;
  /** Writes as "verb resource[/sub] name" (events excluded). */
  writes?: string[];
  /** Expected subset of the stored Job's status. */
  status?: Obj;
  /** Expected condition types in order (with reasons). */
  conditions?: string[];
  events?: string[];
  /** Extra checks on the fake after the sync. */
  check?: (fake: FakeClient) => void;
  throws?: RegExp;
}

const created = (fake: FakeClient): Obj[] => fake.writes().filter((a) => a.verb === 'create' && a.resource === 'pods').map((a) => a.object!);

const cases: Case[] = [
  {
    name: 'a new Job starts min(parallelism, completions) pods with the tracking finalizer',
    job: job({ completions: 3, parallelism: 2 }),
    writes: ['create pods', 'create pods', 'update jobs/status pi'],
    status: { active: 2, ready: 0, terminating: 0, startTime: at(0), uncountedTerminatedPods: {} },
    events: ['Normal SuccessfulCreate Created pod: pi-', 'Normal SuccessfulCreate Created pod: pi-'],
    check: (fake) => {
      const p = created(fake)[0];
      assert.equal(p.metadata.generateName, 'pi-');
      assert.deepEqual(p.metadata.finalizers, [FIN]);
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: UID, controller: true, blockOwnerDeletion: true }]);
      assert.equal(p.metadata.labels['batch.kubernetes.io/job-name'], 'pi');
    },
  },
  {
    name: 'a succeeded pod is counted through uncountedTerminatedPods, then its finalizer goes',
    job: job({ completions: 2, parallelism: 2 }, { active: 2, ready: 1, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Succeeded' }), pod('b', { ready: true })],
    writes: ['update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    status: { active: 1, ready: 1, succeeded: 1, uncountedTerminatedPods: {} },
    check: (fake) => {
      assert.deepEqual(fake.writes()[0].object!.status.uncountedTerminatedPods, { succeeded: ['uid-a'] });
      assert.equal(fake.object(R.pods, NS, 'a')!.metadata.finalizers, undefined);
    },
  },
  {
    name: 'reaching completions adds SuccessCriteriaMet then Complete (1.32) and a Completed event',
    job: job({ completions: 1 }, { active: 1, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Succeeded' })],
    writes: ['update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    status: { succeeded: 1, completionTime: at(0), ready: 0, terminating: 0 },
    conditions: ['SuccessCriteriaMet/CompletionsReached', 'Complete/CompletionsReached'],
    events: ['Normal Completed Job completed'],
    check: (fake) => {
      const c = fake.object(JOBS, NS, 'pi')!.status.conditions[1];
      assert.equal(c.message, 'Reached expected number of succeeded pods');
      assert.equal(fake.object(JOBS, NS, 'pi')!.status.active, undefined, 'zero active is omitted');
    },
  },
  {
    name: 'failures beyond backoffLimit fail the Job: FailureTarget, then Failed, with the event',
    job: job({ backoffLimit: 0 }, { active: 1, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Failed' })],
    writes: ['update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    status: { failed: 1 },
    conditions: ['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded'],
    events: ['Warning BackoffLimitExceeded Job has reached the specified backoff limit'],
  },
  {
    name: 'a failing Job deletes its running pods and waits for them before Failed',
    job: job({ backoffLimit: 0, parallelism: 2, completions: 2 }, { active: 2, ready: 1, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Failed' }), pod('b', { ready: true })],
    writes: ['delete pods b', 'update jobs/status pi', 'patch pods a', 'patch pods b', 'update jobs/status pi'],
    status: { failed: 2, terminating: 1, ready: 0 },
    conditions: ['FailureTarget/BackoffLimitExceeded'],
    events: ['Normal SuccessfulDelete Deleted pod: b'],
  },
  {
    name: 'the Failed condition follows once nothing terminates any more',
    job: job({ backoffLimit: 0 }, {
      failed: 2, ready: 0, terminating: 1, startTime: at(100), uncountedTerminatedPods: {},
      conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastProbeTime: at(10), lastTransitionTime: at(10) }],
    }),
    // The changed terminating count is flushed first, the terminal condition after (as upstream).
    writes: ['update jobs/status pi', 'update jobs/status pi'],
    status: { failed: 2, terminating: 0 },
    conditions: ['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded'],
    events: ['Warning BackoffLimitExceeded Job has reached the specified backoff limit'],
  },
  {
    name: 'activeDeadlineSeconds exceeded fails with DeadlineExceeded',
    job: job({ activeDeadlineSeconds: 60 }, { active: 1, ready: 1, terminating: 0, startTime: at(61), uncountedTerminatedPods: {} }),
    pods: [pod('a', { ready: true })],
    writes: ['delete pods a', 'update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    conditions: ['FailureTarget/DeadlineExceeded'],
    status: { failed: 1, terminating: 1, active: undefined },
  },
  {
    name: 'a pod that failed 5 s ago is replaced only after the 10 s back-off',
    job: job({ completions: 1 }, { active: 1, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Failed', finishedAgo: 5 })],
    writes: ['update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    status: { failed: 1 },
  },
  {
    name: 'a pod that failed 11 s ago is replaced at once',
    job: job({ completions: 1 }, { active: 1, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Failed', finishedAgo: 11 })],
    writes: ['create pods', 'update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    status: { failed: 1, active: 1 },
  },
  {
    name: 'Indexed: one pod per index, named <job>-<index>-, with index annotation, label, hostname and env',
    job: job({ completions: 3, parallelism: 3, completionMode: 'Indexed' }),
    writes: ['create pods', 'create pods', 'create pods', 'update jobs/status pi'],
    status: { active: 3 },
    check: (fake) => {
      const pods = created(fake).sort((a, b) => a.metadata.generateName.localeCompare(b.metadata.generateName));
      assert.deepEqual(pods.map((p) => p.metadata.generateName), ['pi-0-', 'pi-1-', 'pi-2-']);
      const p = pods[1];
      assert.equal(p.metadata.annotations['batch.kubernetes.io/job-completion-index'], '1');
      assert.equal(p.metadata.labels['batch.kubernetes.io/job-completion-index'], '1');
      assert.equal(p.spec.hostname, 'pi-1');
      assert.deepEqual(p.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } }]);
    },
  },
  {
    name: 'Indexed: completed indexes are compressed and the next pending index starts',
    job: job({ completions: 4, parallelism: 1, completionMode: 'Indexed' }, { succeeded: 1, completedIndexes: '0', ready: 0, terminating: 0, active: 1, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('b', { phase: 'Succeeded', index: 1 })],
    writes: ['create pods', 'update jobs/status pi', 'patch pods b'],
    status: { succeeded: 2, completedIndexes: '0,1', active: 1 },
    check: (fake) => assert.equal(created(fake)[0].metadata.generateName, 'pi-2-'),
  },
  {
    name: 'suspending deletes running pods and sets Suspended',
    job: job({ completions: 2, parallelism: 2, suspend: true }, { active: 2, ready: 2, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { ready: true }), pod('b', { ready: true })],
    writes: ['patch pods a', 'delete pods a', 'patch pods b', 'delete pods b', 'update jobs/status pi'],
    status: { terminating: 2, ready: 0, active: undefined },
    conditions: ['Suspended/JobSuspended'],
    events: ['Normal SuccessfulDelete Deleted pod: a', 'Normal SuccessfulDelete Deleted pod: b', 'Normal Suspended Job suspended'],
  },
  {
    name: 'a Job created suspended has no startTime and no pods',
    job: job({ suspend: true }),
    writes: ['update jobs/status pi'],
    status: { startTime: undefined, active: undefined },
    conditions: ['Suspended/JobSuspended'],
  },
  {
    name: 'resuming restarts the clock, flips Suspended to False and starts pods',
    job: job({ suspend: false }, {
      ready: 0, terminating: 0, startTime: at(500), uncountedTerminatedPods: {},
      conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended', lastProbeTime: at(400), lastTransitionTime: at(400) }],
    }),
    writes: ['create pods', 'update jobs/status pi'],
    status: { startTime: at(0), active: 1 },
    conditions: ['Suspended/JobResumed'],
    events: ['Normal SuccessfulCreate Created pod: pi-', 'Normal Resumed Job resumed'],
  },
  {
    name: 'podFailurePolicy FailJob on an exit code fails the Job with PodFailurePolicy',
    job: job({
      podReplacementPolicy: 'Failed',
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } }] },
    }, { active: 1, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Failed', exitCode: 42 })],
    writes: ['update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    conditions: ['FailureTarget/PodFailurePolicy', 'Failed/PodFailurePolicy'],
    events: ['Warning PodFailurePolicy Container main for pod ns/a failed with exit code 42 matching FailJob rule at index 0'],
  },
  {
    name: 'podFailurePolicy Ignore does not count the failure and replaces the pod',
    job: job({
      backoffLimit: 0, podReplacementPolicy: 'Failed',
      podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
    }, { active: 1, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Failed', conditions: [{ type: 'DisruptionTarget', status: 'True' }] })],
    writes: ['create pods', 'patch pods a'],
    status: { failed: undefined, active: 1 },
  },
  {
    name: 'an orphan pod matching the selector is adopted with the tracking finalizer',
    job: job({ completions: 1 }, { active: 0, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('orphan', { owned: false, finalizer: false })],
    writes: ['patch pods orphan', 'update jobs/status pi'],
    status: { active: 1 },
    check: (fake) => {
      const p = fake.object(R.pods, NS, 'orphan')!;
      assert.equal(p.metadata.ownerReferences[0].uid, UID);
      assert.deepEqual(p.metadata.finalizers, [FIN]);
    },
  },
  {
    name: 'too many running pods: the extra one loses its finalizer and is deleted',
    job: job({ completions: 1, parallelism: 1 }, { active: 2, ready: 1, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { ready: true }), pod('b', { ready: false })],
    writes: ['patch pods b', 'delete pods b', 'update jobs/status pi'],
    status: { active: 1, terminating: 1, ready: 1 },
  },
  {
    name: 'backoffLimitPerIndex: an index out of retries is failed; the others go on',
    job: job({ completions: 2, parallelism: 2, completionMode: 'Indexed', backoffLimitPerIndex: 0, backoffLimit: 2147483647, podReplacementPolicy: 'Failed' },
      { active: 2, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Failed', index: 0, annotations: { 'batch.kubernetes.io/job-index-failure-count': '0' } }), pod('b', { index: 1 })],
    writes: ['update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    status: { failedIndexes: '0', failed: 1, active: 1 },
  },
  {
    name: 'successPolicy met: SuccessCriteriaMet with SuccessPolicy, the rest is deleted, Complete waits',
    job: job({ completions: 3, parallelism: 3, completionMode: 'Indexed', successPolicy: { rules: [{ succeededIndexes: '0' }] } },
      { active: 3, ready: 2, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { phase: 'Succeeded', index: 0 }), pod('b', { index: 1, ready: true }), pod('c', { index: 2, ready: true })],
    writes: ['delete pods b', 'delete pods c', 'update jobs/status pi', 'patch pods a', 'patch pods b', 'patch pods c'],
    status: { completedIndexes: '0', succeeded: 1, terminating: 2 },
    conditions: ['SuccessCriteriaMet/SuccessPolicy'],
    check: (fake) => assert.equal(fake.object(JOBS, NS, 'pi')!.status.conditions[0].message, 'Matched rules at index 0'),
  },
  {
    name: 'restartPolicy OnFailure: container restarts count against backoffLimit',
    job: job({ backoffLimit: 2, template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': UID } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'main' }] } } },
      { active: 1, ready: 0, terminating: 0, startTime: at(100), uncountedTerminatedPods: {} }),
    pods: [pod('a', { restarts: 2 })],
    writes: ['delete pods a', 'update jobs/status pi', 'patch pods a', 'update jobs/status pi'],
    conditions: ['FailureTarget/BackoffLimitExceeded'],
  },
  {
    name: 'a Job managed by another controller is left alone',
    job: job({ managedBy: 'example.com/mine' }),
    writes: [],
  },
  {
    name: 'a finished Job is not synced',
    job: job({}, { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }),
    writes: [],
  },
  {
    name: 'a failed pod creation is an error (requeue) with a FailedCreate event',
    job: job({ completions: 1 }),
    react: (fake) => fake.prependReactor('create', 'pods', () => { throw new ApiError(403, 'Forbidden', 'pods "pi-" is forbidden: exceeded quota: q'); }),
    writes: ['create pods', 'update jobs/status pi'],
    status: { active: undefined },
    events: ['Warning FailedCreate Error creating: pods "pi-" is forbidden: exceeded quota: q'],
    throws: /exceeded quota/,
  },
];

function describeWrite(a: { verb: string; resource: string; subresource?: string; name?: string }): string {
  return `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.name && a.verb !== 'create' ? ` ${a.name}` : ''}`;
}

describe('job controller sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness([[R.namespaces, { metadata: { name: NS } }], [JOBS, c.job], ...(c.pods ?? []).map((p): [typeof R.pods, Obj] => [R.pods, p])]);
      withStrategicMetadataPatches(h.fake);
      const ctl = new JobController({ client: h.fake, jobs: h.informer(JOBS), pods: h.informer(R.pods), now: () => NOW, log: silentLogger });
      try {
        await h.sync();
        h.fake.clearActions();
        c.react?.(h.fake);
        if (c.throws) await assert.rejects(ctl.sync(`${NS}/pi`), c.throws);
        else await ctl.sync(`${NS}/pi`);
        await ctl.recorder.flush();
        const writes = h.fake.writes().filter((a) => a.resource !== 'events');
        if (c.writes) {
          // Parallel calls may interleave: compare as multisets, then check the order of status writes.
          assert.deepEqual(writes.map(describeWrite).sort(), [...c.writes].sort());
        }
        const stored = h.fake.object(JOBS, NS, 'pi')!;
        for (const [k, v] of Object.entries(c.status ?? {})) assert.deepEqual(stored.status?.[k], v, `status.${k}`);
        if (c.conditions) assert.deepEqual((stored.status.conditions ?? []).map((x: Obj) => `${x.type}/${x.reason}`), c.conditions);
        if (c.events) {
          const evs = h.fake.objects(R.events, NS).map((e) => `${e.type} ${e.reason} ${e.message}`.replace(/Created pod: pi-\w+$/, 'Created pod: pi-'));
          assert.deepEqual(evs.sort(), [...c.events].sort());
        }
        c.check?.(h.fake);
      } finally {
        ctl.queue.shutdown();
        ctl.orphanQueue.shutdown();
        await h.close();
      }
    });
  }
});

describe('job controller orphan pods', () => {
  const cases: { name: string; pod: Obj; jobs: Obj[]; patched: boolean }[] = [
    { name: 'a pod whose Job is gone loses its finalizer', pod: pod('a', { phase: 'Succeeded' }), jobs: [], patched: true },
    { name: 'a pod of a finished Job loses its finalizer', pod: pod('a'), jobs: [job({}, { conditions: [{ type: 'Failed', status: 'True' }] })], patched: true },
    { name: 'a pod of a running Job keeps it', pod: pod('a'), jobs: [job()], patched: false },
    { name: 'a pod controlled by something else keeps it', pod: { ...pod('a'), metadata: { ...pod('a').metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'x', controller: true }] } }, jobs: [], patched: false },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness([[R.pods, c.pod], ...c.jobs.map((j): [typeof JOBS, Obj] => [JOBS, j])]);
      withStrategicMetadataPatches(h.fake);
      const ctl = new JobController({ client: h.fake, jobs: h.informer(JOBS), pods: h.informer(R.pods), now: () => NOW, log: silentLogger });
      try {
        await h.sync();
        h.fake.clearActions();
        await ctl.syncOrphanPod(`${NS}/a`);
        assert.equal(h.fake.writes().length, c.patched ? 1 : 0);
        assert.equal((h.fake.object(R.pods, NS, 'a')!.metadata.finalizers ?? []).includes(FIN), !c.patched);
      } finally {
        ctl.queue.shutdown();
        ctl.orphanQueue.shutdown();
        await h.close();
      }
    });
  }
});

describe('job controller run', () => {
  it('runs a 3-completion Job to Complete as a kubelet reports pods Succeeded', async () => {
    const h = harness([[R.namespaces, { metadata: { name: NS } }]]);
    withStrategicMetadataPatches(h.fake);
    const ctl = new JobController({ client: h.fake, jobs: h.informer(JOBS), pods: h.informer(R.pods), log: silentLogger, syncBatchPeriodMs: 5 });
    h.factory.start(h.signal);
    const run = ctl.run(h.signal);
    try {
      await h.fake.create(JOBS, NS, job({ completions: 3, parallelism: 2 }));
      const done = (): boolean => !!h.fake.object(JOBS, NS, 'pi')?.status?.conditions?.some((c: Obj) => c.type === 'Complete');
      // The "kubelet": every running pod of ours succeeds.
      await until(async () => {
        for (const p of h.fake.objects(R.pods, NS)) {
          if (p.status?.phase) continue;
          await h.fake.updateStatus(R.pods, NS, { ...p, status: { phase: 'Succeeded', containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 0, finishedAt: new Date().toISOString() } } }] } });
        }
        return done();
      }, 'job complete');
      const j = h.fake.object(JOBS, NS, 'pi')!;
      assert.equal(j.status.succeeded, 3);
      assert.deepEqual(j.status.conditions.map((c: Obj) => c.type), ['SuccessCriteriaMet', 'Complete']);
      assert.equal(h.fake.objects(R.pods, NS).length, 3, 'exactly three pods');
      assert.ok(h.fake.objects(R.pods, NS).every((p) => !(p.metadata.finalizers ?? []).includes(FIN)), 'finalizers removed');
    } finally {
      await h.close();
      await run;
    }
  });
});
