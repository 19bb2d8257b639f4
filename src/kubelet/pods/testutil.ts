// Test stand-ins for the modules the kubelet core calls through interfaces
// (kuberuntime/deps.ts): literal env values, emptyDir volumes as plain directories, and a
// prober whose verdicts a test sets. Only tests import this file.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Obj } from '../../api/types.js';
import type { EnvProvider, ProbeProvider, VolumeProvider } from '../kuberuntime/deps.js';
import type { CriMount } from '../volumes/index.js';

export const literalEnv: EnvProvider = {
  async makeEnvironment(_pod: Obj, container: Obj) {
    return (container.env ?? []).filter((e: Obj) => !e.valueFrom).map((e: Obj) => ({ name: e.name, value: String(e.value ?? '') }));
  },
  expandCommand(container: Obj) {
    return { command: [...(container.command ?? [])], args: [...(container.args ?? [])] };
  },
};

export class PlainVolumes implements VolumeProvider {
  readonly tornDown: string[] = [];
  constructor(private readonly podsDir: string) {}
  private dir(pod: Obj, name: string): string {
    return join(this.podsDir, pod.metadata.uid, 'volumes', 'kubernetes.io~empty-dir', name);
  }
  async setUp(pod: Obj): Promise<void> {
    for (const v of pod.spec?.volumes ?? []) if (v.emptyDir) mkdirSync(this.dir(pod, v.name), { recursive: true });
  }
  mountsFor(pod: Obj, container: Obj): CriMount[] {
    return (container.volumeMounts ?? []).map((m: Obj) => ({ container_path: m.mountPath, host_path: this.dir(pod, m.name), readonly: !!m.readOnly }));
  }
  async refresh(): Promise<void> { /* nothing to refresh */ }
  async tearDown(podUID: string): Promise<void> {
    this.tornDown.push(podUID);
    rmSync(join(this.podsDir, podUID), { recursive: true, force: true });
  }
}

/** A prober whose answers the test sets; it records what it was told. */
export class FakeProbes implements ProbeProvider {
  readonly added: string[] = [];
  readonly removed: string[] = [];
  notReady = new Set<string>();
  liveness = new Map<string, string>();
  addContainer(_pod: Obj, name: string, id: string): void { if (!this.added.includes(`${name}/${id}`)) this.added.push(`${name}/${id}`); }
  removeContainer(_uid: string, name: string): void { this.removed.push(name); this.liveness.delete(name); }
  removePod(uid: string): void { this.removed.push(`pod ${uid}`); }
  ready(_uid: string, name: string): boolean { return !this.notReady.has(name); }
  started(): boolean { return true; }
  livenessFailure(_uid: string, name: string): string | undefined { return this.liveness.get(name); }
}
