// Test helpers for the volume module: temp dirs and an in-memory Mounter.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Mounter } from './mount.js';

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-vol-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Records tmpfs mounts instead of making them. */
export class FakeMounter implements Mounter {
  readonly mounted = new Map<string, bigint | undefined>();
  readonly calls: string[] = [];

  async mountTmpfs(dir: string, sizeBytes?: bigint): Promise<void> {
    this.calls.push(`mount ${dir} ${sizeBytes ?? '-'}`);
    this.mounted.set(resolve(dir), sizeBytes);
  }

  async unmount(dir: string): Promise<void> {
    this.calls.push(`umount ${dir}`);
    if (!this.mounted.delete(resolve(dir))) throw new Error(`umount: ${dir}: not mounted.`);
  }

  async mountPointsUnder(dir: string): Promise<string[]> {
    const base = resolve(dir);
    return [...this.mounted.keys()].filter((m) => m === base || m.startsWith(base + '/'));
  }
}
