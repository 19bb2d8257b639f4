import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forbidden, ApiError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import { NAMESPACE_TERMINATING_CAUSE } from '../../client/errors.js';
import type { ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { harness } from '../testutil.js';
import { ENDPOINTS, EndpointsController, OVER_CAPACITY_ANNOTATION, repackSubsets } from './controller.js';
import { PODS, SERVICES, pod, svc } from './testdata.js';
import { LAST_CHANGE_TRIGGER_TIME_ANNOTATION, formatRFC3339Nano, servicesToUpdateOnPodChange } from './util.js';

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  key?: string;
  react?: (fake: FakeClient) => void;
  throws?: RegExp;
  check: (ep: Obj | undefined, fake: FakeClient) => void;
}

const S = (o: Obj): [ResourceRef, Obj] => [SERVICES, o];
const P = (o: Obj): [ResourceRef, Obj] => [PODS, o];
const E = (o: Obj): [ResourceRef, Obj] => [ENDPOINTS, o];
const ips = (list: Obj[] | undefined): string[] => (list ?? []).map((a) => a.ip);

const cases: Case[] = [
  {
    name: 'ready pods under addresses, not-ready under notReadyAddresses, one subset',
    seed: [S(svc('web')), P(pod('p1')), P(pod('p2', { ready: false })), P(pod('p3')), P(pod('other', { labels: { app: 'x' } }))],
    check: (ep) => {
      assert.equal(ep!.subsets.length, 1);
      const [s] = ep!.subsets;
      assert.deepEqual(ips(s.addresses), ['10.244.0.3', '10.244.0.5']);
      assert.deepEqual(ips(s.notReadyAddresses), ['10.244.0.4']);
      assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
      assert.deepEqual(s.addresses[0], { ip: '10.244.0.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'uid-p1' } });
    },
  },
  {
    name: 'a named targetPort resolves per pod: pods serving different ports get different subsets',
    seed: [
      S(svc('web', { ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] })),
      P(pod('p1', { ports: [{ name: 'web', containerPort: 8080, protocol: 'TCP' }] })),
      P(pod('p2', { ports: [{ name: 'web', containerPort: 9090, protocol: 'TCP' }] })),
      P(pod('p3', { ports: [{ name: 'web', containerPort: 9090, protocol: 'UDP' }] })),
    ],
    check: (ep) => {
      const byPort = Object.fromEntries(ep!.subsets.map((s: Obj) => [s.ports[0].port, ips(s.addresses)]));
      assert.deepEqual(byPort, { 8080: ['10.244.0.3'], 9090: ['10.244.0.4'] }, 'a port of another protocol does not match');
    },
  },
  {
    name: 'two Service ports served by every pod: one subset with both ports',
    seed: [
      S(svc('web', { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' }] })),
      P(pod('p1', { ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }] })),
      P(pod('p2', { ports: [{ name: 'metrics', containerPort: 9100, protocol: 'TCP' }] })),
    ],
    check: (ep) => {
      assert.equal(ep!.subsets.length, 1);
      assert.deepEqual(ep!.subsets[0].ports.map((p: Obj) => `${p.name}:${p.port}`), ['http:8080', 'metrics:9100']);
      assert.equal(ep!.subsets[0].addresses.length, 2);
    },
  },
  {
    name: 'terminating, finished and IP-less pods are left out',
    seed: [S(svc('web')), P(pod('p1')), P(pod('p2', { deleting: true })), P(pod('p3', { phase: 'Succeeded', ready: false })), P(pod('p4', { ip: null, ready: false }))],
    check: (ep) => {
      assert.equal(ep!.subsets.length, 1);
      assert.deepEqual(ips(ep!.subsets[0].addresses), ['10.244.0.3']);
      assert.equal(ep!.subsets[0].notReadyAddresses, undefined);
    },
  },
  {
    name: 'publishNotReadyAddresses: not-ready and terminating pods are published as addresses',
    seed: [S(svc('web', { publishNotReady: true })), P(pod('p1', { ready: false })), P(pod('p2', { deleting: true }))],
    check: (ep) => {
      assert.deepEqual(ips(ep!.subsets[0].addresses), ['10.244.0.3', '10.244.0.4']);
      assert.equal(ep!.subsets[0].notReadyAddresses, undefined);
    },
  },
  {
    name: 'hostname only for pods whose subdomain names the Service; headless Service gets the label',
    seed: [
      S(svc('web', { clusterIP: 'None', ports: [] })),
      P(pod('p1', { hostname: 'web-0', subdomain: 'web' })),
      P(pod('p2', { hostname: 'other-0', subdomain: 'other' })),
    ],
    check: (ep) => {
      assert.equal(ep!.subsets.length, 1);
      assert.equal(ep!.subsets[0].ports, undefined, 'a portless headless Service has portless subsets');
      const byName = Object.fromEntries(ep!.subsets[0].addresses.map((a: Obj) => [a.targetRef.name, a.hostname]));
      assert.deepEqual(byName, { p1: 'web-0', p2: undefined });
      assert.equal(ep!.metadata.labels['service.kubernetes.io/headless'], '');
    },
  },
  {
    name: 'a ClusterIP Service without ports lists no pods',
    seed: [S(svc('web', { ports: [] })), P(pod('p1'))],
    check: (ep) => assert.deepEqual(ep!.subsets, []),
  },
  {
    name: 'no pods: an Endpoints with no subsets, the Service labels and creation time as trigger time',
    seed: [S(svc('web', { labels: { tier: 'front' }, created: '2024-02-03T04:05:06Z' }))],
    check: (ep) => {
      assert.deepEqual(ep!.subsets, []);
      assert.deepEqual(ep!.metadata.labels, { tier: 'front' });
      assert.equal(ep!.metadata.annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION], '2024-02-03T04:05:06Z');
    },
  },
  {
    name: 'the Service is gone: its Endpoints are deleted',
    seed: [E({ metadata: { name: 'web', namespace: 'ns' }, subsets: [] })],
    check: (ep, fake) => {
      assert.equal(ep, undefined);
      assert.deepEqual(fake.writes().map((a) => `${a.verb} ${a.name}`), ['delete web']);
    },
  },
  {
    name: 'a Service without a selector keeps hand-made Endpoints untouched',
    seed: [S(svc('web', { selector: null })), E({ metadata: { name: 'web', namespace: 'ns' }, subsets: [{ addresses: [{ ip: '1.2.3.4' }] }] })],
    check: (ep, fake) => {
      assert.deepEqual(ep!.subsets, [{ addresses: [{ ip: '1.2.3.4' }] }]);
      assert.deepEqual(fake.writes(), []);
    },
  },
  {
    name: 'default/kubernetes belongs to the API server',
    key: 'default/kubernetes',
    seed: [E({ metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }, subsets: [{ addresses: [{ ip: '127.0.0.1' }] }] })],
    check: (_ep, fake) => {
      assert.deepEqual(fake.writes(), []);
      assert.ok(fake.object(ENDPOINTS, 'default', 'kubernetes'));
    },
  },
  {
    name: 'ExternalName Services have no Endpoints',
    seed: [S(svc('web', { type: 'ExternalName' })), P(pod('p1'))],
    check: (ep, fake) => {
      assert.equal(ep, undefined);
      assert.deepEqual(fake.writes(), []);
    },
  },
  {
    name: 'up to date: no write',
    seed: [
      S(svc('web')), P(pod('p1')),
      E({
        metadata: { name: 'web', namespace: 'ns' },
        subsets: [{ addresses: [{ ip: '10.244.0.3', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'uid-p1' } }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
      }),
    ],
    check: (_ep, fake) => assert.deepEqual(fake.writes(), []),
  },
  {
    name: 'stale Endpoints are updated in place, with the over-capacity annotation dropped',
    seed: [S(svc('web')), P(pod('p1')), E({ metadata: { name: 'web', namespace: 'ns', annotations: { [OVER_CAPACITY_ANNOTATION]: 'truncated', keep: 'me' } }, subsets: [] })],
    check: (ep, fake) => {
      assert.deepEqual(fake.writes().map((a) => a.verb), ['update']);
      assert.deepEqual(ips(ep!.subsets[0].addresses), ['10.244.0.3']);
      assert.equal(ep!.metadata.annotations[OVER_CAPACITY_ANNOTATION], undefined);
      assert.equal(ep!.metadata.annotations.keep, 'me');
    },
  },
  {
    name: 'over 1000 addresses: truncated to 1000 with the over-capacity annotation',
    seed: [S(svc('web')), ...Array.from({ length: 1005 }, (_, i) => P(pod(`p${i}`, { ip: `10.1.${Math.floor(i / 250)}.${i % 250 + 1}` })))],
    check: (ep) => {
      assert.equal(ep!.subsets[0].addresses.length, 1000);
      assert.equal(ep!.metadata.annotations[OVER_CAPACITY_ANNOTATION], 'truncated');
    },
  },
  {
    name: 'a namespace being terminated refuses the create: dropped without error',
    seed: [S(svc('web')), P(pod('p1'))],
    react: (fake) => fake.prependReactor('create', 'endpoints', () => {
      const e = forbidden('', 'endpoints', 'web', 'unable to create new content in namespace ns because it is being terminated');
      throw new ApiError(e.code, e.reason, e.message, { ...e.details, causes: [{ reason: NAMESPACE_TERMINATING_CAUSE, message: 'x', field: 'metadata.namespace' }] });
    }),
    check: (ep) => assert.equal(ep, undefined),
  },
  {
    name: 'another failed create fails the sync',
    seed: [S(svc('web'))],
    react: (fake) => fake.prependReactor('create', 'endpoints', () => { throw new ApiError(500, 'InternalError', 'boom'); }),
    throws: /boom/,
    check: (ep) => assert.equal(ep, undefined),
  },
];

describe('endpoints controller', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      try {
        const ctrl = new EndpointsController({
          client: h.fake, services: h.informer(SERVICES), pods: h.informer(PODS), endpoints: h.informer(ENDPOINTS), log: silentLogger,
        });
        await h.sync();
        c.react?.(h.fake);
        h.fake.clearActions();
        const key = c.key ?? 'ns/web';
        if (c.throws) await assert.rejects(ctrl.sync(key), c.throws);
        else await ctrl.sync(key);
        const [ns, name] = key.split('/');
        c.check(h.fake.object(ENDPOINTS, ns, name), h.fake);
      } finally {
        await h.close();
      }
    });
  }

  it('runs: a pod turning ready moves from notReadyAddresses to addresses, with its transition time', async () => {
    const h = harness([S(svc('web')), P(pod('p1', { ready: false }))]);
    const ac = new AbortController();
    try {
      const ctrl = new EndpointsController({
        client: h.fake, services: h.informer(SERVICES), pods: h.informer(PODS), endpoints: h.informer(ENDPOINTS), log: silentLogger,
      });
      await h.sync();
      const run = ctrl.run(ac.signal);
      const ep = async (): Promise<Obj | undefined> => h.fake.object(ENDPOINTS, 'ns', 'web');
      await waitFor(async () => (await ep())?.subsets?.[0]?.notReadyAddresses?.length === 1);
      const p = h.fake.object(PODS, 'ns', 'p1')!;
      p.status.conditions = [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-03-01T00:00:00Z' }];
      await h.fake.updateStatus(PODS, 'ns', p);
      await waitFor(async () => (await ep())?.subsets?.[0]?.addresses?.length === 1);
      assert.equal((await ep())!.metadata.annotations[LAST_CHANGE_TRIGGER_TIME_ANNOTATION], '2024-03-01T00:00:00Z');
      await h.fake.delete(SERVICES, 'ns', 'web');
      await waitFor(async () => (await ep()) === undefined);
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

describe('endpoints helpers', () => {
  it('repackSubsets: an address not ready on one port is not ready there only', () => {
    const a = { ip: '10.0.0.1', targetRef: { uid: 'a' } };
    const b = { ip: '10.0.0.2', targetRef: { uid: 'b' } };
    const p1 = { name: 'a', port: 1, protocol: 'TCP' };
    const p2 = { name: 'b', port: 2, protocol: 'TCP' };
    const out = repackSubsets([{ addresses: [a], ports: [p1] }, { notReadyAddresses: [a], ports: [p2] }, { addresses: [b], ports: [p1] }, { addresses: [b], ports: [p2] }]);
    assert.deepEqual(out, [
      { addresses: [a, b], ports: [p1] },
      { addresses: [b], notReadyAddresses: [a], ports: [p2] },
    ]);
  });

  it('formats times like Go RFC3339Nano', () => {
    assert.equal(formatRFC3339Nano(Date.parse('2024-01-01T00:00:00Z')), '2024-01-01T00:00:00Z');
    assert.equal(formatRFC3339Nano(Date.parse('2024-01-01T00:00:10.120Z')), '2024-01-01T00:00:10.12Z');
  });

  it('pod changes concern the Services a pod joins or leaves, and readiness/IP changes', async () => {
    const h = harness([S(svc('web')), S(svc('api', { selector: { app: 'api' } }))]);
    try {
      const services = h.informer(SERVICES);
      await h.sync();
      const base = pod('p1');
      const old = { ...base, metadata: { ...base.metadata, resourceVersion: '1' } };
      const same = { ...base, metadata: { ...base.metadata, resourceVersion: '2' } };
      assert.deepEqual([...servicesToUpdateOnPodChange(services, old, same)], []);
      assert.deepEqual([...servicesToUpdateOnPodChange(services, old, old)], [], 'resyncs are ignored');
      const relabelled = { ...same, metadata: { ...same.metadata, labels: { app: 'api' } } };
      assert.deepEqual([...servicesToUpdateOnPodChange(services, old, relabelled)].sort(), ['ns/api', 'ns/web']);
      const unready = pod('p1', { ready: false });
      unready.metadata.resourceVersion = '3';
      assert.deepEqual([...servicesToUpdateOnPodChange(services, old, unready)], ['ns/web']);
    } finally {
      await h.close();
    }
  });
});
