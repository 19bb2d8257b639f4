// Pod admission on create: the ServiceAccount plugin (default account, projected API
// access volume, the account's imagePullSecrets) and DefaultTolerationSeconds
// (not-ready/unreachable for 300 s).
import type { FieldError } from '../../api/errors.js';
import type { Obj } from '../../api/types.js';
import { generateName } from '../registry/objectmeta.js';

const SA_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

export function mutatePod(pod: Obj): FieldError[] {
  const spec = pod.spec ?? (pod.spec = {});
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (spec.automountServiceAccountToken !== false && !pod.metadata?.annotations?.['kubernetes.io/config.mirror']) addTokenVolume(spec);
  addDefaultTolerations(spec);
  if (spec.enableServiceLinks === undefined) spec.enableServiceLinks = true;
  return [];
}

/**
 * The ServiceAccount plugin's pull secrets: a pod that names none gets its service
 * account's (names only). Mirror pods are left alone, as the plugin skips them.
 */
export function copyImagePullSecrets(pod: Obj, serviceAccount: Obj | undefined): void {
  const spec = pod.spec;
  if (!spec || spec.imagePullSecrets?.length || pod.metadata?.annotations?.['kubernetes.io/config.mirror']) return;
  const refs: Obj[] = serviceAccount?.imagePullSecrets ?? [];
  if (refs.length) spec.imagePullSecrets = refs.map((r) => ({ name: r?.name ?? '' }));
}

/** Whether a pod could take its service account's pull secrets (so the account is worth reading). */
export function wantsAccountPullSecrets(pod: Obj): boolean {
  return !pod.spec?.imagePullSecrets?.length && !pod.metadata?.annotations?.['kubernetes.io/config.mirror'];
}

function addTokenVolume(spec: Obj): void {
  const containers: Obj[] = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  if (containers.some((c) => (c.volumeMounts ?? []).some((m: Obj) => m.mountPath === SA_MOUNT))) return;
  const name = generateName('kube-api-access-');
  spec.volumes = [...(spec.volumes ?? []), {
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  }];
  for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name, readOnly: true, mountPath: SA_MOUNT }];
}

function addDefaultTolerations(spec: Obj): void {
  const tol: Obj[] = spec.tolerations ?? [];
  const has = (key: string) => tol.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!has(key)) tol.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tol;
}

/**
 * The Priority admission plugin: priority and preemptionPolicy from the pod's
 * PriorityClass (or the global default class), refusing unknown class names.
 */
export async function admitPriority(pod: Obj, classes: () => Promise<Obj[]>): Promise<string | undefined> {
  const spec = pod.spec;
  const all = await classes();
  let pc: Obj | undefined;
  if (spec.priorityClassName) {
    pc = all.find((c) => c.metadata.name === spec.priorityClassName);
    if (!pc) return `no PriorityClass with name ${spec.priorityClassName} was found`;
  } else {
    pc = all.filter((c) => c.globalDefault).sort((a, b) => a.value - b.value)[0];
  }
  const value = pc ? pc.value : 0;
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== value) {
    return `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`;
  }
  spec.priority = value;
  if (pc) spec.priorityClassName = pc.metadata.name;
  spec.preemptionPolicy = pc?.preemptionPolicy ?? spec.preemptionPolicy ?? 'PreemptLowerPriority';
  return undefined;
}
