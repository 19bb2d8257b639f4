// subPath / subPathExpr for a container mount, as the kubelet's makeMounts prepares them: the
// path must be relative without "..", is created (with the volume root's mode) when missing,
// and is resolved through symlinks so it cannot escape the volume. Resolving pins the mount
// to what the path is now: a subPath of a configMap volume does not see later updates,
// exactly as with the kubelet's bind-mounted subpaths.

import { chmodSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

function within(path: string, base: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !isAbsolute(rel));
}

/** Validation of the subPath text (before any filesystem access). */
export function validateSubPath(subPath: string): void {
  if (isAbsolute(subPath)) throw new Error(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split('/').includes('..')) throw new Error(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
}

/** The host path to bind for `subPath` below `volumePath`, made if missing. */
export function prepareSubPath(volumePath: string, subPath: string, mountName: string, containerName: string): string {
  validateSubPath(subPath);
  const target = join(volumePath, subPath);
  let exists = true;
  try {
    statSync(target);
  } catch {
    exists = false;
  }
  if (!exists) {
    try {
      const perm = statSync(volumePath).mode & 0o777;
      // create each missing component inside the (resolved) volume, never through a link outside it
      const base = realpathSync(volumePath);
      let cur = base;
      for (const part of subPath.split('/').filter((p) => p && p !== '.')) {
        const next = join(cur, part);
        try {
          const resolved = realpathSync(next);
          if (!within(resolved, base)) throw new Error('escapes the volume');
          cur = resolved;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          mkdirSync(next, { mode: perm });
          chmodSync(next, perm); // past the umask, as the kubelet's SafeMakeDir
          cur = next;
        }
      }
    } catch {
      throw new Error(`failed to create subPath directory for volumeMount "${mountName}" of container "${containerName}"`);
    }
  }
  try {
    const resolved = realpathSync(target);
    if (!within(resolved, realpathSync(volumePath))) throw new Error('outside');
    return resolved;
  } catch {
    throw new Error(`failed to prepare subPath for volumeMount "${mountName}" of container "${containerName}"`);
  }
}
