import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStandard, parseGoDuration } from './cron.js';
import { jobNameFor, mostRecentScheduleTime, nextScheduleTime, nextScheduleTimeDuration } from './schedule.js';
import { Zone } from './tz.js';

const UTC = Zone.get('UTC');
const T = (s: string): number => Date.parse(s);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));

test('next activation: fields, lists, ranges, steps, names, descriptors (UTC)', () => {
  const cases: [string, string, string | null][] = [
    ['*/15 * * * *', '2024-01-01T00:07:30Z', '2024-01-01T00:15:00Z'],
    ['*/15 * * * *', '2024-01-01T00:15:00Z', '2024-01-01T00:30:00Z'], // strictly after
    ['* * * * *', '2024-01-01T00:00:59.999Z', '2024-01-01T00:01:00Z'],
    ['5 * * * *', '2024-01-01T23:30:00Z', '2024-01-02T00:05:00Z'],
    ['0 9 * * 1-5', '2024-01-06T10:00:00Z', '2024-01-08T09:00:00Z'], // Saturday → Monday
    ['0 0 1,15 * 3', '2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z'], // dom OR dow when both restricted
    ['0 0 1,15 * *', '2024-01-01T00:00:00Z', '2024-01-15T00:00:00Z'], // dow "*": dom AND all days
    ['0 0 * * */2', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'], // stepped star is no star: OR with dom (all)
    ['0 12 * jan,JUL sun', '2024-02-01T00:00:00Z', '2024-07-07T12:00:00Z'],
    ['30 4 */10 * *', '2024-01-01T05:00:00Z', '2024-01-11T04:30:00Z'],
    ['10-20/5 3 * * *', '2024-01-01T03:12:00Z', '2024-01-01T03:15:00Z'],
    ['0 0 29 2 *', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['0 0 31 2 *', '2024-01-01T00:00:00Z', null], // never: robfig gives up after five years
    ['@hourly', '2024-01-01T10:59:59.500Z', '2024-01-01T11:00:00Z'],
    ['@daily', '2024-01-01T10:00:00Z', '2024-01-02T00:00:00Z'],
    ['@midnight', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z'],
    ['@weekly', '2024-01-01T00:00:00Z', '2024-01-07T00:00:00Z'],
    ['@monthly', '2024-01-15T00:00:00Z', '2024-02-01T00:00:00Z'],
    ['@yearly', '2024-05-05T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['@annually', '2024-05-05T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['@every 90s', '2024-01-01T00:00:10.700Z', '2024-01-01T00:01:40Z'],
    ['@every 1h30m', '2024-01-01T00:00:00Z', '2024-01-01T01:30:00Z'],
    ['@every 10ms', '2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z'], // at least a second
    ['TZ=UTC 0 6 * * *', '2024-01-01T07:00:00Z', '2024-01-02T06:00:00Z'],
  ];
  for (const [spec, from, want] of cases) {
    assert.equal(iso(parseStandard(spec, UTC).next(T(from))), want, `${spec} after ${from}`);
  }
});

test('next activation in a time zone, across DST changes (robfig semantics)', () => {
  const cases: [string, string, string | null][] = [
    // 09:00 in Berlin is 08:00Z in winter, 07:00Z in summer.
    ['TZ=Europe/Berlin 0 9 * * *', '2024-01-10T09:00:00Z', '2024-01-11T08:00:00Z'],
    ['CRON_TZ=Europe/Berlin 0 9 * * *', '2024-07-10T09:00:00Z', '2024-07-11T07:00:00Z'],
    // 02:30 does not exist in New York on 10 March 2024: that day is skipped.
    ['TZ=America/New_York 30 2 * * *', '2024-03-10T05:00:00Z', '2024-03-11T06:30:00Z'],
    // 01:30 happens twice on 3 November 2024: robfig fires both times.
    ['TZ=America/New_York 30 1 * * *', '2024-11-03T04:00:00Z', '2024-11-03T05:30:00Z'],
    ['TZ=America/New_York 30 1 * * *', '2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z'],
    ['TZ=Asia/Kolkata 0 0 * * *', '2024-01-01T00:00:00Z', '2024-01-01T18:30:00Z'],
  ];
  for (const [spec, from, want] of cases) {
    assert.equal(iso(parseStandard(spec, UTC).next(T(from))), want, `${spec} after ${from}`);
  }
  // Without a prefix, the given local zone applies.
  assert.equal(iso(parseStandard('0 9 * * *', Zone.get('Asia/Tokyo')).next(T('2024-01-01T00:00:00Z'))), '2024-01-02T00:00:00Z');
  assert.equal(iso(parseStandard('0 9 * * *', Zone.get('Asia/Tokyo')).next(T('2023-12-31T23:00:00Z'))), '2024-01-01T00:00:00Z');
});

test('invalid specs fail with robfig messages', () => {
  const cases: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['@every', 'unrecognized descriptor: @every'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['0 0 * foo *', 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
  ];
  for (const [spec, msg] of cases) assert.throws(() => parseStandard(spec, UTC), { message: msg }, spec);
});

test('Go durations', () => {
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('250ms'), 250);
  assert.equal(parseGoDuration('0'), 0);
});

test('time zone helper: wall fields, Go time.Date normalisation, RFC 3339', () => {
  const ny = Zone.get('America/New_York');
  assert.deepEqual(ny.wall(T('2024-07-04T16:05:09Z')), { year: 2024, month: 7, day: 4, hour: 12, minute: 5, second: 9, weekday: 4 });
  assert.equal(iso(ny.date(2024, 13, 1)), '2025-01-01T05:00:00Z');
  assert.equal(iso(ny.date(2024, 2, 30, 12)), '2024-03-01T17:00:00Z');
  assert.equal(iso(ny.date(2024, 3, 10, 2, 30)), '2024-03-10T06:30:00Z'); // skipped wall time: Go applies the later offset
  assert.equal(ny.rfc3339(T('2024-07-04T16:05:09Z')), '2024-07-04T12:05:09-04:00');
  assert.equal(Zone.get('Europe/London').rfc3339(T('2024-01-04T16:05:09Z')), '2024-01-04T16:05:09Z');
  assert.equal(Zone.get('Asia/Kolkata').rfc3339(T('2024-01-04T16:05:09Z')), '2024-01-04T21:35:09+05:30');
  assert.equal(UTC.rfc3339(T('2024-01-04T16:05:09Z')), '2024-01-04T16:05:09Z');
  assert.throws(() => Zone.get('Mars/Olympus'));
});

const cj = (o: { created?: string; last?: string; sds?: number }) => ({
  metadata: { name: 'tick', creationTimestamp: o.created ?? '2024-01-01T10:00:30Z' },
  spec: { schedule: 'x', ...(o.sds !== undefined ? { startingDeadlineSeconds: o.sds } : {}) },
  status: o.last ? { lastScheduleTime: o.last } : {},
});

test('most recent schedule time: none, few and many missed; starting deadline; bad schedules', () => {
  const every = parseStandard('* * * * *', UTC);
  const cases: { name: string; cj: ReturnType<typeof cj>; now: string; sched?: string; want: string | null; missed: string; err?: string; deadline?: boolean }[] = [
    { name: 'before the first', cj: cj({}), now: '2024-01-01T10:00:50Z', want: null, missed: 'none' },
    { name: 'exactly one due', cj: cj({}), now: '2024-01-01T10:01:10Z', want: '2024-01-01T10:01:00Z', missed: 'none' },
    { name: 'a few missed: the latest', cj: cj({}), now: '2024-01-01T10:05:10Z', want: '2024-01-01T10:05:00Z', missed: 'few' },
    { name: 'from lastScheduleTime', cj: cj({ last: '2024-01-01T10:04:00Z' }), now: '2024-01-01T10:04:59Z', want: null, missed: 'none' },
    { name: 'too many missed', cj: cj({}), now: '2024-01-01T13:00:10Z', want: '2024-01-01T13:00:00Z', missed: 'many' },
    { name: 'deadline hides old ones', cj: cj({ sds: 30 }), now: '2024-01-01T10:05:45Z', want: null, missed: 'none', deadline: true },
    { name: 'deadline keeps recent', cj: cj({ sds: 30 }), now: '2024-01-01T10:05:20Z', want: '2024-01-01T10:05:00Z', missed: 'none', deadline: true },
    { name: 'deadline cuts the count', cj: cj({ sds: 200 }), now: '2024-01-01T13:00:10Z', want: '2024-01-01T13:00:00Z', missed: 'few', deadline: true },
    { name: 'deadline ignored when not asked', cj: cj({ sds: 30 }), now: '2024-01-01T10:05:45Z', want: '2024-01-01T10:05:00Z', missed: 'few' },
    { name: 'irregular schedule', cj: cj({}), sched: '30 6-16/4 * * 1-5', now: '2024-01-03T15:00:00Z', want: '2024-01-03T14:30:00Z', missed: 'few' },
    { name: 'never fires', cj: cj({}), sched: '0 0 31 2 *', now: '2024-06-01T00:00:00Z', want: null, missed: 'none', err: 'time difference between two schedules is less than 1 second' },
  ];
  for (const c of cases) {
    const s = c.sched ? parseStandard(c.sched, UTC) : every;
    const r = mostRecentScheduleTime(c.cj, T(c.now), s, !!c.deadline);
    assert.equal(iso(r.mostRecent), c.want, c.name);
    assert.equal(r.missed, c.missed, c.name);
    assert.equal(r.error, c.err, c.name);
  }
});

test('next schedule time and requeue delay', () => {
  const every = parseStandard('* * * * *', UTC);
  // Just after an activation that was started: wait for the next one (+100 ms of padding).
  assert.equal(nextScheduleTimeDuration(cj({ last: '2024-01-01T10:05:00Z' }), T('2024-01-01T10:05:10Z'), every), 50_100);
  // Nothing started yet: from creation.
  assert.equal(nextScheduleTimeDuration(cj({}), T('2024-01-01T10:00:40Z'), every), 20_100);
  // Missed ones: from the latest.
  assert.equal(nextScheduleTimeDuration(cj({}), T('2024-01-01T10:03:30Z'), every), 30_100);
  const hourly = parseStandard('@hourly', UTC);
  assert.equal(nextScheduleTimeDuration(cj({ last: '2024-01-01T10:00:00Z' }), T('2024-01-01T10:59:00Z'), hourly), 60_100);

  const n = nextScheduleTime(cj({}), T('2024-01-01T13:00:10Z'), every);
  assert.deepEqual({ t: iso(n.time), many: n.tooManyMissed }, { t: '2024-01-01T13:00:00Z', many: true });
  assert.equal(nextScheduleTime(cj({ last: '2024-01-01T13:00:00Z' }), T('2024-01-01T13:00:10Z'), every).time, null);
});

test('job names are minutes since the epoch', () => {
  assert.equal(jobNameFor('tick', T('2024-01-01T10:05:00Z')), `tick-${1704103500 / 60}`);
  assert.equal(jobNameFor('hello', T('2016-11-23T10:00:00Z')), 'hello-24664920');
});
