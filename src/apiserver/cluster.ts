// The set of registries (one per stored resource) and the admission chain they share, plus
// the cross-resource operations (eviction) that several handlers need.
import { ApiError } from '../api/errors.js';
import type { ResourceInfo } from '../api/resources.js';
import { RESOURCES, storageGroupOf } from '../api/resources.js';
import { fromLabelSelectorObject } from '../api/selectors/index.js';
import type { Obj } from '../api/types.js';
import type { Store } from '../storage/store.js';
import type { Admissions } from './admission/index.js';
import { Registry } from './registry/generic.js';
import type { RequestContext } from './registry/strategy.js';
import { strategyFor } from './registry/strategies/index.js';

export interface ClusterOptions {
  serviceAccountKey?: { privateKeyPem: string; publicKeyPem: string };
}

export class Cluster {
  private readonly registries = new Map<string, Registry>();
  private readonly stopper = new AbortController();
  readonly serviceAccountKey?: { privateKeyPem: string; publicKeyPem: string };

  constructor(readonly store: Store, readonly admissions: Admissions, opts: ClusterOptions = {}) {
    this.serviceAccountKey = opts.serviceAccountKey;
    for (const ri of RESOURCES) {
      if (ri.virtual) continue;
      const k = `${storageGroupOf(ri)}/${ri.plural}`;
      if (!this.registries.has(k)) this.registries.set(k, new Registry(ri, store, strategyFor(ri), admissions));
    }
    admissions.bind(this);
  }

  /** The registry that stores this resource (shared by all its group-versions). */
  registry(ri: ResourceInfo): Registry | undefined {
    return this.registries.get(`${storageGroupOf(ri)}/${ri.plural}`);
  }

  registryByName(group: string, plural: string): Registry {
    const r = this.registries.get(`${group}/${plural}`);
    if (!r) throw new Error(`no registry for ${group}/${plural}`);
    return r;
  }

  get signal(): AbortSignal { return this.stopper.signal; }

  async start(): Promise<void> {
    await this.admissions.start();
  }

  stop(): void {
    this.stopper.abort();
  }

  /**
   * pods/eviction: delete the pod unless a PodDisruptionBudget forbids it (429, as
   * kube-apiserver answers so that kubectl drain retries).
   */
  async evict(ns: string, name: string, eviction: Obj, ctx: RequestContext): Promise<void> {
    const pods = this.registryByName('', 'pods');
    const pod = await pods.get(ns, name);
    const terminal = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
    if (!terminal && !pod.metadata.deletionTimestamp) {
      const pdbs = await this.registryByName('policy', 'poddisruptionbudgets').list(ns, {});
      const matching = pdbs.items.filter((p) => p.spec?.selector && fromLabelSelectorObject(p.spec.selector).matches(pod.metadata.labels ?? {}));
      if (matching.length > 1) {
        throw new ApiError(500, 'InternalError', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      }
      for (const pdb of matching) {
        const allowed = pdb.status?.disruptionsAllowed ?? 0;
        const observed = pdb.status?.observedGeneration ?? 0;
        if (allowed < 1 || observed < (pdb.metadata.generation ?? 1)) {
          throw new ApiError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
            causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdb.metadata.name} needs ${pdb.status?.desiredHealthy ?? 0} healthy pods and has ${pdb.status?.currentHealthy ?? 0} currently` }],
          });
        }
        // count the disruption so concurrent evictions cannot exceed the budget
        await this.registryByName('policy', 'poddisruptionbudgets').update(ns, pdb.metadata.name, ctx, (cur) => {
          const st = { ...(cur!.status ?? {}) };
          st.disruptionsAllowed = Math.max(0, (st.disruptionsAllowed ?? 0) - 1);
          st.disruptedPods = { ...(st.disruptedPods ?? {}), [name]: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
          return { ...cur!, status: st };
        }, { subresource: 'status' });
      }
    }
    const o = eviction.deleteOptions ?? {};
    await pods.delete(ns, name, { gracePeriodSeconds: o.gracePeriodSeconds, propagationPolicy: o.propagationPolicy, preconditions: o.preconditions }, ctx);
  }
}
