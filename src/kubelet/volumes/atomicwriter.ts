// The kubelet's AtomicWriter (pkg/volume/util/atomic_writer.go): configMap, secret,
// downwardAPI and projected volumes are written so a reader never sees half an update.
//
//   <dir>/..2025_01_02_15_04_05.123456/   the data of one version (mode 0755)
//   <dir>/..data -> ..2025_01_02_...      swapped by rename(2), which is atomic
//   <dir>/<key>  -> ..data/<key>          user-visible names (first path component only)
//
// Write: validate paths; compare with the current version (content only, as upstream);
// when something changed, write a new timestamped dir, let the caller set permissions,
// point ..data_tmp at it and rename it over ..data, add missing user-visible links, drop
// links of paths that went away, and remove the old version.

import { chmod, chown, lstat, mkdir, readFile, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';

export interface FileProjection {
  data: Buffer;
  mode: number;
  /** chown the file to this uid (projected service account tokens for a non-root pod). */
  fsUser?: number;
}

export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const DATA_DIR_TMP = '..data_tmp';
const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

export function validatePath(p: string): void {
  if (p === '') throw new Error(`invalid path: must not be empty: ""`);
  if (posix.isAbsolute(p)) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH) throw new Error(`invalid path: must be less than or equal to ${MAX_PATH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${p}`);
    if (item.length > MAX_FILE_NAME) throw new Error(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME} characters`);
  }
  if (items[0].startsWith('..') && items[0].length > 2) throw new Error(`invalid path: must not start with '..': ${p}`);
}

function clean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

function validatePayload(payload: Payload): Payload {
  const out: Payload = new Map();
  for (const [k, v] of payload) {
    validatePath(k);
    out.set(clean(k), v);
  }
  return out;
}

function tsDirPrefix(now: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `..${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}_${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.`;
}

/** Like Go's os.MkdirTemp (what the kubelet uses): prefix + a random decimal uint32, mode 0700. */
async function mkdirTempDigits(prefix: string): Promise<string> {
  for (let i = 0; ; i++) {
    const dir = prefix + String(Math.floor(Math.random() * 0x100000000));
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || i >= 100) throw err;
    }
  }
}

async function readlinkOrEmpty(path: string): Promise<string> {
  try {
    return await readlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** Relative paths of every file and directory below dir. */
async function walk(dir: string, rel = '', out: string[] = []): Promise<string[]> {
  for (const ent of await readdir(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${ent.name}` : ent.name;
    out.push(p);
    if (ent.isDirectory()) await walk(dir, p, out);
  }
  return out;
}

export class AtomicWriter {
  constructor(readonly targetDir: string, private readonly now: () => Date = () => new Date()) {}

  /**
   * Projects the payload into the target directory. `setPerms` runs on the new version
   * (given its directory name) before it becomes visible. Returns whether anything changed.
   */
  async write(payload: Payload, setPerms?: (tsDirName: string) => Promise<void>): Promise<boolean> {
    const clean = validatePayload(payload);
    const dataDirPath = join(this.targetDir, DATA_DIR);
    const oldTsDir = await readlinkOrEmpty(dataDirPath);
    const oldTsPath = oldTsDir ? join(this.targetDir, oldTsDir) : '';

    const toRemove = oldTsPath ? await this.pathsToRemove(clean, oldTsPath) : new Set<string>();
    if (oldTsPath && toRemove.size === 0 && !(await this.differs(clean, oldTsPath))) {
      // up to date; user-visible links may still be missing (e.g. after a crash mid-write)
      await this.createUserVisibleFiles(clean);
      return false;
    }

    const tsDir = await mkdirTempDigits(join(this.targetDir, tsDirPrefix(this.now())));
    const tsDirName = tsDir.slice(this.targetDir.length + 1);
    try {
      await chmod(tsDir, 0o755);
      await this.writePayloadToDir(clean, tsDir);
      if (setPerms) await setPerms(tsDirName);
      const tmpLink = join(this.targetDir, DATA_DIR_TMP);
      await rm(tmpLink, { force: true });
      await symlink(tsDirName, tmpLink);
      await rename(tmpLink, dataDirPath);
    } catch (err) {
      await rm(tsDir, { recursive: true, force: true });
      throw err;
    }
    await this.createUserVisibleFiles(clean);
    await this.removeUserVisiblePaths(toRemove);
    if (oldTsPath) await rm(oldTsPath, { recursive: true, force: true });
    return true;
  }

  private async differs(payload: Payload, tsPath: string): Promise<boolean> {
    for (const [p, proj] of payload) {
      let onDisk: Buffer;
      try {
        onDisk = await readFile(join(tsPath, p));
      } catch {
        return true;
      }
      if (!onDisk.equals(proj.data)) return true;
    }
    return false;
  }

  /** Paths of the old version that the new payload no longer has (parents of new paths stay). */
  private async pathsToRemove(payload: Payload, oldTsPath: string): Promise<Set<string>> {
    let old: string[];
    try {
      old = await walk(oldTsPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw err;
    }
    const keep = new Set<string>();
    for (const p of payload.keys()) {
      for (let sub = p; sub !== '.' && sub !== ''; sub = posix.dirname(sub)) keep.add(sub);
    }
    return new Set(old.filter((p) => !keep.has(p)));
  }

  private async writePayloadToDir(payload: Payload, dir: string): Promise<void> {
    for (const [p, proj] of payload) {
      const full = join(dir, p);
      await mkdir(dirname(full), { recursive: true, mode: 0o777 });
      await writeFile(full, proj.data, { mode: proj.mode });
      await chmod(full, proj.mode); // past the umask
      if (proj.fsUser !== undefined) await chown(full, proj.fsUser, -1);
    }
  }

  private async createUserVisibleFiles(payload: Payload): Promise<void> {
    for (const p of payload.keys()) {
      const top = p.split('/')[0];
      const visible = join(this.targetDir, top);
      try {
        await lstat(visible);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await symlink(posix.join(DATA_DIR, top), visible);
      }
    }
  }

  private async removeUserVisiblePaths(paths: Set<string>): Promise<void> {
    let last: unknown;
    for (const p of paths) {
      if (p.includes('/')) continue; // only the links at the volume root
      try {
        await rm(join(this.targetDir, p), { force: true });
      } catch (err) {
        last = err;
      }
    }
    if (last) throw last;
  }
}
