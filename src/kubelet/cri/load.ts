// Loads the CRI schema (proto.ts, the text of api.proto) into @grpc/proto-loader. The loader
// only reads files, so the text goes to a private temp file for the duration of the parse;
// the result is cached for the process.

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CRI_PROTO } from './proto.js';

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
  const dir = mkdtempSync(join(tmpdir(), 'skiff-cri-proto-'));
  let definition: protoLoader.PackageDefinition;
  try {
    const file = join(dir, 'api.proto');
    writeFileSync(file, CRI_PROTO);
    definition = protoLoader.loadSync(file, LOADER_OPTIONS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const root = grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: Record<string, grpc.ServiceClientConstructor> } };
  cached = { definition, RuntimeService: root.runtime.v1.RuntimeService, ImageService: root.runtime.v1.ImageService };
  return cached;
}
