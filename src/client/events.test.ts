import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENTS, EventRecorder, objectReference } from './events.js';
import { FakeClient } from './fake.js';
import { silentLogger } from './log.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', resourceVersion: '9' } };
const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u-n' } };

function setup(start = Date.parse('2025-01-01T00:00:00Z')) {
  const fake = new FakeClient();
  let now = start;
  const rec = new EventRecorder(fake, { component: 'test-controller', host: 'h1', log: silentLogger, now: () => new Date(now), retryDelayMs: 1 });
  return { fake, rec, advance: (ms: number) => (now += ms) };
}

describe('EventRecorder', () => {
  it('writes a core/v1 Event named <object>.<hex nanoseconds>', async () => {
    const { fake, rec } = setup();
    rec.event(pod, 'Normal', 'Scheduled', 'Successfully assigned shop/web-1 to n1');
    await rec.flush();
    const [ev] = fake.objects(EVENTS, 'shop');
    assert.match(ev.metadata.name, /^web-1\.[0-9a-f]+$/);
    const nanos = BigInt(`0x${ev.metadata.name.split('.')[1]}`);
    assert.equal(nanos / 1_000_000n, BigInt(Date.parse('2025-01-01T00:00:00Z')), 'the suffix is the event time in ns');
    assert.deepEqual(ev.involvedObject, { kind: 'Pod', namespace: 'shop', name: 'web-1', uid: 'u-1', apiVersion: 'v1', resourceVersion: '9' });
    assert.equal(ev.reason, 'Scheduled');
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.count, 1);
    assert.equal(ev.firstTimestamp, '2025-01-01T00:00:00Z');
    assert.equal(ev.lastTimestamp, '2025-01-01T00:00:00Z');
    assert.deepEqual(ev.source, { component: 'test-controller', host: 'h1' });
    assert.equal(ev.reportingComponent, 'test-controller');
  });

  it('cluster-scoped objects get their events in "default"', async () => {
    const { fake, rec } = setup();
    rec.event(node, 'Warning', 'NodeNotReady', 'Node n1 status is now: NodeNotReady');
    await rec.flush();
    assert.equal(fake.objects(EVENTS, 'default').length, 1);
    assert.equal(objectReference(node).namespace, undefined);
  });

  it('repeats PATCH count and lastTimestamp of the first Event', async () => {
    const { fake, rec, advance } = setup();
    rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    advance(10_000);
    rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    advance(10_000);
    rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container');
    await rec.flush();
    const evs = fake.objects(EVENTS, 'shop');
    assert.equal(evs.length, 1);
    assert.equal(evs[0].count, 3);
    assert.equal(evs[0].firstTimestamp, '2025-01-01T00:00:00Z');
    assert.equal(evs[0].lastTimestamp, '2025-01-01T00:00:20Z');
    const w = fake.writes().map((a) => `${a.verb}${a.patchType ? `(${a.patchType})` : ''}`);
    assert.deepEqual(w, ['create', 'patch(strategic)', 'patch(strategic)']);
    assert.deepEqual(Object.keys(fake.writes()[1].object!).sort(), ['count', 'lastTimestamp', 'message']);
  });

  it('a different message, reason or object is a different Event', async () => {
    const { fake, rec } = setup();
    rec.event(pod, 'Normal', 'Pulled', 'image a');
    rec.event(pod, 'Normal', 'Pulled', 'image b');
    rec.event(pod, 'Normal', 'Created', 'image a');
    rec.event({ ...pod, metadata: { ...pod.metadata, name: 'web-2', uid: 'u-2' } }, 'Normal', 'Pulled', 'image a');
    await rec.flush();
    assert.equal(fake.objects(EVENTS, 'shop').length, 4);
  });

  it('recreates the Event when the one to patch is gone', async () => {
    const { fake, rec } = setup();
    rec.event(pod, 'Normal', 'Killing', 'Stopping container');
    await rec.flush();
    const [first] = fake.objects(EVENTS, 'shop');
    await fake.delete(EVENTS, 'shop', first.metadata.name);
    rec.event(pod, 'Normal', 'Killing', 'Stopping container');
    await rec.flush();
    const [again] = fake.objects(EVENTS, 'shop');
    assert.equal(again.metadata.name, first.metadata.name);
    assert.equal(again.count, 2);
  });

  it('collapses many distinct messages for one object and reason', async () => {
    const { fake, rec } = setup();
    for (let i = 0; i < 12; i++) rec.event(pod, 'Warning', 'FailedMount', `volume v${i} not ready`);
    await rec.flush();
    const evs = fake.objects(EVENTS, 'shop');
    const combined = evs.filter((e) => e.message.startsWith('(combined from similar events): '));
    assert.equal(evs.length, 10, '9 individual events and one combined one');
    assert.equal(combined.length, 1);
    assert.equal(combined[0].count, 3);
    assert.equal(combined[0].message, '(combined from similar events): volume v11 not ready');
  });

  it('drops a flood for one object beyond the burst', async () => {
    const { fake, rec, advance } = setup();
    for (let i = 0; i < 30; i++) rec.event(pod, 'Normal', 'Tick', 'same');
    await rec.flush();
    assert.equal(fake.objects(EVENTS, 'shop')[0].count, 25);
    advance(300_000); // one token back
    rec.event(pod, 'Normal', 'Tick', 'same');
    rec.event(pod, 'Normal', 'Tick', 'same');
    await rec.flush();
    assert.equal(fake.objects(EVENTS, 'shop')[0].count, 26);
  });

  it('retries transport errors, gives up on API errors, never throws', async () => {
    const { fake, rec } = setup();
    let failures = 2;
    fake.prependReactor('create', 'events', () => {
      if (failures-- > 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return undefined;
    });
    rec.event(pod, 'Normal', 'A', 'retried');
    await rec.flush();
    assert.equal(fake.objects(EVENTS, 'shop').length, 1);
    assert.equal(fake.writes().length, 3);

    await fake.create({ group: '', version: 'v1', plural: 'namespaces' }, '', { metadata: { name: 'shop' } });
    await fake.delete({ group: '', version: 'v1', plural: 'namespaces' }, '', 'shop'); // terminating: creates refused
    fake.clearActions();
    rec.event(pod, 'Normal', 'B', 'refused');
    await rec.flush();
    assert.equal(fake.writes().length, 1, 'an API error is not retried');
  });
});
