import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invalid } from '../errors.js';
import { clone, type Obj } from '../types.js';
import { applyDefaults } from '../defaults/index.js';
import { validateCreate, validateUpdate } from './index.js';
import { cronScheduleError } from './cron.js';

function create(group: string, kind: string, o: Obj): string {
  applyDefaults(group, 'v1', kind, o);
  const errs = validateCreate(group, 'v1', kind, o);
  return errs.length ? invalid(group, kind, o.metadata?.name ?? '', errs).message : '';
}

function update(group: string, kind: string, o: Obj, old: Obj): string {
  applyDefaults(group, 'v1', kind, o);
  const errs = validateUpdate(group, 'v1', kind, o, old);
  return errs.length ? invalid(group, kind, o.metadata?.name ?? '', errs).message : '';
}

function stored(group: string, kind: string, o: Obj): Obj {
  applyDefaults(group, 'v1', kind, o);
  o.metadata = { ...o.metadata, uid: 'uid-1', resourceVersion: '7', creationTimestamp: '2024-01-01T00:00:00Z' };
  return o;
}

const template = (labels: Obj, spec: Obj = {}): Obj => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });
const deployment = (spec: Obj): Obj => ({ metadata: { name: 'web', namespace: 'default' }, spec });

test('deployments', () => {
  assert.equal(create('apps', 'Deployment', deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) })), '');
  const mismatch = create('apps', 'Deployment', deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'other' }) }));
  assert.ok(mismatch.startsWith('Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: '), mismatch);
  assert.ok(mismatch.endsWith(': `selector` does not match template `labels`'), mismatch);
  assert.equal(create('apps', 'Deployment', deployment({ template: template({ app: 'web' }) })), 'Deployment.apps "web" is invalid: spec.selector: Required value');
  assert.ok(create('apps', 'Deployment', deployment({ selector: {}, template: template({ app: 'web' }) })).includes('empty selector is invalid for deployment'));
  assert.equal(create('apps', 'Deployment', deployment({ replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) })),
    'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  assert.equal(create('apps', 'Deployment', deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }, { restartPolicy: 'Never' }) })),
    'Deployment.apps "web" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"');
  assert.equal(create('apps', 'Deployment', deployment({
    selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
  })), 'Deployment.apps "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0');
  assert.ok(create('apps', 'Deployment', deployment({
    selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), strategy: { rollingUpdate: { maxUnavailable: '150%' } },
  })).includes('spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'));
  assert.ok(create('apps', 'Deployment', deployment({
    selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), progressDeadlineSeconds: 5, minReadySeconds: 10,
  })).includes('spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds'));

  const old = stored('apps', 'Deployment', deployment({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
  const scaled = clone(old);
  scaled.spec.replicas = 5;
  scaled.spec.template.spec.containers[0].image = 'nginx:1.27';
  assert.equal(update('apps', 'Deployment', scaled, old), '');
  const reselected = clone(old);
  reselected.spec.selector = { matchLabels: { app: 'web2' } };
  reselected.spec.template.metadata.labels = { app: 'web2' };
  assert.ok(update('apps', 'Deployment', reselected, old).includes('spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable'));
});

test('replica sets, daemon sets, stateful sets', () => {
  const rs = { metadata: { name: 'rs', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) } };
  assert.equal(create('apps', 'ReplicaSet', rs), '');
  const ds = { metadata: { name: 'ds', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }) } };
  assert.equal(create('apps', 'DaemonSet', ds), '');
  const ds2 = { metadata: { name: 'ds', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, template: template({ a: 'b' }), updateStrategy: { rollingUpdate: { maxSurge: 1 } } } };
  assert.equal(create('apps', 'DaemonSet', ds2), 'DaemonSet.apps "ds" is invalid: spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero');
  const ss = { metadata: { name: 'db', namespace: 'default' }, spec: { selector: { matchLabels: { a: 'b' } }, serviceName: 'db', template: template({ a: 'b' }) } };
  assert.equal(create('apps', 'StatefulSet', ss), '');
  const old = stored('apps', 'StatefulSet', clone(ss));
  const changed = clone(old);
  changed.spec.serviceName = 'other';
  assert.equal(update('apps', 'StatefulSet', changed, old),
    "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
  const scaled = clone(old);
  scaled.spec.replicas = 3;
  assert.equal(update('apps', 'StatefulSet', scaled, old), '');
});

test('jobs: generated selector, restart policy, immutable template', () => {
  const job = (spec: Obj): Obj => ({ metadata: { name: 'pi', namespace: 'default', uid: 'abc-123' }, spec });
  const j = job({ template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } });
  assert.equal(create('batch', 'Job', j), '');
  assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc-123' } });
  assert.equal(j.spec.template.metadata.labels['job-name'], 'pi');
  assert.equal(create('batch', 'Job', job({ template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } })),
    'Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
  assert.ok(create('batch', 'Job', job({ parallelism: -1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } }))
    .includes('spec.parallelism: Invalid value: -1: must be greater than or equal to 0'));

  const old = clone(j);
  old.metadata.resourceVersion = '3';
  const changed = clone(old);
  changed.spec.template.spec.containers[0].image = 'perl:5';
  assert.ok(update('batch', 'Job', changed, old).includes('spec.template: Invalid value: '));
  assert.ok(update('batch', 'Job', changed, old).endsWith(': field is immutable'));
  const suspended = clone(old);
  suspended.spec.suspend = true;
  assert.equal(update('batch', 'Job', suspended, old), '');
});

test('cron jobs: schedules and time zones', () => {
  const cj = (spec: Obj, name = 'tick'): Obj => ({
    metadata: { name, namespace: 'default' },
    spec: { jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } }, ...spec },
  });
  assert.equal(create('batch', 'CronJob', cj({ schedule: '*/5 * * * *' })), '');
  assert.equal(create('batch', 'CronJob', cj({ schedule: '@hourly', timeZone: 'Europe/Berlin' })), '');
  assert.equal(create('batch', 'CronJob', cj({ schedule: '* * *' })), 'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]');
  assert.equal(create('batch', 'CronJob', cj({ schedule: '0 0 * * *', timeZone: 'Mars/Base' })), 'CronJob.batch "tick" is invalid: spec.timeZone: Invalid value: "Mars/Base": unknown time zone Mars/Base');
  assert.equal(create('batch', 'CronJob', cj({ schedule: 'TZ=UTC 0 0 * * *' })),
    'CronJob.batch "tick" is invalid: spec.schedule: Invalid value: "TZ=UTC 0 0 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead');
  assert.equal(create('batch', 'CronJob', cj({ schedule: '@daily' }, 'x'.repeat(53))),
    `CronJob.batch "${'x'.repeat(53)}" is invalid: metadata.name: Invalid value: "${'x'.repeat(53)}": must be no more than 52 characters`);
  assert.ok(create('batch', 'CronJob', cj({ schedule: '@daily', concurrencyPolicy: 'Sometimes' }))
    .includes('spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'));
});

test('cron schedule parser (robfig/cron messages)', () => {
  const cases: [string, string | undefined][] = [
    ['0 0 * * *', undefined], ['*/15 9-17 * * mon-fri', undefined], ['0 0 1 jan,jul ?', undefined], ['@every 1h30m', undefined],
    ['@yearly', undefined], ['CRON_TZ=UTC @daily', undefined],
    ['', 'empty spec string'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['a * * * *', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
  ];
  for (const [spec, want] of cases) assert.equal(cronScheduleError(spec), want, spec);
});
