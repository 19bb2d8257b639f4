import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Obj } from '../types.js';
import { applyDefaults, defaultPodPriority, defaultPullPolicy, patchServiceAllocatedValues, prepareJobForCreate } from './index.js';

function defaulted(group: string, kind: string, o: Obj, version = 'v1'): Obj {
  applyDefaults(group, version, kind, o);
  return o;
}

test('pods: spec, container, probe and volume defaults', () => {
  const pod = defaulted('', 'Pod', {
    metadata: { name: 'p' },
    spec: {
      containers: [{
        name: 'c', image: 'nginx', ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: '0.5' } },
        livenessProbe: { httpGet: { port: 80 } },
        env: [{ name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
      }],
      initContainers: [{ name: 'i', image: 'busybox:1.36' }],
      volumes: [{ name: 'a' }, { name: 's', secret: { secretName: 's' } }, { name: 'h', hostPath: { path: '/x' } }, { name: 'cm', configMap: { name: 'c' } }],
    },
  });
  const spec = pod.spec;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  const c = spec.containers[0];
  assert.equal(c.imagePullPolicy, 'Always');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.deepEqual(c.resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
  assert.deepEqual(c.livenessProbe, { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.equal(spec.initContainers[0].imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(spec.initContainers[0].resources, {});
  assert.deepEqual(spec.volumes[0], { name: 'a', emptyDir: {} });
  assert.equal(spec.volumes[1].secret.defaultMode, 420);
  assert.equal(spec.volumes[2].hostPath.type, '');
  assert.equal(spec.volumes[3].configMap.defaultMode, 420);
});

test('image pull policy follows the tag', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.25', 'IfNotPresent'], ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'], ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'], ['', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) assert.equal(defaultPullPolicy(image), want, image);
});

test('templates get spec defaults but not pod-only ones', () => {
  const d = defaulted('apps', 'Deployment', {
    metadata: { name: 'web' },
    spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '1' } } }] } } },
  });
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  const ts = d.spec.template.spec;
  assert.equal(ts.restartPolicy, 'Always');
  assert.equal(ts.enableServiceLinks, undefined, 'enableServiceLinks is a pod default only');
  assert.equal(ts.containers[0].resources.requests, undefined, 'requests follow limits only in pods');
});

test('workload defaults: statefulsets, daemonsets, jobs, cronjobs', () => {
  const ss = defaulted('apps', 'StatefulSet', { metadata: { name: 's' }, spec: { template: { spec: { containers: [] } } } });
  assert.equal(ss.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(ss.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.deepEqual(ss.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(ss.spec.replicas, 1);
  const ds = defaulted('apps', 'DaemonSet', { metadata: { name: 'd' }, spec: {} });
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
  const job = defaulted('batch', 'Job', { metadata: { name: 'j' }, spec: { template: { metadata: { labels: { app: 'x' } }, spec: { restartPolicy: 'Never', containers: [] } } } });
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.parallelism, 1);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  assert.equal(job.spec.suspend, false);
  assert.equal(job.spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(job.metadata.labels, { app: 'x' });
  const parallel = defaulted('batch', 'Job', { metadata: { name: 'j' }, spec: { parallelism: 3 } });
  assert.equal(parallel.spec.completions, undefined);
  const cj = defaulted('batch', 'CronJob', { metadata: { name: 'c' }, spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: { containers: [] } } } } } });
  assert.equal(cj.spec.concurrencyPolicy, 'Allow');
  assert.equal(cj.spec.suspend, false);
  assert.equal(cj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(cj.spec.failedJobsHistoryLimit, 1);
  assert.equal(cj.spec.jobTemplate.spec.backoffLimit, undefined, 'job templates only get pod template defaults');
  assert.equal(cj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
});

test('services', () => {
  const svc = defaulted('', 'Service', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }], clusterIP: '10.0.0.5' } });
  assert.deepEqual(svc.spec, {
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }],
    clusterIP: '10.0.0.5', clusterIPs: ['10.0.0.5'], sessionAffinity: 'None', type: 'ClusterIP', internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
  });
  const lb = defaulted('', 'Service', { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }], sessionAffinity: 'ClientIP' } });
  assert.equal(lb.spec.externalTrafficPolicy, 'Cluster');
  assert.equal(lb.spec.allocateLoadBalancerNodePorts, true);
  assert.deepEqual(lb.spec.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const headless = defaulted('', 'Service', { metadata: { name: 'h' }, spec: { clusterIP: 'None' } });
  assert.equal(headless.spec.ipFamilyPolicy, 'RequireDualStack');
  const ext = defaulted('', 'Service', { metadata: { name: 'e' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
  assert.equal(ext.spec.ipFamilies, undefined);
  assert.equal(ext.spec.internalTrafficPolicy, undefined);
});

test('other core kinds', () => {
  assert.equal(defaulted('', 'Secret', { metadata: { name: 's' } }).type, 'Opaque');
  const ns = defaulted('', 'Namespace', { metadata: { name: 'dev' } });
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'dev' });
  assert.equal(ns.status.phase, 'Active');
  const pvc = defaulted('', 'PersistentVolumeClaim', { metadata: { name: 'c' }, spec: { resources: { requests: { storage: '1024Mi' } } } });
  assert.equal(pvc.spec.volumeMode, 'Filesystem');
  assert.equal(pvc.spec.resources.requests.storage, '1Gi');
  assert.equal(pvc.status.phase, 'Pending');
  const pv = defaulted('', 'PersistentVolume', { metadata: { name: 'v' }, spec: { capacity: { storage: '10Gi' } } });
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Retain');
  assert.equal(pv.spec.volumeMode, 'Filesystem');
  const rc = defaulted('', 'ReplicationController', { metadata: { name: 'rc' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [] } } } });
  assert.deepEqual(rc.spec.selector, { a: 'b' });
  assert.deepEqual(rc.metadata.labels, { a: 'b' });
  assert.equal(rc.spec.replicas, 1);
  const lr = defaulted('', 'LimitRange', { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } });
  assert.deepEqual(lr.spec.limits[0].default, { cpu: '2' });
  assert.deepEqual(lr.spec.limits[0].defaultRequest, { cpu: '2', memory: '64Mi' });
  const ep = defaulted('', 'Endpoints', { metadata: { name: 'e' }, subsets: [{ ports: [{ port: 80 }] }] });
  assert.equal(ep.subsets[0].ports[0].protocol, 'TCP');
});

test('other groups', () => {
  const np = defaulted('networking.k8s.io', 'NetworkPolicy', { metadata: { name: 'n' }, spec: { egress: [{ ports: [{ port: 53 }] }] } });
  assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
  assert.equal(np.spec.egress[0].ports[0].protocol, 'TCP');
  const sc = defaulted('storage.k8s.io', 'StorageClass', { metadata: { name: 's' }, provisioner: 'p' });
  assert.equal(sc.reclaimPolicy, 'Delete');
  assert.equal(sc.volumeBindingMode, 'Immediate');
  const csi = defaulted('storage.k8s.io', 'CSIDriver', { metadata: { name: 'd' }, spec: {} });
  assert.deepEqual(csi.spec, { attachRequired: true, podInfoOnMount: false, storageCapacity: false, requiresRepublish: false, seLinuxMount: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', volumeLifecycleModes: ['Persistent'] });
  const crb = defaulted('rbac.authorization.k8s.io', 'ClusterRoleBinding', { metadata: { name: 'b' }, roleRef: { kind: 'ClusterRole', name: 'x' }, subjects: [{ kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'n' }] });
  assert.equal(crb.roleRef.apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(crb.subjects[0].apiGroup, 'rbac.authorization.k8s.io');
  assert.equal(crb.subjects[1].apiGroup, '');
  const hpa = defaulted('autoscaling', 'HorizontalPodAutoscaler', { metadata: { name: 'h' }, spec: { maxReplicas: 3, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } } }, 'v2');
  assert.equal(hpa.spec.minReplicas, 1);
  assert.deepEqual(hpa.spec.behavior.scaleDown, { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 60 });
  assert.equal(hpa.spec.behavior.scaleUp.policies.length, 2);
  const es = defaulted('discovery.k8s.io', 'EndpointSlice', { metadata: { name: 'e' }, ports: [{ port: 80 }] });
  assert.deepEqual(es.ports[0], { port: 80, name: '', protocol: 'TCP' });
  const wh = defaulted('admissionregistration.k8s.io', 'MutatingWebhookConfiguration', { metadata: { name: 'w' }, webhooks: [{ name: 'a.b.c', clientConfig: { service: { name: 's', namespace: 'n' } }, rules: [{}] }] });
  assert.equal(wh.webhooks[0].failurePolicy, 'Fail');
  assert.equal(wh.webhooks[0].reinvocationPolicy, 'Never');
  assert.equal(wh.webhooks[0].clientConfig.service.port, 443);
  assert.equal(wh.webhooks[0].rules[0].scope, '*');
});

test('strategy helpers', () => {
  const job: Obj = { metadata: { name: 'pi', uid: 'u1' }, spec: { template: { metadata: { labels: { app: 'pi' } } } } };
  prepareJobForCreate(job);
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } });
  assert.deepEqual(job.spec.template.metadata.labels, {
    app: 'pi', 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u1', 'batch.kubernetes.io/controller-uid': 'u1',
  });
  const manual: Obj = { metadata: { name: 'm', uid: 'u2' }, spec: { manualSelector: true } };
  prepareJobForCreate(manual);
  assert.equal(manual.spec.selector, undefined);

  const old = { spec: { type: 'NodePort', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] } };
  const svc: Obj = { spec: { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] } };
  patchServiceAllocatedValues(svc, old);
  assert.deepEqual(svc.spec, { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }], clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] });

  const pod: Obj = { spec: {} };
  defaultPodPriority(pod);
  assert.deepEqual(pod.spec, { priority: 0, preemptionPolicy: 'PreemptLowerPriority' });
});
