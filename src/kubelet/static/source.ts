// Static pods from files (upstream kubelet/config/file.go + common.go): every file of the
// staticPodPath directory (or the path itself, when it is a file) holds one Pod, in YAML or
// JSON. The kubelet runs it as it stands, without the API server, under a name of its own
// (NAME-NODENAME), in namespace default unless it says otherwise, with a uid that is a hash
// of its contents, node and file — so an edited file is a different pod, which replaces
// the old one. Hidden files are skipped; a file that is not a valid Pod is reported and
// skipped, the others still run.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fieldErrorString } from '../../api/errors.js';
import { applyDefaults } from '../../api/defaults/index.js';
import { nowRFC3339, type Obj } from '../../api/types.js';
import { validateCreate } from '../../api/validation/index.js';

export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';

export interface StaticPodFile {
  file: string;
  pod: Obj;
}

export interface ReadResult {
  pods: StaticPodFile[];
  /** One message per file that could not be used. */
  errors: string[];
}

/** Whether an API pod is the mirror of a static pod. */
export const isMirrorPod = (p: Obj | undefined): boolean => p?.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;

/** The files a static pod path names: the directory's visible regular files (sorted), or the file. */
function listFiles(path: string): string[] {
  let st;
  try { st = statSync(path); } catch { return []; }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    if (name.startsWith('.')) continue;
    const f = join(path, name);
    try { if (statSync(f).isFile()) out.push(f); } catch { /* gone meanwhile */ }
  }
  return out;
}

function decode(text: string): Obj {
  const t = text.trim();
  if (t.startsWith('{')) return JSON.parse(t);
  const docs = parseAllDocuments(text).filter((d) => d.contents !== null);
  if (docs.length !== 1) throw new Error(docs.length ? 'a static pod file holds exactly one pod' : 'the file is empty');
  if (docs[0].errors.length) throw new Error(docs[0].errors[0].message);
  return docs[0].toJS();
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val) => (val && typeof val === 'object' && !Array.isArray(val)
    ? Object.fromEntries(Object.keys(val).sort().map((k) => [k, val[k]])) : val));
}

/** A file's pod as the kubelet runs it (applyDefaults for the file source); throws saying why not. */
export function staticPod(text: string, file: string, nodeName: string, now: Date = new Date()): Obj {
  const pod = decode(text);
  if (typeof pod !== 'object' || pod === null || Array.isArray(pod)) throw new Error('not a Pod object');
  if (pod.kind !== 'Pod' || (pod.apiVersion ?? 'v1') !== 'v1') throw new Error(`want a v1 Pod, found ${pod.apiVersion ?? ''}/${pod.kind ?? ''}`);
  pod.metadata ??= {};
  pod.spec ??= {};
  if (!pod.metadata.name) throw new Error('metadata.name: Required value: name or generateName is required');
  const node = nodeName.toLowerCase();
  applyDefaults('', 'v1', 'Pod', pod);
  const uid: string = pod.metadata.uid || createHash('md5').update(canonical(pod)).update(`host:${node}`).update(`file:${file}`).digest('hex');
  pod.metadata.uid = uid;
  pod.metadata.name = `${pod.metadata.name}-${node}`;
  pod.metadata.namespace ||= 'default';
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [CONFIG_HASH_ANNOTATION]: uid, [CONFIG_SEEN_ANNOTATION]: nowRFC3339(now), [CONFIG_SOURCE_ANNOTATION]: 'file' };
  pod.spec.nodeName = nodeName;
  // static pods stay through node problems: they tolerate every NoExecute taint
  const tol: Obj[] = pod.spec.tolerations ?? [];
  if (!tol.some((t) => t.operator === 'Exists' && !t.key && t.effect === 'NoExecute')) pod.spec.tolerations = [...tol, { operator: 'Exists', effect: 'NoExecute' }];
  pod.status = { phase: 'Pending' };
  const errs = validateCreate('', 'v1', 'Pod', { ...pod, metadata: { ...pod.metadata, uid: undefined } });
  if (errs.length) throw new Error(`invalid pod: ${errs.map(fieldErrorString).join(', ')}`);
  return pod;
}

/** Reads every static pod of a path (a missing path has none). */
export function readStaticPods(path: string, nodeName: string, now: Date = new Date()): ReadResult {
  const out: ReadResult = { pods: [], errors: [] };
  const names = new Set<string>();
  for (const file of listFiles(path)) {
    try {
      const pod = staticPod(readFileSync(file, 'utf8'), file, nodeName, now);
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (names.has(key)) throw new Error(`pod ${key} is already defined by another file`);
      names.add(key);
      out.pods.push({ file, pod });
    } catch (e) {
      out.errors.push(`static pod ${file}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** The mirror pod the kubelet creates for a static pod (CreateMirrorPod): owned by the Node. */
export function mirrorPodFor(pod: Obj, node: { name: string; uid: string }): Obj {
  const { uid: _uid, resourceVersion: _rv, ...metadata } = pod.metadata;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      ...metadata,
      annotations: { ...(metadata.annotations ?? {}), [CONFIG_MIRROR_ANNOTATION]: pod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] ?? pod.metadata.uid },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    spec: structuredClone(pod.spec),
  };
}
