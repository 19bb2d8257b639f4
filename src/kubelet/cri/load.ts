// Loads the CRI schema (api.proto beside this file's source) into @grpc/proto-loader; the
// result is cached for the process. skiff always runs from its source tree (./skiff builds
// dist/ there), so the compiled module finds the .proto at ../../../src/kubelet/cri/.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** camelCase fields, enums by name, 64-bit integers as strings, defaults on decode. */
export const LOADER_OPTIONS: protoLoader.Options = { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true };

export interface CriPackage {
  definition: protoLoader.PackageDefinition;
  RuntimeService: grpc.ServiceClientConstructor;
  ImageService: grpc.ServiceClientConstructor;
}

let cached: CriPackage | null = null;

export function criPackage(): CriPackage {
  if (cached) return cached;
  const definition = protoLoader.loadSync(protoPath(), LOADER_OPTIONS);
  const root = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: Record<string, grpc.ServiceClientConstructor> } };
  cached = { definition, RuntimeService: root.runtime.v1.RuntimeService, ImageService: root.runtime.v1.ImageService };
  return cached;
}

/** api.proto: beside this module when run from src, or back in src/ when run from dist/. */
export function protoPath(): string {
  const here = fileURLToPath(new URL('./api.proto', import.meta.url));
  return existsSync(here) ? here : fileURLToPath(new URL('../../../src/kubelet/cri/api.proto', import.meta.url));
}
