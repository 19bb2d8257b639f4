// Storage keys: /registry/<group or "core">/<resource>/<namespace>/<name> (cluster-scoped
// resources omit the namespace). Prefixes always end in "/" so "pods/" never matches "podsx/".
import type { ResourceInfo } from '../../api/resources.js';
import { storageGroupOf } from '../../api/resources.js';

export function resourcePrefix(ri: ResourceInfo): string {
  return `/registry/${storageGroupOf(ri) || 'core'}/${ri.plural}/`;
}

export function listPrefix(ri: ResourceInfo, namespace: string): string {
  return ri.namespaced && namespace ? `${resourcePrefix(ri)}${namespace}/` : resourcePrefix(ri);
}

export function objectKey(ri: ResourceInfo, namespace: string, name: string): string {
  return ri.namespaced ? `${resourcePrefix(ri)}${namespace}/${name}` : `${resourcePrefix(ri)}${name}`;
}
