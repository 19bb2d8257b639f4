// hostPath type checks, with the kubelet's messages (pkg/volume/hostpath): DirectoryOrCreate
// makes a 0755 directory (parents too), FileOrCreate a 0644 file (never its parent).

import { chmod, mkdir, open, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { goPathError } from './errors.js';

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

async function makeDir(path: string, mode: number): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode });
  } catch (err) {
    throw goPathError('mkdir', path, err);
  }
}

async function makeFile(path: string): Promise<void> {
  try {
    await (await open(path, 'a', 0o644)).close();
  } catch (err) {
    throw goPathError('open', path, err);
  }
}

/**
 * Checks (and for the *OrCreate types creates) a hostPath. `dirMode` is the mode of a
 * directory DirectoryOrCreate makes (0755 as upstream; skiff's local-path volumes ask 0777
 * as rancher's provisioner creates them).
 */
export async function checkHostPathType(path: string, type: string | undefined, dirMode = 0o755): Promise<void> {
  if (!type) return;
  const st = await statOrUndefined(path);
  switch (type) {
    case 'DirectoryOrCreate':
      if (!st) {
        await makeDir(path, dirMode);
        if (dirMode !== 0o755) await chmod(path, dirMode); // past the umask
        return;
      }
    // falls through
    case 'Directory':
      if (!st?.isDirectory()) throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (!st) {
        await makeFile(path);
        return;
      }
    // falls through
    case 'File':
      if (!st?.isFile()) throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}
