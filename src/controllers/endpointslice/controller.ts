// The EndpointSlice controller (kube-controller-manager's endpointslice controller): keeps
// discovery.k8s.io/v1 EndpointSlices for every Service with a selector — labelled
// kubernetes.io/service-name=<svc> and endpointslice.kubernetes.io/managed-by=
// endpointslice-controller.k8s.io, named by generateName `<svc>-`, owned by the Service (so
// the garbage collector removes them with it), at most 100 endpoints each, with
// ready/serving/terminating conditions. Slices managed by anyone else (the API server's own
// for default/kubernetes, mirrored ones) are never touched.

import type { Obj } from '../../api/types.js';
import { runController } from '../../client/controller.js';
import type { EventRecorder } from '../../client/events.js';
import type { Informer } from '../../client/informer.js';
import type { KubeClient } from '../../client/interface.js';
import { errMsg, stderrLogger, type Logger } from '../../client/log.js';
import { metaNamespaceKey, splitMetaNamespaceKey } from '../../client/store.js';
import { WorkQueue } from '../../client/workqueue.js';
import { TriggerTimeTracker, podsForService, serviceSelector, servicesForPod, servicesToUpdateOnPodChange } from '../endpoints/util.js';
import { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './labels.js';
import { Reconciler } from './reconciler.js';
import { EndpointSliceTracker } from './tracker.js';

export { CONTROLLER_NAME, MANAGED_BY_LABEL, SERVICE_NAME_LABEL } from './labels.js';
export { ENDPOINT_SLICES } from './reconciler.js';

export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface EndpointSliceControllerOptions {
  client: KubeClient;
  services: Informer;
  pods: Informer;
  nodes: Informer;
  endpointSlices: Informer;
  recorder?: EventRecorder;
  /** Upstream --concurrent-service-endpoint-syncs (default 5). */
  workers?: number;
  /** Upstream --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
  log?: Logger;
}

const managedByUs = (s: Obj): boolean => s?.metadata?.labels?.[MANAGED_BY_LABEL] === CONTROLLER_NAME;
const serviceKeyOf = (s: Obj): string | undefined => {
  const svc = s?.metadata?.labels?.[SERVICE_NAME_LABEL];
  return svc ? `${s.metadata.namespace}/${svc}` : undefined;
};

export class EndpointSliceController {
  readonly queue = new WorkQueue<string>();
  readonly tracker = new EndpointSliceTracker();
  private readonly log: Logger;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly reconciler: Reconciler;

  constructor(private readonly o: EndpointSliceControllerOptions) {
    this.log = o.log ?? stderrLogger('endpointslice-controller');
    this.reconciler = new Reconciler({ client: o.client, nodes: o.nodes, tracker: this.tracker, maxEndpointsPerSlice: o.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE });
    const enqueue = (key: string): void => this.queue.add(key);
    const enqueueFor = (slice: Obj): void => {
      const k = serviceKeyOf(slice);
      if (k) enqueue(k);
    };
    o.services.addEventHandler({
      onAdd: (svc) => enqueue(metaNamespaceKey(svc)),
      onUpdate: (_old, svc) => enqueue(metaNamespaceKey(svc)),
      onDelete: (svc) => enqueue(metaNamespaceKey(svc)),
    });
    o.pods.addEventHandler({
      onAdd: (pod) => servicesForPod(o.services, pod).forEach(enqueue),
      onUpdate: (old, pod) => servicesToUpdateOnPodChange(o.services, old, pod).forEach(enqueue),
      onDelete: (pod) => servicesForPod(o.services, pod).forEach(enqueue),
    });
    o.endpointSlices.addEventHandler({
      onAdd: (s) => {
        if (managedByUs(s) && this.tracker.shouldSync(s)) enqueueFor(s);
      },
      onUpdate: (old, s) => {
        // Someone relabelled the slice: both Services need a look.
        if (serviceKeyOf(old) !== serviceKeyOf(s)) {
          enqueueFor(old);
          enqueueFor(s);
          return;
        }
        if (managedByUs(old) !== managedByUs(s) || (managedByUs(s) && this.tracker.shouldSync(s))) enqueueFor(s);
      },
      onDelete: (s) => {
        if (managedByUs(s) && this.tracker.has(s) && !this.tracker.handleDeletion(s)) enqueueFor(s);
      },
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return runController({
      name: 'endpointslice-controller', queue: this.queue,
      informers: [this.o.services, this.o.pods, this.o.nodes, this.o.endpointSlices],
      workers: this.o.workers ?? 5, sync: (key, s) => this.sync(key, s), log: this.log,
    }, signal);
  }

  async sync(key: string, signal?: AbortSignal): Promise<void> {
    const [namespace, name] = splitMetaNamespaceKey(key);
    const svc = this.o.services.store.get(namespace, name);
    if (!svc) {
      // Its slices carry an ownerReference to it: the garbage collector removes them.
      this.triggerTimes.deleteService(namespace, name);
      this.tracker.deleteService(namespace, name);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    if (!serviceSelector(svc)) return;

    const pods = podsForService(this.o.pods, svc);
    const slices = this.o.endpointSlices.store.listNamespace(namespace)
      .filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === name && managedByUs(s) && !s.metadata?.deletionTimestamp);
    if (this.tracker.staleSlices(namespace, name, slices)) throw new Error('EndpointSlice informer cache is out of date');
    // Computed even when nothing gets written, so the tracker's state stays current.
    const triggerTime = this.triggerTimes.compute(svc, pods);
    try {
      await this.reconciler.reconcile(svc, pods, slices, triggerTime, signal);
    } catch (err) {
      this.o.recorder?.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${namespace}/${name}: ${errMsg(err)}`);
      throw err;
    }
  }
}
