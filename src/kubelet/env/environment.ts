// A container's environment as the kubelet builds it (makeEnvironmentVariables):
//  1. envFrom sources in order (configMapRef/secretRef, with prefix; optional sources that do
//     not exist are skipped);
//  2. env in order: a literal value has `$(VAR)` references to earlier variables and to the
//     service variables expanded; valueFrom resolves fieldRef, resourceFieldRef,
//     configMapKeyRef and secretKeyRef (optional ones skipped when missing);
//  3. the service link variables not already set.
// Any failure is a ContainerConfigError carrying the kubelet's message.
//
// Key names: kubelets since 1.30 (RelaxedEnvironmentVariableValidation) no longer drop
// envFrom keys that are not C-style names (`1badkey`, `app.invalid` reach the container).
// Only keys that cannot be an environment variable at all (empty, '=', non-printable
// ASCII) are skipped, with the InvalidEnvironmentVariableNames warning older kubelets gave.

import { isRelaxedEnvVarName } from '../../api/validation/names.js';
import type { Obj } from '../../api/types.js';
import { expand, mappingFuncFor } from './expansion.js';
import { fieldPathValue } from './fieldpath.js';
import { resourceFieldValue } from './resources.js';
import { serviceEnv } from './services.js';
import { ContainerConfigError, type EnvEventSink, type EnvSources, type EnvVar, type PodRuntimeInfo } from './types.js';

function decodeSecretValue(v: unknown): string {
  return Buffer.from(String(v ?? ''), 'base64').toString('utf8');
}

/** Caches each configMap/secret for one environment build, as the kubelet does. */
class Lookups {
  private readonly cms = new Map<string, Obj | undefined>();
  private readonly secrets = new Map<string, Obj | undefined>();
  constructor(private readonly src: EnvSources, private readonly ns: string) {}

  async configMap(name: string): Promise<Obj | undefined> {
    if (!this.cms.has(name)) this.cms.set(name, await this.src.getConfigMap(this.ns, name));
    return this.cms.get(name);
  }

  async secret(name: string): Promise<Obj | undefined> {
    if (!this.secrets.has(name)) this.secrets.set(name, await this.src.getSecret(this.ns, name));
    return this.secrets.get(name);
  }
}

/** The not-found texts of the kubelet's configMap and secret managers. */
export const configMapNotFound = (name: string): string => `configmap "${name}" not found`;
export const secretNotFound = (name: string): string => `secret "${name}" not found`;

export async function makeEnvironment(pod: Obj, container: Obj, src: EnvSources, info: PodRuntimeInfo, events?: EnvEventSink): Promise<EnvVar[]> {
  try {
    return await build(pod, container, src, info, events);
  } catch (err) {
    if (err instanceof ContainerConfigError) throw err;
    throw new ContainerConfigError(err instanceof Error ? err.message : String(err));
  }
}

async function build(pod: Obj, container: Obj, src: EnvSources, info: PodRuntimeInfo, events?: EnvEventSink): Promise<EnvVar[]> {
  const ns: string = pod.metadata?.namespace ?? 'default';
  const services = await serviceEnv(src, ns, pod.spec?.enableServiceLinks !== false, info.masterServiceNamespace ?? 'default');
  const look = new Lookups(src, ns);
  const tmp = new Map<string, string>();

  for (const from of (container.envFrom ?? []) as Obj[]) {
    const prefix: string = from.prefix ?? '';
    let data: Record<string, string>;
    let what: string;
    let name: string;
    if (from.configMapRef) {
      name = from.configMapRef.name ?? '';
      const cm = await look.configMap(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(configMapNotFound(name));
      }
      data = cm.data ?? {};
      what = 'configMap';
    } else if (from.secretRef) {
      name = from.secretRef.name ?? '';
      const sec = await look.secret(name);
      if (!sec) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(secretNotFound(name));
      }
      data = Object.fromEntries(Object.entries(sec.data ?? {}).map(([k, v]) => [k, decodeSecretValue(v)]));
      what = 'secret';
    } else {
      continue;
    }
    const invalid: string[] = [];
    for (const [k0, v] of Object.entries(data)) {
      const k = prefix + k0;
      if (isRelaxedEnvVarName(k).length > 0) {
        invalid.push(k);
        continue;
      }
      tmp.set(k, v);
    }
    if (invalid.length > 0) {
      events?.('Warning', 'InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} ${ns}/${name} were skipped since they are considered invalid environment variable names.`);
    }
  }

  const mapping = mappingFuncFor(tmp, services);
  for (const ev of (container.env ?? []) as Obj[]) {
    let value: string = ev.value ?? '';
    const from = ev.valueFrom as Obj | undefined;
    if (value !== '') {
      value = expand(value, mapping);
    } else if (from) {
      if (from.fieldRef) {
        value = fieldPathValue(pod, String(from.fieldRef.fieldPath ?? ''), info, from.fieldRef.apiVersion ?? 'v1');
      } else if (from.resourceFieldRef) {
        value = resourceFieldValue(pod, container.name, from.resourceFieldRef, info);
      } else if (from.configMapKeyRef) {
        const { name = '', key = '', optional = false } = from.configMapKeyRef as Obj;
        const cm = await look.configMap(name);
        if (!cm) {
          if (optional) continue;
          throw new ContainerConfigError(configMapNotFound(name));
        }
        const v = cm.data?.[key];
        if (v === undefined) {
          if (optional) continue;
          throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${ns}/${name}`);
        }
        value = v;
      } else if (from.secretKeyRef) {
        const { name = '', key = '', optional = false } = from.secretKeyRef as Obj;
        const sec = await look.secret(name);
        if (!sec) {
          if (optional) continue;
          throw new ContainerConfigError(secretNotFound(name));
        }
        const v = sec.data?.[key];
        if (v === undefined) {
          if (optional) continue;
          throw new ContainerConfigError(`couldn't find key ${key} in Secret ${ns}/${name}`);
        }
        value = decodeSecretValue(v);
      }
    }
    tmp.set(ev.name, value);
  }

  const result: EnvVar[] = [...tmp].map(([name, value]) => ({ name, value }));
  for (const [name, value] of services) if (!tmp.has(name)) result.push({ name, value });
  return result;
}
