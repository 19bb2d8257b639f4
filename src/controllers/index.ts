// The controller manager: one API client, one set of shared informers, every controller.
// Controllers are API clients only (never storage/apiserver), so this can run in the API
// server's process or anywhere else that reaches it.

import { findResource } from '../api/resources.js';
import { InformerFactory } from '../client/informer.js';
import { RestClient } from '../client/rest.js';
import { stderrLogger } from '../client/log.js';
import { NamespaceController } from './namespace/controller.js';
import { RootCACertPublisher } from './rootcacert/controller.js';
import { ServiceAccountsController } from './serviceaccount/controller.js';
import { setMaxListeners } from 'node:events';
import type { ResourceRef } from '../client/interface.js';
import { EventRecorder } from '../client/events.js';
import { CronJobController } from './cronjob/controller.js';
import { DaemonSetsController } from './daemonset/controller.js';
import { StatefulSetController } from './statefulset/controller.js';
import { join } from 'node:path';
import { LocalPathProvisioner } from './localpath/controller.js';
import { ensureDefaultStorageClass } from './localpath/storageclass.js';
import { PersistentVolumeController } from './volume/controller.js';
import { ClusterRoleAggregationController } from './clusterroleaggregation/controller.js';
import { CSRSigningController } from './certificates/controller.js';
import { NodeIpamController } from './nodeipam/controller.js';
import { NodeLifecycleController } from './nodelifecycle/controller.js';
import { TaintEvictionController } from './nodelifecycle/tainteviction.js';
import { DeploymentController } from './deployment/controller.js';
import { DisruptionController } from './disruption/controller.js';
import { EndpointsController } from './endpoints/controller.js';
import { EndpointSliceController } from './endpointslice/controller.js';
import { GarbageCollector } from './garbagecollector/controller.js';
import { JobController } from './job/controller.js';
import { PodGCController } from './podgc/controller.js';
import { ReplicaSetController } from './replicaset/controller.js';
import { TTLAfterFinishedController } from './ttlafterfinished/controller.js';

export interface StartControllersOptions {
  /** API server URL (https://...). */
  server: string;
  /** Cluster CA PEM: trusts the server, and is published as kube-root-ca.crt. */
  ca: string;
  /** Client certificate and key PEMs of the controller manager's identity. */
  cert: string;
  key: string;
  /** In-process: the API server's loopback socket and this identity's token (instead of cert/key). */
  loopback?: { socketPath: string; token: string };
  signal: AbortSignal;
  /** Pod and Service networks (node IPAM gives each node a /24 of clusterCIDR). */
  clusterCIDR?: string;
  serviceCIDR?: string;
  /** Cluster CA private key PEM: the CSR signer signs with it. */
  caKey?: string;
  /** The data dir: local-path volumes live under DIR/storage. */
  dataDir?: string;
  /** Override the namespace controller's 5 s wait before acting on a deletion. */
  namespaceDeletionGracePeriodMs?: number;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** Starts every controller; resolves once they are started (not once caches are synced). */
export async function startControllers(o: StartControllersOptions): Promise<void> {
  const { signal } = o;
  if (signal.aborted) return;
  const log = stderrLogger('controller-manager');
  // The managedFields manager is the user agent up to the first "/": as upstream's.
  const client = new RestClient({
    server: o.server, ca: o.ca, cert: o.cert, key: o.key, socketPath: o.loopback?.socketPath, token: o.loopback?.token,
    userAgent: `kube-controller-manager/v1.32.0 (${process.platform}/${GO_ARCH[process.arch] ?? process.arch}) skiff`,
  });
  const factory = new InformerFactory(client, { log: stderrLogger('informers') });
  const ref = (group: string, version: string, plural: string) => findResource(group, version, plural)!;
  // Namespaces resync every 5 minutes (upstream --namespace-sync-period) so no deletion stalls.
  const namespaces = factory.informerFor(ref('', 'v1', 'namespaces'), { resyncMs: 300_000 });
  const serviceAccounts = factory.informerFor(ref('', 'v1', 'serviceaccounts'));
  const configMaps = factory.informerFor(ref('', 'v1', 'configmaps'));

  // every informer and worker listens on the one signal
  setMaxListeners(0, signal);
  const inf = (g: string, v: string, p: string) => factory.informerFor(ref(g, v, p));
  const rec = (component: string) => new EventRecorder(client, { component, signal });
  const pods = inf('', 'v1', 'pods'), services = inf('', 'v1', 'services'), nodes = inf('', 'v1', 'nodes');
  const replicaSets = inf('apps', 'v1', 'replicasets'), deployments = inf('apps', 'v1', 'deployments');
  const replicationControllers = inf('', 'v1', 'replicationcontrollers'), statefulSets = inf('apps', 'v1', 'statefulsets');
  const jobs = inf('batch', 'v1', 'jobs'), cronJobs = inf('batch', 'v1', 'cronjobs');
  const persistentVolumeClaims = inf('', 'v1', 'persistentvolumeclaims'), persistentVolumes = inf('', 'v1', 'persistentvolumes');
  const storageClasses = inf('storage.k8s.io', 'v1', 'storageclasses');
  ensureDefaultStorageClass(client, { signal }).catch((e) => log.error(`default StorageClass: ${(e as Error)?.message ?? e}`));

  const controllers = [
    new NamespaceController({ client, namespaces, deletionGracePeriodMs: o.namespaceDeletionGracePeriodMs }),
    new ServiceAccountsController({ client, namespaces, serviceAccounts }),
    new RootCACertPublisher({ client, namespaces, configMaps, rootCA: o.ca }),
    new ReplicaSetController({ client, replicaSets, pods, recorder: rec('replicaset-controller') }),
    new ReplicaSetController({ client, kind: 'ReplicationController', replicaSets: replicationControllers, pods, recorder: rec('replication-controller') }),
    new DeploymentController({ client, deployments, replicaSets, pods, recorder: rec('deployment-controller') }),
    new JobController({ client, jobs, pods, recorder: rec('job-controller') }),
    new CronJobController({ client, cronJobs, jobs, recorder: rec('cronjob-controller') }),
    new TTLAfterFinishedController({ client, jobs }),
    new GarbageCollector({ client, informerFor: (r: ResourceRef) => factory.informerFor(r), recorder: rec('garbage-collector-controller') }),
    new EndpointsController({ client, services, pods, endpoints: inf('', 'v1', 'endpoints'), recorder: rec('endpoint-controller') }),
    new EndpointSliceController({ client, services, pods, nodes, endpointSlices: inf('discovery.k8s.io', 'v1', 'endpointslices'), recorder: rec('endpoint-slice-controller') }),
    new DisruptionController({
      client, pods, pdbs: inf('policy', 'v1', 'poddisruptionbudgets'), replicaSets, deployments, statefulSets, replicationControllers,
      recorder: rec('controllermanager'),
    }),
    new PodGCController({ client, pods, nodes }),
    new PersistentVolumeController({ client, volumes: persistentVolumes, claims: persistentVolumeClaims, classes: storageClasses, pods, nodes, recorder: rec('persistentvolume-controller') }),
    new LocalPathProvisioner({
      client, claims: persistentVolumeClaims, volumes: persistentVolumes, classes: storageClasses, nodes,
      storageDir: join(o.dataDir ?? '/var/lib/skiff', 'storage'), recorder: rec('skiff.dev/local-path'),
    }),
    new ClusterRoleAggregationController({ client, clusterRoles: inf('rbac.authorization.k8s.io', 'v1', 'clusterroles') }),
    ...(o.caKey ? [new CSRSigningController({ client, csrs: inf('certificates.k8s.io', 'v1', 'certificatesigningrequests'), ca: { cert: o.ca, key: o.caKey } })] : []),
    new NodeIpamController({ client, nodes, recorder: rec('cidrAllocator'), clusterCIDR: o.clusterCIDR, serviceCIDR: o.serviceCIDR }),
    new NodeLifecycleController({
      client, nodes, pods, recorder: rec('node-controller'),
      leases: factory.informerFor(ref('coordination.k8s.io', 'v1', 'leases'), { namespace: 'kube-node-lease' }),
    }),
    new TaintEvictionController({ client, nodes, pods, recorder: rec('taint-eviction-controller') }),
    new DaemonSetsController({
      client, daemonSets: inf('apps', 'v1', 'daemonsets'), controllerRevisions: inf('apps', 'v1', 'controllerrevisions'), pods, nodes,
      recorder: rec('daemonset-controller'),
    }),
    new StatefulSetController({
      client, statefulSets, pods, persistentVolumeClaims,
      controllerRevisions: inf('apps', 'v1', 'controllerrevisions'), recorder: rec('statefulset-controller'),
    }),
  ];
  factory.start(signal);
  const runs = controllers.map((c) => c.run(signal).catch((err) => log.error(`controller stopped: ${(err as Error)?.stack ?? err}`)));
  // Tear down in order once everything has stopped: no pooled sockets outlive the signal.
  void Promise.all([...runs, factory.stopped()]).finally(() => client.close());
  log.info(`controllers started: ${controllers.length}`);
}
