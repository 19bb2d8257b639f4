import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTailStart } from './tail.js';

async function startOf(text: string | Buffer, n: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-tail-'));
  try {
    const p = join(dir, 'f');
    writeFileSync(p, text);
    const fh = await open(p, 'r');
    try {
      return await findTailStart(fh, (await fh.stat()).size, n);
    } finally {
      await fh.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('tail start: the last n complete lines', async () => {
  assert.equal(await startOf('a\nb\nc\n', 1), 4);
  assert.equal(await startOf('a\nb\nc\n', 2), 2);
  assert.equal(await startOf('a\nb\nc\n', 3), 0);
  assert.equal(await startOf('a\nb\nc\n', 10), 0);
  assert.equal(await startOf('a\nb\nc\n', 0), 6, 'zero lines start at the end');
  assert.equal(await startOf('a\nb\nc\n', -1), 0, 'negative means everything');
  assert.equal(await startOf('', 3), 0);
});

test('an unterminated last line is not counted', async () => {
  assert.equal(await startOf('a\nb\nc', 1), 2, 'b plus the incomplete c');
  assert.equal(await startOf('abc', 0), 0);
});

test('lines that straddle 64 KiB blocks, in a file of several MiB', async () => {
  const line = (i: number) => `${String(i).padStart(7, '0')} ${'x'.repeat(90 + (i % 37))}\n`;
  const lines = Array.from({ length: 40_000 }, (_, i) => line(i));
  const text = lines.join('');
  for (const n of [1, 2, 700, 1500, 39_999]) {
    const start = await startOf(text, n);
    assert.equal(text.slice(start), lines.slice(-n).join(''), `n=${n}`);
  }
});
