import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import { silentLogger } from '../../client/log.js';
import { harness, until } from '../testutil.js';
import { CLUSTER_ROLES, ClusterRoleAggregationController, FIELD_MANAGER, aggregateRules } from './controller.js';

const role = (name: string, rules: Obj[], labels?: Record<string, string>, aggregationRule?: Obj): Obj => ({
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
  metadata: { name, ...(labels ? { labels } : {}) }, rules, ...(aggregationRule ? { aggregationRule } : {}),
});
const sel = (...labels: string[]) => ({ clusterRoleSelectors: labels.map((l) => ({ matchLabels: { [l]: 'true' } })) });
const get = (r: string) => ({ apiGroups: [''], resources: [r], verbs: ['get'] });

interface Case { name: string; seed: Obj[]; key: string; writes: string[]; rules?: Obj[] }

const cases: Case[] = [
  {
    name: 'union of matching roles, by name, each rule once',
    seed: [
      role('agg', [], undefined, sel('a')),
      role('b-part', [get('pods'), get('services')], { a: 'true' }),
      role('a-part', [get('configmaps'), { apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: [] }], { a: 'true' }),
      role('other', [get('secrets')], { b: 'true' }),
    ],
    key: 'agg', writes: ['patch /agg'],
    rules: [get('configmaps'), { apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: [] }, get('services')],
  },
  {
    name: 'selectors in order; the role itself is skipped',
    seed: [
      role('agg', [get('old')], { a: 'true' }, sel('b', 'a')),
      role('x', [get('a-rule')], { a: 'true' }),
      role('y', [get('b-rule')], { b: 'true' }),
    ],
    key: 'agg', writes: ['patch /agg'], rules: [get('b-rule'), get('a-rule')],
  },
  { name: 'up to date: no write', seed: [role('agg', [get('pods')], undefined, sel('a')), role('p', [get('pods')], { a: 'true' })], key: 'agg', writes: [] },
  { name: 'nothing matches: rules emptied', seed: [role('agg', [get('pods')], undefined, sel('a'))], key: 'agg', writes: ['patch /agg'], rules: [] },
  { name: 'not aggregated: left alone', seed: [role('plain', [get('pods')])], key: 'plain', writes: [] },
  { name: 'gone: nothing to do', seed: [], key: 'agg', writes: [] },
];

describe('clusterrole aggregation sync', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed.map((o) => [CLUSTER_ROLES, o]));
      try {
        const ctl = new ClusterRoleAggregationController({ client: h.fake, clusterRoles: h.informer(CLUSTER_ROLES), log: silentLogger });
        await h.sync();
        h.fake.clearActions();
        await ctl.sync(c.key);
        const writes = h.fake.writes();
        assert.deepEqual(writes.map((a) => `${a.verb} ${a.namespace ?? ''}/${a.name}`), c.writes);
        if (c.rules) {
          assert.equal(writes[0].patchType, 'apply');
          assert.deepEqual(h.fake.object(CLUSTER_ROLES, '', c.key)!.rules, c.rules);
        }
        ctl.queue.shutdown();
      } finally {
        await h.close();
      }
    });
  }
});

describe('clusterrole aggregation', () => {
  it('matchExpressions select too', () => {
    const agg = role('agg', [], undefined, { clusterRoleSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['x'] }] }] });
    assert.deepEqual(aggregateRules(agg, [agg, role('m', [get('pods')], { tier: 'x' }), role('n', [get('nodes')], { tier: 'y' })]), [get('pods')]);
  });

  it('run() follows label changes through the informer, applying as the controller', async () => {
    const h = harness([[CLUSTER_ROLES, role('agg', [], undefined, sel('a'))], [CLUSTER_ROLES, role('p', [get('pods')])]]);
    const ac = new AbortController();
    try {
      const ctl = new ClusterRoleAggregationController({ client: h.fake, clusterRoles: h.informer(CLUSTER_ROLES), log: silentLogger });
      const running = ctl.run(ac.signal);
      await h.sync();
      await h.fake.patch(CLUSTER_ROLES, '', 'p', 'merge', { metadata: { labels: { a: 'true' } } });
      await until(() => (h.fake.object(CLUSTER_ROLES, '', 'agg')!.rules ?? []).length === 1, 'aggregated rules');
      const apply = h.fake.writes().find((a) => a.patchType === 'apply');
      assert.ok(apply);
      ac.abort();
      await running;
      assert.equal(FIELD_MANAGER, 'clusterrole-aggregation-controller');
    } finally {
      ac.abort();
      await h.close();
    }
  });
});
