// tmpfs mounts (emptyDir medium Memory; secret and projected volumes, which the kubelet keeps
// off the disk) through mount(8)/umount(8), and mount-point discovery from
// /proc/self/mountinfo so a restarted kubelet neither mounts twice nor deletes through a mount.

import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

export interface Mounter {
  /** Mounts a tmpfs at dir, limited to sizeBytes when given. */
  mountTmpfs(dir: string, sizeBytes?: bigint): Promise<void>;
  unmount(dir: string): Promise<void>;
  /** Mount points at or below dir. */
  mountPointsUnder(dir: string): Promise<string[]>;
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((res, rej) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (!err) return res();
      const code = typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
      // the text mount-utils gives for a failed mount(8)
      rej(new Error(`mount failed: exit status ${code}\nMounting command: ${cmd}\nMounting arguments: ${args.join(' ')}\nOutput: ${(stderr || stdout).trim()}`));
    });
  });
}

/** Undoes mountinfo's octal escapes (\040 for space, ...). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export async function readMountPoints(mountinfo = '/proc/self/mountinfo'): Promise<string[]> {
  const text = await readFile(mountinfo, 'utf8');
  return text.split('\n').filter(Boolean).map((line) => unescape(line.split(' ')[4] ?? '')).filter(Boolean);
}

export const systemMounter: Mounter = {
  async mountTmpfs(dir, sizeBytes) {
    const args = ['-t', 'tmpfs'];
    if (sizeBytes !== undefined && sizeBytes > 0n) args.push('-o', `size=${sizeBytes}`);
    await run('mount', [...args, 'tmpfs', dir]);
  },
  async unmount(dir) {
    await run('umount', [dir]);
  },
  async mountPointsUnder(dir) {
    const base = resolve(dir);
    return (await readMountPoints()).filter((m) => m === base || m.startsWith(base + '/'));
  },
};
