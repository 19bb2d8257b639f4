// fsGroup: the kubelet's SetVolumeOwnership. Every file and directory of the volume gets the
// group; files gain g+rw (g+r for read-only volumes), directories also g+x and setgid so new
// files inherit the group. Symlinks get the group but no chmod (chmod would follow them).
// With fsGroupChangePolicy OnRootMismatch the walk is skipped when the root already fits.

import { chmod, lchown, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const RW = 0o660;
const RO = 0o440;
const EXEC = 0o110;
const SETGID = 0o2000;

async function change(path: string, gid: number, readOnly: boolean): Promise<boolean> {
  const st = await lstat(path);
  try {
    await lchown(path, -1, gid);
  } catch { /* the kubelet logs and goes on */ }
  if (st.isSymbolicLink()) return false;
  let mask = readOnly ? RO : RW;
  if (st.isDirectory()) mask |= SETGID | EXEC;
  try {
    await chmod(path, (st.mode & 0o7777) | mask);
  } catch { /* logged upstream, not fatal */ }
  return st.isDirectory();
}

async function walk(path: string, gid: number, readOnly: boolean): Promise<void> {
  if (!(await change(path, gid, readOnly))) return;
  for (const name of await readdir(path)) await walk(join(path, name), gid, readOnly);
}

/** Whether OnRootMismatch may skip the walk: root has the group, the permissions and setgid. */
async function rootMatches(dir: string, gid: number, readOnly: boolean): Promise<boolean> {
  const st = await stat(dir);
  if (st.gid !== gid || !st.isDirectory()) return false;
  const want = (readOnly ? RO : RW) | EXEC;
  return (st.mode & want) === want && (st.mode & SETGID) !== 0;
}

export async function setVolumeOwnership(dir: string, fsGroup: number | undefined, readOnly: boolean, policy?: string): Promise<void> {
  if (fsGroup === undefined || fsGroup === null) return;
  if (policy === 'OnRootMismatch' && (await rootMatches(dir, fsGroup, readOnly))) return;
  await walk(dir, fsGroup, readOnly);
}
