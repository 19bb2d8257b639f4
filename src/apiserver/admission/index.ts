// The admission chain: the mutating plugins (ServiceAccount, DefaultTolerationSeconds,
// Priority, DefaultStorageClass) before validation; NamespaceLifecycle and the Service
// allocators after it. Plugins that need stored objects read them through the Cluster.
import { ApiError, notFound, type FieldError } from '../../api/errors.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Obj } from '../../api/types.js';
import type { Cluster } from '../cluster.js';
import type { Admission, RequestContext } from '../registry/strategy.js';
import { admitPriority, copyImagePullSecrets, mutatePod, wantsAccountPullSecrets } from './pods.js';
import { defaultStorageClassFor } from '../../api/storage-default.js';
import { ServiceAllocator } from './services.js';

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export class Admissions implements Admission {
  private cluster!: Cluster;
  readonly services: ServiceAllocator;
  /** What admission reserved for an object in flight, to give back on abort. */
  private readonly held = new WeakMap<Obj, { ips: string[]; ports: number[] }>();

  constructor(serviceCIDR: string, nodePortRange: [number, number]) {
    this.services = new ServiceAllocator(serviceCIDR, nodePortRange);
  }

  bind(cluster: Cluster): void { this.cluster = cluster; }

  /** Namespace phases from a watch, so creates need not read the namespace from storage. */
  private readonly namespaces = new Map<string, string>();

  async start(): Promise<void> {
    const svcs = await this.cluster.registryByName('', 'services').list('', {});
    for (const s of svcs.items) this.services.restore(s);
    await this.cluster.registryByName('', 'namespaces').watch('', { resourceVersion: '0' }, this.cluster.signal, (type, ns) => {
      if (type === 'DELETED') this.namespaces.delete(ns.metadata.name);
      else if (type === 'ADDED' || type === 'MODIFIED') this.namespaces.set(ns.metadata.name, ns.status?.phase ?? 'Active');
    });
  }

  /** The mutating plugins: ServiceAccount, DefaultTolerationSeconds, Priority, DefaultStorageClass. */
  async mutateCreate(ri: ResourceInfo, obj: Obj, ctx: RequestContext): Promise<void> {
    if (ri.group === '' && ri.plural === 'pods') {
      const errs: FieldError[] = mutatePod(obj);
      const why = errs.length ? errs.map((e) => e.detail).join(', ')
        : await admitPriority(obj, async () => (await this.cluster.registryByName('scheduling.k8s.io', 'priorityclasses').list('', {})).items);
      if (why) throw new ApiError(403, 'Forbidden', `pods "${obj.metadata.name}" is forbidden: ${why}`, { name: obj.metadata.name, kind: 'pods' });
      if (wantsAccountPullSecrets(obj)) {
        // ServiceAccount: the account's imagePullSecrets (an account not yet created adds none)
        const sa = await this.cluster.registryByName('', 'serviceaccounts').get(obj.metadata.namespace, obj.spec.serviceAccountName).catch(() => undefined);
        copyImagePullSecrets(obj, sa);
      }
    }
    if (ri.group === '' && ri.plural === 'persistentvolumeclaims' && obj.spec) {
      // DefaultStorageClass: a claim that names no class gets the default one
      const classes = (await this.cluster.registryByName('storage.k8s.io', 'storageclasses').list('', {})).items;
      const name = defaultStorageClassFor(obj, classes);
      if (name) obj.spec.storageClassName = name;
    }
    void ctx;
  }

  /** The validating plugins (NamespaceLifecycle) and the Service IP and port reservations. */
  async admit(op: 'create' | 'update', ri: ResourceInfo, obj: Obj, old: Obj | undefined, ctx: RequestContext): Promise<void> {
    if (op === 'create' && ri.namespaced) await this.namespaceLifecycle(ri, obj);
    if (ri.group === '' && ri.plural === 'services') {
      this.held.set(obj, this.services.allocate(obj, old));
    }
    void ctx;
  }

  abort(_op: 'create' | 'update', ri: ResourceInfo, obj: Obj): void {
    if (ri.group === '' && ri.plural === 'services') {
      const h = this.held.get(obj);
      if (h) this.services.release(h);
    }
  }

  committed(op: 'create' | 'update', ri: ResourceInfo, obj: Obj, old: Obj | undefined): void {
    if (op === 'update' && old && ri.group === '' && ri.plural === 'services') this.services.releaseDropped(obj, old);
  }

  admitDelete(ri: ResourceInfo, obj: Obj): void {
    if (ri.group === '' && ri.plural === 'namespaces' && PROTECTED_NAMESPACES.has(obj.metadata.name)) {
      throw new ApiError(403, 'Forbidden', `namespaces "${obj.metadata.name}" is forbidden: this namespace may not be deleted`, { name: obj.metadata.name, kind: 'namespaces' });
    }
  }

  deleted(ri: ResourceInfo, obj: Obj): void {
    if (ri.group === '' && ri.plural === 'services') this.services.releaseAll(obj);
  }

  /** NamespaceLifecycle: no new content in a missing or terminating namespace. */
  private async namespaceLifecycle(ri: ResourceInfo, obj: Obj): Promise<void> {
    const namespace: string = obj.metadata.namespace;
    let phase = this.namespaces.get(namespace);
    if (phase === undefined) {
      // not seen by the watch (yet): ask storage
      try {
        phase = (await this.cluster.registryByName('', 'namespaces').get('', namespace)).status?.phase ?? 'Active';
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) throw notFound('', 'namespaces', namespace);
        throw e;
      }
    }
    if (phase === 'Terminating' && !(ri.group === '' && ri.plural === 'events')) {
      throw new ApiError(403, 'Forbidden',
        `${ri.group ? `${ri.plural}.${ri.group}` : ri.plural} "${obj.metadata.name ?? ''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { kind: ri.plural, group: ri.group || undefined, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] });
    }
  }
}
