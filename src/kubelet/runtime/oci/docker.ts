// A `docker save` archive (Docker's image tar, v1.2 layout: manifest.json, the config as
// <hex>.json, each layer as <hex>/layer.tar uncompressed) for the same inputs as
// buildOciImage: how tests and air-gap demos get a docker-format archive without Docker.

import { createHash } from 'node:crypto';
import { ociArch, IMAGE_CREATED, type OciImageInput } from './image.js';
import { writeTar, type TarEntry } from './tar.js';

const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

export interface DockerArchive { archive: Buffer; configDigest: string }

export function buildDockerArchive(input: OciImageInput & { repoTags?: string[] }): DockerArchive {
  const layers = input.layers.map((entries) => writeTar(entries));
  const diffIds = layers.map((l) => `sha256:${hex(l)}`);
  const config = Buffer.from(JSON.stringify({
    created: IMAGE_CREATED,
    architecture: input.architecture ?? ociArch(),
    os: 'linux',
    config: input.config,
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map(() => ({ created: IMAGE_CREATED, created_by: input.createdBy ?? 'skiff' })),
  }));
  const configHex = hex(config);
  const layerPaths = layers.map((l) => `${hex(l)}/layer.tar`);
  const manifest = [{ Config: `${configHex}.json`, RepoTags: input.repoTags ?? [input.name], Layers: layerPaths }];
  const entries: TarEntry[] = [
    ...layers.flatMap((l, i): TarEntry[] => [{ type: 'dir', path: layerPaths[i].split('/')[0] }, { type: 'file', path: layerPaths[i], data: l }]),
    { type: 'file', path: `${configHex}.json`, data: config },
    { type: 'file', path: 'manifest.json', data: Buffer.from(JSON.stringify(manifest)) },
  ];
  return { archive: writeTar(entries), configDigest: `sha256:${configHex}` };
}
