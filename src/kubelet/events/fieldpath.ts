// Which part of a pod a kubelet event is about: the kubelet refers to a container by its
// place in the spec (involvedObject.fieldPath, kubectl's SUBOBJECT column).
import type { Obj } from '../../api/types.js';

/** spec.containers{x}, spec.initContainers{x} or spec.ephemeralContainers{x}; undefined if the pod has no such container. */
export function containerFieldPath(pod: Obj, name: string): string | undefined {
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    if ((pod.spec?.[list] ?? []).some((c: Obj) => c?.name === name)) return `spec.${list}{${name}}`;
  }
  return undefined;
}
