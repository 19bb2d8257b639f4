// Pod-level cgroups under the cgroupfs driver. runc creates each container's cgroup below
// the pod's parent (/kubepods[/burstable|/besteffort]/pod<uid>) and removes only its own,
// so the kubelet removes the pod's directories once its containers and sandbox are gone.
// cgroup v1 has one tree per controller; v2 one unified tree.

import { existsSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = '/sys/fs/cgroup';

/** Every hierarchy root: [/sys/fs/cgroup] on v2, /sys/fs/cgroup/<controller> on v1. */
export function cgroupHierarchies(root = ROOT): string[] {
  if (!existsSync(root)) return [];
  if (existsSync(join(root, 'cgroup.controllers'))) return [root];
  try {
    return readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(root, e.name));
  } catch {
    return [];
  }
}

/** Removes the pod's cgroup directories (children first) in every QoS tier; busy ones stay. */
export function removePodCgroups(uid: string, cgroupRoot = '/kubepods', root = ROOT): void {
  for (const h of cgroupHierarchies(root)) {
    for (const tier of ['', '/burstable', '/besteffort']) {
      const dir = join(h, `${cgroupRoot}${tier}/pod${uid}`);
      if (!existsSync(dir)) continue;
      removeTree(dir);
    }
  }
}

function removeTree(dir: string): void {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
    rmdirSync(dir);
  } catch { /* still in use, or gone */ }
}
