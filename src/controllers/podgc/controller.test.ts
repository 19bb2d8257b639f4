import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findResource } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import type { FakeClient } from '../../client/fake.js';
import type { DeleteOptions, KubeClient, ResourceRef } from '../../client/interface.js';
import { silentLogger } from '../../client/log.js';
import { harness } from '../testutil.js';
import { OUT_OF_SERVICE_TAINT, PodGCController } from './controller.js';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

const pod = (name: string, o: { node?: string | null; phase?: string; reason?: string; created?: string; deleting?: boolean } = {}): [ResourceRef, Obj] => [PODS, {
  metadata: {
    name, namespace: 'ns', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
    // a finalizer keeps terminating pods around in the fake, as a kubelet that never answers would
    ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['example.com/hold'] } : {}),
  },
  spec: { ...(o.node === null ? {} : { nodeName: o.node ?? 'n1' }), containers: [{ name: 'c', image: 'busybox' }] },
  status: { phase: o.phase ?? 'Running', ...(o.reason ? { reason: o.reason } : {}) },
}];
const node = (name: string, o: { ready?: boolean; outOfService?: boolean } = {}): [ResourceRef, Obj] => [NODES, {
  metadata: { name },
  spec: o.outOfService ? { taints: [{ key: OUT_OF_SERVICE_TAINT, value: 'nodeshutdown', effect: 'NoExecute' }] } : {},
  status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
}];

/** Records delete options (FakeClient's actions do not carry them). */
function recording(fake: FakeClient, deletes: string[]): KubeClient {
  return new Proxy(fake, {
    get(target, prop, receiver) {
      if (prop !== 'delete') return Reflect.get(target, prop, receiver);
      return (r: ResourceRef, ns: string | undefined, name: string, opts?: DeleteOptions) => {
        deletes.push(`${name} grace=${opts?.gracePeriodSeconds}`);
        return target.delete(r, ns, name, opts);
      };
    },
  }) as KubeClient;
}

interface Case {
  name: string;
  seed: [ResourceRef, Obj][];
  threshold?: number;
  react?: (fake: FakeClient) => void;
  /** gc passes, each at this many ms after the start. */
  passes?: number[];
  deletes: string[];
  /** How many deletes had happened after each pass. */
  progress?: number[];
  /** Pods whose status was patched to Failed, with the condition reason if any. */
  failed?: string[];
}

const cases: Case[] = [
  {
    name: 'finished pods beyond the threshold: evicted first, then the oldest',
    threshold: 2,
    seed: [
      node('n1'),
      pod('old', { phase: 'Succeeded', created: '2024-01-01T00:00:00Z' }),
      pod('newer', { phase: 'Failed', created: '2024-01-02T00:00:00Z' }),
      pod('newest', { phase: 'Succeeded', created: '2024-01-03T00:00:00Z' }),
      pod('evicted', { phase: 'Failed', reason: 'Evicted', created: '2024-01-04T00:00:00Z' }),
      pod('running', { created: '2023-01-01T00:00:00Z' }),
    ],
    deletes: ['evicted grace=0', 'old grace=0'],
    failed: [],
  },
  {
    name: 'the threshold disabled (0): finished pods stay',
    threshold: 0,
    seed: [node('n1'), pod('a', { phase: 'Succeeded' }), pod('b', { phase: 'Failed' })],
    deletes: [],
  },
  {
    name: 'pods of a node that is gone: deleted only after the quarantine, marked Failed with DisruptionTarget',
    seed: [node('n1'), pod('here'), pod('orphan', { node: 'gone' }), pod('done', { node: 'gone', phase: 'Succeeded' })],
    passes: [0, 39_000, 41_000],
    progress: [0, 0, 2],
    deletes: ['orphan grace=0', 'done grace=0'],
    failed: ['orphan DeletionByPodGC'],
  },
  {
    name: 'a node missing from the cache but found live is not taken as gone',
    seed: [node('n1'), pod('p', { node: 'late' })],
    // a node the API server has but the informer has not shown yet
    react: (fake) => fake.prependReactor('get', 'nodes', (a) => (a.name === 'late' ? { metadata: { name: 'late' } } : undefined)),
    passes: [0, 41_000],
    deletes: [],
  },
  {
    name: 'terminating pods on a not-ready node with the out-of-service taint',
    seed: [
      node('down', { ready: false, outOfService: true }), node('notready', { ready: false }), node('tainted', { outOfService: true }),
      pod('a', { node: 'down', deleting: true }), pod('b', { node: 'notready', deleting: true }), pod('c', { node: 'tainted', deleting: true }),
      pod('d', { node: 'down' }),
    ],
    deletes: ['a grace=0'],
    failed: ['a'],
  },
  {
    name: 'terminating pods never scheduled',
    seed: [node('n1'), pod('pending', { node: null, phase: 'Pending', deleting: true }), pod('waiting', { node: null, phase: 'Pending' })],
    deletes: ['pending grace=0'],
    failed: ['pending'],
  },
];

describe('pod garbage collector', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const h = harness(c.seed);
      const deletes: string[] = [];
      let now = 0;
      try {
        const ctrl = new PodGCController({
          client: recording(h.fake, deletes), pods: h.informer(PODS), nodes: h.informer(NODES),
          terminatedPodThreshold: c.threshold, now: () => now, log: silentLogger,
        });
        await h.sync();
        c.react?.(h.fake);
        const progress: number[] = [];
        for (const t of c.passes ?? [0]) {
          now = t;
          await ctrl.gc();
          progress.push(deletes.length);
        }
        if (c.progress) assert.deepEqual(progress, c.progress);
        assert.deepEqual(deletes.sort(), [...c.deletes].sort());
        const failed = h.fake.writes().filter((a) => a.verb === 'patch' && a.subresource === 'status').map((a) => {
          assert.equal(a.object!.status.phase, 'Failed');
          const reason = a.object!.status.conditions?.[0]?.reason;
          return reason ? `${a.name} ${reason}` : a.name;
        });
        assert.deepEqual(failed, c.failed ?? []);
      } finally {
        await h.close();
      }
    });
  }
});
