// Where the last N lines of a log file start, reading backwards from the end in blocks so
// a huge file costs only the blocks that hold those lines. Lines are log records (one per
// newline), as the kubelet counts them; an unterminated last record is not counted.
import type { FileHandle } from 'node:fs/promises';

const BLOCK = 64 * 1024;
const NL = 0x0a;

/**
 * Byte offset of the first of the last `n` complete lines of `fh` (size `size`): just past
 * the (n+1)-th newline from the end, or 0 when the file has no more than n lines.
 * n < 0 means the whole file.
 */
export async function findTailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n < 0 || size === 0) return 0;
  let seen = 0;
  const buf = Buffer.allocUnsafe(BLOCK);
  for (let right = size; right > 0; ) {
    const left = Math.max(0, right - BLOCK);
    const len = right - left;
    let got = 0;
    while (got < len) {
      const { bytesRead } = await fh.read(buf, got, len - got, left + got);
      if (bytesRead === 0) break; // the file shrank under us: treat what we have as all there is
      got += bytesRead;
    }
    for (let i = got - 1; i >= 0; ) {
      const at = buf.lastIndexOf(NL, i);
      if (at < 0 || at >= got) break;
      seen++;
      if (seen === n + 1) return left + at + 1;
      i = at - 1;
    }
    right = left;
  }
  return 0;
}
