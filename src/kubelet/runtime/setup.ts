// The whole "Runtime set-up" in one call, for `skiff server`/`skiff agent`: prerequisites
// (apt on Debian/Ubuntu as root), the node's CNI config, skiff's containerd, the offline
// images. Never throws: where containers cannot run the answer says why, so the caller
// keeps the control plane up without a container node.

import { ensureRuntimePackages } from './install.js';
import { containerdLayout, startContainerd, type ContainerdHandle, type Log } from './containerd.js';
import { DEFAULT_BRIDGE, writeCniConfig } from './cni.js';
import { ensureOfflineImages, type EnsuredImage } from './images.js';
import { clearStaleBridges } from './stalebridge.js';

export interface StartRuntimeOptions {
  dataDir: string;
  /** This node's pod CIDR (a /24 of the cluster CIDR). */
  podCIDR: string;
  signal?: AbortSignal;
  log?: Log;
  bridge?: string;
}

export type RuntimeResult =
  | { ok: true; containerd: ContainerdHandle; socket: string; images: EnsuredImage[]; installed: string[] }
  | { ok: false; reason: string };

export async function startRuntime(opts: StartRuntimeOptions): Promise<RuntimeResult> {
  const log = opts.log ?? (() => {});
  const pre = await ensureRuntimePackages({ log });
  if (!pre.ok) return { ok: false, reason: pre.reason };
  let containerd: ContainerdHandle | null = null;
  try {
    await clearStaleBridges(opts.bridge ?? DEFAULT_BRIDGE, opts.podCIDR, log);
    writeCniConfig({ dir: containerdLayout(opts.dataDir).cniConfDir, podCIDR: opts.podCIDR, bridge: opts.bridge ?? DEFAULT_BRIDGE });
    containerd = await startContainerd({ dataDir: opts.dataDir, signal: opts.signal, log });
    const images = await ensureOfflineImages({ socket: containerd.socket, dataDir: opts.dataDir, log, snapshotter: containerd.snapshotter });
    return { ok: true, containerd, socket: containerd.socket, images, installed: pre.installed };
  } catch (e) {
    await containerd?.stop();
    return { ok: false, reason: (e as Error).message };
  }
}
