import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { harness } from '../testutil.js';
import { NODES, PODS, SERVICES, node, pod, svc } from '../endpoints/testdata.js';
import { CONTROLLER_NAME, ENDPOINT_SLICES, EndpointSliceController, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './controller.js';

const S = (o: Obj): [ResourceRef, Obj] => [SERVICES, o];
const P = (o: Obj): [ResourceRef, Obj] => [PODS, o];
const N = (o: Obj): [ResourceRef, Obj] => [NODES, o];
const ES = (o: Obj): [ResourceRef, Obj] => [ENDPOINT_SLICES, o];

const ourLabels = (svcName: string, extra: Record<string, string> = {}): Record<string, string> => ({ ...extra, [SERVICE_NAME_LABEL]: svcName, [MANAGED_BY_LABEL]: CONTROLLER_NAME });
const slice = (name: string, o: { svcUid?: string; endpoints?: Obj[]; ports?: Obj[]; labels?: Record<string, string>; generation?: number } = {}): Obj => ({
  metadata: {
    name, namespace: 'ns', labels: o.labels ?? ourLabels('web'), generation: o.generation ?? 1,
    ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: o.svcUid ?? 'svc-web', controller: true, blockOwnerDeletion: true }],
  },
  addressType: 'IPv4',
  endpoints: o.endpoints ?? [],
  ...(o.ports ? { ports: o.ports } : {}),
});
const HTTP = [{ name: 'http', port: 8080, protocol: 'TCP' }];
const ep = (p: string, ip: string, ready = true): Obj => ({
  addresses: [ip], conditions: { ready, serving: ready, terminating: false },
  targetRef: { kind: 'Pod', namespace: 'ns', name: p, uid: `uid-${p}` }, nodeName: 'node-1',
});

const mine = (fake: FakeClient): Obj[] => fake.objects(ENDPOINT_SLICES, 'ns').filter((s) => s.metadata.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME);
const ipsOf = (s: Obj): string[] => s.endpoints.map((e: Obj) => e.addresses[0]);
const writes = (fake: FakeClient): string[] => fake.writes().map((a) => `${a.verb} ${a.name ?? a.object?.metadata?.generateName}`);

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  /** Changes the tracker as if earlier writes happened. */
  prepare?: (c: EndpointSliceController, fake: FakeClient) => void;
  throws?: RegExp;
  check: (fake: FakeClient) => void;
}

const cases: Case[] = [
  {
    name: 'a Service with pods gets one slice: labels, owner, generateName, ports, conditions, zone, trigger time',
    seed: [N(node('node-1', 'zone-a')), S(svc('web', { labels: { tier: 'front' } })), P(pod('p1')), P(pod('p2', { ready: false })), P(pod('p3', { deleting: true })), P(pod('x', { labels: { app: 'other' } }))],
    check: (fake) => {
      const [s, more] = mine(fake);
      assert.equal(more, undefined);
      assert.equal(s.metadata.generateName, 'web-');
      assert.deepEqual(s.metadata.labels, ourLabels('web', { tier: 'front' }));
      assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-web', controller: true, blockOwnerDeletion: true }]);
      assert.equal(s.addressType, 'IPv4');
      assert.deepEqual(s.ports, HTTP);
      assert.equal(s.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], '2024-01-01T00:00:00Z');
      assert.deepEqual(s.endpoints[0], {
        addresses: ['10.244.0.3'], conditions: { ready: true, serving: true, terminating: false },
        targetRef: { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'uid-p1' }, nodeName: 'node-1', zone: 'zone-a',
      });
      assert.deepEqual(s.endpoints[1].conditions, { ready: false, serving: false, terminating: false });
      assert.deepEqual(s.endpoints[2].conditions, { ready: false, serving: true, terminating: true }, 'terminating pods stay, not ready');
    },
  },
  {
    name: 'publishNotReadyAddresses: every endpoint is ready',
    seed: [N(node('node-1')), S(svc('web', { publishNotReady: true })), P(pod('p1', { ready: false })), P(pod('p2', { deleting: true }))],
    check: (fake) => assert.deepEqual(mine(fake)[0].endpoints.map((e: Obj) => e.conditions.ready), [true, true]),
  },
  {
    name: 'hostname when the pod subdomain names the Service; headless label',
    seed: [N(node('node-1')), S(svc('web', { clusterIP: 'None', ports: [] })), P(pod('p1', { hostname: 'web-0', subdomain: 'web' }))],
    check: (fake) => {
      const [s] = mine(fake);
      assert.equal(s.endpoints[0].hostname, 'web-0');
      assert.equal(s.ports, undefined);
      assert.equal(s.metadata.labels['service.kubernetes.io/headless'], '');
    },
  },
  {
    name: 'no pods: one empty placeholder slice',
    seed: [S(svc('web'))],
    check: (fake) => {
      const [s, more] = mine(fake);
      assert.equal(more, undefined);
      assert.deepEqual(s.endpoints, []);
      assert.equal(s.ports, undefined);
    },
  },
  {
    name: 'an existing placeholder is kept as is',
    seed: [S(svc('web')), ES(slice('web-abc'))],
    check: (fake) => assert.deepEqual(fake.writes(), []),
  },
  {
    name: 'up to date: no writes',
    seed: [N(node('node-1')), S(svc('web')), P(pod('p1')), ES(slice('web-abc', { ports: HTTP, endpoints: [ep('p1', '10.244.0.3')] }))],
    check: (fake) => assert.deepEqual(fake.writes(), []),
  },
  {
    name: '250 pods: slices of at most 100',
    seed: [N(node('node-1')), S(svc('web')), ...Array.from({ length: 250 }, (_, i) => P(pod(`p${String(i).padStart(3, '0')}`, { ip: `10.1.${Math.floor(i / 200)}.${i % 200 + 1}` })))],
    check: (fake) => assert.deepEqual(mine(fake).map((s) => s.endpoints.length).sort(), [100, 100, 50]),
  },
  {
    name: 'a pod gone and one changed: the slice is updated in place',
    seed: [
      N(node('node-1')), S(svc('web')), P(pod('p1', { ready: false })),
      ES(slice('web-abc', { ports: HTTP, endpoints: [ep('p1', '10.244.0.3'), ep('p2', '10.244.0.4')] })),
    ],
    check: (fake) => {
      assert.deepEqual(writes(fake), ['update web-abc']);
      const [s] = mine(fake);
      assert.deepEqual(ipsOf(s), ['10.244.0.3']);
      assert.equal(s.endpoints[0].conditions.ready, false);
    },
  },
  {
    name: 'the last pod gone: the emptied slice is reused as the placeholder (update, not delete+create)',
    seed: [S(svc('web')), ES(slice('web-abc', { ports: HTTP, endpoints: [ep('p1', '10.244.0.3')] }))],
    check: (fake) => {
      assert.deepEqual(writes(fake), ['update web-abc']);
      const [s] = mine(fake);
      assert.deepEqual(s.endpoints, []);
      assert.equal(s.ports, undefined);
    },
  },
  {
    name: 'new pods top up a slice being updated anyway',
    seed: [
      N(node('node-1')), S(svc('web')), P(pod('p1', { ready: false })), P(pod('p2')),
      ES(slice('web-abc', { ports: HTTP, endpoints: [ep('p1', '10.244.0.3')] })),
    ],
    check: (fake) => {
      assert.deepEqual(writes(fake), ['update web-abc']);
      assert.deepEqual(ipsOf(mine(fake)[0]), ['10.244.0.3', '10.244.0.4']);
    },
  },
  {
    name: 'pods serving different ports: one slice per port set',
    seed: [
      N(node('node-1')), S(svc('web', { ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] })),
      P(pod('p1', { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] })),
      P(pod('p2', { ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }] })),
    ],
    check: (fake) => assert.deepEqual(mine(fake).map((s) => `${s.ports[0].port}:${ipsOf(s)}`).sort(), ['8080:10.244.0.3', '9090:10.244.0.4']),
  },
  {
    name: 'a pod on a node that does not exist is skipped, and the sync retried',
    seed: [N(node('node-1')), S(svc('web')), P(pod('p1')), P(pod('p2', { node: 'gone' }))],
    throws: /skipping Pod p2 for Service ns\/web: node not found/,
    check: (fake) => assert.deepEqual(ipsOf(mine(fake)[0]), ['10.244.0.3']),
  },
  {
    name: 'slices of an older Service with the same name are replaced',
    seed: [N(node('node-1')), S(svc('web')), P(pod('p1')), ES(slice('web-old', { svcUid: 'old-uid', ports: HTTP, endpoints: [ep('p1', '10.244.0.3')] }))],
    check: (fake) => {
      assert.deepEqual(writes(fake).sort(), ['create web-', 'delete web-old']);
      assert.equal(mine(fake)[0].metadata.ownerReferences[0].uid, 'svc-web');
    },
  },
  {
    name: 'slices managed by someone else are left alone',
    seed: [S(svc('web')), ES(slice('web-mirror', { labels: { [SERVICE_NAME_LABEL]: 'web', [MANAGED_BY_LABEL]: 'endpointslicemirroring-controller.k8s.io' } }))],
    check: (fake) => {
      assert.ok(fake.object(ENDPOINT_SLICES, 'ns', 'web-mirror'));
      assert.deepEqual(writes(fake), ['create web-']);
    },
  },
  {
    name: 'Service labels changed: slice labels follow',
    seed: [S(svc('web', { labels: { tier: 'back' } })), ES(slice('web-abc', { labels: ourLabels('web', { tier: 'front' }) }))],
    check: (fake) => {
      assert.deepEqual(writes(fake), ['update web-abc']);
      assert.deepEqual(mine(fake)[0].metadata.labels, ourLabels('web', { tier: 'back' }));
    },
  },
  {
    name: 'no selector, ExternalName, or no Service: nothing is written',
    seed: [S(svc('web', { selector: null })), S(svc('ext', { type: 'ExternalName' })), P(pod('p1'))],
    check: (fake) => assert.deepEqual(fake.writes(), []),
  },
  {
    name: 'a cache behind our own writes is not trusted',
    seed: [S(svc('web')), ES(slice('web-abc', { generation: 2 }))],
    prepare: (c, fake) => {
      const cached = fake.object(ENDPOINT_SLICES, 'ns', 'web-abc')!;
      c.tracker.update({ ...cached, metadata: { ...cached.metadata, generation: 3 } });
    },
    throws: /EndpointSlice informer cache is out of date/,
    check: (fake) => assert.deepEqual(fake.writes(), []),
  },
];

describe('endpointslice controller', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      try {
        const ctrl = new EndpointSliceController({
          client: h.fake, services: h.informer(SERVICES), pods: h.informer(PODS), nodes: h.informer(NODES),
          endpointSlices: h.informer(ENDPOINT_SLICES), log: silentLogger,
        });
        await h.sync();
        c.prepare?.(ctrl, h.fake);
        h.fake.clearActions();
        for (const key of ['ns/web', 'ns/ext', 'ns/none']) {
          if (c.throws && key === 'ns/web') await assert.rejects(ctrl.sync(key), c.throws);
          else await ctrl.sync(key);
        }
        c.check(h.fake);
      } finally {
        await h.close();
      }
    });
  }

  it('runs: follows pod readiness, ignores the echo of its own writes', async () => {
    const h = harness([N(node('node-1')), S(svc('web')), P(pod('p1', { ready: false }))]);
    const ac = new AbortController();
    try {
      const ctrl = new EndpointSliceController({
        client: h.fake, services: h.informer(SERVICES), pods: h.informer(PODS), nodes: h.informer(NODES),
        endpointSlices: h.informer(ENDPOINT_SLICES), log: silentLogger,
      });
      await h.sync();
      const run = ctrl.run(ac.signal);
      const first = async (): Promise<Obj | undefined> => mine(h.fake)[0];
      await waitFor(async () => (await first())?.endpoints?.[0]?.conditions?.ready === false);
      const p = h.fake.object(PODS, 'ns', 'p1')!;
      p.status.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-03-01T00:00:00Z' }];
      await h.fake.updateStatus(PODS, 'ns', p);
      await waitFor(async () => (await first())?.endpoints?.[0]?.conditions?.ready === true);
      await new Promise((r) => setTimeout(r, 50));
      const sliceWrites = h.fake.writes().filter((a) => a.resource === 'endpointslices').map((a) => a.verb);
      assert.deepEqual(sliceWrites, ['create', 'update'], 'one write per change');
      assert.equal((await first())!.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], '2024-03-01T00:00:00Z');
      ac.abort();
      await run;
    } finally {
      ac.abort();
      await h.close();
    }
  });
});

async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + 3000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
