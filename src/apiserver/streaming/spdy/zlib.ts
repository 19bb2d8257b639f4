// SPDY/3 header-block compression. Every header block on a connection continues ONE zlib
// stream per direction, primed with the SPDY dictionary, and each block ends on a sync flush.
//
// Node's zlib has no synchronous API for a stream that outlives one call, and frames must
// leave in order, so both directions are done without one:
// - Writing: header blocks go out as deflate "stored" blocks after a zlib header that names
//   the dictionary, each block ending like a sync flush (an empty stored block). That is a
//   valid zlib stream every peer inflates (Go's spdystream, Node's zlib), only uncompressed;
//   header blocks here are a few dozen bytes per stream.
// - Reading: the compressed blocks received so far are inflated again as a whole with
//   finishFlush = Z_SYNC_FLUSH, and the new output is what follows the previous output. A
//   session carries a handful of header blocks (one per stream), so this stays cheap; a
//   limit keeps a hostile peer from making it expensive.
import { constants, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';

function adler32(buf: Buffer): number {
  let a = 1, b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const MAX_STORED = 0xffff;

/** BFINAL 0, BTYPE 00 (stored), padded to the byte; LEN and its one's complement NLEN. */
function storedHeader(len: number): Buffer {
  const h = Buffer.alloc(5);
  h.writeUInt16LE(len, 1);
  h.writeUInt16LE(~len & 0xffff, 3);
  return h;
}

export class HeaderCompressor {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      // CMF 0x78 (deflate, 32 KiB window), FLG 0x20 (FDICT; 0x7820 is a multiple of 31),
      // then the dictionary's Adler-32.
      const h = Buffer.alloc(6);
      h[0] = 0x78; h[1] = 0x20;
      h.writeUInt32BE(adler32(SPDY3_DICTIONARY), 2);
      parts.push(h);
      this.started = true;
    }
    for (let off = 0; off < block.length; off += MAX_STORED) {
      const chunk = block.subarray(off, off + MAX_STORED);
      parts.push(storedHeader(chunk.length), chunk);
    }
    // the empty stored block a sync flush ends with: inflaters (Go's among them) hand out
    // what they hold only when they reach it
    parts.push(storedHeader(0));
    return Buffer.concat(parts);
  }
}

/** Compressed header bytes one session may receive in total. */
const MAX_HISTORY = 1 << 20;

export class HeaderDecompressor {
  private history: Buffer = Buffer.alloc(0);
  private produced = 0;

  decompress(block: Buffer): Buffer {
    if (this.history.length + block.length > MAX_HISTORY) throw new Error('spdy: too many header bytes on one connection');
    this.history = Buffer.concat([this.history, block]);
    const out = inflateSync(this.history, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const fresh = out.subarray(this.produced);
    this.produced = out.length;
    return fresh;
  }
}
