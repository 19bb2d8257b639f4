// Offline images, the way k3s ships air-gap images: skiff builds `busybox` and the pause
// image from Debian packages already on the node, as OCI archives (oci/image.ts) under
// DATA_DIR/images/, and imports them into containerd's k8s.io namespace (the one CRI uses)
// with `ctr images import`. Also the import/list behind `skiff images import|ls`.
//
// busybox: busybox-static's /bin/busybox, a symlink per applet (in /bin, like Docker's
// busybox image, and at busybox's own path for the applet when that differs, e.g.
// /usr/bin/env), /etc/passwd and /etc/group, the usual empty directories.
//
// pause: the sandbox process must sit in the pod's namespaces forever, exit 0 on
// SIGTERM/SIGINT and, as PID 1 of a shared PID namespace (shareProcessNamespace), reap
// orphaned zombies. Debian's `catatonit` is exactly that: a static tiny init whose `-P`
// mode is podman's pause process. Where it is missing (it is not in every distribution)
// the pause image falls back to busybox's ash running `trap 'exit 0' TERM INT; while :; do
// sleep 3600 & wait $!; done` — ash's wait collects any child, so orphans are reaped too.

import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { join } from 'node:path';
import { CriClient } from '../cri/client.js';
import type { Image } from '../cri/types.js';
import { isStaticElf } from './elf.js';
import { BUSYBOX_IMAGE, PAUSE_IMAGE } from './names.js';
import { inspectArchive, NotAnImageArchive } from './oci/archive.js';
import { buildOciImage, ociArch, type OciImage } from './oci/image.js';
import type { TarEntry } from './oci/tar.js';

export type Log = (msg: string) => void;

/** Bump when the image contents change for the same source binaries. */
const BUILDER_VERSION = 2;
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const BUSYBOX_CANDIDATES = ['/usr/bin/busybox', '/bin/busybox'];
export const CATATONIT_CANDIDATES = ['/usr/bin/catatonit', '/usr/libexec/podman/catatonit'];
export const PAUSE_SHELL_LOOP = "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done";

/** The first candidate that is a statically linked executable, or null. */
export function findStatic(candidates: string[]): string | null {
  return candidates.find((f) => isStaticElf(f) === true) ?? null;
}

/** A static busybox, or an error saying exactly what is wrong. */
export function findBusybox(): string {
  const found = findStatic(BUSYBOX_CANDIDATES);
  if (found) return found;
  const dynamic = BUSYBOX_CANDIDATES.find((f) => isStaticElf(f) === false);
  throw new Error(dynamic
    ? `${dynamic} is dynamically linked (Debian's "busybox" package); images need the static one: apt-get install busybox-static`
    : 'busybox is not installed; images need a static busybox: apt-get install busybox-static');
}

const PASSWD = `root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
sync:x:4:100:sync:/bin:/bin/sync
mail:x:8:8:mail:/var/spool/mail:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
operator:x:37:37:Operator:/var:/bin/false
nobody:x:65534:65534:nobody:/home:/bin/false
`;
const GROUP = `root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
tty:x:5:
disk:x:6:
lp:x:7:
mail:x:8:
kmem:x:9:
wheel:x:10:root
cdrom:x:11:
dialout:x:18:
floppy:x:19:
video:x:28:
audio:x:29:
tape:x:32:
www-data:x:33:
operator:x:37:
utmp:x:43:
plugdev:x:46:
staff:x:50:
lock:x:54:
netdev:x:82:
users:x:100:
nobody:x:65534:
`;

/** printenv [NAME...]: all variables, or each named one's value; exit 1 when one is unset. */
export const PRINTENV_SHIM = `#!/bin/sh
[ $# -eq 0 ] && exec env
exec awk 'BEGIN { rc = 0; for (i = 1; i < ARGC; i++) { if (ARGV[i] in ENVIRON) print ENVIRON[ARGV[i]]; else rc = 1 } exit rc }' "$@"
`;

/** Applet paths relative to / (e.g. "bin/ls", "usr/bin/env"), from `busybox --list-full`. */
export function busyboxApplets(busybox: string): string[] {
  return execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n').map((s) => s.trim()).filter((s) => s.includes('/') && !s.endsWith('/busybox'));
}

/** The busybox image's file system. */
export function busyboxEntries(busybox: string, applets: string[]): TarEntry[] {
  const dirs = ['bin', 'dev', 'etc', 'home', 'proc', 'root', 'sbin', 'sys', 'tmp', 'usr', 'usr/bin', 'usr/sbin', 'var', 'var/spool', 'var/spool/mail', 'var/www'];
  const entries: TarEntry[] = dirs.map((d): TarEntry => ({ type: 'dir', path: d, mode: d === 'tmp' ? 0o1777 : d === 'root' ? 0o700 : 0o755 }));
  entries.push({ type: 'file', path: 'bin/busybox', data: readFileSync(busybox), mode: 0o755 });
  const links = new Set<string>();
  for (const a of applets) {
    const name = a.slice(a.lastIndexOf('/') + 1);
    links.add(`bin/${name}`);
    links.add(a);
  }
  for (const l of [...links].sort()) {
    if (!dirs.includes(l.slice(0, l.lastIndexOf('/')))) continue; // only into the image's standard dirs
    entries.push({ type: 'symlink', path: l, target: '/bin/busybox' });
  }
  // Debian's busybox-static is built without the printenv applet, which Docker's busybox
  // image has and the Kubernetes docs use (`kubectl exec POD -- printenv`): a shim in sh.
  if (!links.has('bin/printenv')) entries.push({ type: 'file', path: 'bin/printenv', data: Buffer.from(PRINTENV_SHIM), mode: 0o755 });
  entries.push(
    { type: 'file', path: 'etc/passwd', data: Buffer.from(PASSWD) },
    { type: 'file', path: 'etc/group', data: Buffer.from(GROUP) },
  );
  return entries;
}

export function buildBusyboxImage(busybox: string = findBusybox(), applets: string[] = busyboxApplets(busybox)): OciImage {
  return buildOciImage({
    name: BUSYBOX_IMAGE,
    layers: [busyboxEntries(busybox, applets)],
    config: { Env: [DEFAULT_PATH], Cmd: ['sh'] },
    createdBy: `skiff: static busybox from ${busybox}`,
  });
}

export interface PauseSource { kind: 'catatonit' | 'busybox-sh'; binary: string }

/** What the pause process will be on this machine. */
export function pauseSource(): PauseSource {
  const cat = findStatic(CATATONIT_CANDIDATES);
  return cat ? { kind: 'catatonit', binary: cat } : { kind: 'busybox-sh', binary: findBusybox() };
}

export function buildPauseImage(src: PauseSource = pauseSource()): OciImage {
  const dirs: TarEntry[] = ['dev', 'etc', 'proc', 'sys'].map((d) => ({ type: 'dir', path: d }));
  const image = src.kind === 'catatonit'
    ? { files: [{ type: 'file', path: 'pause', data: readFileSync(src.binary), mode: 0o755 } as TarEntry], entrypoint: ['/pause', '-P'] }
    : {
      files: [
        { type: 'dir', path: 'bin' } as TarEntry,
        { type: 'file', path: 'bin/busybox', data: readFileSync(src.binary), mode: 0o755 } as TarEntry,
        { type: 'symlink', path: 'bin/sh', target: 'busybox' } as TarEntry,
        { type: 'symlink', path: 'bin/sleep', target: 'busybox' } as TarEntry,
      ],
      entrypoint: ['/bin/sh', '-c', PAUSE_SHELL_LOOP],
    };
  return buildOciImage({
    name: PAUSE_IMAGE,
    layers: [[...dirs, ...image.files]],
    // Like the upstream pause image: an unprivileged user, nothing else.
    config: { Entrypoint: image.entrypoint, User: '65535:65535', Env: [DEFAULT_PATH] },
    createdBy: `skiff: pause (${src.kind} from ${src.binary})`,
  });
}

function fileHash(f: string): string {
  return createHash('sha256').update(readFileSync(f)).digest('hex');
}

interface BuiltRecord { fingerprint: string; configDigest: string; file: string; history: string[] }
type BuiltIndex = Record<string, BuiltRecord>;

export interface OfflineArchive { name: string; file: string; configDigest: string; rebuilt: boolean; history: string[] }

/**
 * Builds the pause and busybox archives into DATA_DIR/images/ unless the ones there were
 * built from the same source binaries (a fingerprint in offline-images.json).
 */
export function buildOfflineImages(dataDir: string, log: Log = () => {}): OfflineArchive[] {
  const dir = join(dataDir, 'images');
  mkdirSync(dir, { recursive: true });
  const indexFile = join(dir, 'offline-images.json');
  let index: BuiltIndex = {};
  try { index = JSON.parse(readFileSync(indexFile, 'utf8')) as BuiltIndex; } catch { /* first build */ }
  const busybox = findBusybox();
  const pause = pauseSource();
  const specs = [
    { name: PAUSE_IMAGE, file: 'pause.tar', sources: [pause.binary], extra: pause.kind, build: () => buildPauseImage(pause) },
    { name: BUSYBOX_IMAGE, file: 'busybox.tar', sources: [busybox], extra: '', build: () => buildBusyboxImage(busybox) },
  ];
  const out: OfflineArchive[] = [];
  for (const s of specs) {
    const fingerprint = [BUILDER_VERSION, ociArch(), s.extra, ...s.sources.map((f) => `${f}:${fileHash(f)}`)].join(' ');
    const file = join(dir, s.file);
    const prev = index[s.name];
    if (prev && prev.fingerprint === fingerprint && existsSync(file)) {
      out.push({ name: s.name, file, configDigest: prev.configDigest, rebuilt: false, history: prev.history });
      continue;
    }
    const t0 = Date.now();
    const img = s.build();
    writeFileSync(`${file}.tmp`, img.archive);
    renameSync(`${file}.tmp`, file);
    const history = [...new Set([...(prev?.history ?? []), img.configDigest])];
    index[s.name] = { fingerprint, configDigest: img.configDigest, file, history };
    log(`images: built ${s.name} (${(img.archive.length / 1024 / 1024).toFixed(1)} MiB, ${img.configDigest.slice(0, 19)}) in ${Date.now() - t0} ms${s.name === PAUSE_IMAGE ? ` with ${pause.kind === 'catatonit' ? `catatonit -P (${pause.binary})` : 'a busybox sh loop (catatonit not installed)'}` : ''}`);
    out.push({ name: s.name, file, configDigest: img.configDigest, rebuilt: true, history });
  }
  writeFileSync(indexFile, JSON.stringify(index, null, 2) + '\n');
  return out;
}

/** The snapshotter containerd's CRI plugin uses (CRI Status verbose → info.config). */
export async function criSnapshotter(client: CriClient): Promise<string> {
  const st = await client.status({ verbose: true }, { timeoutMs: 10_000 });
  try {
    const cfg = JSON.parse(st.info.config ?? '{}') as { containerd?: { snapshotter?: string } };
    return cfg.containerd?.snapshotter || 'overlayfs';
  } catch {
    return 'overlayfs';
  }
}

export interface ImportOptions {
  snapshotter?: string;
  ctrBin?: string;
  timeoutMs?: number;
  /** Repository for images the archive names only by a tag (OCI ref.name "1.0"): ctr's --base-name. */
  baseName?: string;
  /** Skip reading the archive first (skiff's own archives). */
  trusted?: boolean;
}

/**
 * Imports an image archive (OCI layout or `docker save` tar, plain or gzip) into
 * containerd's k8s.io namespace and unpacks it for CRI's snapshotter. Returns the image
 * names it created. The archive is read first (oci/archive.ts) so a file that is no image
 * archive, or one whose images have no usable name, fails with the reason.
 */
export async function importImage(socket: string, file: string, opts: ImportOptions = {}): Promise<string[]> {
  if (!existsSync(file)) throw new Error(`${file}: no such file`);
  if (statSync(file).isDirectory()) throw new Error(`${file} is a directory; give the archive file (a tar from docker save, skopeo or buildah)`);
  if (!opts.trusted) {
    let info;
    try {
      info = await inspectArchive(file);
    } catch (e) {
      if (e instanceof NotAnImageArchive) throw new Error(`${file} is not an image archive: ${e.message}`);
      throw e;
    }
    if (info.images === 0) throw new Error(`${file} holds no image`);
    if (info.bareRefs.length && !opts.baseName) {
      throw new Error(`${file} names its image only by the tag ${info.bareRefs.map((r) => JSON.stringify(r)).join(', ')}; say which repository it is with --name (e.g. --name example.com/app)`);
    }
    if (info.gzip) {
      // ctr reads plain tar only
      const dir = mkdtempSync(join(tmpdir(), 'skiff-import-'));
      const plain = join(dir, 'image.tar');
      try {
        await pipeline(createReadStream(file), createGunzip(), createWriteStream(plain));
        return await importImage(socket, plain, { ...opts, trusted: true });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  let snapshotter = opts.snapshotter;
  if (!snapshotter) {
    const client = new CriClient(socket);
    try { snapshotter = await criSnapshotter(client); } finally { client.close(); }
  }
  const args = ['-a', socket, '-n', 'k8s.io', 'images', 'import', '--snapshotter', snapshotter, ...(opts.baseName ? ['--base-name', opts.baseName] : []), file];
  const out = await new Promise<string>((resolve, reject) => {
    execFile(opts.ctrBin ?? 'ctr', args, { timeout: opts.timeoutMs ?? 300_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ctr images import ${file} failed: ${(stderr || stdout || err.message).trim()}`));
      else resolve(`${stdout}\n${stderr}`);
    });
  });
  // ctr prints "unpacking NAME (sha256:…)...done" per image.
  const names = [...out.matchAll(/unpacking (\S+) \(sha256:[0-9a-f]+\)/g)].map((m) => m[1]);
  if (!names.length) throw new Error(`ctr images import ${file}: no image in the archive was imported:\n${out.trim()}`);
  return names;
}

export interface EnsureImagesOptions { socket: string; dataDir: string; log?: Log; snapshotter?: string }
export interface EnsuredImage { name: string; id: string; imported: boolean }

/**
 * Makes sure containerd has the pause and busybox images: builds the archives if needed,
 * imports an image when containerd lacks it, or holds an older build of ours. An image of
 * the same name from elsewhere (a real pull of busybox:latest) is left alone.
 */
export async function ensureOfflineImages(opts: EnsureImagesOptions): Promise<EnsuredImage[]> {
  const log = opts.log ?? (() => {});
  const archives = buildOfflineImages(opts.dataDir, log);
  const client = new CriClient(opts.socket);
  try {
    const snapshotter = opts.snapshotter ?? await criSnapshotter(client);
    const out: EnsuredImage[] = [];
    for (const a of archives) {
      const st = await client.imageStatus({ image: { image: a.name } });
      const have = st.image?.id ?? '';
      if (have === a.configDigest || (have && !a.history.includes(have))) {
        out.push({ name: a.name, id: have, imported: false });
        continue;
      }
      const t0 = Date.now();
      await importImage(opts.socket, a.file, { snapshotter, trusted: true });
      log(`images: imported ${a.name} into containerd (k8s.io) in ${Date.now() - t0} ms`);
      out.push({ name: a.name, id: a.configDigest, imported: true });
    }
    return out;
  } finally {
    client.close();
  }
}

export interface ImageInfo { id: string; repoTags: string[]; repoDigests: string[]; size: number; pinned: boolean }

/** Images in containerd as CRI (so the kubelet) sees them. */
export async function listImages(socket: string): Promise<ImageInfo[]> {
  const client = new CriClient(socket);
  try {
    const res = await client.listImages({}, { timeoutMs: 30_000 });
    return res.images.map((i: Image) => ({ id: i.id, repoTags: i.repoTags, repoDigests: i.repoDigests, size: Number(i.size), pinned: i.pinned }))
      .sort((a, b) => (a.repoTags[0] ?? a.id).localeCompare(b.repoTags[0] ?? b.id));
  } finally {
    client.close();
  }
}

function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0, v = n;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${units[i]}`;
}

/** A `crictl images`-style table: IMAGE, TAG, IMAGE ID, SIZE (one row per tag). */
export function formatImageTable(images: ImageInfo[]): string {
  const rows: string[][] = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
  for (const img of images) {
    const id = img.id.replace(/^sha256:/, '').slice(0, 13);
    const tags = img.repoTags.length ? img.repoTags : ['<none>:<none>'];
    for (const t of tags) {
      const colon = t.lastIndexOf(':');
      const slash = t.lastIndexOf('/');
      const [repo, tag] = colon > slash ? [t.slice(0, colon), t.slice(colon + 1)] : [t, '<none>'];
      rows.push([repo, tag, id, humanSize(img.size)]);
    }
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('   ')).join('\n') + '\n';
}
