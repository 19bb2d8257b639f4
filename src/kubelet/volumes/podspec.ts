// What the pod spec says about its volumes: which are used, the nested mount points a
// read-only volume must already contain, the identity (fsGroup, fsUser) files get, and the
// size of memory-backed volumes.

import { posix } from 'node:path';
import { tryParseQuantity } from '../../api/quantity.js';
import type { Obj } from '../../api/types.js';
import type { PodRuntimeInfo } from '../env/types.js';

export function allContainers(pod: Obj): Obj[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
}

/** Volumes some container mounts (the kubelet ignores the others). */
export function usedVolumeNames(pod: Obj): Set<string> {
  const used = new Set<string>();
  for (const c of allContainers(pod)) {
    for (const m of c.volumeMounts ?? []) used.add(m.name);
    for (const d of c.volumeDevices ?? []) used.add(d.name);
  }
  return used;
}

function cleanPath(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/**
 * Paths, relative to a volume, where other volumes are mounted beneath it in some container
 * (only the outermost of doubly nested ones). A configMap mounted at /etc/app with an
 * emptyDir at /etc/app/data needs `data` to exist inside the read-only configMap volume.
 */
export function nestedMountpoints(volumeName: string, pod: Obj): string[] {
  const out = new Set<string>();
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const all = ((c.volumeMounts ?? []) as Obj[]).map((m) => cleanPath(String(m.mountPath))).sort();
    const mine = ((c.volumeMounts ?? []) as Obj[]).filter((m) => m.name === volumeName).map((m) => cleanPath(String(m.mountPath)));
    for (const mp of mine) {
      if (mp.startsWith('../')) throw new Error(`invalid container mount point ${mp}`);
      const prefix = mp + '/';
      let prev = '';
      for (const other of all) {
        if (!other.startsWith(prefix) || other === mp) continue;
        if (prev && other.startsWith(prev)) continue;
        prev = other + '/';
        out.add(other.slice(prefix.length));
      }
    }
  }
  return [...out].sort();
}

export function fsGroupOf(pod: Obj): number | undefined {
  const g = pod.spec?.securityContext?.fsGroup;
  return typeof g === 'number' ? g : undefined;
}

/** The uid every container runs as, when they all name the same one (util.FsUserFrom). */
export function fsUserOf(pod: Obj): number | undefined {
  let user: number | undefined;
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const u = c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
    if (typeof u !== 'number' || (user !== undefined && user !== u)) return undefined;
    user = u;
  }
  return user;
}

function memLimit(c: Obj): bigint | undefined {
  const q = tryParseQuantity(c.resources?.limits?.memory);
  return q && !q.isZero() ? q.valueBig() : undefined;
}

/** The pod's memory limit when every container declares one (as the pod cgroup gets it). */
export function podMemoryLimit(pod: Obj): bigint | undefined {
  let sum = 0n;
  for (const c of pod.spec?.containers ?? []) {
    const l = memLimit(c);
    if (l === undefined) return undefined;
    sum += l;
  }
  let sidecars = 0n;
  let initMax = 0n;
  for (const c of pod.spec?.initContainers ?? []) {
    const l = memLimit(c);
    if (l === undefined) return undefined;
    if (c.restartPolicy === 'Always') sidecars += l;
    else if (sidecars + l > initMax) initMax = sidecars + l;
  }
  let total = sum + sidecars > initMax ? sum + sidecars : initMax;
  const overhead = tryParseQuantity(pod.spec?.overhead?.memory);
  if (overhead) total += overhead.valueBig();
  return total;
}

/**
 * The size of a memory-backed volume (calculateEmptyDirMemorySize): node allocatable memory,
 * lowered to the pod's memory limit and then to the volume's sizeLimit when those are
 * smaller. undefined when unknown (the tmpfs then gets the kernel's default, half the RAM).
 */
export function memoryVolumeSize(pod: Obj, info: PodRuntimeInfo, sizeLimit?: string): bigint | undefined {
  const alloc = tryParseQuantity(info.nodeAllocatable?.memory);
  let size = alloc ? alloc.valueBig() : 0n;
  const podLimit = podMemoryLimit(pod);
  if (podLimit !== undefined && podLimit > 0n && podLimit <= size) size = podLimit;
  const vol = tryParseQuantity(sizeLimit);
  if (vol && vol.valueBig() > 0n && vol.valueBig() <= size) size = vol.valueBig();
  return size > 0n ? size : undefined;
}
