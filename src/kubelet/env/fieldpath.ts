// Downward API field paths (fieldRef) as the kubelet resolves them: the pod's metadata
// (fieldpath.ExtractFieldPathAsString) plus the runtime fields only the kubelet knows
// (node name, host and pod IPs).

import type { Obj } from '../../api/types.js';
import { isQualifiedName } from '../../api/validation/names.js';
import type { PodRuntimeInfo } from './types.js';

/** `metadata.labels['k']` → ['metadata.labels', 'k']; anything else → undefined. */
export function splitSubscriptedPath(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const i = s.indexOf("['");
  if (i <= 0) return undefined;
  return [s.slice(0, i), s.slice(i + 2)];
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const ESCAPES: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };

/** Go's strconv.Quote: a double-quoted string with Go escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const esc = ESCAPES[ch];
    if (esc) {
      out += esc;
      continue;
    }
    const c = ch.codePointAt(0)!;
    if (PRINTABLE.test(ch)) out += ch;
    else if (c < 0x80) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/** A label/annotation map as the downward API prints it: sorted `key="value"` lines. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${goQuote(m![k])}`).join('\n');
}

/** fieldpath.ExtractFieldPathAsString: the metadata fields a downwardAPI volume may use. */
export function extractFieldPathAsString(pod: Obj, fieldPath: string): string {
  const meta = pod.metadata ?? {};
  const sub = splitSubscriptedPath(fieldPath);
  if (sub) {
    const [path, key] = sub;
    if (path === 'metadata.annotations') {
      const errs = isQualifiedName(key.toLowerCase());
      if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return meta.annotations?.[key] ?? '';
    }
    if (path === 'metadata.labels') {
      const errs = isQualifiedName(key);
      if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return meta.labels?.[key] ?? '';
    }
    throw new Error(`fieldPath ${goQuote(fieldPath)} does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations': return formatMap(meta.annotations);
    case 'metadata.labels': return formatMap(meta.labels);
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? '';
    case 'metadata.uid': return meta.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

const SUPPORTED_LABELS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid',
  'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName',
  'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);

/** pods.ConvertDownwardAPIFieldLabel: v1 labels only; `spec.host` is the old name of spec.nodeName. */
function convertFieldLabel(apiVersion: string, label: string): string {
  if (apiVersion !== 'v1') throw new Error(`unsupported pod version: ${apiVersion}`);
  const sub = splitSubscriptedPath(label);
  if (sub) {
    if (sub[0] === 'metadata.annotations' || sub[0] === 'metadata.labels') return label;
    throw new Error(`field label does not support subscript: ${label}`);
  }
  if (label === 'spec.host') return 'spec.nodeName';
  if (!SUPPORTED_LABELS.has(label)) throw new Error(`field label not supported: ${label}`);
  return label;
}

function hostIPs(info: PodRuntimeInfo): string[] {
  if (info.hostIPs?.length) return info.hostIPs;
  return info.hostIP ? [info.hostIP] : [];
}

/**
 * The value of an env fieldRef (kubelet podFieldSelectorRuntimeValue). `apiVersion` is the
 * fieldRef's (defaulted to v1). Throws with the kubelet's message for unsupported paths.
 */
export function fieldPathValue(pod: Obj, fieldPath: string, info: PodRuntimeInfo, apiVersion = 'v1'): string {
  const path = convertFieldLabel(apiVersion || 'v1', fieldPath);
  const podIPs = info.podIPs?.length ? info.podIPs : info.podIP ? [info.podIP] : [];
  switch (path) {
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP': return hostIPs(info)[0] ?? '';
    case 'status.hostIPs': return hostIPs(info).join(',');
    case 'status.podIP': return podIPs[0] ?? '';
    case 'status.podIPs': return podIPs.join(',');
  }
  return extractFieldPathAsString(pod, path);
}
