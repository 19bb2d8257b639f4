// Writes an OCI image layout archive (image-spec v1: oci-layout, index.json, blobs/sha256/…)
// for a single-platform image, entirely in memory: each layer is a tar gzipped with
// node:zlib, the config and manifest are JSON, every blob is named by its sha256. The same
// inputs give the same bytes, so a rebuilt image keeps its ID. `ctr images import` (and
// `docker load`, `podman load`) read the result.

import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { writeTar, type TarEntry } from './tar.js';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

/** The annotation containerd's importer takes as the image's full name. */
export const ANNOTATION_CONTAINERD_NAME = 'io.containerd.image.name';
export const ANNOTATION_REF_NAME = 'org.opencontainers.image.ref.name';

/** Fixed creation time: part of the config, so of the image ID. */
export const IMAGE_CREATED = '2000-01-01T00:00:00Z';

export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
}

export interface OciImageInput {
  /** Full reference, e.g. docker.io/library/busybox:latest. */
  name: string;
  /** Layers bottom-up, each a list of tar entries. */
  layers: TarEntry[][];
  config: ImageConfig;
  /** OCI architecture (amd64, arm64, …); default: this machine's. */
  architecture?: string;
  /** Free text recorded in the config's history. */
  createdBy?: string;
}

export interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string>; platform?: { architecture: string; os: string } }

export interface OciImage {
  /** The archive to import (an uncompressed tar of the layout). */
  archive: Buffer;
  /** sha256:… of the config blob: what containerd/CRI report as the image ID. */
  configDigest: string;
  manifestDigest: string;
  /** sha256:… of each uncompressed layer (config rootfs.diff_ids). */
  diffIds: string[];
}

export function sha256(b: Buffer | string): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** Node's process.arch → the OCI/Go architecture name. */
export function ociArch(arch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', loong64: 'loong64', mips: 'mips', mipsel: 'mipsle' };
  return map[arch] ?? arch;
}

/** The tag part of a reference ("latest" for "docker.io/library/busybox:latest"). */
export function refTag(name: string): string {
  const lastSlash = name.lastIndexOf('/');
  const colon = name.indexOf(':', lastSlash + 1);
  return colon < 0 ? 'latest' : name.slice(colon + 1);
}

export function buildOciImage(input: OciImageInput): OciImage {
  const architecture = input.architecture ?? ociArch();
  const blobs = new Map<string, Buffer>();
  const put = (b: Buffer) => { const d = sha256(b); blobs.set(d, b); return d; };

  const layerDescs: Descriptor[] = [];
  const diffIds: string[] = [];
  for (const entries of input.layers) {
    const tar = writeTar(entries);
    diffIds.push(sha256(tar));
    const gz = gzipSync(tar, { level: 9 });
    layerDescs.push({ mediaType: MEDIA.layerGzip, digest: put(gz), size: gz.length });
  }

  const config = Buffer.from(JSON.stringify({
    created: IMAGE_CREATED,
    architecture,
    os: 'linux',
    config: input.config,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: IMAGE_CREATED, created_by: input.createdBy ?? 'skiff' })),
  }));
  const configDigest = put(config);

  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, digest: configDigest, size: config.length },
    layers: layerDescs,
  }));
  const manifestDigest = put(manifest);

  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [{
      mediaType: MEDIA.manifest,
      digest: manifestDigest,
      size: manifest.length,
      platform: { architecture, os: 'linux' },
      annotations: { [ANNOTATION_CONTAINERD_NAME]: input.name, [ANNOTATION_REF_NAME]: refTag(input.name) },
    } satisfies Descriptor],
  };

  const entries: TarEntry[] = [
    { type: 'file', path: 'oci-layout', data: Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })) },
    { type: 'file', path: 'index.json', data: Buffer.from(JSON.stringify(index)) },
    { type: 'dir', path: 'blobs' },
    { type: 'dir', path: 'blobs/sha256' },
    ...[...blobs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([d, data]): TarEntry => ({ type: 'file', path: `blobs/sha256/${d.slice(7)}`, data })),
  ];
  return { archive: writeTar(entries), configDigest, manifestDigest, diffIds };
}
