// Static pods and their mirror pods (upstream's file source, pod manager and mirror client).
// The kubelet runs the pods of the static pod path as they stand in their files; for each it
// keeps a mirror pod in the API (same name, annotation kubernetes.io/config.mirror = the
// static pod's hash, owned by the Node) so that `kubectl get pods` shows it and its status.
// A mirror that is deleted, or whose hash is stale, is deleted at once (grace 0, uid
// precondition) and created again; a mirror without a static pod goes. The path is
// rescanned every fileCheckFrequency and on file-system events; a file's pod that changed
// is a new pod (new uid), which replaces the old one.

import { watch, type FSWatcher } from 'node:fs';
import type { Obj } from '../../api/types.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../client/errors.js';
import type { KubeClient } from '../../client/interface.js';
import { errMsg, silentLogger, type Logger } from '../../client/log.js';
import { sleep } from '../../client/wait.js';
import { PODS } from '../pods/sync.js';
import { CONFIG_MIRROR_ANNOTATION, mirrorPodFor, readStaticPods } from './source.js';

export interface StaticPodsOptions {
  client: KubeClient;
  nodeName: string;
  /** staticPodPath: a directory of manifests, or one file. */
  path: string;
  /** The Node's uid (the mirrors' owner), once registered. */
  nodeUID: () => string | undefined;
  /** A static pod appeared, or its mirror changed: the pod as the kubelet runs it. */
  onPod: (pod: Obj) => void;
  /** A static pod's file is gone (or changed): the pod of this uid must stop. */
  onGone: (uid: string) => void;
  /** fileCheckFrequency (default 20 s; file-system events act sooner). */
  intervalMs?: number;
  log?: Logger;
}

const keyOf = (p: Obj): string => `${p.metadata?.namespace}/${p.metadata?.name}`;

function olderThan(a: Obj, b: Obj): boolean {
  try { return BigInt(a.metadata?.resourceVersion) < BigInt(b.metadata?.resourceVersion); } catch { return false; }
}

export class StaticPods {
  /** Static pods by uid, as first read from their files. */
  private readonly pods = new Map<string, Obj>();
  /** Mirror pods on this node by namespace/name, as the informer last reported them. */
  private readonly mirrors = new Map<string, Obj>();
  private readonly reported = new Set<string>();
  /** Each static pod's status as its live mirror last showed it (a new mirror starts from it). */
  private readonly lastStatus = new Map<string, Obj>();
  /** Mirrors being created (and given their status): their informer events wait. */
  private readonly creating = new Set<string>();
  private readonly log: Logger;
  private wake?: () => void;
  private kicked = false;

  constructor(private readonly o: StaticPodsOptions) {
    this.log = o.log ?? silentLogger;
  }

  /** The static pods now known (by uid). */
  list(): Obj[] {
    return [...this.pods.values()].map((p) => this.merged(p));
  }

  /** Whether this uid is a static pod's. */
  has(uid: string): boolean {
    return this.pods.has(uid);
  }

  /** Reads the path again; reports new and gone pods. */
  rescan(): void {
    const { pods, errors } = readStaticPods(this.o.path, this.o.nodeName);
    for (const e of errors) if (!this.reported.has(e)) { this.reported.add(e); this.log.warn(e); }
    const seen = new Set<string>();
    for (const { pod } of pods) {
      seen.add(pod.metadata.uid);
      if (this.pods.has(pod.metadata.uid)) continue;
      this.pods.set(pod.metadata.uid, pod);
      this.log.info(`static pod ${keyOf(pod)} (${pod.metadata.uid}) from ${this.o.path}`);
      this.o.onPod(this.merged(pod));
    }
    for (const uid of [...this.pods.keys()]) {
      if (seen.has(uid)) continue;
      const pod = this.pods.get(uid)!;
      this.pods.delete(uid);
      this.lastStatus.delete(uid);
      this.log.info(`static pod ${keyOf(pod)} (${uid}): its file is gone or changed`);
      this.o.onGone(uid);
    }
  }

  /** The static pod as the kubelet syncs it: its own spec, its mirror's status and version. */
  private merged(pod: Obj): Obj {
    const m = this.liveMirror(pod);
    if (!m) return pod;
    return { ...pod, metadata: { ...pod.metadata, resourceVersion: m.metadata.resourceVersion }, status: m.status ?? {} };
  }

  private liveMirror(pod: Obj): Obj | undefined {
    const m = this.mirrors.get(keyOf(pod));
    if (!m || m.metadata?.deletionTimestamp || m.metadata?.annotations?.[CONFIG_MIRROR_ANNOTATION] !== pod.metadata.uid) return undefined;
    return m;
  }

  /**
   * Where a pod's status goes: undefined for a pod that is not static (its own API object),
   * null for a static pod whose mirror does not exist yet (nothing to write).
   */
  mirrorOf(pod: Obj): Obj | null | undefined {
    const uid = pod?.metadata?.uid;
    if (!uid || !this.pods.has(uid)) return undefined;
    const sp = this.pods.get(uid)!;
    if (this.creating.has(keyOf(sp))) return null;
    return this.liveMirror(sp) ?? null;
  }

  /** A mirror pod added or changed (pod informer). */
  mirrorSeen(m: Obj): void {
    // an informer event older than what this kubelet itself wrote (create, then status) is stale
    const cur = this.mirrors.get(keyOf(m));
    if (this.creating.has(keyOf(m)) || (cur && cur.metadata?.uid === m.metadata?.uid && olderThan(m, cur))) return;
    this.mirrors.set(keyOf(m), m);
    const pod = [...this.pods.values()].find((p) => keyOf(p) === keyOf(m));
    if (pod && this.liveMirror(pod) === m) {
      if (m.status?.startTime) this.lastStatus.set(pod.metadata.uid, m.status);
      this.o.onPod(this.merged(pod));
    }
    if (!pod || this.liveMirror(pod) !== m) this.kick();
  }

  /** A mirror pod deleted (pod informer). */
  mirrorGone(m: Obj): void {
    if (this.mirrors.get(keyOf(m))?.metadata?.uid === m.metadata?.uid) this.mirrors.delete(keyOf(m));
    this.kick();
  }

  private kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Creates missing mirrors, replaces stale or deleted ones, deletes orphans. */
  async reconcileMirrors(signal?: AbortSignal): Promise<void> {
    const nodeUID = this.o.nodeUID();
    if (!nodeUID) return;
    const byKey = new Map([...this.pods.values()].map((p) => [keyOf(p), p]));
    for (const [key, m] of [...this.mirrors]) {
      const pod = byKey.get(key);
      if (pod && this.liveMirror(pod) === m) continue;
      await this.deleteMirror(m, signal);
    }
    for (const pod of byKey.values()) {
      if (this.mirrors.has(keyOf(pod))) continue;
      this.creating.add(keyOf(pod));
      try {
        const created = await this.o.client.create(PODS, pod.metadata.namespace, mirrorPodFor(pod, { name: this.o.nodeName, uid: nodeUID }), { signal });
        this.mirrors.set(keyOf(pod), created);
        // a replaced mirror shows the pod's status at once (start time, restarts), as the status manager's cache does
        const last = this.lastStatus.get(pod.metadata.uid);
        if (last) {
          const patch = { metadata: { uid: created.metadata.uid }, status: last };
          await this.o.client.patch(PODS, pod.metadata.namespace, pod.metadata.name, 'merge', patch, { subresource: 'status', signal })
            .then((m) => { if (this.mirrors.get(keyOf(pod)) === created) this.mirrors.set(keyOf(pod), m); })
            .catch((e) => this.log.warn(`mirror pod ${keyOf(pod)}: status: ${errMsg(e)}`));
        }
        this.o.onPod(this.merged(pod));
      } catch (e) {
        if (!isAlreadyExists(e)) this.log.warn(`mirror pod ${keyOf(pod)}: ${errMsg(e)}`);
        // one exists (a previous run's, maybe stale or being deleted): look at it, the next round decides
        else {
          const existing = await this.o.client.get(PODS, pod.metadata.namespace, pod.metadata.name, { signal }).catch(() => undefined);
          if (existing && !this.mirrors.has(keyOf(pod))) { this.mirrors.set(keyOf(pod), existing); this.kicked = true; }
        }
      } finally {
        this.creating.delete(keyOf(pod));
      }
    }
  }

  private async deleteMirror(m: Obj, signal?: AbortSignal): Promise<void> {
    try {
      await this.o.client.delete(PODS, m.metadata.namespace, m.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: m.metadata.uid }, signal });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) { this.log.warn(`mirror pod ${keyOf(m)}: ${errMsg(e)}`); return; }
    }
    if (this.mirrors.get(keyOf(m)) === m) this.mirrors.delete(keyOf(m));
  }

  /** Rescans and reconciles until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let watcher: FSWatcher | undefined;
    const startWatch = (): void => {
      if (watcher) return;
      try {
        watcher = watch(this.o.path, () => this.kick());
        watcher.on('error', () => { watcher?.close(); watcher = undefined; });
      } catch { /* no such path yet: the periodic rescan finds it */ }
    };
    try {
      while (!signal.aborted) {
        this.kicked = false;
        startWatch();
        try {
          this.rescan();
          await this.reconcileMirrors(signal);
        } catch (e) {
          if (!signal.aborted) this.log.warn(`static pods: ${errMsg(e)}`);
        }
        if (this.kicked) { await sleep(50, signal); continue; }
        await new Promise<void>((res) => {
          const t = setTimeout(res, this.o.intervalMs ?? 20_000);
          const done = (): void => { clearTimeout(t); signal.removeEventListener('abort', done); this.wake = undefined; res(); };
          this.wake = () => setTimeout(done, 100);
          signal.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      watcher?.close();
    }
  }
}
