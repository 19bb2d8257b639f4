// What configMap, secret and downwardAPI volumes (and projected sources) contain, as the
// kubelet's MakePayload/CollectData compute it: all keys (or the listed items, with their own
// modes), the volume's defaultMode otherwise, binaryData for configMaps, base64-decoded
// secret data, and downward API fields and resources.

import { posix } from 'node:path';
import type { Obj } from '../../api/types.js';
import { extractFieldPathAsString } from '../env/fieldpath.js';
import { resourceFieldValue } from '../env/resources.js';
import type { PodRuntimeInfo } from '../env/types.js';
import type { FileProjection, Payload } from './atomicwriter.js';
import { aggregate } from './errors.js';

export const DEFAULT_MODE = 0o644;

type Source = { data: Map<string, Buffer> };

function fromConfigMap(cm: Obj | undefined): Source {
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(cm?.data ?? {})) data.set(k, Buffer.from(String(v), 'utf8'));
  for (const [k, v] of Object.entries(cm?.binaryData ?? {})) data.set(k, Buffer.from(String(v), 'base64'));
  return { data };
}

function fromSecret(sec: Obj | undefined): Source {
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(sec?.data ?? {})) data.set(k, Buffer.from(String(v), 'base64'));
  return { data };
}

function makePayload(kind: 'configmap' | 'secret', items: Obj[] | undefined, src: Source, defaultMode: number, optional: boolean): Payload {
  const out: Payload = new Map();
  if (!items || items.length === 0) {
    for (const [k, data] of src.data) out.set(k, { data, mode: defaultMode });
    return out;
  }
  for (const item of items) {
    const data = src.data.get(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new Error(kind === 'configmap' ? `configmap references non-existent config key: ${item.key}` : `references non-existent secret key: ${item.key}`);
    }
    out.set(item.path, { data, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** A configMap volume's (or projected source's) files; `cm` undefined for a missing optional one. */
export function configMapPayload(items: Obj[] | undefined, cm: Obj | undefined, defaultMode: number, optional: boolean): Payload {
  return makePayload('configmap', items, fromConfigMap(cm), defaultMode, optional);
}

export function secretPayload(items: Obj[] | undefined, sec: Obj | undefined, defaultMode: number, optional: boolean): Payload {
  return makePayload('secret', items, fromSecret(sec), defaultMode, optional);
}

/** A downwardAPI volume's files; every failing item is reported, aggregated. */
export function downwardAPIPayload(items: Obj[] | undefined, pod: Obj, info: PodRuntimeInfo, defaultMode: number): Payload {
  const out: Payload = new Map();
  const errs: Error[] = [];
  for (const item of items ?? []) {
    const proj: FileProjection = { data: Buffer.alloc(0), mode: item.mode ?? defaultMode };
    try {
      if (item.fieldRef) proj.data = Buffer.from(extractFieldPathAsString(pod, String(item.fieldRef.fieldPath ?? '')));
      else if (item.resourceFieldRef) proj.data = Buffer.from(resourceFieldValue(pod, item.resourceFieldRef.containerName ?? '', item.resourceFieldRef, info));
    } catch (err) {
      errs.push(err as Error);
    }
    out.set(posix.normalize(String(item.path ?? '')), proj);
  }
  const err = aggregate(errs);
  if (err) throw err;
  return out;
}
