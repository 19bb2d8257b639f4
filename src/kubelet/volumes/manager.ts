// The VolumeManager: sets up a pod's volumes before its containers start, turns container
// volumeMounts into CRI mounts, keeps configMap/secret/downwardAPI/projected volumes (and
// their service account tokens) current, and removes everything once the pod is gone.
//
// Layout (the kubelet's): <podsDir>/<uid>/volumes/kubernetes.io~<plugin>/<volume>. hostPath
// and persistent volumes are used where they are. Calls for one pod are serialised; different
// pods proceed in parallel.

import { chmod, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { Obj } from '../../api/types.js';
import { realClock } from '../../client/clock.js';
import { expandSubPathExpr } from '../env/expansion.js';
import { configMapNotFound, secretNotFound } from '../env/environment.js';
import { ContainerConfigError, type EnvVar, type PodRuntimeInfo } from '../env/types.js';
import { AtomicWriter, type Payload } from './atomicwriter.js';
import { aggregate, errText, VolumeError } from './errors.js';
import { checkHostPathType } from './hostpath.js';
import { systemMounter, type Mounter } from './mount.js';
import { setVolumeOwnership } from './ownership.js';
import { configMapPayload, DEFAULT_MODE, downwardAPIPayload, secretPayload } from './payload.js';
import { fsGroupOf, fsUserOf, memoryVolumeSize, nestedMountpoints, usedVolumeNames } from './podspec.js';
import { ProcessVolumeError, resolveClaim } from './pvc.js';
import { prepareSubPath, validateSubPath } from './subpath.js';
import { TokenManager } from './tokens.js';
import type { CriMount, VolumeHost } from './types.js';

type Kind = 'emptyDir' | 'hostPath' | 'configMap' | 'secret' | 'downwardAPI' | 'projected' | 'persistentVolumeClaim';

const PLUGIN_DIR: Partial<Record<Kind, string>> = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
};
const ATOMIC = new Set<Kind>(['configMap', 'secret', 'downwardAPI', 'projected']);

export interface MountedVolume {
  name: string;
  kind: Kind;
  /** Host path the container mount binds. */
  path: string;
  /** The volume itself is read-only (configMap & co., readOnly claims). */
  readOnly: boolean;
}

/** A set-up failure with the name the kubelet's message uses (the PV's for claims). */
class SetUpError extends Error {
  constructor(readonly specName: string, cause: unknown) {
    super(errText(cause));
  }
}

function kindOf(vol: Obj): Kind | undefined {
  for (const k of ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected', 'persistentVolumeClaim'] as Kind[]) if (vol[k]) return k;
  if (vol.ephemeral) return 'persistentVolumeClaim';
  return undefined;
}

const PROPAGATION: Record<string, number> = { None: 0, HostToContainer: 1, Bidirectional: 2 };

export class VolumeManager {
  private readonly pods = new Map<string, Map<string, MountedVolume>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly mounter: Mounter;
  private readonly memoryBacked: boolean;
  readonly tokens: TokenManager;

  constructor(private readonly host: VolumeHost) {
    this.mounter = host.mounter ?? systemMounter;
    this.memoryBacked = host.memoryBackedSecrets ?? process.getuid?.() === 0;
    this.tokens = new TokenManager(host.client, host.clock ?? realClock);
  }

  podDir(podUID: string): string {
    return join(this.host.podsDir, podUID);
  }

  /** Sets up every volume a container of the pod mounts that is not set up yet. */
  setUp(pod: Obj, info: PodRuntimeInfo): Promise<void> {
    return this.serial(pod.metadata.uid, () => this.ensure(pod, info, false));
  }

  /** Rewrites configMap/secret/downwardAPI/projected volumes that changed (and refreshes tokens); sets up new ones. */
  refresh(pod: Obj, info: PodRuntimeInfo): Promise<void> {
    return this.serial(pod.metadata.uid, () => this.ensure(pod, info, true));
  }

  /** Unmounts the pod's tmpfs volumes and removes its directory (<podsDir>/<uid>). */
  tearDown(podUID: string): Promise<void> {
    return this.serial(podUID, async () => {
      this.pods.delete(podUID);
      this.tokens.forgetPod(podUID);
      const dir = this.podDir(podUID);
      const mounts = (await this.mounter.mountPointsUnder(dir)).sort((a, b) => b.length - a.length);
      for (const m of mounts) await this.mounter.unmount(m);
      const left = await this.mounter.mountPointsUnder(dir);
      if (left.length > 0) throw new Error(`volumes of pod ${podUID} are still mounted: ${left.join(', ')}`);
      await rm(dir, { recursive: true, force: true });
    });
  }

  /**
   * Tears down the directories of pods that are no longer active (deleted while the kubelet
   * was down, say), as the kubelet's orphaned pod cleanup does. Returns the UIDs removed.
   */
  async cleanupOrphanedPods(activePodUIDs: Set<string>): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.host.podsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const orphans = names.filter((n) => !activePodUIDs.has(n));
    for (const uid of orphans) await this.tearDown(uid);
    return orphans;
  }

  /** The set-up volumes of a pod. */
  volumes(podUID: string): MountedVolume[] {
    return [...(this.pods.get(podUID)?.values() ?? [])];
  }

  /** When the pod's earliest service account token is due for refresh (ms since the epoch), if any. */
  nextTokenRefresh(podUID: string): number | undefined {
    return this.tokens.nextRefresh(podUID);
  }

  /**
   * The container's volume mounts as CRI mounts. subPathExpr is expanded with `env` (the
   * container's environment from makeEnvironment). Throws ContainerConfigError with the
   * kubelet's message when a mount cannot be made.
   */
  mountsFor(pod: Obj, container: Obj, env: EnvVar[] = []): CriMount[] {
    const vols = this.pods.get(pod.metadata.uid);
    const out: CriMount[] = [];
    try {
      for (const vm of (container.volumeMounts ?? []) as Obj[]) {
        const vol = vols?.get(vm.name);
        if (!vol) throw new Error(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
        const subPath: string = vm.subPathExpr ? expandSubPathExpr(vm.subPathExpr, env) : vm.subPath ?? '';
        let hostPath = vol.path;
        if (subPath) {
          validateSubPath(subPath);
          hostPath = prepareSubPath(vol.path, subPath, vm.name, container.name);
        }
        const mode = vm.mountPropagation;
        if (mode !== undefined && !(mode in PROPAGATION)) throw new Error(`invalid MountPropagation mode: "${mode}"`);
        const mountPath = String(vm.mountPath ?? '');
        out.push({
          container_path: posix.normalize(mountPath.startsWith('/') ? mountPath : `/${mountPath}`),
          host_path: hostPath,
          readonly: !!vm.readOnly || vol.readOnly,
          selinux_relabel: false,
          propagation: mode === undefined ? 0 : PROPAGATION[mode],
        });
      }
    } catch (err) {
      throw err instanceof ContainerConfigError ? err : new ContainerConfigError(errText(err));
    }
    return out;
  }

  // ---- internals ----

  private serial<T>(podUID: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(podUID) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(podUID, tail);
    void tail.then(() => {
      if (this.locks.get(podUID) === tail) this.locks.delete(podUID);
    });
    return next;
  }

  private async ensure(pod: Obj, info: PodRuntimeInfo, refresh: boolean): Promise<void> {
    const uid: string = pod.metadata.uid;
    let vols = this.pods.get(uid);
    if (!vols) this.pods.set(uid, (vols = new Map()));
    await mkdir(join(this.podDir(uid), 'volumes'), { recursive: true, mode: 0o750 });
    const used = usedVolumeNames(pod);
    const specs = ((pod.spec?.volumes ?? []) as Obj[]).filter((v) => used.has(v.name));
    const failures: ({ volume: string; message: string } | undefined)[] = await Promise.all(specs.map(async (v) => {
      const have = vols!.get(v.name);
      if (have && !(refresh && ATOMIC.has(have.kind))) return undefined;
      try {
        vols!.set(v.name, await this.setUpVolume(pod, v, info));
        return undefined;
      } catch (err) {
        return { volume: v.name, message: this.failureMessage(v.name, err) };
      }
    }));
    const failed = failures.filter((f): f is { volume: string; message: string } => !!f);
    if (failed.length > 0) throw new VolumeError(failed);
  }

  private failureMessage(volume: string, err: unknown): string {
    if (err instanceof ProcessVolumeError) {
      return `Unable to attach or mount volumes: unmounted volumes=[${volume}], unattached volumes=[], failed to process volumes=[${volume}]: ${err.message}`;
    }
    const name = err instanceof SetUpError ? err.specName : volume;
    return `MountVolume.SetUp failed for volume "${name}" : ${errText(err)}`;
  }

  private volumeDir(uid: string, kind: Kind, name: string): string {
    return join(this.podDir(uid), 'volumes', PLUGIN_DIR[kind]!, name);
  }

  private async setUpVolume(pod: Obj, vol: Obj, info: PodRuntimeInfo): Promise<MountedVolume> {
    const kind = kindOf(vol);
    const name: string = vol.name;
    if (!kind) throw new ProcessVolumeError(`failed to get Plugin from volumeSpec for volume "${name}" err=no volume plugin matched`);
    const uid: string = pod.metadata.uid;
    switch (kind) {
      case 'hostPath': {
        await checkHostPathType(vol.hostPath.path, vol.hostPath.type || undefined);
        return { name, kind, path: vol.hostPath.path, readOnly: false };
      }
      case 'emptyDir': {
        const dir = this.volumeDir(uid, kind, name);
        const medium: string = vol.emptyDir.medium ?? '';
        if (medium !== '' && medium !== 'Memory') throw new Error(`unknown storage medium "${medium}"`);
        await this.emptyDirAt(dir, medium === 'Memory', pod, info, vol.emptyDir.sizeLimit);
        await setVolumeOwnership(dir, fsGroupOf(pod), false);
        return { name, kind, path: dir, readOnly: false };
      }
      case 'persistentVolumeClaim':
        return this.claim(pod, vol);
      default: {
        // configMap, secret, downwardAPI, projected: gather first, so a missing source creates nothing
        const payload = await this.payload(kind, pod, vol, info);
        const dir = this.volumeDir(uid, kind, name);
        await this.emptyDirAt(dir, this.memoryBacked && (kind === 'secret' || kind === 'projected'), pod, info);
        for (const nested of nestedMountpoints(name, pod)) {
          try {
            await mkdir(join(dir, nested), { recursive: true, mode: 0o755 });
          } catch (err) {
            throw new Error(`unable to create nested volume mountpoints: ${errText(err)}`);
          }
        }
        const fsGroup = fsGroupOf(pod);
        // the whole volume, not only the new version: links made outside it get the group too
        await new AtomicWriter(dir).write(payload, fsGroup === undefined ? undefined : () => setVolumeOwnership(dir, fsGroup, true));
        return { name, kind, path: dir, readOnly: true };
      }
    }
  }

  /** An emptyDir-style directory (0777), on tmpfs when memory-backed (mounted once). */
  private async emptyDirAt(dir: string, memory: boolean, pod: Obj, info: PodRuntimeInfo, sizeLimit?: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o777 });
    const st = await stat(dir);
    if ((st.mode & 0o777) !== 0o777) await chmod(dir, (st.mode & 0o7000) | 0o777);
    if (!memory) return;
    const mounted = await this.mounter.mountPointsUnder(dir);
    if (mounted.includes(dir)) return;
    await this.mounter.mountTmpfs(dir, memoryVolumeSize(pod, info, sizeLimit));
  }

  private async claim(pod: Obj, vol: Obj): Promise<MountedVolume> {
    const c = await resolveClaim(this.host.client, pod, vol);
    try {
      if (c.kind === 'hostPath') {
        await checkHostPathType(c.path, c.hostPathType || undefined, c.dirMode);
      } else {
        try {
          await stat(c.path);
        } catch {
          throw new Error(`path "${c.path}" does not exist`);
        }
        if (!c.readOnly) await setVolumeOwnership(c.path, fsGroupOf(pod), false, pod.spec?.securityContext?.fsGroupChangePolicy);
      }
    } catch (err) {
      throw new SetUpError(c.pvName, err);
    }
    return { name: vol.name, kind: 'persistentVolumeClaim', path: c.path, readOnly: c.readOnly };
  }

  private async payload(kind: Kind, pod: Obj, vol: Obj, info: PodRuntimeInfo): Promise<Payload> {
    const ns: string = pod.metadata.namespace;
    switch (kind) {
      case 'configMap': {
        const src = vol.configMap;
        const cm = await this.host.envSources.getConfigMap(ns, src.name ?? '');
        if (!cm && !src.optional) throw new Error(configMapNotFound(src.name ?? ''));
        return configMapPayload(src.items, cm, src.defaultMode ?? DEFAULT_MODE, !!src.optional);
      }
      case 'secret': {
        const src = vol.secret;
        const sec = await this.host.envSources.getSecret(ns, src.secretName ?? '');
        if (!sec && !src.optional) throw new Error(secretNotFound(src.secretName ?? ''));
        return secretPayload(src.items, sec, src.defaultMode ?? DEFAULT_MODE, !!src.optional);
      }
      case 'downwardAPI':
        return downwardAPIPayload(vol.downwardAPI.items, pod, info, vol.downwardAPI.defaultMode ?? DEFAULT_MODE);
      default:
        return this.projectedPayload(pod, vol.projected, info);
    }
  }

  /** Every source in order, later ones overwriting earlier paths; failures aggregated. */
  private async projectedPayload(pod: Obj, proj: Obj, info: PodRuntimeInfo): Promise<Payload> {
    const ns: string = pod.metadata.namespace;
    const defaultMode: number = proj.defaultMode ?? DEFAULT_MODE;
    const out: Payload = new Map();
    const errs: Error[] = [];
    const add = (p: Payload): void => {
      for (const [k, v] of p) out.set(k, v);
    };
    for (const source of (proj.sources ?? []) as Obj[]) {
      try {
        if (source.secret) {
          const s = source.secret;
          const sec = await this.host.envSources.getSecret(ns, s.name ?? '');
          if (!sec && !s.optional) throw new Error(secretNotFound(s.name ?? ''));
          add(secretPayload(s.items, sec, defaultMode, !!s.optional));
        } else if (source.configMap) {
          const c = source.configMap;
          const cm = await this.host.envSources.getConfigMap(ns, c.name ?? '');
          if (!cm && !c.optional) throw new Error(configMapNotFound(c.name ?? ''));
          add(configMapPayload(c.items, cm, defaultMode, !!c.optional));
        } else if (source.downwardAPI) {
          add(downwardAPIPayload(source.downwardAPI.items, pod, info, defaultMode));
        } else if (source.serviceAccountToken) {
          const tp = source.serviceAccountToken;
          const fsUser = fsUserOf(pod);
          // with an fsGroup the ownership change then opens it to the group (0640)
          const mode = fsUser !== undefined || fsGroupOf(pod) !== undefined ? 0o600 : defaultMode;
          const token = await this.tokens.get({
            namespace: ns,
            serviceAccount: pod.spec?.serviceAccountName || 'default',
            audience: tp.audience || undefined,
            expirationSeconds: Number(tp.expirationSeconds ?? 3600),
            pod: { name: pod.metadata.name, uid: pod.metadata.uid },
          });
          out.set(tp.path, { data: Buffer.from(token), mode, fsUser });
        } else if (source.clusterTrustBundle) {
          throw new Error('clusterTrustBundle projections are not supported by this node');
        }
      } catch (err) {
        errs.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    const err = aggregate(errs);
    if (err) throw err;
    return out;
  }
}
