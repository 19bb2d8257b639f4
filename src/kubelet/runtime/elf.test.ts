import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStaticElf } from './elf.js';

/** A minimal little-endian ELF64 header with one program header of the given type. */
function elf64(ptype: number): Buffer {
  const b = Buffer.alloc(64 + 56);
  b.writeUInt32BE(0x7f454c46, 0);
  b[4] = 2; // 64-bit
  b[5] = 1; // little-endian
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(56, 54); // e_phentsize
  b.writeUInt16LE(1, 56); // e_phnum
  b.writeUInt32LE(ptype, 64);
  return b;
}

test('static, dynamic and non-ELF files are told apart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-elf-'));
  try {
    writeFileSync(join(dir, 'static'), elf64(1)); // PT_LOAD only
    writeFileSync(join(dir, 'dynamic'), elf64(3)); // PT_INTERP
    writeFileSync(join(dir, 'script'), '#!/bin/sh\necho hi\n');
    assert.equal(isStaticElf(join(dir, 'static')), true);
    assert.equal(isStaticElf(join(dir, 'dynamic')), false);
    assert.equal(isStaticElf(join(dir, 'script')), null);
    assert.equal(isStaticElf(join(dir, 'absent')), null);
    assert.equal(isStaticElf(process.execPath), false, 'node itself is dynamically linked');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
