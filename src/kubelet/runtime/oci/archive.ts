// What an image archive holds, read before handing it to containerd so a wrong file gets a
// clear error instead of ctr's: an OCI image layout (oci-layout + index.json, as `skopeo`,
// `buildah`, `docker save` ≥ 25 and skiff's own builder write) and/or a `docker save`
// archive (manifest.json with RepoTags). Plain or gzip-compressed tar, read as a stream:
// only the small metadata files are kept, layer blobs are skipped.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME } from './image.js';

export type ArchiveFormat = 'oci' | 'docker' | 'oci+docker';

export interface ArchiveInfo {
  format: ArchiveFormat;
  gzip: boolean;
  /** Full image names the archive gives (containerd's name annotation, docker RepoTags). */
  names: string[];
  /** OCI ref.name annotations that are bare tags or lack a name ("1.0"): need a repository from the user. */
  bareRefs: string[];
  /** Manifests in index.json (OCI) or entries in manifest.json (docker). */
  images: number;
}

export class NotAnImageArchive extends Error {}

const META = new Set(['oci-layout', 'index.json', 'manifest.json', 'repositories']);
const BLOCK = 512;

/** Docker's reference normalisation for the short forms RepoTags use ("busybox:1.36" → docker.io/library/busybox:1.36). */
export function normalizeRef(ref: string): string {
  let name = ref;
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  if (slash < 0 || !(first.includes('.') || first.includes(':') || first === 'localhost')) {
    name = `docker.io/${slash < 0 ? `library/${name}` : name}`;
  }
  const lastSlash = name.lastIndexOf('/');
  if (!name.includes('@') && !name.slice(lastSlash).includes(':')) name += ':latest';
  return name;
}

/** A repository name as CRI names images ("app" → docker.io/library/app); undefined when it has a tag or digest. */
export function normalizeRepository(repo: string): string | undefined {
  const lastSlash = repo.lastIndexOf('/');
  if (!repo || repo.includes('@') || repo.slice(lastSlash + 1).includes(':')) return undefined;
  return normalizeRef(repo).replace(/:latest$/, '');
}

/** Reads the archive's metadata files (a tar stream). Stops early once the tar ends. */
export async function readArchiveMeta(stream: Readable): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  let buf: Buffer = Buffer.alloc(0);
  let skip = 0; // bytes of the current entry's data (plus padding) still to pass over
  let collect: { name: string; size: number; parts: Buffer[]; got: number } | null = null;
  let paxPath: string | null = null;
  let ended = false;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (!ended) {
      if (collect) {
        const take = Math.min(collect.size - collect.got, buf.length);
        collect.parts.push(buf.subarray(0, take));
        collect.got += take;
        buf = buf.subarray(take);
        if (collect.got < collect.size) break;
        const data = Buffer.concat(collect.parts);
        if (collect.name === '\0pax') {
          for (const m of data.toString('utf8').matchAll(/\d+ (\w+)=([^\n]*)\n/g)) if (m[1] === 'path') paxPath = m[2];
        } else out.set(collect.name, data);
        skip = (BLOCK - (collect.size % BLOCK)) % BLOCK;
        collect = null;
      }
      if (skip) {
        const n = Math.min(skip, buf.length);
        skip -= n;
        buf = buf.subarray(n);
        if (skip) break;
      }
      if (buf.length < BLOCK) break;
      const h = buf.subarray(0, BLOCK);
      buf = buf.subarray(BLOCK);
      if (h.every((x) => x === 0)) { ended = true; break; }
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
      const field = (o: number, l: number) => { const s = h.subarray(o, o + l); const z = s.indexOf(0); return s.subarray(0, z < 0 ? l : z).toString('utf8'); };
      const want = parseInt(field(148, 8).trim() || 'x', 8);
      if (sum !== want) throw new NotAnImageArchive('not a tar archive');
      const size = parseInt(field(124, 12).trim() || '0', 8);
      const type = field(156, 1) || '0';
      const prefix = field(257, 6).startsWith('ustar') ? field(345, 155) : '';
      const name = (paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100))).replace(/^\.\//, '');
      if (type !== 'x' && type !== 'g') paxPath = null;
      if (type === 'x' && size < 1 << 20) { collect = { name: '\0pax', size, parts: [], got: 0 }; continue; }
      if ((type === '0' || type === '\0') && META.has(name) && size < 16 << 20) { collect = { name, size, parts: [], got: 0 }; continue; }
      skip = size + ((BLOCK - (size % BLOCK)) % BLOCK);
    }
    if (ended) break;
  }
  if (collect) throw new NotAnImageArchive('the tar archive is truncated');
  return out;
}

/** Names and format from the metadata files (pure). */
export function describeArchive(meta: Map<string, Buffer>, gzip = false): ArchiveInfo {
  const parse = (f: string): unknown => {
    try { return JSON.parse(meta.get(f)!.toString('utf8')); } catch { throw new NotAnImageArchive(`its ${f} is not valid JSON`); }
  };
  const names: string[] = [];
  const bareRefs: string[] = [];
  let images = 0;
  const hasOci = meta.has('index.json');
  const hasDocker = meta.has('manifest.json');
  if (!hasOci && !hasDocker) throw new NotAnImageArchive('it has neither index.json (OCI image layout) nor manifest.json (docker save)');
  if (hasDocker) {
    const list = parse('manifest.json');
    if (!Array.isArray(list)) throw new NotAnImageArchive('its manifest.json is not a list of images');
    images = list.length;
    for (const m of list as { RepoTags?: string[] | null }[]) for (const t of m?.RepoTags ?? []) names.push(normalizeRef(t));
  }
  if (hasOci) {
    const idx = parse('index.json') as { manifests?: { annotations?: Record<string, string> }[] };
    if (!Array.isArray(idx?.manifests)) throw new NotAnImageArchive('its index.json has no manifests');
    if (!hasDocker) {
      images = idx.manifests.length;
      for (const m of idx.manifests) {
        const a = m.annotations ?? {};
        if (a[ANNOTATION_CONTAINERD_NAME]) names.push(a[ANNOTATION_CONTAINERD_NAME]);
        else if (a[ANNOTATION_REF_NAME] && /[/@]/.test(a[ANNOTATION_REF_NAME])) names.push(normalizeRef(a[ANNOTATION_REF_NAME]));
        else if (a[ANNOTATION_REF_NAME]) bareRefs.push(a[ANNOTATION_REF_NAME]);
      }
    }
  }
  return { format: hasOci && hasDocker ? 'oci+docker' : hasOci ? 'oci' : 'docker', gzip, names: [...new Set(names)], bareRefs, images };
}

/** Inspects an archive file (plain or gzip tar). Throws NotAnImageArchive with the reason. */
export async function inspectArchive(file: string): Promise<ArchiveInfo> {
  const fh = await open(file, 'r');
  let magic: Buffer;
  try {
    magic = Buffer.alloc(2);
    await fh.read(magic, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  const raw = createReadStream(file);
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => stream.destroy(e));
  try {
    return describeArchive(await readArchiveMeta(stream), gzip);
  } catch (e) {
    if (e instanceof NotAnImageArchive) throw e;
    if ((e as { code?: string }).code?.startsWith('Z_')) throw new NotAnImageArchive('its gzip data is corrupt');
    throw e;
  } finally {
    raw.destroy();
    stream.destroy();
  }
}
