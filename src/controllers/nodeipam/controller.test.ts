import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { EventRecorder } from '../../client/events.js';
import type { FakeClient } from '../../client/fake.js';
import { silentLogger } from '../../client/log.js';
import { R, harness, until } from '../testutil.js';
import { CidrSet, NO_CIDRS_REMAINING } from './cidrset.js';
import { NODES, NodeIpamController, type NodeIpamControllerOptions } from './controller.js';

const node = (name: string, cidrs?: string[]): Obj => ({ metadata: { name }, spec: cidrs ? { podCIDR: cidrs[0], podCIDRs: cidrs } : {} });
const cidrsOf = (fake: FakeClient, name: string): string[] | undefined => fake.object(NODES, '', name)?.spec?.podCIDRs;

describe('CidrSet', () => {
  it('cuts the cluster CIDR into node subnets, rotating past the last one', () => {
    const s = new CidrSet('10.42.0.0/16', 24);
    assert.equal(s.maxCIDRs, 256);
    assert.equal(s.allocateNext(), '10.42.0.0/24');
    assert.equal(s.allocateNext(), '10.42.1.0/24');
    s.release('10.42.0.0/24');
    assert.equal(s.allocateNext(), '10.42.2.0/24', 'released subnets come back only after a full turn');
    s.occupy('10.42.3.0/24');
    assert.equal(s.allocateNext(), '10.42.4.0/24');
  });

  it('runs out with upstream\'s error', () => {
    const s = new CidrSet('10.0.0.0/30', 31);
    s.allocateNext();
    s.allocateNext();
    assert.throws(() => s.allocateNext(), { message: NO_CIDRS_REMAINING });
  });

  it('occupies larger and smaller CIDRs, refuses foreign ones', () => {
    const s = new CidrSet('10.0.0.0/8', 24);
    s.occupy('10.43.0.0/16');
    assert.equal(s.free, 65536 - 256);
    s.occupy('10.1.1.16/28');
    assert.equal(s.free, 65536 - 257);
    assert.throws(() => s.occupy('192.168.0.0/24'), /out the range of cluster cidr 10.0.0.0\/8/);
    assert.throws(() => new CidrSet('10.0.0.0/8', 25), /too large/);
  });

  it('IPv6', () => {
    const s = new CidrSet('fd00:42::/56', 64);
    assert.equal(s.allocateNext(), 'fd00:42::/64');
    assert.equal(s.allocateNext(), 'fd00:42:0:1::/64');
  });
});

interface Case {
  name: string;
  nodes: Obj[];
  opts?: Partial<NodeIpamControllerOptions>;
  react?: (fake: FakeClient) => void;
  check: (fake: FakeClient, c: NodeIpamController) => Promise<void> | void;
}

const cases: Case[] = [
  {
    name: 'nodes without a podCIDR get the next free /24; existing ones are kept and skipped',
    nodes: [node('a'), node('b', ['10.42.0.0/24']), node('c')],
    check: async (fake) => {
      await until(() => !!cidrsOf(fake, 'a') && !!cidrsOf(fake, 'c'), 'assignments');
      const got = [cidrsOf(fake, 'a')![0], cidrsOf(fake, 'c')![0]].sort();
      assert.deepEqual(got, ['10.42.1.0/24', '10.42.2.0/24']);
      assert.deepEqual(cidrsOf(fake, 'b'), ['10.42.0.0/24']);
      assert.equal(fake.object(NODES, '', 'a')!.spec.podCIDR, cidrsOf(fake, 'a')![0]);
      assert.equal(fake.writes().filter((w) => w.verb === 'patch').length, 2);
    },
  },
  {
    name: 'the service range is never handed out',
    nodes: [node('a')],
    opts: { clusterCIDR: '10.0.0.0/23', serviceCIDR: '10.0.0.0/24' },
    check: async (fake) => {
      await until(() => !!cidrsOf(fake, 'a'), 'assignment');
      assert.deepEqual(cidrsOf(fake, 'a'), ['10.0.1.0/24']);
    },
  },
  {
    name: 'dual-stack nodes get one subnet per family',
    nodes: [node('a')],
    opts: { clusterCIDR: '10.42.0.0/16,fd00:42::/56' },
    check: async (fake) => {
      await until(() => !!cidrsOf(fake, 'a'), 'assignment');
      assert.deepEqual(cidrsOf(fake, 'a'), ['10.42.0.0/24', 'fd00:42::/64']);
    },
  },
  {
    name: 'a full pool: CIDRNotAvailable event, the node stays without',
    nodes: [node('a', ['10.0.0.0/24']), node('b')],
    opts: { clusterCIDR: '10.0.0.0/24' },
    check: async (fake) => {
      await until(() => fake.objects(R.events, 'default').some((e) => e.reason === 'CIDRNotAvailable'), 'event');
      const ev = fake.objects(R.events, 'default').find((e) => e.reason === 'CIDRNotAvailable')!;
      assert.equal(ev.message, 'Node b status is now: CIDRNotAvailable');
      assert.deepEqual([ev.involvedObject.kind, ev.involvedObject.name], ['Node', 'b']);
      assert.equal(cidrsOf(fake, 'b'), undefined);
    },
  },
  {
    name: 'a deleted node gives its subnet back',
    nodes: [node('a', ['10.0.0.0/24'])],
    opts: { clusterCIDR: '10.0.0.0/24' },
    check: async (fake, c) => {
      await until(() => c.sets[0].free === 0, 'occupied');
      await fake.delete(NODES, '', 'a');
      await until(() => c.sets[0].free === 1, 'released');
      await fake.create(NODES, '', node('z'));
      await until(() => !!cidrsOf(fake, 'z'), 'reassigned');
      assert.deepEqual(cidrsOf(fake, 'z'), ['10.0.0.0/24']);
    },
  },
  {
    name: 'a failing patch gives the subnet back and reports CIDRAssignmentFailed',
    nodes: [node('a')],
    opts: { clusterCIDR: '10.0.0.0/24' },
    react: (fake) => fake.prependReactor('patch', 'nodes', () => { throw new ApiError(500, 'InternalError', 'boom'); }),
    check: async (fake, c) => {
      await until(() => fake.objects(R.events, 'default').some((e) => e.reason === 'CIDRAssignmentFailed'), 'event');
      assert.equal(c.sets[0].free, 1);
    },
  },
];

describe('NodeIpamController', () => {
  for (const tc of cases) {
    it(tc.name, async () => {
      const h = harness(tc.nodes.map((n) => [NODES, n]));
      tc.react?.(h.fake);
      const recorder = new EventRecorder(h.fake, { component: 'cidrAllocator', log: silentLogger, signal: h.signal });
      const c = new NodeIpamController({ client: h.fake, nodes: h.informer(NODES), recorder, log: silentLogger, ...tc.opts });
      const run = c.run(h.signal);
      await h.sync();
      try {
        await tc.check(h.fake, c);
      } finally {
        await h.close();
        await run;
      }
    });
  }

  it('refuses bad configurations', () => {
    const h = harness();
    const mk = (o: Partial<NodeIpamControllerOptions>) => () => new NodeIpamController({ client: h.fake, nodes: h.informer(NODES), log: silentLogger, ...o });
    assert.throws(mk({ clusterCIDR: 'nope' }), /invalid CIDR/);
    assert.throws(mk({ clusterCIDR: '10.0.0.0/8,10.1.0.0/16' }), /one IPv4 and one IPv6/);
    assert.throws(mk({ clusterCIDR: '10.0.0.0/16', nodeCIDRMaskSizeIPv4: 8 }), /does not fit/);
  });
});
