import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS, UIDTrackingExpectations } from './expectations.js';

describe('ControllerExpectations', () => {
  const cases: { name: string; steps: (e: ControllerExpectations, clock: { t: number }) => void; satisfied: boolean }[] = [
    { name: 'no record: satisfied', steps: () => undefined, satisfied: true },
    { name: 'pending creations: not satisfied', steps: (e) => e.expectCreations('a/b', 2), satisfied: false },
    { name: 'all creations observed', steps: (e) => { e.expectCreations('a/b', 2); e.creationObserved('a/b'); e.creationObserved('a/b'); }, satisfied: true },
    { name: 'one of two observed', steps: (e) => { e.expectCreations('a/b', 2); e.creationObserved('a/b'); }, satisfied: false },
    { name: 'deletions', steps: (e) => { e.expectDeletions('a/b', 1); }, satisfied: false },
    { name: 'deletions observed', steps: (e) => { e.expectDeletions('a/b', 1); e.deletionObserved('a/b'); }, satisfied: true },
    { name: 'expired after the timeout', steps: (e, c) => { e.expectCreations('a/b', 1); c.t += EXPECTATIONS_TIMEOUT_MS + 1; }, satisfied: true },
    { name: 'not yet expired at the timeout', steps: (e, c) => { e.expectCreations('a/b', 1); c.t += EXPECTATIONS_TIMEOUT_MS; }, satisfied: false },
    { name: 'deleted record', steps: (e) => { e.expectCreations('a/b', 3); e.deleteExpectations('a/b'); }, satisfied: true },
    { name: 'raise then lower', steps: (e) => { e.expectCreations('a/b', 1); e.raiseExpectations('a/b', 1, 1); e.lowerExpectations('a/b', 2, 0); }, satisfied: false },
    { name: 'raise without record is a no-op', steps: (e) => { e.raiseExpectations('a/b', 1, 1); }, satisfied: true },
    { name: 'over-observed stays satisfied', steps: (e) => { e.expectCreations('a/b', 1); e.creationObserved('a/b'); e.creationObserved('a/b'); }, satisfied: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const clock = { t: 1_000_000 };
      const e = new ControllerExpectations({ now: () => clock.t });
      c.steps(e, clock);
      assert.equal(e.satisfiedExpectations('a/b'), c.satisfied);
    });
  }

  it('get reports the counts', () => {
    const e = new ControllerExpectations();
    assert.equal(e.get('x'), undefined);
    e.setExpectations('x', 3, 2);
    e.creationObserved('x');
    assert.deepEqual(e.get('x'), { add: 2, del: 2 });
  });
});

describe('UIDTrackingExpectations', () => {
  it('counts each pod deletion once', () => {
    const e = new UIDTrackingExpectations();
    e.expectDeletionsOf('ns/rs', ['ns/p1', 'ns/p2']);
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.podDeletionObserved('ns/rs', 'ns/p1');
    e.podDeletionObserved('ns/rs', 'ns/p1'); // seen again (update with deletionTimestamp, then delete)
    assert.deepEqual(e.get('ns/rs'), { add: 0, del: 1 });
    e.podDeletionObserved('ns/rs', 'ns/other');
    assert.equal(e.satisfiedExpectations('ns/rs'), false);
    e.podDeletionObserved('ns/rs', 'ns/p2');
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
    assert.equal(e.getUIDs('ns/rs')?.size, 0);
  });

  it('deleteExpectations forgets the keys', () => {
    const e = new UIDTrackingExpectations();
    e.expectDeletionsOf('ns/rs', ['ns/p1']);
    e.deleteExpectations('ns/rs');
    assert.equal(e.getUIDs('ns/rs'), undefined);
    assert.equal(e.satisfiedExpectations('ns/rs'), true);
  });
});
